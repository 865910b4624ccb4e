# SPDX-License-Identifier: MIT
#
# sstate pruning on a real cache written by real bitbake builds: the standalone
# script (drop-in for OE-Core's sstate-cache-management.py) and the in-build
# prune (INHERIT += "sstate-prune": bitbake -c sstate_prune, bitbake sstate-prune).
#
# Every test builds three generations of the fixture library:
#   gen1  GREETING=hello                    -> objects A
#   gen2  GREETING=hi                       -> new objects B (A is now stale)
#   gen3  GREETING=hi, SSTMGMT_HELLO_NOOP=1 -> do_install re-runs with a new
#         taskhash, same output: hash equivalence maps do_populate_sysroot's new
#         taskhash to B's unihash, so B stays current although no stamp or
#         object carries gen3's taskhash. A pruner keyed on taskhashes would
#         delete B.
# and asserts, after pruning, which files are gone, which remain, and that a
# build in a fresh TMPDIR restores every current task with 0 tasks run.

import fcntl
import glob
import hashlib
import json
import os
import re
import signal
import sqlite3
import subprocess
import time

import pytest

from sstmgmt_dev import buildenv

HELLO = "sstmgmt-hello-native"
OTHER = "sstmgmt-cdep-lib-native"  # an unrelated recipe: pruning HELLO must not touch it
PRUNE_CONF = 'INHERIT += "sstate-prune"\nSSTATE_PRUNE_GRACE = "0"\n'
GEN = {
    1: 'SSTMGMT_HELLO_GREETING = "hello"\n',
    2: 'SSTMGMT_HELLO_GREETING = "hi"\n',
    3: 'SSTMGMT_HELLO_GREETING = "hi"\nSSTMGMT_HELLO_NOOP = "1"\n',
}
SCRIPT = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                      "scripts", "sstate-cache-management")


def files(build, pn=None):
    """{relative path: size} of the sstate cache (optionally one pn's entries)."""
    out = {}
    for path in glob.glob(os.path.join(build.sstate_dir, "**", "sstate:*"), recursive=True):
        name = os.path.basename(path)
        if pn is None or name.startswith("sstate:%s:" % pn):
            out[os.path.relpath(path, build.sstate_dir)] = os.path.getsize(path)
    return out


def objects(build, pn, task):
    return sorted(p for p in files(build, pn) if p.endswith("_%s.tar.zst" % task))


def unihash_of(path):
    return re.search(r":([0-9a-f]{64})_[a-z_]+\.tar\.zst", path).group(1)


def generation(build, gen, extra=""):
    """Select the fixture generation (reparses the fixture only) and the prune settings."""
    build.write_fixture_conf("sstmgmt-hello", GEN[gen])
    build.write_config(PRUNE_CONF + extra)


def three_generations(build, extra=""):
    """Build gen1..gen3; return (stale gen1 object, current gen2 object) of do_populate_sysroot."""
    for gen in (1, 2, 3):
        generation(build, gen, extra)
        res = build.bitbake(HELLO, OTHER)
        if gen == 1:
            gen1 = objects(build, HELLO, "populate_sysroot")
            assert len(gen1) == 1, gen1
        if gen == 2:
            assert "do_compile" in res.ran_for(HELLO)
        if gen == 3:
            assert res.ran_for(HELLO) == ["do_install", "do_populate_sysroot"], res.ran_for(HELLO)
            populate = [e for e in res.events if e["pn"] == HELLO and e["task"] == "do_populate_sysroot"
                        and e["event"] == "TaskSucceeded"]
            assert populate and populate[0]["hash"] != populate[0]["unihash"], "gen3 was not remapped"
    psys = objects(build, HELLO, "populate_sysroot")
    assert len(psys) == 2, psys  # gen3 added no object: it was remapped to gen2's
    stale = [p for p in psys if p in gen1]
    current = [p for p in psys if p not in gen1]
    stamps = glob.glob(os.path.join(build.tmpdir, "stamps", "*", HELLO, "*.do_populate_sysroot.*"))
    assert any(unihash_of(current[0]) in s for s in stamps), "the stamp does not name the unihash"
    return stale[0], current[0]


def assert_fresh_tmpdir_restores_everything(build, *targets):
    build.wipe_tmpdir()
    res = build.bitbake(*targets)
    assert res.ran == set(), "tasks ran for real after pruning: %s" % sorted(res.ran)
    for pn in targets:
        assert "do_populate_sysroot" in res.setscene_for(pn), (pn, res.setscene_for(pn))
    return res


