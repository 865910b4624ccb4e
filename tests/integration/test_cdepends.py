# SPDX-License-Identifier: MIT
#
# CDEPENDS with real BitBake and OE-Core: which child tasks ran and
# which were restored from sstate when the parent changes, on the fixtures in
# oeqa-tests/recipes-test/cdepends/. Scenarios that share a chain of builds are
# grouped in one test to keep the number of parses and builds low.

import glob
import os
import re

import pytest

from sstmgmt_dev import buildenv

ENABLE = 'INHERIT += "compatible-depends"'
LIB = "sstmgmt-cdep-lib-native"
APP = "sstmgmt-cdep-app-native"
TWO = "sstmgmt-cdep-two-native"
USESONE = "sstmgmt-cdep-usesone-native"
REBUILT = {"do_configure", "do_compile", "do_install", "do_populate_sysroot"}
NEVER = "marked as completed but now needing to rerun"


def bitbake(build, *args, **kwargs):
    res = build.bitbake(*args, **kwargs)
    assert NEVER not in res.output, res.output[-5000:]
    return res


VARIANT_FILE = "sstmgmt-cdep-variant.inc"


def set_variant(build, name, extra=""):
    """Select the parents' change (and ``extra`` fixture settings). Only the
    fixture recipes include this file, so changing it reparses them alone,
    not all of OE-Core."""
    build._write(os.path.join(build.topdir, "conf", VARIANT_FILE),
                 'SSTMGMT_CDEP_VARIANT ?= "%s"\n%s' % (name, extra))


def variant(build, name, extra=""):
    build.write_config("%s\n%s" % (ENABLE, extra))
    set_variant(build, name)


@pytest.fixture(autouse=True)
def base_variant(build):
    set_variant(build, "base")
    yield
    set_variant(build, "base")


def assert_reused(res, pn):
    """Only the compat task ran; the child's output came from sstate."""
    assert res.ran_for(pn) == ["do_cache_compatibility"], (pn, res.ran_for(pn), res.setscene_for(pn))
    assert "do_populate_sysroot" in res.setscene_for(pn), (pn, res.setscene_for(pn))


def assert_rebuilt(res, pn):
    assert REBUILT <= set(res.ran_for(pn)), (pn, res.ran_for(pn), res.setscene_for(pn))
    assert "do_cache_compatibility" in res.ran_for(pn)


def component_file(build, pn, rel):
    paths = glob.glob(os.path.join(build.tmpdir, "sysroots-components", "*", pn, rel))
    assert len(paths) == 1, (pn, rel, paths)
    with open(paths[0], "rb") as f:
        return f.read()


def report(build, pn):
    paths = glob.glob(os.path.join(build.tmpdir, "work", "*", pn, "*", "temp", pn + ".cdepends-report"))
    assert len(paths) == 1, paths
    with open(paths[0]) as f:
        return f.read()


