# SPDX-License-Identifier: MIT
"""Helpers for the prune tests: tiny synthetic caches and stamps trees."""

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
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
        """Every non-directory (symlinks included) below the root, relative to
        it; iterative, as the trees of some tests are deeper than Python's
        recursion limit (os.walk recurses)."""
        found = set()
        stack = [""]
        while stack:
            rel = stack.pop()
            with os.scandir(self.path(rel) if rel else self.root) as it:
                for e in it:
                    sub = rel + "/" + e.name if rel else e.name
                    if e.is_dir(follow_symlinks=False):
                        stack.append(sub)
                    else:
                        found.add(sub)
        found.discard(".sstate-cache-management.lock")
        return found

    def bytes(self):
        return sum(os.lstat(self.path(f)).st_size for f in self.files())


def stamp(stamps, pn, task, unihash, kind="stamp", sys_="core2-64-poky-linux", pv="1.0", work_shared=False,
          age_days=None):
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
    if age_days is not None:
        t = time.time() - age_days * DAY
        os.utime(fn, (t, t))
    return fn


RM_WORK_TASKS = ("package", "compile", "packagedata", "populate_sysroot", "package_write_ipk")


def rm_work_stamps(stamps, current, stale=None, pn="zlib"):
    """What rm_work leaves (meta/classes/rm_work.bbclass, and a real native
    build, tests/integration/test_sstate_prune_rm_work.py): do_package's
    stamps deleted, its sigdata kept; the stamps of tasks without sstate
    (do_compile...) deleted, their sigdata kept; sstate tasks' stamps turned
    into _setscene ones; do_package_write_* stamps as they were.  ``stale``:
    sigdata an earlier build of the same version left (older)."""
    for task in ("package", "compile"):
        if stale:
            stamp(stamps, pn, task, stale[task], kind="sigdata", age_days=3)
        stamp(stamps, pn, task, current[task], kind="sigdata", age_days=1)
    for task in ("packagedata", "populate_sysroot"):
        stamp(stamps, pn, task, current[task], kind="setscene")
        stamp(stamps, pn, task, current[task], kind="sigdata", age_days=1)
    stamp(stamps, pn, "package_write_ipk", current["package_write_ipk"])
    stamp(stamps, pn, "rm_work", H(pn, "rm_work"))


def run_script(args, env=None, stdin=subprocess.DEVNULL, script=SCRIPT, timeout=60):
    """Run a pruning script; returns CompletedProcess (text)."""
    e = dict(os.environ)
    e.pop("SSTATE_CACHE_DIR", None)
    if env:
        e.update(env)
    return subprocess.run([sys.executable, script] + list(args), env=e, stdin=stdin, capture_output=True,
                          text=True, timeout=timeout)


# ---------------------------------------------------------------- another user
#
# Permission tests must really meet EACCES/EPERM.  Root bypasses most
# permission checks (CI runs as root), so as root the script runs as an
# unprivileged user, in a directory that user may enter; as any other user
# it runs as that user.

OTHER_UID = int(os.environ.get("SSTATE_MGMT_TEST_UID", "65534"))      # nobody
OTHER_GID = int(os.environ.get("SSTATE_MGMT_TEST_GID", "65534"))
_python_for = {}


def as_root():
    return os.geteuid() == 0


def _demote_kwargs(uid, gid):
    return dict(user=uid, group=gid, extra_groups=[]) if as_root() else {}


def python_for(uid, gid):
    """An interpreter that ``uid`` may run (the test's own may live under /root), or None."""
    if not as_root():
        return sys.executable
    if (uid, gid) not in _python_for:
        _python_for[(uid, gid)] = None
        for cand in (sys.executable, "/usr/bin/python3", shutil.which("python3")):
            if not cand:
                continue
            try:
                r = subprocess.run([cand, "-c", "import sys; assert sys.version_info >= (3, 8)"],
                                   capture_output=True, timeout=60, cwd="/", **_demote_kwargs(uid, gid))
            except OSError:
                continue
            if r.returncode == 0:
                _python_for[(uid, gid)] = cand
                break
    return _python_for[(uid, gid)]


def shared_dir(prefix="sstmgmt-prune-"):
    """A fresh directory every user may enter (pytest's tmp_path is private to its user)."""
    d = tempfile.mkdtemp(prefix=prefix)
    os.chmod(d, 0o755)
    return d


def give(path, uid=OTHER_UID, gid=OTHER_GID):
    """chown -R ``path`` to the other user (as root; as anyone else it is ours already)."""
    if not as_root():
        return
    for dp, dns, fns in os.walk(path):
        os.lchown(dp, uid, gid)
        for n in dns + fns:
            os.lchown(os.path.join(dp, n), uid, gid)


def run_script_as(args, uid=OTHER_UID, gid=OTHER_GID, env=None, stdin=subprocess.DEVNULL, timeout=120):
    """Run our script as an unprivileged user (see above); skips the test when
    no Python can run as that user."""
    import pytest
    py = python_for(uid, gid)
    if py is None:
        pytest.skip("no Python interpreter that uid %d may run" % uid)
    e = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": "/", "LANG": "C.UTF-8"}
    if env:
        e.update(env)
    return subprocess.run([py, SCRIPT] + list(args), env=e, stdin=stdin, capture_output=True, text=True,
                          timeout=timeout, cwd="/", **_demote_kwargs(uid, gid))


def run_prune(cache, **kw):
    """The engine on ``cache`` for real (no dry run, no grace) unless told otherwise."""
    from sstatemgmt.prune import prune
    kw.setdefault("dry_run", False)
    kw.setdefault("grace_minutes", 0)
    return prune(cache.root, **kw)


def strict_json(data):
    """Parse JSON output (bytes) as a strict consumer does: UTF-8, no
    NaN/Infinity, no lone surrogates (a name that is not UTF-8, escaped
    badly).  Raises ValueError."""
    def no_constant(c):
        raise ValueError("JSON constant %s" % c)
    doc = json.loads(data.decode("utf-8"), parse_constant=no_constant)

    def walk(v):
        if isinstance(v, str):
            v.encode("utf-8")                   # UnicodeEncodeError (a ValueError) on a lone surrogate
        elif isinstance(v, dict):
            for k, x in v.items():
                walk(k)
                walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)
    walk(doc)
    return doc
