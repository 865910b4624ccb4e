# SPDX-License-Identifier: MIT
"""Helpers for the prune tests: tiny synthetic caches and stamps trees."""

import hashlib
import os
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LIB = os.path.join(REPO, "meta-sstate-mgmt", "lib")
SCRIPT = os.path.join(REPO, "scripts", "sstate-cache-management")
if LIB not in sys.path:
    sys.path.insert(0, LIB)

DAY = 86400.0
# Ages are taken from the clock when a file is written, never from a time
# fixed at import: a test session that runs the integration tier first
# (45 minutes) would otherwise age "fresh" files past the grace period.


def H(*parts):
    """A deterministic 64-hex unihash."""
    return hashlib.sha256(":".join(str(p) for p in parts).encode()).hexdigest()


def object_name(pn, task, unihash, target="core2-64-poky-linux", pv="1.0", pr="r0", pkgarch="core2-64",
                version="14", ext=".tar.zst"):
    return "sstate:%s:%s:%s:%s:%s:%s:%s_%s%s" % (pn, target, pv, pr, pkgarch, version, unihash, task, ext)


class Cache:
    """A small sstate cache under ``root``; paths are relative to it."""

    def __init__(self, root):
        self.root = str(root)
        os.makedirs(self.root, exist_ok=True)

    def path(self, rel):
        return os.path.join(self.root, rel)

    def write(self, rel, size=100, age_days=1.0, mtime=None):
        p = self.path(rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb") as f:
            f.write(b"x" * size)
        t = mtime if mtime is not None else time.time() - age_days * DAY
        os.utime(p, (t, t))
        return rel

    def add(self, pn, task="populate_sysroot", unihash=None, native="", companions=(".siginfo",), archive=True,
            age_days=1.0, size=100, mtime=None, **fields):
        """Write an object (and companions); returns the list of relative paths written."""
        unihash = unihash or H(pn, task, native, age_days, sorted(fields.items()))
        name = object_name(pn, task, unihash, **fields)
        d = (native + "/" if native else "") + unihash[:2] + "/" + unihash[2:4] + "/"
        out = []
        if archive:
            out.append(self.write(d + name, size, age_days, mtime))
        for c in companions:
            out.append(self.write(d + name + c, 10, age_days, mtime))
        return out

    def files(self):
        found = set()
        for dp, dns, fns in os.walk(self.root):
            for fn in fns:
                found.add(os.path.relpath(os.path.join(dp, fn), self.root))
            for dn in dns:
                if os.path.islink(os.path.join(dp, dn)):
                    found.add(os.path.relpath(os.path.join(dp, dn), self.root))
        found.discard(".sstate-cache-management.lock")
        return found

    def bytes(self):
        return sum(os.lstat(self.path(f)).st_size for f in self.files())


def stamp(stamps, pn, task, unihash, kind="stamp", sys_="core2-64-poky-linux", pv="1.0", work_shared=False):
    """Write a BitBake stamp: kind in stamp, setscene, sigdata."""
    if work_shared:
        base = os.path.join(str(stamps), "work-shared", "%s-%s-r0" % (pn, pv))
    else:
        base = os.path.join(str(stamps), sys_, pn, pv)
    if kind == "stamp":
        fn = "%s.do_%s.%s" % (base, task, unihash)
    elif kind == "setscene":
        fn = "%s.do_%s_setscene.%s" % (base, task, unihash)
    elif kind == "sigdata":
        fn = "%s.do_%s.sigdata.%s" % (base, task, unihash)
    else:
        raise ValueError(kind)
    os.makedirs(os.path.dirname(fn), exist_ok=True)
    open(fn, "w").close()
    return fn


def run_script(args, env=None, stdin=subprocess.DEVNULL, script=SCRIPT, timeout=60):
    """Run a pruning script; returns CompletedProcess (text)."""
    e = dict(os.environ)
    e.pop("SSTATE_CACHE_DIR", None)
    if env:
        e.update(env)
    return subprocess.run([sys.executable, script] + list(args), env=e, stdin=stdin, capture_output=True,
                          text=True, timeout=timeout)


def run_prune(cache, **kw):
    """The engine on ``cache`` for real (no dry run, no grace) unless told otherwise."""
    from sstatemgmt.prune import prune
    kw.setdefault("dry_run", False)
    kw.setdefault("grace_minutes", 0)
    return prune(cache.root, **kw)
