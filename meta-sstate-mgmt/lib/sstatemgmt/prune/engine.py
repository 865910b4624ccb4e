# SPDX-License-Identifier: MIT
"""The pruning engine: scan once, classify, select by policy, delete safely.

Entries
-------
Every file in the cache is one of:

* **object**: an archive (``.tar.zst``, legacy ``.tgz``/``.tar.gz``, legacy
  ``sstate-`` names) together with its companions (``.siginfo``, ``.sig``,
  ``.done``).  Archive and companions form one *unit*: they are selected,
  kept and deleted together.
* **orphan companions**: companions whose archive is gone (``.sig``/``.done``
  alone, or ``.siginfo`` alone for a task that produces archives).
* **siginfo-only**: a lone ``.siginfo`` of a task that never has an archive
  (do_compile, do_fetch...).  bitbake-diffsigs and ``-S printdiff`` read
  them, so they are not garbage by default.  A lone ``.siginfo`` counts as
  an orphan when its task is one of OE-Core's SSTATETASKS or has an archive
  anywhere in the cache, else as siginfo-only.
* **temporary**: signing/staging/fetcher temporaries (``tmpXXXXXXXX/`` dirs,
  ``<object>XXXXXXXX``, ``sigtask.*``, ``*.lock``, ``*.tmp``): left alone.
* **unknown**: anything else, including malformed ``sstate:`` names:
  reported, never touched.

A unit's *last use* is the newest mtime of its files (BitBake touches an
archive and its companions each time it uses them).

Policies and how they combine
-----------------------------
Selecting policies each pick units; the result is their **union**:

``recipe``        units of one pn (optionally only some tasks / pkgarchs)
                  whose unihash is not in the recipe's keep set.
``unreferenced``  units whose unihash no root references (mark and sweep).
                  On by default when stamps roots are given and none of
                  duplicates / age / size / recipe is (OE-Core's
                  ``--stamps-dir``); with them, roots only protect unless
                  ``remove_unreferenced=True``.
``duplicates``    objects grouped by (host dir, pn, target triplet,
                  pkgarch, SSTATE_VERSION, extension, task): all but the
                  newest ``keep`` per group.  SSTATE_SWSPEC entries (empty
                  target and pkgarch: populate_lic) are never duplicates.
``orphans``       orphan companions.
``age``           units whose last use is older than ``older_than_days``.
``size``          after the above, the least recently used remaining units
                  until the cache (every file, unknown ones included) fits
                  in ``max_size`` bytes.

Siginfo-only units are selected by ``unreferenced``, ``recipe``, ``age`` and
``size`` (which know what is current or what was used), but by
``duplicates`` and ``orphans`` only with ``siginfo_only=True``.

Then protections are **subtracted**, whatever selected the unit:

1. **roots always win**: a unit whose unihash is referenced by a root
   (stamps dirs, TMPDIRs, build dirs), by ``keep_hashes`` or by the recipe
   policy's keep set is never deleted, not even to meet the size budget;
2. the **grace period**: a unit any of whose files changed in the last
   ``grace_minutes`` minutes is kept;
3. temporary and unknown entries are never units, so never deleted.

Each removed unit is reported under the first policy, in the order above,
that selected it, so per-policy numbers add up to the total.

Safety
------
A real run (``dry_run=False``) takes the cache lock (:mod:`.lock`), plans,
asks ``confirm(summary)`` if given, then deletes with :mod:`.delete`
(re-stat each unit, skip it if it changed, archive first and companions
only once it is gone, tolerant of ENOENT, errors recorded).  Roots that are
missing, cannot be read completely or hold no stamps, and any root or keep
set that matches no unit of the cache (whatever the policies), are refused
(:class:`RefusedError`) unless ``force=True``.

Nothing here imports BitBake: a BitBake task calls :func:`prune` with
parameters, the standalone script with parsed argv.
"""

import gc
import math
import os
import time
from operator import attrgetter
from dataclasses import asdict, dataclass, field, replace
from typing import FrozenSet, Iterable, Optional, Sequence

