# SPDX-License-Identifier: MIT
"""One in-build prune pass, run outside the BitBake server.

``bitbake -c sstate_prune <targets>``: each recipe's ``do_sstate_prune`` task
records the recipe's current hashes; at ``BuildCompleted`` the server's
handler (:func:`sstatemgmt.prune_bb.build_completed`) writes a request and
runs this module as a program::

    python3 -m sstatemgmt.prune_pass REQUEST.json

so that the scan, the deletion and the hash server requests happen in a
process of their own, never in the (multi-threaded, possibly
memory-resident) server: nothing is forked from it, nothing the engine
caches stays in it. This process writes one JSON event per line on stdout,
which the handler turns into BitBake messages and progress events. The
whole-cache task (``bitbake sstate-prune``) runs in a BitBake worker already
and calls :func:`run_job` directly.

Stopping (:class:`Interruptible`): a first SIGINT or SIGTERM stops the run
at the next safe point: at the end of the scan, before anything is deleted,
while waiting for another pruner's lock, between hash server requests. A deletion
under way completes (the engine deletes whole units, so the stop never
splits an archive from its companions). A second signal acts at once, as it
would have without this. Either way the engine releases its lock and ends
its scan processes.

A request is ``{"bitbake_lib": dir, "jobs": [job...]}``, a job
``{"label", "cache", "options", "recipes", "hashserv", "stat_all_hint",
"lock_hint"}``: ``options`` are :func:`sstatemgmt.prune.prune` keyword
arguments, ``recipes`` ``[{"pn", "keep", "keep_stale", "older_than_days"}]``
(per-recipe prune), ``hashserv`` the address of a hash equivalence server to
collect after a real prune, or null, and the hints name the settings in the
caller's terms. Events: ``start``, ``progress`` (``phase`` scan, delete or
hashserv; ``where``: the cache or the server), ``lines`` (the human
summary), ``note``, ``warn``, ``error``, ``interrupted``.

This module imports nothing from BitBake but BitBake's hash server client,
and only when a server is to be collected.
"""

import json
import os
import signal
import sys
import threading
import time

from . import prune as engine


def _recipes(job):
    return [engine.RecipePolicy(r["pn"], frozenset(r["keep"]), keep_stale=r.get("keep_stale") or 0,
                                older_than_days=r.get("older_than_days")) for r in job.get("recipes") or ()]


class Interruptible:
    """While active, the first SIGINT or SIGTERM only sets :attr:`signum`; :meth:`check`
    raises KeyboardInterrupt at the caller's safe points. A second signal restores
    the previous handlers and acts as they would (KeyboardInterrupt by default)."""

    SIGNALS = (signal.SIGINT, signal.SIGTERM)

    def __init__(self):
        self.signum = None
        self.saved = {}

    def __enter__(self):
        for sig in self.SIGNALS:
            self.saved[sig] = signal.signal(sig, self._handler)
        return self

    def _handler(self, signum, frame):
        if self.signum is None:
            self.signum = signum
            return
        previous = self.saved.get(signum)
        self.__exit__()
        if previous == signal.SIG_IGN:
            return
        if callable(previous):                   # Python's default for SIGINT raises KeyboardInterrupt
            previous(signum, frame)
        else:                                    # SIG_DFL, restored: the default action
            os.kill(os.getpid(), signum)

    def check(self):
        if self.signum is not None:
            raise KeyboardInterrupt

    def __exit__(self, *exc):
        for sig, handler in self.saved.items():
            signal.signal(sig, handler if handler is not None else signal.SIG_DFL)
        self.saved = {}


def run_job(job, emit, check=lambda: None):
    """Prune one cache as ``job`` says; report through ``emit(event)``. Returns the Summary or None.

    ``check()`` is called at the safe points (see :class:`Interruptible`); it may raise
    KeyboardInterrupt, which this function lets through."""
    label = job["label"]
    last = [0.0]

    def confirm(summary):
        check()
        return True

    def progress(phase, done, total, secs):
        if threading.current_thread() is threading.main_thread():   # the scan also reports from a thread
            check()
        now = time.monotonic()
        if now - last[0] >= 0.5 or (total is not None and done >= total):
            last[0] = now
            emit({"event": "progress", "label": label, "phase": phase, "where": job["cache"], "done": done,
                  "total": total})

    options = dict(job["options"])
    recipes = _recipes(job)
    if recipes:
        options["recipe"] = recipes
    try:
        summary = _prune_when_unlocked(job["cache"], options, progress, confirm, check, label, emit)
    except engine.LockBusyError as e:
        emit({"event": "error", "label": label, "message": "%s (wait longer: %s)" % (e, job.get("lock_hint")
                                                                                     or "--lock-wait")})
        return None
    except engine.PruneError as e:
        emit({"event": "error", "label": label, "message": e.oneline(),
              "refused": isinstance(e, engine.RefusedError)})
        return None
    summary.stat_all_hint = job.get("stat_all_hint") or summary.stat_all_hint
    emit({"event": "lines", "label": label, "lines": summary.format_human().splitlines()})
    if job.get("hashserv"):
        check()
        collect_hashserv(job["hashserv"], summary, label, emit, check)
    return summary


