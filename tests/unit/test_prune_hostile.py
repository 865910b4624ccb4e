# SPDX-License-Identifier: MIT
"""The pruner under hostile conditions: unreadable roots, rm_work stamps,
keep sets that match nothing, failing unlinks, odd names, deep trees, bad
numbers, shared lock files, lost output, killed runs.

Permission tests meet real EACCES/EPERM: as root (CI) the script runs as an
unprivileged user (prune_testlib.run_script_as), since root bypasses most
permission checks.
"""

import json
import os
import shutil
import time

import pytest

from prune_testlib import (RM_WORK_TASKS as TASKS, Cache, H, give, object_name, rm_work_stamps, run_script,
                           run_script_as, stamp, strict_json, run_prune as run)

from sstatemgmt.prune import RefusedError
from sstatemgmt.prune.delete import HOLD_SUFFIX


def cli(cache, *args, **kw):
    return run_script(["--cache-dir", cache.root, "--grace", "0"] + list(args), **kw)


@pytest.fixture
def shared_cache(shared):
    """A cache and a build dir in a directory the unprivileged user may enter."""
    c = Cache(os.path.join(shared, "sstate-cache"))
    c.stamps = os.path.join(shared, "build", "tmp", "stamps")
    c.build = os.path.join(shared, "build")
    return c


def as_user(cache, *args):
    give(cache.root)
    return run_script_as(["--cache-dir", cache.root, "--grace", "0"] + list(args))


# ---------------------------------------------------------------- 1: a root that cannot be read fully

def test_stamps_dir_with_an_unreadable_recipe_dir_is_refused(shared_cache):
    c = shared_cache
    zlib = c.add("zlib", unihash=H("zlib"))
    bash = c.add("bash", unihash=H("bash"))
    stale = c.add("bash", unihash=H("stale"))
    stamp(c.stamps, "zlib", "populate_sysroot", H("zlib"))
    stamp(c.stamps, "bash", "populate_sysroot", H("bash"))
    hidden = os.path.join(c.stamps, "core2-64-poky-linux", "zlib")
    os.chmod(hidden, 0)
    r = as_user(c, "--stamps-dir", c.stamps, "-y")
    assert r.returncode == 3, r.stdout + r.stderr
    assert "cannot read all of root" in r.stderr and "zlib" in r.stderr and "--force" in r.stderr
    assert "Traceback" not in r.stderr and r.stderr.count("\n") == 1
    assert c.files() == set(zlib + bash + stale)
    # --force goes on without the unreadable part, and says so
    r = as_user(c, "--stamps-dir", c.stamps, "-y", "--force", "--json")
    assert r.returncode == 0, r.stderr
    assert c.files() == set(bash)
    root = json.loads(r.stdout)["roots"]["roots"][0]
    assert root["errors"] and root["errors"][0]["path"] == hidden
    assert "could not be read completely" in r.stderr


def test_build_dir_with_an_unreadable_tmpdir_is_refused(shared_cache):
    c = shared_cache
    glibc = c.add("zlib", unihash=H("glibc"))
    musl = c.add("zlib", unihash=H("musl"), target="x86_64-poky-linux-musl")
    stamp(c.stamps, "zlib", "populate_sysroot", H("glibc"))
    musl_tmp = os.path.join(c.build, "tmp-musl")
    stamp(os.path.join(musl_tmp, "stamps"), "zlib", "populate_sysroot", H("musl"))
    os.chmod(musl_tmp, 0)
    r = as_user(c, "--build-dir", c.build, "-y")
    assert r.returncode == 3, r.stdout + r.stderr
    assert "tmp-musl" in r.stderr and "Permission denied" in r.stderr
    assert c.files() == set(glibc + musl)


def test_unreadable_root_is_refused_whatever_the_policy(shared_cache):
    c = shared_cache
    old = c.add("zlib", unihash=H("old"), age_days=40)
    new = c.add("zlib", unihash=H("new"))
    stamp(c.stamps, "zlib", "populate_sysroot", H("new"))
    stamp(c.stamps, "bash", "populate_sysroot", H("b"))
    os.chmod(os.path.join(c.stamps, "core2-64-poky-linux", "bash"), 0)
    for policy in (["-d"], ["--older-than", "30"], ["--max-size", "0"]):
        r = as_user(c, "--stamps-dir", c.stamps, "-y", *policy)
        assert r.returncode == 3, (policy, r.stderr)
    assert c.files() == set(old + new)


