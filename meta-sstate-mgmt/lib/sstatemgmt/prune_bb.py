# SPDX-License-Identifier: MIT
"""sstate pruning inside BitBake (classes/sstate-prune.bbclass, recipes-support/sstate-prune).

The policy engine is :mod:`sstatemgmt.prune` (no BitBake import); this module
turns the datastore into engine parameters and reports through bb. It never
imports the engine itself: the BitBake server imports this module for its
event handlers, and nothing of a prune (the engine's caches, its scan
processes) may live in that long-running, multi-threaded process.

Per-recipe prune (``bitbake -c sstate_prune <targets>``)
    ``do_sstate_prune`` runs after the recipe's own sstate tasks, so the
    runqueue has computed (and, through hash equivalence, resolved) the
    unihash of every task of the recipe for this configuration; they are in
    ``BB_TASKDEPDATA``. The task records them in a spool file under TMPDIR.
    At ``BuildCompleted`` one engine pass prunes every recorded recipe (one
    scan of the cache however many recipes, e.g. ``world``), under the
    engine's cache lock. The pass runs in a process of its own
    (:mod:`sstatemgmt.prune_pass`, started with exec, not forked from the
    server); the handler relays its progress (``ProcessStarted`` /
    ``ProcessProgress`` / ``ProcessFinished``) and messages, and stops it
    when the build is stopped (a second Ctrl-C, ``bitbake`` killed).

Whole-cache prune (``bitbake sstate-prune``)
    Keeps what this build's stamps (STAMPS_DIR) and the configured
    ``SSTATE_PRUNE_ROOTS`` reference, and removes every other entry. It runs
    in the recipe's task, in a BitBake worker. Stamps name the unihash of
    each task (checked on real builds under hash equivalence), which is also
    the object's name.

Hash equivalence server
    With ``SSTATE_PRUNE_HASHSERV_GC = "1"``, after a real (not dry) run, every
    unihash of an object still in the cache is marked and the rest swept
    (``gc-mark-stream``, or one ``gc-mark`` per unihash on BitBake 2.8, then
    ``gc-sweep``). Only do this when the server serves this sstate cache
    alone: entries of objects in other caches would be swept too.
"""

import glob
import json
import os
import selectors
import signal
import subprocess
import sys
import time

import bb

from . import oecompat

SPOOL_DIR = "${TMPDIR}/sstate-prune/pending"
WORK_DIR = "${TMPDIR}/sstate-prune"
LOG_DIR = "${LOG_DIR}/sstate-prune"
STAT_ALL_HINT = 'SSTATE_PRUNE_STAT_ALL = "1"'


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
        baseline_dir=(d.getVar("SSTATE_PRUNE_BASELINE_DIR") or "").strip() or None,
    )


def _hashserv(d):
    """The server SSTATE_PRUNE_HASHSERV_GC collects, or None (with a warning if it cannot be)."""
    if not bb.utils.to_boolean(d.getVar("SSTATE_PRUNE_HASHSERV_GC")):
        return None
    addr = d.getVar("SSTATE_PRUNE_HASHSERV") or ""
    if not addr or addr == "auto":
        bb.warn("sstate_prune: SSTATE_PRUNE_HASHSERV_GC is set but no hash equivalence server is running "
                "(SSTATE_PRUNE_HASHSERV = \"%s\"); its entries are not collected" % addr)
        return None
    return addr


def _job(d, label, cache, options, recipes=None):
    return {"label": label, "cache": cache, "options": options, "recipes": recipes or [],
            "hashserv": _hashserv(d), "stat_all_hint": STAT_ALL_HINT, "lock_hint": "SSTATE_PRUNE_LOCK_WAIT"}


