# SPDX-License-Identifier: MIT
"""One parallel scan of an sstate cache.

The cache is split into subtrees (the fan-out directories under the cache
root and under each host directory), which workers walk with ``os.scandir``.
Workers are threads by default; ``processes=N`` forks N scanner processes
instead, which also spreads the name parsing over the cores (the GIL
serialises it between threads).  Directory reads and ``stat`` release the
GIL, so threads still overlap I/O, which is what counts over NFS.

Symlinks are never followed: a symlink is an entry in its own right, judged
by its name and its own (lstat) mtime, which BitBake updates with
``touch --no-dereference``.  A directory symlink is never entered, so the
scan cannot leave the cache.  Directories that look like signing/staging
temporaries (``tmpXXXXXXXX``) are counted and not entered.

Errors (EACCES, ENOENT from a racing cleaner, ...) are recorded with their
path and the scan goes on.
"""

import os
import threading
from operator import itemgetter
import time
from concurrent.futures import ThreadPoolExecutor

from . import names
from .names import SELF, TEMPORARY, classify, is_temporary_dir, native_dir, split_stem


def _unit(reldir, stem, spec, unihash, task, members):
    return Unit(reldir, stem, spec, unihash, task, members)


ARCHIVE, SIGINFO, SIG, DONE = 1, 2, 4, 8
_FLAG = {"": ARCHIVE, ".siginfo": SIGINFO, ".sig": SIG, ".done": DONE}


class Unit:
    """An archive name and the files that share it (archive, .sig, .siginfo, .done).

    ``spec`` is the :class:`names.Spec` shared by a recipe generation;
    ``members`` is a list of ``(suffix, mtime, size)`` where suffix ``""`` is
    the archive.  ``mtime`` (last use: BitBake touches an archive and its
    companions each time it uses them) is the newest member mtime, ``size``
    the sum, ``flags`` a bit set of the suffixes present.  ``kind`` is set
    after the scan (see engine.classify_units).
    """

    __slots__ = ("reldir", "stem", "spec", "unihash", "task", "members", "kind", "mtime", "size", "flags")

    def __init__(self, reldir, stem, spec, unihash, task, members):
        self.reldir = reldir
        self.stem = stem
        self.spec = spec
        self.unihash = unihash
        self.task = task
        self.members = members
        self.kind = None
        if len(members) == 1:
            m = members[0]
            self.mtime = m[1]
            self.size = m[2]
            self.flags = _FLAG[m[0]]
        else:
            mtime = size = flags = 0
            for m in members:
                if m[1] > mtime:
                    mtime = m[1]
                size += m[2]
                flags |= _FLAG[m[0]]
            self.mtime = mtime
            self.size = size
            self.flags = flags

    def __reduce__(self):
        return _unit, (self.reldir, self.stem, self.spec, self.unihash, self.task, self.members)

    @property
    def info(self):
        return names.Info.make(self.spec, self.unihash, self.task)

    @property
    def pn(self):
        return self.spec[1]

    def has_archive(self):
        return bool(self.flags & ARCHIVE)

    def relpath(self, suffix=""):
        return (self.reldir + "/" + self.stem if self.reldir else self.stem) + suffix

    def ordered_members(self):
        """Members in deletion order: the archive ("") first, the .siginfo last."""
        return sorted(self.members, key=itemgetter(0)) if len(self.members) > 1 else self.members

    def __repr__(self):
        return "Unit(%r, %s)" % (self.relpath(), [m[0] for m in self.members])


class ScanResult:
    """What one scan found.  Sizes are apparent sizes (``st_size``)."""

    def __init__(self):
        self.units = []
        self.files = 0                   # every non-directory entry, symlinks included
        self.bytes = 0
        self.dirs = 0
        self.temporary = [0, 0]          # files, bytes (temp dirs are not entered)
        self.temporary_dirs = 0
        self.unknown = []                # (relpath, reason)
        self.unknown_bytes = 0
        self.errors = []                 # (relpath, message)
        self.seconds = 0.0

    def merge(self, w):
        self.units.extend(w.units)
        self.files += w.files
        self.bytes += w.bytes
        self.dirs += w.dirs
        self.temporary[0] += w.temporary[0]
        self.temporary[1] += w.temporary[1]
        self.temporary_dirs += w.temporary_dirs
        self.unknown.extend(w.unknown)
        self.unknown_bytes += w.unknown_bytes
        self.errors.extend(w.errors)