from . import baselines as baselinesmod
from . import delete as deletemod
from . import roots as rootsmod
from .errors import CacheDirError, RefusedError, UsageError
from .lock import CacheLock
from .scan import _NFILES, ARCHIVE, SIG, SIGINFO
from .scan import measure as measure_units
from .scan import scan as scan_cache
from .scan import parallelism
from .summary import Summary, _fb

OBJECT = "object"
ORPHAN = "orphan"
SIGINFO_ONLY = "siginfo-only"

POLICY_ORDER = ("recipe", "unreferenced", "duplicates", "orphans", "age", "size")

# OE-Core's SSTATETASKS (without "do_"): a lone .siginfo of these is an orphan.
KNOWN_ARCHIVE_TASKS = frozenset("""
    collect_packagedata create_image_sbom_spdx create_image_spdx create_package_spdx
    create_recipe_sbom create_recipe_spdx create_rootfs_spdx create_spdx deploy
    deploy_archives deploy_source_date_epoch gcc_stash_builddir image_complete image_qa
    locked_sigs package package_qa package_write_deb package_write_ipk package_write_rpm
    packagedata populate_lic populate_sdk populate_sdk_ext populate_sysroot recipe_qa
    sbom_cve_check sbom_cve_check_recipe stash_locale
""".split())


def _strip_do(task):
    return task[3:] if task.startswith("do_") else task


@dataclass
class RecipePolicy:
    """Prune one recipe: delete its units whose unihash is not in ``keep_hashes``.

    ``tasks`` (with or without ``do_``) and ``pkgarchs`` restrict which of
    the recipe's units are considered; None means all.  The BitBake class
    passes the recipe's current unihashes as ``keep_hashes``.

    ``same_slot`` (default) limits the policy to the *slots* that hold a
    kept unit, a slot being (host dir, target triplet, pkgarch, task): the
    stale generations of what this configuration builds.  Units of the same
    pn that another host distro (native dirs), another MACHINE or another
    target built are in other slots and are left alone.  Within each slot,
    the ``keep_stale`` most recently used stale units are kept as well, and
    with ``older_than_days`` only stale units unused for that long go.
    """

    pn: str
    keep_hashes: FrozenSet[str] = frozenset()
    tasks: Optional[FrozenSet[str]] = None
    pkgarchs: Optional[FrozenSet[str]] = None
    same_slot: bool = True
    keep_stale: int = 0
    older_than_days: Optional[float] = None

    def __post_init__(self):
        self.keep_hashes = frozenset(h.strip() for h in self.keep_hashes)
        if self.tasks is not None:
            self.tasks = frozenset(_strip_do(t) for t in self.tasks)
        if self.pkgarchs is not None:
            self.pkgarchs = frozenset(self.pkgarchs)