# ---------------------------------------------------------------- 10: stamps at any depth

def test_stamps_at_any_depth_are_roots(cache, tmp_path):
    stamps = tmp_path / "stamps"
    deep = stamps / "/".join("d%d" % i for i in range(40))
    keep = cache.add("zlib", unihash=H("deep"))
    gone = cache.add("zlib", unihash=H("gone"))
    stamp(deep, "zlib", "populate_sysroot", H("deep"))
    run(cache, roots=[str(stamps)])
    assert cache.files() == set(keep)
    assert set(gone).isdisjoint(cache.files())


# ---------------------------------------------------------------- 2: rm_work



def test_rm_work_build_keeps_its_current_package_objects(cache, tmp_path):
    stamps = tmp_path / "stamps"
    cur = {t: H("cur", t) for t in TASKS}
    old = {t: H("old", t) for t in TASKS}
    rm_work_stamps(stamps, cur, old)
    live = [f for t in TASKS if t != "compile" for f in cache.add("zlib", task=t, unihash=cur[t])]
    live += cache.add("zlib", task="compile", unihash=cur["compile"], archive=False)
    dead = [f for t in TASKS if t != "compile" for f in cache.add("zlib", task=t, unihash=old[t], age_days=3)]
    dead += cache.add("zlib", task="compile", unihash=old["compile"], archive=False, age_days=3)
    s = run(cache, roots=[str(stamps)])
    assert cache.files() == set(live)
    assert s.roots["roots"][0]["sigdata_roots"] == 2          # do_package and do_compile
    assert set(dead).isdisjoint(cache.files())


def test_sigdata_of_an_older_version_stays_stale(cache, tmp_path):
    # BitBake removes an older version's stamps when the new version runs
    # (STAMPCLEAN): a stamp base without stamps names nothing current.
    stamps = tmp_path / "stamps"
    cur = {t: H("cur", t) for t in TASKS}
    rm_work_stamps(stamps, cur)
    stamp(stamps, "zlib", "package", H("v0.9"), kind="sigdata", pv="0.9", age_days=0.5)
    live = cache.add("zlib", task="package", unihash=cur["package"])
    dead = cache.add("zlib", task="package", unihash=H("v0.9"), pv="0.9")
    run(cache, roots=[str(stamps)])
    assert cache.files() == set(live)
    assert set(dead).isdisjoint(cache.files())


# ---------------------------------------------------------------- 3: keep sets that match nothing

def test_keep_hash_typo_alone_is_refused(cache):
    files = cache.add("zlib", unihash=H("a")) + cache.add("bash", unihash=H("b"))
    with pytest.raises(RefusedError, match="match none"):
        run(cache, remove_unreferenced=True, keep_hashes=["deadbeef"])
    r = cli(cache, "--remove-unreferenced", "--keep-hash", "deadbeef", "-y")
    assert r.returncode == 3 and "match none" in r.stderr and "--force" in r.stderr
    assert cache.files() == set(files)


def test_keep_file_that_matches_nothing_is_refused(cache, tmp_path):
    files = cache.add("zlib", unihash=H("a"), age_days=50)
    f = tmp_path / "keep"
    f.write_text("# nothing of this cache\n%s\n" % H("elsewhere"))
    for policy in (["--remove-unreferenced"], ["--older-than", "30"]):
        r = cli(cache, *policy, "--keep-hashes-file", str(f), "-y")
        assert r.returncode == 3, r.stderr
    assert cache.files() == set(files)
    r = cli(cache, "--remove-unreferenced", "--keep-hashes-file", str(f), "-y", "--force")
    assert r.returncode == 0 and cache.files() == set()


def test_hashserv_keep_file_is_a_keep_file(cache, tmp_path):
    # The tool's own --hashserv-keep-file output ("unihash <hash>" lines) reads back as a keep file.
    a = cache.add("zlib", unihash=H("a"))
    b = cache.add("bash", unihash=H("b"), age_days=50)
    out = tmp_path / "kept"
    r = cli(cache, "-d", "-n", "--hashserv-keep-file", str(out))
    assert r.returncode == 0 and out.read_text().startswith("unihash ")
    out.write_text("unihash %s\n" % H("b"))
    r = cli(cache, "--remove-unreferenced", "--keep-hashes-file", str(out), "-y")
    assert r.returncode == 0, r.stderr
    assert cache.files() == set(b)
    assert set(a).isdisjoint(cache.files())