class Relay:
    """Turns the events of a prune pass (:mod:`sstatemgmt.prune_pass`) into BitBake messages.

    In the server (``task=False``), a phase whose size is known (deleting,
    marking hashes) shows as ProcessStarted / ProcessProgress /
    ProcessFinished, which knotty draws as a progress bar; the scan, whose
    size is not known in advance, as a note. In a task, progress goes out as
    TaskProgress (negative while the size is unknown), next to the task in
    the running-task list. ``log``: a file that gets the same lines.
    """

    PHASES = {"scan": "scanning %s", "delete": "removing files from %s", "hashserv": "marking kept hashes on %s"}

    def __init__(self, d, task=False, log=None):
        self.d = d
        self.task = task
        self.log = log
        self.current = None            # (label, phase, name, bar shown) of the running phase
        self.errors = []               # error events
        self.interrupted = False
        self.pid = None

    def _say(self, label, message, level=bb.plain):
        level("%s: %s" % (label, message))
        if self.log is not None:
            self.log.write("%s: %s\n" % (label, message))
            self.log.flush()

    def _end_progress(self):
        if self.current is not None and self.current[3]:
            bb.event.fire(bb.event.ProcessFinished(self.current[2]), self.d)
        self.current = None

    def event(self, ev):
        kind = ev.get("event")
        label = ev.get("label", "sstate_prune")
        if kind == "progress":
            phase = ev["phase"]
            total = ev.get("total")
            if self.current is None or self.current[:2] != (label, phase):
                self._end_progress()
                name = "%s: %s" % (label, self.PHASES.get(phase, phase + " %s") % ev.get("where", "the cache"))
                bar = bool(total) and not self.task
                self.current = (label, phase, name, bar)
                if bar:
                    bb.event.fire(bb.event.ProcessStarted(name, total), self.d)
                else:
                    bb.note(name)
            if self.task:
                bb.event.fire(bb.build.TaskProgress(int(ev["done"] * 100 / total) if total else -1), self.d)
            elif self.current[3]:
                bb.event.fire(bb.event.ProcessProgress(self.current[2], ev["done"]), self.d)
            return
        self._end_progress()
        if kind == "start":
            self.pid = ev["pid"]
            self._say("sstate_prune", "prune pass in process %d (%s), BitBake server %d"
                      % (ev["pid"], " ".join(ev.get("cmdline", [])[:3]), os.getpid()), bb.note)
        elif kind == "lines":
            for line in ev["lines"]:
                self._say(label, line)
        elif kind == "note":
            self._say(label, ev["message"])
        elif kind == "warn":
            self._say(label, ev["message"], bb.warn)
        elif kind == "error":
            self.errors.append(ev)
            if not self.task:
                self._say(label, ev["message"], bb.error)
        elif kind == "interrupted":
            self.interrupted = True
        elif self.log is not None:
            self.log.write("%s\n" % json.dumps(ev))

    def done(self):
        self._end_progress()


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


def build_completed(e):
    """One engine pass over the cache for every recipe recorded by do_sstate_prune in this build,
    in a process of its own (see the module docstring)."""
    d = e.data
    paths = sorted(glob.glob(os.path.join(d.expand(SPOOL_DIR), "*.json")))
    if not paths:
        return
    if getattr(e, "_interrupted", 0):
        bb.note("sstate_prune: the build was stopped: nothing is pruned")
        return
    by_cache = {}
    for path in paths:
        with open(path) as f:
            entry = json.load(f)
        by_cache.setdefault(entry["sstate_dir"], []).append(entry)
    common = _common(d)
    jobs = []
    for sstate_dir, entries in sorted(by_cache.items()):
        what = entries[0]["pn"] if len(entries) == 1 else "%d recipes" % len(entries)
        recipes = [{k: e[k] for k in ("pn", "keep", "keep_stale", "older_than_days")} for e in entries]
        jobs.append(_job(d, "sstate_prune (%s)" % what, sstate_dir, common, recipes))
    run_outside(d, jobs)
    for path in paths:
        bb.utils.remove(path)


