#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Which process plumbing pays: our dry runs with each scan plumbing against
OE-Core's script, in one run, on generated trees.

    benchmarks/plumbing.py --oe-script /tmp/oe-sstate-cache-management.py \\
        --tree 200000:/var/tmp/plumb/t200k:5 --tree 1000000:/var/tmp/plumb/t1m:3 [--busy 2] \\
        [--variants pool,single,fork=/tmp/old-checkout]

Each ``--tree FILES:DIR[:ROUNDS]`` is a ``benchmarks/gen_cache.py --oe-safe``
tree (generated with FILES files if DIR has none, and kept: later runs
reuse it).  For each of ``-d -n``, ``--stamps-dir S -n`` and
``--remove-orphans -n``, every round runs OE-Core's script and ours with
each plumbing:

* ``pool``: the default, a ``concurrent.futures.ProcessPoolExecutor``
  (fork context) of one worker per further CPU;
* ``single``: this process only (``--scan-processes 1``);
* ``NAME=DIR``: the checkout at DIR with its default plumbing, to measure
  another commit in the same run.  The hand-written plumbing the pool
  replaced (forked children, results through a memory file) is the default
  of commit 9be3efb and its parents: ``fork=DIR`` with such a checkout
  adds the table of each plumbing's time over its.

The order of the commands rotates from round to round.  Reported: median
wall time, each round's wall time, median CPU time (user + system, with
the processes each command waited for) and median peak RSS (largest
single process, ``/usr/bin/time -f %M``); the ratios OE-Core / ours per
round, and each standard plumbing's time over the hand-written one's per
round.

``--busy N`` starts N CPU burners (``python3 -c 'while 1: pass'``, nice
0) before the first run and stops them after the last, so that a loaded
machine can be reproduced: with N = number of CPUs, every command competes
for every CPU.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import gen_cache  # noqa: E402
from run import OURS, machine_facts, run_child_usage  # noqa: E402

MODES = (("-d -n", ["-d", "-n"]), ("--stamps-dir -n", None), ("--remove-orphans -n", ["--remove-orphans", "-n"]))
VARIANTS = ("pool", "single")
BURNER = "while 1: pass"


def tree(spec):
    parts = spec.split(":")
    if len(parts) not in (2, 3) or not parts[0].isdigit() or (len(parts) == 3 and not parts[2].isdigit()):
        raise argparse.ArgumentTypeError("expected FILES:DIR[:ROUNDS], got %r" % spec)
    return int(parts[0]), parts[1], int(parts[2]) if len(parts) == 3 else None


def ensure_tree(files, path):
    """The cache and stamps dir of the tree at ``path``, generated if missing."""
    manifest = os.path.join(path, "manifest.json")
    if not os.path.exists(manifest):
        print("plumbing: generating %d files under %s" % (files, path), file=sys.stderr, flush=True)
        gen_cache.generate(path, files, seed=1, oe_safe=True)
    with open(manifest) as f:
        m = json.load(f)
    return m["cache"], m["stamps_dir"], m["files"]


def variant(spec, base):
    """(label, script, env, extra args) of a plumbing variant."""
    name, sep, repo = spec.partition("=")
    if sep:
        return name, os.path.join(os.path.abspath(repo), "scripts", "sstate-cache-management"), base, []
    if name not in VARIANTS:
        raise SystemExit("plumbing: unknown variant %r (%s or NAME=DIR)" % (name, ", ".join(VARIANTS)))
    return name, OURS, base, ["--scan-processes", "1"] if name == "single" else []


def commands(cache, stamps, oe_script, variants):
    """{mode: [(who, argv, env)]}."""
    base = dict(os.environ)
    base.pop("SSTATE_CACHE_DIR", None)
    py = sys.executable
    out = {}
    for mode, args in MODES:
        args = args or ["--stamps-dir", stamps, "-n"]
        cmds = [("oe", [py, oe_script, "--cache-dir", cache] + args, base)] if oe_script else []
        for v in variants:
            label, script, env, extra = variant(v, base)
            cmds.append((label, [py, script, "--cache-dir", cache, "--grace", "0", "--no-progress"] + extra + args,
                         env))
        out[mode] = cmds
    return out


def run_rounds(cmds, rounds):
    """{mode: {who: [(wall, rss_kib, cpu)]}}, the order rotating per round."""
    res = {mode: {who: [] for who, _, _ in c} for mode, c in cmds.items()}
    for mode, c in cmds.items():                 # warm-up: page cache, dentries
        for who, argv, env in c:
            if who != "oe":
                run_child_usage(argv, env=env)
                break
    for r in range(rounds):
        for mode, c in cmds.items():
            k = r % len(c)
            for who, argv, env in c[k:] + c[:k]:
                wall, rss, rc, cpu = run_child_usage(argv, env=env)
                if rc != 0:
                    raise SystemExit("plumbing: %s %s exited %d: %s" % (who, mode, rc, " ".join(argv)))
                res[mode][who].append((wall, rss, cpu))
                print("  round %d %-20s %-8s %7.2fs cpu %6.2fs %6.0f MiB  load %.1f"
                      % (r + 1, mode, who, wall, cpu, rss / 1024.0, os.getloadavg()[0]), file=sys.stderr, flush=True)
    return res


def med(xs):
    return statistics.median(xs)


