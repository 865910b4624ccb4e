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
import time
from concurrent.futures import ThreadPoolExecutor

from . import names
from .names import SELF, TEMPORARY, classify, is_temporary_dir, native_dir, split_stem


def _unit(reldir, stem, spec, unihash, task, members):
    u = Unit(reldir, stem, spec, unihash, task)
    u.members = members
    return u


class Unit:
    """An archive name and the files that share it (archive, .sig, .siginfo, .done).

    ``spec`` is the :class:`names.Spec` shared by a recipe generation;
    ``members`` is a list of ``(suffix, mtime, size)`` where suffix ``""`` is
    the archive.  ``kind`` is set after the scan (see engine).
    """

    __slots__ = ("reldir", "stem", "spec", "unihash", "task", "members", "kind")

    def __init__(self, reldir, stem, spec, unihash, task):
        self.reldir = reldir
        self.stem = stem
        self.spec = spec
        self.unihash = unihash
        self.task = task
        self.members = []
        self.kind = None

    def __reduce__(self):
        return _unit, (self.reldir, self.stem, self.spec, self.unihash, self.task, self.members)

    @property
    def info(self):
        return names.Info.make(self.spec, self.unihash, self.task)

    @property
    def pn(self):
        return self.spec[1]

    @property
    def mtime(self):
        """Last use: BitBake touches the archive and its companions on use."""
        return max(m[1] for m in self.members)

    @property
    def size(self):
        return sum(m[2] for m in self.members)

    def has_archive(self):
        return any(m[0] == "" for m in self.members)

    def relpath(self, suffix=""):
        return (self.reldir + "/" + self.stem if self.reldir else self.stem) + suffix

    def ordered_members(self):
        return sorted(self.members, key=lambda m: names.MEMBER_ORDER[m[0]])

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


def _scan_one(root, reldir, w, subdirs, counter):
    """Scan one directory: files go into ``w``, subdirectories into ``subdirs``."""
    path = root + "/" + reldir if reldir else root
    try:
        it = os.scandir(path)
    except FileNotFoundError:
        return                                   # removed by someone else meanwhile
    except OSError as e:
        if not reldir:
            raise
        w.errors.append((reldir, e.strerror or str(e)))
        return
    w.dirs += 1
    native = native_dir(reldir)
    byname = {}
    nfiles = nbytes = 0
    try:
        with it:
            for e in it:
                name = e.name
                try:
                    if e.is_dir(follow_symlinks=False):
                        if is_temporary_dir(name):
                            w.temporary_dirs += 1
                        else:
                            subdirs.append(reldir + "/" + name if reldir else name)
                        continue
                    st = e.stat(follow_symlinks=False)
                except FileNotFoundError:
                    continue                     # vanished under us: another cleaner
                except OSError as err:
                    w.errors.append((_rel(reldir, name), err.strerror or str(err)))
                    continue
                nfiles += 1
                size = st.st_size
                nbytes += size
                fmt = st.st_mode & 0o170000
                if (fmt == 0o100000 or fmt == 0o120000) and name.startswith("sstate"):
                    # Fast path: companions find their unit by the archive name.
                    if name.endswith(".siginfo"):
                        stem, suffix = name[:-8], ".siginfo"
                    elif name.endswith(".sig"):
                        stem, suffix = name[:-4], ".sig"
                    elif name.endswith(".done"):
                        stem, suffix = name[:-5], ".done"
                    else:
                        stem, suffix = name, ""
                    u = byname.get(stem)
                    if u is None:
                        spec, unihash, task = split_stem(stem, native)
                        if spec is not None:
                            u = byname[stem] = Unit(reldir, stem, spec, unihash, task)
                    if u is not None:
                        u.members.append((suffix, st.st_mtime, size))
                        continue
                if fmt != 0o100000 and fmt != 0o120000:
                    w.unknown.append((_rel(reldir, name), "not a regular file or symlink"))
                    w.unknown_bytes += size
                    continue
                p = classify(name, native)
                kind = p[0]
                if kind is TEMPORARY:
                    w.temporary[0] += 1
                    w.temporary[1] += size
                elif kind is SELF:
                    nfiles -= 1
                    nbytes -= size
                else:
                    w.unknown.append((_rel(reldir, name), p[4]))
                    w.unknown_bytes += size
    except OSError as err:                       # readdir failed half-way
        w.errors.append((reldir or ".", err.strerror or str(err)))
    w.files += nfiles
    w.bytes += nbytes
    counter[0] += nfiles
    counter[1] += 1
    if byname:
        w.units.extend(byname.values())


def _walk(root, tops, counter=None):
    """Walk the subtrees ``tops`` (relative dirs) depth first; returns a ScanResult."""
    if counter is None:
        counter = [0, 0]
    w = ScanResult()
    for top in tops:
        stack = [top]
        while stack:
            _scan_one(root, stack.pop(), w, stack, counter)
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
    global _fork_root
    t0 = time.monotonic()
    root = os.path.abspath(root)
    res = ScanResult()
    counter = [0, 0]
    # Expand the top levels here so that work splits into many small subtrees:
    # the cache root, and the host (NATIVELSBSTRING) dirs whose children are
    # the 256 fan-out dirs.
    level = []
    _scan_one(root, "", res, level, counter)
    tasks = []
    for d in level:
        if len(d) == 2:
            tasks.append(d)
        else:
            _scan_one(root, d, res, tasks, counter)
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
                _fork_root = root
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
                parts = [_walk(root, tasks, counter)]
            else:
                with ThreadPoolExecutor(max_workers=jobs) as ex:
                    parts = list(ex.map(lambda ch: _walk(root, ch, counter), _split(tasks, jobs * 8)))
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
