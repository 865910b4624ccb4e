# SPDX-License-Identifier: MIT
"""sstate-cache-management: prune an sstate cache.

Drop-in replacement for OE-Core's scripts/sstate-cache-management.py: every
option of that script keeps its meaning (marked "[OE]" in --help), plus the
old shell script's comma-separated --stamps-dir=a,b.  See docs/pruning.md.

Exit codes: 0 success, 1 error, 2 usage, 3 refused or aborted (prompt
answered no, EOF or no terminal; unsafe roots or keep hashes), 4 another
pruner holds the lock, 130 interrupted.  With --detailed-exit-codes a
successful run exits 0 only when there was nothing to remove, and 5 when it
removed (or with -n would remove) something.  With --json a failed run
prints one JSON error object (schema sstate-prune-error/1) on stdout.
"""

import argparse
import fcntl
import gc
import math
import os
import re
import select
import signal
import sys
import threading

from . import baselines
from .engine import Options, RecipePolicy, prune
from .errors import CacheDirError, LockBusyError, PruneError, RefusedError, RootsError, UsageError
from .names import printable
from .scan import MAX_AUTO_PROCESSES
from .summary import fmt_bytes

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_REFUSED = 3
EXIT_LOCKED = 4
EXIT_CHANGES = 5
EXIT_INTERRUPTED = 130

ERROR_SCHEMA = "sstate-prune-error/1"

PROG = "sstate-cache-management"

_SIZE_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([KMGTP]?)(?:I?B)?\s*$", re.I)
_UNITS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40, "P": 1 << 50}


def parse_size(text):
    """'500M', '1.5G', '10T', '4096' -> bytes (powers of 1024)."""
    m = _SIZE_RE.match(text)
    if not m or not math.isfinite(float(m.group(1))):
        raise argparse.ArgumentTypeError("invalid size %r: use a number with an optional K, M, G or T suffix" % text)
    return int(float(m.group(1)) * _UNITS[m.group(2).upper()])


def _number(kind, minimum, what):
    """argparse type: a finite ``kind`` (int or float) of at least ``minimum``."""
    def parse(text):
        try:
            v = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError("invalid %s %r" % (what, text))
        if not math.isfinite(v):
            raise argparse.ArgumentTypeError("must be a finite number: %r" % text)
        if v < minimum:
            raise argparse.ArgumentTypeError("must be at least %s: %r" % (minimum, text))
        return v
    return parse


_nonneg_float = _number(float, 0, "number")
_positive_int = _number(int, 1, "integer")


class _ArgumentError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    """Reports bad options to main() (which prints them, as JSON with --json)
    instead of exiting."""

    def error(self, message):
        raise _ArgumentError(message)


