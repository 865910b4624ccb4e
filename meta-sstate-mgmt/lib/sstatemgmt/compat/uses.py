# SPDX-License-Identifier: MIT
"""What a child can reach of a parent: the names its own sources spell.

With the ``child-uses`` scope (superset mode only), a difference between a
parent and the baseline the child was built against counts only when the
child can reach it. Two steps:

1. :func:`scan` reads the child's source tree (``S`` after ``do_patch``)
   and collects its **use set**: every identifier token
   (``[A-Za-z_][A-Za-z0-9_]*``) of every text file, string literals and
   comments included, so ``dlsym(h, "png_foo")`` and a configure check
   (``AC_CHECK_FUNCS([png_foo])``, ``check_symbol_exists(png_foo ...)``)
   count. Token pasting (``##``) anywhere in the child builds names it
   never spells (``CAT(png_, check_sig)`` with ``#define CAT(a, b) a##b``):
   then a parent name is also reached when it starts or ends with any name
   the child spells.
2. :class:`Reach` closes the use set over the header views of the parent
   (``preprocess.py``): a macro is reached when its name is used or a
   reached entity names it (its body names others); a declaration is
   reached when a name it declares or takes as a type is used or reached
   (its tokens then name others: parameter types, struct member types,
   typedef targets, enumerator values; parameter and member names name
   nothing).

Only header views are scoped. Everything else keeps the superset rules:
ELF interfaces (the dynamic linker resolves every reference of the child's
process, also those of static archives and objects the child links from
outside its sources), headers judged by tokens, headers that appear or
disappear, pkg-config, libtool and other files. CMake package files count
only when the child's build can read them (:attr:`UseSet.cmake`).

What a token scan cannot see makes :func:`scan` return an *unbounded* use
set, with which nothing is scoped: more text than :data:`MAX_BYTES`, or a
build that generates code from the parent's headers
(:data:`GENERATORS`: SWIG, bindgen, GObject introspection...). Names built
at run time from pieces (``"png_" + name``) and sources generated at build
time from outside the scanned tree are not seen: documented limits.
"""

import os
import re

#: Identifier tokens, also inside string literals and comments.
_IDENT = re.compile(rb"[A-Za-z_][A-Za-z0-9_]*")
#: ``a ## b``: token pasting; the pieces are prefixes and suffixes.
_PASTE_LEFT = re.compile(rb"([A-Za-z_][A-Za-z0-9_]*)[ \t]*##")
_PASTE_RIGHT = re.compile(rb"##[ \t]*([A-Za-z0-9_]+)")
_TEXT_IDENT = re.compile(r"[A-Za-z_$][\w$]*")
_TEXT_PASTE_LEFT = re.compile(r"([A-Za-z_][A-Za-z0-9_]*) ?##")
_TEXT_PASTE_RIGHT = re.compile(r"## ?([A-Za-z0-9_]+)")

#: The scan stops (and scopes nothing) beyond this much text.
MAX_BYTES = 512 << 20
#: Directories of version control, never sources.
SKIP_DIRS = frozenset((".git", ".hg", ".svn", ".bzr", ".pc"))
#: Names of tools that generate code from a parent's headers: a child whose
#: sources name one reaches names it never spells, so nothing is scoped.
GENERATORS = frozenset((
    "swig", "SWIG", "bindgen", "cbindgen", "g_ir_scanner", "generate_gir", "vapigen", "cffi",
    "ctypesgen", "h2xs", "c2hs", "hsc2hs", "castxml", "gccxml", "clang2py"))
#: Files or names that mean the child's build may read CMake package files
#: (meson's dependency() falls back to CMake).
_CMAKE_FILES = ("CMakeLists.txt", "meson.build")
#: A C++ translation unit, or a build that compiles C++ (``CXX``, meson's
#: ``'cpp'``, ``g++``, ``-x c++``): the ``__cplusplus`` groups of the
#: parent's headers count only then.
_CXX_SUFFIXES = (".cc", ".cp", ".cxx", ".cpp", ".CPP", ".c++", ".C", ".mm", ".hpp", ".hh", ".hxx",
                 ".h++", ".ipp", ".tcc", ".ixx", ".cppm")
_CXX_NAMES = frozenset(("CXX", "cxx", "CXXFLAGS", "CMAKE_CXX_COMPILER", "AC_PROG_CXX", "cpp",
                        "__cplusplus", "CPPFLAGS_CXX"))