@dataclass
class Options:
    """Every parameter of a prune run.  See the module docstring for semantics."""

    duplicates: bool = False
    keep: int = 1
    roots: Sequence[str] = ()
    keep_hashes: Iterable[str] = ()
    remove_unreferenced: Optional[bool] = None
    use_sigdata: bool = False
    orphans: bool = False
    siginfo_only: bool = False
    older_than_days: Optional[float] = None
    max_size: Optional[int] = None
    recipe: Optional[RecipePolicy] = None     # or a sequence of them: one scan for many recipes
    grace_minutes: float = 360.0
    dry_run: bool = True
    force: bool = False
    jobs: int = 8
    processes: Optional[int] = None           # None: automatic (scan.parallelism)
    scan_threads: int = 0                     # 0: automatic (scan.parallelism)
    stat_all: bool = False
    lock: bool = True
    lock_wait: Optional[float] = 0.0
    now: Optional[float] = None
    list_paths: bool = False
    baseline_dir: Optional[str] = None        # CDEPENDS superset baselines: see baselines.py
    extra: dict = field(default_factory=dict)

    def recipes(self):
        if self.recipe is None:
            return []
        return [self.recipe] if isinstance(self.recipe, RecipePolicy) else list(self.recipe)

    def needs_every_stat(self):
        """True when every file must be lstat'ed: asked for, or an age or
        size policy (which look at every unit's last use and size)."""
        return bool(self.stat_all) or self.older_than_days is not None or self.max_size is not None

    def lone_siginfo_units(self):
        """Whether an archive name found only as a ``.siginfo`` must become a
        unit.  Only a policy that can select one (orphans, ``siginfo_only``,
        the sweep, recipe, age and size policies) or roots and keep hashes
        (which count the units they reference) need them; duplicates alone
        only count them, by task (about half the names of a real cache: the
        tasks without an archive write a ``.siginfo`` too)."""
        return not (self.duplicates and not self.siginfo_only and not self.orphans and not self.sweep()
                    and self.recipe is None and not self.needs_every_stat()
                    and not self.roots and not self.keep_hashes)

    def sweep(self):
        if self.remove_unreferenced is not None:
            return bool(self.remove_unreferenced)
        return bool(self.roots) and not (self.duplicates or self.older_than_days is not None
                                         or self.max_size is not None or self.recipe is not None)

    def validate(self):
        for name, value in (("--grace", self.grace_minutes), ("--older-than", self.older_than_days),
                            ("--lock-wait", self.lock_wait), ("--max-size", self.max_size)):
            if value is not None and not math.isfinite(value):
                raise UsageError("%s must be a finite number (got %s)" % (name, value),
                                 "wait for ever with --lock-wait without a value" if name == "--lock-wait" else None)
        for r in self.recipes():
            if r.older_than_days is not None and not math.isfinite(r.older_than_days):
                raise UsageError("the recipe's older_than_days must be a finite number (got %s)" % r.older_than_days)
        if self.keep < 1:
            raise UsageError("--keep must be at least 1 (got %s)" % self.keep)
        if self.older_than_days is not None and self.older_than_days < 0:
            raise UsageError("--older-than must not be negative (got %s)" % self.older_than_days)
        if self.max_size is not None and self.max_size < 0:
            raise UsageError("--max-size must not be negative")
        if self.grace_minutes < 0:
            raise UsageError("--grace must not be negative (got %s)" % self.grace_minutes)
        if self.jobs < 1:
            raise UsageError("--jobs must be at least 1 (got %s)" % self.jobs)
        if self.processes is not None and self.processes < 0:
            raise UsageError("--scan-processes must not be negative (got %s)" % self.processes)
        for r in self.recipes():
            if not r.pn:
                raise UsageError("the recipe policy needs a pn")
            if r.keep_stale < 0:
                raise UsageError("keep_stale must not be negative (got %s)" % r.keep_stale)
            if r.older_than_days is not None and r.older_than_days < 0:
                raise UsageError("the recipe's older_than_days must not be negative")
        if self.sweep() and not self.roots and not self.keep_hashes and not self.force:
            raise UsageError("removing unreferenced entries needs roots or keep hashes",
                             "pass --stamps-dir DIR or --keep-hash HASH")
        if not (self.duplicates or self.sweep() or self.orphans or self.older_than_days is not None
                or self.max_size is not None or self.recipe is not None):
            raise UsageError("no pruning policy selected",
                             "pick at least one of -d, --stamps-dir, --remove-orphans, "
                             "--older-than, --max-size")

    def describe(self):
        d = asdict(self)
        d.pop("extra")
        d["keep_hashes"] = len(list(self.keep_hashes))
        if self.recipe is not None:
            recipes = [{"pn": r.pn, "keep_hashes": len(r.keep_hashes),
                        "tasks": sorted(r.tasks) if r.tasks is not None else None,
                        "pkgarchs": sorted(r.pkgarchs) if r.pkgarchs is not None else None,
                        "same_slot": r.same_slot, "keep_stale": r.keep_stale,
                        "older_than_days": r.older_than_days} for r in self.recipes()]
            d["recipe"] = recipes[0] if isinstance(self.recipe, RecipePolicy) else recipes
        d["roots"] = list(self.roots)
        d["remove_unreferenced"] = self.sweep()
        d.pop("now")
        d.update(self.extra)
        return d


