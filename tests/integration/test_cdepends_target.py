# SPDX-License-Identifier: MIT
#
# CDEPENDS on target recipes (packages, shlibs RDEPENDS, do_package_write_ipk),
# built offline with the test layer's target kit (docs/target-kit.md), on the
# fixtures in oeqa-tests/recipes-test/cdepends-target/:
#
#   sstmgmt-tgt-libs     parent: libtgtone + libtgttwo (packages libtgtone1, libtgttwo1)
#   sstmgmt-tgt-mid      CDEPENDS on the parent, uses libtgtone; a library itself (libtgtmid1)
#   sstmgmt-tgt-usetwo   CDEPENDS on the parent, uses libtgttwo; a program
#   sstmgmt-tgt-top      grandchild: plain DEPENDS on sstmgmt-tgt-mid
#
# One build directory, one real bitbake-hashserv and one cold build are shared
# by the whole module; the tests form a chain of parent changes, each asserted
# on the children's tasks run versus restored, their .ipk bytes and the
# Depends: of their control files. Run in file order.

import fnmatch
import glob
import os
import re
import sys
import time

import pytest

from sstmgmt_dev import buildenv, sources

sys.path.insert(0, os.path.join(os.path.dirname(sources.KAS_DIR), "oeqa-tests", "lib"))
from sstmgmt_kit import ipk  # noqa: E402

pytestmark = pytest.mark.target_kit

PARENT = "sstmgmt-tgt-libs"
MID = "sstmgmt-tgt-mid"
USETWO = "sstmgmt-tgt-usetwo"
TOP = "sstmgmt-tgt-top"
FIXTURES = [PARENT, MID, USETWO, TOP]
CHILDREN = [MID, USETWO]
# The sstate tasks of a target child besides do_cache_compatibility.
SSTATE_TASKS = ["do_populate_sysroot", "do_package", "do_packagedata", "do_package_qa",
                "do_package_write_ipk", "do_populate_lic"]
BUILT = {"do_configure", "do_compile", "do_install", "do_package", "do_populate_sysroot"}
NEVER = "marked as completed but now needing to rerun"
VARIANT_FILE = "sstmgmt-tgt-variant.inc"
ENABLE = 'INHERIT += "compatible-depends"'

# What each step did, printed at the end of the module (for the resolution note).
LOG = []


class Target:
    """The shared target build: a build directory with the kit, a hash server, what the chain saw."""

    def __init__(self, build, hashserv, release):
        self.build = build
        self.release = release
        self.hashserv = hashserv
        self.ipks = {}        # step -> {package: bytes}
        self.controls = {}    # step -> {package: control fields}

    def config(self, build=None):
        build = build or self.build
        build.write_config('%s\nBB_HASHSERVE = "%s"\nSSTATE_DIR = "%s"\n'
                           % (ENABLE, self.hashserv.addr, self.build.sstate_dir))

    def variant(self, name, pv="1.0", extra="", build=None):
        """Select the parent's change; only the fixtures read this file, so only they are reparsed."""
        build = build or self.build
        build._write(os.path.join(build.topdir, "conf", VARIANT_FILE),
                     'SSTMGMT_TGT_VARIANT ?= "%s"\nSSTMGMT_TGT_PV ?= "%s"\n%s' % (name, pv, extra))

    def bitbake(self, step, *args, build=None):
        build = build or self.build
        start = time.monotonic()
        res = build.bitbake(*(args or FIXTURES))
        assert NEVER not in res.output, res.output[-5000:]
        parsed = re.search(r"Parsing of \d+ .bb files complete \((\d+) cached, (\d+) parsed\)", res.output)
        LOG.append(("%s [%s]" % (step, "%s cached, %s parsed" % parsed.groups() if parsed else "no parse"),
                    time.monotonic() - start, {pn: (res.ran_for(pn), res.setscene_for(pn)) for pn in FIXTURES}))
        self.write_report()
        return res

    def write_report(self):
        """<build>/target-scenarios.txt, rewritten after every step (so that an
        interrupted run keeps what it saw)."""
        with open(os.path.join(self.build.topdir, "target-scenarios.txt"), "w") as f:
            f.write(scenario_report(self))

    def record(self, step, build=None):
        """The fixtures' .ipk files (bytes and control fields) as deployed now."""
        build = build or self.build
        paths = glob.glob(os.path.join(build.tmpdir, "deploy", "ipk", "*", "*.ipk"))
        ours = {}
        for path in paths:
            fields = ipk.control(path)
            if fields.get("Source", "").startswith("sstmgmt-tgt-"):
                with open(path, "rb") as f:
                    ours[fields["Package"]] = (f.read(), fields)
        self.ipks[step] = {p: v[0] for p, v in ours.items()}
        self.controls[step] = {p: v[1] for p, v in ours.items()}
        self.write_report()
        return self.controls[step]


