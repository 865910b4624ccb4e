# SPDX-License-Identifier: MIT
"""What a parent staged, and what each file is.

:class:`ParentInput` describes one CDEPENDS parent; :func:`scan` walks its
root and sorts every file into shared objects, headers, symbolic links and
"other" files (which the interface checkers cover by checksum).
"""

import fnmatch
import hashlib
import os
import re
from collections import Counter, namedtuple

from . import elf
from .errors import CompatError

MODES = ("exact", "superset")
#: What superset mode judges: the parent's whole interface, or only what the
#: child's sources reach (``uses.py``).
SCOPES = ("all", "child-uses")

Library = namedtuple("Library", "path ident elf")
Library.__doc__ = """A shared object: ``ident`` is ``dir/SONAME`` when it has
one (so renaming libfoo.so.1.2.3 to libfoo.so.1.2.4 is no change), else its path."""
Other = namedtuple("Other", "path kind")
Link = namedtuple("Link", "path target")
Inventory = namedtuple("Inventory", "libraries headers links others")


class ParentInput:
    """One CDEPENDS parent, as the caller hands it to :func:`build_report`.

    ``name``: the parent's PN (names its report section).
    ``root``: a directory holding exactly the files the parent staged, with
    paths inside relative to the sysroot (``usr/lib/libfoo.so.1`` for a
    target recipe, the native prefix for a native one).
    ``checker``: a name from ``CHECKERS``.
    ``globs``: optional fnmatch patterns on those relative paths (``*``
    crosses ``/``); only matching files are judged. Every pattern must match.
    ``suppressions``: libabigail suppression files (``abidiff`` only).
    ``debug_dirs``: directories with split debug info (``abidiff`` only),
    absolute or relative to ``root``, passed to ``abidw --debug-info-dir``.
    ``mode``: ``exact`` or ``superset`` (see ``superset_report``).
    ``release_metadata``: ``ignore`` (version macros, ``.pc`` versions and
    versioned CMake files are left out of the report, see ``release.py``)
    or ``strict`` (they count like everything else).
    ``scope``: ``all`` (superset mode judges the whole interface) or
    ``child-uses`` (superset mode judges only what the child's sources
    reach, given to ``build_report`` as ``uses``; no effect in exact mode).
    List options also accept a string of whitespace-separated words, as
    BitBake variables hold them.
    """

    def __init__(self, name, root, checker="elf-interface", globs=None,
                 suppressions=None, debug_dirs=None, mode="exact", release_metadata="ignore",
                 scope="all"):
        self.name = name
        self.root = _path(root)
        self.checker = checker
        self.globs = sorted(set(_words(globs)))
        self.suppressions = [_path(p) for p in _words(suppressions)]
        self.debug_dirs = [os.path.join(self.root, _path(p)) for p in _words(debug_dirs)]
        self.mode = mode
        self.release_metadata = release_metadata
        self.scope = scope

    def __repr__(self):
        return "ParentInput(%r, %r, checker=%r, mode=%r)" % (
            self.name, self.root, self.checker, self.mode)

    def validate(self):
        """Raise :class:`CompatError` for input no checker can work with."""
        if not self.name or any(c.isspace() for c in self.name):
            raise CompatError("parent name %r is empty or has whitespace; "
                              "pass the parent's PN" % (self.name,))
        if not os.path.isdir(self.root):
            raise CompatError("parent %s: root %s is not a directory; pass the "
                              "directory the parent staged (its sysroot component "
                              "dir)" % (self.name, self.root))
        for path in self.suppressions:
            if not os.path.isfile(path):
                raise CompatError("parent %s: suppression file %s does not exist; "
                                  "fix the suppressions list" % (self.name, path))
        for path in self.debug_dirs:
            if not os.path.isdir(path):
                raise CompatError("parent %s: debug info dir %s does not exist; "
                                  "fix debug_dirs" % (self.name, path))


def _path(value):
    """A path as str; anything else is kept printable, for validate()."""
    return os.fspath(value) if isinstance(value, (str, os.PathLike)) else str(value)