def check_cache_dir(cache_dir):
    if not cache_dir:
        raise CacheDirError("no cache directory given", "pass --cache-dir DIR or set SSTATE_CACHE_DIR")
    if not os.path.exists(cache_dir):
        raise CacheDirError("cache dir %s does not exist" % cache_dir,
                            "pass the SSTATE_DIR of your builds with --cache-dir")
    if not os.path.isdir(cache_dir):
        raise CacheDirError("cache dir %s is not a directory" % cache_dir,
                            "pass the SSTATE_DIR of your builds with --cache-dir")
    if not os.access(cache_dir, os.R_OK | os.X_OK):
        raise CacheDirError("cannot read cache dir %s" % cache_dir,
                            "run as a user who may read it")


def classify_units(units):
    """Set ``unit.kind`` to OBJECT, ORPHAN or SIGINFO_ONLY.  Returns the tasks
    that have archives: a lone ``.siginfo`` of one of them is an orphan
    companion, of another task a siginfo-only unit."""
    archive_tasks = set(KNOWN_ARCHIVE_TASKS)
    archive_tasks.update(u.task for u in units if u.flags & ARCHIVE)
    for u in units:
        f = u.flags
        if f & ARCHIVE:
            u.kind = OBJECT
        elif f == SIGINFO and u.task not in archive_tasks:
            u.kind = SIGINFO_ONLY
        else:
            u.kind = ORPHAN
    return archive_tasks


def _slot(u):
    s = u.spec
    return (s.native, s.target, s.pkgarch, u.task)


def _recipe_select(units, r, current, now, measure):
    """The stale units of recipe ``r`` among ``units`` (all of its pn); ``current``: protected unihashes."""
    mine = [u for u in units if (r.tasks is None or u.task in r.tasks)
            and (r.pkgarchs is None or u.spec.pkgarch in r.pkgarchs)]
    live = {_slot(u) for u in mine if u.unihash in current} if r.same_slot else None
    stale = {}
    for u in mine:
        if u.unihash not in current and (live is None or _slot(u) in live):
            stale.setdefault(_slot(u), []).append(u)
    cutoff = now - r.older_than_days * 86400.0 if r.older_than_days is not None else None
    if r.keep_stale or cutoff is not None:      # ranks by last use: needs the mtimes
        for group in stale.values():
            measure(group)
    for group in stale.values():
        if r.keep_stale:
            group.sort(key=lambda u: (-u.mtime, u.stem))
        for u in group[r.keep_stale:]:
            if cutoff is None or u.mtime < cutoff:
                yield u


def _measured(units):
    """The default ``measure`` of :func:`select`: units come measured from the scan."""
    for u in units:
        if u.members is None:
            raise ValueError("unit %r was not measured" % u)