_CXX_TEXT = re.compile(rb"\b(?:g|clang)\+\+|-x ?c\+\+|=(?:c|gnu)\+\+")
_CMAKE_NAMES = re.compile(r"(?i)cmake|^find_package$|^find_dependency$")

#: C and C++ keywords: never what a declaration is reached by.
KEYWORDS = frozenset("""
alignas alignof and and_eq asm auto bitand bitor bool break case catch char char8_t char16_t
char32_t class compl concept const consteval constexpr constinit const_cast continue co_await
co_return co_yield decltype default delete do double dynamic_cast else enum explicit export
extern false float for friend goto if inline int long mutable namespace new noexcept not not_eq
nullptr operator or or_eq private protected public register reinterpret_cast requires restrict
return short signed sizeof static static_assert static_cast struct switch template this
thread_local throw true try typedef typeid typename union unsigned using virtual void volatile
wchar_t while xor xor_eq _Alignas _Alignof _Atomic _Bool _Complex _Generic _Imaginary _Noreturn
_Static_assert _Thread_local __attribute__ __attribute __declspec __asm__ __asm __inline__
__inline __restrict__ __restrict __extension__ __typeof__ __typeof typeof __const __volatile__
__signed__ __builtin_va_list
""".split())
_TAG_KEYWORDS = frozenset(("struct", "union", "enum", "class"))


class UseSet:
    """The names a child's sources spell.

    ``names``: identifiers; ``prefixes``/``suffixes``: pieces of token
    pastes; ``pasted``: the child pastes tokens, so any of its names may be
    the start or the end of a name it builds; ``cmake``: the child's build may read CMake package files;
    ``cplusplus``: it may compile C++ (the ``__cplusplus`` groups count);
    ``bounded``: False when the scan could not see everything the child may
    reach (then nothing is scoped; ``why`` says why); ``files``, ``size``:
    what was read.
    """

    def __init__(self, names=(), prefixes=(), suffixes=(), cmake=False, cplusplus=True,
                 bounded=True, why="", files=0, size=0, pasted=False):
        self.names = frozenset(names)
        self.prefixes = tuple(sorted(set(prefixes)))
        self.suffixes = tuple(sorted(set(suffixes)))
        self.cmake = cmake
        self.cplusplus = cplusplus
        self.bounded = bounded
        self.why = why
        self.files = files
        self.size = size
        self.pasted = pasted

    def __repr__(self):
        return "UseSet(%d names, %d prefixes, %d suffixes, cmake=%s, cplusplus=%s, bounded=%s)" % (
            len(self.names), len(self.prefixes), len(self.suffixes), self.cmake, self.cplusplus,
            self.bounded)

    def reaches(self, name):
        # startswith(()) is False: no pieces, no match.
        if name in self.names or name.startswith(self.prefixes) or name.endswith(self.suffixes):
            return True
        # A paste's operands may be a macro's parameters, whose arguments
        # are spelled where the macro is called: the first and last piece of
        # a pasted name are names of the child, of any length.
        names = self.names
        return self.pasted and any(name[:i] in names or name[i:] in names for i in range(1, len(name)))


def _decode(names):
    return set(n.decode("ascii") for n in names)


def scan(paths, texts=(), max_bytes=MAX_BYTES, skip=()):
    """The :class:`UseSet` of the files under ``paths`` (directories or
    files) and of ``texts`` (strings: the child's build recipe, flags),
    not descending into the directories ``skip`` (the build directory, a
    recipe sysroot).

    Binary files (a NUL byte in the first 8 KiB) and version-control
    directories are skipped; symbolic links to files are read, to
    directories not followed. Files are read in sorted order, so the result
    does not depend on the file system.
    """
    names, prefixes, suffixes = set(), set(), set()
    cmake = cplusplus = pasted = False
    files = size = 0

    def add(data):
        nonlocal cplusplus, pasted
        names.update(_IDENT.findall(data))
        cplusplus = cplusplus or bool(_CXX_TEXT.search(data))
        if b"##" in data:
            pasted = True
            prefixes.update(_PASTE_LEFT.findall(data))
            suffixes.update(_PASTE_RIGHT.findall(data))

    for text in texts:
        add(text.encode("utf-8", "replace") if isinstance(text, str) else text)
    skip = set(os.path.realpath(p) for p in skip)
    for top in sorted(paths):
        if os.path.isfile(top):
            candidates = [top]
        else:
            candidates = []
            for dirpath, dirnames, filenames in os.walk(top):
                dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS and
                                     os.path.realpath(os.path.join(dirpath, d)) not in skip)
                candidates.extend(os.path.join(dirpath, f) for f in sorted(filenames))
        for path in candidates:
            base = os.path.basename(path)
            if base in _CMAKE_FILES or base.endswith(".cmake"):
                cmake = True
            if base.endswith(_CXX_SUFFIXES):
                cplusplus = True
            try:
                with open(path, "rb") as f:
                    data = f.read()
            except (OSError, ValueError):
                # A dangling link or a FIFO: nothing the compiler reads.
                continue
            if b"\0" in data[:8192]:
                continue
            files += 1
            size += len(data)
            if size > max_bytes:
                return UseSet(bounded=False, why="the child's sources hold more than %d MiB of text"
                              % (max_bytes >> 20), files=files, size=size)
            add(data)
    names = _decode(names)
    generators = sorted(names & GENERATORS)
    if generators:
        return UseSet(bounded=False, why="the child's build names %s, which generates code from "
                      "headers" % generators[0], files=files, size=size)
    cmake = cmake or any(_CMAKE_NAMES.search(n) for n in names)
    cplusplus = cplusplus or bool(names & _CXX_NAMES)
    # One-character pieces are mostly parameters (x##y); with ``pasted``
    # every name of the child, short ones included, counts as a piece anyway.
    return UseSet(names, _decode(p for p in prefixes if len(p) > 1),
                  _decode(s for s in suffixes if len(s) > 1 and not s.isdigit()),
                  cmake=cmake, cplusplus=cplusplus, files=files, size=size, pasted=pasted)


