# SPDX-License-Identifier: MIT
"""Safe, parallel deletion of whole units.

For each unit: lstat every member again right before deleting; if any
member's mtime changed or its size grew since the scan (a build used or
rewrote it), the whole unit is kept.  Members that vanished are counted and
skipped.  Then the archive is unlinked first, and its companions only once
it is gone and no new archive took its name (see :func:`delete_unit`).
``unlink`` never follows symlinks (a symlinked object loses its link, never
its target), and works relative to directories opened with O_NOFOLLOW.  ENOENT means another cleaner got there first and is counted,
not raised; other errors (EACCES, EPERM, EROFS...) are recorded and the run
goes on.  Threads run the unlinks, which release the GIL.
"""

import os
import signal
import threading
import time

from .scan import FD_DEPTH, open_dir_at


class DeleteStats:
    def __init__(self):
        self.removed_files = 0
        self.removed_bytes = 0
        self.changed_units = 0          # skipped: used or rewritten since the scan
        self.changed_files = 0
        self.changed_bytes = 0
        self.vanished_files = 0         # someone else deleted them first
        self.errors = []                # (relpath, message)
        self.removed_units = []         # (unit, files, bytes) actually removed
        self.interrupted = False        # SIGINT stopped the deletion early
        self.seconds = 0.0

    def merge(self, o):
        self.removed_files += o.removed_files
        self.removed_bytes += o.removed_bytes
        self.changed_units += o.changed_units
        self.changed_files += o.changed_files
        self.changed_bytes += o.changed_bytes
        self.vanished_files += o.vanished_files
        self.errors.extend(o.errors)
        self.removed_units.extend(o.removed_units)


def delete_unit(dirfd, unit, st):
    """Delete one unit whose directory is open as ``dirfd``.

    Re-stat first (the archive last, right before its unlink): a unit any
    member of which changed is kept whole.  Then the archive goes first,
    and the companions only once it is gone: if its unlink fails (EPERM:
    an immutable file, a sticky directory), the unit stays whole, so an
    archive is never left without its .sig and .siginfo.  Before the
    companions go, the archive name is checked once more: an archive
    renamed into place since the plan (a build writing the object again, or
    an orphan whose archive arrived) keeps them; and each companion is
    checked again, so one written anew meanwhile stays.  No member is
    unlinked by name after its last lstat: each is renamed aside first (see
    _unlink_held), so a build that used the archive in between keeps it, and
    a companion a build wrote anew in between (before renaming its archive
    into place) is not the one removed.
    """
    now = {}
    for suffix, mtime, size in reversed(unit.members):
        try:
            s = os.lstat(unit.stem + suffix, dir_fd=dirfd)
        except FileNotFoundError:
            st.vanished_files += 1
            continue
        except OSError as e:
            st.errors.append((unit.relpath(suffix), e.strerror or str(e)))
            return
        if s.st_mtime != mtime or s.st_size > size:
            _changed(st, unit, unit.size, len(unit.members))
            return
        now[suffix] = s
    nfiles = nbytes = 0
    if "" in now:                                # the archive: alone first
        done = _unlink_held(dirfd, unit, "", now[""], st)
        if done == "changed":
            _changed(st, unit, unit.size, len(unit.members))
        if done in ("changed", "error"):
            return
        if done == "removed":
            nfiles, nbytes = 1, now[""].st_size
    companions = [m[0] for m in unit.members if m[0] and m[0] in now]
    if companions and _archive_present(dirfd, unit, st):
        _changed(st, unit, sum(now[c].st_size for c in companions), len(companions))
        companions = []
    for i, suffix in enumerate(companions):
        done = _unlink_held(dirfd, unit, suffix, now[suffix], st)
        if done == "changed":
            rest = companions[i:]
            _changed(st, unit, sum(now[c].st_size for c in rest), len(rest))
            break
        if done == "removed":
            nfiles += 1
            nbytes += now[suffix].st_size
    if nfiles:
        st.removed_files += nfiles
        st.removed_bytes += nbytes
        st.removed_units.append((unit, nfiles, nbytes))


