# SPDX-License-Identifier: MIT
"""sstate-cache-management: prune an sstate cache.

Drop-in replacement for OE-Core's scripts/sstate-cache-management.py: every
option of that script keeps its meaning (marked "[OE]" in --help), plus the
old shell script's comma-separated --stamps-dir=a,b.  See docs/pruning.md.

Exit codes: 0 success, 1 error, 2 usage, 3 refused or aborted (prompt
answered no, EOF or no terminal; unsafe roots), 4 another pruner holds the
lock.  With --detailed-exit-codes a successful run exits 0 only when there
was nothing to remove, and 5 when it removed (or with -n would remove)
something.
"""

import argparse
import gc
import os
import re
import sys
import traceback

from . import baselines
from .engine import Options, RecipePolicy, prune
from .errors import CacheDirError, PruneError, UsageError
from .scan import MAX_AUTO_PROCESSES

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_REFUSED = 3
EXIT_LOCKED = 4
EXIT_CHANGES = 5

PROG = "sstate-cache-management"

_SIZE_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([KMGTP]?)(?:I?B)?\s*$", re.I)
_UNITS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40, "P": 1 << 50}


def parse_size(text):
    """'500M', '1.5G', '10T', '4096' -> bytes (powers of 1024)."""
    m = _SIZE_RE.match(text)
    if not m:
        raise argparse.ArgumentTypeError("invalid size %r: use a number with an optional K, M, G or T suffix" % text)
    return int(float(m.group(1)) * _UNITS[m.group(2).upper()])


def _number(kind, minimum, what):
    """argparse type: a ``kind`` (int or float) of at least ``minimum``."""
    def parse(text):
        try:
            v = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError("invalid %s %r" % (what, text))
        if v < minimum:
            raise argparse.ArgumentTypeError("must be at least %s: %r" % (minimum, text))
        return v
    return parse


_nonneg_float = _number(float, 0, "number")
_positive_int = _number(int, 1, "integer")


def build_parser():
    p = argparse.ArgumentParser(
        prog=PROG, description="sstate cache management utility: prune an sstate cache safely. "
        "Options marked [OE] behave as in OE-Core's sstate-cache-management.py.",
        epilog="Exit codes: 0 ok, 1 error, 2 usage, 3 refused/aborted, 4 lock busy "
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
                   help="never remove entries whose unihash is listed in FILE (one per line)")
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
                   help="go on when roots are missing, empty or match nothing")
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


def _read_hashes(files):
    hashes = set()
    for f in files:
        try:
            with open(f) as fh:
                for line in fh:
                    line = line.split("#", 1)[0].strip()
                    if line:
                        hashes.add(line)
        except OSError as e:
            raise UsageError("cannot read --keep-hashes-file %s: %s" % (f, e.strerror))
    return hashes


def options_from_args(args):
    roots = _split_commas(args.stamps_dir) + _split_commas(args.build_dir)
    keep_hashes = set(_split_commas(args.keep_hash)) | _read_hashes(args.keep_hashes_file)
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
    def __init__(self, stream):
        self.stream = stream
        self.shown = False

    def __call__(self, phase, done, total, secs):
        if secs < 1.0:
            return
        if phase == "scan":
            msg = "scanning: %d files, %.0fs" % (done, secs)
        else:
            msg = "deleting: %d/%d files, %.0fs" % (done, total or 0, secs)
        self.stream.write("\r\033[K" + msg)
        self.stream.flush()
        self.shown = True

    def clear(self):
        if self.shown:
            self.stream.write("\r\033[K")
            self.stream.flush()
            self.shown = False