def build_parser():
    p = _Parser(
        prog=PROG, description="sstate cache management utility: prune an sstate cache safely. "
        "Options marked [OE] behave as in OE-Core's sstate-cache-management.py.",
        epilog="Exit codes: 0 ok, 1 error, 2 usage, 3 refused/aborted, 4 lock busy, 130 interrupted "
        "(5 = removed or would remove something, with --detailed-exit-codes). See docs/pruning.md.")
    g = p.add_argument_group("OE-Core compatible options")
    g.add_argument("--cache-dir", default=os.environ.get("SSTATE_CACHE_DIR"),
                   help="[OE] sstate cache directory (default: $SSTATE_CACHE_DIR)")
    g.add_argument("-d", "--remove-duplicated", action="store_true",
                   help="[OE] remove duplicated objects: keep the newest --keep per (host dir, recipe, "
                   "target, pkgarch, SSTATE_VERSION, task); honours --stamps-dir as protection")
    g.add_argument("--remove-orphans", action="store_true",
                   help="[OE] remove companion files (.siginfo/.sig/.done) whose archive is gone; "
                   "siginfo-only entries only with --remove-siginfo-only")
    g.add_argument("--stamps-dir", action="append", default=[], metavar="DIR",
                   help="[OE] stamps dir (or TMPDIR or build dir) of a build whose objects are KEPT; "
                   "repeatable, or comma-separated. Alone, everything else is removed")
    g.add_argument("-j", "--jobs", type=_positive_int, default=8, help="[OE] parallel jobs (default: 8)")
    g.add_argument("-n", "--dry-run", action="store_true", help="[OE] only report what would be removed")
    g.add_argument("-y", "--yes", action="store_true", help="[OE] do not prompt: delete")
    g.add_argument("-v", "--verbose", action="store_true",
                   help="[OE] explain: roots, unknown entries, every error")
    g.add_argument("-D", "--debug", action="count", default=0,
                   help="[OE] print every path to remove; twice: timings and tracebacks")
    g.add_argument("--extra-archs", help=argparse.SUPPRESS)
    g.add_argument("--extra-layer", help=argparse.SUPPRESS)
    g.add_argument("-L", "--follow-symlink", action="store_true", help=argparse.SUPPRESS)

    n = p.add_argument_group("policies")
    n.add_argument("--keep", type=_positive_int, default=1, metavar="N",
                   help="with -d, keep the newest N objects per key (default: 1)")
    n.add_argument("--older-than", type=_nonneg_float, metavar="DAYS",
                   help="remove entries not used (mtime) for more than DAYS days")
    n.add_argument("--max-size", type=parse_size, metavar="SIZE",
                   help="then remove least recently used entries until the cache fits in SIZE "
                   "(K/M/G/T, powers of 1024)")
    n.add_argument("--build-dir", action="append", default=[], metavar="DIR",
                   help="same as --stamps-dir, reads DIR/tmp*/stamps")
    n.add_argument("--keep-hash", action="append", default=[], metavar="HASH",
                   help="never remove entries with this unihash (repeatable, comma-separated)")
    n.add_argument("--keep-hashes-file", action="append", default=[], metavar="FILE",
                   help="never remove entries whose unihash is listed in FILE (one 'HASH' or 'unihash HASH' "
                   "per line, as --hashserv-keep-file writes)")
    n.add_argument("--remove-unreferenced", action="store_true",
                   help="also remove everything the roots do not reference when other policies are given")
    n.add_argument("--use-sigdata", action="store_true",
                   help="count .sigdata.<hash> stamp files as roots (keeps stale hashes)")
    n.add_argument("--remove-siginfo-only", action="store_true",
                   help="let -d and --remove-orphans remove siginfo-only entries too")
    n.add_argument("--recipe", metavar="PN",
                   help="remove PN's entries that the roots / --keep-hash do not reference")
    n.add_argument("--task", action="append", metavar="TASK", help="with --recipe: only this task (repeatable)")
    n.add_argument("--arch", action="append", metavar="PKGARCH", help="with --recipe: only this pkgarch")
    n.add_argument("--baseline-dir", metavar="DIR",
                   help="CDEPENDS superset baselines (CDEPENDS_BASELINE_DIR): remove those of children left "
                   "without objects (default: CACHE/%s when it exists)" % baselines.DIR_NAME)

    s = p.add_argument_group("safety and output")
    s.add_argument("--grace", type=_nonneg_float, default=360.0, metavar="MINUTES",
                   help="never remove entries modified in the last MINUTES minutes (default: 360)")
    s.add_argument("--force", action="store_true",
                   help="go on when roots are missing, unreadable, empty or match nothing, or keep hashes "
                   "match nothing")
    s.add_argument("--lock-wait", type=_nonneg_float, nargs="?", const=-1.0, default=0.0, metavar="SECONDS",
                   help="wait for another pruner's lock (for ever, or SECONDS) instead of failing")
    s.add_argument("--json", action="store_true",
                   help="print the JSON summary on stdout (human output goes to stderr); implies --stat-all")
    s.add_argument("--stat-all", action="store_true",
                   help="lstat every file, so that the summary gives the bytes scanned and kept. By default "
                   "only what a policy needs is measured (every file for --older-than/--max-size, the "
                   "selected ones always)"),
    s.add_argument("--hashserv-keep-file", metavar="FILE",
                   help="write 'unihash <hash>' for every object left in the cache, the input of "
                   "'bitbake-hashclient gc-mark-stream MARK' (then 'gc-sweep MARK')")
    s.add_argument("--detailed-exit-codes", action="store_true",
                   help="exit 5 when something was (or with -n would be) removed, 0 when nothing")
    s.add_argument("--no-progress", action="store_true", help="no progress display on a terminal")
    s.add_argument("--scan-threads", type=int, default=0, metavar="N",
                   help="walk the cache with N threads (default: --jobs on a network filesystem such "
                   "as NFS, where they overlap round trips; 1 on a local one, where threads only add "
                   "contention)")
    s.add_argument("--scan-processes", type=int, default=None, metavar="N",
                   help="share the walk and the lstat calls with N-1 forked processes (default: one "
                   "per CPU up to %d on a local filesystem, 0 on a network one; 0 or 1: this process "
                   "only)" % MAX_AUTO_PROCESSES)
    return p


