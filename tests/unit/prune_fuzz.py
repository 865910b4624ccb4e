#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Property/fuzz suite for the sstate pruner (scripts/sstate-cache-management).

Each iteration builds a random cache (valid and odd names, companions,
orphans, siginfo-only entries, host dirs, machines, symlinks pointing in and
out, FIFOs, temporaries, unknown files, deep dirs, and permissions that
really fail: immutable archives, sticky dirs of another user, unreadable
dirs), random stamps roots (plain, setscene, rm_work's sigdata, stale
sigdata, older versions) and keep hashes, picks a random combination of
policies and options, and runs the real script, with, at random, a
concurrent writer (touching used objects, writing objects again through
temporaries renamed into place, adding new ones), a second cleaner (another
tool deleting whole units) or a second pruner, and an interruption
(SIGINT or SIGKILL) at a random moment.  Then it checks:

* nothing outside the cache was touched (symlink targets, stamps, inputs);
* no live object was deleted: one a root or keep hash references, one
  touched after the scan, one inside the grace period, the newest ``--keep``
  of its key when duplicates are the only policy; nothing at all in a dry
  run; temporaries, unknown entries and FIFOs never;
* no archive is left without its .sig/.siginfo;
* with --json, stdout is one strict JSON document (UTF-8, no lone
  surrogates, no NaN): the summary or the error object;
* the exit code is a documented one, and the expected one when the
  iteration ran undisturbed (refusals, usage errors, errors, 5);
* the lock is free once the pruner is gone, even after SIGKILL.

Every iteration is generated from ``random.Random("<seed>:<iteration>")``,
so ``--seed S --start I --iterations 1`` replays one (its timing, being
concurrent, varies).  Run as root it also runs the script as an
unprivileged user (SSTATE_MGMT_TEST_UID, default 65534), since root
bypasses the permission checks.

    python3 tests/unit/prune_fuzz.py --seed 1 --iterations 10000     # the long run
    python3 tests/unit/prune_fuzz.py --seed 1 --start 4711 --iterations 1 -v --keep-failures /tmp/f
