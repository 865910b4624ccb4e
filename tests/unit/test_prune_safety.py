# SPDX-License-Identifier: MIT
"""Safety: lock, grace, re-stat races, symlinks, permission errors, ENOENT.

"Weakness N" comments refer to docs/pruning.md; each marked test fails
against OE-Core's scripts/sstate-cache-management.py behaviour.
"""

import errno
import fcntl
import os
import threading
import time

import pytest

from prune_testlib import Cache, H, object_name, run_script, run_prune as run

from sstatemgmt.prune import LockBusyError, prune
from sstatemgmt.prune.names import LOCK_NAME


def hold_lock(cache):
    fd = os.open(os.path.join(cache.root, LOCK_NAME), os.O_RDWR | os.O_CREAT, 0o664)
    fcntl.flock(fd, fcntl.LOCK_EX)
    os.write(fd, b"4242\n")
    return fd


# ---------------------------------------------------------------- lock (weakness 6)

def test_second_pruner_is_refused_while_the_lock_is_held(cache):
    # Weakness 6: OE-Core takes no lock; two cleaners race each other.
    files = cache.add("zlib", age_days=5) + cache.add("zlib", age_days=1)
    fd = hold_lock(cache)
    try:
        with pytest.raises(LockBusyError, match="pid 4242"):
            run(cache, duplicates=True)
        assert cache.files() == set(files)
        r = run_script(["--cache-dir", cache.root, "-d", "-y"])
        assert r.returncode == 4, r.stderr
        assert "--lock-wait" in r.stderr and "Traceback" not in r.stderr
        assert cache.files() == set(files)
        # a dry run needs no lock
        assert run(cache, duplicates=True, dry_run=True).removed["files"] == 2
    finally:
        os.close(fd)


def test_lock_wait_waits_for_the_holder(cache):
    cache.add("zlib", age_days=5)
    keep = cache.add("zlib", age_days=1)
    fd = hold_lock(cache)
    threading.Timer(0.5, os.close, [fd]).start()
    t0 = time.monotonic()
    run(cache, duplicates=True, lock_wait=10)
    assert time.monotonic() - t0 >= 0.4
    assert cache.files() == set(keep)


def test_lock_is_released_after_a_run(cache):
    cache.add("zlib", age_days=5)
    run(cache, duplicates=True)
    fd = os.open(os.path.join(cache.root, LOCK_NAME), os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)      # would raise if still held
    finally:
        os.close(fd)


# ---------------------------------------------------------------- grace and re-stat (weakness 6)

def test_default_grace_keeps_what_a_running_build_just_wrote(cache):
    # Weakness 6: OE-Core deletes objects a running build wrote a minute ago.
    fresh = cache.add("zlib", age_days=1 / 1440.0)
    old = cache.add("zlib", age_days=30)
    s = prune(cache.root, duplicates=True, dry_run=False)          # default grace: 360 minutes
    assert cache.files() == set(fresh)
    assert s.policies["grace_minutes"] == 360
    assert set(old).isdisjoint(cache.files())


def test_unit_touched_between_scan_and_delete_is_kept(cache):
    # Weakness 6: no re-check before deleting in OE-Core.
    old = cache.add("zlib", age_days=5)
    cache.add("zlib", age_days=1)

    def confirm(summary):
        os.utime(cache.path(old[0]), None)             # BitBake used it meanwhile
        return True
    s = run(cache, duplicates=True, confirm=confirm)
    assert set(old) <= cache.files()
    assert s.skipped["changed"]["units"] == 1 and s.removed["files"] == 0


def _before_rename_or_unlink(monkeypatch, hook):
    """Call ``hook(name, dir_fd)`` right before each os.rename (of its source)
    and os.unlink: what another process does while the pruner is paused
    between its last check of a file and its removal."""
    real_rename, real_unlink = os.rename, os.unlink

    def rename(src, dst, *, src_dir_fd=None, dst_dir_fd=None):
        hook(src, src_dir_fd)
        return real_rename(src, dst, src_dir_fd=src_dir_fd, dst_dir_fd=dst_dir_fd)

    def unlink(path, *, dir_fd=None):
        hook(path, dir_fd)
        return real_unlink(path, dir_fd=dir_fd)
    monkeypatch.setattr(os, "rename", rename)
    monkeypatch.setattr(os, "unlink", unlink)


def test_archive_used_between_its_last_check_and_its_unlink_is_kept(cache, monkeypatch):
    # A build that uses the archive after the pruner's last lstat of it, while
    # the pruner thread is paused before deleting (a loaded machine), must keep
    # it: the fuzz suite lost such an object under load.
    old = cache.add("zlib", companions=(".siginfo",), age_days=5)
    cache.add("zlib", age_days=1)
    archive = os.path.basename(old[0])

    def used_now(name, dir_fd):
        if name == archive:
            os.utime(name, None, dir_fd=dir_fd)
    _before_rename_or_unlink(monkeypatch, used_now)
    s = run(cache, duplicates=True, jobs=1)
    monkeypatch.undo()
    assert set(old) <= cache.files()
    assert not [f for f in cache.files() if f.endswith(".tmp")], cache.files()
    assert s.skipped["changed"]["units"] == 1 and s.removed["files"] == 0


