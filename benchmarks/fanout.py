#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Fan-out benchmark: one parent library, N children, stock DEPENDS versus CDEPENDS.

    python3 benchmarks/fanout.py --children 10 --lines 3000 [--rounds 1] [--release master]

Real BitBake and OE-Core builds of the benchmark layer (benchmarks/meta-fanout):
``fanout-lib-native`` and the children ``fanout-app-NN-native``, each a
program of about --lines lines of generated C using the library. Two build
directories under $SSTATE_MGMT_CACHE/work/<release>/ (named with
$SSTATE_MGMT_WORK_TAG like the test tier's):

* ``fanout-stock``: the children list the parent in DEPENDS; stock OEEquivHash;
* ``fanout-cdepends``: ``INHERIT += "compatible-depends"``; the children list
  the parent in CDEPENDS (default checker, elf-interface).

Both start from an empty TMPDIR, SSTATE_DIR and hash server, build
everything once, then see the same parent changes, built alternately (the
side that goes first alternates too, so load drift hits both):

* none: nothing changed;
* compatible: the library's function bodies changed (no symbol or type);
* incompatible: members inserted into the library's public struct.

For each build: child tasks run and restored from sstate (task recorder of
oeqa-tests), the sum of the children's task durations and CPU time (OE's
buildstats, setscene tasks included), and the whole build's wall time (the
bitbake command, after a separate ``bitbake -p``). Prints one JSON line per
build, then Markdown tables; --json-out saves everything.
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "scripts", "lib"))
from sstmgmt_dev import buildenv, sources  # noqa: E402

LAYER = os.path.join("benchmarks", "meta-fanout")
PARENT = "fanout-lib-native"
COMPAT = "do_cache_compatibility"
NEVER = "marked as completed but now needing to rerun"
# OE-Core's buildstats class gives per-task elapsed and CPU time.
COMMON_CONF = 'INHERIT += "buildstats"\n'
SIDES = (("stock", "DEPENDS (stock OEEquivHash)", ""),
         ("cdepends", "CDEPENDS (compatible-depends)", 'INHERIT += "compatible-depends"\n'))
CHANGES = ("none", "compatible", "incompatible")


def child_pn(i):
    return "fanout-app-%02d-native" % i


class Side:
    """One build directory of the comparison."""

    def __init__(self, key, title, config, release, children, lines):
        self.key, self.title = key, title
        self.build = buildenv.prepare("fanout-" + key, release, extra_layers=[LAYER])
        self.build.write_config(COMMON_CONF + config)
        self.children = [child_pn(i) for i in range(1, children + 1)]
        self.lines = lines
        self.write_stubs()

    def write_stubs(self):
        """The child recipes: one stub each, in the directory the layer's BBFILES reads."""
        d = os.path.join(self.build.topdir, "fanout-children")
        os.makedirs(d, exist_ok=True)
        self.build._chown(d)
        wanted = {"%s_1.0.bb" % pn: i for i, pn in enumerate(self.children, 1)}
        for name in os.listdir(d):
            if name not in wanted:
                os.unlink(os.path.join(d, name))
        for name, i in wanted.items():
            self.build._write(os.path.join(d, name),
                              "# SPDX-License-Identifier: MIT\n# Written by benchmarks/fanout.py.\n"
                              'FANOUT_INDEX = "%02d"\nrequire recipes-fanout/fanout-app.inc\n' % i)

    def reset(self):
        self.build.wipe_tmpdir()
        self.build.wipe_sstate()
        self.build.wipe_hashserv()

    def set_parent(self, body, abi):
        self.build.write_fixture_conf("fanout", 'FANOUT_BODY = "%d"\nFANOUT_ABI = "%d"\nFANOUT_LINES = "%d"\n'
                                      % (body, abi, self.lines))

    def bitbake(self, change, *args):
        res = self.build.bitbake(*args, check=False)
        if res.returncode != 0 or NEVER in res.output:
            raise SystemExit("fanout: %s, %s: bitbake %s failed (%s):\n%s\nLogs: %s/tmp/log"
                             % (self.key, change, " ".join(args[:2]), res.summary(), res.output[-6000:],
                                self.build.topdir))
        return res

    def run(self, change):
        """Build the children; return the measured row."""
        self.bitbake(change, "-p")  # parse first, so the timed build excludes it
        bsroot = os.path.join(self.build.tmpdir, "buildstats")
        before = set(os.listdir(bsroot)) if os.path.isdir(bsroot) else set()
        load = os.getloadavg()[0]
        res = self.bitbake(change, *self.children)
        after = set(os.listdir(bsroot)) if os.path.isdir(bsroot) else set()
        stats = task_stats(self.build, [os.path.join(bsroot, n) for n in sorted(after - before)])
        by_task = {}  # task: [elapsed, CPU] summed over the children
        for (pn, task), times in stats.items():
            if pn in self.children:
                acc = by_task.setdefault(task, [0.0, 0.0])
                acc[0] += times[0]
                acc[1] += times[1]
        ran = {pn: res.ran_for(pn) for pn in self.children}
        return dict(
            side=self.key, change=change, build_wall=round(res.duration, 1), load=round(load, 2),
            child_ran=sum(len(t) for t in ran.values()),
            child_restored=sum(len(res.setscene_for(pn)) for pn in self.children),
            child_tasks=sorted({t for ts in ran.values() for t in ts}),
            child_wall=round(sum(w for w, _ in by_task.values()), 2),
            child_cpu=round(sum(c for _, c in by_task.values()), 2),
            compat_only=all(t == [COMPAT] for t in ran.values()),
            all_compiled=all("do_compile" in t for t in ran.values()),
            parent_ran=len(res.ran_for(PARENT)),
            child_by_task={t: [round(w, 2), round(c, 2)] for t, (w, c) in by_task.items()})


