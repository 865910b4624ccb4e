# SPDX-License-Identifier: MIT
"""CDEPENDS superset baselines, pruned with their children.

In superset mode, ``do_cache_compatibility`` keeps the last report it
emitted for a child in ``CDEPENDS_BASELINE_DIR`` (default
``${SSTATE_DIR}/cdepends-baseline``), as ``<child PN>/<key>.report`` (see
sstatemgmt.compat.baseline). A baseline is only worth keeping while the
child built against it can be restored, so once a prune has left no object
(archive) of the child in the cache, its baselines go too, under the same
rules as the cache entries:

* nothing is removed in a dry run (the summary says what would be), nor
  when the confirmation says no;
* the run's lock on the cache covers them (they are removed before it is
  released);
* the grace period applies to each file's mtime (the compat task rewrites
  the baseline each time it runs), and each file is ``lstat``ed again right
  before its removal and kept if it changed;
* a child with any object left in the cache keeps every baseline;
* when the scan could not read the whole cache, nothing is removed: a child's
  objects might be in what it could not read;
* with only a recipe policy (``bitbake -c sstate_prune <recipe>``), only the
  pruned recipes' baselines are considered.

Files that are not ``<hex>.report`` regular files, symlinks and directories
whose names start with ``.`` (the store's temporaries) are left alone. A
child directory emptied by the prune is removed unless it changed during the
grace period. Deleting baselines is always safe for builds (a child without
one is judged exactly until a new one is recorded), so removal errors are
recorded and never stop the run.
"""

import os
import re

from .scan import open_dir_at

DIR_NAME = "cdepends-baseline"
_REPORT_RE = re.compile(r"^[0-9a-f]{8,128}\.report$")
MAX_LISTED = 1000


def default_dir(cache_dir):
    """``<cache>/cdepends-baseline`` when it is a real directory (not a symlink), else None."""
    path = os.path.join(cache_dir, DIR_NAME)
    return path if os.path.isdir(path) and not os.path.islink(path) else None


def only_pns(opts):
    """The pns whose baselines a run may remove: those of its recipe policies when they are
    its only selecting policy (a per-recipe prune touches nothing else), else None (every pn)."""
    if opts.recipe is None or opts.sweep() or opts.duplicates or opts.orphans \
            or opts.older_than_days is not None or opts.max_size is not None:
        return None
    return {r.pn for r in opts.recipes()}


class Baseline:
    __slots__ = ("child", "name", "mtime", "size")

    def __init__(self, child, name, mtime, size):
        self.child = child
        self.name = name
        self.mtime = mtime
        self.size = size