def select(units, opts, root_hashes, now, total_bytes, measure=_measured, keep=None):
    """Plan: returns (selected {unit: policy}, protected {unit: reason}, budget dict or None).

    ``measure(units)`` lstats units that the scan left unmeasured: only the
    ones a decision needs (the units of each duplicate group larger than
    ``keep``; the stale units of a recipe policy that ranks or ages them),
    then every selected unit, for the grace period, the byte totals and the
    re-check before deleting.  (In a duplicate group all but ``keep`` units
    are selected and need measuring anyway, so ranking by the newest member
    rather than the archive alone costs only the companions of the kept
    ones.)  Age and size policies need every unit measured
    (``Options.needs_every_stat``): the scan does that.
    """
    sel = {}
    recipes = opts.recipes()
    # Hashes compare exactly: stamps and object names carry the same unihash string.
    if keep is None:
        keep = frozenset(h.strip() for h in opts.keep_hashes)
    protected_hashes = root_hashes | keep
    for r in recipes:
        protected_hashes = protected_hashes | r.keep_hashes
    if recipes:
        by_pn = {}
        for u in units:
            if not u.spec.legacy:
                by_pn.setdefault(u.spec.pn, []).append(u)
        for r in recipes:
            for u in _recipe_select(by_pn.get(r.pn, ()), r, protected_hashes, now, measure):
                sel.setdefault(u, "recipe")
    if opts.sweep():
        for u in units:
            if u.unihash not in protected_hashes:
                sel.setdefault(u, "unreferenced")
    if opts.duplicates:
        groups = {}
        # A recipe generation's spec object is shared by all its units: its
        # part of the duplicates key is looked up once per spec, not per
        # unit, and stands in the key as a number (cheap to hash).
        slots = {}                              # id(spec) -> slot number, or -1: never a duplicate
        numbers = {}
        for u in units:
            if u.kind is OBJECT or (u.kind is SIGINFO_ONLY and opts.siginfo_only):
                task = u.task
                if task == "populate_lic":
                    continue
                s = u.spec
                slot = slots.get(id(s))
                if slot is None:
                    # everything but pv and pr: generations of one slot compete
                    if s.legacy or s.target or s.pkgarch:
                        slot = numbers.setdefault((s.native, s.pn, s.target, s.pkgarch, s.version, s.ext, s.legacy),
                                                  len(numbers))
                    else:
                        slot = -1
                    slots[id(s)] = slot
                if slot < 0:
                    continue
                key = (slot, task)
                g = groups.get(key)
                if g is None:
                    groups[key] = [u]
                else:
                    g.append(u)
        big = [g for g in groups.values() if len(g) > opts.keep]
        measure([u for g in big for u in g])
        for g in big:
            g.sort(key=lambda u: (-u.mtime, u.stem))
            for u in g[opts.keep:]:
                sel.setdefault(u, "duplicates")
    if opts.orphans:
        for u in units:
            if u.kind is ORPHAN or (u.kind is SIGINFO_ONLY and opts.siginfo_only):
                sel.setdefault(u, "orphans")
    if opts.older_than_days is not None:
        cutoff = now - opts.older_than_days * 86400.0
        for u in units:
            if u.mtime < cutoff:
                sel.setdefault(u, "age")
    # Every member of every selected unit, before anything is decided: the
    # grace period looks at the newest member, the deletion re-checks each.
    measure(list(sel))
    for u in [u for u in sel if not u.members]:
        del sel[u]                              # vanished since the scan: nothing to delete
    grace_cutoff = now - opts.grace_minutes * 60.0

    def protection(u):
        if u.unihash in protected_hashes:
            return "roots"
        if opts.grace_minutes and u.mtime > grace_cutoff:
            return "grace"
        return None

    protected = {}
    grace = opts.grace_minutes
    if protected_hashes or grace:               # else nothing can be protected: no pass over the selection
        for u in [u for u in sel if u.unihash in protected_hashes or (grace and u.mtime > grace_cutoff)]:
            protected[u] = protection(u)
            del sel[u]
    budget = None
    if opts.max_size is not None:
        after = total_bytes - sum(u.size for u in sel)
        before = after
        if after > opts.max_size:
            rest = [u for u in units if u not in sel and protection(u) is None]
            rest.sort(key=lambda u: (u.mtime, u.stem))
            for u in rest:
                if after <= opts.max_size:
                    break
                sel[u] = "size"
                after -= u.size
        budget = {"max_bytes": opts.max_size, "bytes_before": total_bytes, "bytes_after_other_policies": before,
                  "bytes_after": after, "reached": after <= opts.max_size}
    return sel, protected, budget