def _rel(reldir, name):
    return reldir + "/" + name if reldir else name


_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)


def open_dir_at(dirfd, name):
    """Open directory ``name`` relative to ``dirfd`` without following a symlink.

    Opening every directory relative to its parent's descriptor with
    O_NOFOLLOW means a directory swapped for a symlink while we work can
    never lead us out of the cache.
    """
    return os.open(name, _DIR_FLAGS, dir_fd=dirfd)


def open_reldir(rootfd, reldir):
    """Open ``reldir`` (relative to the cache) component by component, O_NOFOLLOW."""
    fd = os.dup(rootfd)
    try:
        for part in reldir.split("/") if reldir else ():
            nfd = open_dir_at(fd, part)
            os.close(fd)
            fd = nfd
    except BaseException:
        os.close(fd)
        raise
    return fd


def _scan_one(fd, reldir, native, w, subdirs, counter):
    """Scan the open directory ``fd``: files go into ``w``, subdirectories
    onto ``subdirs`` as ``(reldir, native)``."""
    try:
        it = os.scandir(fd)
    except OSError as e:
        w.errors.append((reldir or ".", e.strerror or str(e)))
        return
    w.dirs += 1
    byname = {}
    prefix = reldir + "/" if reldir else ""
    # Pass 1, the hot loop: only stat and group names by archive name.
    try:
        with it:
            for e in it:
                name = e.name
                try:
                    if e.is_dir(follow_symlinks=False):
                        if is_temporary_dir(name):
                            w.temporary_dirs += 1
                        else:
                            sub = prefix + name
                            subdirs.append((sub, native if native is not None else _native_of(sub)))
                        continue
                    st = e.stat(follow_symlinks=False)
                except FileNotFoundError:
                    continue                     # vanished under us: another cleaner
                except OSError as err:
                    w.errors.append((prefix + name, err.strerror or str(err)))
                    continue
                fmt = st.st_mode & 0o170000
                if fmt != 0o100000 and fmt != 0o120000:          # neither a file nor a symlink
                    w.files += 1
                    w.bytes += st.st_size
                    w.unknown.append((prefix + name, "not a regular file or symlink"))
                    w.unknown_bytes += st.st_size
                    continue
                if name[-8:] == ".siginfo":
                    stem, suffix = name[:-8], ".siginfo"
                elif name[-4:] == ".sig":
                    stem, suffix = name[:-4], ".sig"
                elif name[-5:] == ".done":
                    stem, suffix = name[:-5], ".done"
                else:
                    stem, suffix = name, ""
                m = byname.get(stem)
                if m is None:
                    byname[stem] = [(suffix, st.st_mtime, st.st_size)]
                else:
                    m.append((suffix, st.st_mtime, st.st_size))
    except OSError as err:                       # readdir failed half-way
        w.errors.append((reldir or ".", err.strerror or str(err)))
    if not byname:
        counter[1] += 1
        return
    # Pass 2: one parse per archive name.
    if native is None:
        native = native_dir(reldir)
    nfiles = nbytes = 0
    units = w.units
    for stem, members in byname.items():
        spec = None
        if stem[:6] == "sstate":
            spec, unihash, task = split_stem(stem, native)
        if spec is not None:
            u = Unit(reldir, stem, spec, unihash, task, members)
            units.append(u)
            nfiles += len(members)
            nbytes += u.size
            continue
        for suffix, _, size in members:
            name = stem + suffix
            p = classify(name, native)
            if p[0] is SELF:
                continue
            nfiles += 1
            nbytes += size
            if p[0] is TEMPORARY:
                w.temporary[0] += 1
                w.temporary[1] += size
            else:
                w.unknown.append((prefix + name, p[4]))
                w.unknown_bytes += size
    w.files += nfiles
    w.bytes += nbytes
    counter[0] += nfiles
    counter[1] += 1


def _native_of(reldir):
    """Host dir for a subtree, or None while it is not known yet (top levels)."""
    parts = reldir.split("/")
    if len(parts) >= 2 and len(parts[-1]) == 2 and len(parts[-2]) == 2:
        return native_dir(reldir)
    if len(parts) >= 3:
        return native_dir(reldir)
    return None


def _enter(w, relpath, opener):
    """Open a directory with ``opener()``; on failure record why and return None."""
    try:
        return opener()
    except FileNotFoundError:
        return None                              # removed meanwhile
    except OSError as e:                         # EACCES, or ELOOP/ENOTDIR: now a symlink
        w.errors.append((relpath, e.strerror or str(e)))
        return None