def _split_commas(values):
    out = []
    for v in values:
        out.extend(x for x in v.split(",") if x)
    return out


def read_keep_file(path):
    """The hashes of a keep file: one per line, ``<hash>`` or ``unihash <hash>``
    (what ``--hashserv-keep-file`` writes), ``#`` starts a comment."""
    hashes = set()
    try:
        with open(path, encoding="utf-8", errors="surrogateescape") as fh:
            for n, line in enumerate(fh, 1):
                words = line.split("#", 1)[0].split()
                if len(words) == 2 and words[0] == "unihash":
                    words = words[1:]
                if len(words) > 1:
                    raise UsageError("%s:%d: not a hash: %r" % (path, n, line.strip()[:80]),
                                     "a keep file has one hash per line, or 'unihash <hash>' lines")
                hashes.update(words)
    except OSError as e:
        raise UsageError("cannot read --keep-hashes-file %s: %s" % (path, e.strerror or e))
    return hashes


def options_from_args(args):
    roots = _split_commas(args.stamps_dir) + _split_commas(args.build_dir)
    keep_hashes = set(_split_commas(args.keep_hash))
    for path in args.keep_hashes_file:
        keep_hashes |= read_keep_file(path)
    recipe = None
    if args.recipe:
        if not (roots or keep_hashes or args.force):
            raise UsageError("--recipe %s needs --stamps-dir or --keep-hash to know what is current" % args.recipe,
                             "or pass --force to remove every entry of %s" % args.recipe)
        # Without anything current (--force), "stale" cannot be limited to the
        # current configuration's slots: the user asked for all of the recipe.
        recipe = RecipePolicy(args.recipe, frozenset(keep_hashes),
                              frozenset(args.task) if args.task else None,
                              frozenset(args.arch) if args.arch else None,
                              same_slot=bool(roots or keep_hashes))
    elif args.task or args.arch:
        raise UsageError("--task and --arch only go with --recipe")
    procs = args.scan_processes
    return Options(
        duplicates=args.remove_duplicated, keep=args.keep, roots=roots, keep_hashes=frozenset(keep_hashes),
        remove_unreferenced=True if args.remove_unreferenced else None, use_sigdata=args.use_sigdata,
        orphans=args.remove_orphans, siginfo_only=args.remove_siginfo_only, older_than_days=args.older_than,
        max_size=args.max_size, recipe=recipe, grace_minutes=args.grace, dry_run=args.dry_run,
        force=args.force, jobs=args.jobs, processes=procs, scan_threads=max(0, args.scan_threads), stat_all=args.stat_all or args.json,
        lock_wait=None if args.lock_wait is not None and args.lock_wait < 0 else args.lock_wait,
        list_paths=args.debug >= 1, baseline_dir=_baseline_dir(args))


def _baseline_dir(args):
    """--baseline-dir, checked; else the store inside the cache, if there is one."""
    if args.baseline_dir is None:
        return baselines.default_dir(args.cache_dir) if args.cache_dir else None
    if not os.path.isdir(args.baseline_dir):
        raise UsageError("--baseline-dir %s is not a directory" % args.baseline_dir,
                         "pass the CDEPENDS_BASELINE_DIR of the builds that use this cache")
    if not os.access(args.baseline_dir, os.R_OK | os.X_OK):
        raise CacheDirError("cannot read --baseline-dir %s" % args.baseline_dir, "run as a user who may read it")
    return args.baseline_dir


class _Progress:
    def __init__(self, out):
        self.out = out
        self.shown = False

    def __call__(self, phase, done, total, secs):
        if secs < 1.0:
            return
        if phase == "scan":
            msg = "scanning: %d files, %.0fs" % (done, secs)
        else:
            msg = "deleting: %d/%d files, %.0fs" % (done, total or 0, secs)
        self.shown = self.out.write_raw(self.out.err, "\r\033[K" + msg)

    def clear(self):
        if self.shown:
            self.out.write_raw(self.out.err, "\r\033[K")
            self.shown = False