def depends(controls, package):
    return [e for e in ipk.depends(controls[package]) if not e[0].startswith("sstmgmt-hosttc-")]


# What happened to each sstate task of a recipe in one build: "ran", "restored" (its
# setscene task succeeded) or "-" (neither: its earlier output stands).
RAN, RESTORED, NONE = "ran", "restored", "-"


def task_states(res, pn, tasks):
    ran, restored = set(res.ran_for(pn)), set(res.setscene_for(pn))
    return {t: RAN if t in ran else RESTORED if t in restored else NONE for t in tasks}


def expect(res, **expected):
    """Assert the state of every sstate task of each named recipe at once, so that a
    failure shows the whole picture. expected: {recipe key: {task: state}}."""
    names = {"parent": PARENT, "mid": MID, "usetwo": USETWO, "top": TOP}
    actual = {key: task_states(res, names[key], list(want)) for key, want in expected.items()}
    assert actual == expected, "\n".join("%s: %s" % (names[k], actual[k]) for k in actual)


def states(compat, **tasks):
    """{task: state} over the compat task (compat=None: a recipe without one) and SSTATE_TASKS,
    every task at `default` unless named."""
    default = tasks.pop("default")
    result = {} if compat is None else {"do_cache_compatibility": compat}
    result.update({t: tasks.get(t[3:], default) for t in SSTATE_TASKS})
    return result


# A CDEPENDS child after a compatible parent change: the compat task runs, its
# report maps back, and the child's outputs are restored (do_package's own
# output is only needed to make the ones below it, which are all restored).
# do_populate_lic does not depend on the compat task, so its stamp stands.
REUSED = states(RAN, default=RESTORED, package=NONE, populate_lic=NONE)
# Rebuilt: everything but do_populate_lic runs.
REBUILT = states(RAN, default=RAN, populate_lic=NONE)
UNTOUCHED = states(NONE, default=NONE)
# The grandchild has no compat task.
TOP_REBUILT = states(None, default=RAN, populate_lic=NONE)
# A grandchild whose consumer is reused: its hashes also start out provisional
# (new), so its installed outputs are removed as stale and, once the consumer's
# unihash maps back, restored from the same sstate objects; nothing runs.
TOP_RESTORED = states(None, default=RESTORED, package=NONE, populate_lic=NONE)


def assert_rebuilt(res, pn):
    assert BUILT | {"do_cache_compatibility"} <= set(res.ran_for(pn)), (pn, res.ran_for(pn), res.setscene_for(pn))


def scenario_report(target):
    """What each step did: the fixtures' tasks run and restored, and the Depends: of their
    packages (for the resolution note; also written to <build>/target-scenarios.txt)."""
    lines = []
    for step, duration, tasks in LOG:
        lines.append("== %s (%.0f s)" % (step, duration))
        for pn, (ran, restored) in tasks.items():
            lines.append("  %-20s ran:      %s" % (pn, " ".join(ran) or "-"))
            lines.append("  %-20s restored: %s" % ("", " ".join(restored) or "-"))
    for step, controls in target.controls.items():
        lines.append("== packages after %s" % step)
        for pkg in sorted(controls):
            if pkg.endswith(("-dbg", "-src", "-dev")):
                continue
            fields = controls[pkg]
            lines.append("  %-22s %-8s Depends: %s" % (pkg, fields.get("Version", ""), fields.get("Depends", "")))
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def target(request):
    release = request.config.getoption("--release")
    try:
        build = buildenv.prepare("pytest-target", release=release, target_kit=True)
    except buildenv.BuildEnvError as e:
        pytest.fail(str(e), pytrace=False)
    root = os.path.join(os.path.dirname(build.topdir), buildenv.work_name("target-hashserv"))
    with buildenv.HashServer(build, root) as server:
        t = Target(build, server, release)
        t.config()
        t.variant("base")
        # A fresh start for the fixtures (their sstate objects, stamps and
        # deployed packages); the kit's own recipes come from sstate.
        # cleansstate only removes the objects of the current PV: those of
        # the PV-bump step of an earlier run go by name.
        t.bitbake("cleansstate", "-c", "cleansstate", *FIXTURES)
        for dirpath, _dirs, files in os.walk(build.sstate_dir):
            for name in fnmatch.filter(files, "sstate:sstmgmt-tgt-*"):
                os.unlink(os.path.join(dirpath, name))
        yield t
        print(scenario_report(t))
        assert server.alive(), "bitbake-hashserv died during the tests; see %s" % server.log


