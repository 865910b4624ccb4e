#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Time our sstate-cache-management against OE-Core's and find, on one tree.

    benchmarks/run.py --files 200000 [--oe-script PATH] [--repeat 3]

Generates (or reuses, with --cache/--stamps) a synthetic cache, then runs,
interleaved and ``--repeat`` times each, with warm page cache (in every
other round ours runs before OE-Core's in each pair):

* ``find <cache> -printf '%T@ %s %p\\n'``       (the floor for a full scan)
* ours ``--older-than 36500 -n``                 (full scan + classification)
* OE-Core and ours with ``-d -n``, ``--stamps-dir S -n``, ``--remove-orphans -n``

and reports median wall time and peak RSS (``wait4`` rusage of each child,
which covers its waited-for children too) with ratios.  Then it deletes the
same file set (what ``-d`` removes) with ours and with ``xargs -0 rm -f``
on two identical generated copies.  Results go to stdout as Markdown and,
with --json-out, as JSON.
"""

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
OURS = os.path.join(REPO, "scripts", "sstate-cache-management")
sys.path.insert(0, HERE)
import gen_cache  # noqa: E402
from oecore import find_oe_script  # noqa: E402


TIME = shutil.which("time") if os.path.exists("/usr/bin/time") else None


def run_child(argv, stdin=None, stdout=subprocess.DEVNULL, env=None, cwd=None):
    """Run argv; returns (wall seconds, peak RSS in KiB, returncode)."""
    return run_child_usage(argv, stdin, stdout, env, cwd)[:3]


def run_child_usage(argv, stdin=None, stdout=subprocess.DEVNULL, env=None, cwd=None):
    """Run argv; returns (wall seconds, peak RSS in KiB, returncode, CPU seconds).

    Peak RSS (of the largest single process) comes from ``/usr/bin/time -f
    %M`` when available: a child forked from this (large) Python process
    would otherwise count our own pages until it execs.  Else from
    ``wait4``.  CPU seconds (user + system) cover the command and the
    processes it waited for.
    """
    rssfile = None
    if TIME:
        fd, rssfile = tempfile.mkstemp(prefix="bench-rss-")
        os.close(fd)
        argv = ["/usr/bin/time", "-q", "-f", "%M", "-o", rssfile] + list(argv)
    t0 = time.monotonic()
    p = subprocess.Popen(argv, stdin=stdin if stdin is not None else subprocess.DEVNULL, stdout=stdout,
                         stderr=subprocess.DEVNULL, env=env, cwd=cwd)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.monotonic() - t0
    rss = ru.ru_maxrss
    if rssfile:
        try:
            with open(rssfile) as f:
                rss = int(f.read().split()[-1])
        except (OSError, ValueError, IndexError):
            pass
        os.unlink(rssfile)
    return wall, rss, os.waitstatus_to_exitcode(status), ru.ru_utime + ru.ru_stime


def machine_facts(path):
    fs = subprocess.run(["findmnt", "-n", "-o", "FSTYPE", "-T", path], capture_output=True, text=True).stdout.strip()
    if not fs:
        fs = subprocess.run(["stat", "-f", "-c", "%T", path], capture_output=True, text=True).stdout.strip()
    return {"nproc": os.cpu_count(), "python": platform.python_version(), "kernel": platform.release(),
            "filesystem": fs, "loadavg_start": os.getloadavg()}


def bench_commands(cache, stamps, oe_script):
    env = dict(os.environ)
    env.pop("SSTATE_CACHE_DIR", None)
    py = sys.executable
    ours = [py, OURS, "--cache-dir", cache, "--grace", "0", "--no-progress"]
    oe = [py, oe_script, "--cache-dir", cache] if oe_script else None
    cmds = [("find", ["find", cache, "-printf", "%T@ %s %p\n"]),
            ("ours scan", ours + ["--older-than", "36500", "-n"])]
    for label, args in (("-d -n", ["-d", "-n"]), ("--stamps-dir -n", ["--stamps-dir", stamps, "-n"]),
                        ("--remove-orphans -n", ["--remove-orphans", "-n"])):
        if oe:
            cmds.append(("oe " + label, oe + args))
        cmds.append(("ours " + label, ours + args))
    return cmds, env


def measure(cmds, env, repeat):
    results = {name: [] for name, _ in cmds}
    for name, argv in cmds:                      # warm-up: page cache and dentries
        if name in ("find", "ours scan"):
            run_child(argv, env=env)
    swapped = list(cmds)                         # each "oe X" after its "ours X"
    for i in range(len(swapped) - 1):
        if swapped[i][0].startswith("oe ") and swapped[i + 1][0] == "ours " + swapped[i][0][3:]:
            swapped[i], swapped[i + 1] = swapped[i + 1], swapped[i]
    for r in range(repeat):
        # Alternate which of OE-Core and ours runs first in each pair: the
        # second one otherwise always runs just after the other's run (3 GB
        # of RSS for OE-Core at 1M files) and pays for what it evicted.
        for name, argv in (cmds if r % 2 == 0 else swapped):
            wall, rss, rc = run_child(argv, env=env)
            if rc != 0:
                raise SystemExit("benchmark: %s exited %d: %s" % (name, rc, " ".join(argv)))
            results[name].append((wall, rss))
            print("  %-28s %7.2fs %8.0f MiB" % (name, wall, rss / 1024.0), file=sys.stderr, flush=True)
    med = {}
    for name, runs in results.items():
        med[name] = {"wall": statistics.median(r[0] for r in runs), "rss_kib": statistics.median(r[1] for r in runs),
                     "runs": [[round(w, 3), r] for w, r in runs]}
    return med


def delete_comparison(workdir, nfiles, seed, repeat):
    """Delete what -d removes: ours -y vs xargs -0 rm -f on identical copies.

    One template cache is generated; each run gets a ``cp -a`` copy of it
    (same names, sizes, sparseness and mtimes), so both deleters face the
    same file set.  The list for xargs comes from our dry run (not timed).
    """
    out = {"ours": [], "ours_delete_phase": [], "xargs rm": [], "files": None}
    template = os.path.join(workdir, "del-template")
    gen_cache.generate(template, nfiles, seed=seed, stamps=False)
    tcache = os.path.join(template, "sstate-cache")
    env = dict(os.environ)
    env.pop("SSTATE_CACHE_DIR", None)
    r = subprocess.run([sys.executable, OURS, "--cache-dir", tcache, "-d", "-n", "--grace", "0",
                        "--json", "-D", "--no-progress"], capture_output=True, text=True, env=env)
    paths = json.loads(r.stdout)["removed_paths"]
    lst = os.path.join(workdir, "del-list0")
    with open(lst, "wb") as f:
        f.write(b"\0".join(p.encode() for p in paths) + b"\0")
    for i in range(repeat):
        for who in ("ours", "xargs rm") if i % 2 == 0 else ("xargs rm", "ours"):
            cache = os.path.join(workdir, "del-copy")
            subprocess.run(["cp", "-a", "--sparse=always", tcache, cache], check=True)
            subprocess.run(["sync"])
            if who == "ours":
                jf = os.path.join(workdir, "del-summary.json")
                with open(jf, "w") as f:
                    wall, rss, rc = run_child([sys.executable, OURS, "--cache-dir", cache, "-d", "-y", "--grace", "0",
                                               "--json", "--no-progress"], stdout=f, env=env)
                with open(jf) as f:
                    s = json.load(f)
                out["ours"].append(wall)
                out["ours_delete_phase"].append(s["timings"].get("delete_seconds", 0.0))
                out["files"] = s["removed"]["files"]
                if s["removed"]["files"] != len(paths):
                    raise SystemExit("benchmark: ours removed %d files, the dry run listed %d"
                                     % (s["removed"]["files"], len(paths)))
            else:
                with open(lst, "rb") as f:
                    wall, rss, rc = _xargs_in(cache, f)
                out["xargs rm"].append(wall)
            rmtree(cache)
    rmtree(template)
    res = {k: (statistics.median(v) if isinstance(v, list) and v else v) for k, v in out.items()}
    res["runs"] = {k: v for k, v in out.items() if isinstance(v, list)}
    return res


def _xargs_in(cwd, f):
    return run_child(["xargs", "-0", "rm", "-f"], stdin=f, cwd=cwd)


def rmtree(path):
    """``rm -rf``: much faster than shutil.rmtree on a million files."""
    subprocess.run(["rm", "-rf", "--one-file-system", path])


def ratio(a, b):
    return a / b if b else float("inf")


def report(files, med, dele, facts, cmdline):
    L = ["### %d files" % files, "", "`%s`" % cmdline, "",
         "Machine: %(nproc)s CPUs, Python %(python)s, kernel %(kernel)s, filesystem %(filesystem)s, "
         "load average at start %(loadavg_start)s" % facts, "",
         "| run | wall (median) | peak RSS (median) |", "|---|---|---|"]
    for name, m in med.items():
        L.append("| %s | %.2f s | %.0f MiB |" % (name, m["wall"], m["rss_kib"] / 1024.0))
    L += ["", "| ratio | value | target |", "|---|---|---|"]
    checks = []

    def add(label, value, target, ok):
        L.append("| %s | %.2f | %s %s |" % (label, value, target, "met" if ok else "NOT met"))
        checks.append(ok)
    add("ours scan / find", ratio(med["ours scan"]["wall"], med["find"]["wall"]), "≤ 2.0",
        ratio(med["ours scan"]["wall"], med["find"]["wall"]) <= 2.0)
    if "oe -d -n" in med:
        r = ratio(med["oe -d -n"]["wall"], med["ours -d -n"]["wall"])
        add("OE / ours, -d -n, wall", r, "≥ 10", r >= 10)
        r = ratio(med["ours -d -n"]["rss_kib"], med["oe -d -n"]["rss_kib"])
        add("ours / OE, -d -n, peak RSS", r, "≤ 0.25", r <= 0.25)
        r = ratio(med["oe --stamps-dir -n"]["wall"], med["ours --stamps-dir -n"]["wall"])
        add("OE / ours, --stamps-dir -n, wall", r, "≥ 2", r >= 2)
        r = ratio(med["oe --remove-orphans -n"]["wall"], med["ours --remove-orphans -n"]["wall"])
        add("OE / ours, --remove-orphans -n, wall", r, "≥ 2", r >= 2)
    if dele:
        L += ["", "Deleting the %s files `-d` selects (median of %d):" % (dele["files"], len(dele["runs"]["ours"])),
              "", "| deleter | wall |", "|---|---|",
              "| `xargs -0 rm -f` (list given) | %.2f s |" % dele["xargs rm"],
              "| ours `-d -y`, whole run (scan + plan + delete) | %.2f s |" % dele["ours"],
              "| ours, delete phase only | %.2f s |" % dele["ours_delete_phase"]]
        r = ratio(dele["ours_delete_phase"], dele["xargs rm"])
        L += ["", "| ratio | value | target |", "|---|---|---|"]
        add("ours delete phase / xargs rm", r, "≤ 1.0", r <= 1.0)
    return "\n".join(L) + "\n", all(checks)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--files", type=int, default=200000, help="files in the generated cache (default 200000)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--workdir", help="where to generate (default: a new dir under /var/tmp)")
    ap.add_argument("--cache", help="use this existing cache instead of generating one")
    ap.add_argument("--stamps", help="stamps dir for --stamps-dir runs (with --cache)")
    ap.add_argument("--oe-script", help="OE-Core's sstate-cache-management.py "
                    "(default: found through scripts/setup-sources --print-dir)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--delete-repeat", type=int, default=2, help="deletion comparisons (0 to skip)")
    ap.add_argument("--keep", action="store_true", help="keep the generated tree")
    ap.add_argument("--json-out", help="write the measurements as JSON here")
    args = ap.parse_args(argv)
    cmdline = "benchmarks/run.py " + " ".join(argv if argv is not None else sys.argv[1:])

    oe_script = args.oe_script
    if not oe_script:
        oe_script, why = find_oe_script()
        if not oe_script:
            print("benchmark: no OE-Core script (%s): comparing with find only" % why, file=sys.stderr)
    workdir = args.workdir or tempfile.mkdtemp(prefix="sstate-prune-bench-", dir="/var/tmp")
    made = False
    try:
        if args.cache:
            cache, stamps = args.cache, args.stamps
        else:
            print("benchmark: generating %d files under %s" % (args.files, workdir), file=sys.stderr)
            # no malformed "sstate:" names: OE-Core's script asserts on them (weakness 5)
            m = gen_cache.generate(os.path.join(workdir, "tree"), args.files, seed=args.seed, oe_safe=True)
            cache, stamps = m["cache"], m["stamps_dir"]
            made = True
        facts = machine_facts(cache)
        cmds, env = bench_commands(cache, stamps, oe_script)
        med = measure(cmds, env, args.repeat)
        dele = delete_comparison(workdir, args.files, args.seed, args.delete_repeat) if args.delete_repeat else None
        facts["loadavg_end"] = os.getloadavg()
        md, ok = report(args.files, med, dele, facts, cmdline)
        print(md)
        if args.json_out:
            with open(args.json_out, "w") as f:
                json.dump({"files": args.files, "facts": facts, "median": med, "delete": dele,
                           "command": cmdline, "targets_met": ok}, f, indent=1)
        return 0
    finally:
        if made and not args.keep:
            rmtree(workdir)


if __name__ == "__main__":
    sys.exit(main())