def task_stats(build, dirs):
    """{(pn, task): (elapsed s, CPU s)} from buildstats directories, read with OE-Core's own parser."""
    sys.path.insert(0, os.path.join(build.oe_dir, "scripts", "lib"))
    try:
        from buildstats import BuildStats
    finally:
        sys.path.pop(0)
    out = {}
    for d in dirs:
        for pn, recipe in BuildStats.from_dir(d).items():
            for task, t in recipe.tasks.items():
                out[(pn, task)] = (t.walltime, t.cputime)
    return out


def machine_facts(build):
    def first(path, key):
        try:
            with open(path) as f:
                for line in f:
                    if line.startswith(key):
                        return line.split(":", 1)[1].strip()
        except OSError:
            pass
        return "?"

    def head(repo):
        r = subprocess.run(["git", "-C", repo, "rev-parse", "--short=12", "HEAD"], capture_output=True, text=True)
        return r.stdout.strip() or "?"

    return {"cpus": os.cpu_count(), "cpu": first("/proc/cpuinfo", "model name"),
            "memory": first("/proc/meminfo", "MemTotal"), "kernel": platform.release(),
            "python": platform.python_version(), "gcc": subprocess.run(
                ["gcc", "-dumpfullversion"], capture_output=True, text=True).stdout.strip(),
            "bitbake": head(build.bitbake_dir), "openembedded-core": head(build.oe_dir),
            "loadavg_start": os.getloadavg()}


def median(rows, key):
    return statistics.median(r[key] for r in rows)


def ratio(a, b):
    return "%.1fx" % (a / b) if b > 0 and a > 0 else "-"


def ratio_cell(stock, cdep, key):
    """Ratio of the medians, then pair by pair: the two sides of one change were
    built back to back, so each pair saw about the same load."""
    text = ratio(median(stock, key), median(cdep, key))
    if len(stock) > 1 and median(cdep, key) > 0:
        text += " (%s)" % ", ".join(ratio(a[key], b[key]) for a, b in zip(stock, cdep))
    return text


def task_cell(rows, task):
    """Median time and CPU of one child task (summed over the children), '-' if it never ran."""
    if not any(task in r["child_by_task"] for r in rows):
        return "-"
    wall, cpu = (statistics.median(r["child_by_task"].get(task, (0, 0))[i] for r in rows) for i in (0, 1))
    return "%.1f s, %.1f s" % (wall, cpu)


