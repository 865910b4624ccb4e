# SPDX-License-Identifier: MIT
"""The CI part of the real-library corpus: the ``fast`` subset of
tests/real-corpus/manifest.yaml (two libraries, two release pairs each, one
CVE backport) built from its pinned upstream sources, judged by the runtime
oracle and by every checker and mode with the default settings (and the
superset modes with the child-uses scope, the ``scoped`` profile), through
``scripts/real-corpus run`` itself.

Trees and truth are cached in $SSTATE_MGMT_CACHE/real-corpus, so only the
first run builds. Without the sources (no network and no git mirror) every
test is skipped with one line starting ``REAL CORPUS SKIPPED``;
SSTATE_MGMT_SKIP_REAL_CORPUS=1 skips on purpose.
"""

import json
import os
import re
import subprocess
import sys

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(REPO, "scripts", "lib"))

from sstmgmt_dev.realcorpus import cli, manifest, matrix  # noqa: E402

SCRIPT = os.path.join(REPO, "scripts", "real-corpus")
MATRIX_DOC = os.path.join(REPO, "docs", "real-corpus-matrix.md")
CORPUS = manifest.Manifest()
FAST = CORPUS.select(subset="fast")


def _skip(config, reason):
    config._real_corpus_skipped = reason
    pytest.skip(reason)


@pytest.fixture(scope="module")
def results(request, tmp_path_factory):
    if os.environ.get("SSTATE_MGMT_SKIP_REAL_CORPUS"):
        _skip(request.config, "SSTATE_MGMT_SKIP_REAL_CORPUS is set")
    out = str(tmp_path_factory.mktemp("real-corpus") / "results.json")
    proc = subprocess.run([sys.executable, SCRIPT, "run", "--subset", "fast",
                           "--settings", "default,scoped", "--json", out],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, stdin=subprocess.DEVNULL)
    if proc.returncode == cli.EXIT_UNREACHABLE:
        last = (proc.stderr.strip().splitlines() or ["exit status 3"])[-1]
        _skip(request.config, "the pinned upstream sources are not reachable: " + last)
    assert proc.returncode == 0, proc.stderr[-3000:]
    with open(out) as f:
        return json.load(f)


def _pairs(results):
    return dict((p["id"], p) for p in results["pairs"])


def test_fast_subset_is_what_ci_needs():
    libs = set(p.lib.name for p in FAST)
    assert len(libs) == 2
    for lib in libs:
        assert len([p for p in FAST if p.lib.name == lib and p.kind == "release"]) >= 2
    assert [p for p in FAST if p.kind == "cve"]


def test_trees_are_staged_like_sysroot_components(results):
    for key, root in results["trees"].items():
        files = []
        for dirpath, _dirs, names in os.walk(root):
            files += [os.path.relpath(os.path.join(dirpath, n), root) for n in names]
        assert any(f.startswith("usr/include/") for f in files), key
        assert any(f.endswith(".pc") for f in files), key
        assert any(re.search(r"^usr/lib/lib[^/]*\.so\.", f) for f in files), key
        leftovers = [f for f in files if f.startswith(("usr/bin", "usr/share/doc", "usr/share/man"))
                     or f.endswith((".a", ".la"))]
        assert leftovers == [], key


def test_oracle_ran_the_old_consumer_on_the_new_library(results):
    for pair in results["pairs"]:
        oracle = pair["oracle"]
        assert oracle["new_builds"], pair["id"]
        if pair["kind"] == "release":
            # The first line is the library's runtime version: the old
            # consumer really loaded the new release.
            assert oracle["loaded_new"] != oracle["loaded"], pair["id"]
        assert oracle["lines"] > 30, pair["id"]


def test_truth_matches_the_committed_matrix(results):
    # The oracle must keep its mind: same truth as docs/real-corpus-matrix.md.
    with open(MATRIX_DOC) as f:
        committed = dict((m.group(1), m.group(2)) for m in re.finditer(
            r"^\| (\S+:\S+\.\.\S+) \| (?:[^|]*\| )?(safe|strict-only|unsafe) \|",
            f.read(), re.M))
    assert dict((pid, p["truth"]) for pid, p in _pairs(results).items()) == \
        dict((p.id, committed.get(p.id)) for p in FAST)
    assert set(p["truth"] for p in results["pairs"]) >= {"safe", "unsafe"}


def test_every_column_judges_every_pair(results):
    cols = [matrix.column_key(c) for c in results["columns"]]
    # default: 4 checkers, 3 with a superset mode; scoped: the 3 superset modes.
    assert len(cols) == 10, cols
    for pair in results["pairs"]:
        failed = dict((k, v["error"]) for k, v in pair["verdicts"].items()
                      if v["verdict"] not in ("reuse", "rebuild"))
        assert failed == {}, pair["id"]


def test_no_unsafe_reuse(results):
    unsafe = [(p["id"], k) for p in results["pairs"] for k, v in p["verdicts"].items()
              if matrix.classify(p["truth"], v) == "unsafe"]
    assert unsafe == []


def test_verdicts_match_the_committed_matrix(results):
    # Regenerate the matrix when a checker's verdicts change:
    #   scripts/real-corpus run --out docs/real-corpus-matrix.md
    with open(MATRIX_DOC) as f:
        text = f.read()
    for profile in ("default", "scoped"):
        section = text.split("## Verdicts with settings `%s`" % profile)[1].split("\n## ")[0]
        rows = matrix.verdict_table(results["pairs"],
                                    [c for c in results["columns"] if c["profile"] == profile])
        for row in rows[2:]:
            assert row in section, "stale docs/real-corpus-matrix.md (%s): %s" % (profile, row)