class Baselines:
    """The baseline store ``path`` as seen by one prune run of ``cache_dir``."""

    def __init__(self, path, cache_dir):
        self.path = os.path.abspath(path)
        cache = os.path.abspath(cache_dir)
        # Inside the cache, the scan meets the store as unknown entries: relpath prefix of its files.
        rel = os.path.relpath(self.path, cache)
        self.inside = None if rel == os.pardir or rel.startswith(os.pardir + os.sep) else rel + "/"
        self.files = []                  # Baseline
        self.dir_mtimes = {}             # child -> mtime of its directory before the run
        self.errors = []                 # (path, message)
        self.exists = True
        self.section = None              # the summary's "baselines" (plan, then apply)
        self.todo = []

    def read(self):
        """List the store (never following a symlink below ``path``)."""
        top = self._open_top(self.errors)
        if top is None:
            return self
        try:
            children = [c for c in sorted(self._entries(top, self.path)) if not c.startswith(".") and _is_dir(top, c)]
            for child, fd in self._children(top, children, self.errors):
                self.dir_mtimes[child] = os.fstat(fd).st_mtime
                for name in sorted(self._entries(fd, os.path.join(self.path, child))):
                    if _REPORT_RE.match(name):
                        st = self._lstat(fd, child, name, self.errors)
                        if st is not None and _regular(st):
                            self.files.append(Baseline(child, name, st.st_mtime, st.st_size))
        finally:
            os.close(top)
        return self

    def _open_top(self, errors):
        """fd of the store, or None: missing (``exists`` is then False) or an error, recorded."""
        try:
            return os.open(self.path, os.O_RDONLY | os.O_DIRECTORY | getattr(os, "O_CLOEXEC", 0))
        except FileNotFoundError:
            self.exists = False
        except OSError as e:
            errors.append((self.path, e.strerror or str(e)))
        return None

    def _children(self, top, children, errors):
        """(child, fd) for each child directory, opened without following a symlink."""
        for child in children:
            try:
                fd = open_dir_at(top, child)
            except FileNotFoundError:
                continue
            except OSError as e:
                errors.append((os.path.join(self.path, child), e.strerror or str(e)))
                continue
            try:
                yield child, fd
            finally:
                os.close(fd)

    def _lstat(self, fd, child, name, errors):
        try:
            return os.lstat(name, dir_fd=fd)
        except FileNotFoundError:
            return None
        except OSError as e:
            errors.append((os.path.join(self.path, child, name), e.strerror or str(e)))
            return None

    def _entries(self, fd, path):
        try:
            return os.listdir(fd)
        except OSError as e:
            self.errors.append((path, e.strerror or str(e)))
            return []

    def claim(self, res):
        """Take this store's baselines out of the scan's files (where the scan met them as
        unknown entries: inside the cache); the summary counts them apart."""
        if self.inside is None or not self.files:
            return
        mine = {"%s%s/%s" % (self.inside, b.child, b.name): b.size for b in self.files}
        kept = []
        for path, reason in res.unknown:
            size = mine.get(path)
            if size is None:
                kept.append((path, reason))
            else:
                res.unknown_bytes -= size
                res.files -= 1
                res.bytes -= size       # the scan sizes unknown entries even when it measures nothing else
        res.unknown = kept

    def plan(self, kept_objects, opts, now, scan_complete):
        """The summary section for a run that leaves ``kept_objects`` (units) in the cache.

        Sets :attr:`todo`, the baselines :meth:`apply` removes. Errors met reading the
        store are in :attr:`errors`."""
        self.opts = opts
        self.cutoff = now - opts.grace_minutes * 60.0 if opts.grace_minutes else None
        self.section = out = {
            "dir": self.path, "exists": self.exists, "files": len(self.files),
            "children": len({b.child for b in self.files}), "applied": False,
            "removed": {"files": 0, "bytes": 0, "children": 0},
            "kept": {"children_with_objects": 0, "not_pruned_recipes": 0, "grace": 0, "changed": 0},
            "skipped": None}
        self.todo = []
        if not scan_complete and self.files:
            out["skipped"] = "the scan could not read the whole cache: a child's objects may be in what it missed"
            return out
        left = {u.spec.pn for u in kept_objects}
        only = only_pns(opts)
        kept = out["kept"]
        for b in self.files:
            if b.child in left:
                kept["children_with_objects"] += 1
            elif only is not None and b.child not in only:
                kept["not_pruned_recipes"] += 1
            elif self.cutoff is not None and b.mtime > self.cutoff:
                kept["grace"] += 1
            else:
                self.todo.append(b)
        self._count(self.todo)
        return out

    def _count(self, files):
        out = self.section
        out["removed"] = {"files": len(files), "bytes": sum(b.size for b in files),
                          "children": len({b.child for b in files})}
        if self.opts.list_paths:
            out["paths"] = [os.path.join(self.path, b.child, b.name) for b in files[:MAX_LISTED]]

    def apply(self, kept_objects):
        """Remove the planned baselines whose child still has no object after the deletion
        (``kept_objects``: the units left). Returns the errors as (path, message)."""
        errors = []
        left = {u.spec.pn for u in kept_objects}
        kept = self.section["kept"]
        todo = []
        for b in self.todo:
            if b.child in left:                  # its objects could not all be removed
                kept["children_with_objects"] += 1
            else:
                todo.append(b)
        done = self._remove(todo, errors, kept) if todo else []
        self.section["applied"] = True
        self._count(done)
        self._remove_empty_dirs({b.child for b in done}, self.cutoff)
        return errors

    def _remove(self, todo, errors, kept):
        """Unlink ``todo`` (re-checking each file); returns what was removed."""
        done = []
        top = self._open_top(errors)
        if top is None:
            return done
        by_child = {}
        for b in todo:
            by_child.setdefault(b.child, []).append(b)
        try:
            for child, fd in self._children(top, sorted(by_child), errors):
                for b in by_child[child]:
                    st = self._lstat(fd, child, b.name, errors)
                    if st is None:
                        continue
                    if not _regular(st) or st.st_mtime != b.mtime:
                        kept["changed"] += 1         # rewritten by a build since we looked
                        continue
                    try:
                        os.unlink(b.name, dir_fd=fd)
                    except FileNotFoundError:
                        continue
                    except OSError as e:
                        errors.append((os.path.join(self.path, child, b.name), e.strerror or str(e)))
                        continue
                    done.append(b)
        finally:
            os.close(top)
        return done

    def _remove_empty_dirs(self, children, cutoff):
        """rmdir the emptied child dirs that no build touched in the grace period (a
        compat task that lost the race only fails to record its next baseline)."""
        top = self._open_top([])
        if top is None:
            return
        try:
            for child in sorted(children):
                if cutoff is not None and self.dir_mtimes.get(child, 0) > cutoff:
                    continue
                try:
                    os.rmdir(child, dir_fd=top)
                except OSError:
                    pass                          # not empty (other files, a new baseline): keep it
        finally:
            os.close(top)


def _is_dir(fd, name):
    try:
        st = os.lstat(name, dir_fd=fd)
    except OSError:
        return False
    return (st.st_mode & 0o170000) == 0o040000


def _regular(st):
    return (st.st_mode & 0o170000) == 0o100000


def format_lines(section, fmt_bytes):
    """Human lines for the summary's ``baselines`` section."""
    if not section or (not section["files"] and not section.get("skipped")):
        return []
    if section.get("skipped"):
        return ["  baselines:    none removed from %s: %s" % (section["dir"], section["skipped"])]
    r = section["removed"]
    k = section["kept"]
    why = ", ".join("%d %s" % (n, text) for n, text in (
        (k["children_with_objects"], "of children with objects"), (k["not_pruned_recipes"], "of other recipes"),
        (k["grace"], "in the grace period"), (k["changed"], "rewritten during the run")) if n)
    return ["  baselines:    %s %d files (%s) of %d children without objects, kept %d%s, in %s"
            % ("removed" if section["applied"] else "would remove", r["files"], fmt_bytes(r["bytes"]),
               r["children"], section["files"] - r["files"], " (%s)" % why if why else "", section["dir"])]
