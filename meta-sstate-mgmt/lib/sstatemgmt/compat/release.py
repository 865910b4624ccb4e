# SPDX-License-Identifier: MIT
"""Release metadata: what changes with every release of a parent, and how
the report leaves it out.

Every upstream release changes a few things that say *which* release it is
and nothing about the interface: the values of version macros in the public
headers (``ZLIB_VERSION``, ``PNG_LIBPNG_VER``, ``XML_MAJOR_VERSION``), the
``Version:`` of ``.pc`` files, versioned CMake package directories
(``lib/cmake/expat-2.6.2/``), ``*ConfigVersion.cmake`` and the real library
file names in CMake and libtool files. With the ``ignore`` policy the report
leaves those out, so that a release that changes nothing else reuses the
child; with ``strict`` it keeps them.

The rule (``ignore``):

* A *version macro* is an object-like ``#define`` in a public header whose
  name, in ``_``-separated words, ends with ``VER``, ``VERSION`` or
  ``VERNUM``, or with one of them and a part (``MAJOR``, ``MINOR``,
  ``MICRO``, ``PATCH``, ``RELEASE``, ``REVISION``, ``NUM``, ``NUMBER``,
  ``STRING``, ``EXTRA``...), and has no word that makes it data rather than
  a release (``ABI``, ``FORMAT``, ``PROTOCOL``, ``STRUCT``, ``FILE``,
  ``ERROR``...). A body made only of literals, operators and version macros is
  replaced by a placeholder as a whole; in any other body (a call,
  ``xmlCheckVersion(21305);``) only the literals (numbers, strings,
  characters) are.
* Where the parent's own headers use a version macro, what it does stays in
  the report: an ``#if``/``#elif`` naming one is recorded with its value
  (``#if PNG_LIBPNG_VER < 10700`` is true for every 1.6 release), or, if the
  condition cannot be evaluated here, with the macros' values written out;
  a use in a declaration or inline code is written out with its value.
  Uses in other macro bodies (``inflateInit`` passing ``ZLIB_VERSION``) are
  left as they are: they only hand the value to the child's code.
* The *release versions* of the parent are the dotted versions (``1.6.43``)
  found in its ``.pc`` ``Version:`` fields and in ``PACKAGE_VERSION`` of its
  CMake version files (without either: in the string values of its version
  macros). They are replaced by the placeholder in identifiers (as
  ``1_6_43``: ``png_libpng_version_1_6_43``) and string literals
  (``PACKAGE_STRING "expat 2.6.2"``) of its headers, in the paths of its
  files, and in its pkg-config, CMake and libtool files, where the ``Version:`` field,
  CMake ``set()`` of version-named variables and the real file names of its
  libraries are left out too.

The risk is that of superset mode: the reused child is the one compiled
against the older release, so its own compile-time decisions (``#if
ZLIB_VERNUM >= 0x1300`` in the child, a configure check of the ``.pc``
version) and the version it prints or hands to the library at run time are
the older release's. That is what every binary built against a shared
library experiences when only the library is updated, and what the
library's ABI promise covers.
"""

import os
import re

from . import cheaders

POLICIES = ("ignore", "strict")
#: What a left-out value becomes in the report.
PLACEHOLDER = "@release@"

_VERSION_WORDS = frozenset(("VER", "VERSION", "VERNUM"))
_VERSION_PARTS = frozenset((
    "MAJOR", "MINOR", "MICRO", "PATCH", "PATCHLEVEL", "RELEASE", "REVISION", "SUBREVISION",
    "BUILD", "NUM", "NUMBER", "HEX", "STRING", "STR", "TEXT", "EXTRA", "SUFFIX"))
_NOT_RELEASE = frozenset(("ABI", "FORMAT", "PROTOCOL", "STRUCT", "IMAGE", "FILE", "DATA", "WIRE",
                          "MAGIC", "ERROR", "ERR", "DEFAULT"))
_DOTTED = re.compile(r"\d+(?:\.\d+)+")
_VERSION_DEFINE = re.compile(rb"#[ \t]*define[ \t]+\w*ver", re.I)
_IDENT = re.compile(r"[A-Za-z_$][\w$]*$")
_CMAKE_SET = re.compile(r'(\bset\s*\(\s*([A-Za-z_][A-Za-z0-9_]*)\s+)("[^"]*"|[^\s)]+)(?=\s*\))',
                        re.I)