def test_compatible_change_reuses_child_incompatible_rebuilds(clean_build):
    build = clean_build
    variant(build, "base")
    first = bitbake(build, APP, USESONE)
    for pn in (APP, USESONE):
        assert_rebuilt(first, pn)
    assert "symbol: cdepfoo_greeting FUNC GLOBAL" in report(build, APP)
    # Headers are judged as the child's ${CPP} sees them.
    assert "header: usr/include/cdepfoo.h preprocessed=" in report(build, APP)
    assert "cdeptwo" not in report(build, USESONE), "globs must restrict the report to libcdepone"

    # Body-only change: the parent is rebuilt, the child only re-checks.
    variant(build, "body")
    res = bitbake(build, APP)
    assert REBUILT <= set(res.ran_for(LIB)), res.ran_for(LIB)
    assert_reused(res, APP)
    assert "do_compile" not in res.ran_for(APP)
    # The parent's new library is what is staged.
    assert b"body fixed" in component_file(build, LIB, "usr/lib/libcdepfoo.so.1")

    # A change confined to the library the child does not use.
    variant(build, "unused")
    res = bitbake(build, USESONE)
    assert REBUILT <= set(res.ran_for(TWO)), res.ran_for(TWO)
    assert_reused(res, USESONE)
    assert b"cdeptwo_extra" not in component_file(build, TWO, "usr/lib/libcdeptwo.so.1")

    # Changes the child can see rebuild it.
    for name, evidence in (("header", "header: usr/include/cdepfoo.h"),
                           ("removed", None),
                           ("soname", "soname: libcdepfoo.so.2"),
                           ("datasize", "symbol: cdepfoo_table OBJECT GLOBAL size=32")):
        variant(build, name)
        res = bitbake(build, APP)
        assert REBUILT <= set(res.ran_for(LIB)), (name, res.ran_for(LIB))
        assert_rebuilt(res, APP)
        text = report(build, APP)
        if evidence:
            assert evidence in text, (name, text)
        if name == "removed":
            assert "cdepfoo_extra" not in text, text

    # No change at all: nothing runs, nothing is restored.
    res = bitbake(build, APP)
    assert res.ran_for(APP) == [] and res.ran_for(LIB) == [], res


def test_release_metadata_alone_reuses_the_child_unless_strict(clean_build):
    """A release that changes only its version (a version macro, the .pc
    Version:) reuses the child; CDEPENDS_RELEASE_METADATA[parent] = "strict"
    enters the compat task's signature and rebuilds on a version change."""
    build = clean_build
    variant(build, "base")
    assert_rebuilt(bitbake(build, APP), APP)
    assert "release-metadata: ignore" in report(build, APP)
    variant(build, "release")
    res = bitbake(build, APP)
    assert REBUILT <= set(res.ran_for(LIB)), res.ran_for(LIB)
    assert_reused(res, APP)
    assert b'"1.1.0"' in component_file(build, LIB, "usr/include/cdepfoo.h")

    strict = 'CDEPENDS_RELEASE_METADATA[%s] = "strict"' % LIB
    variant(build, "release", strict)
    res = bitbake(build, APP)
    # Only the switch changed: the parent is not rebuilt, the compat task re-runs.
    assert res.ran_for(LIB) == [], res.ran_for(LIB)
    assert_rebuilt(res, APP)
    assert "release-metadata: strict" in report(build, APP)
    variant(build, "base", strict)
    res = bitbake(build, APP)
    assert_rebuilt(res, APP)


def test_superset_child_uses_scope(clean_build):
    """CDEPENDS_SCOPE = "child-uses": superset mode judges only what the
    child's sources reach. app.c uses cdepfoo_greeting only (and the shared
    Makefile, comments included, names no other declaration), so a struct it never
    names may change; a removed exported symbol still rebuilds (the ELF
    interface is not scoped)."""
    build = clean_build
    build.write_config(ENABLE)
    scoped = 'CDEPENDS_MODE = "superset"\nCDEPENDS_SCOPE = "child-uses"\n'
    set_variant(build, "base", scoped)
    res = bitbake(build, APP)
    assert_rebuilt(res, APP)
    assert "do_patch" in res.ran_for(APP), res.ran_for(APP)
    # The use set was read from the unpacked, patched sources (app.c, Makefile).
    logs = glob.glob(os.path.join(build.tmpdir, "work", "*", APP, "*", "temp", "log.do_cache_compatibility"))
    assert len(logs) == 1, logs
    with open(logs[0]) as f:
        log = f.read()
    assert re.search(r"CDEPENDS scope child-uses: [1-9]\d* names in [1-9]\d* files", log), log
    baseline = report(build, APP)
    # A member inserted in struct cdepfoo_point: out of the child's reach.
    set_variant(build, "struct", scoped)
    res = bitbake(build, APP)
    assert REBUILT <= set(res.ran_for(LIB)), res.ran_for(LIB)
    assert_reused(res, APP)
    assert report(build, APP) == baseline, "the emitted report must be the baseline, byte for byte"
    # Unscoped superset mode rebuilds the same change.
    set_variant(build, "struct", 'CDEPENDS_MODE = "superset"\n')
    assert_rebuilt(bitbake(build, APP), APP)
    # A function removed from the library: the child never names it, but
    # the dynamic linker's view is never scoped.
    set_variant(build, "base", scoped)
    bitbake(build, APP)
    set_variant(build, "removed", scoped)
    res = bitbake(build, APP)
    assert_rebuilt(res, APP)