# -- closure over a header view ---------------------------------------------------

def macro_name(line):
    """The name a ``define ...``/``undef ...`` line of a view is about."""
    m = _TEXT_IDENT.match(line.split(None, 1)[1]) if " " in line else None
    return m.group(0) if m else line


def _decl_tokens(decl):
    from . import cheaders
    return [t.text for t in cheaders.tokenize(decl.split("|", 2)[2])]


def _is_ident(tok):
    return bool(_TEXT_IDENT.match(tok))


def local_names(tokens):
    """Indexes of the names a declaration gives its parameters and struct
    members: in each parameter (of a parameter list: a parenthesis after a
    name or after ``)``, not one that starts with ``*``, ``&`` or ``^``)
    and each member declaration, the last identifier at its own level when
    a type comes before it (``foo_t x``, ``const char *s``, ``int a : 3``,
    ``char name[8]``). They name nothing outside the declaration."""
    local = set()
    stack = []          # open groups: "params", "group", "bracket", "enum", "record", "body"
    items = [[]]        # per open group, the (index, token) of the current item at its level
    recent = []

    def finish():
        item = items[-1]
        idents = [i for i, t in item if _is_ident(t) and t not in KEYWORDS]
        if idents and item and item[0][0] != idents[-1]:
            before = [t for i, t in item if i < idents[-1]]
            if any(_is_ident(t) or t in ("*", "&") for t in before) and \
                    before[-1:] not in (["struct"], ["union"], ["enum"], ["class"]):
                local.add(idents[-1])
        items[-1] = []

    for n, tok in enumerate(tokens):
        prev = tokens[n - 1] if n else ""
        if tok in ("(", "[", "{"):
            if tok == "(":
                following = tokens[n + 1] if n + 1 < len(tokens) else ""
                kind = "params" if (prev == ")" or (_is_ident(prev) and prev not in KEYWORDS)) \
                    and following not in ("*", "&", "^") else "group"
            elif tok == "[":
                kind = "bracket"
            else:
                kind = "enum" if "enum" in recent else \
                    "record" if _TAG_KEYWORDS & set(recent) else "body"
                recent = []
            stack.append(kind)
            items.append([])
            continue
        if tok in (")", "]", "}"):
            if stack:
                if stack[-1] in ("params", "record"):
                    finish()
                stack.pop()
                items.pop()
            if tok == "}":
                recent = []
            continue
        if tok == ";":
            recent = []
        else:
            recent.append(tok)
        if stack and stack[-1] in ("params", "record") and tok in (",", ";"):
            finish()
            continue
        if stack and stack[-1] in ("params", "record"):
            items[-1].append((n, tok))
    return local


