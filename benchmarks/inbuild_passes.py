#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""One engine pass per recipe, or one pass for all of them?

``bitbake -c sstate_prune world`` prunes every recipe of the build. The
in-build prune can run the engine in each recipe's ``do_sstate_prune`` task
(one scan of the cache per recipe, serialised by the cache lock) or once
for every recipe the tasks recorded (one scan). This times both as whole
processes, dry runs (no lock, nothing deleted), on a cache and stamps tree
from ``benchmarks/gen_cache.py``: each recipe's keep set is the hashes its
stamps name, as ``do_sstate_prune`` would take them from BB_TASKDEPDATA.
``--sample`` recipes are timed one by one and the per-recipe figure is
extrapolated to all of them.

    benchmarks/gen_cache.py --files 200000 /var/tmp/b200k
    benchmarks/inbuild_passes.py /var/tmp/b200k
"""

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
LIB = os.path.join(os.path.dirname(HERE), "meta-sstate-mgmt", "lib")

PASS = """
import json, sys
sys.path.insert(0, %r)
from sstatemgmt.prune import RecipePolicy, prune
jobs = json.load(open(sys.argv[1]))
s = prune(sys.argv[2], recipe=[RecipePolicy(pn, frozenset(keep)) for pn, keep in jobs], dry_run=True, grace_minutes=0)
print(s.removed["files"])
""" % LIB


def recipes_of(stamps):
    """{pn: [hashes]} from a stamps tree (<stamps>/<arch>/<pn>/<pv>.do_<task>.<hash>)."""
    sys.path.insert(0, LIB)
    from sstatemgmt.prune import parse_stamp
    out = {}
    for arch in os.listdir(stamps):
        for pn in os.listdir(os.path.join(stamps, arch)):
            d = os.path.join(stamps, arch, pn)
            if not os.path.isdir(d):
                continue
            for name in os.listdir(d):
                p = parse_stamp(name)
                if p and p[1] and p[2] in ("stamp", "setscene"):
                    out.setdefault(pn, set()).add(p[1])
    return {pn: sorted(h) for pn, h in out.items()}


def run(jobs, cache, workdir):
    path = os.path.join(workdir, "jobs.json")
    with open(path, "w") as f:
        json.dump(jobs, f)
    t0 = time.monotonic()
    out = subprocess.run([sys.executable, "-c", PASS, path, cache], check=True, stdout=subprocess.PIPE,
                         universal_newlines=True).stdout
    return time.monotonic() - t0, int(out.strip())


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("tree", help="output dir of gen_cache.py (sstate-cache/, build/tmp/stamps/)")
    p.add_argument("--sample", type=int, default=20, help="recipes timed one by one (default: 20)")
    p.add_argument("--seed", type=int, default=1)
    args = p.parse_args()
    cache = os.path.join(args.tree, "sstate-cache")
    recipes = recipes_of(os.path.join(args.tree, "build", "tmp", "stamps"))
    names = sorted(recipes)
    sample = random.Random(args.seed).sample(names, min(args.sample, len(names)))
    one = [run([[pn, recipes[pn]]], cache, args.tree)[0] for pn in sample]
    total, removed = run([[pn, recipes[pn]] for pn in names], cache, args.tree)
    per = statistics.median(one)
    print(json.dumps({
        "recipes": len(names), "files_removed_by_the_single_pass": removed,
        "one_recipe_pass_seconds": {"median": round(per, 2), "min": round(min(one), 2), "max": round(max(one), 2)},
        "pass_per_recipe_total_seconds_extrapolated": round(per * len(names), 1),
        "single_pass_all_recipes_seconds": round(total, 2),
        "ratio": round(per * len(names) / total, 1),
    }, indent=1))


if __name__ == "__main__":
    main()
