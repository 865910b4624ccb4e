# SPDX-License-Identifier: MIT
"""One parallel scan of an sstate cache.

The cache is split into subtrees (the fan-out directories under the cache
root and under each host directory), which are walked with ``os.scandir``.
With ``processes=N`` (the engine's default on a local filesystem: one per
CPU, up to 4), a ``concurrent.futures`` pool of N-1 forked workers walks
shares of the subtrees while this process walks its own, so the walk, the
name parsing and the grouping run on N cores; a worker returns its units
as plain tuples and this process builds them.  :func:`measure` shares its
lstat calls the same way.  A worker that cannot be started or fails costs
time, never results: its share is then done here.  On a network filesystem threads walk instead (the GIL
serialises the parsing, but directory reads and ``stat`` release it, and
overlapping round trips is what counts there).

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

import array
import os
import signal
import threading
import time
from itertools import starmap

from .names import SELF, TEMPORARY, classify, is_temporary_dir, native_dir, split_stem


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

    def relpath(self, suffix=""):
        return (self.reldir + "/" + self.stem if self.reldir else self.stem) + suffix

    def __repr__(self):
        return "Unit(%r, %s)" % (self.relpath(), list(self.suffixes))


def measure(root, units, errors=None, processes=0):
    """lstat the members of ``units`` (below the cache directory ``root``).

    Fills ``members``/``mtime``/``size`` (see :class:`Unit`); units already
    measured are skipped.  Members that vanished are left out (a unit whose
    files all vanished gets ``members == []``); other errors go to
    ``errors`` as ``(relpath, message)``.  Returns the number of lstat
    calls.

    With ``processes`` > 1 and enough units, the lstat calls are shared
    with a pool of ``processes - 1`` workers (see :func:`_pool`); the
    result is the same.

    Paths are resolved from ``root`` (relative to a descriptor of it
    opened once): this only reads metadata, and the
    deletion re-checks every member relative to directories it opens with
    O_NOFOLLOW, so a directory swapped for a symlink can mislead a
    measurement but never a deletion.
    """
    todo = [u for u in units if u.members is None]
    if not todo:
        return 0
    n = processes if processes > 1 and len(todo) >= FORK_MEASURE_MIN else 1
    try:
        rootfd = os.open(root, os.O_RDONLY | os.O_DIRECTORY | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:                    # the whole cache vanished: so did every member
        for u in todo:
            u.members, u.mtime, u.size = [], 0, 0
        return 0
    # Made now, after the scan: a worker is forked with ``todo`` in its
    # initializer's arguments, so the units reach it without pickling.
    pool = _pool(n - 1, _set_todo, (todo,)) if n > 1 else None
    try:
        shares = [_submit(pool, _measure_share, rootfd, k, n) for k in range(1, n)]
        calls = _measure(rootfd, todo[0::n] if n > 1 else todo, errors)
        for k, future in enumerate(shares, 1):
            share = _result(future)
            if share is None:                    # no worker, or it failed: measure here
                calls += _measure(rootfd, todo[k::n], errors)
                continue
            found, mtimes, sizes, errs, c = share
            calls += c
            if errors is not None:
                errors.extend(errs)
            _apply_measured(todo[k::n], found, mtimes, sizes)
        _close(pool, True)
        return calls
    finally:
        _close(pool, False)
        os.close(rootfd)


# Below this many units a worker costs more than it saves.
FORK_MEASURE_MIN = 20000


def _measure(rootfd, todo, errors):
    # Paths relative to the cache's descriptor: the kernel resolves 2-3
    # components per call instead of the whole absolute path.
    lstat = os.lstat
    calls = 0
    for u in todo:
        reldir = u.reldir
        base = reldir + "/" + u.stem if reldir else u.stem
        members = []
        for suffix in _SUFFIXES[u.flags]:
            calls += 1
            try:
                st = lstat(base + suffix, dir_fd=rootfd)
            except FileNotFoundError:
                continue                         # another cleaner
            except OSError as err:
                if errors is not None:
                    errors.append((u.relpath(suffix), err.strerror or str(err)))
                continue
            members.append((suffix, st.st_mtime, st.st_size))
        u.set_members(members)
    return calls


def _measure_share(rootfd, k, n):
    """In a worker: lstat every ``n``-th unit of the pool's ``todo`` from the
    ``k``-th.  Returns flat arrays (one byte of found-suffix bits per unit,
    each found member's mtime and size), which cross to the parent as a few
    large buffers instead of a tuple per member.  The worker works in the
    cache directory (its own working directory, not the parent's), so that
    its paths are plain relative ones."""
    os.fchdir(rootfd)
    todo = _todo
    lstat = os.lstat
    found = bytearray()
    mtimes = array.array("d")
    sizes = array.array("q")
    errors = []
    calls = 0
    for i in range(k, len(todo), n):
        u = todo[i]
        reldir = u.reldir
        base = reldir + "/" + u.stem if reldir else u.stem
        bits = 0
        bit = 1
        for suffix in _SUFFIXES[u.flags]:
            calls += 1
            try:
                st = lstat(base + suffix)
            except FileNotFoundError:
                pass
            except OSError as err:
                errors.append((u.relpath(suffix), err.strerror or str(err)))
            else:
                bits |= bit
                mtimes.append(st.st_mtime)
                sizes.append(st.st_size)
            bit <<= 1
        found.append(bits)
    return found, mtimes, sizes, errors, calls


def _apply_measured(units, found, mtimes, sizes):
    """Fill ``units`` from the arrays of :func:`_measure_share`."""
    j = 0
    for u, bits in zip(units, found):
        members = []
        bit = 1
        for suffix in _SUFFIXES[u.flags]:
            if bits & bit:
                members.append((suffix, mtimes[j], sizes[j]))
                j += 1
            bit <<= 1
        u.set_members(members)


def _pool(n, init=None, initargs=()):
    """A ``concurrent.futures`` pool of ``n`` worker processes for shares of
    the walk or of the lstat calls, or None where processes cannot be made.

    Fork context: a worker starts as a copy of this process, so
    ``initargs`` reach it without pickling, the descriptors open at its
    first ``submit`` (the cache directory's) are its own, and it closes the
    cache lock at once (lock.py).  A worker dies with this process (it
    would otherwise walk on for no one).
    """
    try:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor   # only here: 20 ms to import
        return ProcessPoolExecutor(n, mp_context=multiprocessing.get_context("fork"),
                                   initializer=_worker_init, initargs=(os.getpid(), init, initargs))
    except (ImportError, ValueError):          # no fork here
        return None


def _worker_init(parent, init, initargs):
    die_with_parent = _die_with_parent()
    if die_with_parent is not None:
        die_with_parent()
    # A parent killed between the fork and the prctl sends no signal: the
    # worker would wait on its queue for ever, holding the pipes of whoever
    # ran the pruner.
    if os.getppid() != parent:
        os._exit(1)
    if init is not None:
        init(*initargs)


def _submit(pool, fn, *args):
    """A future for ``fn(*args)`` in ``pool``, or None (no pool, or no process could be started)."""
    if pool is None:
        return None
    try:
        return pool.submit(fn, *args)
    except (OSError, RuntimeError):
        return None


def _result(future):
    """The result of a :func:`_submit` future, or None if it failed: its share
    then costs time (the caller does it), never results."""
    if future is None:
        return None
    try:
        return future.result()
    except Exception:
        return None


def _close(pool, done):
    """Shut ``pool`` down: ``done``, after every result came, waiting for its
    workers to exit; else (an error, ^C) without waiting: a worker still
    busy dies with this process."""
    if pool is not None:
        pool.shutdown(wait=done, cancel_futures=True)


_PR_SET_PDEATHSIG = 1
_prctl = []


def _die_with_parent():
    """A function that makes the calling (child) process get SIGKILL when
    its parent dies (Linux ``prctl(PR_SET_PDEATHSIG)``), or None."""
    if not _prctl:
        fn = None
        try:
            import ctypes
            prctl = ctypes.CDLL(None, use_errno=True).prctl

            def fn():
                prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (ImportError, OSError, AttributeError):
            pass
        _prctl.append(fn)
    return _prctl[0]


_todo = None                 # in a measuring worker: the units to share


def _set_todo(todo):
    global _todo
    _todo = todo


def _walk_share(rootfd, tops, stat, lone):
    """In a worker: walk ``tops``; the units travel back as plain tuples
    (rows), which pickle and unpickle in C, several times faster than Unit
    objects, and the parent builds the Units (:func:`_units_from_rows`).
    Pickle's memo sends each shared object once: a directory name, a recipe
    generation's Spec, a task name."""
    return _walk(rootfd, tops, stat=stat, rows=True, lone=lone)


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
        self.rows = None                 # scanner process: units as tuples, see _walk_share
        # With lone_siginfo_units=False: {task: count} of the archive names
        # found only as a ``.siginfo``, which are then not units.
        self.lone_siginfo = None

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
        if w.lone_siginfo:
            lone = self.lone_siginfo
            for task, n in w.lone_siginfo.items():
                lone[task] = lone.get(task, 0) + n


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


def _scan_one(fd, reldir, native, w, subdirs, counter, stat=False):
    """Scan the open directory ``fd``: files go into ``w``, subdirectories
    onto ``subdirs`` as ``(name, reldir, native)``.

    Without ``stat`` nothing is stat'ed but the rare entries that are
    neither an sstate name nor a directory (their sizes are reported): the
    directory entries' types (``d_type``) tell files from directories, and
    units are measured later, only where a policy needs it.  With ``stat``
    every file is lstat'ed here, relative to ``fd``.
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
    nat2 = _UNSET
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
                                if native is not None:
                                    sn = native
                                elif len(name) == 2:     # a fan-out dir: the same for all of them
                                    if nat2 is _UNSET:
                                        nat2 = _native_of(prefix + name)
                                    sn = nat2
                                else:
                                    sn = _native_of(sub)
                                subdirs.append((name, sub, sn))
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
    nfiles, nbytes = _add_units(byname.items(), reldir, native, w, stat, fd)
    w.files += nfiles
    w.bytes += nbytes
    counter[0] += nfiles
    counter[1] += 1


def _add_units(items, reldir, native, w, stat, fd):
    """Parse the archive names of the directory ``fd``: ``items`` are ``(stem, flags)``
    (with ``stat``: ``(stem, [flags, {flag: (mtime, size)}])``).  Units go to
    ``w.units``; other names are classified as temporary or unknown, and
    sized.  Returns (files, bytes)."""
    nfiles = nbytes = 0
    units = w.units
    rows = w.rows
    lone = w.lone_siginfo
    for stem, v in items:
        if stat:
            flags, stats = v
        else:
            flags, stats = v, None
        spec, unihash, task = split_stem(stem, native)
        if spec is not None:
            if flags == SIGINFO and lone is not None:
                lone[task] = lone.get(task, 0) + 1
                nfiles += 1
                continue
            if rows is not None:                 # scanner process: see _walk_share
                if stats is None:
                    rows.append((reldir, stem, spec, unihash, task, flags, None))
                    nfiles += _NFILES[flags]
                else:
                    members = [(s, ) + stats[_FLAG[s]] for s in _SUFFIXES[flags]]
                    rows.append((reldir, stem, spec, unihash, task, flags, members))
                    nfiles += len(members)
                    nbytes += sum(m[2] for m in members)
                continue
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
        prefix = reldir + "/" if reldir else ""
        for suffix in _SUFFIXES[flags]:
            name = stem + suffix
            p = classify(name, native)
            if p[0] is SELF:
                continue
            if stats is not None:
                size = stats[_FLAG[suffix]][1]
            else:
                size = _lstat_size(fd, prefix + name, name, w)
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


def _lstat_size(fd, relpath, name, w):
    """Size of ``name`` in the open directory ``fd``, or None (vanished; errors recorded)."""
    try:
        return os.lstat(name, dir_fd=fd).st_size
    except FileNotFoundError:
        return None
    except OSError as err:
        w.errors.append((relpath, err.strerror or str(err)))
        return None


_UNSET = object()


def _native_of(reldir):
    """Host dir for a subtree, or None while it is not known yet (top levels)."""
    parts = reldir.split("/")
    if len(parts) >= 2 and len(parts[-1]) == 2 and len(parts[-2]) == 2:
        return native_dir(reldir)
    if len(parts) >= 3:
        return native_dir(reldir)
    return None


def _enter(w, relpath, opener, *args):
    """Open a directory with ``opener(*args)``; on failure record why and return None."""
    try:
        return opener(*args)
    except FileNotFoundError:
        return None                              # removed meanwhile
    except OSError as e:                         # EACCES, or ELOOP/ENOTDIR: now a symlink
        w.errors.append((relpath, e.strerror or str(e)))
        return None


# A walk keeps a descriptor open for each directory on its current path
# (their remaining subdirectories are opened from it).  Below this depth it
# keeps only the current one and climbs back up through "..", checked
# against the device and inode it came from: a tree of any depth is walked
# without recursion and with a bounded number of descriptors.
FD_DEPTH = 32
_PARENT_FLAGS = os.O_RDONLY | os.O_DIRECTORY | getattr(os, "O_CLOEXEC", 0)


def _read_dir(fd, reldir, native, w, counter, stat):
    """Scan the open directory ``fd`` (:func:`_scan_one`); returns its
    subdirectories.  A directory without any (most of them: the fan-out
    leaves) is closed at once, so that the walk need not stack it."""
    subdirs = []
    try:
        _scan_one(fd, reldir, native, w, subdirs, counter, stat)
    except BaseException:
        os.close(fd)
        raise
    if not subdirs:
        os.close(fd)
    return subdirs


def _walk_dir(fd, reldir, native, w, counter, stat):
    """Scan the open directory ``fd`` and everything below it, depth first,
    iteratively; closes ``fd``."""
    subdirs = _read_dir(fd, reldir, native, w, counter, stat)
    if not subdirs:
        return
    stack = [[fd, iter(subdirs), reldir, None]]      # [fd or None, pending subdirs, reldir, (dev, ino)]
    try:
        while stack:
            top = stack[-1]
            nxt = next(top[1], None)
            if nxt is None:
                stack.pop()
                if stack and stack[-1][0] is None:
                    _climb(top[0], stack, w)
                os.close(top[0])
                continue
            name, sub, subnative = nxt
            cfd = _enter(w, sub, open_dir_at, top[0], name)
            if cfd is None:
                continue
            subdirs = _read_dir(cfd, sub, subnative, w, counter, stat)
            if not subdirs:
                continue
            if len(stack) >= FD_DEPTH:
                st = os.fstat(top[0])
                top[3] = (st.st_dev, st.st_ino)
                os.close(top[0])
                top[0] = None
            stack.append([cfd, iter(subdirs), sub, None])
    finally:
        for frame in stack:
            if frame[0] is not None:
                os.close(frame[0])


def _climb(fd, stack, w):
    """Reopen the parent of the open directory ``fd`` (``stack[-1]``, whose
    descriptor was given up) through "..".  If it is not the directory the
    walk came from (a directory moved meanwhile), every frame without a
    descriptor is given up, with an error."""
    parent = stack[-1]
    try:
        pfd = os.open("..", _PARENT_FLAGS, dir_fd=fd)
        st = os.fstat(pfd)
        if (st.st_dev, st.st_ino) == parent[3]:
            parent[0] = pfd
            return
        os.close(pfd)
        problem = "moved during the scan"
    except OSError as e:
        problem = e.strerror or str(e)
    while stack and stack[-1][0] is None:
        w.errors.append((stack.pop()[2], problem))


def _walk(rootfd, tops, counter=None, stat=False, rows=False, lone=False):
    """Walk the subtrees ``tops`` (``(reldir, native)``) depth first; returns a
    ScanResult (with ``rows`` instead of ``units`` if asked, see _walk_share;
    with ``lone``, lone ``.siginfo`` names counted, see scan())."""
    if counter is None:
        counter = [0, 0]
    w = ScanResult()
    if rows:
        w.rows = []
    if lone:
        w.lone_siginfo = {}
    for reldir, native in tops:
        fd = _enter(w, reldir, open_reldir, rootfd, reldir)
        if fd is not None:
            _walk_dir(fd, reldir, native, w, counter, stat)
    return w


def _units_from_rows(rows, units):
    """Parent side of a process scan: append the Units of ``rows`` to ``units``
    (a row holds Unit's arguments, in order)."""
    units.extend(starmap(Unit, rows))


def _split(tasks, n):
    """Deal subtrees round-robin to ``n`` workers (the non-empty shares)."""
    return [share for share in _deal(tasks, [1.0] * n) if share]


def _deal(tasks, weights):
    """Deal ``tasks`` in turn to shares of the given ``weights`` (stride
    scheduling: each task goes to the share that is furthest behind its
    weight), so that neighbouring subtrees spread over all shares."""
    shares = [[] for _ in weights]
    passes = [0.0] * len(weights)
    steps = [1.0 / w for w in weights]
    for t in tasks:
        i = passes.index(min(passes))
        shares[i].append(t)
        passes[i] += steps[i]
    return shares


# The parent's share of the walk, against 1 for each worker: a worker still
# has to pickle its units when its walk is done (about a tenth of its walk
# time on the benchmark machine), so the parent walks that much more.
PARENT_WALK_WEIGHT = 1.1


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


# At most this many processes by default.  A guess, not a measurement (the
# benchmark machine has 2 CPUs): the parent alone builds every worker's units,
# so its share of the work grows with the number of workers.
MAX_AUTO_PROCESSES = 4


def usable_cpus():
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def parallelism(root, jobs, processes=None, threads=0):
    """``(processes, scan threads, delete threads)`` for the cache ``root``.

    On a local filesystem the walk and the lstat calls are CPU-bound: by
    default one process per usable CPU (up to MAX_AUTO_PROCESSES) shares
    them, the walk uses one thread per process, and deletion at most one
    thread per CPU, as more only contend for the GIL (on the benchmark's 2
    CPUs, 8 threads deleted at half the speed of 2).  On a network
    filesystem, where every call is a round trip, ``jobs`` threads overlap
    them, for the walk and for deletion, and no process is forked.
    ``processes`` (None: automatic) and ``threads`` (0: automatic) are the
    caller's overrides.
    """
    network = fs_type(root) in NETWORK_FS
    if processes is None:
        processes = 0 if network or not hasattr(os, "fork") else min(usable_cpus(), MAX_AUTO_PROCESSES)
        processes = processes if processes > 1 else 0
    if not threads:
        threads = jobs if network and processes <= 1 else 1
    return processes, threads, jobs if network else max(1, min(jobs, usable_cpus()))


def scan(root, jobs=8, progress=None, processes=0, stat=False, lone_siginfo_units=True):
    """Scan the cache directory ``root`` (which must exist).

    ``jobs`` threads walk the subtrees; with ``processes`` > 1 that many
    processes do (this one and a pool of workers, see :func:`_pool`).
    ``progress``, if given, is called about 4 times a second from a helper
    thread with ``(files, dirs, seconds)``, and once at the end.
    ``stat``: lstat every file during the scan (policies that need every
    mtime or size); else units are left unmeasured (see :func:`measure`).
    ``lone_siginfo_units=False`` (only without ``stat``): an archive name
    found only as a ``.siginfo`` is counted by task in ``lone_siginfo``
    instead of becoming a unit, for runs whose policies never select one.
    Returns a :class:`ScanResult`.
    """
    t0 = time.monotonic()
    root = os.path.abspath(root)
    res = ScanResult()
    lone = not lone_siginfo_units and not stat
    if lone:
        res.lone_siginfo = {}
    counter = [0, 0]
    rootfd = os.open(root, os.O_RDONLY | os.O_DIRECTORY | getattr(os, "O_CLOEXEC", 0))
    try:
        return _scan(root, rootfd, res, counter, t0, jobs, progress, processes, stat, lone)
    finally:
        os.close(rootfd)


def _scan(root, rootfd, res, counter, t0, jobs, progress, processes, stat, lone):
    res.measured = stat
    # Expand the top levels here so that work splits into many small subtrees:
    # the cache root, and the host (NATIVELSBSTRING) dirs whose children are
    # the 256 fan-out dirs.
    level = []
    _scan_one(rootfd, "", "", res, level, counter, stat)
    found = []                                   # (name, reldir, native)
    for name, d, native in level:
        if len(d) == 2:
            found.append((name, d, ""))
            continue
        fd = _enter(res, d, open_reldir, rootfd, d)
        if fd is not None:
            try:
                _scan_one(fd, d, None, res, found, counter, stat)
            finally:
                os.close(fd)
    tasks = [(d, native) for name, d, native in found]
    stop = threading.Event()
    monitor = None
    children = []
    pool = None
    try:
        if processes > 1 and len(tasks) > 1:
            # Workers walk shares 1..N-1 while this process walks share 0;
            # they are forked before the progress thread starts.
            shares = _deal(tasks, [PARENT_WALK_WEIGHT] + [1.0] * (processes - 1))
            pool = _pool(processes - 1)
            children = [(share, _submit(pool, _walk_share, rootfd, share, stat, lone)) for share in shares[1:] if share]
            tasks = shares[0]
        if progress is not None:
            def _monitor():
                while not stop.wait(0.25):
                    progress(counter[0], counter[1], time.monotonic() - t0)
            monitor = threading.Thread(target=_monitor, daemon=True)
            monitor.start()
        if jobs <= 1 or len(tasks) <= 1:
            parts = [_walk(rootfd, tasks, counter, stat, lone=lone)]
        else:
            from concurrent.futures import ThreadPoolExecutor   # only here: 5 ms to import
            with ThreadPoolExecutor(max_workers=jobs) as ex:
                parts = list(ex.map(lambda ch: _walk(rootfd, ch, counter, stat, lone=lone), _split(tasks, jobs * 8)))
        for share, child in children:
            part = _result(child)
            if part is None:                     # no worker, or it failed: walk its share here
                part = _walk(rootfd, share, counter, stat, lone=lone)
            else:
                counter[0] += part.files
                counter[1] += part.dirs
                _units_from_rows(part.rows, part.units)
                part.rows = None
            parts.append(part)
        for part in parts:
            res.merge(part)
        _close(pool, True)
    finally:
        stop.set()
        if monitor is not None:
            monitor.join()
        _close(pool, False)
    res.seconds = time.monotonic() - t0
    if progress is not None:
        progress(res.files, res.dirs, res.seconds)
    return res