def run_outside(d, jobs):
    """Run the prune ``jobs`` in ``python3 -m sstatemgmt.prune_pass`` and relay what it says.

    Called from the server: the child is exec'ed (subprocess), its stdout
    carries JSON events, its stderr goes to a log under ${LOG_DIR}. A stopped
    build (bb.event's exit flag: a second Ctrl-C, SIGTERM to the server)
    sends it SIGINT; it then stops at its next safe point
    (prune_pass.Interruptible), and the handler waits for it, so that the
    lock is free when bitbake exits.
    """
    import sstatemgmt
    workdir = d.expand(WORK_DIR)
    logdir = d.expand(LOG_DIR)
    bb.utils.mkdirhier(workdir)
    bb.utils.mkdirhier(logdir)
    request = os.path.join(workdir, "request.json")
    with open(request + ".tmp", "w") as f:
        json.dump({"bitbake_lib": os.path.dirname(os.path.dirname(os.path.abspath(bb.__file__))),
                   "jobs": jobs}, f)
    os.replace(request + ".tmp", request)
    libdir = os.path.dirname(os.path.dirname(os.path.abspath(sstatemgmt.__file__)))
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([libdir] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
    logpath = os.path.join(logdir, "sstate_prune.%s.log" % (d.getVar("BUILDNAME") or time.strftime("%Y%m%d%H%M%S")))
    with open(logpath, "a") as log:
        proc = subprocess.Popen([sys.executable, "-m", "sstatemgmt.prune_pass", request], cwd=workdir, env=env,
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=log)
        relay = Relay(d, log=log)
        try:
            _pump(proc, relay)
        finally:
            if proc.poll() is None:         # an error here: never leave it running unattended
                proc.send_signal(signal.SIGINT)
            rc = proc.wait()
            relay.done()
    if relay.interrupted:
        bb.warn("sstate_prune: stopped: the prune pass (process %s) ended early; see %s" % (relay.pid, logpath))
    elif rc != 0 and not relay.errors:
        bb.error("sstate_prune: the prune pass failed (exit %d); its output is in %s" % (rc, logpath))
    return relay


def _pump(proc, relay):
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    fd = proc.stdout.fileno()
    buf = b""
    stopping = False
    try:
        while True:
            if sel.select(timeout=0.25):
                chunk = os.read(fd, 65536)
                if not chunk:
                    break
                buf += chunk
                *lines, buf = buf.split(b"\n")
                for line in lines:
                    try:
                        ev = json.loads(line)
                    except ValueError:
                        ev = {"event": "raw", "line": line.decode(errors="replace")}
                    relay.event(ev)
            if not stopping and oecompat.stop_requested():
                stopping = True
                bb.note("sstate_prune: the build is stopping: stopping the prune pass (process %s)" % relay.pid)
                proc.send_signal(signal.SIGINT)
    finally:
        sel.close()
        proc.stdout.close()


# -- whole cache --------------------------------------------------------------

def cache_roots(d):
    roots = [d.getVar("STAMPS_DIR")]
    for root in (d.getVar("SSTATE_PRUNE_ROOTS") or "").split():
        if root not in roots:
            roots.append(root)
    return roots


def cache_task(d):
    """Body of sstate-prune's do_sstate_prune_cache: keep what the roots reference, remove the rest.

    A task runs in a process of its own (a BitBake worker's child), so the
    pass runs right here."""
    from . import prune_pass
    no_siginfo(d)
    roots = cache_roots(d)
    options = dict(_common(d), roots=roots, remove_unreferenced=True,
                   force=bb.utils.to_boolean(d.getVar("SSTATE_PRUNE_FORCE")))
    relay = Relay(d, task=True)
    try:
        with prune_pass.Interruptible() as stop:
            prune_pass.run_job(_job(d, "sstate-prune", d.getVar("SSTATE_DIR"), options), relay.event, stop.check)
    except KeyboardInterrupt:
        bb.fatal("sstate-prune: stopped")
    finally:
        relay.done()
    for err in relay.errors:
        if err.get("refused"):
            bb.fatal("sstate-prune: refused: %s. The roots were: %s. Check SSTATE_PRUNE_ROOTS, or set "
                     "SSTATE_PRUNE_FORCE = \"1\" if they really reference nothing."
                     % (err["message"], " ".join(roots)))
        bb.fatal("sstate-prune: %s" % err["message"])