def prune(cache_dir, options=None, progress=None, confirm=None, **kwargs):
    """Prune the sstate cache ``cache_dir``.  Returns a :class:`Summary`.

    Pass an :class:`Options` or its fields as keyword arguments, e.g.::

        prune(sstate_dir, roots=[stamps_dir], keep_hashes=current, dry_run=False)
        prune(sstate_dir, recipe=RecipePolicy("zlib", keep_hashes=current), dry_run=False)
        prune(sstate_dir, duplicates=True, older_than_days=30, max_size=50 << 30)

    ``progress(phase, done, total_or_None, seconds)`` is called from time
    to time during the scan ("scan", files, None) and the deletion ("delete",
    files, total files).  ``confirm(summary)`` is called with the planned
    summary before anything is deleted; returning False aborts the run
    (``summary.aborted``).  Raises :class:`errors.PruneError` subclasses for
    bad parameters, a bad cache dir, refused roots or a busy lock; problems
    with single files are recorded in ``summary.errors`` instead.
    """
    opts = replace(options) if options is not None else Options()      # never mutate the caller's
    for k, v in kwargs.items():
        if not hasattr(opts, k):
            raise UsageError("unknown prune parameter %r" % k)
        setattr(opts, k, v)
    opts.validate()
    t_start = time.monotonic()
    now = opts.now if opts.now is not None else time.time()
    check_cache_dir(cache_dir)
    cache_dir = os.path.abspath(cache_dir)
    summary = Summary(cache_dir, opts.dry_run, opts.describe())

    root_hashes, root_stats = rootsmod.collect(list(opts.roots), opts.use_sigdata, opts.force) \
        if opts.roots else (set(), [])
    keep = frozenset(h.strip() for h in opts.keep_hashes)
    lock = None
    if not opts.dry_run and opts.lock:
        lock = CacheLock(cache_dir, opts.lock_wait).acquire()
    # Hundreds of thousands of small acyclic objects: the cyclic GC would
    # rescan them again and again (about a fifth of the run time) for nothing.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        scan_progress = None
        if progress is not None:
            def scan_progress(files, dirs, secs):
                progress("scan", files, None, secs)
        stat_all = opts.needs_every_stat()
        procs, threads, del_threads = parallelism(cache_dir, opts.jobs, opts.processes, opts.scan_threads)
        res = scan_cache(cache_dir, jobs=threads, progress=scan_progress, processes=procs,
                         stat=stat_all, lone_siginfo_units=opts.lone_siginfo_units())
        summary.timings["scan_workers"] = ("%d processes" % procs if procs > 1
                                           else "%d threads" % threads)
        t_scan = time.monotonic()
        units = res.units
        archive_tasks = classify_units(units)
        baselines = baselinesmod.Baselines(opts.baseline_dir, cache_dir).read() if opts.baseline_dir else None
        if baselines is not None:
            baselines.claim(res)
        summary.bytes_measured = res.measured
        summary.scan = _scan_summary(res, units, archive_tasks)
        for path, reason in res.unknown:
            if len(summary.unknown) < 1000:
                summary.unknown.append({"path": path, "reason": reason})
        summary.unknown_count = len(res.unknown)
        summary.errors.extend({"path": p, "error": e, "phase": "scan"} for p, e in res.errors)

        if opts.roots or keep:
            _match_protection(summary, units, root_stats, root_hashes, keep, opts, cache_dir)

        measure_errors = []

        def measure(us):
            summary.timings["lstat_calls"] = summary.timings.get("lstat_calls", 0) + \
                measure_units(cache_dir, us, measure_errors, procs)

        sel, protected, budget = select(units, opts, root_hashes, now, res.bytes, measure, keep)
        summary.errors.extend({"path": p, "error": e, "phase": "scan"} for p, e in measure_errors)
        summary.size_budget = budget
        for u, why in protected.items():
            p = summary.protected[why]
            p["files"] += len(u.members)
            p["bytes"] += u.size
        t_plan = time.monotonic()
        planned = list(sel)
        if not opts.dry_run:
            planned.sort(key=attrgetter("reldir"))
        _account(summary, ((u, len(u.members), u.size) for u in planned), sel)
        if opts.list_paths:
            summary.removed_paths = sorted(u.relpath(m[0]) for u in planned for m in u.members)

        summary.kept = _kept(res, summary)
        if baselines is not None:        # planned before the confirmation, which shows the plan
            summary.baselines = baselines.plan(_kept_objects(units, sel, None, False), opts, now, not res.errors)
            summary.errors.extend({"path": p, "error": e, "phase": "baselines"} for p, e in baselines.errors)
        gone = None
        if not opts.dry_run and (planned or baselines is not None and baselines.todo) and confirm is not None \
                and not confirm(summary):
            summary.aborted = True
        elif not opts.dry_run and planned:
            del_progress = None
            if progress is not None:
                nfiles = summary.removed["files"]

                def del_progress(files, nbytes, secs):
                    progress("delete", files, nfiles, secs)
            ds = deletemod.delete_units(cache_dir, planned, del_threads, del_progress)
            _account(summary, ds.removed_units, sel)
            summary.skipped = {"changed": _fb(ds.changed_files, ds.changed_bytes, units=ds.changed_units),
                               "vanished_files": ds.vanished_files}
            summary.errors.extend({"path": p, "error": e, "phase": "delete"} for p, e in ds.errors)
            summary.interrupted = ds.interrupted
            summary.timings["delete_seconds"] = round(ds.seconds, 3)
            if ds.seconds > 0:
                summary.timings["delete_files_per_second"] = round(ds.removed_files / ds.seconds, 1)
                summary.timings["delete_mib_per_second"] = round(ds.removed_bytes / ds.seconds / 1048576, 1)
            gone = set(id(u) for u, _, _ in ds.removed_units)
            summary.kept = _kept(res, summary)
        summary.set_kept_units(_kept_unihashes(units, sel, gone, summary.aborted))
        if baselines is not None and not opts.dry_run and not summary.aborted:
            summary.errors.extend({"path": p, "error": e, "phase": "baselines"}
                                  for p, e in baselines.apply(_kept_objects(units, sel, gone, False)))
        if budget is not None and not opts.dry_run and not summary.aborted:
            budget["bytes_after"] = res.bytes - summary.removed["bytes"]
            budget["reached"] = budget["bytes_after"] <= budget["max_bytes"]
        summary.timings.update(scan_seconds=round(t_scan - t_start, 3), plan_seconds=round(t_plan - t_scan, 3),
                               total_seconds=round(time.monotonic() - t_start, 3))
        return summary
    finally:
        if gc_was_enabled:
            gc.enable()
        if lock is not None:
            lock.release()