def test_parent_named_by_virtual_provider(clean_build):
    """CDEPENDS = "virtual/..." resolves to the providing recipe, in the
    signatures and in the compat task."""
    build = clean_build
    parent = 'SSTMGMT_CDEP_PARENT:pn-%s = "virtual/sstmgmt-cdepfoo-native"' % APP
    variant(build, "base", parent)
    res = bitbake(build, APP)
    assert REBUILT <= set(res.ran_for(LIB)), res.ran_for(LIB)
    assert_rebuilt(res, APP)
    assert "symbol: cdepfoo_greeting FUNC GLOBAL" in report(build, APP)
    variant(build, "body", parent)
    res = bitbake(build, APP)
    assert REBUILT <= set(res.ran_for(LIB)), res.ran_for(LIB)
    assert_reused(res, APP)
    variant(build, "datasize", parent)
    res = bitbake(build, APP)
    assert_rebuilt(res, APP)


def _sigdata(build, targets):
    """{(pn, task): sigdata path} of a fresh `bitbake -S none`."""
    build.wipe_tmpdir()
    bitbake(build, "-S", "none", *targets)
    sigs = {}
    for path in glob.glob(os.path.join(build.tmpdir, "stamps", "*", "*", "*.sigdata.*")):
        pn = os.path.basename(os.path.dirname(path))
        m = re.match(r".*\.(do_[a-z_]+)\.sigdata\.([0-9a-f]{64})$", os.path.basename(path))
        assert m, path
        sigs[(pn, m.group(1))] = (m.group(2), path)
    return sigs


def _dumpsig(build, path):
    rc, out = build.run(["bitbake-dumpsig", path], check=True)
    return out


def test_signatures(build):
    targets = ["sstmgmt-hello-native", "m4-native", "zlib-native", "quilt-native", LIB, TWO]
    build.write_config("")
    stock = _sigdata(build, targets)
    build.write_config(ENABLE)
    enabled = _sigdata(build, targets + [APP])
    # No CDEPENDS on these recipes: the feature changes none of their signatures.
    changed = sorted("%s:%s" % k for k in stock if stock[k][0] != enabled.get(k, (None,))[0])
    assert len(stock) > 50
    assert changed == [], "signatures changed by enabling CDEPENDS: %s" % changed
    # The child's tasks see the parent only through do_cache_compatibility.
    app_tasks = sorted(k[1] for k in enabled if k[0] == APP)
    assert "do_cache_compatibility" in app_tasks and "do_compile" in app_tasks, app_tasks
    for task in app_tasks:
        text = _dumpsig(build, enabled[(APP, task)][1])
        deps = text.split("Tasks this task depends on:", 1)[1].split("\n", 1)[0] if "Tasks this task depends on:" in text else ""
        if task == "do_cache_compatibility":
            assert LIB + ":do_populate_sysroot" in deps, deps
        else:
            assert LIB not in deps, (task, deps)


def _compat_config(build, path):
    """The value of CDEPENDS_CONFIG in a do_cache_compatibility sigdata."""
    m = re.search(r"^Variable CDEPENDS_CONFIG value is (.*)$", _dumpsig(build, path), re.M)
    assert m, path
    return m.group(1)