# The archive's name while it is being deleted. The scan takes it for a
# temporary (left alone and counted), which is what it is if a run is killed
# between the rename and the unlink.
HOLD_SUFFIX = ".pruning.tmp"


def _unlink_held(dirfd, unit, suffix, before, st):
    """Remove the member ``suffix`` of ``unit`` unless it changed since
    ``before``, its last lstat.

    An unlink by name cannot be made conditional: a build touching the
    archive between that lstat and the unlink would lose an object it just
    used, and a build writing the object again (companions first, each
    renamed into place, then the archive) would lose the companion it just
    wrote, leaving its new archive without it (a loaded machine can pause a
    thread there for a long time).  So the member is renamed aside first:
    from then on nobody can use or replace it by its name, and its inode is
    checked once more; if it changed, it is put back.  Returns "removed",
    "vanished", "changed" (kept) or "error" (kept, recorded).
    """
    name = unit.stem + suffix
    hold = name + HOLD_SUFFIX
    try:
        os.rename(name, hold, src_dir_fd=dirfd, dst_dir_fd=dirfd)
    except FileNotFoundError:
        st.vanished_files += 1
        return "vanished"
    except OSError as e:
        st.errors.append((unit.relpath(suffix), e.strerror or str(e)))
        return "error"
    try:
        s = os.lstat(hold, dir_fd=dirfd)
        if (s.st_ino, s.st_mtime_ns, s.st_size) == (before.st_ino, before.st_mtime_ns, before.st_size):
            os.unlink(hold, dir_fd=dirfd)
            return "removed"
    except FileNotFoundError:                    # another cleaner took it from under the hold name
        st.vanished_files += 1
        return "vanished"
    except OSError as e:
        st.errors.append((unit.relpath(suffix), e.strerror or str(e)))
    _put_back(dirfd, hold, name, unit.relpath(suffix + HOLD_SUFFIX), st)
    return "changed"


def _put_back(dirfd, hold, name, relhold, st):
    """Give the held member its ``name`` again, unless a new one took it
    meanwhile (a build writing the object again): the new one wins."""
    try:
        os.link(hold, name, src_dir_fd=dirfd, dst_dir_fd=dirfd, follow_symlinks=False)
    except FileExistsError:
        pass
    except OSError:                              # no hard links here: rename, if the name is still free
        try:
            os.lstat(name, dir_fd=dirfd)
        except FileNotFoundError:
            try:
                os.rename(hold, name, src_dir_fd=dirfd, dst_dir_fd=dirfd)
                return
            except OSError as e:
                st.errors.append((relhold, e.strerror or str(e)))
                return
        except OSError:
            pass
    try:
        os.unlink(hold, dir_fd=dirfd)
    except OSError as e:
        st.errors.append((relhold, e.strerror or str(e)))


def _changed(st, unit, nbytes, nfiles):
    st.changed_units += 1
    st.changed_files += nfiles
    st.changed_bytes += nbytes


def _archive_present(dirfd, unit, st):
    """True unless the unit's archive name is free (an error counts as present: keep)."""
    try:
        os.lstat(unit.stem, dir_fd=dirfd)
    except FileNotFoundError:
        return False
    except OSError as e:
        st.errors.append((unit.relpath(), e.strerror or str(e)))
    return True


