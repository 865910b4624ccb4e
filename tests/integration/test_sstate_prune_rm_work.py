# SPDX-License-Identifier: MIT
#
# rm_work builds and the standalone pruner, with real BitBake builds.
#
# rm_work (INHERIT += "rm_work") rewrites the stamps when a recipe is done: it
# turns the stamps of sstate tasks into _setscene ones, deletes the stamps of
# do_package and of every task without sstate (do_compile, do_install...) and
# keeps their .sigdata files.  A pruner that reads only the stamps then
# takes the build's current entries for garbage.  This test builds two
# generations of a fixture with rm_work, prunes with the stamps dir as the
# root (dry run first, then for real), compares with OE-Core's script, and
# restores everything current into a fresh TMPDIR.

import glob
import os
import re
import shutil
import subprocess
import sys

import pytest

HELLO = "sstmgmt-hello-native"
OTHER = "sstmgmt-cdep-lib-native"
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPT = os.path.join(REPO, "scripts", "sstate-cache-management")
TASK_RE = re.compile(r":([0-9a-f]{64})_([a-z0-9_]+)\.tar\.zst")


def entries(build):
    """{relative path: (pn, task, unihash)} of the sstate cache."""
    out = {}
    for path in glob.glob(os.path.join(build.sstate_dir, "**", "sstate:*"), recursive=True):
        m = TASK_RE.search(os.path.basename(path))
        if m:
            pn = os.path.basename(path).split(":")[1]
            out[os.path.relpath(path, build.sstate_dir)] = (pn, m.group(2), m.group(1))
    return out


def stamp_names(build, pn):
    return sorted(os.path.basename(p) for p in glob.glob(os.path.join(build.tmpdir, "stamps", "*", pn, "*")))


def test_rm_work_build_keeps_what_it_needs(clean_build):
    build = clean_build
    build.write_config('INHERIT += "rm_work"\n')
    build.write_fixture_conf("sstmgmt-hello", 'SSTMGMT_HELLO_GREETING = "hello"\n')
    build.bitbake(HELLO, OTHER)
    gen1 = entries(build)
    build.write_fixture_conf("sstmgmt-hello", 'SSTMGMT_HELLO_GREETING = "hi"\n')
    res = build.bitbake(HELLO)
    assert "do_compile" in res.ran_for(HELLO), res.ran_for(HELLO)
    gen2 = {p: e for p, e in entries(build).items() if p not in gen1}

    # What rm_work left: no plain stamp of a task without sstate, its sigdata
    # kept (both generations'); sstate tasks as _setscene stamps.
    names = stamp_names(build, HELLO)
    assert not [n for n in names if re.search(r"\.do_compile\.[0-9a-f]{64}$", n)], names
    assert len([n for n in names if ".do_compile.sigdata." in n]) == 2, names
    assert [n for n in names if ".do_populate_sysroot_setscene." in n], names
    assert not [n for n in names if re.search(r"\.do_populate_sysroot\.[0-9a-f]{64}$", n)], names

    # Current: gen2's entries, and gen1's of every task gen2 did not run again.
    rerun = {(pn, task) for pn, task, _ in gen2.values()}
    stale = {p for p, (pn, task, _) in gen1.items() if (pn, task) in rerun}
    current = set(gen1) - stale | set(gen2)
    assert stale and any(task == "compile" for _, task, _ in gen2.values()), (stale, gen2)
    assert any(p.endswith("_populate_sysroot.tar.zst") for p in stale)

    stamps = os.path.join(build.tmpdir, "stamps")
    before = set(entries(build))
    rc, out = build.run([SCRIPT, "--cache-dir", build.sstate_dir, "--stamps-dir", stamps, "-n", "-D", "--grace", "0"])
    assert rc == 0, out
    assert set(entries(build)) == before, "a dry run deleted files"
    listed = {os.path.relpath(line.strip(), build.sstate_dir) for line in out.splitlines()
              if line.startswith(build.sstate_dir)}
    assert listed == stale, (sorted(listed ^ stale), out[-3000:])

    # OE-Core's script on a copy of the cache: as safe (everything current
    # stays), but it keeps the stale generation its old sigdata names.
    oe_script = _oe_script()
    copy = os.path.join(build.topdir, "sstate-copy-oecore")
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(build.sstate_dir, copy, symlinks=True)
    try:
        r = subprocess.run([sys.executable, oe_script, "--cache-dir", copy, "--stamps-dir", stamps, "-y"],
                           capture_output=True, text=True, timeout=600)
        assert r.returncode == 0, r.stdout + r.stderr
        oe_left = {os.path.relpath(p, copy) for p in glob.glob(os.path.join(copy, "**", "sstate:*"), recursive=True)}
    finally:
        shutil.rmtree(copy, ignore_errors=True)
    assert current <= oe_left
    assert stale & oe_left, "OE-Core's script freed the stale generation too"

    rc, out = build.run([SCRIPT, "--cache-dir", build.sstate_dir, "--stamps-dir", stamps, "-y", "--grace", "0"])
    assert rc == 0, out
    after = set(entries(build))
    assert current <= after, "current entries deleted: %s" % sorted(current - after)
    assert not stale & after, "stale entries left: %s" % sorted(stale & after)

    # A fresh TMPDIR, rm_work still on: everything is restored from sstate;
    # the only tasks that run are rm_work's own (no sstate, nothing built).
    build.wipe_tmpdir()
    res = build.bitbake(HELLO, OTHER)
    assert res.ran <= {HELLO + ":do_rm_work", OTHER + ":do_rm_work"}, \
        "tasks ran for real after pruning: %s" % sorted(res.ran)
    for pn in (HELLO, OTHER):
        assert "do_populate_sysroot" in res.setscene_for(pn), (pn, res.setscene_for(pn))


def _oe_script():
    sys.path.insert(0, os.path.join(REPO, "benchmarks"))
    from oecore import find_oe_script
    path, why = find_oe_script(materialise=True)
    if path is None:
        pytest.fail("OE-Core's sstate-cache-management.py is unavailable although the sources are: %s" % why,
                    pytrace=False)
    return path
