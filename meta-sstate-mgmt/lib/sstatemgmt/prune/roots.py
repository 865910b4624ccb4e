# SPDX-License-Identifier: MIT
"""GC roots: the hashes a build's stamps reference.

BitBake (lib/bb/siggen.py) writes, under ``STAMP = ${STAMPS_DIR}/<sys>/<pn>/<pv>``:

* ``<pv>.do_<task>.<hash>[.<extrainfo>]`` when a task ran,
* ``<pv>.do_<task>_setscene.<hash>[.<extrainfo>]`` when it came from sstate,
* ``<pv>.do_<task>.sigdata.<unihash>`` / ``.sigbasedata.<basehash>`` signature
  dumps, which are never cleaned: old ones name stale hashes,
* ``.taint`` files.

The stamp hash is ``get_stampfile_hash()``: the unihash when hash equivalence
knows one, else the taskhash (equal to the unihash without hash
equivalence); sstate objects are named by the unihash.  ``work-shared``
recipes (gcc-source, llvm-project-source, rust-source) stamp one level
shallower, ``${STAMPS_DIR}/work-shared/<pn>-<pv>-<pr>``, so the stamps tree is
walked to any depth rather than globbed at a fixed one.

Plain and ``_setscene`` stamps count.  ``.sigdata.`` hashes count only in
one case by default: rm_work (meta/classes/rm_work.bbclass) deletes the
stamps of ``do_package`` and of every task that has no sstate, and leaves
their ``.sigdata.`` files.  So for a task without any stamp, under a stamp
base (``<pv>`` of one recipe) that still has stamps, the newest
``.sigdata.`` file names the hash that build used.  A base without any stamp
left is an older version of the recipe (BitBake removed its stamps when the
new version ran): its sigdata files are stale.  ``use_sigdata=True`` counts
every ``.sigdata.`` hash, as OE-Core's script does.

A root that cannot be read completely (a directory that cannot be listed,
an entry whose type cannot be read) is refused: objects referenced only by
the unread part would otherwise be deleted.  ``force`` records the errors
and goes on.
"""

import os
import re
import stat

from .errors import RootsError

_HASH_RE = re.compile(r"^[0-9a-fA-F]{32,128}$")


def parse_stamp(name):
    """``(task, hash, kind)`` for a stamp file name (task without ``do_``,
    as in object names), kind in {"stamp", "setscene", "sigdata", "other"};
    None if it is no stamp."""
    i = name.find(".do_")
    if i < 0:
        return None
    parts = name[i + 4:].split(".")
    task = parts[0]
    if len(parts) < 2:
        return (task, None, "other")
    if parts[1] in ("sigdata", "sigbasedata"):
        h = parts[2] if len(parts) > 2 else None
        kind = "sigdata" if parts[1] == "sigdata" else "other"
        return (task, h if h and _HASH_RE.match(h) else None, kind)
    h = parts[1]
    if not _HASH_RE.match(h):
        return (task, None, "other")          # .taint, hashless stamps
    if task.endswith("_setscene"):
        return (task[:-9], h, "setscene")
    return (task, h, "stamp")


def _stat_dir(path):
    """True if ``path`` is a directory, False if it does not exist (or is no
    directory); raises OSError when that cannot be told (EACCES...)."""
    try:
        return stat.S_ISDIR(os.stat(path).st_mode)
    except (FileNotFoundError, NotADirectoryError):
        return False


def resolve(path, errors=None):
    """Stamps directories for a root given as a stamps dir, a TMPDIR or a build dir.

    * ``<dir>/stamps`` exists: ``<dir>`` is a TMPDIR.
    * ``<dir>/tmp*/stamps`` exist: ``<dir>`` is a build dir (every TMPDIR of it,
      e.g. ``tmp`` and ``tmp-musl`` or multiconfig ones).
    * otherwise ``<dir>`` is taken as a stamps dir.

    A ``tmp*`` directory that cannot be looked into may be a TMPDIR whose
    stamps would be missed: it goes to ``errors`` as ``(path, message)``.
    """
    hint = "pass a stamps dir (TMPDIR/stamps), a TMPDIR or a build dir"
    try:
        if not _stat_dir(path):
            if os.path.lexists(path):
                raise RootsError("root %s is not a directory" % path, hint)
            raise RootsError("stamps dir %s does not exist" % path, hint)
        if _stat_dir(os.path.join(path, "stamps")):
            return [os.path.join(path, "stamps")]
        entries = sorted(os.listdir(path))
    except OSError as e:
        raise RootsError("cannot read stamps dir %s: %s" % (path, e.strerror or e),
                         "check its permissions, or pass --force to go on without it")
    found = []
    for name in entries:
        if not name.startswith("tmp"):
            continue
        sub = os.path.join(path, name, "stamps")
        try:
            if _stat_dir(sub):
                found.append(sub)
        except OSError as e:
            if errors is None:
                raise RootsError("cannot read %s: %s" % (os.path.join(path, name), e.strerror or e),
                                 "check its permissions, or pass --force to go on without it")
            errors.append((os.path.join(path, name), e.strerror or str(e)))
    return found or [path]