def test_settings_enter_the_compat_signature(build):
    """Changing a parent's checker or release metadata policy, by its
    per-parent flag (with the parent's name as written) or for every parent,
    changes the compat task's signature and nothing of the parent, so the
    task re-judges the parent."""
    build.write_config(ENABLE)
    runs = []
    for settings in ("", 'CDEPENDS_CHECKER[sstmgmt-cdep-two] = "checksum"\n', 'CDEPENDS_CHECKER = "checksum"\n',
                     'CDEPENDS_RELEASE_METADATA[sstmgmt-cdep-two] = "strict"\n'):
        set_variant(build, "base", settings)
        sigs = _sigdata(build, [USESONE])
        compat_hash, path = sigs[(USESONE, "do_cache_compatibility")]
        parent = dict((k, v[0]) for k, v in sigs.items() if k[0] == TWO)
        runs.append((compat_hash, _compat_config(build, path), parent))
    assert all(r[0] != runs[0][0] for r in runs[1:]), runs
    assert runs[0][2] and all(r[2] == runs[0][2] for r in runs)
    # The expanded text is what enters the signature (CDEPENDS_CONFIG[vardepvalue]);
    # a setting at its default is left out, so enabling it moved no signature.
    globs = "*/libcdepone.so*,*/include/cdepone.h"
    assert [r[1] for r in runs] == ["%s:%s:%s%s" % (TWO, checker, globs, extra)
                                    for checker, extra in (("elf-interface", ""), ("checksum", ""),
                                                           ("checksum", ""),
                                                           ("elf-interface", ":release-metadata=strict"))]


@pytest.fixture
def hashserv(build):
    """A bitbake-hashserv on a unix socket (no TCP port), shared by two build directories."""
    with buildenv.HashServer(build, os.path.join(os.path.dirname(build.topdir),
                                                   buildenv.work_name("shared-hashserv"))) as server:
        yield server.addr
        assert server.alive(), "bitbake-hashserv died during the test; see %s" % server.log


def test_second_build_dir_gets_new_parent_and_reuses_child(clean_build, hashserv):
    first = clean_build
    shared = 'BB_HASHSERVE = "%s"\nSSTATE_DIR = "%s"\n' % (hashserv, first.sstate_dir)
    variant(first, "base", shared)
    bitbake(first, APP)
    variant(first, "body", shared)
    res = bitbake(first, APP)
    assert_reused(res, APP)

    second = buildenv.prepare("pytest-second", release=first.release)
    second.wipe_tmpdir()
    variant(second, "body", shared)
    res = bitbake(second, APP)
    assert res.ran_for(APP) == [] and res.ran_for(LIB) == [], (res.ran_for(APP), res.ran_for(LIB))
    assert "do_populate_sysroot" in res.setscene_for(APP), res.setscene_for(APP)
    assert "do_populate_sysroot" in res.setscene_for(LIB), res.setscene_for(LIB)
    # The parent's fix is not lost: the second build stages the NEW library.
    new_lib = component_file(second, LIB, "usr/lib/libcdepfoo.so.1")
    assert b"body fixed" in new_lib
    assert new_lib == component_file(first, LIB, "usr/lib/libcdepfoo.so.1")