def test_deleted_archive_leaves_no_hold_file(cache):
    old = cache.add("zlib", companions=(".siginfo", ".sig"), age_days=5)
    keep = cache.add("zlib", age_days=1)
    s = run(cache, duplicates=True, jobs=1)
    assert cache.files() == set(keep) and s.removed["files"] == len(old)


def test_unit_that_grew_is_kept(cache):
    old = cache.add("zlib", age_days=5)
    cache.add("zlib", age_days=1)
    st = os.stat(cache.path(old[1]))

    def confirm(summary):
        with open(cache.path(old[1]), "ab") as f:
            f.write(b"more")
        os.utime(cache.path(old[1]), (st.st_atime, st.st_mtime))
        return True
    s = run(cache, duplicates=True, confirm=confirm)
    assert set(old) <= cache.files() and s.skipped["changed"]["units"] == 1


def test_files_vanishing_before_delete_are_counted_not_fatal(cache):
    # Weakness 5: OE-Core's unlink crashes when another cleaner got there first.
    old = cache.add("zlib", companions=(".siginfo", ".sig"), age_days=5)
    keep = cache.add("zlib", age_days=1)

    def confirm(summary):
        os.unlink(cache.path(old[0]))                  # another cleaner took the archive
        return True
    s = run(cache, duplicates=True, confirm=confirm)
    assert cache.files() == set(keep)
    assert s.skipped["vanished_files"] == 1 and s.removed["files"] == 2 and not s.errors


def test_unlink_enoent_race_is_tolerated(cache, monkeypatch):
    old = cache.add("zlib", age_days=5)
    keep = cache.add("zlib", age_days=1)
    real = os.unlink

    def racing_unlink(p, *a, **k):
        real(p, *a, **k)
        raise FileNotFoundError(errno.ENOENT, "No such file or directory", p)
    monkeypatch.setattr(os, "unlink", racing_unlink)
    s = run(cache, duplicates=True)
    assert cache.files() == set(keep)
    assert s.skipped["vanished_files"] == len(old) and not s.errors


def test_permission_error_on_unlink_is_reported_and_the_rest_goes_on(cache, monkeypatch):
    # Weakness 5: EACCES aborts OE-Core's run.
    a = cache.add("a", age_days=50)
    b = cache.add("b", age_days=50)
    real, real_rename = os.unlink, os.rename

    # Both need write access to the directory: they fail together.
    def unlink(p, *args, **kw):
        if p == os.path.basename(a[0]):
            raise PermissionError(errno.EACCES, "Permission denied", p)
        return real(p, *args, **kw)

    def rename(src, dst, **kw):
        if src == os.path.basename(a[0]):
            raise PermissionError(errno.EACCES, "Permission denied", src)
        return real_rename(src, dst, **kw)
    monkeypatch.setattr(os, "unlink", unlink)
    monkeypatch.setattr(os, "rename", rename)
    s = run(cache, older_than_days=30)
    assert cache.files() == set(a)              # the archive stays, and so do its companions
    assert set(b).isdisjoint(cache.files())
    assert s.errors == [{"path": a[0], "error": "Permission denied", "phase": "delete"}]


def test_unreadable_directory_is_reported_and_the_rest_goes_on(cache, monkeypatch):
    # Weakness 5: EACCES while scanning aborts OE-Core's run.
    hidden = cache.add("zlib", unihash="ab" + H("x")[2:], age_days=50)
    visible = cache.add("bash", unihash="cd" + H("y")[2:], age_days=50)
    real = os.open
    locked = hidden[0].split("/")[1]

    def fake_open(path, flags, mode=0o777, *, dir_fd=None):
        if path == locked and dir_fd is not None:           # opening ab/<locked> fails as for mode 000
            raise PermissionError(errno.EACCES, "Permission denied", path)
        return real(path, flags, mode, dir_fd=dir_fd)
    monkeypatch.setattr(os, "open", fake_open)
    s = run(cache, older_than_days=30, processes=0)
    monkeypatch.undo()
    assert cache.files() == set(hidden)
    assert set(visible).isdisjoint(cache.files())
    assert s.errors[0]["phase"] == "scan" and s.errors[0]["error"] == "Permission denied"


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores directory permissions")
def test_real_eacces_directory(cache):
    hidden = cache.add("zlib", age_days=50)
    d = os.path.dirname(cache.path(hidden[0]))
    os.chmod(d, 0)
    try:
        r = run_script(["--cache-dir", cache.root, "--older-than", "30", "-y", "--grace", "0"])
        assert r.returncode == 0 and "Traceback" not in r.stderr
    finally:
        os.chmod(d, 0o755)
    assert set(hidden) <= cache.files()