def main(argv=None, keep_alive=None):
    """Run the script; returns its exit code.  ``keep_alive``: a list that
    gets the summary, so that the caller decides when the scan it holds is
    freed (see :func:`run`)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    out = sys.stderr if args.json else sys.stdout
    err = sys.stderr

    def say(msg, stream=None):
        print(msg, file=stream or out, flush=True)

    def fail(e, code):
        print("%s: error: %s" % (PROG, e), file=err, flush=True)
        return code

    if args.follow_symlink:
        say("note: -L/--follow-symlink is ignored: symlinks are removed, never their targets", err)
    if args.extra_archs or args.extra_layer:
        say("note: --extra-archs/--extra-layer are ignored: every arch in the cache is considered", err)
    if args.cache_dir is None:
        parser.print_usage(err)
        return fail("no cache directory: pass --cache-dir DIR or set SSTATE_CACHE_DIR", EXIT_USAGE)

    progress = None
    if not args.no_progress and err.isatty():
        progress = _Progress(err)

    answered = {}

    def confirm(summary):
        if progress:
            progress.clear()
        _report(summary, args, say, planned=True, brief=args.yes)
        if args.yes:
            return True
        if not sys.stdin or not sys.stdin.isatty():
            say("%s: stdin is not a terminal: nothing removed (pass -y to delete, -n for a dry run)" % PROG, err)
            answered["no"] = True
            return False
        err.write("Do you want to continue (y/n)? ")
        err.flush()
        try:
            line = sys.stdin.readline()
        except (OSError, KeyboardInterrupt):
            line = ""
        if not line:
            err.write("\n")
        ok = line.strip() in ("y", "Y", "yes", "YES", "Yes")
        if not ok:
            say("%s: aborted: nothing removed" % PROG, err)
            answered["no"] = True
        return ok

    try:
        opts = options_from_args(args)
        summary = prune(args.cache_dir, opts, progress=progress, confirm=confirm)
        if keep_alive is not None:
            keep_alive.append(summary)
    except PruneError as e:
        if progress:
            progress.clear()
        if args.debug >= 2:
            traceback.print_exc()
        return fail(e.oneline(), e.exit_code)
    except KeyboardInterrupt:
        if progress:
            progress.clear()
        say("%s: interrupted" % PROG, err)
        return 130
    except OSError as e:
        if progress:
            progress.clear()
        if args.debug >= 2:
            traceback.print_exc()
        return fail("%s%s" % (e.strerror or e, " (%s)" % e.filename if e.filename else ""), EXIT_ERROR)
    except Exception as e:  # never a bare traceback for users
        if progress:
            progress.clear()
        if args.debug >= 2:
            traceback.print_exc()
        return fail("internal error: %s: %s (rerun with -DD for a traceback and report it)"
                    % (type(e).__name__, e), EXIT_ERROR)
    if progress:
        progress.clear()
    if args.dry_run or summary.removed["files"] == 0 or summary.aborted:
        if not answered:
            _report(summary, args, say, planned=True)
    else:
        say(summary.format_human(args.verbose))
    if args.debug >= 2:
        say("timings: %s" % summary.timings)
    if args.hashserv_keep_file:
        try:
            with open(args.hashserv_keep_file, "w") as f:
                f.writelines("unihash %s\n" % h for h in sorted(summary.kept_unihashes))
        except OSError as e:
            return fail("cannot write --hashserv-keep-file %s: %s" % (args.hashserv_keep_file, e.strerror),
                        EXIT_ERROR)
    if args.json:
        print(summary.to_json(paths=args.debug >= 1), flush=True)
    if summary.aborted:
        return EXIT_REFUSED
    if summary.errors and not args.dry_run:
        return EXIT_ERROR
    if args.detailed_exit_codes and summary.removed["files"]:
        return EXIT_CHANGES
    return EXIT_OK


def _report(summary, args, say, planned, brief=False):
    if args.debug >= 1:
        for rel in summary.removed_paths:
            say(os.path.join(summary.cache_dir, rel))
        for path in (summary.baselines or {}).get("paths", ()):
            say(path)
    if args.verbose and summary.roots:
        for r in summary.roots["roots"]:
            say("root %s: %d stamps, %d setscene stamps, %d sigdata (%s), %d hashes"
                % (r["path"], r["stamps"], r["setscene_stamps"], r["sigdata"],
                   "used" if args.use_sigdata else "ignored", r["hashes"]))
        say("roots reference %d hashes, %d entries of the cache"
            % (summary.roots["hashes"], summary.roots["matched_units"]))
    # the line OE-Core's script prints, for scripts that grep it
    say("%d out of %d files will be removed!" % (summary.removed["files"], summary.scan.get("files", 0)))
    if not brief:                        # with -y the summary after deleting says it all
        say(summary.format_human(args.verbose, planned=planned))


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
    keep_alive = []
    code = main(keep_alive=keep_alive)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        os._exit(code)
