# SPDX-License-Identifier: MIT
"""Building one version of a library into a sysroot-shaped tree.

Each version is built from its upstream tree (plus OE-Core patches) with the
build system its OE-Core recipe uses, installed with ``DESTDIR`` and then
staged the way ``do_populate_sysroot`` stages a target recipe: what
``SYSROOT_DIRS`` keeps (``usr/include``, ``usr/lib``, ``usr/share``) without
what ``SYSROOT_DIRS_IGNORE`` drops (man pages, docs, locales...), without
static archives and libtool ``.la`` files (OE-Core's ``--disable-static``
and ``REMOVE_LIBTOOL_LA``), and without programs. Libraries are built with
``-g -O2`` and not stripped, as a parent that inherits
``cdepends-debuginfo`` stages them.

Trees are cached under ``<cache>/trees/<library>/<version>-<key>/root``;
the key hashes everything the tree is built from, so a changed pin, patch,
option, compiler or builder gives a new tree and an unchanged one is reused
by any checkout sharing the cache.
"""

import hashlib
import json
import os
import shutil

from . import fetch, procs

#: Bump when the build or staging steps change what a tree contains.
BUILDER_VERSION = 1
CFLAGS = "-g -O2"
STEP_TIMEOUT = 3600
#: usr/share subdirectories OE-Core's SYSROOT_DIRS_IGNORE leaves out.
SHARE_IGNORED = {"man", "doc", "info", "locale", "gtk-doc", "applications", "fonts",
                 "pixmaps", "bash-completion", "zsh"}


class BuildError(Exception):
    """A version did not build or stage; the message names it and its log."""


def _compiler():
    res = procs.run(["gcc", "-dumpfullversion"], 60)
    return "gcc " + res.stdout.strip()


_COMPILER = []


def compiler():
    if not _COMPILER:
        _COMPILER.append(_compiler())
    return _COMPILER[0]


def spec(version):
    """Everything a tree is built from (hashed into its key)."""
    lib = version.lib
    out = {"builder": BUILDER_VERSION, "library": lib.name, "url": lib.url,
           "tag": version.tag, "commit": version.commit,
           "patches": [dict(p.spec(), url=lib.oe_url) for p in version.patches],
           "system": lib.system, "subdir": lib.subdir, "options": lib.options,
           "cflags": CFLAGS, "compiler": compiler()}
    if lib.system == "make":
        out["make"] = {"dir": lib.make_dir, "targets": lib.targets, "install": lib.install}
    return out


class Tree:
    """A built version: ``root`` is its staged sysroot component."""

    def __init__(self, version, cache):
        self.version = version
        self.spec = spec(version)
        self.key = hashlib.sha256(json.dumps(self.spec, sort_keys=True).encode()).hexdigest()
        self.dir = os.path.join(cache, "trees", version.lib.name,
                                "%s-%s" % (version.id, self.key[:12]))
        self.root = os.path.join(self.dir, "root")
        self.log = os.path.join(self.dir, "build.log")
        self.meta_path = os.path.join(self.dir, "tree.json")

    def __repr__(self):
        return repr(self.version)

    def ready(self):
        return os.path.isfile(self.meta_path)

    def meta(self):
        with open(self.meta_path) as f:
            return json.load(f)

    def libraries(self):
        """Relative paths of the shared objects (regular files) in the tree."""
        return [rel for rel in walk(self.root)
                if rel.startswith("usr/lib/") and ".so" in rel.rsplit("/", 1)[-1]
                and not os.path.islink(os.path.join(self.root, rel)) and is_elf(
                    os.path.join(self.root, rel))]

    def include_dir(self):
        return os.path.join(self.root, "usr", "include")


def walk(top):
    out = []
    for dirpath, dirnames, filenames in os.walk(top):
        rel = os.path.relpath(dirpath, top)
        for name in filenames + [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]:
            out.append(os.path.normpath(os.path.join(rel, name)).replace(os.sep, "/"))
    return sorted(out)


def is_elf(path):
    with open(path, "rb") as f:
        return f.read(4) == b"\x7fELF"


def _env():
    env = dict((k, v) for k, v in os.environ.items()
               if not k.startswith(("PKG_CONFIG", "MAKE", "CFLAGS", "CPPFLAGS", "LDFLAGS", "LD_")))
    env.update(LC_ALL="C", CFLAGS=CFLAGS)
    return env


def ensure(version, repos, cache, jobs=2, log=None):
    """The :class:`Tree` of ``version``, built unless the cache has it."""
    tree = Tree(version, cache)
    if tree.ready():
        return tree
    with fetch.locked(tree.dir + ".lock"):
        if tree.ready():
            return tree
        if log:
            log("building %s (%s)" % (version, version.lib.system))
        _build(tree, repos, jobs)
    return tree


