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

Only plain and ``_setscene`` stamps count by default; ``.sigdata.`` hashes are
added only with ``use_sigdata=True``.
"""

import os
import re

from .errors import RootsError

_HASH_RE = re.compile(r"^[0-9a-fA-F]{32,128}$")
MAX_DEPTH = 6


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


def resolve(path):
    """Stamps directories for a root given as a stamps dir, a TMPDIR or a build dir.

    * ``<dir>/stamps`` exists: ``<dir>`` is a TMPDIR.
    * ``<dir>/tmp*/stamps`` exist: ``<dir>`` is a build dir (every TMPDIR of it,
      e.g. ``tmp`` and ``tmp-musl`` or multiconfig ones).
    * otherwise ``<dir>`` is taken as a stamps dir.
    """
    if not os.path.isdir(path):
        if os.path.exists(path):
            raise RootsError("root %s is not a directory" % path,
                             "pass a stamps dir (TMPDIR/stamps), a TMPDIR or a build dir")
        raise RootsError("stamps dir %s does not exist" % path,
                         "pass a stamps dir (TMPDIR/stamps), a TMPDIR or a build dir")
    if os.path.isdir(os.path.join(path, "stamps")):
        return [os.path.join(path, "stamps")]
    found = []
    try:
        entries = sorted(os.listdir(path))
    except OSError as e:
        raise RootsError("cannot read stamps dir %s: %s" % (path, e.strerror),
                         "check its permissions, or pass --force to go on without it")
    for name in entries:
        if name.startswith("tmp") and os.path.isdir(os.path.join(path, name, "stamps")):
            found.append(os.path.join(path, name, "stamps"))
    return found or [path]


class RootStats:
    def __init__(self, path):
        self.path = path
        self.stamps_dirs = []
        self.files = 0
        self.stamps = 0
        self.setscene = 0
        self.sigdata = 0
        self.hashes = 0
        self.errors = []

    def asdict(self):
        return {"path": self.path, "stamps_dirs": self.stamps_dirs, "files": self.files,
                "stamps": self.stamps, "setscene_stamps": self.setscene, "sigdata": self.sigdata,
                "hashes": self.hashes, "errors": [{"path": p, "error": e} for p, e in self.errors]}


def _walk_stamps(top, stats, hashes, use_sigdata):
    stack = [(top, 0)]
    while stack:
        d, depth = stack.pop()
        try:
            it = os.scandir(d)
        except OSError as e:
            stats.errors.append((d, e.strerror or str(e)))
            continue
        with it:
            for e in it:
                try:
                    if e.is_dir(follow_symlinks=False):
                        if depth < MAX_DEPTH:
                            stack.append((e.path, depth + 1))
                        continue
                except OSError:
                    continue
                stats.files += 1
                p = parse_stamp(e.name)
                if p is None or p[1] is None:
                    continue
                kind = p[2]
                if kind == "stamp":
                    stats.stamps += 1
                elif kind == "setscene":
                    stats.setscene += 1
                elif kind == "sigdata":
                    stats.sigdata += 1
                    if not use_sigdata:
                        continue
                else:
                    continue
                hashes.add(p[1])


def collect(roots, use_sigdata=False, force=False):
    """Hashes referenced by ``roots`` (stamps dirs, TMPDIRs or build dirs).

    Returns ``(hashes, [RootStats])``.  Raises :class:`RootsError` when a root
    is missing, unreadable or holds no stamp at all, unless ``force``.
    """
    hashes = set()
    allstats = []
    for root in roots:
        stats = RootStats(root)
        allstats.append(stats)
        try:
            dirs = resolve(root)
        except RootsError:
            if force:
                stats.errors.append((root, "missing or unreadable"))
                continue
            raise
        stats.stamps_dirs = dirs
        before = len(hashes)
        for d in dirs:
            if not os.access(d, os.R_OK | os.X_OK):
                if force:
                    stats.errors.append((d, "unreadable"))
                    continue
                raise RootsError("cannot read stamps dir %s" % d,
                                 "check its permissions, or pass --force to go on without it")
            _walk_stamps(d, stats, hashes, use_sigdata)
        stats.hashes = len(hashes) - before
        if stats.stamps + stats.setscene == 0 and not force:
            if stats.errors:
                raise RootsError("cannot read stamps under %s: %s" % (stats.errors[0][0], stats.errors[0][1]),
                                 "check its permissions, or pass --force to go on without it")
            raise RootsError("stamps dir %s holds no task stamps (%d files): wrong directory?"
                             % (root, stats.files),
                             "pass TMPDIR/stamps of a build that ran, or --force to prune anyway")
    return hashes, allstats
