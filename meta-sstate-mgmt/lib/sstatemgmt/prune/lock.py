# SPDX-License-Identifier: MIT
"""Advisory lock so that two pruners never delete in one cache at once.

``fcntl.flock`` on ``<cache>/.sstate-cache-management.lock``; the holder
writes its pid there so that a refused run can say who holds it.  The lock
goes away with the process, so a killed pruner never leaves the cache
locked.  BitBake itself does not take this lock: the grace period and the
re-stat before deleting protect a running build.
"""

import errno
import fcntl
import os
import time

from .errors import LockBusyError, PruneError
from .names import LOCK_NAME


class CacheLock:
    def __init__(self, cache_dir, wait=0.0):
        """``wait``: seconds to wait for a busy lock; 0 fails at once, None waits forever."""
        self.path = os.path.join(cache_dir, LOCK_NAME)
        self.wait = wait
        self.fd = None

    def _holder(self):
        try:
            with open(self.path) as f:
                return f.read().strip() or "?"
        except OSError:
            return "?"

    def acquire(self):
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0)
                         | getattr(os, "O_NOFOLLOW", 0), 0o664)
        except OSError as e:
            raise PruneError("cannot create the lock file %s: %s" % (self.path, e.strerror),
                             "run as a user who may write to the cache, or use -n for a dry run")
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
        try:
            os.ftruncate(fd, 0)
            os.write(fd, b"%d\n" % os.getpid())
        except OSError:
            pass
        self.fd = fd
        return self

    def release(self):
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
