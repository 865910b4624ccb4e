# SPDX-License-Identifier: MIT
"""The real-library corpus harness without its sources: the manifest, the
time limits, and the parts of the truth that read tool output and headers.
(The corpus itself runs in tests/real-corpus/test_real_corpus_fast.py.)"""

import os
import shutil
import sys
import time

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(REPO, "scripts", "lib"))

from sstmgmt_dev.realcorpus import manifest, matrix, procs, truth  # noqa: E402


def _alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().split(") ")[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_a_helper_left_spinning_is_killed_with_its_group(tmp_path):
    # As abi-compliance-checker on headers it cannot compile: the program
    # exits, a helper it forked keeps running with the output still open.
    pidfile = tmp_path / "helper.pid"
    script = "sh -c 'echo $$ > %s; while :; do :; done' & sleep 0.2; echo done" % pidfile
    t0 = time.monotonic()
    res = procs.run(["sh", "-c", script], timeout=60)
    assert res.stdout == "done\n" and not res.timed_out
    assert time.monotonic() - t0 < 30
    helper = int(pidfile.read_text())
    for _ in range(50):
        if not _alive(helper):
            break
        time.sleep(0.1)
    assert not _alive(helper)


def test_a_program_over_its_limit_is_killed(tmp_path):
    t0 = time.monotonic()
    res = procs.run(["sh", "-c", "sleep 1000 & sleep 1000"], timeout=1)
    assert res.timed_out and res.returncode < 0
    assert time.monotonic() - t0 < 20


def test_manifest_meets_the_issue():
    corpus = manifest.Manifest()
    libs = corpus.libraries.values()
    assert len(libs) >= 6
    assert all(len(lib.releases) >= 5 for lib in libs)
    assert {"zlib", "libpng"} <= set(corpus.libraries)
    with_cves = [lib for lib in libs if len([p for p in lib.pairs if p.kind == "cve"]) >= 3]
    assert len(with_cves) >= 3
    for pair in corpus.pairs():
        assert pair.old.lib is pair.new.lib
        if pair.kind == "cve":
            assert pair.patches and all(p.path.endswith(".patch") for p in pair.patches)


def test_manifest_errors_name_the_entry(tmp_path):
    bad = tmp_path / "m.yaml"
    bad.write_text("oe-core: x\nlibraries:\n  foo:\n    url: u\n")
    with pytest.raises(manifest.ManifestError, match="library foo: missing"):
        manifest.Manifest(str(bad))
    corpus = manifest.Manifest()
    with pytest.raises(manifest.ManifestError, match="unknown libraries: nosuch"):
        corpus.select(libs=["nosuch"])
    with pytest.raises(manifest.ManifestError, match="unknown pairs"):
        corpus.select(pair_ids=["zlib:v0..v1"])


ABIDIFF = """\
Functions changes summary: 2 Removed, 1 Changed, 1 Added functions
Variables changes summary: 0 Removed, 1 Changed, 0 Added variable
Function symbols changes summary: 1 Removed, 0 Added function symbol not referenced by debug info

2 Removed functions:

  [D] 'function int gone()'    {gone}
  [D] 'function int xmlBufInternal(xmlBuf*)'    {xmlBufInternal@@LIBXML2_2.9.0}

1 Added function:

  [A] 'function int added()'    {added}

1 function with some indirect sub-type change:

  [C] 'function int foo(S*)' at b.c:2:1 has some indirect sub-type changes:
    parameter 1 of type 'S*' has sub-type changes:
      in pointed to type 'struct S' at x.h:1:1:
        type size changed from 32 to 64 (in bits)

1 Changed variable:

  [C] 'int var' was changed to 'long int var' at x.h:4:1:
    size of symbol changed from 4 to 8

1 function with some indirect sub-type change:

  [C] 'function int yaml_emitter_close(yaml_emitter_t*)' at dumper.c:86:1 has some indirect sub-type changes:
    parameter 1 of type 'yaml_emitter_t*' has sub-type changes:
      in pointed to type 'typedef yaml_emitter_t' at yaml.h:1769:1:
        underlying type 'struct yaml_emitter_s' at yaml.h:1527:1 changed:
          type size hasn't changed
          1 data member change:
            type of '__anonymous_struct__32* anchors' changed:
              in pointed to type 'struct {int references;}' at yaml.h:1530:1:
                entity changed from 'struct {int references;}' to compatible type 'typedef yaml_anchors_t' at yaml.h:1530:1
                  type name changed from '__anonymous_struct__32' to 'yaml_anchors_s'
                  type size hasn't changed
                  no data member changes (3 filtered);

1 Removed function symbol not referenced by debug info:

  [D] asm_helper
"""


def test_abidiff_report_is_read_by_name():
    parsed = truth.parse_abidiff(ABIDIFF)
    assert sorted(parsed["changed"]) == ["foo", "var"]
    assert parsed["benign"] == ["yaml_emitter_close"]
    assert sorted(parsed["removed"]) == ["asm_helper", "gone", "xmlBufInternal"]
    assert parsed["added"] == 1
    assert parsed["summary"][0].startswith("Functions changes summary")


def test_experimental_declarations_are_told_apart(tmp_path):
    (tmp_path / "z.h").write_text(
        "int stable(void);\n"
        "#if defined(ZSTD_STATIC_LINKING_ONLY) && !defined(ZSTD_H_ZSTD_STATIC_LINKING_ONLY)\n"
        "int experimental_fn(void); /* stable_in_comment */\n"
        "#ifdef OTHER\nint nested(void);\n#endif\n"
        "#endif\n"
        "#ifndef ZSTD_STATIC_LINKING_ONLY\nint plain(void);\n#else\nint guarded_else(void);\n#endif\n")
    public, experimental = truth.declared_names(str(tmp_path), ["ZSTD_STATIC_LINKING_ONLY"])
    assert {"stable", "plain"} <= public
    assert {"experimental_fn", "nested", "guarded_else"} <= experimental
    assert "stable_in_comment" not in public | experimental


def test_classification_counts_strict_only_as_unsafe_to_reuse():
    assert matrix.classify("strict-only", {"verdict": "reuse"}) == "unsafe"
    assert matrix.classify("safe", {"verdict": "rebuild"}) == "needless"
    assert matrix.classify("unsafe", {"verdict": "rebuild"}) == "ok"
    assert matrix.classify("safe", {"verdict": "timeout"}) == "timeout"
    pairs = [{"truth": "safe", "verdicts": {"c/exact/default": {"verdict": "reuse", "seconds": 1.0}}},
             {"truth": "safe", "verdicts": {"c/exact/default": {"verdict": "timeout", "seconds": 9.0}}},
             {"truth": "unsafe", "verdicts": {"c/exact/default": {"verdict": "reuse", "seconds": 3.0}}},
             {"truth": "strict-only", "verdicts": {"c/exact/default": {"verdict": "rebuild", "seconds": 2.0}}}]
    t = matrix.totals(pairs, {"checker": "c", "mode": "exact", "profile": "default"})
    assert (t["unsafe"], t["needless"], t["reused_safe"], t["safe"], t["timeout"]) == (1, 0, 1, 2, 1)
    assert (t["not_safe"], t["rebuilt_not_safe"]) == (2, 1)
    assert t["mean_seconds"] == 2.0


class _Tree:
    def __init__(self, root):
        self.root = str(root)

    def libraries(self):
        return ["usr/lib/libv.so.1"]


def _library(root, source, version_script=None):
    lib = root / "usr" / "lib"
    lib.mkdir(parents=True)
    (root / "v.c").write_text(source)
    argv = ["gcc", "-shared", "-fPIC", "-o", str(lib / "libv.so.1"), str(root / "v.c")]
    if version_script:
        (root / "v.map").write_text(version_script)
        argv.append("-Wl,--version-script=%s" % (root / "v.map"))
    res = procs.run(argv, 120)
    assert res.returncode == 0, res.stderr
    return _Tree(root)


def test_symbol_diff_follows_the_dynamic_linker(tmp_path):
    if not shutil.which("gcc") or not shutil.which("readelf"):
        pytest.skip("needs gcc and readelf")
    plain = _library(tmp_path / "a", "int foo(void){return 1;} int bar(void){return 2;}"
                     " int table[4];")
    # Versioning every symbol removes nothing an unversioned reference needs;
    # dropping bar and growing table does.
    versioned = _library(tmp_path / "b", "int foo(void){return 1;} int table[8];",
                         "V1 { global: foo; table; local: *; };")
    diff = truth.symbol_diff(plain, versioned)
    assert diff["removed"] == ["bar"]
    assert diff["resized"] == ["table"]
    # A versioned reference needs its version: renaming the node removes foo@V1.
    renamed = _library(tmp_path / "c", "int foo(void){return 1;} int table[8];",
                       "V2 { global: foo; table; local: *; };")
    assert truth.symbol_diff(versioned, renamed)["removed"] == ["foo@V1", "table@V1"]