def test_keep_file_with_lines_that_are_no_hash_is_a_usage_error(cache, tmp_path):
    files = cache.add("zlib", unihash=H("a"))
    f = tmp_path / "keep"
    f.write_text("%s\nthis is not a keep file\n" % H("a"))
    r = cli(cache, "--remove-unreferenced", "--keep-hashes-file", str(f), "-y")
    assert r.returncode == 2 and "%s:2" % f in r.stderr
    assert cache.files() == set(files)


# ---------------------------------------------------------------- 4: never an archive without its companions

def _chattr(flag, path):
    import subprocess
    try:
        return subprocess.run(["chattr", flag, path], capture_output=True).returncode == 0
    except OSError:
        return False


def test_immutable_archive_keeps_its_companions(cache):
    old = cache.add("zlib", companions=(".siginfo", ".sig"), age_days=5)
    new = cache.add("zlib", age_days=1)
    if not _chattr("+i", cache.path(old[0])):
        pytest.skip("chattr +i is not supported here (not root, or the filesystem has no immutable flag)")
    try:
        s = run(cache, duplicates=True)
        assert cache.files() == set(old + new)
        assert [e["path"] for e in s.errors] == [old[0]] and s.removed["files"] == 0
    finally:
        _chattr("-i", cache.path(old[0]))


def test_archive_in_a_sticky_dir_of_another_user_keeps_its_companions(shared_cache):
    c = shared_cache
    old = c.add("zlib", unihash=H("old"), companions=(".siginfo", ".sig"), age_days=5)
    new = c.add("zlib", unihash=H("new"), age_days=1)
    give(c.root)
    d = os.path.dirname(c.path(old[0]))
    if os.geteuid() == 0:
        os.chown(c.path(old[0]), 4242, 4242)       # the archive: someone else's
        os.chown(d, 0, 0)
    else:
        pytest.skip("needs root to give a file to another user")
    os.chmod(d, 0o1777)                            # sticky: only owners may unlink
    r = run_script_as(["--cache-dir", c.root, "--grace", "0", "-d", "-y", "--json"])
    assert r.returncode == 1, r.stderr
    assert c.files() == set(old + new)
    errors = json.loads(r.stdout)["errors"]
    assert [(e["path"], e["error"]) for e in errors] == [(old[0], "Operation not permitted")]


def test_orphan_whose_archive_arrives_after_the_plan_is_kept(cache):
    orphan = cache.add("zlib", archive=False, age_days=5)          # a lone .siginfo of populate_sysroot
    archive = orphan[0][:-len(".siginfo")]

    def confirm(summary):
        assert summary.removed["files"] == 1
        cache.write(archive + ".tmp")                              # a build renames its archive into place
        os.rename(cache.path(archive + ".tmp"), cache.path(archive))
        return True
    s = run(cache, orphans=True, confirm=confirm)
    assert cache.files() == {archive} | set(orphan)
    assert s.removed["files"] == 0 and s.skipped["changed"]["units"] == 1


def test_archive_written_again_while_deleting_keeps_its_companions(cache, monkeypatch):
    old = cache.add("zlib", companions=(".siginfo", ".sig"), age_days=5)
    new = cache.add("zlib", age_days=1)
    real = os.unlink

    def unlink(name, *a, **kw):
        real(name, *a, **kw)
        # (the archive is unlinked under its hold name, see delete._unlink_held)
        if name in (os.path.basename(old[0]), os.path.basename(old[0]) + HOLD_SUFFIX):
            # a build writes the same object again right now
            fd = os.open(os.path.basename(old[0]), os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=kw["dir_fd"])
            os.close(fd)
    monkeypatch.setattr(os, "unlink", unlink)
    s = run(cache, duplicates=True)
    assert cache.files() == set(old + new)
    assert s.skipped["changed"]["units"] == 1 and s.removed["files"] == 1



def test_companion_written_anew_while_deleting_is_kept(cache, monkeypatch):
    old = cache.add("zlib", companions=(".siginfo",), age_days=5)
    new = cache.add("zlib", age_days=1)
    real = os.unlink

    def unlink(name, *a, **kw):
        real(name, *a, **kw)
        if name in (os.path.basename(old[0]), os.path.basename(old[0]) + HOLD_SUFFIX):
            # a build writes the siginfo anew (tmp + rename)
            tmp = os.path.basename(old[1]) + "Xy12Ab"
            os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=kw["dir_fd"]))
            os.rename(tmp, os.path.basename(old[1]), src_dir_fd=kw["dir_fd"], dst_dir_fd=kw["dir_fd"])
    monkeypatch.setattr(os, "unlink", unlink)
    s = run(cache, duplicates=True)
    assert cache.files() == {old[1]} | set(new)
    assert s.skipped["changed"]["units"] == 1 and s.removed["files"] == 1