def decl_names(tokens):
    """``(triggers, references)`` of a declaration's tokens.

    Triggers, the names by which it is reached: every identifier outside the
    braces of a struct, union, class or function body (the declared names,
    parameter types, typedef targets), the tag after
    ``struct``/``union``/``enum``/``class`` anywhere, and the enumerators of
    an enum anywhere; never a keyword, a parameter name or a member name
    (:func:`local_names`): a child reaches members only through their type,
    which reaches the declaration. References, what a reached declaration
    reaches: every identifier but the parameter and member names. Both are
    over-approximated on purpose: a declaration reached too often only costs
    a rebuild."""
    local = local_names(tokens)
    triggers, refs = set(), set()
    stack = []          # per open brace: "enum", "record" or "body"
    recent = []         # tokens since the last ; { or } at this level
    for n, tok in enumerate(tokens):
        if tok == "{":
            kind = "enum" if "enum" in recent else \
                "record" if _TAG_KEYWORDS & set(recent) else "body"
            stack.append(kind)
            recent = []
            continue
        if tok == "}":
            if stack:
                stack.pop()
            recent = []
            continue
        if tok == ";":
            recent = []
            continue
        recent.append(tok)
        if not _is_ident(tok) or tok in KEYWORDS:
            continue
        prev = tokens[n - 1] if n else ""
        if prev in _TAG_KEYWORDS or (stack and stack[-1] == "enum" and prev in ("{", ",")):
            triggers.add(tok)
        if n in local:
            continue
        refs.add(tok)
        if not stack:
            triggers.add(tok)
    return triggers, refs


def decl_triggers(tokens):
    """The trigger names of a declaration (see :func:`decl_names`)."""
    return decl_names(tokens)[0]


def identifiers(text):
    return set(_TEXT_IDENT.findall(text))


_DEFINE = re.compile(r"define ([A-Za-z_$][\w$]*)(\(([^)]*)\))?(.*)$")


def _macro_parts(line):
    """(parameter names, replacement list) of a ``define`` line of a view."""
    m = _DEFINE.match(line)
    if not m:
        return set(), ""
    params = set(p.strip() for p in (m.group(3) or "").split(",")) - {"", "..."}
    return params, m.group(4)


def _pastes(text):
    return set(_TEXT_PASTE_LEFT.findall(text)), set(_TEXT_PASTE_RIGHT.findall(text))


class Reach:
    """The closure of a :class:`UseSet` over the entities of one or two
    header views: ``names`` holds every reached name.

    Entities: macros (``define``/``undef`` lines, by name) and declarations
    (``scope|region|tokens``). A declaration without a trigger name (an
    ``extern "C" {``, a static assertion) is always reached.
    """

    def __init__(self, uses, views):
        self.uses = uses
        self.macros = {}        # name -> [lines]
        self.decls = []         # (decl, triggers, identifiers)
        by_trigger = {}
        for macros, decls in views:
            for line in macros:
                self.macros.setdefault(macro_name(line), []).append(line)
            for decl in decls:
                tokens = _decl_tokens(decl)
                triggers, idents = decl_names(tokens)
                self.decls.append((decl, triggers, idents))
                for t in triggers:
                    by_trigger.setdefault(t, []).append(len(self.decls) - 1)
        self.decl_triggers = dict((d, t) for d, t, _i in self.decls)
        candidates = set(self.macros) | set(by_trigger)
        prefixes, suffixes = set(uses.prefixes), set(uses.suffixes)
        names = set()
        work = [n for n in candidates if uses.reaches(n)]
        done_decls = set()
        for i, (_d, triggers, idents) in enumerate(self.decls):
            if not triggers:
                done_decls.add(i)
                work.extend(idents)
        while work:
            name = work.pop()
            if name in names:
                continue
            names.add(name)
            new_pieces = False
            for line in self.macros.get(name, ()):
                params, body = _macro_parts(line)
                work.extend(identifiers(body))
                if "##" in body:
                    # A pasted parameter is replaced by the argument; the
                    # fixed pieces next to it are what the result starts or
                    # ends with.
                    left, right = (p - params for p in _pastes(body))
                    new_pieces |= bool(left - prefixes or right - suffixes)
                    prefixes |= left
                    suffixes |= right
            for i in by_trigger.get(name, ()):
                if i not in done_decls:
                    done_decls.add(i)
                    work.extend(self.decls[i][2])
            if new_pieces:
                p, s = tuple(prefixes), tuple(suffixes)
                work.extend(c for c in candidates if c.startswith(p) or c.endswith(s))
        self.names = names

    def macro(self, line):
        """Whether the macro of a view line is reached."""
        return macro_name(line) in self.names

    def decl(self, decl):
        """Whether a declaration is reached (by any of its trigger names)."""
        triggers = self.decl_triggers.get(decl)
        if triggers is None:
            triggers = decl_triggers(_decl_tokens(decl))
        return not triggers or bool(triggers & self.names)