def _sigdata(build, pn):
    """{task: sigdata path} of pn in the stamps directory (exactly one per task)."""
    sigs = {}
    for path in glob.glob(os.path.join(build.tmpdir, "stamps", "*", pn, "*.sigdata.*")):
        m = re.match(r".*\.(do_[a-z_]+)\.sigdata\.[0-9a-f]{64}$", os.path.basename(path))
        assert m, path
        assert m.group(1) not in sigs, "two sigdata files for %s:%s: %s %s" % (pn, m.group(1), sigs[m.group(1)], path)
        sigs[m.group(1)] = path
    return sigs


def test_target_child_signatures_see_the_parent_only_through_the_compat_task(target):
    """`bitbake -S none` right after cleansstate: one sigdata per task of each child. The
    children's tasks, do_package and do_package_write_ipk included, depend on the
    parent only through do_cache_compatibility."""
    build = target.build
    target.bitbake("bitbake -S none", "-S", "none", MID, USETWO)
    for pn in CHILDREN:
        sigs = _sigdata(build, pn)
        assert {"do_cache_compatibility", "do_package", "do_package_write_ipk", "do_packagedata"} <= set(sigs), sorted(sigs)
        for task, path in sorted(sigs.items()):
            rc, text = build.run(["bitbake-dumpsig", path], check=True)
            deps = text.split("Tasks this task depends on:", 1)[1].split("\n", 1)[0]
            if task == "do_cache_compatibility":
                assert re.search(PARENT + r"[^']*:do_populate_sysroot", deps), deps
            else:
                assert PARENT not in deps, (pn, task, deps)


@pytest.fixture(scope="module")
def cold(target):
    res = target.bitbake("cold build (base)")
    for pn in FIXTURES:
        assert BUILT <= set(res.ran_for(pn)), (pn, res.ran_for(pn))
    built = states(RAN, default=RAN)
    expect(res, mid=built, usetwo=built, top=states(None, default=RAN))
    controls = target.record("base")
    # shlibs: each consumer depends on the SONAME package of the library it links.
    assert depends(controls, "libtgtmid1") == [("libtgtone1", ">=", "1.0")], controls["libtgtmid1"]
    assert depends(controls, USETWO) == [("libtgttwo1", ">=", "1.0")], controls[USETWO]
    assert depends(controls, TOP) == [("libtgtmid1", ">=", "1.0")], controls[TOP]
    return res


def assert_satisfiable(controls, package):
    """Every Depends: entry of `package` on a fixture package is met by the deployed one."""
    for name, op, wanted in depends(controls, package):
        assert name in controls, "%s depends on %s, which no longer exists" % (package, name)
        assert ipk.version_satisfies(controls[name]["Version"], op, wanted), \
            "%s: %s (%s %s) is not met by %s" % (package, name, op, wanted, controls[name]["Version"])


def test_body_change_reuses_consumers_in_full(target, cold):
    target.variant("body")
    res = target.bitbake("body-only change in both libraries")
    assert BUILT <= set(res.ran_for(PARENT)), res.ran_for(PARENT)
    # The grandchild's inputs (libtgtmid's unihashes) did not change: restored, not run.
    expect(res, mid=REUSED, usetwo=REUSED, top=TOP_RESTORED)
    controls = target.record("body")
    before, after = target.ipks["base"], target.ipks["body"]
    for pkg in ("libtgtmid1", USETWO, TOP):
        assert after[pkg] == before[pkg], "%s.ipk changed" % pkg
    for pkg in ("libtgtone1", "libtgttwo1"):
        assert after[pkg] != before[pkg], "the parent's %s.ipk is not new" % pkg
    assert controls["libtgtmid1"] == target.controls["base"]["libtgtmid1"]
    for pkg in ("libtgtmid1", USETWO, TOP):
        assert_satisfiable(controls, pkg)