# The variant cases set the parent in the fixtures' include (only the fixtures
# are reparsed), the others in the configuration.
@pytest.mark.parametrize("config,fixture,args,expected", [
    ('SSTMGMT_CDEP_PLAIN = "0"', "", ["-p"], 'INHERIT += "compatible-depends"'),
    (ENABLE + '\nCDEPENDS_CHECKER:pn-%s = "nosuch"' % APP, "", ["-p"], "Set CDEPENDS_CHECKER"),
    (ENABLE + '\nCDEPENDS_RELEASE_METADATA:pn-%s = "lax"' % APP, "", ["-p"], "Set CDEPENDS_RELEASE_METADATA"),
    (ENABLE + '\nBB_SIGNATURE_HANDLER:forcevariable = "OEEquivHash"', "", ["-p"],
     "BB_SIGNATURE_HANDLER is \"OEEquivHash\""),
    (ENABLE + '\nSSTMGMT_CDEP_PARENT:pn-%s = "no-such-lib"' % APP, "", ["-n", APP], "Nothing PROVIDES 'no-such-lib'"),
    (ENABLE, 'SSTMGMT_CDEP_PARENT:pn-%s = "no-such-lib"' % USESONE, ["-n", USESONE],
     "Nothing PROVIDES 'no-such-lib-native'"),
    (ENABLE, 'SSTMGMT_CDEP_PARENT:pn-nativesdk-sstmgmt-cdep-usesone = "no-such-lib"',
     ["-n", "nativesdk-sstmgmt-cdep-usesone"], "Nothing PROVIDES 'nativesdk-no-such-lib'"),
    (ENABLE + '\nCDEPENDS_CHECKER:pn-%s = "abi-compliance-checker"' % APP, "", [APP], "add it to HOSTTOOLS_NONFATAL"),
], ids=["opt-in-missing", "unknown-checker", "unknown-release-metadata", "foreign-handler", "unknown-parent",
        "unknown-parent-native-variant", "unknown-parent-nativesdk-variant", "missing-tool"])
def test_bad_input_gives_one_clear_error(build, config, fixture, args, expected):
    build.write_config(config)
    set_variant(build, "base", fixture)
    res = build.bitbake(*args, check=False)
    assert res.returncode != 0
    # One ERROR line says what is wrong and how to fix it; nothing is a traceback.
    # (Without a terminal, BitBake's progress text may precede "ERROR:" on the line.)
    # Parser processes run in parallel, so when several recipes carry the same
    # mistake (opt-in-missing: the app and the usesone fixtures) each may get
    # its line before parsing halts; none is ever repeated.
    naming = [l for l in res.output.splitlines() if expected in l]
    assert naming, res.output[-4000:]
    assert all("ERROR: " in l.split(expected)[0] for l in naming), res.output[-4000:]
    assert len(naming) == len(set(l[l.index("ERROR: "):] for l in naming)), res.output[-4000:]
    assert "Traceback" not in res.output, res.output[-4000:]
    if expected.startswith("Nothing PROVIDES"):
        # BitBake's own line is amended with the variable, the name as
        # written, how the variant mapped it (as DEPENDS), and the fix.
        child, missing = args[1], expected.split("'")[1]
        mapped = "" if missing == "no-such-lib" else " (mapped to '%s' for its %s variant)" % (
            missing, "nativesdk" if child.startswith("nativesdk-") else "native")
        hint = "%s lists 'no-such-lib' in CDEPENDS%s, but no recipe provides it" % (child, mapped)
        assert hint in res.output, res.output[-4000:]
        assert "correct the name in CDEPENDS" in res.output, res.output[-4000:]


# -- ABI checkers through BitBake ---------------------------------------------

# Tasks see only HOSTTOOLS; the ABI tools come from the host.
ABI_TOOLS = 'HOSTTOOLS_NONFATAL += "abidw abidiff abi-compliance-checker"'
NO_DWARF = "no DWARF debug info"


def abi_variant(build, name, checker="abidiff", mode="exact", debuginfo=True, extra=""):
    """The parent's change plus the checker settings, all in the fixtures'
    include (switching them reparses the fixtures only)."""
    build.write_config("%s\n%s" % (ENABLE, ABI_TOOLS))
    set_variant(build, name, 'CDEPENDS_CHECKER = "%s"\nCDEPENDS_MODE = "%s"\nSSTMGMT_CDEP_DEBUGINFO = "%s"\n%s'
                % (checker, mode, "1" if debuginfo else "0", extra))


def warnings(res, text):
    return [l for l in res.output.splitlines() if text in l and "WARNING:" in l]