def _build(tree, repos, jobs):
    version, lib = tree.version, tree.version.lib
    work = tree.dir + ".work"
    shutil.rmtree(work, ignore_errors=True)
    shutil.rmtree(tree.dir, ignore_errors=True)
    os.makedirs(tree.dir)
    src, dest = os.path.join(work, "src"), os.path.join(work, "dest")
    try:
        repos.check_tag(lib.url, version.tag, version.commit)
        repos.export(lib.url, version.commit, src, lib.subdir)
        top = os.path.join(src, lib.subdir) if lib.subdir else src
        for patch in version.patches:
            text = repos.show(lib.oe_url, patch.commit, patch.path)
            path = os.path.join(work, os.path.basename(patch.path))
            with open(path, "wb") as f:
                f.write(text)
            # As OE-Core's patch step: -p1 from the recipe's source dir; no fuzz.
            procs.check(["patch", "-p1", "--batch", "--forward", "--fuzz=0", "-i", path],
                        STEP_TIMEOUT, "applying %s to %s" % (patch.path, version), cwd=top,
                        log=tree.log)
        BUILDERS[lib.system](lib, top, dest, jobs, tree.log)
        stage(dest, tree.root + ".tmp")
        os.rename(tree.root + ".tmp", tree.root)
        _verify(tree)
    except procs.CommandFailed as err:
        raise BuildError("%s: %s" % (version, err))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    meta = {"spec": tree.spec, "key": tree.key, "files": walk(tree.root)}
    with open(tree.meta_path + ".tmp", "w") as f:
        json.dump(meta, f, indent=1, sort_keys=True)
    os.rename(tree.meta_path + ".tmp", tree.meta_path)


def _step(argv, what, cwd, log, env=None):
    procs.check(argv, STEP_TIMEOUT, what, cwd=cwd, env=env or _env(), log=log)


def build_zlib_configure(lib, src, dest, jobs, log):
    # zlib_*.bb: its own configure script, "make shared", "make install".
    _step(["./configure", "--prefix=/usr", "--libdir=/usr/lib", "--shared"] + lib.options,
          "configure", src, log)
    _step(["make", "-j%d" % jobs, "shared"], "make", src, log)
    _step(["make", "install", "DESTDIR=" + dest], "make install", src, log)


def build_autotools(lib, src, dest, jobs, log):
    # autotools.bbclass regenerates the build system, as git trees need anyway.
    _step(["autoreconf", "-fi"], "autoreconf", src, log)
    _step(["./configure", "--prefix=/usr", "--libdir=/usr/lib", "--disable-static"]
          + lib.options, "configure", src, log)
    _step(["make", "-j%d" % jobs], "make", src, log)
    _step(["make", "install", "DESTDIR=" + dest], "make install", src, log)


def build_cmake(lib, src, dest, jobs, log):
    # cmake.bbclass: Ninja, flags from the environment, no build type.
    build = src + ".build"
    _step(["cmake", "-S", src, "-B", build, "-G", "Ninja", "-DCMAKE_INSTALL_PREFIX=/usr",
           "-DCMAKE_INSTALL_LIBDIR=lib", "-DCMAKE_BUILD_TYPE=", "-DBUILD_SHARED_LIBS=ON"]
          + lib.options, "cmake", src, log)
    _step(["cmake", "--build", build, "-j", str(jobs)], "cmake --build", src, log)
    _step(["cmake", "--install", build], "cmake --install", src, log,
          env=dict(_env(), DESTDIR=dest))


def build_make(lib, src, dest, jobs, log):
    # A plain Makefile (zstd_*.bb: oe_runmake, oe_runmake install), limited
    # to the library's own targets.
    where = os.path.join(src, lib.make_dir)
    args = ["PREFIX=/usr", "LIBDIR=/usr/lib"] + lib.options
    _step(["make", "-j%d" % jobs] + args + lib.targets, "make", where, log)
    _step(["make"] + args + lib.install + ["DESTDIR=" + dest], "make install", where, log)


BUILDERS = {"zlib-configure": build_zlib_configure, "autotools": build_autotools,
            "cmake": build_cmake, "make": build_make}


def keep(rel):
    """Whether ``rel`` (relative to DESTDIR) belongs in the sysroot component."""
    parts = rel.split("/")
    if parts[0] != "usr" or len(parts) < 3:
        return False
    if parts[1] == "include":
        return True
    if parts[1] == "lib":
        return not rel.endswith((".a", ".la"))
    if parts[1] == "share":
        return len(parts) > 3 and parts[2] not in SHARE_IGNORED
    return False


def stage(dest, root):
    shutil.rmtree(root, ignore_errors=True)
    for rel in walk(dest):
        if not keep(rel):
            continue
        src = os.path.join(dest, rel)
        dst = os.path.join(root, rel)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        if os.path.islink(src):
            os.symlink(os.readlink(src), dst)
        elif os.access(src, os.X_OK) and not is_elf(src) and rel.startswith("usr/lib/"):
            shutil.copy2(src, dst)   # a script such as xml2Conf.sh: data for the sysroot
        elif os.access(src, os.X_OK) and is_elf(src) and ".so" not in rel.rsplit("/", 1)[-1]:
            continue                 # a program installed under lib (libexec-style)
        else:
            shutil.copy2(src, dst)


def _verify(tree):
    """A staged tree must look like a library's sysroot component, with DWARF."""
    files = walk(tree.root)
    libs = tree.libraries()
    problems = []
    if not libs:
        problems.append("no shared library under usr/lib")
    if not any(f.startswith("usr/include/") for f in files):
        problems.append("no header under usr/include")
    if not any(f.endswith(".pc") for f in files):
        problems.append("no pkg-config file")
    for rel in libs:
        res = procs.run(["readelf", "-S", "-W", os.path.join(tree.root, rel)], 120)
        if ".debug_info" not in res.stdout:
            problems.append("%s has no DWARF (.debug_info)" % rel)
    if problems:
        raise BuildError("%s: the staged tree %s is not usable: %s; see %s"
                         % (tree.version, tree.root, "; ".join(problems), tree.log))