def test_script_prunes_real_cache_duplicates_and_stamps(clean_build):
    """The standalone script on a cache written by real builds."""
    build = clean_build
    stale, current = three_generations(build)
    other_before = files(build, OTHER)
    before = files(build)
    stamps = os.path.join(build.tmpdir, "stamps")

    # Dry run (OE-Core's -n): nothing is deleted, the stale object is named.
    rc, out = build.run([SCRIPT, "--cache-dir", build.sstate_dir, "-d", "--stamps-dir", stamps, "-n",
                         "--grace", "0", "-D"])
    assert rc == 0, out
    assert files(build) == before
    assert os.path.basename(stale) in out, out

    rc, out = build.run([SCRIPT, "--cache-dir", build.sstate_dir, "-d", "--stamps-dir", stamps, "-y",
                         "--grace", "0"])
    assert rc == 0, out
    after = files(build)
    assert stale not in after and stale + ".siginfo" not in after
    assert current in after and current + ".siginfo" in after
    assert files(build, OTHER) == other_before
    # What the stamps reference stays, byte for byte.
    for path in glob.glob(os.path.join(stamps, "*", HELLO, "*")):
        m = re.search(r"\.do_(\w+?)(?:_setscene)?\.(?:sigdata\.)?([0-9a-f]{64})$", path)
        if m and "sigdata" not in path:
            for rel, size in before.items():
                if m.group(2) in rel:
                    assert after.get(rel) == size, rel
    assert_fresh_tmpdir_restores_everything(build, HELLO, OTHER)


def test_bitbake_sstate_prune_recipe(clean_build):
    """bitbake -c sstate_prune <recipe> removes that recipe's stale objects only."""
    build = clean_build
    stale, current = three_generations(build)
    other_before = files(build, OTHER)
    before = files(build)

    build.write_config(PRUNE_CONF + 'SSTATE_PRUNE_DRY_RUN = "1"\n')
    res = build.bitbake("-c", "sstate_prune", HELLO)
    assert files(build) == before, "a dry run deleted files"
    assert re.search(r"sstate_prune \(%s\): .*would remove" % HELLO, res.output, re.I), res.output[-3000:]
    # Only what a policy needs is measured; the summary says how to get the rest.
    assert re.search(r'kept \d+ files \(size not measured: SSTATE_PRUNE_STAT_ALL = "1"\)', res.output), \
        res.output[-3000:]

    build.write_config(PRUNE_CONF + 'SSTATE_PRUNE_STAT_ALL = "1"\n')
    res = build.bitbake("-c", "sstate_prune", HELLO)
    assert res.ran == {HELLO + ":do_sstate_prune"}, res.ran
    after = files(build)
    assert stale not in after and stale + ".siginfo" not in after
    assert current in after, "the remapped current object was deleted"
    assert files(build, OTHER) == other_before, "another recipe's entries were touched"
    removed = sorted(set(before) - set(after))
    assert removed and all(os.path.basename(p).startswith("sstate:%s:" % HELLO) for p in removed), removed
    m = re.search(r"sstate_prune \(%s\): .*removed\s+(\d+) files?" % HELLO, res.output, re.I | re.S)
    assert m, res.output[-3000:]
    assert re.search(r"kept [1-9]\d* files \(\d+(\.\d)? (B|KiB|MiB)\)", res.output), res.output[-3000:]
    assert_fresh_tmpdir_restores_everything(build, HELLO, OTHER)


def test_bitbake_sstate_prune_several_targets_one_pass(clean_build):
    """Several targets (as world or an image would give) are pruned in one pass over the cache."""
    build = clean_build
    stale, current = three_generations(build)
    other_before = files(build, OTHER)
    res = build.bitbake("-c", "sstate_prune", HELLO, OTHER)
    assert res.ran == {HELLO + ":do_sstate_prune", OTHER + ":do_sstate_prune"}, res.ran
    scans = re.findall(r"^sstate_prune \(2 recipes\): scanned \d+ files", res.output, re.M)
    assert len(scans) == 1, res.output[-3000:]
    after = files(build)
    assert stale not in after and current in after
    assert files(build, OTHER) == other_before  # its only generation is current
    assert_fresh_tmpdir_restores_everything(build, HELLO, OTHER)