# ---------------------------------------------------------------- symlinks (weakness 5)

def test_directory_symlink_out_of_the_cache_is_never_followed(cache, tmp_path):
    # Weakness 5: OE-Core follows directory symlinks, even out of the cache.
    outside = Cache(tmp_path / "outside")
    precious = outside.add("zlib", age_days=100)
    os.makedirs(cache.path("ab"), exist_ok=True)
    os.symlink(outside.root, cache.path("ab/cd"))
    os.symlink(outside.root, cache.path("debian-12"))
    s = run(cache, older_than_days=0, orphans=True, siginfo_only=True, max_size=0)
    assert outside.files() == set(precious)
    assert os.path.islink(cache.path("ab/cd")) and os.path.islink(cache.path("debian-12"))
    assert s.unknown_count == 2


def test_symlinked_object_loses_its_link_never_its_target(cache, tmp_path):
    outside = Cache(tmp_path / "mirror")
    target = outside.add("zlib", unihash=H("m"), age_days=100)
    link = "ab/cd/" + os.path.basename(target[0])
    os.makedirs(cache.path("ab/cd"))
    os.symlink(outside.path(target[0]), cache.path(link))
    t = time.time() - 100 * 86400
    os.utime(cache.path(link), (t, t), follow_symlinks=False)
    run(cache, older_than_days=30)
    assert not os.path.lexists(cache.path(link))
    assert outside.files() == set(target)


def test_dangling_symlinks_and_loops_do_not_abort(cache):
    # Weakness 5: ENOENT/ELOOP abort OE-Core's scan.
    os.makedirs(cache.path("ab/cd"))
    dangling = "ab/cd/" + object_name("zlib", "package", H("d"))
    os.symlink("/nonexistent/target", cache.path(dangling))
    t = time.time() - 100 * 86400
    os.utime(cache.path(dangling), (t, t), follow_symlinks=False)
    os.symlink("loop", cache.path("ab/loop"))
    keep = cache.add("bash", age_days=1)
    s = run(cache, older_than_days=30)
    assert not os.path.lexists(cache.path(dangling))
    assert os.path.islink(cache.path("ab/loop"))
    assert set(keep) <= cache.files() and not s.errors


def test_cache_dir_given_through_a_symlink(cache, tmp_path):
    cache.add("zlib", age_days=50)
    os.symlink(cache.root, str(tmp_path / "link"))
    s = prune(str(tmp_path / "link"), older_than_days=30, dry_run=False, grace_minutes=0)
    assert s.removed["files"] == 2 and cache.files() == set()


def test_directory_swapped_for_a_symlink_before_delete_is_not_followed(cache, tmp_path):
    # Weakness 5: never leave the cache, even when a fan-out dir is replaced by
    # a symlink between the scan and the deletion.
    old = cache.add("zlib", unihash="ab12" + H("o")[4:], age_days=50)
    d = os.path.dirname(cache.path(old[0]))
    outside = str(tmp_path / "outside")

    def confirm(summary):
        os.rename(d, outside)                      # same files, same mtimes, now outside
        os.symlink(outside, d)
        return True
    s = run(cache, older_than_days=30, confirm=confirm)
    assert sorted(os.listdir(outside)) == sorted(os.path.basename(f) for f in old)
    assert s.removed["files"] == 0 and s.errors and s.errors[0]["phase"] == "delete"


def test_companion_written_anew_between_its_last_check_and_its_unlink_is_kept(cache, monkeypatch):
    # A build writing an object again renames its companions into place, then
    # the archive.  If the pruner removed a companion by name after that
    # build replaced it, the build's new archive was left without its
    # .siginfo (the fuzz suite's long run found it, seed 20261130, 6159).
    old = cache.add("zlib", companions=(".siginfo",), age_days=5)
    cache.add("zlib", age_days=1)
    siginfo = os.path.basename(old[1])
    real_rename = os.rename
    rewritten = []

    def rewrite_now(name, dir_fd):
        if name == siginfo and not rewritten:
            rewritten.append(name)
            fd = os.open(name + ".new", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=dir_fd)
            os.write(fd, b"rewritten")
            os.close(fd)
            real_rename(name + ".new", name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
    _before_rename_or_unlink(monkeypatch, rewrite_now)
    s = run(cache, duplicates=True, jobs=1)
    monkeypatch.undo()
    assert rewritten
    assert old[1] in cache.files() and old[0] not in cache.files()
    with open(cache.path(old[1]), "rb") as f:
        assert f.read() == b"rewritten"
    assert not [f for f in cache.files() if f.endswith(".tmp")], cache.files()
    assert s.skipped["changed"]["units"] == 1 and s.removed["files"] == 1