def _words(value):
    """A list option given as a list, or as a BitBake-style string of words."""
    if value is None:
        return []
    if isinstance(value, (str, os.PathLike)):
        return _path(value).split()
    return list(value)


def unreadable(parent, name, err):
    """The CompatError for a staged file or directory that cannot be read."""
    return CompatError("parent %s: cannot read %s (%s); every staged file must be readable"
                       % (parent.name, name, err.strerror))


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def walk(parent, select=True):
    """Sorted relative paths of the files and symlinks under the root.

    Symlinks to directories are listed, not followed. With globs (and
    ``select``), only the matching paths are returned, and a glob that
    matches nothing is an error (a typo would otherwise silently judge
    nothing).
    """
    def fail(err):
        raise unreadable(parent, err.filename, err)
    found = []
    for dirpath, dirnames, filenames in os.walk(parent.root, onerror=fail):
        rel = os.path.relpath(dirpath, parent.root)
        rel = "" if rel == "." else rel.replace(os.sep, "/") + "/"
        for d in dirnames:
            if os.path.islink(os.path.join(dirpath, d)):
                found.append(rel + d)
        found.extend(rel + f for f in filenames)
    found.sort()
    if not parent.globs or not select:
        return found
    selected = set()
    for g in parent.globs:
        matches = fnmatch.filter(found, g)
        if not matches:
            raise CompatError("parent %s: glob %r matches no file under %s; fix the "
                              "parent's file globs" % (parent.name, g, parent.root))
        selected.update(matches)
    # A selected symlink selects what it finally points to (libfoo.so ->
    # libfoo.so.1 -> libfoo.so.1.2).
    root = os.path.realpath(parent.root)
    known = set(found)
    for p in list(selected):
        target = os.path.relpath(os.path.realpath(os.path.join(parent.root, p)), root)
        target = target.replace(os.sep, "/")
        if target in known:
            selected.add(target)
    return sorted(selected)


def unselected_headers(parent):
    """Files under an ``include/`` directory that the globs leave out."""
    chosen = set(walk(parent))
    return [rel for rel in walk(parent, select=False) if include_dir(rel) and rel not in chosen]


def include_dir(rel):
    """The ``.../include`` directory a header path lies in, or None."""
    parts = rel.split("/")[:-1]
    if "include" not in parts:
        return None
    return "/".join(parts[:parts.index("include") + 1])


def pkgconfig(path):
    """``(variables, fields)`` of a pkg-config file, ``${var}`` expanded."""
    variables, fields = {}, {}

    def expand(value, depth=0):
        if depth > 20:
            return value
        out = re.sub(r"\$\{([^}]*)\}", lambda m: variables.get(m.group(1), ""), value)
        return expand(out, depth + 1) if "${" in out and out != value else out
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            m = re.match(r"([A-Za-z0-9_.]+)\s*([:=])\s*(.*)$", line)
            if m:
                (fields if m.group(2) == ":" else variables)[m.group(1)] = expand(m.group(3))
    return variables, fields


def _existing_suffix(root, path):
    """The longest tail of ``path`` that is a directory under ``root``, as a
    relative path: an absolute -I of the parent's .pc (``/usr/include/x``,
    or a native sysroot's prefix) maps to the staged ``usr/include/x``."""
    parts = [p for p in path.split("/") if p and p != "."]
    for start in range(len(parts)):
        rel = "/".join(parts[start:])
        if ".." not in parts[start:] and os.path.isdir(os.path.join(root, rel)):
            return rel
    return None


_INCLUDE = re.compile(r'#\s*include\s*<([^>]+/[^>]+)>')