# ---------------------------------------------------------------- 6: deep trees

DEEP = 1500          # well past Python's recursion limit (1000)


def _deep_fd(root):
    """A descriptor of the directory DEEP levels below ``root`` (``d/d/...``)."""
    fd = os.open(root, os.O_RDONLY)
    for _ in range(DEEP):
        nfd = os.open("d", os.O_RDONLY, dir_fd=fd)
        os.close(fd)
        fd = nfd
    return fd


@pytest.fixture(scope="module")
def deep_root(tmp_path_factory):
    """A cache dir with a chain of DEEP directories (made once: mkdir and
    rmdir 1500 levels take seconds on a busy machine)."""
    root = str(tmp_path_factory.mktemp("deep") / "sstate-cache")
    os.mkdir(root)
    fd = os.open(root, os.O_RDONLY)             # os.makedirs recurses: one level at a time
    for _ in range(DEEP):
        os.mkdir("d", dir_fd=fd)
        nfd = os.open("d", os.O_RDONLY, dir_fd=fd)
        os.close(fd)
        fd = nfd
    os.close(fd)
    yield root
    fd = _deep_fd(root)                         # shutil.rmtree recurses too: from the bottom up
    try:
        for _ in range(DEEP):
            nfd = os.open("..", os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = nfd
            os.rmdir("d", dir_fd=fd)
    finally:
        os.close(fd)


@pytest.fixture
def deep_cache(deep_root):
    """Two generations of zlib at the top and two of bash DEEP directories down."""
    cache = Cache(deep_root)
    rel = "/".join(["d"] * DEEP)
    cache.top_old = cache.add("zlib", unihash=H("top-old"), age_days=5)
    cache.top_new = cache.add("zlib", unihash=H("top-new"), age_days=1)
    cache.deep_old, cache.deep_new = [], []
    fd = _deep_fd(deep_root)
    try:
        for files, h, age in ((cache.deep_old, H("deep-old"), 5), (cache.deep_new, H("deep-new"), 1)):
            t = time.time() - age * 86400
            for suffix in ("", ".siginfo"):
                name = object_name("bash", "populate_sysroot", h) + suffix
                os.close(os.open(name, os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd))
                os.utime(name, (t, t), dir_fd=fd)
                files.append(rel + "/" + name)
    finally:
        os.close(fd)
    yield cache
    fd = _deep_fd(deep_root)
    try:
        for name in os.listdir(fd):
            os.unlink(name, dir_fd=fd)
    finally:
        os.close(fd)
    for name in os.listdir(deep_root):
        if name != "d":
            p = os.path.join(deep_root, name)
            shutil.rmtree(p) if os.path.isdir(p) and not os.path.islink(p) else os.unlink(p)


@pytest.mark.parametrize("args", [["-d"], ["-d", "--scan-processes", "1"], ["-d", "--stat-all"],
                                  ["--older-than", "3"]])
def test_very_deep_tree_is_pruned(deep_cache, args):
    c = deep_cache
    r = cli(c, *args, "-y")
    assert r.returncode == 0, r.stderr
    assert "RecursionError" not in r.stdout + r.stderr
    assert c.files() == set(c.top_new + c.deep_new)


# ---------------------------------------------------------------- 8: the lock file of a shared cache

needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="needs root to act as two users")


def _first_run_as_root(cache, umask=0o022):
    """A real run by root with a usual umask, as the first pruner of a cache often is."""
    old = os.umask(umask)
    try:
        run(cache, duplicates=True)
    finally:
        os.umask(old)
    return os.stat(cache.path(".sstate-cache-management.lock"))


@needs_root
def test_lock_file_of_a_world_writable_cache_lets_other_users_prune(shared_cache):
    c = shared_cache
    c.add("zlib", unihash=H("a"))
    os.chmod(c.root, 0o1777)
    st = _first_run_as_root(c)
    assert st.st_mode & 0o777 == 0o666
    old = c.add("bash", unihash=H("old"), age_days=5)
    new = c.add("bash", unihash=H("new"), age_days=1)
    give(c.root)
    os.chown(c.root, 0, 0)
    os.chown(c.path(".sstate-cache-management.lock"), 0, 0)
    r = run_script_as(["--cache-dir", c.root, "--grace", "0", "-d", "-y"])
    assert r.returncode == 0, r.stderr
    assert set(old).isdisjoint(c.files()) and set(new) <= c.files()