class RootStats:
    def __init__(self, path):
        self.path = path
        self.stamps_dirs = []
        self.files = 0
        self.stamps = 0
        self.setscene = 0
        self.sigdata = 0
        self.sigdata_roots = 0           # newest sigdata of tasks whose stamp rm_work removed
        self.hashes = 0
        self.hash_set = set()            # what this root references (not in the JSON)
        self.matched_units = None        # set by the engine
        self.errors = []

    def asdict(self):
        d = {"path": self.path, "stamps_dirs": self.stamps_dirs, "files": self.files,
             "stamps": self.stamps, "setscene_stamps": self.setscene, "sigdata": self.sigdata,
             "sigdata_roots": self.sigdata_roots, "hashes": self.hashes,
             "errors": [{"path": p, "error": e} for p, e in self.errors]}
        if self.matched_units is not None:
            d["matched_units"] = self.matched_units
        return d


def _dir_hashes(entries, stats, hashes, use_sigdata):
    """Add the hashes that the stamp files ``entries`` (DirEntry) of one directory reference."""
    stamped = set()                      # (base, task) with a plain or setscene stamp
    bases = set()                        # bases with any such stamp
    sigdata = {}                         # (base, task) -> [DirEntry, hash]
    for e in entries:
        name = e.name
        p = parse_stamp(name)
        if p is None or p[1] is None:
            continue
        task, h, kind = p
        base = name[:name.find(".do_")]
        if kind == "sigdata":
            stats.sigdata += 1
            if use_sigdata:
                hashes.add(h)
            else:
                sigdata.setdefault((base, task), []).append((e, h))
            continue
        if kind == "stamp":
            stats.stamps += 1
        else:
            stats.setscene += 1
        stamped.add((base, task))
        bases.add(base)
        hashes.add(h)
    for (base, task), found in sigdata.items():
        if base not in bases or (base, task) in stamped:
            continue
        newest, newest_mtime = None, None
        for e, h in found:
            try:
                mtime = e.stat(follow_symlinks=False).st_mtime
            except FileNotFoundError:
                continue
            except OSError as err:
                stats.errors.append((e.path, err.strerror or str(err)))
                continue
            if newest is None or (mtime, h) > (newest_mtime, newest):
                newest, newest_mtime = h, mtime
        if newest is not None:
            stats.sigdata_roots += 1
            hashes.add(newest)


def _walk_stamps(top, stats, hashes, use_sigdata):
    """Walk the stamps tree ``top`` to any depth (iteratively: no recursion
    limit), never following symlinks.  Problems go to ``stats.errors``;
    directories that vanish meanwhile (a build cleaning its stamps) do not
    count as problems."""
    stack = [top]
    while stack:
        d = stack.pop()
        files = []
        try:
            with os.scandir(d) as it:
                for e in it:
                    try:
                        if e.is_dir(follow_symlinks=False):
                            stack.append(e.path)
                            continue
                    except OSError as err:
                        stats.errors.append((e.path, err.strerror or str(err)))
                        continue
                    files.append(e)
        except FileNotFoundError:
            if d == top:
                stats.errors.append((d, "No such file or directory"))
            continue
        except OSError as err:
            stats.errors.append((d, err.strerror or str(err)))
            continue
        stats.files += len(files)
        _dir_hashes(files, stats, hashes, use_sigdata)


def collect(roots, use_sigdata=False, force=False):
    """Hashes referenced by ``roots`` (stamps dirs, TMPDIRs or build dirs).

    Returns ``(hashes, [RootStats])``.  Raises :class:`RootsError` when a root
    is missing, cannot be read completely or holds no stamp at all, unless
    ``force``.
    """
    hashes = set()
    allstats = []
    for root in roots:
        stats = RootStats(root)
        allstats.append(stats)
        try:
            dirs = resolve(root, stats.errors)
        except RootsError as e:
            if force:
                stats.errors.append((root, str(e)))
                continue
            raise
        stats.stamps_dirs = dirs
        mine = stats.hash_set
        for d in dirs:
            _walk_stamps(d, stats, mine, use_sigdata)
        if stats.errors and not force:
            path, err = stats.errors[0]
            more = " (and %d more)" % (len(stats.errors) - 1) if len(stats.errors) > 1 else ""
            raise RootsError("cannot read all of root %s: %s: %s%s" % (root, path, err, more),
                             "objects only the unread part references would be deleted: fix the permissions, "
                             "or pass --force to go on without that part")
        stats.hashes = len(mine)
        hashes |= mine
        if stats.stamps + stats.setscene == 0 and not force:
            raise RootsError("stamps dir %s holds no task stamps (%d files): wrong directory?"
                             % (root, stats.files),
                             "pass TMPDIR/stamps of a build that ran, or --force to prune anyway")
    return hashes, allstats
