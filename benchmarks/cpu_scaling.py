#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""How much a second process buys on this machine, for the three kinds of
work a prune does: Python bytecode, system calls, and ``lstat`` of cache
files.

Each workload runs once in one process, then split in two halves run by two
processes at once (fork); the ratio of the two wall times is the speedup a
perfect two-process split of that work could reach here (2.0 on two real
cores).  ``--cache`` gives the tree whose files are lstat'ed.

    benchmarks/cpu_scaling.py --cache /var/tmp/sstate-bench/sstate-cache
"""

import argparse
import os
import statistics
import time


def python_loop(n):
    x = 0
    for i in range(n):
        x += i
    return x


def syscall_loop(n):
    getppid = os.getppid
    for _ in range(n):
        getppid()


def lstat_loop(paths):
    lstat = os.lstat
    for p in paths:
        lstat(p)


def timed(fn, whole, halves):
    t = time.perf_counter()
    fn(whole)
    one = time.perf_counter() - t
    t = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        try:
            fn(halves[1])
        finally:
            os._exit(0)
    fn(halves[0])
    os.waitpid(pid, 0)
    two = time.perf_counter() - t
    return one, two


def cache_files(root, limit):
    out = []
    for top, dirs, files in os.walk(root):
        out.extend(os.path.join(top, f) for f in files)
        if len(out) >= limit:
            break
    return out[:limit]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cache", help="sstate cache whose files are lstat'ed (default: skip that workload)")
    ap.add_argument("--files", type=int, default=200000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    work = [("Python loop (20M additions)", python_loop, 20000000, (10000000, 10000000)),
            ("system calls (4M getppid)", syscall_loop, 4000000, (2000000, 2000000))]
    if args.cache:
        paths = cache_files(args.cache, args.files)
        work.append(("lstat of %d cache files" % len(paths), lstat_loop, paths, (paths[0::2], paths[1::2])))
    print("| workload | 1 process | 2 processes | speedup |")
    print("|---|---|---|---|")
    for name, fn, whole, halves in work:
        runs = [timed(fn, whole, halves) for _ in range(args.repeat)]
        one = statistics.median(r[0] for r in runs)
        two = statistics.median(r[1] for r in runs)
        print("| %s | %.3f s | %.3f s | %.2fx |" % (name, one, two, one / two))


if __name__ == "__main__":
    main()