def test_whole_cache_prune_keeps_two_build_dirs(clean_build):
    """bitbake sstate-prune with another build dir as a root keeps both builds' objects."""
    first = clean_build
    stale, current = three_generations(first)
    second = buildenv.prepare("pytest-second", release=first.release)
    second.wipe_tmpdir()
    second.write_config('SSTATE_DIR = "%s"\n' % first.sstate_dir)
    second.write_fixture_conf("sstmgmt-hello", 'SSTMGMT_HELLO_GREETING = "bonjour"\n')
    second.bitbake(HELLO)
    bonjour = [p for p in objects(first, HELLO, "populate_sysroot") if p not in (stale, current)]
    assert len(bonjour) == 1, bonjour

    conf = PRUNE_CONF + 'SSTATE_PRUNE_ROOTS = "%s"\n' % second.tmpdir
    first.write_config(conf + 'SSTATE_PRUNE_DRY_RUN = "1"\n')
    before = files(first)
    first.bitbake("sstate-prune")
    assert files(first) == before, "a dry run deleted files"

    first.write_config(conf)
    res = first.bitbake("sstate-prune")
    after = files(first)
    assert stale not in after
    assert current in after and bonjour[0] in after
    assert len(after) < len(before)
    assert re.search(r"sstate-prune: .*removed", res.output, re.I | re.S), res.output[-3000:]
    assert_fresh_tmpdir_restores_everything(first, HELLO, OTHER)
    second.wipe_tmpdir()
    res = second.bitbake(HELLO)
    assert res.ran == set(), sorted(res.ran)


def test_whole_cache_prune_refuses_empty_roots(clean_build):
    build = clean_build
    generation(build, 1)
    build.bitbake(HELLO)
    before = files(build)
    build.write_config(PRUNE_CONF + 'SSTATE_PRUNE_ROOTS = "%s/nonexistent-build"\n' % build.topdir)
    res = build.bitbake("sstate-prune", check=False)
    assert res.returncode != 0
    assert "refused" in res.output and "nonexistent-build" in res.output, res.output[-3000:]
    assert "Traceback" not in res.output
    assert files(build) == before


def test_prune_collects_hash_server_entries(clean_build):
    """After pruning, equivalence entries that point only at removed objects are gone."""
    build = clean_build
    with buildenv.HashServer(build, os.path.join(build.topdir, "prune-hashserv")) as server:
        extra = 'BB_HASHSERVE = "%s"\nSSTATE_PRUNE_HASHSERV_GC = "1"\n' % server.addr
        stale, current = three_generations(build, extra)

        def rows(unihash):
            with sqlite3.connect(server.db) as db:
                return db.execute("SELECT COUNT(*) FROM unihashes_v3 WHERE unihash = ?", (unihash,)).fetchone()[0]

        assert rows(unihash_of(stale)) >= 1 and rows(unihash_of(current)) >= 2  # gen2 and its gen3 remap
        res = build.bitbake("-c", "sstate_prune", HELLO)
        assert re.search(r"hash equivalence server .*: \d+ entries kept \(marked\), [1-9]\d* removed", res.output), \
            res.output[-3000:]
        assert rows(unihash_of(stale)) == 0
        assert rows(unihash_of(current)) >= 2
        assert_fresh_tmpdir_restores_everything(build, HELLO, OTHER)


def test_hash_server_unreachable_still_prunes_files(clean_build):
    build = clean_build
    stale, current = three_generations(build)
    dead = "unix://%s/no-hashserv-here.sock" % build.topdir
    build.write_config(PRUNE_CONF + 'SSTATE_PRUNE_HASHSERV_GC = "1"\nSSTATE_PRUNE_HASHSERV = "%s"\n' % dead)
    res = build.bitbake("-c", "sstate_prune", HELLO)
    assert re.search(r"WARNING: .*the cache was pruned, but the hash equivalence server %s was not" % re.escape(dead),
                     res.output), res.output[-3000:]
    after = files(build)
    assert stale not in after and current in after


# -- the per-recipe pass runs outside the BitBake server -------------------------

PASS_LINE = re.compile(r"prune pass in process (\d+) \((\S+) -m sstatemgmt\.prune_pass\), BitBake server (\d+)")


def server_pid(build):
    with open(os.path.join(build.topdir, "bitbake.lock")) as f:
        return int(f.read().split()[0])


