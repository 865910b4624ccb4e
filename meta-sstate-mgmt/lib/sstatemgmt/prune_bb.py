# SPDX-License-Identifier: MIT
"""sstate pruning inside BitBake (classes/sstate-prune.bbclass, recipes-support/sstate-prune).

The policy engine is :mod:`sstatemgmt.prune` (no BitBake import); this module
only turns the datastore into engine parameters and reports through bb.

Per-recipe prune (``bitbake -c sstate_prune <targets>``)
    ``do_sstate_prune`` runs after the recipe's own sstate tasks, so the
    runqueue has computed (and, through hash equivalence, resolved) the
    unihash of every task of the recipe for this configuration; they are in
    ``BB_TASKDEPDATA``. The task records them in a spool file under TMPDIR.
    At ``BuildCompleted`` one engine pass prunes every recorded recipe (one
    scan of the cache however many recipes, e.g. ``world``), under the
    engine's cache lock, so concurrent tasks never fight over the cache.

Whole-cache prune (``bitbake sstate-prune``)
    Keeps what this build's stamps (STAMPS_DIR) and the configured
    ``SSTATE_PRUNE_ROOTS`` reference, and removes every other entry. Stamps
    name the unihash of each task (checked on real builds under hash
    equivalence), which is also the object's name.

Hash equivalence server
    With ``SSTATE_PRUNE_HASHSERV_GC = "1"``, after a real (not dry) run, every
    unihash of an object still in the cache is marked and the rest swept
    (``gc-mark-stream``/``gc-sweep``). Only do this when the server serves this
    sstate cache alone: entries of objects in other caches would be swept too.
"""

import glob
import json
import os
import time

import bb

from sstatemgmt import prune as engine

SPOOL_DIR = "${TMPDIR}/sstate-prune/pending"


def _number(d, var, conv=float):
    value = (d.getVar(var) or "").strip()
    if not value:
        return None
    try:
        return conv(value)
    except ValueError:
        bb.fatal("%s = \"%s\" is not a number: set it to a %s or leave it empty"
                 % (var, value, "whole number" if conv is int else "number"))


def _common(d):
    """Engine parameters shared by both modes."""
    lock_wait = _number(d, "SSTATE_PRUNE_LOCK_WAIT")
    return dict(
        dry_run=bb.utils.to_boolean(d.getVar("SSTATE_PRUNE_DRY_RUN")),
        grace_minutes=_number(d, "SSTATE_PRUNE_GRACE") or 0.0,
        lock_wait=None if lock_wait is not None and lock_wait < 0 else (lock_wait or 0.0),
        jobs=max(_number(d, "BB_NUMBER_THREADS", int) or 4, 1),
        stat_all=bb.utils.to_boolean(d.getVar("SSTATE_PRUNE_STAT_ALL")),
    )


def _report(prefix, summary):
    summary.stat_all_hint = 'SSTATE_PRUNE_STAT_ALL = "1"'
    for line in summary.format_human().splitlines():
        bb.plain("%s: %s" % (prefix, line))


# -- per recipe ---------------------------------------------------------------

def no_siginfo(d):
    """A prune task must not write into the cache it prunes: OE-Core's sstate_eventhandler
    writes a .siginfo for every task unless SSTATE_CURRTASK says the task handled sstate itself."""
    d.setVar("SSTATE_CURRTASK", d.getVar("BB_RUNTASK")[3:])


def recipe_task(d):
    """Body of do_sstate_prune: record this recipe's current hashes for the end-of-build pass."""
    no_siginfo(d)
    pn = d.getVar("PN")
    mc = d.getVar("BB_CURRENT_MC") or ""
    taskdepdata = d.getVar("BB_TASKDEPDATA", False) or {}
    own = [t for t in taskdepdata.values() if t.pn == pn and t.taskname == "do_sstate_prune"]
    fn = own[0].fn if own else None
    keep = set()
    tasks = set()
    for t in taskdepdata.values():
        if t.fn == fn:
            keep.update((t.unihash, t.taskhash))
            tasks.add(t.taskname)
    if not keep:
        bb.fatal("sstate_prune: found none of %s's own tasks in BB_TASKDEPDATA; nothing is known to be current, "
                 "so nothing is pruned" % pn)
    entry = {
        "pn": pn, "mc": mc, "sstate_dir": d.getVar("SSTATE_DIR"), "keep": sorted(keep),
        "keep_stale": _number(d, "SSTATE_PRUNE_KEEP", int) or 0,
        "older_than_days": _number(d, "SSTATE_PRUNE_OLDER_THAN"),
    }
    spool = d.expand(SPOOL_DIR)
    bb.utils.mkdirhier(spool)
    path = os.path.join(spool, "%s%s.json" % (mc + "-" if mc else "", pn))
    with open(path + ".tmp", "w") as f:
        json.dump(entry, f)
    os.replace(path + ".tmp", path)
    bb.note("sstate_prune: %s: %d current hashes of %d tasks recorded; pruned at the end of the build"
            % (pn, len(keep), len(tasks)))


