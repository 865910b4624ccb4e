# SPDX-License-Identifier: MIT
#
# sstate pruning inside the build. Enable with one line in local.conf, a distro
# configuration or kas (kas/sstate-prune.yml):
#
#   INHERIT += "sstate-prune"
#
# Then:
#   bitbake -c sstate_prune <recipe...|world>   stale objects of those recipes
#   bitbake sstate-prune                        whole cache, this build's stamps as GC roots
#
# Both use the engine in lib/sstatemgmt/prune (the standalone
# scripts/sstate-cache-management uses the same one), always outside the
# BitBake server: in a task, or in a process the server starts and waits for.
# See docs/sstate-prune-bitbake.md.

SSTATE_PRUNE_DRY_RUN ?= "0"
SSTATE_PRUNE_DRY_RUN[doc] = "1: report what would be removed from SSTATE_DIR and remove nothing."
SSTATE_PRUNE_KEEP ?= "0"
SSTATE_PRUNE_KEEP[doc] = "Per-recipe prune: also keep this many of the most recently used stale objects per task (and host dir, target, pkgarch)."
SSTATE_PRUNE_OLDER_THAN ?= ""
SSTATE_PRUNE_OLDER_THAN[doc] = "Per-recipe prune: remove a stale object only if unused for this many days (empty: any age)."
SSTATE_PRUNE_GRACE ?= "360"
SSTATE_PRUNE_GRACE[doc] = "Minutes: never remove an entry modified more recently than this (protects builds running now)."
SSTATE_PRUNE_LOCK_WAIT ?= "600"
SSTATE_PRUNE_LOCK_WAIT[doc] = "Seconds to wait for another pruner's lock on SSTATE_DIR (-1: forever, 0: fail at once)."
SSTATE_PRUNE_ROOTS ?= ""
SSTATE_PRUNE_ROOTS[doc] = "Whole-cache prune: other build dirs, TMPDIRs or stamps dirs (space-separated) whose objects are kept, besides this build's STAMPS_DIR."
SSTATE_PRUNE_STAT_ALL ?= "0"
SSTATE_PRUNE_STAT_ALL[doc] = "1: lstat every file of SSTATE_DIR, so that the summary gives the bytes kept (by default only what a policy needs is measured)."
SSTATE_PRUNE_FORCE ?= "0"
SSTATE_PRUNE_FORCE[doc] = "Whole-cache prune: run even when the roots reference nothing in the cache (otherwise it refuses)."
SSTATE_PRUNE_HASHSERV_GC ?= "0"
SSTATE_PRUNE_HASHSERV_GC[doc] = "1: after a real prune, remove hash equivalence entries whose objects are gone (gc-mark/gc-sweep on BB_HASHSERVE). Only for a server that serves this sstate cache alone."

SSTATE_PRUNE_HASHSERV ?= "${BB_HASHSERVE}"
SSTATE_PRUNE_HASHSERV[doc] = "The hash equivalence server SSTATE_PRUNE_HASHSERV_GC collects (default: the build's own)."

SSTATE_PRUNE_BASELINE_DIR ?= "${@d.getVar('CDEPENDS_BASELINE_DIR') or d.expand('${SSTATE_DIR}/cdepends-baseline')}"
SSTATE_PRUNE_BASELINE_DIR[doc] = "CDEPENDS superset baselines (<PN>/<key>.report) pruned with their children: a baseline whose child has no object left in SSTATE_DIR after a prune is removed (per-recipe prune: only those of the pruned recipes). Default: CDEPENDS_BASELINE_DIR. Empty: baselines are left alone."

# These are read only when a prune runs: changing them must not cost a reparse.
BB_HASHCONFIG_IGNORE_VARS += "SSTATE_PRUNE_DRY_RUN SSTATE_PRUNE_KEEP SSTATE_PRUNE_OLDER_THAN SSTATE_PRUNE_GRACE \
    SSTATE_PRUNE_LOCK_WAIT SSTATE_PRUNE_ROOTS SSTATE_PRUNE_STAT_ALL SSTATE_PRUNE_FORCE SSTATE_PRUNE_HASHSERV_GC SSTATE_PRUNE_HASHSERV \
    SSTATE_PRUNE_BASELINE_DIR"

# Per recipe: after every sstate task of the recipe, so that the runqueue has
# resolved their unihashes for this configuration (BB_TASKDEPDATA). The task
# only records them; at BuildCompleted one pass prunes every recorded recipe,
# in a process of its own (lib/sstatemgmt/prune_pass.py), never in the server.
python do_sstate_prune() {
    import sstatemgmt.prune_bb
    sstatemgmt.prune_bb.recipe_task(d)
}
do_sstate_prune[nostamp] = "1"
addtask sstate_prune

python __anonymous() {
    tasks = [t for t in (d.getVar("SSTATETASKS") or "").split() if d.getVarFlag(t, "task")]
    if tasks:
        bb.build.addtask("do_sstate_prune", None, " ".join(tasks), d)
}

# Runs in the BitBake server: cheap file work only; the pass itself runs in a
# process of its own (sstatemgmt.prune_bb.run_outside).
addhandler sstate_prune_eventhandler
sstate_prune_eventhandler[eventmask] = "bb.event.BuildStarted bb.event.BuildCompleted"
python sstate_prune_eventhandler() {
    import sstatemgmt.prune_bb
    if isinstance(e, bb.event.BuildStarted):
        sstatemgmt.prune_bb.build_started(e.data)
    else:
        sstatemgmt.prune_bb.build_completed(e)
}
