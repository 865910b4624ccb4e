# SPDX-License-Identifier: MIT
"""Classify and parse the names found in an sstate cache.

OE-Core (meta/classes-global/sstate.bbclass) names an object

    [<NATIVELSBSTRING>/]<h0h1>/<h2h3>/sstate:<pn>:<target>:<pv>:<pr>:<pkgarch>:<SSTATE_VERSION>:<unihash>_<task>.tar.zst

(``<target>`` and ``<pkgarch>`` are empty for populate_lic, which uses
SSTATE_SWSPEC).  Companions add ``.siginfo`` (always), ``.sig`` (signed
caches) or ``.done`` (fetcher stamp) to the object name.  Older releases
used ``.tgz`` and, much older ones, ``sstate-<spec>-<hash>_<task>.tgz``.

Everything in this module is pure string work: no I/O, no BitBake.
"""

import re
from collections import namedtuple

# Kinds of names (a path's kind is decided by its name, then refined by the
# presence of the archive: see engine.classify_units).
OBJECT = "object"            # the archive itself
COMPANION = "companion"      # .siginfo / .sig / .done next to an archive name
TEMPORARY = "temporary"      # signing / staging / fetcher temp files: left alone
UNKNOWN = "unknown"          # anything else: reported, never touched
SELF = "self"                # our own lock file

OBJECT_EXTS = (".tar.zst", ".tgz", ".tar.gz")
COMPANION_SUFFIXES = (".siginfo", ".sig", ".done")
# Deletion order inside a unit is the suffixes' sort order: the archive ("")
# first (a half-deleted unit is then an orphan companion, which the orphans
# policy cleans, never an archive that fails signature verification), then
# ".done", ".sig", and the siginfo last.

LOCK_NAME = ".sstate-cache-management.lock"

_LEGACY_RE = re.compile(r"^sstate-(?P<spec>.+)-(?P<hash>[0-9a-fA-F]{32,128})_(?P<task>[^.]+)$")
# NamedTemporaryFile(prefix=<object name>) in sstate_create_and_sign_package
# leaves "<object name><8 random chars>" while an archive is being written.
_TEMP_SUFFIX_RE = re.compile(r"(\.tar\.zst|\.tgz|\.tar\.gz)(\.siginfo|\.sig)?[A-Za-z0-9_]{6,12}$")
_TEMP_NAME_SUFFIXES = (".lock", ".tmp", ".temp", ".part", ".partial", "~")
_TEMP_NAME_PREFIXES = ("sigtask.", "tmp", ".tmp", "wget-")


_InfoBase = namedtuple("Info", "native pn target pv pr pkgarch version unihash task ext legacy", defaults=(False,))


class Info(_InfoBase):
    """Parsed fields of an sstate name (a named tuple: cheap and hashable).

    ``native`` is the host directory the entry lives under (``"debian-12"``,
    ``"universal"``; ``""`` for target and allarch objects).  ``legacy`` is
    True for the pre-2013 ``sstate-`` names, whose fields cannot be split
    reliably: for those ``pn`` holds the whole spec and the other descriptive
    fields are empty.
    """

    __slots__ = ()

    @classmethod
    def make(cls, spec, unihash, task):
        return cls._make(spec[:7] + (unihash, task) + spec[7:])

    def asdict(self):
        return self._asdict()


# The fields shared by every task of one recipe generation (cached, shared).
Spec = namedtuple("Spec", "native pn target pv pr pkgarch version ext legacy", defaults=(False,))

# Result of classify(): ``stem`` is the archive name (``sstate:...tar.zst``)
# shared by an object and its companions; ``suffix`` is "" for the archive or
# one of COMPANION_SUFFIXES; ``info`` is an Info for objects and companions,
# None otherwise; ``reason`` explains UNKNOWN names.
Parsed = namedtuple("Parsed", "kind stem suffix info reason", defaults=(None, "", None, None))


_intern = {}


def _i(s):
    """Share equal field strings across the many entries of one recipe."""
    return _intern.setdefault(s, s)


def is_temporary_name(name):
    if name == LOCK_NAME:
        return False
    if name.endswith(_TEMP_NAME_SUFFIXES) or name.startswith(_TEMP_NAME_PREFIXES):
        return True
    return False


def is_temporary_dir(name):
    """TemporaryDirectory(dir=<object dir>) creates ``tmpXXXXXXXX`` while signing."""
    return name.startswith(("tmp", ".tmp")) or name.endswith((".tmp", ".lock"))


def native_dir(reldir):
    """Host directory of an entry from its directory relative to the cache.

    Strips the trailing 2-character fan-out levels (one level in old
    releases, two since 2021): ``debian-12/ab/cd`` -> ``debian-12``,
    ``ab/cd`` -> ``""``, ``universal`` (flat layout) -> ``universal``.
    """
    if not reldir:
        return ""
    parts = reldir.split("/")
    n = 0
    while parts and n < 2 and len(parts[-1]) == 2:
        parts.pop()
        n += 1
    return "/".join(parts)


_spec_cache = {}
_tasks = {}
# The usual name, ``sstate:...:<version>:<unihash>_<task>.tar.zst``, by its
# part before the last ':' (the spec, shared by every task of a recipe
# generation), per host directory: one dictionary lookup instead of a parse.
_zst_specs = {}