def test_prune_pass_runs_outside_a_memory_resident_server(clean_build):
    """The server (kept in memory between builds with -T) starts the pass as a
    program of its own, and never loads the engine itself."""
    build = clean_build
    cookerlog = os.path.join(build.topdir, "sstatemgmt-cooker.jsonl")
    if os.path.exists(cookerlog):
        os.unlink(cookerlog)
    generation(build, 1)
    build.bitbake(HELLO)
    stale = objects(build, HELLO, "populate_sysroot")
    generation(build, 2)
    build.bitbake(HELLO)
    try:
        runs = [build.bitbake("-T", "900", "-c", "sstate_prune", HELLO) for _ in range(2)]
        resident = server_pid(build)
    finally:
        build.bitbake("-m", check=False)        # stop the memory-resident server
    passes = []
    for res in runs:
        m = PASS_LINE.search(res.output)
        assert m, res.output[-3000:]
        passes.append((int(m.group(1)), int(m.group(3))))
    assert [s for _, s in passes] == [resident, resident], (passes, resident)
    assert passes[0][0] != passes[1][0] and resident not in (passes[0][0], passes[1][0])
    assert stale[0] not in files(build), "the first pass did not remove the stale object"
    assert re.search(r"sstate_prune \(%s\): removed [1-9]\d* files" % HELLO, runs[0].output), runs[0].output[-3000:]
    # The pass's log names it too.
    logs = glob.glob(os.path.join(build.tmpdir, "log", "sstate-prune", "sstate_prune.*.log"))
    assert any("prune pass in process %d " % passes[0][0] in open(p).read() for p in logs), logs
    # What the server held at each build start and end: never the engine.
    with open(cookerlog) as f:
        probes = [json.loads(line) for line in f]
    mine = [p for p in probes if p["pid"] == resident]
    assert len(mine) == 4, probes                     # BuildStarted and BuildCompleted of both prunes
    assert max(p["threads"] for p in mine) > 1, mine  # why it must never fork
    loaded = set().union(*(p["modules"] for p in mine))
    assert "sstatemgmt.prune_bb" in loaded, loaded
    assert not [m for m in loaded if m == "sstatemgmt.prune" or m.startswith(("sstatemgmt.prune.",
                                                                              "sstatemgmt.prune_pass"))], loaded


def start_bitbake(build, *args, log):
    """bitbake as in Build.run, but not waited for (the test signals it).

    Its SIGINT is reset to the default: a test run started in the background of
    a non-interactive shell (``cmd &``) ignores SIGINT, an ignored signal stays
    ignored across exec, and Python then installs no KeyboardInterrupt handler,
    so knotty would never see the test's Ctrl-C (nor tell the server to stop).
    """
    kwargs = {}
    if os.geteuid() == 0:
        kwargs = dict(user=build.uid, group=build.gid, extra_groups=[])
    return subprocess.Popen([os.path.join(build.bitbake_dir, "bin", "bitbake")] + list(args), cwd=build.topdir,
                            env=build.env(), stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL), **kwargs)


