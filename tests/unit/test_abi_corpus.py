# SPDX-License-Identifier: MIT
"""Every checker over the ABI corpus: never an unsafe reuse.

The corpus (tests/abi-corpus/) is compiled once per session with the host
gcc/g++ (-g); each case's expected verdict is confirmed by the execution
oracle, then every checker (and the superset modes) judges every case.
docs/abi-verdict-matrix.md must match what the checkers do here; regenerate
it with ``python3 tests/unit/compat_support.py docs/abi-verdict-matrix.md``.
"""

import os
import shutil

import pytest

import compat_support as cs

CASES = cs.discover()

#: Cases every checker must be judged on, listed here so that a deleted
#: directory fails the test instead of silently shrinking the corpus.
REQUIRED = {
    "body-change", "added-function", "removed-function", "param-type-change",
    "return-type-change", "struct-member-appended", "struct-member-reordered",
    "opaque-struct-grows", "enum-value-inserted", "data-object-resized",
    "symbol-version-renamed", "soname-bump", "cxx-virtual-inserted", "cxx-member-added",
    "inline-body-change", "macro-value-change", "static-helper-added",
    "comment-only-header", "const-pointer-param", "cxx-default-argument",
    "version-macro-only", "function-like-macro-change", "version-conditional-layout",
    "multi-tu-added-function",
}

#: Compatible changes each column must reuse: what makes a checker worth
#: more than a checksum. A regression here is a lost optimisation.
MUST_REUSE = {
    ("elf-interface", "exact"): {"body-change", "comment-only-header", "static-helper-added",
                                 "opaque-struct-grows", "data-object-value-change",
                                 "version-macro-only"},
    ("abidiff", "exact"): {"body-change", "comment-only-header", "static-helper-added",
                           "opaque-struct-grows", "data-object-value-change",
                           "version-macro-only"},
    ("abi-compliance-checker", "exact"): {"body-change", "comment-only-header",
                                          "static-helper-added", "version-macro-only"},
}
for _checker, _exact in list(MUST_REUSE.items()):
    MUST_REUSE[(_checker[0], "superset")] = _exact | {"added-function", "symbol-version-added",
                                                      "multi-tu-added-function"}
MUST_REUSE[("elf-interface", cs.SCOPED)] = MUST_REUSE[("elf-interface", "superset")] | {
    "unused-macro-removed"}


def _skip_missing(checker):
    missing = cs.missing_tools(checker)
    if missing:
        pytest.skip("%s needs %s on PATH (Debian: %s)" % (
            checker, ", ".join(missing),
            "abigail-tools" if checker == "abidiff" else "abi-compliance-checker"))


@pytest.fixture(scope="session")
def corpus(tmp_path_factory):
    missing = [c for c in ("gcc", "g++") if not shutil.which(c)]
    if missing:
        pytest.skip("the corpus is compiled with the host %s" % " and ".join(missing))
    return cs.build_corpus(str(tmp_path_factory.mktemp("abi-corpus")))


@pytest.fixture(scope="session")
def verdicts(corpus):
    return cs.judge_all(corpus)


def test_corpus_covers_the_required_changes():
    names = set(c.name for c in CASES)
    assert REQUIRED <= names, sorted(REQUIRED - names)
    assert set(c.verdict for c in CASES) == {"compatible", "incompatible"}
    assert set(c.lang for c in CASES) == {"c", "c++"}


@pytest.mark.parametrize("case", CASES, ids=str)
def test_oracle_confirms_the_expected_verdict(corpus, case):
    built = corpus[case.name]
    assert built.oracle == case.verdict, built.oracle_detail


@pytest.mark.parametrize("checker,mode", cs.COLUMNS, ids=[cs.column_name(*c) for c in cs.COLUMNS])
def test_no_unsafe_reuse(corpus, verdicts, checker, mode):
    _skip_missing(checker)
    judged = [n for n in corpus if (n, checker, mode) in verdicts]
    assert len(judged) == len(corpus)
    unsafe = [n for n in judged if cs.classify(corpus[n].case, verdicts[(n, checker, mode)]) == "unsafe"]
    assert unsafe == []


@pytest.mark.parametrize("checker,mode", sorted(MUST_REUSE), ids=[cs.column_name(*c) for c in sorted(MUST_REUSE)])
def test_compatible_changes_are_reused(corpus, verdicts, checker, mode):
    _skip_missing(checker)
    rebuilt = sorted(n for n in MUST_REUSE[(checker, mode)] if not verdicts[(n, checker, mode)].reuse)
    assert rebuilt == []


def test_checksum_rebuilds_on_any_change(corpus, verdicts):
    assert [n for n in corpus if verdicts[(n, "checksum", "exact")].reuse] == []


@pytest.mark.parametrize("checker", ["abidiff", "abi-compliance-checker"])
def test_tools_judge_every_corpus_library_without_falling_back(corpus, verdicts, checker):
    # The corpus is built with -g and its headers compile: a warning would
    # mean the tool silently judged less than it should (elf-interface only).
    _skip_missing(checker)
    noisy = dict((n, verdicts[(n, checker, "exact")].warnings) for n in corpus
                 if verdicts[(n, checker, "exact")].warnings)
    assert noisy == {}


def test_verdict_matrix_document_is_current(corpus, verdicts):
    if any(cs.missing_tools(c) for c, _m in cs.COLUMNS):
        pytest.skip("a checker's host tool is missing; the committed matrix has every column")
    path = os.path.join(cs.REPO, "docs", "abi-verdict-matrix.md")
    with open(path) as f:
        committed = cs.verdict_tables(f.read())
    assert cs.verdict_tables(cs.render_matrix(corpus, verdicts)) == committed, \
        "regenerate: python3 tests/unit/compat_support.py docs/abi-verdict-matrix.md"
