# SPDX-License-Identifier: MIT
"""Advisory lock so that two pruners never delete in one cache at once.

``fcntl.flock`` on ``<cache>/.sstate-cache-management.lock``; the holder
writes its pid there so that a refused run can say who holds it.  The lock
goes away with the process (forked children close their copies at once),
so a killed pruner never leaves the cache locked.  The file is made
writable for whoever may write the cache dir, and a lock file this user
may only read still locks.  BitBake itself does not take this lock: the
grace period and the re-stat before deleting protect a running build.
"""

import errno
import fcntl
import os
import time
import weakref

from .errors import LockBusyError, PruneError
from .names import LOCK_NAME


# Lock descriptors held by this process.  A forked child (the scan's
# workers) closes its copies at once: the lock is one open file description
# shared with the child, and a child that outlived a killed pruner would
# otherwise hold the cache locked.  Closing a copy leaves the parent's lock
# alone; only an explicit LOCK_UN would drop it, and a child never does.
_held = weakref.WeakSet()


def _close_in_child():
    for lock in list(_held):
        if lock.fd is not None:
            try:
                os.close(lock.fd)
            except OSError:
                pass
            lock.fd = None
    _held.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_close_in_child)

_FLAGS = getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOFOLLOW", 0)


class CacheLock:
    def __init__(self, cache_dir, wait=0.0):
        """``wait``: seconds to wait for a busy lock; 0 fails at once, None waits forever."""
        self.cache_dir = cache_dir
        self.path = os.path.join(cache_dir, LOCK_NAME)
        self.wait = wait
        self.fd = None

    def _holder(self):
        try:
            with open(self.path) as f:
                return f.read().strip() or "?"
        except (OSError, ValueError):
            return "?"

    def _open(self):
        """``(fd, writable)`` of the lock file, created if missing.

        An existing lock file that this user may not write (made by another
        user with a restrictive umask, or by an older version as 0644) is
        opened read-only: flock works on any descriptor, only the holder's
        pid is not recorded."""
        for _ in range(10):
            try:
                return os.open(self.path, os.O_RDWR | _FLAGS), True
            except FileNotFoundError:
                pass
            except PermissionError:
                try:
                    return os.open(self.path, os.O_RDONLY | _FLAGS), False
                except OSError as e:
                    raise self._error(e)
            except OSError as e:
                raise self._error(e)
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_EXCL | _FLAGS, 0o600)
            except FileExistsError:
                continue                         # another pruner created it meanwhile
            except OSError as e:
                raise self._error(e, creating=True)
            self._share(fd)
            return fd, True
        raise PruneError("cannot open the lock file %s: it keeps appearing and vanishing" % self.path)

    def _share(self, fd):
        """Let everyone who may write the cache dir take the lock: the file
        gets the directory's group and write permission for whoever may
        write the directory (0664 in a group-writable, setgid shared cache,
        0666 in a world-writable one, 0644 otherwise), whatever this
        process's umask.  They could remove and recreate it anyway."""
        try:
            st = os.stat(self.cache_dir)
        except OSError:
            return
        try:
            if os.fstat(fd).st_gid != st.st_gid:
                os.fchown(fd, -1, st.st_gid)     # fails unless we are in that group: then ours
        except OSError:
            pass
        try:
            os.fchmod(fd, 0o644 | (st.st_mode & 0o022))
        except OSError:
            pass

    def _error(self, e, creating=False):
        why = e.strerror or str(e)
        if creating:
            if e.errno == errno.EROFS:
                return PruneError("cannot create the lock file %s: %s" % (self.path, why),
                                  "the cache is on a read-only filesystem: nothing can be removed; "
                                  "use -n for a dry run")
            return PruneError("cannot create the lock file %s: %s" % (self.path, why),
                              "deleting needs write access to the cache dir %s: run as a user who may "
                              "write to it, or use -n for a dry run" % self.cache_dir)
        if e.errno == errno.ELOOP:
            return PruneError("the lock file %s is a symlink" % self.path,
                              "remove it (when no pruner runs)")
        try:
            st = os.lstat(self.path)
            owner = " (owner uid %d, group gid %d, mode %04o)" % (st.st_uid, st.st_gid, st.st_mode & 0o7777)
        except OSError:
            owner = ""
        return PruneError("cannot open the lock file %s%s: %s" % (self.path, owner, why),
                          "let every user who prunes this cache read it (chmod a+r %s), or use -n for "
                          "a dry run" % self.path)

    def acquire(self):
        fd, writable = self._open()
        deadline = None if self.wait is None else time.monotonic() + self.wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as e:
                if e.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                    os.close(fd)
                    raise PruneError("cannot lock %s: %s" % (self.path, e.strerror))
                if deadline is not None and time.monotonic() >= deadline:
                    holder = self._holder()
                    os.close(fd)
                    raise LockBusyError("another pruner (pid %s) holds the cache lock %s" % (holder, self.path),
                                        "wait for it to finish, or pass --lock-wait [SECONDS]")
                time.sleep(0.2)
        if writable:
            try:
                os.ftruncate(fd, 0)
                os.write(fd, b"%d\n" % os.getpid())
            except OSError:
                pass
        self.fd = fd
        _held.add(self)
        return self

    def release(self):
        _held.discard(self)
        if self.fd is not None:
            try:
                fcntl.flock(self.fd, fcntl.LOCK_UN)
            finally:
                os.close(self.fd)
                self.fd = None

    def __enter__(self):
        return self.acquire()

    def __exit__(self, *exc):
        self.release()