def build_started(d):
    """Forget what an interrupted earlier build recorded: its idea of 'current' may be stale."""
    for path in glob.glob(os.path.join(d.expand(SPOOL_DIR), "*.json*")):
        bb.utils.remove(path)


def build_completed(d):
    """One engine pass over the cache for every recipe recorded by do_sstate_prune in this build."""
    paths = sorted(glob.glob(os.path.join(d.expand(SPOOL_DIR), "*.json")))
    if not paths:
        return
    by_cache = {}
    for path in paths:
        with open(path) as f:
            entry = json.load(f)
        by_cache.setdefault(entry["sstate_dir"], []).append(entry)
    common = _common(d)
    for sstate_dir, entries in sorted(by_cache.items()):
        policies = [engine.RecipePolicy(e["pn"], frozenset(e["keep"]), keep_stale=e["keep_stale"],
                                        older_than_days=e["older_than_days"]) for e in entries]
        what = entries[0]["pn"] if len(entries) == 1 else "%d recipes" % len(entries)
        try:
            summary = engine.prune(sstate_dir, recipe=policies, **common)
        except engine.PruneError as e:
            bb.error("sstate_prune: %s: %s" % (what, e))
            continue
        _report("sstate_prune (%s)" % what, summary)
        hashserv_gc(d, summary)
    for path in paths:
        bb.utils.remove(path)


# -- whole cache --------------------------------------------------------------

def cache_roots(d):
    roots = [d.getVar("STAMPS_DIR")]
    for root in (d.getVar("SSTATE_PRUNE_ROOTS") or "").split():
        if root not in roots:
            roots.append(root)
    return roots


def cache_task(d):
    """Body of sstate-prune's do_sstate_prune_cache: keep what the roots reference, remove the rest."""
    no_siginfo(d)
    roots = cache_roots(d)
    try:
        summary = engine.prune(d.getVar("SSTATE_DIR"), roots=roots, remove_unreferenced=True,
                               force=bb.utils.to_boolean(d.getVar("SSTATE_PRUNE_FORCE")), **_common(d))
    except engine.RefusedError as e:
        bb.fatal("sstate-prune: refused: %s. The roots were: %s. Check SSTATE_PRUNE_ROOTS, or set "
                 "SSTATE_PRUNE_FORCE = \"1\" if they really reference nothing." % (e, " ".join(roots)))
    except engine.PruneError as e:
        bb.fatal("sstate-prune: %s" % e)
    _report("sstate-prune", summary)
    hashserv_gc(d, summary)


# -- hash equivalence server ---------------------------------------------------

def hashserv_gc(d, summary):
    """Drop hash equivalence entries whose objects are gone (SSTATE_PRUNE_HASHSERV_GC)."""
    if not bb.utils.to_boolean(d.getVar("SSTATE_PRUNE_HASHSERV_GC")):
        return
    if summary.dry_run:
        bb.plain("sstate_prune: dry run: the hash equivalence server is left as it is")
        return
    addr = d.getVar("SSTATE_PRUNE_HASHSERV") or ""
    if not addr or addr == "auto":
        bb.warn("sstate_prune: SSTATE_PRUNE_HASHSERV_GC is set but no hash equivalence server is running "
                "(SSTATE_PRUNE_HASHSERV = \"%s\"); its entries were not collected" % addr)
        return
    import hashserv
    mark = "sstate-prune-%d" % int(time.time())
    rows = ["unihash %s" % h for h in sorted(summary.kept_unihashes)]
    try:
        client = hashserv.create_client(addr)
        try:
            try:
                marked = client.gc_mark_stream(mark, rows)["count"]
            except ConnectionError:
                marked = sum(client.gc_mark(mark, {"unihash": r.split()[1]})["count"] for r in rows)
            swept = client.gc_sweep(mark)["count"]
        finally:
            client.close()
    except Exception as e:  # the server's errors come in many types; none may fail the prune
        bb.warn("sstate_prune: the cache was pruned, but the hash equivalence server %s was not: %s. "
                "Its stale entries stay until a later run or 'bitbake-hashclient gc-mark/gc-sweep'." % (addr, e))
        return
    bb.plain("sstate_prune: hash equivalence server %s: %d entries kept (marked), %d removed"
             % (addr, marked, swept))