class _Output:
    """stdout and stderr that never raise: a closed stream (``| head``, a
    reader that went away, a stdout closed from the start) is noted and
    written no more, so that a run goes on deleting, accounts for what it
    did, and says on stderr what stdout missed.  Text that is not valid in
    the locale's encoding is written with backslash escapes."""

    def __init__(self):
        self.out = self._robust(sys.stdout)
        self.err = self._robust(sys.stderr)
        self.lost = set()
        if self.out is None:
            self.lost.add("stdout")

    @staticmethod
    def _robust(stream):
        if stream is not None and hasattr(stream, "reconfigure"):
            try:
                stream.reconfigure(errors="backslashreplace")
            except (ValueError, OSError):
                pass
        return stream

    def write_raw(self, stream, text):
        """Write ``text`` to ``stream`` (self.out or self.err); False if it is gone."""
        name = "stdout" if stream is self.out else "stderr"
        if stream is None or name in self.lost:
            return False
        try:
            stream.write(text)
            stream.flush()
            return True
        except (OSError, ValueError):
            self.lost.add(name)
            # Later writes (and the interpreter's last flush) must not fail again.
            try:
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, stream.fileno())
                os.close(devnull)
            except (OSError, ValueError, AttributeError):
                pass
            return False

    def line(self, text, stream):
        return self.write_raw(stream, text + "\n")


def _defer_sigint():
    """Ignore SIGINT from now on (main thread only); returns the previous handler or None."""
    if threading.current_thread() is not threading.main_thread():
        return None
    try:
        return signal.signal(signal.SIGINT, signal.SIG_IGN)
    except (ValueError, OSError):
        return None


def _wants_json(argv):
    for a in argv:
        if a == "--":
            return False
        if a == "--json":
            return True
    return False


def _stdout_problem():
    """Why stdout cannot take the JSON summary, or None: checked before
    anything is deleted, so that a run never deletes without reporting."""
    if sys.stdout is None:
        return "stdout is closed"
    try:
        fd = sys.stdout.fileno()
        mode = fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_ACCMODE
    except (OSError, ValueError, AttributeError):
        return "stdout is closed"
    if mode not in (os.O_WRONLY, os.O_RDWR):
        return "stdout is not open for writing"
    try:
        p = select.poll()
        p.register(fd, select.POLLOUT)
        for _, ev in p.poll(0):
            if ev & (select.POLLERR | select.POLLHUP | select.POLLNVAL):
                return "stdout is a pipe nobody reads"
    except (OSError, ValueError, AttributeError):
        pass
    return None


_ERROR_KINDS = ((LockBusyError, "lock_busy"), (RootsError, "roots"), (RefusedError, "refused"),
                (CacheDirError, "cache_dir"), (UsageError, "usage"), (PruneError, "error"))


def error_object(message, hint, code, kind):
    """The JSON object printed instead of a summary when a run fails (schema
    ``sstate-prune-error/1``, see docs/pruning.md)."""
    import json                                  # only for --json and errors: kept off the start-up path
    return json.dumps({"schema": ERROR_SCHEMA, "error": printable(message),
                       "hint": printable(hint) if hint else None, "exit_code": code, "kind": kind})


class _KeepFile:
    """--hashserv-keep-file, opened before anything is deleted (a run must not
    delete and then fail to write it) and written at the end."""

    def __init__(self, path):
        self.path = path
        self.existed = os.path.lexists(path)
        try:
            self.f = open(path, "a", encoding="ascii", errors="strict")
        except OSError as e:
            raise UsageError("cannot write --hashserv-keep-file %s: %s" % (path, e.strerror or e),
                             "pass a file in a directory you may write")

    def write(self, hashes):
        f, self.f = self.f, None
        try:
            if f.seekable():                     # not a pipe (--hashserv-keep-file >(bitbake-hashclient ...))
                f.seek(0)
                f.truncate()
            f.writelines("unihash %s\n" % h for h in sorted(hashes) if _PLAIN_HASH.match(h))
        finally:
            f.close()

    def discard(self):
        if self.f is not None:
            self.f.close()
            self.f = None
            if not self.existed:
                try:
                    os.unlink(self.path)
                except OSError:
                    pass


# What --hashserv-keep-file lists: BitBake's unihashes are hex; a name that
# carries anything else is no object the hash server knows.
_PLAIN_HASH = re.compile(r"^[0-9A-Za-z]+$")


_swallowed_interrupts = []
_ending_interrupted = []


def _keep_swallowed_interrupt(unraisable, default=sys.__unraisablehook__):
    """sys.unraisablehook for the run. A ^C that arrives inside a callback
    Python cannot raise from (the fork handlers run while the scan's process
    pool starts, a weakref callback of the import system) would be printed
    as "Exception ignored ... KeyboardInterrupt" and then lost: the run
    would go on and delete. It is kept instead, and honoured before anything
    is deleted. Once the run ends as interrupted, what Python can only
    report this way is the debris of cleanups the ^C cut short (a
    multiprocessing finalizer run half, then again): not printed."""
    if _ending_interrupted:
        return
    if unraisable.exc_type is not None and issubclass(unraisable.exc_type, KeyboardInterrupt):
        _swallowed_interrupts.append(True)
        return
    default(unraisable)