_PACKAGE_VERSION = re.compile(r'set\s*\(\s*PACKAGE_VERSION\s+"?([^")\s]+)')
#: Other files whose text is release metadata apart from what they say.
TEXT_KINDS = frozenset(("pkg-config", "cmake", "libtool-archive"))


def is_version_name(name):
    """``ZLIB_VERSION``, ``XML_MAJOR_VERSION``, ``PNG_LIBPNG_VER_STRING``,
    ``ZLIB_VERNUM``: a version word, last or before one naming a part of
    the version; not ``Z_VERSION_ERROR`` (an error code) nor a format or
    protocol version (``FOO_FORMAT_VERSION``: data the child writes)."""
    words = [w for w in name.upper().split("_") if w]
    if not words or _NOT_RELEASE & set(words):
        return False
    if words[-1] in _VERSION_WORDS:
        return True
    return len(words) > 1 and words[-2] in _VERSION_WORDS and words[-1] in _VERSION_PARTS


def _is_literal(text):
    """A number (pp-number), string or character literal."""
    return bool(_LITERAL.match(text))


_STRING = re.compile(r'(?:u8|u|U|L)?R?"')
_LITERAL = re.compile(r"""\.?[0-9]|(?:u8|u|U|L)?R?["']""")


class Unknown(Exception):
    """A condition this module cannot evaluate."""