def _match_protection(summary, units, root_stats, root_hashes, keep, opts, cache_dir):
    """Count the units each root and the keep hashes reference, and refuse
    (unless ``force``) when one of them references no entry of a cache that
    has entries: a wrong stamps dir, a wrong cache or a mistyped hash would
    otherwise protect nothing, whatever the policies."""
    wanted = root_hashes | keep
    count = dict.fromkeys(wanted, 0)
    for u in units:
        h = u.unihash
        if h in wanted:
            count[h] += 1
    for s in root_stats:
        s.matched_units = sum(count.get(h, 0) for h in s.hash_set)
    matched = sum(count.get(h, 0) for h in root_hashes)
    if opts.roots:
        summary.roots = {"roots": [s.asdict() for s in root_stats], "hashes": len(root_hashes),
                         "matched_units": matched}
    summary.keep_hashes = {"hashes": len(keep), "matched_units": sum(count.get(h, 0) for h in keep)} \
        if keep else None
    if not units or opts.force:
        return
    for s in root_stats:
        if s.matched_units == 0:
            raise RefusedError("root %s references none of the %d entries of %s: wrong stamps dir or cache?"
                               % (s.path, len(units), cache_dir),
                               "check --stamps-dir/--build-dir and --cache-dir, or pass --force to go on "
                               "as if it protected nothing")
    if keep and summary.keep_hashes["matched_units"] == 0:
        raise RefusedError("the %d keep hashes (--keep-hash, --keep-hashes-file) match none of the %d entries of %s"
                           % (len(keep), len(units), cache_dir),
                           "check them for typos and the file for its format, or pass --force to go on "
                           "as if they protected nothing")