@needs_root
def test_lock_file_of_a_setgid_group_cache_is_group_writable(shared_cache):
    c = shared_cache
    c.add("zlib", unihash=H("a"))
    os.chown(c.root, 0, 4343)
    os.chmod(c.root, 0o2775)
    st = _first_run_as_root(c, umask=0o077)
    assert (st.st_mode & 0o777, st.st_gid) == (0o664, 4343)


@needs_root
def test_an_existing_read_only_lock_file_still_locks(shared_cache):
    # Older versions (and other users' umasks) left 0644 lock files owned by root.
    c = shared_cache
    old = c.add("bash", unihash=H("old"), age_days=5)
    new = c.add("bash", unihash=H("new"), age_days=1)
    give(c.root)
    lock = c.path(".sstate-cache-management.lock")
    with open(lock, "w") as f:
        f.write("1\n")
    os.chmod(lock, 0o644)
    os.chown(lock, 0, 0)
    r = run_script_as(["--cache-dir", c.root, "--grace", "0", "-d", "-y"])
    assert r.returncode == 0, r.stderr
    assert set(old).isdisjoint(c.files()) and set(new) <= c.files()
    # ... and it still excludes a second pruner
    import fcntl
    fd = os.open(lock, os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        r = run_script_as(["--cache-dir", c.root, "--grace", "0", "-d", "-y"])
        assert r.returncode == 4, r.stderr
    finally:
        os.close(fd)


@needs_root
def test_lock_file_that_cannot_be_opened_gets_the_right_hint(shared_cache):
    c = shared_cache
    files = c.add("bash", unihash=H("old"), age_days=5) + c.add("bash", unihash=H("new"), age_days=1)
    give(c.root)
    lock = c.path(".sstate-cache-management.lock")
    open(lock, "w").close()
    os.chmod(lock, 0o600)
    os.chown(lock, 0, 0)
    r = run_script_as(["--cache-dir", c.root, "--grace", "0", "-d", "-y"])
    assert r.returncode == 1 and r.stderr.count("\n") == 1, r.stderr
    assert "cannot open the lock file" in r.stderr and "mode 0600" in r.stderr and "chmod a+r" in r.stderr
    assert "may write to" not in r.stderr
    assert c.files() == set(files)


# ---------------------------------------------------------------- 11: a pruner killed during the scan

KILL_HELPER = r'''
import os, sys, time
sys.path.insert(0, sys.argv[2])
from sstatemgmt.prune.lock import CacheLock
from sstatemgmt.prune.scan import _pool
lock = CacheLock(sys.argv[1]).acquire()
pool = _pool(1)                             # the scan's workers
print(pool.submit(os.getpid).result(), flush=True)
pool.submit(time.sleep, 60)                 # a worker still walking
time.sleep(60)
'''


def _holds(pid, path):
    try:
        return any(os.readlink("/proc/%d/fd/%s" % (pid, fd)) == path for fd in os.listdir("/proc/%d/fd" % pid))
    except OSError:
        return False


def _gone(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def test_children_of_a_killed_pruner_free_the_lock_and_die(cache):
    import fcntl
    import signal
    import subprocess
    import sys
    from prune_testlib import LIB
    p = subprocess.Popen([sys.executable, "-c", KILL_HELPER, cache.root, LIB], stdout=subprocess.PIPE, text=True)
    try:
        child = int(p.stdout.readline())
        lock = cache.path(".sstate-cache-management.lock")
        deadline = time.monotonic() + 5
        while _holds(child, lock) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _holds(child, lock), "the scan worker holds the lock"
        p.send_signal(signal.SIGKILL)
        p.wait()
        deadline = time.monotonic() + 5
        while not _gone(child) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _gone(child), "the scan worker outlived its killed parent"
        fd = os.open(lock, os.O_RDONLY)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        finally:
            os.close(fd)
    finally:
        p.kill()
        p.wait()


# ---------------------------------------------------------------- 5 and 11: names that are not text

def _run_bytes(cache, *args, env=None):
    import subprocess
    import sys
    from prune_testlib import SCRIPT
    e = dict(os.environ, LANG="C.UTF-8", LC_ALL="C.UTF-8")
    e.pop("SSTATE_CACHE_DIR", None)
    e.update(env or {})
    return subprocess.run([sys.executable, SCRIPT, "--cache-dir", cache.root, "--grace", "0"] + list(args),
                          env=e, capture_output=True, stdin=subprocess.DEVNULL, timeout=60)


@pytest.fixture
def odd_cache(cache):
    """Objects and unknown entries whose names are not UTF-8 or hold control characters."""
    d = cache.path("ab/cd")
    os.makedirs(d)
    bad = os.fsencode(d) + b"/" + os.fsencode(object_name("zlib", "populate_sysroot", H("old"))).replace(
        b"zlib", b"zl\xffib")
    for suffix, age in ((b"", 5), (b".siginfo", 5)):
        with open(bad + suffix, "wb") as f:
            f.write(b"x")
        t = time.time() - age * 86400
        os.utime(bad + suffix, (t, t))
    with open(os.fsencode(d) + b"/README\xe9\n\x1b[2Jcleared", "wb"):
        pass
    cache.add("zl\udcffib", unihash=H("new2"), age_days=3)
    cache.add("zl\udcffib", unihash=H("new"), age_days=1)
    return cache


@pytest.mark.parametrize("args", [["-y", "-v"], ["-y", "-D", "-v"], ["-n", "-D", "-v"], ["-y", "--json", "-D"]])
def test_names_that_are_not_utf8_never_crash_and_output_stays_valid(odd_cache, args):
    r = _run_bytes(odd_cache, "-d", *args)
    out, err = r.stdout.decode("utf-8"), r.stderr.decode("utf-8")          # valid UTF-8 both
    assert r.returncode == 0, err
    assert "Traceback" not in err and "Error" not in err
    human = err if "--json" in args else out
    assert "README\\xe9\\n\\x1b[2Jcleared" in human or "-v" not in args
    assert ("would remove" if "-n" in args else "removed") + " 4 files" in human
    if "--json" in args:
        d = strict_json(r.stdout)
        assert d["removed"]["files"] == 4
        assert any("zl\\xffib" in p for p in d["removed_paths"])
        assert d["unknown"][0]["path"] == "ab/cd/README\\xe9\\n\\x1b[2Jcleared"


def test_one_line_messages_stay_one_line(cache, tmp_path):
    cache.add("zlib")
    root = str(tmp_path / "evil\nroot\x1b[2J")
    r = cli(cache, "--stamps-dir", root, "-y")
    assert r.returncode == 3
    assert r.stderr.count("\n") == 1 and "evil\\nroot\\x1b[2J" in r.stderr


# ---------------------------------------------------------------- 7: nan and inf

@pytest.mark.parametrize("args", [["--grace", "nan"], ["--grace", "inf"], ["--older-than", "nan"],
                                  ["--older-than", "Infinity"], ["--lock-wait", "nan"], ["--lock-wait", "inf"],
                                  ["--max-size", "9" * 400]])
def test_nan_and_inf_are_refused_with_one_clear_message(cache, args):
    files = cache.add("zlib", age_days=5) + cache.add("zlib", age_days=1)
    r = cli(cache, "-d", "-y", "--json", *args)
    assert r.returncode == 2, r.stderr
    assert "Traceback" not in r.stderr and "finite" in r.stderr or "invalid size" in r.stderr
    d = strict_json(r.stdout.encode())
    assert d["schema"] == "sstate-prune-error/1" and d["exit_code"] == 2
    assert cache.files() == set(files)


def test_api_refuses_nan_and_inf(cache):
    from sstatemgmt.prune import UsageError
    cache.add("zlib", age_days=5)
    for kw in ({"grace_minutes": float("nan")}, {"older_than_days": float("inf")}, {"lock_wait": float("nan")}):
        with pytest.raises(UsageError, match="finite"):
            run(cache, duplicates=True, **kw)


# ---------------------------------------------------------------- 9: outputs checked first, JSON on every error

def test_unwritable_hashserv_keep_file_is_refused_before_deleting(cache, tmp_path):
    files = cache.add("zlib", age_days=5) + cache.add("zlib", age_days=1)
    r = cli(cache, "-d", "-y", "--json", "--hashserv-keep-file", str(tmp_path / "no" / "such" / "dir" / "keep"))
    assert r.returncode == 2 and "cannot write --hashserv-keep-file" in r.stderr
    assert strict_json(r.stdout.encode())["kind"] == "usage"
    assert cache.files() == set(files)


def test_keep_file_is_not_created_by_a_failed_run(cache, tmp_path):
    cache.add("zlib")
    keep = tmp_path / "keep"
    r = cli(cache, "--stamps-dir", str(tmp_path / "nope"), "-y", "--hashserv-keep-file", str(keep))
    assert r.returncode == 3 and not keep.exists()


def test_every_error_exit_prints_one_json_error_object(cache, tmp_path):
    import fcntl
    cache.add("zlib", age_days=5)
    cache.add("zlib", age_days=1)
    cases = {
        1: run_script(["--cache-dir", str(tmp_path / "nope"), "-d", "-n", "--json"]),
        2: cli(cache, "-n", "--json"),
        3: cli(cache, "--stamps-dir", str(tmp_path / "nope"), "-y", "--json"),
    }
    cases[-2] = cli(cache, "-d", "--json", "--keep", "zero")
    fd = os.open(cache.path(".sstate-cache-management.lock"), os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        cases[4] = cli(cache, "-d", "-y", "--json")
    finally:
        os.close(fd)
    for code, r in cases.items():
        assert r.returncode == abs(code), (code, r.stderr)
        d = strict_json(r.stdout.encode())
        assert d["schema"] == "sstate-prune-error/1" and d["exit_code"] == abs(code), d
        assert d["error"] and d["kind"] in ("usage", "cache_dir", "roots", "refused", "lock_busy", "error")
        assert r.stdout.count("\n") == 1


def test_json_with_a_closed_stdout_deletes_nothing(cache):
    import subprocess
    import sys
    from prune_testlib import SCRIPT
    files = cache.add("zlib", age_days=5) + cache.add("zlib", age_days=1)
    r = subprocess.run([sys.executable, SCRIPT, "--cache-dir", cache.root, "--grace", "0", "-d", "-y", "--json"],
                       capture_output=False, stderr=subprocess.PIPE, text=True, preexec_fn=lambda: os.close(1))
    assert r.returncode == 2 and "stdout is closed" in r.stderr
    assert cache.files() == set(files)


# ---------------------------------------------------------------- 11: closed stdout, empty SSTATE_CACHE_DIR

def _closed_pipe_run(cache, *args):
    """Run the script with a stdout pipe whose reader went away (``| head`` that is done)."""
    import subprocess
    import sys
    from prune_testlib import SCRIPT
    r, w = os.pipe()
    os.close(r)
    try:
        p = subprocess.run([sys.executable, SCRIPT, "--cache-dir", cache.root, "--grace", "0"] + list(args),
                           stdout=w, stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL, timeout=60)
    finally:
        os.close(w)
    return p


def test_closed_stdout_neither_tracebacks_nor_loses_the_accounting(cache):
    old = [cache.add("zlib", unihash=H("old", i), age_days=5, pkgarch="a%d" % i) for i in range(50)]
    new = [cache.add("zlib", unihash=H("new", i), age_days=1, pkgarch="a%d" % i) for i in range(50)]
    r = _closed_pipe_run(cache, "-d", "-y", "-D", "-v")
    assert "Traceback" not in r.stderr and "BrokenPipe" not in r.stderr
    assert r.returncode == 0, r.stderr
    assert cache.files() == set(sum(new, []))
    assert "stdout could not be written (closed or full), output lost: removed 100 files" in r.stderr
    assert old


def test_json_to_a_pipe_nobody_reads_deletes_nothing(cache):
    files = cache.add("zlib", age_days=5) + cache.add("zlib", age_days=1)
    r = _closed_pipe_run(cache, "-d", "-y", "--json")
    assert r.returncode == 2 and "nobody reads" in r.stderr and "Traceback" not in r.stderr
    assert cache.files() == set(files)


@pytest.mark.parametrize("value", ["", None])
def test_no_or_empty_sstate_cache_dir_is_a_usage_error(value):
    env = {"SSTATE_CACHE_DIR": value} if value is not None else {}
    r = run_script(["-d", "-n"], env=env)
    assert r.returncode == 2 and "no cache directory" in r.stderr


def test_sigint_while_deleting_stops_between_units_and_keeps_the_accounting(cache, monkeypatch):
    import signal
    for i in range(20):
        cache.add("zlib", unihash=H("old", i), age_days=5, pkgarch="a%d" % i)
        cache.add("zlib", unihash=H("new", i), age_days=1, pkgarch="a%d" % i)
    real = os.unlink
    calls = []

    def unlink(*a, **kw):
        calls.append(a[0])
        if len(calls) == 1:
            os.kill(os.getpid(), signal.SIGINT)          # ^C during the first unit
        return real(*a, **kw)
    monkeypatch.setattr(os, "unlink", unlink)
    s = run(cache, duplicates=True, jobs=1)
    assert s.interrupted and s.removed["files"] == 2      # the unit under way is finished, then it stops
    assert len(cache.files()) == 80 - 2
    assert json.loads(s.to_json())["interrupted"] is True


def test_hashserv_keep_file_may_be_a_pipe(cache, tmp_path):
    # as with --hashserv-keep-file >(bitbake-hashclient gc-mark-stream ...)
    import threading
    cache.add("zlib", unihash=H("a"))
    fifo = str(tmp_path / "fifo")
    os.mkfifo(fifo)
    got = []
    t = threading.Thread(target=lambda: got.append(open(fifo).read()))
    t.start()
    r = cli(cache, "-d", "-n", "--hashserv-keep-file", fifo)
    t.join(30)
    assert r.returncode == 0, r.stderr
    assert got == ["unihash %s\n" % H("a")]


def test_json_to_a_full_disk_is_an_error_with_the_accounting_on_stderr(cache):
    import subprocess
    import sys
    from prune_testlib import SCRIPT
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full here")
    cache.add("zlib", age_days=5)
    new = cache.add("zlib", age_days=1)
    with open("/dev/full", "w") as full:
        r = subprocess.run([sys.executable, SCRIPT, "--cache-dir", cache.root, "--grace", "0", "-d", "-y", "--json"],
                           stdout=full, stderr=subprocess.PIPE, text=True, timeout=60)
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert "output lost: removed 2 files" in r.stderr
    assert cache.files() == set(new)


def test_pool_worker_whose_parent_died_before_it_started_exits():
    # A pruner killed between a worker's fork and its prctl(PR_SET_PDEATHSIG)
    # sends that worker no signal: it must see the new parent and leave, not
    # wait on its queue for ever holding the pipes of whoever ran the pruner.
    from sstatemgmt.prune import scan
    pid = os.fork()
    if pid == 0:
        try:
            scan._worker_init(os.getppid() + 1000000, None, ())
        finally:
            os._exit(0)
    _, status = os.waitpid(pid, 0)
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 1


def test_interrupt_lost_in_a_callback_is_honoured_before_deleting(cache, monkeypatch, capsys):
    # A ^C landing in a callback Python cannot raise from (seen under load in
    # the fork handlers while the scan's process pool starts) used to be
    # printed as "Exception ignored ... KeyboardInterrupt" and lost: the run
    # went on and deleted.
    import sys
    import weakref
    from sstatemgmt.prune import cli as prune_cli
    files = cache.add("zlib", age_days=5) + cache.add("zlib", age_days=1)
    real = prune_cli.prune

    class Thing:
        pass

    def prune(*a, **kw):
        thing = Thing()
        ref = weakref.ref(thing, lambda _: (_ for _ in ()).throw(KeyboardInterrupt))
        del thing                                   # the callback raises: unraisable
        assert ref() is None
        return real(*a, **kw)
    monkeypatch.setattr(prune_cli, "prune", prune)
    monkeypatch.setattr(prune_cli, "_swallowed_interrupts", [])
    monkeypatch.setattr(sys, "unraisablehook", prune_cli._keep_swallowed_interrupt)
    code = prune_cli.main(["--cache-dir", cache.root, "--grace", "0", "-d", "-y"])
    err = capsys.readouterr().err
    assert code == 130 and "Exception ignored" not in err and "interrupted" in err
    assert cache.files() == set(files)


def test_cleanup_debris_after_an_interrupt_is_not_printed(monkeypatch):
    # Seen in the fuzz suite: ^C cut a multiprocessing finalizer short, which
    # then ran again and failed; Python printed that as "Exception ignored"
    # after the run had already said "interrupted".
    import types
    from sstatemgmt.prune import cli as prune_cli
    debris = types.SimpleNamespace(exc_type=AttributeError, exc_value=AttributeError("_key"),
                                   exc_traceback=None, err_msg=None, object=None)
    shown = []
    monkeypatch.setattr(prune_cli, "_ending_interrupted", [])
    prune_cli._keep_swallowed_interrupt(debris, default=shown.append)
    assert shown == [debris]                                 # a real fault is still shown
    monkeypatch.setattr(prune_cli, "_ending_interrupted", [True])
    prune_cli._keep_swallowed_interrupt(debris, default=shown.append)
    assert shown == [debris]