def test_abidiff_exact_and_superset(clean_build):
    build = clean_build
    # Without debug info: one warning, elf-interface judges the library.
    abi_variant(build, "base", debuginfo=False)
    res = bitbake(build, APP)
    assert_rebuilt(res, APP)
    assert len(warnings(res, NO_DWARF)) == 1, res.output[-4000:]
    assert "note: no debug info, judged by elf-interface only" in report(build, APP)

    # cdepends-debuginfo on the parent: its staged library keeps DWARF.
    abi_variant(build, "base")
    res = bitbake(build, APP)
    assert REBUILT <= set(res.ran_for(LIB)), res.ran_for(LIB)
    assert_rebuilt(res, APP)
    assert not warnings(res, NO_DWARF), res.output[-4000:]
    text = report(build, APP)
    assert "abi-xml: sha256=" in text and "no debug info" not in text, text
    assert '<class-decl name="cdepfoo_point"' in text, text

    # Exact mode: a body-only change is reused, an added function and a
    # changed struct rebuild the child.
    abi_variant(build, "body")
    assert_reused(bitbake(build, APP), APP)
    abi_variant(build, "added")
    res = bitbake(build, APP)
    assert_rebuilt(res, APP)
    assert "cdepfoo_added" in report(build, APP)
    abi_variant(build, "struct")
    res = bitbake(build, APP)
    assert_rebuilt(res, APP)
    assert '<var-decl name="z"' in report(build, APP)

    # Superset mode: the first build records the baseline (a full report);
    # an added function then reuses the child built against it, a changed
    # struct rebuilds it.
    abi_variant(build, "base", mode="superset")
    res = bitbake(build, APP)
    assert_rebuilt(res, APP)
    baseline = report(build, APP)
    assert "mode: superset" in baseline
    stored = glob.glob(os.path.join(build.sstate_dir, "cdepends-baseline", APP, "*.report"))
    assert len(stored) == 1, stored
    abi_variant(build, "added", mode="superset")
    res = bitbake(build, APP)   # the parent's "added" build comes from sstate (exact mode built it)
    assert_reused(res, APP)
    assert report(build, APP) == baseline, "the emitted report must be the baseline, byte for byte"
    # The parent's new library is what is staged; only the edge was judged.
    assert b"cdepfoo_added" in component_file(build, LIB, "usr/lib/libcdepfoo.so.1")

    # Safety net: the child's sstate objects are gone while the report is
    # canonicalised to the baseline. Building the child now would store a
    # build against the new parent under the baseline's hashes; the guard
    # refuses once, drops the baseline and taints the compat task, and the
    # next build rebuilds the child against the full report.
    build.wipe_tmpdir()
    gone = glob.glob(os.path.join(build.sstate_dir, "**", "sstate:%s:*" % APP), recursive=True)
    assert any("_populate_sysroot" in p for p in gone), gone
    for path in gone:
        os.unlink(path)
    res = build.bitbake(APP, check=False)
    assert res.returncode != 0
    assert [l for l in res.output.splitlines() if "canonicalised to a superset baseline" in l], res.output[-4000:]
    assert "do_compile" not in res.ran_for(APP), res.ran_for(APP)
    res = bitbake(build, APP)
    assert_rebuilt(res, APP)
    assert "cdepfoo_added" in report(build, APP)

    abi_variant(build, "struct", mode="superset")
    res = bitbake(build, APP)
    assert_rebuilt(res, APP)
    assert '<var-decl name="z"' in report(build, APP)


def test_abi_compliance_checker_body_reused_struct_rebuilt(clean_build):
    build = clean_build
    abi_variant(build, "base", checker="abi-compliance-checker", debuginfo=False)
    res = bitbake(build, APP)
    assert_rebuilt(res, APP)
    assert "acc-dump: sha256=" in report(build, APP)
    # Its own files (descriptor, dump, logs) are kept next to the task logs.
    assert glob.glob(os.path.join(build.tmpdir, "work", "*", APP, "*", "temp", "acc-%s" % LIB, "abi.dump"))
    abi_variant(build, "body", checker="abi-compliance-checker", debuginfo=False)
    assert_reused(bitbake(build, APP), APP)
    abi_variant(build, "struct", checker="abi-compliance-checker", debuginfo=False)
    assert_rebuilt(bitbake(build, APP), APP)