def _account(summary, removed, sel):
    """Fill removed / by_policy / top_recipes from an iterable of (unit, files, bytes)."""
    policies = set(sel.values())
    by_policy = {p: _fb(units=0) for p in POLICY_ORDER if p in policies}
    rfiles = {}
    rbytes = {}
    files = nbytes = n = 0
    one = by_policy[next(iter(policies))] if len(policies) == 1 else None
    for u, nf, nb in removed:
        n += 1
        files += nf
        nbytes += nb
        if one is None:
            p = by_policy[sel[u]]
            p["files"] += nf
            p["bytes"] += nb
            p["units"] += 1
        pn = u.spec.pn
        rfiles[pn] = rfiles.get(pn, 0) + nf
        rbytes[pn] = rbytes.get(pn, 0) + nb
    if one is not None:                          # the usual case: one policy selected everything
        one["files"] = files
        one["bytes"] = nbytes
        one["units"] = n
    summary.removed = _fb(files, nbytes)
    summary.by_policy = by_policy
    top = sorted(rfiles, key=lambda pn: (-rbytes[pn], -rfiles[pn], pn))[:20]
    summary.top_recipes = [{"pn": pn, "files": rfiles[pn], "bytes": rbytes[pn]} for pn in top]


def _kept_objects(units, sel, gone, aborted):
    """The objects a real run left (``gone``: ids of the removed units), or a dry run would leave
    (not in ``sel``)."""
    for u in units:
        if u.kind is OBJECT and (aborted or (id(u) not in gone if gone is not None else u not in sel)):
            yield u


def _kept_unihashes(units, sel, gone, aborted):
    """For Summary.kept_unihashes: the unihashes of :func:`_kept_objects`, computed on first use."""
    return lambda: (u.unihash for u in _kept_objects(units, sel, gone, aborted))


def _kept(res, summary):
    """Files (and, when the scan measured every file, bytes) left after ``summary.removed``."""
    return _fb(res.files - summary.removed["files"],
               res.bytes - summary.removed["bytes"] if res.measured else None)


def _scan_summary(res, units, archive_tasks):
    kinds = {OBJECT: [0, 0, 0], ORPHAN: [0, 0, 0], SIGINFO_ONLY: [0, 0, 0]}
    sig = 0
    measured = res.measured
    nfiles = _NFILES
    for u in units:
        k = kinds[u.kind]
        k[0] += 1
        if measured:
            k[1] += len(u.members)
            k[2] += u.size
        else:
            k[1] += nfiles[u.flags]
        if u.flags & SIG:
            sig += 1
    for task, n in (res.lone_siginfo or {}).items():    # counted, not made units (never measured)
        k = kinds[ORPHAN if task in archive_tasks else SIGINFO_ONLY]
        k[0] += n
        k[1] += n
    if not measured:                   # sizes of the units were not read: say so, not 0
        for k in kinds.values():
            k[2] = None
    return {
        "files": res.files, "bytes": res.bytes if measured else None, "dirs": res.dirs,
        "seconds": round(res.seconds, 3),
        "objects": {"units": kinds[OBJECT][0], "files": kinds[OBJECT][1], "bytes": kinds[OBJECT][2]},
        "siginfo_only": {"units": kinds[SIGINFO_ONLY][0], "files": kinds[SIGINFO_ONLY][1],
                         "bytes": kinds[SIGINFO_ONLY][2]},
        "orphans": {"units": kinds[ORPHAN][0], "files": kinds[ORPHAN][1], "bytes": kinds[ORPHAN][2]},
        "sig_files": sig,
        "temporary": {"files": res.temporary[0], "bytes": res.temporary[1], "dirs": res.temporary_dirs},
        "unknown": {"files": len(res.unknown), "bytes": res.unknown_bytes},
        "errors": len(res.errors),
    }


def prune_recipe(cache_dir, pn, keep_hashes, tasks=None, pkgarchs=None, same_slot=True, keep_stale=0,
                 recipe_older_than_days=None, **kwargs):
    """``bitbake -c sstate_prune <recipe>``: remove ``pn``'s units not in ``keep_hashes``."""
    recipe = RecipePolicy(pn, frozenset(keep_hashes),
                          frozenset(tasks) if tasks is not None else None,
                          frozenset(pkgarchs) if pkgarchs is not None else None,
                          same_slot, keep_stale, recipe_older_than_days)
    return prune(cache_dir, recipe=recipe, **kwargs)