def tables(rows):
    cell = {}
    for r in rows:
        cell.setdefault((r["change"], r["side"]), []).append(r)
    out = ["| Parent change | Side | child tasks run | child tasks restored | tasks that ran | "
           "child task time | child CPU | build wall | load (1 min) |", "|---|---|---|---|---|---|---|---|---|"]
    for change in ("initial",) + CHANGES:
        for key, title, _ in SIDES:
            rs = cell.get((change, key))
            if not rs:
                continue
            tasks = sorted({t for r in rs for t in r["child_tasks"]})
            out.append("| %s | %s | %g | %g | %s | %.1f s | %.1f s | %.1f s | %s |" % (
                change, title, median(rs, "child_ran"), median(rs, "child_restored"),
                ", ".join(t[3:] for t in tasks) or "-", median(rs, "child_wall"), median(rs, "child_cpu"),
                median(rs, "build_wall"), " ".join("%.1f" % r["load"] for r in rs)))
    out += ["", "| Parent change | child task time, stock / CDEPENDS | child CPU, stock / CDEPENDS | "
            "build wall, stock / CDEPENDS |", "|---|---|---|---|"]
    for change in CHANGES:
        stock, cdep = cell.get((change, "stock")), cell.get((change, "cdepends"))
        if stock and cdep:
            out.append("| %s | %s |" % (change, " | ".join(ratio_cell(stock, cdep, k)
                                                           for k in ("child_wall", "child_cpu", "build_wall"))))
    stock, cdep = cell.get(("compatible", "stock")), cell.get(("compatible", "cdepends"))
    if stock and cdep:
        out += ["", "| Child task (all children), compatible change | stock: time, CPU | CDEPENDS: time, CPU |",
                "|---|---|---|"]
        for task in sorted({t for r in stock + cdep for t in r["child_by_task"]}):
            out.append("| %s | %s | %s |" % (task[3:], task_cell(stock, task), task_cell(cdep, task)))
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    ap.add_argument("--children", type=int, default=10, help="number of child recipes (default 10)")
    ap.add_argument("--lines", type=int, default=3000, help="lines of generated C per child (default 3000)")
    ap.add_argument("--rounds", type=int, default=1, help="repeat the three changes this often (medians)")
    ap.add_argument("--release", default=sources.DEFAULT_RELEASE, choices=sources.releases())
    ap.add_argument("--json-out", help="write facts and every row as JSON to this file")
    args = ap.parse_args()
    if args.children < 1 or args.lines < 100 or args.rounds < 1:
        ap.error("--children must be at least 1, --lines at least 100, --rounds at least 1")
    try:
        sides = [Side(key, title, config, args.release, args.children, args.lines) for key, title, config in SIDES]
    except (sources.SourcesError, buildenv.BuildEnvError) as e:
        raise SystemExit("fanout: %s" % e)
    facts = machine_facts(sides[0].build)
    print("fanout: %s" % json.dumps(dict(facts, children=args.children, lines=args.lines, rounds=args.rounds,
                                         build_dirs=[s.build.topdir for s in sides])), flush=True)
    body = abi = 0
    rows = []
    flip = 0

    def step(change):
        nonlocal flip
        order = sides if flip % 2 == 0 else sides[::-1]
        flip += 1
        for side in order:
            side.set_parent(body, abi)
            row = side.run(change)
            rows.append(row)
            print(json.dumps(row), flush=True)

    for side in sides:
        side.reset()
    step("initial")
    for _ in range(args.rounds):
        for change in CHANGES:
            if change == "compatible":
                body += 1
            elif change == "incompatible":
                abi += 1
            step(change)
    facts["loadavg_end"] = os.getloadavg()
    print("\n" + tables(rows))
    print("\nMachine: %d CPUs (%s), %s, kernel %s; load average at start %s, at end %s" % (
        facts["cpus"], facts["cpu"], facts["memory"], facts["kernel"],
        " ".join("%.2f" % x for x in facts["loadavg_start"]), " ".join("%.2f" % x for x in facts["loadavg_end"])))
    if args.json_out:
        with open(args.json_out, "w") as f:
            json.dump({"facts": facts, "args": vars(args), "rows": rows}, f, indent=1)

    # What the benchmark is for: a compatible change runs only the compat tasks,
    # and an incompatible one rebuilds every child on both sides.
    problems = []
    for r in rows:
        if r["change"] == "compatible" and r["side"] == "cdepends" and not r["compat_only"]:
            problems.append("CDEPENDS ran more than the compat tasks on a compatible change: %s" % r["child_tasks"])
        if r["change"] == "incompatible" and not r["all_compiled"]:
            problems.append("%s did not recompile every child on an incompatible change" % r["side"])
        if r["change"] == "none" and r["child_ran"]:
            problems.append("%s ran child tasks with no change: %s" % (r["side"], r["child_tasks"]))
    if problems:
        raise SystemExit("fanout: " + "; ".join(problems))
    stock = [r for r in rows if r["change"] == "compatible" and r["side"] == "stock"]
    cdep = [r for r in rows if r["change"] == "compatible" and r["side"] == "cdepends"]
    gain = median(stock, "child_wall") / max(median(cdep, "child_wall"), 0.01)
    print("\nTarget: a compatible change runs only the compat tasks (yes) and costs at least 5x less "
          "child task time than stock: %.1fx, %s." % (gain, "met" if gain >= 5 else "NOT met"))


if __name__ == "__main__":
    main()