class _DirStack:
    """The directories of the current ``reldir``, each opened relative to its
    parent with O_NOFOLLOW (scan.open_dir_at) and kept open, so that the
    next directory in sorted order reopens only the components that differ
    (usually just the last fan-out level).  Components deeper than
    scan.FD_DEPTH are opened one after the other without being kept, so a
    very deep tree cannot exhaust the descriptors."""

    def __init__(self, rootfd):
        self.rootfd = rootfd
        self.parts = []                          # [(component, fd)]
        self.deep = None                         # fd of a directory below the kept ones

    def open(self, reldir):
        """fd of ``reldir`` (owned by the stack); raises OSError."""
        self._close_deep()
        want = reldir.split("/") if reldir else []
        head, tail = want[:FD_DEPTH], want[FD_DEPTH:]
        keep = 0
        while keep < len(self.parts) and keep < len(head) and self.parts[keep][0] == head[keep]:
            keep += 1
        self.close(keep)
        for part in head[keep:]:
            parent = self.parts[-1][1] if self.parts else self.rootfd
            self.parts.append((part, open_dir_at(parent, part)))
        fd = self.parts[-1][1] if self.parts else self.rootfd
        for part in tail:
            nfd = open_dir_at(fd, part)
            self._close_deep()
            self.deep = fd = nfd
        return fd

    def _close_deep(self):
        if self.deep is not None:
            os.close(self.deep)
            self.deep = None

    def close(self, keep=0):
        if keep == 0:
            self._close_deep()
        while len(self.parts) > keep:
            os.close(self.parts.pop()[1])


def _delete_chunk(rootfd, units, stop):
    """Delete units (sorted by directory), opening each directory once;
    stops between two units once ``stop`` is set."""
    st = DeleteStats()
    dirs = _DirStack(rootfd)
    cur, fd = None, None
    try:
        for u in units:
            if stop.is_set():
                break
            if u.reldir != cur or fd is None:
                cur = u.reldir
                try:
                    fd = dirs.open(cur)
                except FileNotFoundError:
                    fd = None
                    st.vanished_files += len(u.members)
                    continue
                except OSError as e:             # EACCES, or ELOOP: a dir became a symlink
                    fd = None
                    st.errors.append((cur or ".", e.strerror or str(e)))
                    continue
            delete_unit(fd, u, st)
    finally:
        dirs.close()
    return st


def delete_units(root, units, jobs=8, progress=None):
    """Delete ``units`` (sorted by ``reldir``) under ``root`` with ``jobs`` threads.

    Directories are opened from the cache root one component at a time
    with O_NOFOLLOW, and files are stat'ed and unlinked relative to them,
    so nothing outside the cache can be reached even if a directory is
    replaced by a symlink meanwhile.  A first SIGINT (when called from the
    main thread) stops the deletion between two units, and what was
    removed is still accounted (``interrupted``); a second one raises
    KeyboardInterrupt.  Returns DeleteStats.
    """
    t0 = time.monotonic()
    total = DeleteStats()
    units = list(units)
    if not units:
        return total
    stop = threading.Event()
    previous = _stop_on_sigint(stop)
    rootfd = os.open(root, os.O_RDONLY | os.O_DIRECTORY | getattr(os, "O_CLOEXEC", 0))
    try:
        _delete_all(rootfd, units, jobs, progress, total, t0, stop)
    finally:
        os.close(rootfd)
        if previous is not None:
            signal.signal(signal.SIGINT, previous)
    total.interrupted = stop.is_set()
    total.seconds = time.monotonic() - t0
    return total


def _stop_on_sigint(stop):
    """Make SIGINT set ``stop`` (once; a second one raises KeyboardInterrupt).
    Returns the previous handler, or None where it cannot be replaced."""
    if threading.current_thread() is not threading.main_thread():
        return None

    def handler(signum, frame):
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()
    try:
        return signal.signal(signal.SIGINT, handler)
    except (ValueError, OSError):
        return None


def _delete_all(rootfd, units, jobs, progress, total, t0, stop):
    # Contiguous chunks keep the units of one directory in one thread: threads
    # unlinking in the same directory only contend for its lock.
    size = max(1, -(-len(units) // max(1, jobs * 16)))
    chunks = [units[i:i + size] for i in range(0, len(units), size)]
    if jobs <= 1:
        for c in chunks:
            total.merge(_delete_chunk(rootfd, c, stop))
    else:
        from concurrent.futures import ThreadPoolExecutor   # only here: 5 ms to import
        with ThreadPoolExecutor(max_workers=jobs) as ex:
            for r in ex.map(lambda c: _delete_chunk(rootfd, c, stop), chunks):
                total.merge(r)
                if progress is not None:
                    progress(total.removed_files, total.removed_bytes, time.monotonic() - t0)
