# SPDX-License-Identifier: MIT
"""One parallel scan of an sstate cache.

The cache is split into subtrees (the fan-out directories under the cache
root and under each host directory), which workers walk with ``os.scandir``.
Workers are threads by default; ``processes=N`` forks N scanner processes
instead, which also spreads the name parsing over the cores (the GIL
serialises it between threads).  Directory reads and ``stat`` release the
GIL, so threads still overlap I/O, which is what counts over NFS.

The walk reads directories only: the entry types from ``readdir``
(``d_type``) tell files from directories, so nothing is stat'ed and each
unit (an archive name and its companions) starts unmeasured.  The engine
then lstats only what a decision needs (:func:`measure`): the units of
duplicate groups, the units a policy selected (grace period, bytes
removed, re-check before deleting).  Policies that look at every file
(age, size budget) and ``--stat-all`` ask the walk to lstat everything
(``stat=True``), relative to the open directory.

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


def _unit(reldir, stem, spec, unihash, task, flags, members):
    return Unit(reldir, stem, spec, unihash, task, flags, members)


ARCHIVE, SIGINFO, SIG, DONE = 1, 2, 4, 8
_FLAG = {"": ARCHIVE, ".siginfo": SIGINFO, ".sig": SIG, ".done": DONE}
# Companion suffix -> flag, looked up with the name's last ".ext".
_CFLAG = {".siginfo": SIGINFO, ".sig": SIG, ".done": DONE}
# Member suffixes of a flag set, in deletion order: the archive ("") first,
# the .siginfo last (the suffixes' sort order).
_SUFFIXES = tuple(tuple(s for s in ("", ".done", ".sig", ".siginfo") if flags & _FLAG[s]) for flags in range(16))
_NFILES = tuple(len(s) for s in _SUFFIXES)


class Unit:
    """An archive name and the files that share it (archive, .sig, .siginfo, .done).

    ``spec`` is the :class:`names.Spec` shared by a recipe generation;
    ``flags`` a bit set of the suffixes the scan found (``suffixes`` lists
    them, ``nfiles`` counts them).

    The scan reads directories only (``d_type``), so a unit starts
    *unmeasured*: ``members``, ``mtime`` and ``size`` are None until
    :func:`measure` lstats it (or the scan does, with ``stat=True``).  Then
    ``members`` is a list of ``(suffix, mtime, size)`` for the members that
    still exist, in deletion order; ``mtime`` (last use: BitBake touches an
    archive and its companions each time it uses them) is the newest member
    mtime, ``size`` the sum.  ``kind`` is set after the scan (see
    engine.classify_units).
    """

    __slots__ = ("reldir", "stem", "spec", "unihash", "task", "flags", "kind", "members", "mtime", "size")

    def __init__(self, reldir, stem, spec, unihash, task, flags, members=None):
        self.reldir = reldir
        self.stem = stem
        self.spec = spec
        self.unihash = unihash
        self.task = task
        self.flags = flags
        self.kind = None
        if members is None:
            self.members = self.mtime = self.size = None
        else:
            self.set_members(members)

    def set_members(self, members):
        """Record measured ``(suffix, mtime, size)`` members (in deletion order)."""
        self.members = members
        if len(members) == 1:
            m = members[0]
            self.mtime = m[1]
            self.size = m[2]
            return
        mtime = size = 0
        for m in members:
            if m[1] > mtime:
                mtime = m[1]
            size += m[2]
        self.mtime = mtime
        self.size = size

    def __reduce__(self):
        return _unit, (self.reldir, self.stem, self.spec, self.unihash, self.task, self.flags, self.members)

    @property
    def info(self):
        return names.Info.make(self.spec, self.unihash, self.task)

    @property
    def pn(self):
        return self.spec[1]

    @property
    def suffixes(self):
        return _SUFFIXES[self.flags]

    @property
    def nfiles(self):
        """Files of the unit: measured ones when measured, else the ones the scan found."""
        return len(self.members) if self.members is not None else _NFILES[self.flags]

    @property
    def measured(self):
        return self.members is not None

    def has_archive(self):
        return bool(self.flags & ARCHIVE)

    def relpath(self, suffix=""):
        return (self.reldir + "/" + self.stem if self.reldir else self.stem) + suffix

    def ordered_members(self):
        """Measured members in deletion order: the archive ("") first, the .siginfo last."""
        return self.members

    def __repr__(self):
        return "Unit(%r, %s)" % (self.relpath(), list(self.suffixes))


def measure(root, units, errors=None):
    """lstat the members of ``units`` (below the cache directory ``root``).

    Fills ``members``/``mtime``/``size`` (see :class:`Unit`); units already
    measured are skipped.  Members that vanished are left out (a unit whose
    files all vanished gets ``members == []``); other errors go to
    ``errors`` as ``(relpath, message)``.  Returns the number of lstat
    calls.

    Paths are resolved from ``root``: this only reads metadata, and the
    deletion re-checks every member relative to directories it opens with
    O_NOFOLLOW, so a directory swapped for a symlink can mislead a
    measurement but never a deletion.
    """
    lstat = os.lstat
    calls = 0
    root = root.rstrip("/") + "/"
    for u in units:
        if u.members is not None:
            continue
        base = root + (u.reldir + "/" + u.stem if u.reldir else u.stem)
        members = []
        for suffix in _SUFFIXES[u.flags]:
            calls += 1
            try:
                st = lstat(base + suffix)
            except FileNotFoundError:
                continue                         # another cleaner
            except OSError as err:
                if errors is not None:
                    errors.append((u.relpath(suffix), err.strerror or str(err)))
                continue
            members.append((suffix, st.st_mtime, st.st_size))
        u.set_members(members)
    return calls


class ScanResult:
    """What one scan found.  Sizes are apparent sizes (``st_size``)."""

    def __init__(self):
        self.units = []
        self.files = 0                   # every non-directory entry, symlinks included
        self.bytes = 0                   # with stat=True; else only the temporary and unknown files'
        self.measured = False            # stat=True: every unit is measured, ``bytes`` is the total
        self.dirs = 0
        self.temporary = [0, 0]          # files, bytes (temp dirs are not entered)
        self.temporary_dirs = 0
        self.unknown = []                # (relpath, reason)
        self.unknown_bytes = 0
        self.errors = []                 # (relpath, message)
        self.seconds = 0.0
        self.raw = None                  # scanner process: unparsed names, see _scan_one

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


def _scan_one(fd, reldir, native, w, subdirs, counter, stat=False, raw=None):
    """Scan the open directory ``fd``: files go into ``w``, subdirectories
    onto ``subdirs`` as ``(reldir, native)``.

    Without ``stat`` nothing is stat'ed but the rare entries that are
    neither an sstate name nor a directory (their sizes are reported): the
    directory entries' types (``d_type``) tell files from directories, and
    units are measured later, only where a policy needs it.  With ``stat``
    every file is lstat'ed here, relative to ``fd``.  With a ``raw`` list
    (scanner processes), sstate names are appended to it unparsed.
    """
    try:
        it = os.scandir(fd)
    except OSError as e:
        w.errors.append((reldir or ".", e.strerror or str(e)))
        return
    w.dirs += 1
    byname = {}
    get = byname.get
    cflag = _CFLAG
    prefix = reldir + "/" if reldir else ""
    special = None
    # Pass 1, the hot loop: group names by archive name.
    try:
        with it:
            for e in it:
                name = e.name
                try:
                    if not e.is_file(follow_symlinks=False):
                        if e.is_dir(follow_symlinks=False):
                            if is_temporary_dir(name):
                                w.temporary_dirs += 1
                            else:
                                sub = prefix + name
                                subdirs.append((sub, native if native is not None else _native_of(sub)))
                            continue
                        if not e.is_symlink():           # neither a file nor a symlink: fifo, socket...
                            if special is None:
                                special = []
                            special.append(name)
                            continue
                    if stat:
                        st = e.stat(follow_symlinks=False)
                except FileNotFoundError:
                    continue                     # vanished under us: another cleaner
                except OSError as err:
                    w.errors.append((prefix + name, err.strerror or str(err)))
                    continue
                i = name.rfind(".")
                f = cflag.get(name[i:]) if i > 0 else None
                if f is None:
                    stem, f = name, ARCHIVE
                else:
                    stem = name[:i]
                if stat:
                    m = get(stem)
                    if m is None:
                        byname[stem] = [f, {f: (st.st_mtime, st.st_size)}]
                    else:
                        m[0] |= f
                        m[1][f] = (st.st_mtime, st.st_size)
                else:
                    byname[stem] = get(stem, 0) | f
    except OSError as err:                       # readdir failed half-way
        w.errors.append((reldir or ".", err.strerror or str(err)))
    if special:
        for name in special:
            size = _lstat_size(fd, prefix + name, name, w)
            if size is not None:
                w.files += 1
                w.bytes += size
                w.unknown.append((prefix + name, "not a regular file or symlink"))
                w.unknown_bytes += size
    if not byname:
        counter[1] += 1
        return
    # Pass 2: one parse per archive name.
    if native is None:
        native = native_dir(reldir)
    if raw is not None:
        # Scanner process: hand the sstate names back as two flat values (cheap
        # to pickle); the parent parses them.  The rest is classified here.
        stems = [stem for stem in byname if stem[:6] == "sstate"]
        if stems:
            flags = bytes(byname.pop(stem) for stem in stems)
            raw.append((reldir, native, "\n".join(stems), flags))
            n = sum(_NFILES[f] for f in flags)
            w.files += n
            counter[0] += n
    nfiles, nbytes = _add_units(byname.items(), reldir, native, w, stat,
                                lambda name: _lstat_size(fd, prefix + name, name, w))
    w.files += nfiles
    w.bytes += nbytes
    counter[0] += nfiles
    counter[1] += 1


def _add_units(items, reldir, native, w, stat, size_of):
    """Parse the archive names of one directory: ``items`` are ``(stem, flags)``
    (with ``stat``: ``(stem, [flags, {flag: (mtime, size)}])``).  Units go to
    ``w.units``; other names are classified as temporary or unknown, sized
    with ``size_of(name)`` (None: vanished).  Returns (files, bytes)."""
    prefix = reldir + "/" if reldir else ""
    nfiles = nbytes = 0
    units = w.units
    fast = _fast_specs.get(native)
    if fast is None:
        fast = _fast_specs[native] = {}
    tasks = _fast_tasks
    for stem, v in items:
        spec = None
        if stat:
            flags, stats = v
        else:
            flags, stats = v, None
        # Fast path for the usual name: the spec (everything up to the last
        # ':') is shared by every task of a recipe generation, so one dict
        # lookup replaces the parse.
        i = stem.rfind(":")
        if stem[-8:] == ".tar.zst" and i > 0:
            spec = fast.get(stem[:i])
            if spec is not None:
                unihash, sep, task = stem[i + 1:-8].partition("_")
                if sep and unihash and task:
                    t = tasks.get(task)
                    if t is None:
                        t = tasks[task] = task
                    task = t
                else:
                    spec = None
        if spec is None and stem[:6] == "sstate":
            spec, unihash, task = split_stem(stem, native)
            if spec is not None and spec.ext == ".tar.zst" and not spec.legacy:
                fast[stem[:i]] = spec
        if spec is not None:
            if stats is None:
                u = Unit(reldir, stem, spec, unihash, task, flags)
                nfiles += _NFILES[flags]
            else:
                u = Unit(reldir, stem, spec, unihash, task, flags,
                         [(s, ) + stats[_FLAG[s]] for s in _SUFFIXES[flags]])
                nfiles += len(u.members)
                nbytes += u.size
            units.append(u)
            continue
        for suffix in _SUFFIXES[flags]:
            name = stem + suffix
            p = classify(name, native)
            if p[0] is SELF:
                continue
            if stats is not None:
                size = stats[_FLAG[suffix]][1]
            else:
                size = size_of(name)
                if size is None:
                    continue
            nfiles += 1
            nbytes += size
            if p[0] is TEMPORARY:
                w.temporary[0] += 1
                w.temporary[1] += size
            else:
                w.unknown.append((prefix + name, p[4]))
                w.unknown_bytes += size
    return nfiles, nbytes


def _add_raw(root, raw, w):
    """Parent side of a process scan: build the units of ``raw`` directories."""
    root = root.rstrip("/") + "/"
    for reldir, native, stems, flags in raw:
        base = root + reldir + "/" if reldir else root

        def size_of(name):
            try:
                return os.lstat(base + name).st_size
            except OSError:
                return None
        # the scanner counted the files already: only the sizes of odd names are new
        w.bytes += _add_units(zip(stems.split("\n"), flags), reldir, native, w, False, size_of)[1]


_fast_specs = {}           # native dir -> {"sstate:<pn>:...:<version>": Spec} (.tar.zst names)
_fast_tasks = {}


def _lstat_size(fd, relpath, name, w):
    """Size of ``name`` in the open directory ``fd``, or None (vanished; errors recorded)."""
    try:
        return os.lstat(name, dir_fd=fd).st_size
    except FileNotFoundError:
        return None
    except OSError as err:
        w.errors.append((relpath, err.strerror or str(err)))
        return None


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


def _walk_dir(fd, reldir, native, w, counter, stat, raw=None):
    """Scan the open directory ``fd`` and everything below it; closes ``fd``."""
    try:
        subdirs = []
        _scan_one(fd, reldir, native, w, subdirs, counter, stat, raw)
        for sub, subnative in subdirs:
            cfd = _enter(w, sub, lambda: open_dir_at(fd, sub.rpartition("/")[2]))
            if cfd is not None:
                _walk_dir(cfd, sub, subnative, w, counter, stat, raw)
    finally:
        os.close(fd)


def _walk(rootfd, tops, counter=None, stat=False, raw=None):
    """Walk the subtrees ``tops`` (``(reldir, native)``) depth first; returns a ScanResult."""
    if counter is None:
        counter = [0, 0]
    w = ScanResult()
    for reldir, native in tops:
        fd = _enter(w, reldir, lambda: open_reldir(rootfd, reldir))
        if fd is not None:
            _walk_dir(fd, reldir, native, w, counter, stat, raw)
    w.raw = raw
    return w


_fork_root = None
_fork_stat = False


def _walk_forked(tops):
    # Without stat, the units travel back unparsed (see _scan_one): pickling
    # a hundred thousand Unit objects costs more than parsing them again.
    return _walk(_fork_root, tops, stat=_fork_stat, raw=None if _fork_stat else [])


def _split(tasks, n):
    """Deal subtrees round-robin so that every worker gets a similar share."""
    return [tasks[i::n] for i in range(n) if tasks[i::n]]


# Filesystems where a directory read or stat is a network round trip: there,
# threads overlap the waits.  On local filesystems with a warm cache the walk
# is CPU-bound, and threads only add GIL hand-offs (os.scandir releases the
# GIL for every entry): on the benchmark tree -j 8 cost 10-60 % more CPU
# than one thread, so a local walk uses one.
NETWORK_FS = frozenset("nfs nfs4 cifs smb3 smbfs 9p ceph fuse.sshfs fuse.glusterfs glusterfs lustre "
                       "gpfs afs fuse.s3fs fuse.rclone beegfs orangefs".split())


def fs_type(path):
    """Type of the filesystem holding ``path`` (from /proc/self/mountinfo), or None."""
    try:
        with open("/proc/self/mountinfo") as f:
            lines = f.readlines()
    except OSError:
        return None
    path = os.path.realpath(path)
    best, best_len = None, -1
    for line in lines:
        left, _, right = line.partition(" - ")
        fields = left.split()
        if len(fields) < 5 or not right:
            continue
        mnt = fields[4].replace("\\040", " ")
        if (path == mnt or path.startswith(mnt.rstrip("/") + "/")) and len(mnt) > best_len:
            best, best_len = right.split()[0], len(mnt)
    return best


def scan_threads(root, jobs):
    """Threads for walking ``root``: ``jobs`` on a network filesystem, else 1."""
    return jobs if fs_type(root) in NETWORK_FS else 1


def scan(root, jobs=8, progress=None, processes=0, stat=False):
    """Scan the cache directory ``root`` (which must exist).

    ``jobs`` threads walk the subtrees; with ``processes`` > 1 that many
    forked processes do (falls back to threads where fork is unavailable).
    ``progress``, if given, is called about 4 times a second from a helper
    thread with ``(files, dirs, seconds)``, and once at the end.
    ``stat``: lstat every file during the scan (policies that need every
    mtime or size); else units are left unmeasured (see :func:`measure`).
    Returns a :class:`ScanResult`.
    """
    t0 = time.monotonic()
    root = os.path.abspath(root)
    res = ScanResult()
    counter = [0, 0]
    rootfd = os.open(root, os.O_RDONLY | os.O_DIRECTORY | getattr(os, "O_CLOEXEC", 0))
    try:
        return _scan(root, rootfd, res, counter, t0, jobs, progress, processes, stat)
    finally:
        os.close(rootfd)


def _scan(root, rootfd, res, counter, t0, jobs, progress, processes, stat):
    global _fork_root, _fork_stat
    res.measured = stat
    # Expand the top levels here so that work splits into many small subtrees:
    # the cache root, and the host (NATIVELSBSTRING) dirs whose children are
    # the 256 fan-out dirs.
    level = []
    _scan_one(rootfd, "", "", res, level, counter, stat)
    tasks = []
    for d, native in level:
        if len(d) == 2:
            tasks.append((d, ""))
            continue
        fd = _enter(res, d, lambda: open_reldir(rootfd, d))
        if fd is not None:
            try:
                _scan_one(fd, d, None, res, tasks, counter, stat)
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
                _fork_root, _fork_stat = rootfd, stat
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
                parts = [_walk(rootfd, tasks, counter, stat)]
            else:
                with ThreadPoolExecutor(max_workers=jobs) as ex:
                    parts = list(ex.map(lambda ch: _walk(rootfd, ch, counter, stat), _split(tasks, jobs * 8)))
        for part in parts:
            res.merge(part)
            if part.raw:
                _add_raw(root, part.raw, res)
    finally:
        stop.set()
        if monitor is not None:
            monitor.join()
    res.seconds = time.monotonic() - t0
    if progress is not None:
        progress(res.files, res.dirs, res.seconds)
    return res