class ReleaseMetadata:
    """The release metadata of one parent (policy ``ignore``), found in its
    headers and its pkg-config and CMake files; rewrites what the report
    sees of them. ``headers`` and ``others`` come from the parent's
    :class:`inputs.Inventory`; ``library_names`` maps the real file names of
    its libraries to their names in the report."""

    def __init__(self, root, headers, others, library_names):
        self.library_names = library_names
        defs = _definitions(root, headers)
        #: version macro -> its bodies (token lists), one per definition
        self.macros = _version_macros(defs)
        #: every macro that is or names (through others) a version macro ->
        #: the version macros it reaches
        self.reach = _reach(defs, self.macros)
        #: bodies of the object-like ones, for evaluating conditions
        self.bodies = dict((n, [b for _f, b in defs[n]]) for n in self.reach
                           if not any(f for f, _b in defs[n]))
        self.versions = self._versions(root, others)
        alternatives = "|".join(re.escape(v) for v in self.versions)
        self._in_text = re.compile(r"(?<![\w.])(?:%s)(?![\w])" % alternatives) \
            if self.versions else None
        stamps = "|".join(re.escape(v.replace(".", "_")) for v in self.versions)
        self._in_ident = re.compile(r"(?<![0-9])(?:%s)(?![0-9])" % stamps) \
            if self.versions else None

    def _versions(self, root, others):
        """The parent's release versions, longest first: the ``Version:`` of
        its pkg-config files and ``PACKAGE_VERSION`` of its CMake version
        files; only without either, the dotted strings of its version macros
        (some of which name other things: ``XML_DEFAULT_VERSION "1.0"``)."""
        from . import inputs
        found = set()
        for other in others:
            path = os.path.join(root, other.path)
            if other.kind == "pkg-config":
                found.add(inputs.pkgconfig(path)[1].get("Version", ""))
            elif other.kind == "cmake" and other.path.lower().endswith(
                    ("configversion.cmake", "config-version.cmake")):
                with open(path, encoding="utf-8", errors="replace") as f:
                    found.update(_PACKAGE_VERSION.findall(f.read()))
        found = set(v for v in found if _DOTTED.fullmatch(v))
        if not found:
            for bodies in self.macros.values():
                for t in (t for body in bodies for t in body):
                    value = t.text[1:-1] if t.text.startswith('"') else t.text
                    if _DOTTED.fullmatch(value) and (t.text.startswith('"') or value.count(".") > 1):
                        found.add(value)
        return sorted(found, key=lambda v: (-len(v), v))

    # -- headers ---------------------------------------------------------------

    def rewrite(self, directive, tokens):
        """The ``rewrite`` hook of :func:`cheaders.logical_lines`."""
        if directive:
            name, function_like, body = _macro(tokens)
            if name in self.macros and not function_like:
                head = tokens[:len(tokens) - len(body)]
                if body and all(_is_literal(t.text) or t.text in self.macros or
                                not _IDENT.match(t.text) for t in body):
                    # Version data only ("1.6." PNG_VER_RELEASE_STRING, (MAJOR << 16) | ...).
                    tokens = head + [body[0]._replace(text=PLACEHOLDER)]
                else:
                    tokens = head + [t._replace(text=PLACEHOLDER) if _is_literal(t.text) else t
                                     for t in body]
            elif tokens and tokens[0].text in ("if", "elif"):
                tokens = self._condition(tokens)
        elif self.reach:
            # In declarations and inline code the value shapes what the
            # child compiles: keep it.
            tokens = [t._replace(text=self._written_out(t.text)) if t.text in self.reach else t
                      for t in tokens]
        return self._stamps(tokens)

    def _stamps(self, tokens):
        """Release versions in names and in string literals
        (``PACKAGE_STRING "expat 2.6.2"``) left out."""
        if not self._in_ident:
            return tokens
        return [t._replace(text=self.in_names(t.text)) if _IDENT.match(t.text) else
                t._replace(text=self.in_text(t.text)) if _STRING.match(t.text) else t
                for t in tokens]

    def in_text(self, text):
        """``text`` with the release versions left out."""
        return self._in_text.sub(PLACEHOLDER, text) if self._in_text else text

    def in_names(self, text):
        """``text`` with release versions in names (``png_libpng_version_1_6_43``)
        left out."""
        return self._in_ident.sub(PLACEHOLDER, text) if self._in_ident else text

    def _condition(self, tokens):
        """``#if``/``#elif`` with its value if it depends on a version macro,
        or with the values written out if it cannot be evaluated here."""
        if not any(t.text in self.reach for t in tokens[1:]):
            return tokens
        try:
            value = _evaluate(self._expand([t.text for t in tokens[1:]], ()))
        except (Unknown, ZeroDivisionError, RecursionError):
            return [t._replace(text=self._written_out(t.text)) if t.text in self.reach else t
                    for t in tokens]
        return tokens + [tokens[-1]._replace(text="{=%d}" % bool(value), space_before=True)]

    def _written_out(self, name):
        """``NAME{=V1=...;V2=...}``: a use with the version macros it reaches."""
        return "%s{=%s}" % (name, ";".join(
            "%s=%s" % (v, "|".join(" ".join(t.text for t in body) for body in self.macros[v]))
            for v in sorted(self.reach[name])))

    def _expand(self, texts, active):
        """Token texts with version macros (and object-like macros that
        reach them) replaced by their bodies; Unknown where that is not
        certain: ``defined``, several definitions, function-like macros."""
        out = []
        for text in texts:
            if text == "defined" or text in active:
                raise Unknown(text)
            if text in self.reach:
                bodies = self.bodies.get(text)
                if bodies is None or len(set(tuple(t.text for t in b) for b in bodies)) != 1:
                    raise Unknown(text)
                out.extend(self._expand([t.text for t in bodies[0]], active + (text,)))
            else:
                out.append(text)
        return out

    # -- other files and paths -------------------------------------------------

    def path(self, rel):
        """A file's path with release versions left out (``cmake/expat-2.6.2``)."""
        return self.in_text(rel)

    def text(self, kind, data):
        """The content of a pkg-config, CMake or libtool file without its
        release metadata, as bytes; other kinds are returned unchanged."""
        if kind not in TEXT_KINDS:
            return data
        text = data.decode("latin-1")
        if kind == "pkg-config":
            text = re.sub(r"(?m)^(Version\s*:).*$", r"\1 " + PLACEHOLDER, text)
        elif kind == "cmake":
            # set(LIBXML2_VERSION_PATCH 5), as for a version macro.
            text = _CMAKE_SET.sub(lambda m: m.group(1) + PLACEHOLDER if is_version_name(m.group(2))
                                  else m.group(0), text)
        for real, ident in sorted(self.library_names.items(), key=lambda kv: -len(kv[0])):
            text = re.sub(r"(?<![\w.])%s(?![\w.])" % re.escape(real), ident, text)
        return self.in_text(text).encode("latin-1")


def _definitions(root, headers):
    """``{name: [(function_like, body tokens)]}`` of the macros that can
    matter: those in headers with a version-like macro name, and in headers
    that name a macro reaching one (repeated until nothing new)."""
    datas = {}
    for rel in headers:
        with open(os.path.join(root, rel), "rb") as f:
            datas[rel] = f.read()
    defs, scanned = {}, set()
    todo = [rel for rel, data in datas.items() if _VERSION_DEFINE.search(data)]
    while todo:
        for rel in todo:
            scanned.add(rel)
            for directive, tokens in cheaders.token_lines(datas[rel]):
                name, function_like, body = _macro(tokens) if directive else (None,) * 3
                if name:
                    defs.setdefault(name, []).append((function_like, body))
        names = _reach(defs, _version_macros(defs))
        if not names:
            break
        known = re.compile(rb"\b(?:%s)\b" % b"|".join(re.escape(n.encode()) for n in names))
        todo = [rel for rel in datas if rel not in scanned and known.search(datas[rel])]
    return defs