def test_second_builder_restores_consumers_and_gets_the_new_parent(target, cold):
    """Another build directory sharing SSTATE_DIR and the hash server, at the same parent."""
    target.variant("body")
    target.bitbake("body (first builder, up to date)")
    target.record("body")
    second = buildenv.prepare("pytest-target-second", release=target.release, target_kit=True)
    second.wipe_tmpdir()
    target.config(second)
    target.variant("body", build=second)
    res = target.bitbake("second build directory (body)", build=second)
    # Nothing runs; everything is restored, the children's compat tasks included:
    # the parent's new packages (its output changed) and the children's from their
    # base build (through the compat task's equivalence the first builder reported).
    for pn in FIXTURES:
        assert res.ran_for(pn) == [], (pn, res.ran_for(pn))
    restored = states(RESTORED, default=RESTORED, package=NONE)
    expect(res, mid=restored, usetwo=restored, top=states(None, default=RESTORED, package=NONE))
    got = target.record("second", build=second)
    assert target.ipks["second"]["libtgtone1"] == target.ipks["body"]["libtgtone1"], "not the parent's new package"
    assert target.ipks["second"]["libtgtone1"] != target.ipks["base"]["libtgtone1"]
    assert target.ipks["second"]["libtgtmid1"] == target.ipks["base"]["libtgtmid1"]
    assert got[USETWO] == target.controls["base"][USETWO]
    assert_satisfiable(got, "libtgtmid1")


def test_change_in_the_other_library_reuses_its_nonuser(target, cold):
    """libtgttwo loses a function: sstmgmt-tgt-mid (libtgtone only) is reused,
    sstmgmt-tgt-usetwo is rebuilt."""
    target.variant("two")
    res = target.bitbake("libtgttwo only (function removed)")
    assert BUILT <= set(res.ran_for(PARENT)), res.ran_for(PARENT)
    expect(res, mid=REUSED, usetwo=REBUILT, top=TOP_RESTORED)
    controls = target.record("two")
    assert target.ipks["two"]["libtgtmid1"] == target.ipks["base"]["libtgtmid1"]
    assert depends(controls, USETWO) == [("libtgttwo1", ">=", "1.0")]


def test_reused_consumer_depends_stay_satisfiable_after_a_version_bump(target, cold):
    """The parent moves to PV 1.1 with a compatible change. The reused consumer keeps the
    Depends: of its build against 1.0, "libtgtone1 (>= 1.0)", which the new libtgtone1 1.1-r0
    satisfies; a rebuild would have written (>= 1.1)."""
    target.variant("body", pv="1.1")
    res = target.bitbake("compatible change with PV 1.0 -> 1.1")
    assert BUILT <= set(res.ran_for(PARENT)), res.ran_for(PARENT)
    expect(res, mid=REUSED, usetwo=REUSED, top=TOP_RESTORED)
    controls = target.record("pv-1.1")
    assert controls["libtgtone1"]["Version"] == "1.1-r0"
    assert target.ipks["pv-1.1"]["libtgtmid1"] == target.ipks["base"]["libtgtmid1"]
    deps = depends(controls, "libtgtmid1")
    assert deps == [("libtgtone1", ">=", "1.0")], deps
    assert_satisfiable(controls, "libtgtmid1")
    assert_satisfiable(controls, USETWO)


# Incompatible changes of libtgtone, in this order, each from the previous one's parent.
INCOMPATIBLE = ["removed", "datasize", "soname"]


@pytest.mark.parametrize("name", INCOMPATIBLE)
def test_incompatible_change_rebuilds_consumer_and_grandchild(target, cold, name):
    """A removed symbol, a resized data object and a SONAME bump in libtgtone rebuild
    sstmgmt-tgt-mid. The grandchild is rebuilt too, even when libtgtmid's own bytes
    did not change: target_add_sysroot_deps (staging.bbclass) puts the parent's unihash
    into the output hash of libtgtmid's do_populate_sysroot and do_package."""
    target.variant(name)
    res = target.bitbake("libtgtone: %s" % name)
    assert BUILT <= set(res.ran_for(PARENT)), (name, res.ran_for(PARENT))
    expect(res, mid=REBUILT, usetwo=REUSED, top=TOP_REBUILT)
    controls = target.record(name)
    if name != "soname":
        # libtgtmid uses neither the removed function nor the table: rebuilt, it
        # depends on the same package with the same bound.
        assert depends(controls, "libtgtmid1") == [("libtgtone1", ">=", "1.0")], controls["libtgtmid1"]
    else:
        # The SONAME bump renames the library package; the rebuilt consumer names the new one.
        assert "libtgtone2" in controls and "libtgtone1" not in controls, sorted(controls)
        assert depends(controls, "libtgtmid1") == [("libtgtone2", ">=", "1.0")], controls["libtgtmid1"]
    assert_satisfiable(controls, "libtgtmid1")
    assert_satisfiable(controls, TOP)


