#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Generate a realistic synthetic sstate cache and a matching stamps tree.

Naming follows OE-Core master (sstate.bbclass): objects
``[<NATIVELSBSTRING>/]<h0h1>/<h2h3>/sstate:<pn>:<target>:<pv>:<pr>:<pkgarch>:14:<unihash>_<task>.tar.zst``
with ``.siginfo`` (always) and ``.sig`` (signed generations) companions,
siginfo-only entries for non-setscene tasks, several generations per recipe
with distinct mtimes, target recipes for two machines, native recipes under
``debian-12/`` and ``universal/``, junk and temporary files, and a stamps
tree (``<out>/build/tmp/stamps``) for the current generation of most recipes
(plain stamps for built recipes, ``_setscene`` stamps for restored ones,
current and stale ``.sigdata.`` files, ``work-shared`` stamps).

Files are sparse (``ftruncate``), so a 1M-file cache costs inodes, not bytes.

    benchmarks/gen_cache.py --files 200000 /var/tmp/sstate-bench
"""

import argparse
import hashlib
import json
import os
import random
import sys
import time

SETSCENE_TARGET = ["populate_sysroot", "package", "packagedata", "package_write_rpm", "package_qa",
                   "populate_lic", "deploy_source_date_epoch", "create_spdx"]
SETSCENE_NATIVE = ["populate_sysroot", "populate_lic", "deploy_source_date_epoch", "create_spdx"]
PLAIN_TASKS = ["fetch", "unpack", "patch", "prepare_recipe_sysroot", "configure", "compile", "install"]
SWSPEC_TASKS = {"fetch", "unpack", "patch", "populate_lic", "preconfigure"}
MACHINES = [("qemux86_64", "x86_64-poky-linux"), ("qemuarm64", "aarch64-poky-linux")]
TUNE = [("core2-64", "x86_64-poky-linux"), ("cortexa57", "aarch64-poky-linux")]
HOSTS = ["debian-12", "universal"]
WORK_SHARED = ["gcc-source", "llvm-project-source", "rust-source"]
DAY = 86400.0


def h(*parts):
    return hashlib.sha256(":".join(str(p) for p in parts).encode()).hexdigest()


class Gen:
    def __init__(self, root, now, rng, sig_fraction):
        self.root = root
        self.now = now
        self.rng = rng
        self.sig_fraction = sig_fraction
        self.count = 0
        self.dirs = set()
        self.manifest = {"objects": 0, "siginfo_only": 0, "sig": 0, "unknown": 0, "temporary": 0}

    def write(self, rel, size, mtime):
        path = os.path.join(self.root, rel)
        d = os.path.dirname(path)
        if d not in self.dirs:
            os.makedirs(d, exist_ok=True)
            self.dirs.add(d)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o664)
        try:
            if size:
                os.ftruncate(fd, size)
        finally:
            os.close(fd)
        os.utime(path, (mtime, mtime))
        self.count += 1


def object_name(native, pn, target, pv, pr, pkgarch, unihash, task, ext=".tar.zst"):
    if task in SWSPEC_TASKS:
        spec = "sstate:%s::%s:%s::14:" % (pn, pv, pr)
        native = ""
    else:
        spec = "sstate:%s:%s:%s:%s:%s:14:" % (pn, target, pv, pr, pkgarch)
    fn = spec + unihash + "_" + task + ext
    prefix = native + "/" if native else ""
    return prefix + unihash[:2] + "/" + unihash[2:4] + "/" + fn


def generate(out, nfiles, seed=1, sig_fraction=0.3, stamps=True, oe_safe=False):
    """Write the tree; returns a manifest dict.  ``oe_safe`` leaves out the
    malformed "sstate:" names that make OE-Core's script assert."""
    rng = random.Random(seed)
    now = time.time()
    cache = os.path.join(out, "sstate-cache")
    stampsdir = os.path.join(out, "build", "tmp", "stamps")
    g = Gen(cache, now, rng, sig_fraction)
    stamp_files = []           # (relpath, mtime)
    current = []               # unihashes of the current generation (for reference)
    # One "variant" = one (pn, flavour, machine/host) stream of generations.
    i = 0
    while g.count < nfiles:
        i += 1
        flavour = rng.random()
        pn = "recipe%05d" % i
        pv = "%d.%d" % (rng.randint(0, 9), rng.randint(0, 30))
        variants = []
        if flavour < 0.30:                          # native: one or both hosts
            pn += "-native"
            hosts = HOSTS if rng.random() < 0.4 else [rng.choice(HOSTS)]
            for host in hosts:
                variants.append(dict(native=host, target="x86_64-linux", pkgarch="x86_64",
                                     tasks=SETSCENE_NATIVE, sys="x86_64-linux"))
        elif flavour < 0.40:                        # allarch
            variants.append(dict(native="", target="all-poky-linux", pkgarch="allarch",
                                 tasks=SETSCENE_TARGET, sys="all-poky-linux"))
        elif flavour < 0.50:                        # machine specific, two machines
            for mach, tsys in MACHINES:
                variants.append(dict(native="", target=mach + "-poky-linux", pkgarch=mach,
                                     tasks=SETSCENE_TARGET, sys=mach + "-poky-linux"))
        else:                                       # tune-specific target
            arch, tsys = TUNE[0] if rng.random() < 0.7 else TUNE[1]
            variants.append(dict(native="", target=tsys, pkgarch=arch, tasks=SETSCENE_TARGET,
                                 sys=arch + "-poky-linux"))
        ngen = rng.choice([1, 2, 3, 4, 5, 6, 8])
        in_build = rng.random() < 0.8
        built = rng.random() < 0.5
        for v in variants:
            base_age = rng.uniform(0, 3)            # days since the newest generation was used
            for gen in range(ngen):
                newest = gen == ngen - 1
                pr = "r%d" % (gen // 3)
                gpv = pv if gen % 4 else pv + ".%d" % gen
                if newest:
                    gpv = pv
                age = base_age + (ngen - 1 - gen) * rng.uniform(5, 40) + rng.uniform(0, 0.5)
                mtime = now - age * DAY
                signed = rng.random() < sig_fraction
                for task in v["tasks"] + PLAIN_TASKS:
                    uh = h(seed, pn, v["native"], v["pkgarch"], gen, task)
                    rel = object_name(v["native"], pn, v["target"], gpv, pr, v["pkgarch"], uh, task)
                    setscene = task in v["tasks"]
                    jitter = rng.uniform(0, 60)
                    g.write(rel + ".siginfo", rng.randint(2000, 30000), mtime - jitter)
                    if setscene:
                        g.write(rel, int(rng.lognormvariate(11, 2)), mtime - jitter)
                        g.manifest["objects"] += 1
                        if signed:
                            g.write(rel + ".sig", 566, mtime - jitter)
                            g.manifest["sig"] += 1
                    else:
                        g.manifest["siginfo_only"] += 1
                    if stamps and in_build:
                        srel = "%s/%s/%s" % (v["sys"], pn, gpv)
                        if newest:
                            current.append(uh)
                            if built or not setscene:
                                if built:
                                    stamp_files.append(("%s.do_%s.%s" % (srel, task, uh), mtime))
                                    stamp_files.append(("%s.do_%s.sigdata.%s" % (srel, task, uh), mtime))
                            else:
                                stamp_files.append(("%s.do_%s_setscene.%s" % (srel, task, uh), mtime))
                        elif built and gen >= ngen - 3:
                            # stale sigdata from earlier builds stays around
                            stamp_files.append(("%s.do_%s.sigdata.%s" % (srel, task, uh), mtime))
                if g.count >= nfiles:
                    break
    # work-shared stamps (one directory level shallower) and their objects
    for ws in WORK_SHARED:
        for task in ["fetch", "unpack", "patch"]:
            uh = h(seed, ws, task)
            rel = object_name("", ws, "", "1.0", "r0", "", uh, task)
            g.write(rel + ".siginfo", 4000, now - DAY)
            g.manifest["siginfo_only"] += 1
            if stamps:
                stamp_files.append(("work-shared/%s-1.0-r0.do_%s.%s" % (ws, task, uh), now - DAY))
        uh = h(seed, ws, "deploy_source_date_epoch")
        rel = object_name("", ws, "all-poky-linux", "1.0", "r0", "allarch", uh, "deploy_source_date_epoch")
        g.write(rel, 1000, now - DAY)
        g.write(rel + ".siginfo", 4000, now - DAY)
        g.manifest["objects"] += 1
        if stamps:
            stamp_files.append(("work-shared/%s-1.0-r0.do_deploy_source_date_epoch_setscene.%s" % (ws, uh), now - DAY))
    # junk and temporaries
    junk = ["README", "index.html", "sstate:foo:x:1:r0:a:14:abc_task.tar.bz2"]
    if not oe_safe:
        junk += ["sstate:broken:name_populate_sysroot.tar.zst", "sstate:a:b:c:d:e:f:g:h:i_package.tar.zst"]
    for j, name in enumerate(junk):
        g.write(("ab/cd/" if j % 2 else "") + name, 100, now - 30 * DAY)
        g.manifest["unknown"] += 1
    temps = ["ab/cd/sigtask.Xk3j2h1", "ab/cd/sstate:x:y:1:r0:z:14:" + "a" * 64 + "_package.tar.zstq1w2e3r4",
             "ab/cd/tmpa1b2c3d4/sstate:x:y:1:r0:z:14:" + "b" * 64 + "_package.tar.zst",
             "universal/ab/sstate:x::1:r0::14:" + "c" * 64 + "_populate_lic.tar.zst.lock"]
    for name in temps:
        g.write(name, 100, now)
        g.manifest["temporary"] += 1
    if stamps:
        for rel, mtime in stamp_files:
            path = os.path.join(stampsdir, rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w"):
                pass
            os.utime(path, (mtime, mtime))
    g.manifest.update(files=g.count, stamps=len(stamp_files), cache=cache, stamps_dir=stampsdir,
                      current_hashes=len(current))
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump(g.manifest, f, indent=1)
    return g.manifest


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", help="output directory (gets sstate-cache/, build/tmp/stamps/, manifest.json)")
    ap.add_argument("--files", type=int, default=200000, help="approximate number of files in the cache")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--sig-fraction", type=float, default=0.3, help="fraction of signed generations")
    ap.add_argument("--no-stamps", action="store_true")
    ap.add_argument("--oe-safe", action="store_true", help="no malformed sstate: names (OE-Core's script asserts)")
    args = ap.parse_args(argv)
    if os.path.exists(os.path.join(args.out, "sstate-cache")):
        print("gen_cache: %s/sstate-cache exists; remove it first" % args.out, file=sys.stderr)
        return 2
    t0 = time.time()
    m = generate(args.out, args.files, args.seed, args.sig_fraction, not args.no_stamps, args.oe_safe)
    print("gen_cache: %d files, %d stamps in %.1fs -> %s" % (m["files"], m["stamps"], time.time() - t0, args.out),
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