"""

import argparse
import errno
import fcntl
import os
import random
import re
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

from prune_testlib import OTHER_GID, OTHER_UID, SCRIPT, object_name, python_for, strict_json  # noqa: E402

DAY = 86400.0
LOCK = ".sstate-cache-management.lock"
ARCHIVE_TASKS = ("populate_sysroot", "package", "packagedata", "package_write_ipk", "populate_lic",
                 "deploy_source_date_epoch", "package_qa")
SIGINFO_ONLY_TASKS = ("compile", "configure", "fetch", "unpack", "install")
PNS = ("zlib", "bash", "busybox", "gcc-cross-x86_64", "quilt-native", "glibc", "linux-yocto", "m4")
ODD_PNS = ("zl\udcffib", "new\nline", "tab\tpn", "\u00fcn\u00efcode", "sp ace", "\x1b[2Jesc", "back\\slash",
           "\u2028sep")
NATIVES = ("", "", "", "debian-12", "universal")
TARGETS = ("core2-64-poky-linux", "x86_64-linux", "cortexa57-poky-linux")
PKGARCHS = ("core2-64", "x86_64", "qemux86_64", "allarch")
PLAN_RE = re.compile(rb"\d+ out of \d+ files will be removed!")
ALLOWED_CODES = {0, 1, 2, 3, 4, 5, 130}


def _kill_processes_naming(path):
    """SIGKILL every process whose command line names ``path``; their count."""
    n = 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            with open("/proc/%s/cmdline" % pid, "rb") as f:
                if path.encode() in f.read():
                    os.kill(int(pid), signal.SIGKILL)
                    n += 1
        except OSError:
            pass
    return n


def _hex(rng):
    return "%064x" % rng.getrandbits(256)


class Unit:
    """One planted entry: an archive name and the members written for it."""

    def __init__(self, reldir, stem, unihash, key, task, kind):
        self.reldir = reldir
        self.stem = stem
        self.unihash = unihash
        self.key = key                  # the duplicates key, None when never a duplicate
        self.task = task
        self.kind = kind                # object, orphan, siginfo-only
        self.members = {}               # suffix -> mtime
        self.special = set()            # immutable, foreign, hidden, symlink

    def path(self, suffix=""):
        return (self.reldir + "/" if self.reldir else "") + self.stem + suffix

    @property
    def mtime(self):
        return max(self.members.values())

    def __repr__(self):
        return self.path()


class Scenario:
    """A random cache, roots and command line, all from ``rng``."""

    def __init__(self, rng, work, other_user, chattr_ok):
        self.rng = rng
        self.work = work
        self.cache = os.path.join(work, "cache")
        self.outside = os.path.join(work, "outside")
        self.out = os.path.join(work, "out")
        self.other_user = other_user
        self.chattr_ok = chattr_ok
        self.units = []
        self.plain = []                 # (relpath, kind) of entries that are never units
        self.immutable = []
        self.roots = []                 # paths given as --stamps-dir
        self.root_hashes = set()        # what the roots protect (by the documented rules)
        self.root_sets = []             # per root
        self.keep = set()
        self.expect = None              # exit codes expected when undisturbed
        self.reasons = []
        self.now = time.time()
        for d in (self.cache, self.outside, self.out):
            os.makedirs(d)

    # ------------------------------------------------------------ the cache
    def write(self, rel, mtime, size=None, root=None):
        p = os.path.join(root or self.cache, rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb") as f:
            f.write(b"x" * (size if size is not None else self.rng.randint(0, 300)))
        os.utime(p, (mtime, mtime))

    def age(self):
        r = self.rng.random()
        if r < 0.25:
            return self.rng.uniform(0, 400) * 60            # minutes: around the default grace
        if r < 0.6:
            return self.rng.uniform(0.3, 30) * DAY
        return self.rng.uniform(30, 120) * DAY

    def unit(self, pn, task, native, target, pkgarch, kind, unihash=None, pv="1.0", ext=".tar.zst",
             companions=None, mtime=None):
        rng = self.rng
        unihash = unihash or _hex(rng)
        if task == "populate_lic":
            target = pkgarch = ""
        stem = object_name(pn, task, unihash, target=target, pv=pv, pkgarch=pkgarch, ext=ext)
        reldir = (native + "/" if native else "") + unihash[:2] + "/" + unihash[2:4]
        never_dup = task == "populate_lic" or (not target and not pkgarch)
        key = None if never_dup else (native, pn, target, pkgarch, "14", ext, task)
        u = Unit(reldir, stem, unihash, key, task, kind)
        mtime = mtime if mtime is not None else self.now - self.age()
        if companions is None:
            companions = [".siginfo"] if rng.random() < 0.9 else []
            if rng.random() < 0.3:
                companions.append(".sig")
            if rng.random() < 0.05:
                companions.append(".done")
        if kind == "orphan" and not companions:
            companions = [".siginfo"]
        suffixes = ([""] if kind == "object" else []) + companions
        if kind == "siginfo-only":
            suffixes = [".siginfo"]
        for s in suffixes:
            m = mtime - (rng.uniform(0, 3600) if rng.random() < 0.3 else 0)
            self.write(u.path(s), m)
            u.members[s] = m
        self.units.append(u)
        return u

    def build(self):
        rng = self.rng
        pns = rng.sample(PNS, rng.randint(2, 5))
        if rng.random() < 0.3:
            pns += rng.sample(ODD_PNS, rng.randint(1, 3))
        for pn in pns:
            native = rng.choice(NATIVES)
            target = rng.choice(TARGETS)
            pkgarch = rng.choice(PKGARCHS)
            for task in rng.sample(ARCHIVE_TASKS, rng.randint(1, 3)):
                for _ in range(rng.choice((1, 1, 2, 2, 3, 4))):
                    kind = "object" if rng.random() < 0.88 else "orphan"
                    self.unit(pn, task, native, target, pkgarch, kind)
                if rng.random() < 0.2:                  # another machine or host dir: another key
                    self.unit(pn, task, rng.choice(NATIVES), rng.choice(TARGETS), rng.choice(PKGARCHS), "object")
            for task in rng.sample(SIGINFO_ONLY_TASKS, rng.randint(0, 2)):
                for _ in range(rng.randint(1, 2)):
                    self.unit(pn, task, "", target, pkgarch, "siginfo-only")
        if rng.random() < 0.1:                          # legacy names: never grouped across specs
            h = _hex(rng)
            rel = "%s/sstate-zlib-core2-64-poky-linux-1.0-r0-core2-64-2-%s_populate_sysroot.tgz" % (h[:2], h)
            u = Unit(os.path.dirname(rel), os.path.basename(rel), h, None, "populate_sysroot", "object")
            m = self.now - self.age()
            self.write(rel, m)
            u.members[""] = m
            self.units.append(u)
        self.oddities()
        self.links()
        if rng.random() < 0.1:
            self.deep()

    def oddities(self):
        rng = self.rng
        fan = rng.choice(self.units).reldir
        choices = [
            ("README", "unknown"), ("sstate:broken:name_populate_sysroot.tar.zst", "unknown"),
            ("sstate:zlib:t:1:r0:a:14:_package.tar.zst", "unknown"), ("notes\udcff\n.txt", "unknown"),
            ("sigtask.Ab3x9", "temporary"), ("zlib.lock", "temporary"), ("partial.tmp", "temporary"),
            (rng.choice(self.units).stem + "Xq81zLm0", "temporary"),
        ]
        for name, kind in rng.sample(choices, rng.randint(1, len(choices))):
            rel = fan + "/" + name
            self.write(rel, self.now - self.age())
            self.plain.append((rel, kind))
        if rng.random() < 0.5:
            rel = fan + "/tmp" + "%08x" % rng.getrandbits(32) + "/" + rng.choice(self.units).stem
            self.write(rel, self.now - 50 * DAY)
            self.plain.append((rel, "temporary"))
        if rng.random() < 0.4:                          # a FIFO named like an object: never opened
            u = self.unit(rng.choice(PNS), "populate_sysroot", "", "core2-64-poky-linux", "core2-64",
                          "object")
            self.units.remove(u)
            for s in list(u.members):
                os.unlink(os.path.join(self.cache, u.path(s)))
            os.mkfifo(os.path.join(self.cache, u.path()))
            self.plain.append((u.path(), "fifo"))

    def links(self):
        rng = self.rng
        precious = os.path.join(self.outside, "precious")
        self.write("precious/" + object_name("zlib", "populate_sysroot", _hex(rng)), self.now - 90 * DAY,
                   root=self.outside)
        tree = os.path.join(self.outside, "tree")
        for _ in range(3):
            h = _hex(rng)
            self.write("tree/" + object_name("bash", "package", h) + ".siginfo", self.now - 90 * DAY,
                       root=self.outside)
        fan = rng.choice(self.units).reldir
        if rng.random() < 0.6:                          # a directory symlink out of the cache
            os.symlink(tree, os.path.join(self.cache, fan + "/zz"))
            self.plain.append((fan + "/zz", "symlink"))
        if rng.random() < 0.6:                          # a symlinked object pointing out
            u = self.unit("zlib", "populate_sysroot", "", "core2-64-poky-linux", "core2-64", "object",
                          companions=[])
            p = os.path.join(self.cache, u.path())
            os.unlink(p)
            target = os.path.join(precious, os.listdir(precious)[0])
            os.symlink(target, p)
            os.utime(p, (u.mtime, u.mtime), follow_symlinks=False)
            u.special.add("symlink")
        if rng.random() < 0.4:                          # a symlink pointing in, named as another object
            src = rng.choice([u for u in self.units if "" in u.members])
            u = self.unit(src.key[1] if src.key else "m4", "package", "", "x86_64-linux", "x86_64", "object",
                          companions=[])
            p = os.path.join(self.cache, u.path())
            os.unlink(p)
            os.symlink(os.path.relpath(os.path.join(self.cache, src.path()), os.path.dirname(p)), p)
            os.utime(p, (u.mtime, u.mtime), follow_symlinks=False)
            u.special.add("symlink")
        if rng.random() < 0.4:
            os.symlink("/nonexistent/" + rng.choice(self.units).stem, os.path.join(self.cache, fan + "/dangling"))
            self.plain.append((fan + "/dangling", "symlink"))
            os.symlink("loop", os.path.join(self.cache, fan + "/loop"))
            self.plain.append((fan + "/loop", "symlink"))

    def deep(self):
        rel = "/".join(["d"] * self.rng.randint(33, 60))
        h = _hex(self.rng)
        u = Unit(rel, object_name("deep", "populate_sysroot", h), h, None, "populate_sysroot", "object")
        u.key = ("", "deep", "core2-64-poky-linux", "core2-64", "14", ".tar.zst", "populate_sysroot")
        for s in ("", ".siginfo"):
            m = self.now - self.age()
            self.write(u.path(s), m)
            u.members[s] = m
        self.units.append(u)

    def permissions(self):
        """Permissions that really fail (only where the run can meet them)."""
        rng = self.rng
        archives = [u for u in self.units if "" in u.members and "symlink" not in u.special]
        if self.other_user:
            give_tree(self.cache)
        if self.chattr_ok and archives and rng.random() < 0.3:
            for u in rng.sample(archives, min(len(archives), rng.randint(1, 3))):
                p = os.path.join(self.cache, u.path())
                if subprocess.run(["chattr", "+i", p], capture_output=True).returncode == 0:
                    self.immutable.append(p)
                    u.special.add("immutable")
        if not self.other_user:
            return
        os.chown(self.out, OTHER_UID, OTHER_GID)
        archives = [u for u in archives if "immutable" not in u.special]
        if archives and rng.random() < 0.4:             # a sticky dir where another user owns an archive
            u = rng.choice(archives)
            d = os.path.join(self.cache, u.reldir)
            os.chown(os.path.join(self.cache, u.path()), 4242, 4242)
            os.chown(d, 0, 0)
            os.chmod(d, 0o1777)
            u.special.add("foreign")
        if rng.random() < 0.3:                          # a fan-out dir nobody but root may read
            u = rng.choice(self.units)
            d = os.path.join(self.cache, u.reldir)
            if u.reldir and "/d/" not in "/" + u.reldir + "/":
                os.chmod(d, 0)
                for v in self.units:
                    if v.reldir == u.reldir:
                        v.special.add("hidden")
                self.expect = None          # what the scan cannot see may decide a refusal

    # ------------------------------------------------------------ roots and keep hashes
    def stamps(self, n):
        """Stamps dir ``n``: returns (path, hashes it protects by the documented rules)."""
        rng = self.rng
        top = os.path.join(self.work, "build%d" % n, "tmp", "stamps")
        hashes = set()
        used = set()
        candidates = [u for u in self.units if u.unihash]
        for u in rng.sample(candidates, min(len(candidates), rng.randint(1, max(1, len(candidates) // 2)))):
            pn = (u.key[1] if u.key else "legacy").replace("/", "_")
            sys_ = "%s-%s" % (u.key[0] or "t", u.key[2]) if u.key else "legacy"
            d = os.path.join(top, sys_.replace("/", "_"), pn)
            v = 0                                   # one stamp per (recipe dir, version, task), as BitBake has
            while (d, v, u.task) in used:
                v += 1
            used.add((d, v, u.task))
            base = os.path.join(d, "1.%d" % v)
            os.makedirs(d, exist_ok=True)
            style = rng.choice(("stamp", "setscene", "rm_work", "rm_work"))
            stale = _hex(rng)
            if style == "rm_work":      # rm_work: the stamp is gone, its sigdata stays; the base keeps do_build's
                t = self.now - rng.uniform(10, 1000)
                for h, when in ((stale, t - 5000), (u.unihash, t)):
                    p = "%s.do_%s.sigdata.%s" % (base, u.task, h)
                    open(p, "w").close()
                    os.utime(p, (when, when))
                open("%s.do_build.%s" % (base, _hex(rng)), "w").close()
            else:
                open("%s.do_%s%s.%s" % (base, u.task, "_setscene" if style == "setscene" else "", u.unihash),
                     "w").close()
                open("%s.do_%s.sigdata.%s" % (base, u.task, stale), "w").close()     # not a root
            if self.use_sigdata:
                hashes.add(stale)
            hashes.add(u.unihash)
        old = os.path.join(top, "x86_64-linux", "zlib", "0.9.do_package.sigdata.%s" % _hex(rng))
        os.makedirs(os.path.dirname(old), exist_ok=True)
        open(old, "w").close()                      # an older version's sigdata: stale
        if self.use_sigdata:
            hashes.add(os.path.basename(old).rsplit(".", 1)[1])
        return top, hashes

    # ------------------------------------------------------------ the command line
    def command(self):
        rng = self.rng
        args = ["--cache-dir", self.cache]
        self.use_sigdata = rng.random() < 0.1
        self.dry = rng.random() < 0.25
        self.json = rng.random() < 0.8
        self.force = rng.random() < 0.1
        self.keep_n = rng.choice((1, 1, 1, 2, 3))
        self.grace = 0.0 if rng.random() < 0.6 else rng.uniform(1, 600)
        self.siginfo_only = rng.random() < 0.2
        policies = set()
        while not policies:
            for p, prob in (("duplicates", 0.5), ("sweep", 0.3), ("orphans", 0.3), ("age", 0.25), ("size", 0.2),
                            ("recipe", 0.15)):
                if rng.random() < prob:
                    policies.add(p)
        self.policies = policies
        self.refused = []
        nroots = 0 if "sweep" not in policies and rng.random() < 0.5 else rng.choice((1, 1, 2))
        for n in range(nroots):
            r = rng.random()
            if r < 0.04:
                path = os.path.join(self.work, "nonexistent%d" % n)
                self.refused.append("root %s does not exist" % path)
                hashes = set()
            elif r < 0.08:
                path = os.path.join(self.work, "empty%d" % n)
                os.makedirs(path)
                self.refused.append("root %s holds no stamps" % path)
                hashes = set()
            elif r < 0.12:
                path, hashes = self.stamps(n)
                shutil.rmtree(path)                      # stamps of nothing in this cache
                p = os.path.join(path, "x86_64-linux", "other", "1.0.do_package.%s" % _hex(rng))
                os.makedirs(os.path.dirname(p))
                open(p, "w").close()
                hashes = set()
                self.refused.append("root %s matches nothing" % path)
            else:
                path, hashes = self.stamps(n)
            self.roots.append(path)
            self.root_sets.append(hashes)
            args += ["--stamps-dir", path]
        subdirs = [os.path.join(dp, n) for dp, dns, _ in os.walk(self.roots[-1]) for n in dns] \
            if self.roots and os.path.isdir(self.roots[-1]) else []
        if self.other_user and subdirs and rng.random() < 0.15:
            hidden = rng.choice(sorted(subdirs))
            os.chmod(hidden, 0)
            self.refused.append("root part %s unreadable" % hidden)
            if self.force:                              # forced: that part protects nothing
                self.root_sets[-1] = self._hashes_outside(self.root_sets[-1], hidden)
        if rng.random() < 0.2:
            self.keep = set(u.unihash for u in rng.sample(self.units, min(3, len(self.units))) if u.unihash)
            if rng.random() < 0.3:
                self.keep = {"deadbeef%d" % i for i in range(rng.randint(1, 2))}
                self.refused.append("keep hashes match nothing")
            if rng.random() < 0.5:
                args += ["--keep-hash", ",".join(sorted(self.keep))]
            else:
                f = os.path.join(self.work, "keep.txt")
                fmt = rng.choice(("%s\n", "unihash %s\n", "%s  # a comment\n"))
                with open(f, "w") as fh:
                    fh.write("# keep\n" + "".join(fmt % h for h in sorted(self.keep)))
                args += ["--keep-hashes-file", f]
        self.root_hashes = set().union(*self.root_sets) if self.root_sets else set()
        if "duplicates" in policies:
            args += ["-d"] + (["--keep", str(self.keep_n)] if self.keep_n > 1 else [])
        if "sweep" in policies:
            if not self.roots and not self.keep:
                self.keep = set(u.unihash for u in rng.sample(self.units, 1) if u.unihash) or {"0"}
                args += ["--keep-hash", ",".join(self.keep)]
            if policies != {"sweep"} or not self.roots:
                args.append("--remove-unreferenced")
        if "orphans" in policies:
            args.append("--remove-orphans")
        if "age" in policies:
            args += ["--older-than", "%.3f" % rng.uniform(0.5, 60)]
        if "size" in policies:
            total = sum(os.lstat(os.path.join(self.cache, u.path(s))).st_size for u in self.units for s in u.members)
            args += ["--max-size", str(int(total * rng.uniform(0, 0.9)))]
        if "recipe" in policies:
            pn = rng.choice([u.key[1] for u in self.units if u.key])
            args += ["--recipe", pn]
            if not self.roots and not self.keep:
                args.append("--force")
                self.force = True
            if rng.random() < 0.3:
                args += ["--task", rng.choice(ARCHIVE_TASKS)]
        if self.siginfo_only:
            args.append("--remove-siginfo-only")
        if self.use_sigdata:
            args.append("--use-sigdata")
        if self.force and "--force" not in args:
            args.append("--force")
        args += ["--grace", "%g" % self.grace]
        self.yes = not self.dry and rng.random() < 0.95
        args.append("-n" if self.dry else ("-y" if self.yes else "--no-progress"))
        if self.json:
            args.append("--json")
        if rng.random() < 0.3:
            args.append("-D")
        if rng.random() < 0.3:
            args.append("-v")
        if rng.random() < 0.2:
            args.append("--stat-all")
        self.detailed = rng.random() < 0.3
        if self.detailed:
            args.append("--detailed-exit-codes")
        procs = rng.choice((None, 0, 1, 2, 4))
        if procs is not None:
            args += ["--scan-processes", str(procs)]
        args += ["-j", str(rng.choice((1, 2, 8)))]
        self.usage = None
        r = rng.random()
        if r < 0.1:
            self.keep_file = os.path.join(self.out, "hashserv-keep")
            args += ["--hashserv-keep-file", self.keep_file]
        elif r < 0.12:
            args += ["--hashserv-keep-file", os.path.join(self.work, "no", "such", "dir", "keep")]
            self.usage = "unwritable --hashserv-keep-file"
        elif r < 0.14:
            args += ["--grace", rng.choice(("nan", "inf", "-inf"))]
            self.usage = "grace not finite"
        self.args = args
        if self.roots and not policies & {"duplicates", "age", "size", "recipe"}:
            self.policies = policies | {"sweep"}        # roots alone sweep (OE-Core's --stamps-dir)
        if self.usage:
            self.expect = {2}
        elif self.refused and not self.force:
            self.expect = {3}
        elif not self.dry and not self.yes:
            self.expect = {0, 1, 3}                      # no terminal: nothing removed (0: nothing to remove)
        else:
            self.expect = {0, 1, 5} if self.detailed else {0, 1}
        return args

    def _hashes_outside(self, hashes, hidden):
        """The hashes still readable when ``hidden`` (a stamps recipe dir) is not."""
        kept = set()
        for dp, dns, fns in os.walk(os.path.dirname(os.path.dirname(hidden))):
            if dp == hidden or dp.startswith(hidden + "/"):
                continue
            for fn in fns:
                h = fn.rsplit(".", 1)[-1]
                if h in hashes:
                    kept.add(h)
        return kept


def give_tree(path, uid=OTHER_UID, gid=OTHER_GID):
    for dp, dns, fns in os.walk(path):
        os.lchown(dp, uid, gid)
        for n in dns + fns:
            os.lchown(os.path.join(dp, n), uid, gid)


def snapshot(top, exclude=()):
    """{relpath: (type, size, mtime_ns, ino, link)} of everything below ``top``."""
    snap = {}
    stack = [""]
    while stack:
        rel = stack.pop()
        try:
            entries = os.listdir(os.path.join(top, rel) if rel else top)
        except OSError:
            snap[rel + "/"] = ("unreadable",)
            continue
        for name in entries:
            sub = rel + "/" + name if rel else name
            if sub in exclude:
                continue
            p = os.path.join(top, sub)
            st = os.lstat(p)
            link = os.readlink(p) if stat.S_ISLNK(st.st_mode) else None
            snap[sub] = (stat.S_IFMT(st.st_mode), st.st_size, st.st_mtime_ns, st.st_ino, link)
            if stat.S_ISDIR(st.st_mode):
                stack.append(sub)
    return snap


class Activity:
    """What the concurrent writer, the second cleaner and the interrupter did."""

    def __init__(self):
        self.lock = threading.Lock()
        self.disturbed = set()          # units whose files someone else changed or removed
        self.touched_after_plan = []    # (unit, when) fully touched once the plan was printed
        self.touched = set()
        self.new_files = set()
        self.log = []

    def note(self, what):
        with self.lock:
            self.log.append("%.3f %s" % (time.monotonic(), what))


def _touch(sc, u):
    now = time.time_ns()
    ok = True
    for s in u.members:
        try:
            os.utime(os.path.join(sc.cache, u.path(s)), ns=(now, now), follow_symlinks=False)
        except OSError:
            ok = False
    return ok


def _rewrite(sc, u, act):
    """Write the unit again as a build does: companions, then the archive, each
    through a temporary renamed into place."""
    for s in sorted(u.members, key=lambda s: s == ""):
        p = os.path.join(sc.cache, u.path(s))
        tmp = p + "Tmp%05d" % random.randrange(100000)
        try:
            with open(tmp, "wb") as f:
                f.write(b"rewritten")
            os.rename(tmp, p)
        except OSError:
            try:
                os.unlink(tmp)
            except OSError:
                pass


def _new_unit(sc, rng):
    h = _hex(rng)
    d = os.path.join(sc.cache, h[:2], h[2:4])
    stem = object_name("fuzznew", "populate_sysroot", h)
    os.makedirs(d, exist_ok=True)
    paths = []
    for s in (".siginfo", ""):
        p = os.path.join(d, stem + s)
        tmp = p + "Zz%06d" % rng.randrange(10 ** 6)
        with open(tmp, "wb") as f:
            f.write(b"new")
        os.rename(tmp, p)
        paths.append(os.path.relpath(p, sc.cache))
    return paths


def _clean(sc, u):
    """Another cleaner: whole units, archive first, companions only once it is gone."""
    for s in sorted(u.members, key=lambda s: s != ""):
        try:
            os.unlink(os.path.join(sc.cache, u.path(s)))
        except FileNotFoundError:
            pass
        except OSError:
            if s == "":
                return


def writer(sc, rng, act, plan, stop, after_plan):
    units = [u for u in sc.units if "hidden" not in u.special and "immutable" not in u.special]
    if not units:
        return
    for _ in range(rng.randint(1, 6)):
        if stop.wait(rng.uniform(0, 0.4)):
            return
        what = rng.choice(("touch", "touch", "rewrite", "new"))
        u = rng.choice(units)
        if what == "touch":
            with act.lock:
                act.disturbed.add(u)
            _touch(sc, u)
        elif what == "rewrite":
            with act.lock:
                act.disturbed.add(u)
            _rewrite(sc, u, act)
        else:
            with act.lock:
                act.new_files.update(_new_unit(sc, rng))
        act.note("%s %r" % (what, u))
    if after_plan and plan.wait(10):
        for u in rng.sample(units, min(len(units), rng.randint(1, 3))):
            with act.lock:
                act.disturbed.add(u)
            when = time.monotonic()
            if _touch(sc, u):
                act.touched_after_plan.append((u, when))
            act.note("touch after plan %r" % u)


def cleaner(sc, rng, act, stop):
    units = [u for u in sc.units if "hidden" not in u.special]
    for _ in range(rng.randint(1, 5)):
        if stop.wait(rng.uniform(0, 0.5)):
            return
        u = rng.choice(units)
        with act.lock:
            act.disturbed.add(u)
        _clean(sc, u)
        act.note("cleaned %r" % u)


# What Python prints when ^C lands while the interpreter itself starts,
# before any statement of the script runs (stdio, site, sys.path[0]).
STARTUP_DEATHS = (b"Fatal Python error: init_import_site", b"Fatal Python error: init_sys_streams",
                  b"Failed checking if argv[0] is an import path entry")


class Iteration:
    def __init__(self, seed, index, base, verbose=False, keep_failures=None):
        self.keep_failures = keep_failures
        self.seed = seed
        self.index = index
        self.rng = random.Random("%d:%d" % (seed, index))
        self.base = base
        self.verbose = verbose
        self.violations = []

    def fail(self, msg):
        self.violations.append(msg)

    def run(self):
        rng = self.rng
        work = tempfile.mkdtemp(prefix="fuzz-%d-%d-" % (self.seed, self.index), dir=self.base)
        os.chmod(work, 0o755)
        root = os.geteuid() == 0
        other = root and rng.random() < 0.3 and python_for(OTHER_UID, OTHER_GID) is not None
        sc = Scenario(rng, work, other, root and shutil.which("chattr") is not None)
        self.sc = sc
        try:
            sc.build()
            sc.command()
            sc.permissions()
            self.check_run(sc)
        finally:
            self.cleanup(sc, self.keep_failures)
        return self.violations

    def describe(self):
        sc = self.sc
        return "seed %d iteration %d: %s%s" % (self.seed, self.index, " ".join(
            a.encode("unicode_escape").decode() for a in sc.args[2:]), " (as uid %d)" % OTHER_UID if sc.other_user else "")

    def cleanup(self, sc, keep=None):
        for p in sc.immutable:
            subprocess.run(["chattr", "-i", p], capture_output=True)
        for dp, dns, fns in os.walk(sc.work):
            for n in dns:
                q = os.path.join(dp, n)
                if not os.path.islink(q):
                    os.chmod(q, 0o755)
        if self.violations and keep:
            dest = os.path.join(keep, "seed%d-it%d" % (self.seed, self.index))
            def copy(s, d):
                if stat.S_ISFIFO(os.lstat(s).st_mode):
                    os.mkfifo(d)
                else:
                    shutil.copy2(s, d)
            shutil.copytree(sc.work, dest, symlinks=True, copy_function=copy)
            with open(os.path.join(dest, "VIOLATIONS"), "w", errors="backslashreplace") as f:
                f.write(self.describe() + "\n" + "\n".join(self.violations) + "\n")
        shutil.rmtree(sc.work, ignore_errors=True)

    # ------------------------------------------------------------ one run and its checks
    def check_run(self, sc):
        rng = self.rng
        before_out = snapshot(sc.work, exclude=("cache", "out"))
        units_before = {u: {s for s in u.members} for u in sc.units}
        act = Activity()
        disturb = rng.random()
        do_writer = disturb < 0.35
        do_cleaner = 0.35 <= disturb < 0.45
        do_second = 0.45 <= disturb < 0.52
        interrupt = None
        r = rng.random()
        if r < 0.12:
            interrupt = signal.SIGINT
        elif r < 0.2:
            interrupt = signal.SIGKILL
        when = rng.uniform(0.0, 1.2)
        quiet = not (do_writer or do_cleaner or do_second or interrupt)

        py = python_for(OTHER_UID, OTHER_GID) if sc.other_user else sys.executable
        kw = dict(user=OTHER_UID, group=OTHER_GID, extra_groups=[]) if sc.other_user else {}
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": "/", "LANG": "C.UTF-8",
               "LC_ALL": "C.UTF-8"}
        t_start = time.time()
        p = subprocess.Popen([py, SCRIPT] + sc.args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             stdin=subprocess.DEVNULL, env=env, cwd="/", **kw)
        plan = threading.Event()
        stop = threading.Event()
        chunks = {"out": [], "err": []}

        def reader(stream, name):
            buf = b""
            for chunk in iter(lambda: os.read(stream.fileno(), 65536), b""):
                chunks[name].append(chunk)
                buf = (buf + chunk)[-4096:]
                if PLAN_RE.search(buf):
                    plan.set()
        readers = [threading.Thread(target=reader, args=(p.stdout, "out")),
                   threading.Thread(target=reader, args=(p.stderr, "err"))]
        helpers = []
        if do_writer:
            helpers.append(threading.Thread(target=writer, args=(sc, random.Random(rng.random()), act, plan, stop,
                                                                 rng.random() < 0.6)))
        if do_cleaner:
            helpers.append(threading.Thread(target=cleaner, args=(sc, random.Random(rng.random()), act, stop)))
        second = None
        if do_second:
            second_args = [a for a in sc.args]
            second_args += ["--lock-wait", "20"]
            second = subprocess.Popen([py, SCRIPT] + second_args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                      stdin=subprocess.DEVNULL, env=env, cwd="/", **kw)
        for t in readers + helpers:
            t.start()
        killer = None
        if interrupt is not None:
            self.interrupt_at = "%s after %.3f s" % (signal.Signals(interrupt).name, when)
            killer = threading.Timer(when, lambda: p.poll() is None and p.send_signal(interrupt))
            killer.start()
        try:
            rc = p.wait(timeout=300)
        except subprocess.TimeoutExpired:
            p.kill()
            rc = p.wait()
            self.fail("the pruner hung for 300 s")
        t_end = time.time()
        stop.set()
        for t in helpers:
            t.join()
        for t in readers:
            t.join(10)
        if any(t.is_alive() for t in readers):
            # something the pruner started still holds its stdout or stderr
            n = _kill_processes_naming(sc.cache)
            for t in readers:
                t.join()
            self.fail("%d process(es) of the pruner outlived it by 10 s" % n)
        if killer is not None:
            killer.cancel()
        p.stdout.close()
        p.stderr.close()
        out, err = b"".join(chunks["out"]), b"".join(chunks["err"])
        if second is not None:
            s_out, s_err = second.communicate(timeout=300)
            self.check_output(sc, second.returncode, s_out, s_err, "second pruner")
        self.rc, self.out, self.err = rc, out, err
        killed = rc < 0
        if interrupt == signal.SIGINT and (rc == -signal.SIGINT or any(m in err for m in STARTUP_DEATHS)
                                           or err.strip() == b"KeyboardInterrupt"):
            # ^C while the interpreter starts, before the script's first statement
            # can catch it: Python ends as it always does (the script catches
            # KeyboardInterrupt from its first statement on). A bare
            # "KeyboardInterrupt" line, no traceback, exit 1: raised while no
            # Python frame ran yet (seen 4 ms after the start).
            killed = True
            self.startup_interrupt = True
        if rc < 0 and -rc not in (signal.SIGINT, signal.SIGKILL):
            self.fail("killed by signal %d" % -rc)

        # -- the lock is free once the pruner is gone
        lock = os.path.join(sc.cache, LOCK)
        if os.path.exists(lock):
            deadline = time.monotonic() + 3
            while True:
                fd = os.open(lock, os.O_RDONLY)
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except OSError as e:
                    if e.errno not in (errno.EAGAIN, errno.EWOULDBLOCK) or time.monotonic() > deadline:
                        self.fail("the lock is still held after the pruner ended (rc %d)" % rc)
                        break
                finally:
                    os.close(fd)
                time.sleep(0.05)

        # -- nothing outside the cache touched
        after_out = snapshot(sc.work, exclude=("cache", "out"))
        if after_out != before_out:
            changed = sorted(set(before_out.items()) ^ set(after_out.items()))[:5]
            self.fail("outside the cache changed: %r" % (changed,))

        # -- output and exit code
        doc = None if killed else self.check_output(sc, rc, out, err, "pruner")
        text = err.decode("utf-8", "replace")
        if "Traceback" in text and not getattr(self, "startup_interrupt", False):
            at = text.index("Traceback")
            self.fail("traceback: %s" % text[max(0, at - 300):at + 1700])
        if quiet and sc.expect is not None and rc not in sc.expect:
            self.fail("exit %d, expected %s (%s): %s" % (rc, sorted(sc.expect), ", ".join(sc.refused) or sc.usage
                                                       or "-", err.decode("utf-8", "replace")[-600:]))
        refused = rc in (2, 3, 4) and (second is None or second.returncode in (2, 3, 4))

        # -- the cache
        gone = {}
        for u, suffixes in units_before.items():
            missing = {s for s in suffixes if not os.path.lexists(os.path.join(sc.cache, u.path(s)))}
            if missing:
                gone[u] = missing
        for rel, kind in sc.plain:
            if not os.path.lexists(os.path.join(sc.cache, rel)):
                self.fail("%s entry deleted: %r" % (kind, rel))

        with act.lock:
            disturbed = set(act.disturbed)
        for u, missing in gone.items():
            if u in disturbed:
                continue
            why = self.live(sc, u, t_end, refused, disturbed)
            if why:
                self.fail("live unit deleted (%s): %r lost %s" % (why, u.path(), sorted(missing)))
        if not do_second:
            for u, t in act.touched_after_plan:
                if u in gone:           # touched (every file of it) once the plan was out
                    self.fail("unit touched after the scan was deleted: %r lost %s" % (u.path(), sorted(gone[u])))
        # -- no archive without its signature and siginfo
        for u in sc.units:
            a = os.path.join(sc.cache, u.path())
            if "" in u.members and os.path.lexists(a):
                for s in (".sig", ".siginfo"):
                    if s in u.members and not os.path.lexists(a + s):
                        self.fail("archive left without its %s: %r" % (s, u.path()))
        # -- the accounting of an undisturbed real run
        if quiet and doc and doc.get("schema") == "sstate-prune-summary/1" and not sc.dry and rc in (0, 1, 5):
            n = sum(len(m) for m in gone.values())
            if doc["removed"]["files"] != n:
                self.fail("the summary says %d files removed, %d are gone" % (doc["removed"]["files"], n))
            if (rc == 1) != bool(doc["errors"]):
                self.fail("exit %d with %d errors" % (rc, len(doc["errors"])))
            if sc.detailed and rc != 1 and (rc == 5) != bool(n):
                self.fail("--detailed-exit-codes: exit %d with %d files removed" % (rc, n))

    def live(self, sc, u, t_end, refused, disturbed=()):
        """Why ``u`` must not lose a file in this run, or None."""
        if refused:
            return "the run was refused (exit %d)" % self.rc
        if sc.dry:
            return "dry run"
        if u.unihash in sc.root_hashes:
            return "referenced by a root"
        if u.unihash in sc.keep:
            return "a keep hash"
        if sc.grace and u.mtime > t_end - sc.grace * 60:
            return "inside the grace period"
        sel = sc.policies
        if u.key is None and "" in u.members and sel <= {"duplicates", "orphans"}:
            return "never a duplicate (populate_lic, legacy)"
        if u.key and "hidden" not in u.special and (
                (u.kind == "object" and sel <= {"duplicates", "orphans"})
                or (u.kind == "siginfo-only" and sel == {"duplicates"})):
            group = [v for v in sc.units if v.key == u.key and v.kind == u.kind and "hidden" not in v.special]
            group.sort(key=lambda v: (-v.mtime, v.stem))
            # a unit of the key touched or written anew by the writer may rank differently now
            if u in group[:sc.keep_n] and not any(v in disturbed for v in group):
                return "newest %d of its key" % sc.keep_n
        if sel == {"duplicates"} and (u.kind == "orphan" or (u.kind == "siginfo-only" and not sc.siginfo_only)):
            return "%s, duplicates only" % u.kind
        return None

    def check_output(self, sc, rc, out, err, who):
        """Exit code documented, stdout strict JSON under --json; returns the document."""
        if rc not in ALLOWED_CODES and rc >= 0 and not getattr(self, "startup_interrupt", False):
            self.fail("%s: undocumented exit code %d" % (who, rc))
        try:
            err.decode("utf-8")
        except UnicodeDecodeError:
            self.fail("%s: stderr is not UTF-8" % who)
        if not sc.json:
            try:
                out.decode("utf-8")
            except UnicodeDecodeError:
                self.fail("%s: stdout is not UTF-8" % who)
            return None
        if rc < 0:
            return None
        try:
            doc = strict_json(out)
        except ValueError as e:
            self.fail("%s: stdout is no strict JSON (%s): %r; exit %d, interrupt %s, stderr: %r"
                      % (who, e, out[-300:], rc, getattr(self, "interrupt_at", "-"), err[-600:]))
            return None
        schema = doc.get("schema")
        if schema == "sstate-prune-error/1":
            if doc.get("exit_code") != rc:
                self.fail("%s: error object says exit %r, exit was %d" % (who, doc.get("exit_code"), rc))
        elif schema == "sstate-prune-summary/1":
            if rc in (2, 4):
                self.fail("%s: a summary with exit %d" % (who, rc))
            for rel in doc.get("removed_paths", ()):
                if rel.startswith("/") or "/../" in "/" + rel:
                    self.fail("%s: removed path outside the cache: %r" % (who, rel))
        else:
            self.fail("%s: JSON of unknown schema %r" % (who, schema))
        return doc


def chattr_works(base):
    """chattr +i works here (root, a filesystem with the immutable flag)."""
    if os.geteuid() != 0 or not shutil.which("chattr"):
        return False
    fd, p = tempfile.mkstemp(dir=base)
    os.close(fd)
    try:
        ok = subprocess.run(["chattr", "+i", p], capture_output=True).returncode == 0
        subprocess.run(["chattr", "-i", p], capture_output=True)
        return ok
    finally:
        os.unlink(p)


def run(seed, iterations, start=0, base=None, verbose=False, keep_failures=None, log=None, time_limit=None):
    """Run ``iterations`` iterations from ``start``; returns [(iteration, description, violations)]."""
    own_base = base is None
    base = base or tempfile.mkdtemp(prefix="prune-fuzz-")
    os.chmod(base, 0o755)
    found = []
    t0 = time.monotonic()
    done = 0
    try:
        for i in range(start, start + iterations):
            if time_limit is not None and time.monotonic() - t0 > time_limit:
                break
            it = Iteration(seed, i, base, verbose, keep_failures)
            try:
                violations = it.run()
            except Exception as e:                     # a broken iteration is a finding too
                import traceback
                violations = ["the fuzz iteration itself failed: %s\n%s" % (e, traceback.format_exc())]
            done += 1
            if violations:
                found.append((i, it.describe() if hasattr(it, "sc") else "", violations))
            if log is not None and (verbose or violations or done % 100 == 0):
                log("[%d/%d] %.0fs %s%s" % (done, iterations, time.monotonic() - t0,
                                            it.describe() if (verbose or violations) and hasattr(it, "sc") else "",
                                            "".join("\n    VIOLATION: " + v for v in violations)))
    finally:
        if own_base:
            shutil.rmtree(base, ignore_errors=True)
    return found, done


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--iterations", type=int, default=100)
    ap.add_argument("--start", type=int, default=0, help="first iteration (to replay one)")
    ap.add_argument("-v", "--verbose", action="store_true", help="describe every iteration")
    ap.add_argument("--keep-failures", metavar="DIR", help="copy the work dir of failing iterations here")
    a = ap.parse_args(argv)
    t0 = time.monotonic()

    def log(msg):
        print(msg.encode("ascii", "backslashreplace").decode(), flush=True)
    found, done = run(a.seed, a.iterations, a.start, verbose=a.verbose, keep_failures=a.keep_failures, log=log)
    print("prune fuzz: seed %d, iterations %d..%d: %d run, %d with violations, %.0f s"
          % (a.seed, a.start, a.start + a.iterations - 1, done, len(found), time.monotonic() - t0), flush=True)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