def fake_stale_units(build, current, n):
    """``n`` stale units (archive + siginfo) in the slot of the object ``current``: same
    name but the unihash, old mtimes, owned by the build user."""
    h = unihash_of(current)
    host = os.path.dirname(os.path.dirname(os.path.dirname(current)))     # NATIVELSBSTRING dir, or ""
    made = []
    for i in range(n):
        other = hashlib.sha256(b"stale %d" % i).hexdigest()
        rel = os.path.join(host, other[:2], other[2:4], os.path.basename(current).replace(h, other))
        path = os.path.join(build.sstate_dir, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        for p in (path, path + ".siginfo"):
            with open(p, "w") as f:
                f.write("stale\n")
            os.utime(p, (1e9, 1e9))
        made.append(rel)
    subprocess.run(["chown", "-R", "%d:%d" % (build.uid, build.gid), build.sstate_dir], check=True)
    return made


def test_stopping_the_build_stops_the_prune_pass(clean_build):
    """Ctrl-C twice while the pass waits for another pruner's lock: it stops
    at once, deletes nothing, holds no lock; bitbake says so."""
    build = clean_build
    generation(build, 1)
    build.bitbake(HELLO)
    current = objects(build, HELLO, "populate_sysroot")[0]
    fake = fake_stale_units(build, current, 50)
    lockpath = os.path.join(build.sstate_dir, ".sstate-cache-management.lock")
    passlogs = os.path.join(build.tmpdir, "log", "sstate-prune", "sstate_prune.*.log")
    with open(lockpath, "a") as lock, open(os.path.join(build.topdir, "stop-test.log"), "w+") as out:
        os.chown(lockpath, build.uid, build.gid)
        fcntl.flock(lock, fcntl.LOCK_EX)         # another pruner holds the cache
        proc = start_bitbake(build, "-c", "sstate_prune", HELLO, log=out)
        try:
            deadline = time.monotonic() + 1800
            while not any("waiting for it" in open(p).read() for p in glob.glob(passlogs)):
                assert proc.poll() is None and time.monotonic() < deadline, "the pass never waited for the lock"
                time.sleep(1)
            pid = int(PASS_LINE.search("".join(open(p).read() for p in glob.glob(passlogs))).group(1))
            proc.send_signal(signal.SIGINT)
            time.sleep(2)
            proc.send_signal(signal.SIGINT)
            proc.wait(timeout=600)
        finally:
            if proc.poll() is None:
                proc.kill()
        out.seek(0)
        output = out.read()
    assert "Second Keyboard Interrupt, stopping" in output, \
        "bitbake did not take the two SIGINTs as Ctrl-C:\n" + output[-3000:]
    assert re.search(r"WARNING: sstate_prune: stopped: the prune pass \(process %d\) ended early" % pid, output), \
        output[-3000:]
    assert "Traceback" not in output
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    with open(lockpath) as lock:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)    # nobody holds it
    left = files(build)
    assert all(rel in left and rel + ".siginfo" in left for rel in fake), "the stopped pass deleted files"
    # Unstopped, the same prune removes them: they were eligible.
    res = build.bitbake("-c", "sstate_prune", HELLO)
    left = files(build)
    assert not any(rel in left or rel + ".siginfo" in left for rel in fake), res.output[-3000:]
    assert current in left


# -- superset baselines go with their children ------------------------------------

APP = "sstmgmt-cdep-app-native"
SUPERSET_CONF = ('INHERIT += "compatible-depends"\nHOSTTOOLS_NONFATAL += "abidw abidiff abi-compliance-checker"\n')


def test_superset_baselines_are_pruned_with_their_children(clean_build):
    build = clean_build
    build.write_config(PRUNE_CONF + SUPERSET_CONF)
    build._write(os.path.join(build.topdir, "conf", "sstmgmt-cdep-variant.inc"),
                 'SSTMGMT_CDEP_VARIANT ?= "base"\nCDEPENDS_CHECKER = "abidiff"\nCDEPENDS_MODE = "superset"\n'
                 'SSTMGMT_CDEP_DEBUGINFO = "1"\n')
    try:
        build.bitbake(APP)
        stored = glob.glob(os.path.join(build.sstate_dir, "cdepends-baseline", APP, "*.report"))
        assert len(stored) == 1, stored
        # The child's objects are what this build references: the whole-cache prune keeps its baseline.
        res = build.bitbake("sstate-prune")
        assert os.path.exists(stored[0])
        assert re.search(r"sstate-prune:   baselines: .*, kept 1 \(1 of children with objects\)", res.output), \
            res.output[-3000:]
        # A build that only references another recipe: the child's objects go, and its baseline with them.
        build.wipe_tmpdir()
        build.bitbake(HELLO)
        build.write_config(PRUNE_CONF + SUPERSET_CONF + 'SSTATE_PRUNE_DRY_RUN = "1"\n')
        res = build.bitbake("sstate-prune")
        assert os.path.exists(stored[0]), "a dry run removed a baseline"
        assert re.search(r"sstate-prune:   baselines: +would remove 1 files \(\d+(\.\d)? (B|KiB)\) of 1 children "
                         r"without objects", res.output), res.output[-3000:]
        build.write_config(PRUNE_CONF + SUPERSET_CONF)
        res = build.bitbake("sstate-prune")
        assert not files(build, APP), "the child's objects are still there"
        assert not os.path.exists(stored[0]), res.output[-3000:]
        assert re.search(r"sstate-prune:   baselines: +removed 1 files", res.output), res.output[-3000:]
        assert files(build, HELLO)
    finally:
        build._write(os.path.join(build.topdir, "conf", "sstmgmt-cdep-variant.inc"), 'SSTMGMT_CDEP_VARIANT ?= "base"\n')