def parse_spec(spec, native, ext):
    """Parse ``sstate:<pn>:<target>:<pv>:<pr>:<pkgarch>:<version>:`` (cached).

    Returns a :class:`Spec` or a string saying why the spec is malformed.
    """
    key = native + "|" + ext + "|" + spec
    r = _spec_cache.get(key)
    if r is None:
        fields = spec.split(":")
        if len(fields) != 8:
            # spec ends with ":", so len(fields) is also the field count of the name
            r = "expected 8 ':'-separated fields, found %d" % len(fields)
        elif not fields[1]:
            r = "empty pn"
        else:
            r = Spec(_i(native), _i(fields[1]), _i(fields[2]), _i(fields[3]), _i(fields[4]),
                     _i(fields[5]), _i(fields[6]), ext)
        _spec_cache[key] = r
    return r


def split_stem(stem, native=""):
    """Parse an archive name (no companion suffix).

    Returns ``(spec, unihash, task)`` or ``(None, reason, None)``.  The
    scan calls this once per archive name, so the usual name takes a
    short path: the spec of a ``.tar.zst`` name seen before is one lookup.
    """
    if stem[-8:] == ".tar.zst":
        i = stem.rfind(":")
        fast = _zst_specs.get(native)
        if fast is not None and i > 0:
            spec = fast.get(stem[:i])
            if spec is not None:
                unihash, sep, task = stem[i + 1:-8].partition("_")
                if sep and unihash and task:
                    return spec, unihash, _tasks.setdefault(task, task)
        ext = ".tar.zst"
    elif stem[-4:] == ".tgz":
        ext = ".tgz"
    elif stem[-7:] == ".tar.gz":
        ext = ".tar.gz"
    else:
        return None, "unknown extension", None
    body = stem[: -len(ext)]
    if body[:7] == "sstate:":
        i = body.rfind(":")
        spec = parse_spec(body[: i + 1], native, ext)
        if spec.__class__ is str:
            return None, spec, None
        unihash, sep, task = body[i + 1:].partition("_")
        if not (sep and unihash and task):
            return None, "missing unihash or task", None
        if ext == ".tar.zst":
            _zst_specs.setdefault(native, {})[body[:i]] = spec
        return spec, unihash, _tasks.setdefault(task, task)
    if body[:7] == "sstate-":
        m = _LEGACY_RE.match(body)
        if not m:
            return None, "legacy sstate- name without <hash>_<task>", None
        key = "legacy|" + native + "|" + ext + "|" + m.group("spec")
        spec = _spec_cache.get(key)
        if spec is None:
            spec = _spec_cache[key] = Spec(_i(native), _i(m.group("spec")), "", "", "", "", "", ext, True)
        return spec, m.group("hash"), _i(m.group("task"))
    return None, "neither 'sstate:' nor 'sstate-' name", None


def split_suffix(name):
    """``(stem, suffix)``: the archive name and the companion suffix ("" for the archive)."""
    if name.endswith(".siginfo"):
        return name[:-8], ".siginfo"
    if name.endswith(".sig"):
        return name[:-4], ".sig"
    if name.endswith(".done"):
        return name[:-5], ".done"
    return name, ""


def classify(name, native=""):
    """Classify one file name found in the cache.  Never raises.

    Returns a :class:`Parsed`; objects and companions carry an :class:`Info`.
    """
    if not name.startswith("sstate"):
        if name == LOCK_NAME:
            return Parsed(SELF)
        if is_temporary_name(name):
            return Parsed(TEMPORARY)
        return Parsed(UNKNOWN, reason="not an sstate name")
    stem, suffix = split_suffix(name)
    if not stem.endswith(OBJECT_EXTS):
        if is_temporary_name(name) or _TEMP_SUFFIX_RE.search(name):
            return Parsed(TEMPORARY)
        return Parsed(UNKNOWN, reason="unknown extension")
    spec, unihash, task = split_stem(stem, native)
    if spec is None:
        return Parsed(UNKNOWN, reason=unihash)
    return Parsed(COMPANION if suffix else OBJECT, stem, suffix, Info.make(spec, unihash, task))


# What printable() escapes: C0 and C1 controls and DEL, the Unicode line
# and paragraph separators (str.splitlines() splits on all of these), the
# backslash itself (so that escapes are unambiguous), and lone surrogates,
# which is
# how Python (surrogateescape) carries the bytes of a name that is not valid
# UTF-8.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\\\\\u2028\u2029\ud800-\udfff]")
_ESCAPES = {"\n": "\\n", "\t": "\\t", "\r": "\\r", "\\": "\\\\"}


def _escape(m):
    c = m.group()
    e = _ESCAPES.get(c)
    if e is not None:
        return e
    o = ord(c)
    if 0xdc80 <= o <= 0xdcff:                  # an undecodable byte
        return "\\x%02x" % (o - 0xdc00)
    return "\\x%02x" % o if o < 0x100 else "\\u%04x" % o


def printable(text):
    """``text`` (a name, a path, a message) as one line of valid UTF-8:
    control characters, backslashes and bytes that are not UTF-8 become
    backslash escapes (``\\n``, ``\\x1b``, ``\\xff``, ``\\\\``).  A file name can
    hold anything but ``/`` and NUL; output must not break because of it."""
    if text.isascii() and text.isprintable() and "\\" not in text:
        return text
    return _UNPRINTABLE.sub(_escape, text)


def parse_name(name, native=""):
    """Return the :class:`Info` of an object or companion name, else None."""
    return classify(name, native).info