def _walk_dir(fd, reldir, native, w, counter):
    """Scan the open directory ``fd`` and everything below it; closes ``fd``."""
    try:
        subdirs = []
        _scan_one(fd, reldir, native, w, subdirs, counter)
        for sub, subnative in subdirs:
            cfd = _enter(w, sub, lambda: open_dir_at(fd, sub.rpartition("/")[2]))
            if cfd is not None:
                _walk_dir(cfd, sub, subnative, w, counter)
    finally:
        os.close(fd)


def _walk(rootfd, tops, counter=None):
    """Walk the subtrees ``tops`` (``(reldir, native)``) depth first; returns a ScanResult."""
    if counter is None:
        counter = [0, 0]
    w = ScanResult()
    for reldir, native in tops:
        fd = _enter(w, reldir, lambda: open_reldir(rootfd, reldir))
        if fd is not None:
            _walk_dir(fd, reldir, native, w, counter)
    return w


_fork_root = None


def _walk_forked(tops):
    return _walk(_fork_root, tops)


def _split(tasks, n):
    """Deal subtrees round-robin so that every worker gets a similar share."""
    return [tasks[i::n] for i in range(n) if tasks[i::n]]


def scan(root, jobs=8, progress=None, processes=0):
    """Scan the cache directory ``root`` (which must exist).

    ``jobs`` threads walk the subtrees; with ``processes`` > 1 that many
    forked processes do (falls back to threads where fork is unavailable).
    ``progress``, if given, is called about 4 times a second from a helper
    thread with ``(files, dirs, seconds)``, and once at the end.
    Returns a :class:`ScanResult`.
    """
    t0 = time.monotonic()
    root = os.path.abspath(root)
    res = ScanResult()
    counter = [0, 0]
    rootfd = os.open(root, os.O_RDONLY | os.O_DIRECTORY | getattr(os, "O_CLOEXEC", 0))
    try:
        return _scan(rootfd, res, counter, t0, jobs, progress, processes)
    finally:
        os.close(rootfd)


def _scan(rootfd, res, counter, t0, jobs, progress, processes):
    global _fork_root
    # Expand the top levels here so that work splits into many small subtrees:
    # the cache root, and the host (NATIVELSBSTRING) dirs whose children are
    # the 256 fan-out dirs.
    level = []
    _scan_one(rootfd, "", "", res, level, counter)
    tasks = []
    for d, native in level:
        if len(d) == 2:
            tasks.append((d, ""))
            continue
        fd = _enter(res, d, lambda: open_reldir(rootfd, d))
        if fd is not None:
            try:
                _scan_one(fd, d, None, res, tasks, counter)
            finally:
                os.close(fd)
    stop = threading.Event()
    monitor = None

    def start_monitor():
        nonlocal monitor
        if progress is not None:
            def _monitor():
                while not stop.wait(0.25):
                    progress(counter[0], counter[1], time.monotonic() - t0)
            monitor = threading.Thread(target=_monitor, daemon=True)
            monitor.start()

    try:
        parts = None
        if processes and processes > 1 and len(tasks) > 1 and hasattr(os, "fork"):
            try:
                import multiprocessing
                ctx = multiprocessing.get_context("fork")
                _fork_root = rootfd
                with ctx.Pool(processes) as pool:
                    start_monitor()             # after the fork: children get no stray thread
                    # children do not share the counter: count per finished chunk
                    parts = []
                    for part in pool.imap_unordered(_walk_forked, _split(tasks, processes * 4)):
                        counter[0] += part.files
                        counter[1] += part.dirs
                        parts.append(part)
            except (OSError, ImportError, ValueError):
                parts = None                     # no fork or no semaphores: use threads
        if parts is None:
            if monitor is None:
                start_monitor()
            if jobs <= 1 or len(tasks) <= 1:
                parts = [_walk(rootfd, tasks, counter)]
            else:
                with ThreadPoolExecutor(max_workers=jobs) as ex:
                    parts = list(ex.map(lambda ch: _walk(rootfd, ch, counter), _split(tasks, jobs * 8)))
        for part in parts:
            res.merge(part)
    finally:
        stop.set()
        if monitor is not None:
            monitor.join()
    res.seconds = time.monotonic() - t0
    if progress is not None:
        progress(res.files, res.dirs, res.seconds)
    return res