def _prune_when_unlocked(cache, options, progress, confirm, check, label, emit):
    """engine.prune, waiting up to ``lock_wait`` seconds (None: for ever) for another pruner's
    lock here rather than in the engine, so that a stop request is heard while waiting."""
    wait = options.get("lock_wait", 0.0)
    if options.get("dry_run", True) or wait == 0:
        return engine.prune(cache, progress=progress, confirm=confirm, **options)
    options = dict(options, lock_wait=0.0)
    deadline = None if wait is None else time.monotonic() + wait
    waiting = False
    while True:
        try:
            return engine.prune(cache, progress=progress, confirm=confirm, **options)
        except engine.LockBusyError as e:
            if deadline is not None and time.monotonic() >= deadline:
                raise
            if not waiting:
                waiting = True
                emit({"event": "note", "label": label, "message": "%s: waiting for it" % e})
        for _ in range(10):
            check()
            time.sleep(0.2)


# -- hash equivalence server ---------------------------------------------------

def collect_hashserv(addr, summary, label, emit, check=lambda: None):
    """Mark the unihash of every object left in the cache, sweep the rest."""
    if summary.dry_run:
        emit({"event": "note", "label": label, "message": "dry run: the hash equivalence server is left as it is"})
        return
    try:
        import hashserv
    except ImportError as e:
        emit({"event": "warn", "label": label, "message": "cannot collect the hash equivalence server %s: "
              "BitBake's hashserv module cannot be imported (%s)" % (addr, e)})
        return
    mark = "sstate-prune-%d" % int(time.time())
    unihashes = sorted(summary.kept_unihashes)
    try:
        client = hashserv.create_client(addr)
        try:
            # Start the collection first: entries reported from now on are kept
            # whatever happens, and a cache with nothing left still sweeps.
            client.gc_mark(mark, {})
            marked = _mark(client, mark, unihashes, addr, label, emit, check)
            swept = client.gc_sweep(mark)["count"]
        finally:
            client.close()
    except KeyboardInterrupt:
        emit({"event": "warn", "label": label, "message": "stopped before the hash equivalence server %s was "
              "collected (the gc-mark %s was started and not swept; the next collection replaces it)"
              % (addr, mark)})
        raise
    except Exception as e:  # the server's errors come in many types; none may fail the prune
        emit({"event": "warn", "label": label, "message": "the cache was pruned, but the hash equivalence "
              "server %s was not: %s. Its stale entries stay until a later run or 'bitbake-hashclient "
              "gc-mark/gc-sweep'." % (addr, e)})
        return
    emit({"event": "note", "label": label, "message": "hash equivalence server %s: %d entries kept (marked), "
          "%d removed" % (addr, marked, swept)})


def _mark(client, mark, unihashes, addr, label, emit, check):
    """Mark ``unihashes`` kept: one stream, or one request each where BitBake has no
    gc-mark-stream (:func:`sstatemgmt.oecompat.hashserv_gc_mark`)."""
    from . import oecompat  # imports bb: only here, where BitBake's hashserv is importable
    last = [time.monotonic()]

    def before_each(i, why):
        if i == 0 and len(unihashes) > 1000:
            emit({"event": "note", "label": label, "message": "%s: marking %d unihashes one request at a time "
                  "(a few hundred per second)" % (why, len(unihashes))})
        check()
        if time.monotonic() - last[0] >= 0.5:
            last[0] = time.monotonic()
            emit({"event": "progress", "label": label, "phase": "hashserv", "where": addr, "done": i,
                  "total": len(unihashes)})

    marked, why = oecompat.hashserv_gc_mark(client, mark, unihashes, before_each)
    if why is not None and unihashes:
        emit({"event": "progress", "label": label, "phase": "hashserv", "where": addr, "done": len(unihashes),
              "total": len(unihashes)})
    return marked


# -- the program ------------------------------------------------------------------

def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print("usage: python3 -m sstatemgmt.prune_pass REQUEST.json", file=sys.stderr)
        return 2
    with open(argv[0]) as f:
        request = json.load(f)
    if request.get("bitbake_lib"):
        sys.path.append(request["bitbake_lib"])   # for hashserv only: after our own modules
    out = sys.stdout

    def emit(event):
        out.write(json.dumps(event) + "\n")
        out.flush()

    emit({"event": "start", "pid": os.getpid(), "cmdline": _cmdline()})
    try:
        with Interruptible() as stop:
            for job in request["jobs"]:
                run_job(job, emit, stop.check)
    except KeyboardInterrupt:
        emit({"event": "interrupted"})
        return 130
    return 0


def _cmdline():
    """How this process was started: an exec'ed python running this module, not a fork of the server."""
    try:
        with open("/proc/self/cmdline", "rb") as f:
            return [a.decode(errors="replace") for a in f.read().split(b"\0") if a]
    except OSError:
        return list(sys.argv)


if __name__ == "__main__":
    sys.exit(main())
