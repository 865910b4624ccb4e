# SPDX-License-Identifier: MIT
"""Superset mode's baseline on the BitBake side: the child key, the store,
and the rule that only a whole baseline is ever emitted (no BitBake needed)."""

import os

import pytest

import compat_support  # noqa: F401  (puts the layer's lib/ on sys.path)
from sstatemgmt.compat import BaselineStore, ParentInput, baseline_or_full, build_report, child_key

FN = "virtual:native:/layers/app_1.0.bb"
OTHER = "/layers/gcc_1.0.bb"
PARENT = "virtual:native:/layers/lib_1.0.bb"


def tables():
    """Signature generator tables of a child with three tasks and a compat task."""
    basehash = {FN + ":do_configure": "b1", FN + ":do_compile": "b2", FN + ":do_populate_sysroot": "b3",
                FN + ":do_cache_compatibility": "bc", OTHER + ":do_populate_sysroot": "bo",
                PARENT + ":do_populate_sysroot": "bp"}
    taskhash = dict((t, "t-" + h) for t, h in basehash.items())
    runtaskdeps = {
        FN + ":do_configure": [("app", FN + ":do_cache_compatibility"), ("gcc", OTHER + ":do_populate_sysroot")],
        FN + ":do_compile": [("app", FN + ":do_configure")],
        FN + ":do_populate_sysroot": [("app", FN + ":do_compile")],
        FN + ":do_cache_compatibility": [("lib", PARENT + ":do_populate_sysroot")],
    }
    return taskhash, basehash, runtaskdeps


def key(taskhash, basehash, runtaskdeps, files=None, taints=None):
    return child_key(FN, "do_cache_compatibility", taskhash, basehash, runtaskdeps, files, taints)


def test_child_key_ignores_the_parent_and_the_compat_task():
    taskhash, basehash, runtaskdeps = tables()
    k = key(taskhash, basehash, runtaskdeps)
    assert len(k) == 64
    # The parent changes: its hashes and the compat task's change.
    taskhash[PARENT + ":do_populate_sysroot"] = "new"
    basehash[FN + ":do_cache_compatibility"] = "other"
    taskhash[FN + ":do_cache_compatibility"] = "other"
    assert key(taskhash, basehash, runtaskdeps) == k
    # Older BitBake: runtaskdeps as plain tids.
    plain = dict((t, [d[1] for d in deps]) for t, deps in runtaskdeps.items())
    assert key(taskhash, basehash, plain) == k


@pytest.mark.parametrize("change", ["basehash", "other-dependency", "file-checksum", "taint"])
def test_child_key_changes_with_any_other_child_input(change):
    taskhash, basehash, runtaskdeps = tables()
    files = {FN + ":do_compile": [("/layers/files/app.c", "c1")]}
    taints = {}
    before = key(taskhash, basehash, runtaskdeps, files, taints)
    if change == "basehash":
        basehash[FN + ":do_compile"] = "b2-new"
    elif change == "other-dependency":
        taskhash[OTHER + ":do_populate_sysroot"] = "t-new"
    elif change == "file-checksum":
        files[FN + ":do_compile"] = [("/layers/files/app.c", "c2")]
    else:
        taints[FN + ":do_configure"] = "nostamp:1234"
    assert key(taskhash, basehash, runtaskdeps, files, taints) != before


def test_child_key_does_not_depend_on_the_layer_path():
    taskhash, basehash, runtaskdeps = tables()
    a = key(taskhash, basehash, runtaskdeps, {FN + ":do_compile": [("/a/files/app.c", "c1")]})
    b = key(taskhash, basehash, runtaskdeps, {FN + ":do_compile": [("/b/files/app.c", "c1")]})
    assert a == b


def test_child_key_needs_child_tasks():
    taskhash, basehash, runtaskdeps = tables()
    with pytest.raises(ValueError):
        child_key("/nowhere.bb", "do_cache_compatibility", taskhash, basehash, runtaskdeps)


def test_store_round_trip_is_atomic_and_droppable(tmp_path):
    store = BaselineStore(str(tmp_path / "baselines"))
    k = "ab" * 32
    assert store.load("app", k) is None
    store.save("app", k, "one\n")
    store.save("app", k, "two\n")
    assert store.load("app", k) == "two\n"
    assert os.listdir(tmp_path / "baselines" / "app") == [k + ".report"]
    assert oct(os.stat(store.path("app", k)).st_mode & 0o777) == "0o664"
    assert store.drop("app", k) and not store.drop("app", k)
    for bad in (("../x", k), ("app", "../../etc"), ("app", "")):
        with pytest.raises(ValueError):
            store.path(*bad)


HEADER = "#ifndef FOO_H\n#define FOO_H\nint foo(int);\n%s#endif\n"


def header_report(tmp_path, name, extra, mode="superset", other_extra=None):
    """A report of a parent that stages one header (elf-interface judges it
    by its declarations in superset mode), optionally with a second parent."""
    parents = []
    for pname, text, pmode in (("libfoo", extra, mode), ("libbar", other_extra, "superset")):
        if text is None:
            continue
        inc = tmp_path / name / pname / "usr" / "include"
        inc.mkdir(parents=True)
        (inc / (pname + ".h")).write_text(HEADER % text)
        parents.append(ParentInput(pname, str(tmp_path / name / pname), mode=pmode))
    return build_report("app", parents)


def test_baseline_or_full(tmp_path):
    base = header_report(tmp_path, "base", "")
    added = header_report(tmp_path, "added", "int foo_added(int);\n")
    macro = header_report(tmp_path, "macro", "#define X 1\n")
    assert baseline_or_full(None, added) == (added, False)
    assert baseline_or_full(base, base) == (base, False)
    assert baseline_or_full(base, added) == (base, True)
    assert baseline_or_full(base, macro) == (macro, False)
    # Not a report at all: the full report, never the baseline.
    assert baseline_or_full("garbage\n", added) == (added, False)


def test_only_a_whole_baseline_is_emitted(tmp_path):
    """Two superset parents: one only adds, the other breaks. A report
    canonicalised for the first alone maps to no earlier build of the child
    and must not be emitted: the full report is."""
    base = header_report(tmp_path, "base", "", other_extra="")
    mixed = header_report(tmp_path, "mixed", "int foo_added(int);\n", other_extra="#define BAR 2\n")
    both_add = header_report(tmp_path, "both", "int foo_added(int);\n", other_extra="int bar_added(int);\n")
    assert baseline_or_full(base, mixed) == (mixed, False)
    assert baseline_or_full(base, both_add) == (base, True)


def test_exact_parent_must_be_identical(tmp_path):
    base = header_report(tmp_path, "base", "", mode="exact")
    added = header_report(tmp_path, "added", "int foo_added(int);\n", mode="exact")
    assert baseline_or_full(base, added) == (added, False)