def test_suppressions_enter_the_report(clean_build):
    build = clean_build
    supp = 'CDEPENDS_SUPPRESSIONS[%s] = "cdepfoo.abignore"\n' % LIB
    abi_variant(build, "base", extra=supp)
    res = bitbake(build, APP)
    assert_rebuilt(res, APP)
    text = report(build, APP)
    assert "suppressions: cdepfoo.abignore sha256=" in text, text
    # drop = true: abidw leaves the suppressed function out of the ABI XML
    # (elf-interface still lists its symbol).
    xml = text.split("abi-xml:", 1)[1]
    assert "cdepfoo_extra" not in xml.split("<abi-instr", 1)[1], text
    assert "symbol: cdepfoo_extra FUNC GLOBAL" in text

    # The file's contents are part of the compat task's signature: editing it
    # (here: the function is no longer suppressed) re-judges the parent and,
    # since the ABI the child sees grew, rebuilds the child.
    own = os.path.join(build.topdir, "conf", "sstmgmt-test.abignore")
    with open(os.path.join(os.path.dirname(__file__), "..", "..", "oeqa-tests", "recipes-test", "cdepends",
                           "files", "cdepfoo.abignore")) as f:
        build._write(own, f.read())
    supp = 'CDEPENDS_SUPPRESSIONS[%s] = "%s"\n' % (LIB, own)
    abi_variant(build, "base", extra=supp)
    bitbake(build, APP)
    build._write(own, "[suppress_function]\n  symbol_name = no_such_function\n  drop = true\n")
    res = bitbake(build, APP)
    assert "do_cache_compatibility" in res.ran_for(APP), (res.ran_for(APP), res.setscene_for(APP))
    assert_rebuilt(res, APP)
    xml = report(build, APP).split("abi-xml:", 1)[1]
    assert "cdepfoo_extra" in xml.split("<abi-instr", 1)[1]


@pytest.mark.parametrize("extra,expected", [
    ('CDEPENDS_MODE[%s] = "supreset"\n' % LIB, 'Set CDEPENDS_MODE (or CDEPENDS_MODE[%s])' % LIB),
    ('CDEPENDS_CHECKER = "abidiff"\nCDEPENDS_SUPPRESSIONS[%s] = "no-such.abignore"\n' % LIB,
     'CDEPENDS_SUPPRESSIONS[%s] names "no-such.abignore", which does not exist' % LIB),
    ('CDEPENDS_SUPPRESSIONS[%s] = "cdepfoo.abignore"\n' % LIB,
     'Set CDEPENDS_CHECKER[%s] = "abidiff" or remove' % LIB),
    ('CDEPENDS_CHECKER = "checksum"\nCDEPENDS_MODE = "superset"\n', 'has no superset mode'),
    ('CDEPENDS_MODE = "superset"\nCDEPENDS_TASK_ORDER = "early"\n', 'needs CDEPENDS_TASK_ORDER = "late"'),
], ids=["unknown-mode", "missing-suppression-file", "suppressions-wrong-checker", "superset-checksum",
        "superset-early"])
def test_bad_abi_settings_give_one_clear_error(build, extra, expected):
    # The settings go into the fixtures' include: only they are reparsed.
    build.write_config(ENABLE)
    set_variant(build, "base", extra)
    res = build.bitbake("-p", check=False)
    assert res.returncode != 0
    naming = [l for l in res.output.splitlines() if expected in l]
    assert naming, res.output[-4000:]
    assert all("ERROR: " in l.split(expected)[0] for l in naming), res.output[-4000:]
    assert len(naming) == len(set(l[l.index("ERROR: "):] for l in naming)), res.output[-4000:]
    assert "Traceback" not in res.output, res.output[-4000:]