def main(argv=None, keep_alive=None):
    """Run the script; returns its exit code.  ``keep_alive``: a list that
    gets the summary, so that the caller decides when the scan it holds is
    freed (see :func:`run`)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    io = _Output()
    json_out = _wants_json(argv)
    parser = build_parser()
    state = {"json": json_out, "progress": None, "keep_file": None}

    def say(msg, stream=None):
        io.line(msg, stream or (io.err if state["json"] else io.out))

    def fail(message, hint, code, kind, usage=False):
        if state["progress"]:
            state["progress"].clear()
        if state["keep_file"]:
            state["keep_file"].discard()
        if usage:
            io.write_raw(io.err, parser.format_usage())
        io.line("%s: error: %s" % (PROG, printable("%s (%s)" % (message, hint) if hint else message)), io.err)
        if state["json"]:
            io.line(error_object(message, hint, code, kind), io.out)
        return code

    try:
        args = parser.parse_args(argv)
    except _ArgumentError as e:
        return fail(str(e), None, EXIT_USAGE, "usage", usage=True)

    if args.follow_symlink:
        say("note: -L/--follow-symlink is ignored: symlinks are removed, never their targets", io.err)
    if args.extra_archs or args.extra_layer:
        say("note: --extra-archs/--extra-layer are ignored: every arch in the cache is considered", io.err)
    if not args.cache_dir:
        return fail("no cache directory: pass --cache-dir DIR or set SSTATE_CACHE_DIR", None, EXIT_USAGE,
                    "usage", usage=True)
    if args.json:
        problem = _stdout_problem()
        if problem:
            return fail("--json: %s" % problem, "give --json a stdout to write to", EXIT_USAGE, "usage")

    progress = None
    if not args.no_progress and io.err is not None and io.err.isatty():
        progress = state["progress"] = _Progress(io)

    answered = {}

    def confirm(summary):
        if _swallowed_interrupts:
            raise KeyboardInterrupt
        if progress:
            progress.clear()
        _report(summary, args, say, planned=True, brief=args.yes)
        if args.yes:
            return True
        if not sys.stdin or not sys.stdin.isatty():
            say("%s: stdin is not a terminal: nothing removed (pass -y to delete, -n for a dry run)" % PROG, io.err)
            answered["no"] = True
            return False
        io.write_raw(io.err, "Do you want to continue (y/n)? ")
        try:
            line = sys.stdin.readline()
        except (OSError, KeyboardInterrupt):
            line = ""
        if not line:
            io.write_raw(io.err, "\n")
        ok = line.strip() in ("y", "Y", "yes", "YES", "Yes")
        if not ok:
            say("%s: aborted: nothing removed" % PROG, io.err)
            answered["no"] = True
        return ok

    def trace():
        if args.debug >= 2:
            import traceback
            io.write_raw(io.err, traceback.format_exc())

    try:
        opts = options_from_args(args)
        if args.hashserv_keep_file:
            state["keep_file"] = _KeepFile(args.hashserv_keep_file)
        summary = prune(args.cache_dir, opts, progress=progress, confirm=confirm)
        if _swallowed_interrupts and (args.dry_run or not summary.removed["files"]):
            raise KeyboardInterrupt              # nothing deleted: the run ends as ^C ends it
        if keep_alive is not None:
            keep_alive.append(summary)
        # The work is done: a ^C now would only cut the report short (half
        # a JSON document), so it waits until the report is written.
        state["sigint"] = _defer_sigint()
    except PruneError as e:
        trace()
        kind = next(k for cls, k in _ERROR_KINDS if isinstance(e, cls))
        return fail(str(e), e.hint, e.exit_code, kind)
    except KeyboardInterrupt:
        _ending_interrupted.append(True)
        return fail("interrupted", None, EXIT_INTERRUPTED, "interrupted")
    except OSError as e:
        trace()
        return fail("%s%s" % (e.strerror or e, " (%s)" % e.filename if e.filename else ""), None,
                    EXIT_ERROR, "error")
    except Exception as e:  # never a bare traceback for users
        trace()
        return fail("internal error: %s: %s" % (type(e).__name__, e),
                    "rerun with -DD for a traceback and report it", EXIT_ERROR, "internal")
    if progress:
        progress.clear()
    if args.dry_run or summary.removed["files"] == 0 or summary.aborted:
        if not answered:
            _report(summary, args, say, planned=True)
    else:
        say(summary.format_human(args.verbose))
    if args.debug >= 2:
        say("timings: %s" % summary.timings)
    if state["keep_file"]:
        try:
            state["keep_file"].write(summary.kept_unihashes)
        except OSError as e:
            summary.errors.append({"path": args.hashserv_keep_file, "error": e.strerror or str(e),
                                   "phase": "output"})
            say("%s: error: cannot write --hashserv-keep-file %s: %s"
                % (PROG, printable(args.hashserv_keep_file), e.strerror), io.err)
    json_lost = False
    if args.json:
        try:
            text = summary.to_json(paths=args.debug >= 1)
        except (ValueError, TypeError) as e:
            json_lost = True
            text = error_object("internal error: the JSON summary cannot be written: %s" % e,
                                "rerun with -DD for a traceback and report it", EXIT_ERROR, "internal")
        json_lost = not io.line(text, io.out) or json_lost
    if "stdout" in io.lost:
        io.line("%s: stdout could not be written (closed or full), output lost: %s %d files (%s)%s" % (
            PROG, "would remove" if args.dry_run or summary.aborted else "removed", summary.removed["files"],
            fmt_bytes(summary.removed["bytes"]), ", interrupted" if summary.interrupted else ""), io.err)
    if state.get("sigint") is not None:
        signal.signal(signal.SIGINT, state["sigint"])
    if summary.interrupted:
        return EXIT_INTERRUPTED
    if summary.aborted:
        return EXIT_REFUSED
    if json_lost or (summary.errors and not args.dry_run):
        return EXIT_ERROR
    if args.detailed_exit_codes and summary.removed["files"]:
        return EXIT_CHANGES
    return EXIT_OK


def _report(summary, args, say, planned, brief=False):
    if args.debug >= 1:
        for rel in summary.removed_paths:
            say(printable(os.path.join(summary.cache_dir, rel)))
        for path in (summary.baselines or {}).get("paths", ()):
            say(printable(path))
    if args.verbose and summary.roots:
        for r in summary.roots["roots"]:
            say(printable("root %s: %d stamps, %d setscene stamps, %d sigdata (%s; %d of tasks without a "
                          "stamp used), %d hashes"
                          % (r["path"], r["stamps"], r["setscene_stamps"], r["sigdata"],
                             "used" if args.use_sigdata else "ignored", r["sigdata_roots"], r["hashes"])))
        say("roots reference %d hashes, %d entries of the cache"
            % (summary.roots["hashes"], summary.roots["matched_units"]))
    # the line OE-Core's script prints, for scripts that grep it
    say("%d out of %d files will be removed!" % (summary.removed["files"], summary.scan.get("files", 0)))
    if not brief:                        # with -y the summary after deleting says it all
        say(summary.format_human(args.verbose, planned=planned))


def interrupted_early(argv):
    """Exit code of a run interrupted before it could report; with --json,
    the error object still goes to stdout."""
    try:
        if _wants_json(argv):
            sys.stdout.write(error_object("interrupted", None, EXIT_INTERRUPTED, "interrupted") + "\n")
        sys.stderr.write("%s: interrupted\n" % PROG)
    except (OSError, ValueError, AttributeError):
        pass
    return EXIT_INTERRUPTED


def run():
    """Program entry point: ``main()``, then exit without tearing down the heap.

    Freeing a million small objects one by one costs about a second on a
    big cache and serves no purpose in a process that ends: output is
    flushed, the lock is released and every file closed.  The summary (which
    holds the scan) is kept alive past ``main()`` for the same reason.
    The cyclic garbage collector stays off for the whole run: prune()
    pauses it while it builds the units, and re-enabled here it would soon
    traverse all of them in a full collection (0.6 s on a 1M-file cache)
    to find nothing, as the engine makes no reference cycles worth freeing
    before the process ends.
    """
    gc.disable()
    sys.unraisablehook = _keep_swallowed_interrupt
    keep_alive = []
    try:
        code = main(keep_alive=keep_alive)
    except KeyboardInterrupt:                    # before main() could catch it (parsing the options)
        _ending_interrupted.append(True)
        code = interrupted_early(sys.argv[1:])
    try:
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:
                stream.flush()
    finally:
        os._exit(code)