def _version_macros(defs):
    return dict((n, [b for _f, b in ds]) for n, ds in defs.items()
                if is_version_name(n) and not any(f for f, _b in ds))


def _reach(defs, macros):
    reach = dict((n, {n}) for n in macros)
    changed = True
    while changed:
        changed = False
        for name, ds in defs.items():
            reached = set(reach.get(name, ()))
            for _f, body in ds:
                for t in body:
                    reached |= reach.get(t.text, set())
            if reached and reached != reach.get(name):
                reach[name] = reached
                changed = True
    return reach


def _macro(tokens):
    """``(name, function_like, body tokens)`` of ``define NAME...``, else Nones."""
    if len(tokens) < 2 or tokens[0].text != "define" or not _IDENT.match(tokens[1].text):
        return None, None, None
    if len(tokens) > 2 and tokens[2].text == "(" and not tokens[2].space_before:
        close = next((n for n in range(3, len(tokens)) if tokens[n].text == ")"), len(tokens) - 1)
        return tokens[1].text, True, tokens[close + 1:]
    return tokens[1].text, False, tokens[2:]


# -- #if arithmetic --------------------------------------------------------------

_INT = re.compile(r"(0[xX][0-9a-fA-F]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)[uUlL]*$")
_BINARY = [("||",), ("&&",), ("|",), ("^",), ("&",), ("==", "!="), ("<", ">", "<=", ">="),
           ("<<", ">>"), ("+", "-"), ("*", "/", "%")]


def _evaluate(texts):
    """The value of a preprocessor condition made of integers and operators
    only (identifiers were expanded or refused before)."""
    value, rest = _ternary(list(texts))
    if rest:
        raise Unknown(" ".join(rest))
    return value


def _ternary(toks):
    cond, toks = _binary(toks, 0)
    if toks[:1] == ["?"]:
        yes, toks = _ternary(toks[1:])
        if toks[:1] != [":"]:
            raise Unknown("?")
        no, toks = _ternary(toks[1:])
        return (yes if cond else no), toks
    return cond, toks


def _binary(toks, level):
    if level == len(_BINARY):
        return _unary(toks)
    left, toks = _binary(toks, level + 1)
    while toks and toks[0] in _BINARY[level]:
        op = toks[0]
        right, toks = _binary(toks[1:], level + 1)
        left = _apply(op, left, right)
    return left, toks


def _apply(op, a, b):
    if op in ("/", "%"):
        q = abs(a) // abs(b) * (1 if (a < 0) == (b < 0) else -1)  # C truncates
        return q if op == "/" else a - q * b
    return {
        "||": lambda: int(bool(a) or bool(b)), "&&": lambda: int(bool(a) and bool(b)),
        "|": lambda: a | b, "^": lambda: a ^ b, "&": lambda: a & b,
        "==": lambda: int(a == b), "!=": lambda: int(a != b), "<": lambda: int(a < b),
        ">": lambda: int(a > b), "<=": lambda: int(a <= b), ">=": lambda: int(a >= b),
        "<<": lambda: a << b, ">>": lambda: a >> b, "+": lambda: a + b, "-": lambda: a - b,
        "*": lambda: a * b,
    }[op]()


def _unary(toks):
    if not toks:
        raise Unknown("end of condition")
    head = toks[0]
    if head in ("!", "~", "-", "+"):
        value, toks = _unary(toks[1:])
        return {"!": int(not value), "~": ~value, "-": -value, "+": value}[head], toks
    if head == "(":
        value, toks = _ternary(toks[1:])
        if toks[:1] != [")"]:
            raise Unknown("(")
        return value, toks[1:]
    m = _INT.match(head)
    if not m:
        raise Unknown(head)
    digits = m.group(1)
    base = 16 if digits[:2] in ("0x", "0X") else 2 if digits[:2] in ("0b", "0B") else \
        8 if len(digits) > 1 and digits[0] == "0" else 10
    return int(digits[2:] if base in (16, 2) else digits, base), toks[1:]