def include_dirs(parent, inv):
    """The directories a child compiles the parent's headers with.

    Each ``include/`` directory holding headers, plus the ``-I`` directories
    of the parent's pkg-config ``Cflags`` that exist in it, plus those that
    its headers' own ``#include <dir/file.h>`` lines require (libxml2's
    headers live in ``usr/include/libxml2/libxml`` and include
    ``<libxml/...>``). Only directories that hold some of the headers.
    """
    dirs = set(include_dir(h) for h in inv.headers)
    for other in inv.others:
        if other.kind != "pkg-config":
            continue
        words = pkgconfig(os.path.join(parent.root, other.path))[1].get("Cflags", "").split()
        for n, word in enumerate(words):
            arg = word[2:] if word.startswith("-I") and len(word) > 2 else \
                words[n + 1] if word in ("-I", "-isystem") and n + 1 < len(words) else None
            rel = arg and _existing_suffix(parent.root, arg)
            if rel:
                dirs.add(rel)
    headers = set(inv.headers)
    for h in inv.headers:
        with open(os.path.join(parent.root, h), "rb") as f:
            text = f.read().decode("latin-1")
        for name in _INCLUDE.findall(text):
            for other in headers:
                if other.endswith("/" + name):
                    dirs.add(other[:-len(name) - 1])
    return sorted(d for d in dirs if any(h.startswith(d + "/") for h in headers))


def _classify(path, rel):
    """Return an :class:`elf.ElfFile` for a shared object, "header", or the
    kind of an "other" file."""
    with open(path, "rb") as f:
        head = f.read(8192)
    if elf.is_elf(head):
        if "/.debug/" in "/" + rel:
            return "debug-info"
        try:
            obj = elf.ElfFile.from_path(path)
        except elf.ElfError:
            return "elf-unreadable"
        base = rel.rsplit("/", 1)[-1]
        if obj.e_type == "DYN" and (obj.soname or ".so" in base):
            return obj
        return "elf-object" if obj.e_type == "REL" else "elf-executable"
    if head.startswith(b"!<arch>\n") or head.startswith(b"!<thin>\n"):
        return "static-archive"
    if include_dir(rel):
        return "binary-header" if b"\0" in head else "header"
    if rel.endswith(".pc"):
        return "pkg-config"
    if rel.endswith(".cmake") or "/cmake/" in "/" + rel:
        return "cmake"
    if rel.endswith(".la"):
        return "libtool-archive"
    return "data"


def _soname_key(rel, obj):
    if not obj.soname:
        return None
    directory = rel.rpartition("/")[0]
    return directory + "/" + obj.soname if directory else obj.soname


def scan(parent, extra=()):
    """Classify the parent's (selected) files, and the ``extra`` ones, into
    an :class:`Inventory`."""
    root = os.path.realpath(parent.root)
    libraries, headers, links, others = [], [], [], []
    raw_links = []
    for rel in sorted(set(walk(parent)) | set(extra)):
        path = os.path.join(parent.root, rel)
        if os.path.islink(path):
            raw_links.append(rel)
            continue
        try:
            kind = _classify(path, rel)
        except OSError as err:
            raise unreadable(parent, rel, err)
        if isinstance(kind, elf.ElfFile):
            libraries.append((rel, kind))
        elif kind == "header":
            headers.append(rel)
        else:
            others.append(Other(rel, kind))
    # A library is named by dir/SONAME, unless that name is ambiguous.
    keys = [_soname_key(rel, obj) for rel, obj in libraries]
    paths = set(rel for rel, _obj in libraries)
    counts = Counter(keys)
    libs, by_path = [], {}
    for (rel, obj), key in zip(libraries, keys):
        unique = key and counts[key] == 1 and (key == rel or key not in paths)
        ident = key if unique else rel
        libs.append(Library(rel, ident, obj))
        by_path[rel] = ident
    for rel in raw_links:
        path = os.path.join(parent.root, rel)
        target = os.path.realpath(path)
        inside = os.path.relpath(target, root).replace(os.sep, "/")
        if inside.startswith("../") or not os.path.lexists(target):
            links.append(Link(rel, os.readlink(path)))
        else:
            links.append(Link(rel, by_path.get(inside, inside)))
    libs.sort(key=lambda l: l.ident)
    return Inventory(libs, headers, links, others)