def fmt_ratios(rs):
    return "%.2f (%s)" % (med(rs), " ".join("%.1f" % x for x in rs))


def report(files, nfiles, res, variants, busy, rounds):
    L = ["### %s files (%d in the tree), %s, %d rounds" % (format(files, ","), nfiles,
                                                          "%d CPU burners" % busy if busy else "no burner", rounds),
         "", "| mode | command | wall (median) | wall, each round (s) | CPU (median) | peak RSS (median) |",
         "|---|---|---|---|---|---|"]
    for mode, byw in res.items():
        for who, runs in byw.items():
            label = "OE-Core" if who == "oe" else "ours, " + who
            L.append("| %s | %s | %.2f s | %s | %.2f s | %.0f MiB |" % (
                mode, label, med(r[0] for r in runs), " ".join("%.2f" % r[0] for r in runs),
                med(r[2] for r in runs), med(r[1] for r in runs) / 1024.0))
    summary = {}
    if all("oe" in byw for byw in res.values()):
        L += ["", "OE-Core / ours, wall, per round (median, then each round); peak RSS ours / OE-Core (median):", "",
              "| mode | " + " | ".join(variants) + " | RSS " + " | RSS ".join(variants) + " |",
              "|---|" + "---|" * (2 * len(variants))]
        for mode, byw in res.items():
            oe = byw["oe"]
            cells, rss = [], []
            for v in variants:
                rs = [o[0] / x[0] for o, x in zip(oe, byw[v])]
                summary.setdefault(mode, {})[v] = {"oe_over_ours": rs,
                                                   "rss_ratio": med(r[1] for r in byw[v]) / med(r[1] for r in oe)}
                cells.append(fmt_ratios(rs))
                rss.append("%.2f" % summary[mode][v]["rss_ratio"])
            L.append("| %s | %s | %s |" % (mode, " | ".join(cells), " | ".join(rss)))
    if "fork" in variants and len(variants) > 1:
        others = [v for v in variants if v != "fork"]
        L += ["", "Standard plumbing / hand-written (`fork`), wall, per round (above 1: the hand-written one is "
              "faster; it stays only at 1.5 or more against the best standard one):", "",
              "| mode | " + " | ".join("%s / fork" % v for v in others) + " | hand-written earns its keep |",
              "|---|" + "---|" * len(others) + "---|"]
        for mode, byw in res.items():
            cells, meds = [], []
            for v in others:
                rs = [x[0] / f[0] for x, f in zip(byw[v], byw["fork"])]
                summary.setdefault(mode, {}).setdefault(v, {})["over_fork"] = rs
                cells.append(fmt_ratios(rs))
                meds.append(med(rs))
            L.append("| %s | %s | %s |" % (mode, " | ".join(cells), "yes" if min(meds) >= 1.5 else "no"))
    return "\n".join(L) + "\n", summary


def start_burners(n):
    procs = [subprocess.Popen([sys.executable, "-c", BURNER]) for _ in range(n)]
    time.sleep(1)
    return procs


def stop_burners(procs):
    for p in procs:
        p.kill()
        p.wait()


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tree", type=tree, action="append", required=True, metavar="FILES:DIR[:ROUNDS]")
    ap.add_argument("--oe-script", help="OE-Core's scripts/sstate-cache-management.py (none: ours only)")
    ap.add_argument("--variants", default=",".join(VARIANTS), help="plumbings to run (default: %(default)s)")
    ap.add_argument("--rounds", type=int, default=5, help="rounds where --tree gives none (default 5)")
    ap.add_argument("--busy", type=int, default=0, metavar="N", help="run N CPU burners throughout")
    ap.add_argument("--json-out", help="write every measurement as JSON here")
    args = ap.parse_args(argv)
    variants = [v for v in args.variants.split(",") if v]
    labels = [v.partition("=")[0] for v in variants]
    cmdline = "benchmarks/plumbing.py " + " ".join(argv if argv is not None else sys.argv[1:])
    commit = subprocess.run(["git", "-C", HERE, "describe", "--always", "--dirty"], capture_output=True,
                            text=True).stdout.strip()
    trees = [(files, ensure_tree(files, path), rounds or args.rounds) for files, path, rounds in args.tree]
    burners = start_burners(args.busy) if args.busy else []
    out = {"command": cmdline, "commit": commit, "busy": args.busy, "trees": []}
    try:
        print("`%s`\n\nCode: %s. Started %s UTC.\n" % (cmdline, commit, time.strftime("%Y-%m-%d %H:%M", time.gmtime())))
        for files, (cache, stamps, nfiles), rounds in trees:
            facts = machine_facts(cache)
            res = run_rounds(commands(cache, stamps, args.oe_script, variants), rounds)
            facts["loadavg_end"] = os.getloadavg()
            md, summary = report(files, nfiles, res, labels, args.busy, rounds)
            print(md)
            print("Load average (1, 5, 15 min) at the start %s, at the end %s.\n"
                  % tuple(", ".join("%.1f" % x for x in facts[k]) for k in ("loadavg_start", "loadavg_end")),
                  flush=True)
            out["trees"].append({"files": files, "tree_files": nfiles, "rounds": rounds, "facts": facts,
                                 "runs": res, "ratios": summary})
    finally:
        stop_burners(burners)
        if args.json_out:
            with open(args.json_out, "w") as f:
                json.dump(out, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