MID_PACKAGES = 'SSTMGMT_TGT_MID_PACKAGES = "libtgtone sstmgmt-tgt-libs-dev"\n'


def test_packages_judge_what_the_parent_ships(target, cold):
    """CDEPENDS_PACKAGES: libtgtone's package also ships etc/tgtone.conf, which the target
    sysroot does not stage. Judged by its sysroot files, sstmgmt-tgt-mid misses a change
    of it; judged by the parent's packages (libtgtone, -dev), it sees it, and still
    reuses on a body-only change."""
    target.variant("conf")
    res = target.bitbake("conf file only, consumer judged by the sysroot")
    assert BUILT <= set(res.ran_for(PARENT)), res.ran_for(PARENT)
    # What the parent stages is the base build's again (the chain ended with a SONAME
    # bump; the conf file is not staged): the parent's do_populate_sysroot unihash
    # maps back to the base one, so even the consumers' compat tasks are restored,
    # with everything after them.
    restored = states(RESTORED, default=RESTORED, package=NONE, populate_lic=NONE)
    expect(res, mid=restored, usetwo=restored, top=TOP_RESTORED)

    # Switching to packages changes the compat task's configuration: the report is new.
    target.variant("conf", extra=MID_PACKAGES)
    res = target.bitbake("consumer judged by packages (conf)")
    assert res.ran_for(PARENT) == [], res.ran_for(PARENT)
    assert_rebuilt(res, MID)
    expect(res, usetwo=UNTOUCHED)
    target.record("packages-conf")
    report = glob.glob(os.path.join(target.build.tmpdir, "work", "*", MID, "*", "temp", MID + ".cdepends-report"))
    assert len(report) == 1, report
    with open(report[0]) as f:
        text = f.read()
    assert "etc/tgtone.conf" in text and "usr/include/tgtone.h" in text, text[:3000]

    # (sstmgmt-tgt-usetwo: the parent stages what it staged at the body-only step,
    # so its compat task is restored from there.)
    target.variant("conf body", extra=MID_PACKAGES)
    res = target.bitbake("body-only change, consumer judged by packages")
    assert BUILT <= set(res.ran_for(PARENT)), res.ran_for(PARENT)
    expect(res, mid=REUSED, usetwo=states(RESTORED, default=RESTORED, package=NONE, populate_lic=NONE))
    target.record("packages-conf-body")
    assert target.ipks["packages-conf-body"]["libtgtmid1"] == target.ipks["packages-conf"]["libtgtmid1"]

    # Only the packaged conf file changes back: judged by packages, the consumer is
    # rebuilt (its own packaging may then map back to an earlier output by hash
    # equivalence, as in the switch above); the other consumer runs nothing.
    # (The parent at "body" is restored from the body-only step's sstate.)
    target.variant("body", extra=MID_PACKAGES)
    res = target.bitbake("conf file only, consumer judged by packages")
    assert res.ran_for(PARENT) == [], res.ran_for(PARENT)
    assert_rebuilt(res, MID)
    assert res.ran_for(USETWO) == [], res.ran_for(USETWO)
    target.record("packages-body")


@pytest.mark.parametrize("packages,message", [
    ("libtgtone-nope", r"CDEPENDS_PACKAGES\[sstmgmt-tgt-libs\] names the package libtgtone-nope, which "
                       r"sstmgmt-tgt-libs did not write \(it wrote: .*libtgtone1"),
    ("libtgtone sstmgmt-tgt-libs-dbg", r"CDEPENDS_PACKAGES\[sstmgmt-tgt-libs\] names sstmgmt-tgt-libs-dbg: "
                                       r"debug information changes"),
])
def test_bad_packages_are_named(target, cold, packages, message):
    target.variant("base", extra='SSTMGMT_TGT_MID_PACKAGES = "%s"\n' % packages)
    res = target.build.bitbake(MID, check=False)
    assert res.returncode != 0, res.output[-3000:]
    assert re.search(message, res.output), res.output[-5000:]
    assert "Traceback" not in res.output, res.output[-5000:]
