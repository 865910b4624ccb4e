# SPDX-License-Identifier: MIT
"""A public header as a consumer's compiler sees it.

The token rule (``cheaders.py``) compares a header's spelling: respelling
``OF((args))`` as ``(args)``, or rewriting an ``#if`` with the same outcome,
changes it. This module runs the C preprocessor on each public header of a
parent (the child's preprocessor and ``-D``/``-U`` flags, the parent's header
layout on the include path) and keeps what a consumer that includes the
header gets from the parent:

* the **declarations**: the preprocessed code whose linemarkers name one of
  the parent's own files (libc and other host headers are left out), as
  normalised token lists, split into top-level declarations;
* the **macro table**: every ``#define``/``#undef`` the parent's files leave
  in effect at the end of the header (``cpp -dD``), names with their
  normalised replacement lists, references to other object-like macros of
  the table expanded (``PNG_LIBPNG_VER_SONUM`` spelled through a new macro
  of the same value is no change);
* the **C++ groups**: the tokens of every conditional group of the header
  that tests ``__cplusplus`` (the view of a ``.h`` header is taken in C; a
  C++ consumer also sees these groups, so any change in them counts). C++
  headers (``.hpp``, no suffix...) are preprocessed as C++.

Release metadata (``release.py``) is applied to the macro table and the
declarations as to the header's tokens.
"""

import os
import re
import shlex

from . import cheaders, tools

#: Seconds one preprocessor run may take.
TIMEOUT = 120

_MARKER = re.compile(r'^#\s*(\d+)\s+"((?:[^"\\]|\\.)*)"')
_CONDITIONAL = ("if", "ifdef", "ifndef", "elif", "elifdef", "elifndef", "else", "endif")


class NotPreprocessed(Exception):
    """The header does not preprocess on its own (or the preprocessor could
    not run); the reason is the message."""


View = tuple  # (declarations, macros, cplusplus): three lists of strings


def command(value):
    """The preprocessor command as an argv list (``tools["cpp"]``: a
    command line as ``${CPP}`` holds it, or a list)."""
    return shlex.split(value) if isinstance(value, str) else list(value)


def header_view(cpp, root, rel, include_dirs, rewrite=None, timeout=TIMEOUT):
    """The :data:`View` of header ``rel`` of the parent staged in ``root``.

    ``cpp``: the preprocessor argv (``gcc -E`` and the child's flags);
    ``include_dirs``: the parent's include directories, relative to ``root``;
    ``rewrite``: the release metadata hook of ``cheaders.logical_lines``.
    Raises :class:`NotPreprocessed`.
    """
    real_root = os.path.realpath(root)
    path = os.path.join(real_root, rel)
    argv = list(cpp) + ["-dD"]
    for d in include_dirs:
        argv += ["-I", os.path.join(real_root, d)]
    # The language is given: the driver would pass a file named otherwise
    # than .h (foo.inc, a C++ header without extension) to the linker, and
    # preprocess nothing.
    argv += ["-x", language(rel), path]
    try:
        proc = tools.run(argv, cwd=real_root, timeout=timeout)
    except OSError as err:
        raise NotPreprocessed("cannot run %s: %s" % (argv[0], err.strerror or err))
    if proc.returncode != 0:
        raise NotPreprocessed("%s failed: %s" % (os.path.basename(argv[0]), tools.last_line(proc)))
    code, events = _split(proc.stdout, real_root)
    _directives, decls = cheaders.structure("\n".join(code), rewrite)
    with open(path, "rb") as f:
        cplusplus = _cplusplus_groups(f.read(), rewrite)
    return decls, _macro_table(events, rewrite), cplusplus


_CXX_SUFFIXES = (".hpp", ".hh", ".hxx", ".h++", ".H", ".tcc", ".ipp", ".txx")


def language(rel):
    """``c++`` for a C++ header (by its suffix, or none: ``<vector>``-style
    names), else ``c``."""
    base = rel.rsplit("/", 1)[-1]
    return "c++" if base.endswith(_CXX_SUFFIXES) or "." not in base else "c"


def _unescape(name):
    """A linemarker's file name as the preprocessor escaped it (``\\``,
    ``\"``, octal bytes)."""
    if "\\" not in name:
        return name
    raw = re.sub(r"\\([0-7]{1,3}|.)", lambda m: chr(int(m.group(1), 8)) if m.group(1).isdigit()
                 else m.group(1), name)
    return raw.encode("latin-1", "replace").decode("utf-8", "surrogateescape")


def _split(output, real_root):
    """``(code lines, macro events)`` of ``cpp -dD`` output: code from the
    parent's files (``#pragma`` lines included), and ``(own, name, line)``
    for every ``#define``/``#undef``, ``own`` if a parent's file made it."""
    prefix = real_root + os.sep
    known = {}

    def own(name):
        if name not in known:
            known[name] = not name.startswith("<") and \
                os.path.realpath(os.path.join(real_root, name)).startswith(prefix)
        return known[name]
    code, events = [], []
    mine = False
    for line in output.splitlines():
        if line.startswith("#"):
            m = _MARKER.match(line)
            if m:
                mine = own(_unescape(m.group(2)))
                continue
            words = line[1:].split(None, 2)
            if words and words[0] in ("define", "undef") and len(words) > 1:
                name = re.match(r"[A-Za-z_$][\w$]*", words[1])
                events.append((mine, name.group(0) if name else words[1], line))
                continue
        if mine and line.strip():
            code.append(line)
    return code, events


def _macro_table(events, rewrite):
    """Sorted ``define ...``/``undef NAME`` lines the parent's files leave
    in effect, object-like references expanded."""
    table = {}
    for own, name, line in events:
        if own:
            table[name] = line
        else:
            # A later definition by another file (libc) is not the parent's.
            table.pop(name, None)
    parsed = {}
    for name, line in table.items():
        ((_directive, tokens),) = cheaders.token_lines(line)
        if rewrite:
            tokens = rewrite(True, tokens)
        parsed[name] = tokens
    bodies = {}
    for name, tokens in parsed.items():
        if tokens[0].text == "define" and not (len(tokens) > 2 and tokens[2].text == "(" and
                                               not tokens[2].space_before):
            bodies[name] = tokens[2:]
    out = []
    for name in sorted(parsed):
        tokens = parsed[name]
        if name in bodies:
            tokens = tokens[:2] + _expand(bodies[name], bodies, (name,))
        # As cheaders normalises directives: whether there is whitespace
        # between two tokens is kept (``F(x)`` is function-like, ``F (x)``
        # is not, and stringification sees it).
        out.append("".join((" " if t.space_before and n else "") + t.text
                           for n, t in enumerate(tokens)))
    return out


def _expand(body, bodies, active):
    """``body`` with object-like macros of the table replaced by their
    expansion (as the consumer's compiler expands them)."""
    out = []
    for t in body:
        if t.text in bodies and t.text not in active and len(active) < 64:
            out.extend(_expand(bodies[t.text], bodies, active + (t.text,)))
        else:
            out.append(t)
    return out


def _cplusplus_groups(data, rewrite):
    """Normalised lines of the conditional groups that test ``__cplusplus``
    (with everything nested in them), in order."""
    out = []
    depth = 0       # conditional nesting
    guard = None    # nesting level of the innermost __cplusplus conditional
    for kind, value in cheaders.logical_lines(data, rewrite):
        text = value if kind == "directive" else " ".join(value)
        word = text[1:].split(None, 1)[0] if kind == "directive" and len(text) > 1 else ""
        if word in ("if", "ifdef", "ifndef"):
            depth += 1
            if guard is None and "__cplusplus" in text:
                guard = depth
        elif word in ("elif", "elifdef", "elifndef") and guard is None and "__cplusplus" in text:
            guard = depth
        if guard is not None:
            out.append(text)
        if word == "endif":
            if guard == depth:
                guard = None
            depth = max(depth - 1, 0)
    return out


def view_lines(view):
    """A view as the lines of a verbatim block: ``define``/``undef``, then
    ``decl``, then ``c++`` lines."""
    decls, macros, cplusplus = view
    return macros + ["decl " + d for d in decls] + ["c++ " + c for c in cplusplus]


def parse_view_lines(lines):
    decls, macros, cplusplus = [], [], []
    for line in lines:
        if line.startswith("decl "):
            decls.append(line[5:])
        elif line.startswith("c++ "):
            cplusplus.append(line[4:])
        else:
            macros.append(line)
    return decls, macros, cplusplus


# -- superset ---------------------------------------------------------------------

def view_superset(old_lines, new_lines, uses=None, ignored=None):
    """``(True, "")`` if the new view only adds to the old one, else
    ``(False, reason)``. Allowed: new macros, new declarations (old ones kept
    in order), ``const`` added or a parameter renamed in a prototype,
    enumerators appended at the end of an enum (see :func:`extends`). Old
    macros and C++ groups unchanged.

    With ``uses`` (a bounded ``uses.UseSet`` of the child), only what the
    child reaches counts (``uses.Reach``): an old macro or declaration it
    does not reach may change or go; a new macro or declaration may not
    bring a name it uses (a rebuild would then compile differently, as a
    configure check that now finds a function). ``ignored`` (a list)
    receives what changed unreached."""
    old_decls, old_macros, old_cxx = parse_view_lines(old_lines)
    new_decls, new_macros, new_cxx = parse_view_lines(new_lines)
    if old_cxx != new_cxx:
        if uses is None or uses.cplusplus:
            return False, "a __cplusplus group changed"
        if ignored is not None:
            # A child that compiles no C++ never sees them.
            ignored.append("__cplusplus groups")
    reach = None
    if uses is not None:
        from . import uses as uses_mod
        reach = uses_mod.Reach(uses, [(old_macros, old_decls), (new_macros, new_decls)])
    gone = set(old_macros) - set(new_macros)
    if reach:
        unreached = sorted(set(uses_mod.macro_name(g) for g in gone if not reach.macro(g)))
        gone = set(g for g in gone if reach.macro(g))
        if ignored is not None:
            ignored.extend("macro " + n for n in unreached)
    if gone:
        name = sorted(gone)[0].split(None, 2)[1:2]
        return False, "macro %s changed or removed" % (name[0] if name else sorted(gone)[0])
    if reach:
        # A new name counts when the child names it, or reached it through
        # the old view (a macro it uses called a function not declared then).
        # Not through the new view: a new function taking a type the child
        # uses is no new name for the child.
        old_reach = uses_mod.Reach(uses, [(old_macros, old_decls)])

        def named(name):
            return uses.reaches(name) or name in old_reach.names
        old_names = set(uses_mod.macro_name(m) for m in old_macros)
        for line in sorted(set(new_macros) - set(old_macros)):
            name = uses_mod.macro_name(line)
            if name not in old_names and named(name):
                return False, "macro %s added, and the child's sources name it" % name
    old_kept = [d for d in old_decls if reach.decl(d)] if reach else old_decls
    it = iter(new_decls)
    for old in old_kept:
        if not any(extends(old, new) for new in it):
            return False, "a declaration changed, moved or was removed"
    if reach:
        if ignored is not None and len(old_kept) < len(old_decls):
            changed = set(old_decls) - set(new_decls) - set(old_kept)
            if changed:
                ignored.append("%d declaration%s" % (len(changed), "s" if len(changed) > 1 else ""))
        seen = set()
        for d in old_decls:
            seen |= uses_mod.identifiers(d.split("|", 2)[2])
        old_set = set(old_decls)
        for d in new_decls:
            if d in old_set:
                continue
            introduced = reach.decl_triggers.get(d, set()) - seen
            hit = sorted(n for n in introduced if named(n))
            if hit:
                return False, "a declaration of %s was added, and the child's sources name it" % hit[0]
    return True, ""


def extends(old, new):
    """``new`` is declaration ``old`` (``scope|region|tokens``) or a
    compatible extension of it: ``const`` added or a parameter renamed
    inside parentheses outside any braces (parameters of a prototype or of
    a function pointer type), or enumerators appended to an enum."""
    if old == new:
        return True
    o_scope, o_region, o_tokens = old.split("|", 2)
    n_scope, n_region, n_tokens = new.split("|", 2)
    if (o_scope, o_region) != (n_scope, n_region):
        return False
    o = [t.text for t in cheaders.tokenize(o_tokens)]
    n = [t.text for t in cheaders.tokenize(n_tokens)]
    return _prototype_compatible(o, n) or _enumerators_appended(o, n)


_KEYWORDS = frozenset("""
auto bool char const double enum extern float inline int long register restrict short signed
static struct typedef union unsigned void volatile _Atomic _Bool _Complex _Noreturn
""".split())
_IDENT = re.compile(r"[A-Za-z_$][\w$]*$")


def _prototype_compatible(old, new):
    """``new`` is ``old`` with ``const`` added and parameters renamed inside
    parentheses outside any braces (prototypes and function pointer types;
    not struct members or inline bodies). A parameter name is the last
    identifier of a parameter of two or more words besides qualifiers
    (``uLong adler`` -> ``uLong crc``; never ``(T)`` -> ``(U)``, a type)."""
    if new == old:
        return False
    i = parens = braces = 0
    param = []      # the words of the current parameter so far (new side)
    for n, tok in enumerate(new):
        at_param = parens > 0 and braces == 0
        if i < len(old) and tok == old[i]:
            i += 1
        elif tok == "const" and at_param:
            continue
        elif not (at_param and i < len(old) and _is_param_name(old[i], tok, param, new[n + 1:n + 2])):
            return False
        else:
            i += 1
        parens += tok == "("
        parens -= tok == ")"
        braces += tok == "{"
        braces -= tok == "}"
        param = [] if tok in ("(", ",", ")") else param + [tok]
    return i == len(old)


def _is_param_name(old_tok, tok, param, following):
    words = [w for w in param if w not in ("const", "volatile", "restrict", "register")]
    return (_IDENT.match(old_tok) and _IDENT.match(tok) and old_tok not in _KEYWORDS and
            tok not in _KEYWORDS and following in (["," ], [")"]) and len(words) >= 1 and
            words[-1] not in ("struct", "union", "enum") and
            (words[-1] == "*" or _IDENT.match(words[-1])))


_SMALL_INT = re.compile(r"(?:0[xX][0-9a-fA-F]{1,7}|[0-9]{1,9})[uU]?$")


def _enumerators_appended(old, new):
    """``enum [tag] { A , B } [name] ;`` -> ``... { A , B , C [= 5] [,] } ...``:
    no old enumerator moves or changes its value; each new one has no
    initializer or a small integer one (the enum's size stays)."""
    if "enum" not in old[:3] or old.count("{") != 1 or new.count("{") != 1:
        return False
    oc, nc = old.index("}"), new.index("}")
    if old[oc:] != new[nc:] or old[:old.index("{")] != new[:new.index("{")]:
        return False
    o_body, n_body = old[old.index("{") + 1:oc], new[new.index("{") + 1:nc]
    if o_body and o_body[-1] != ",":
        o_body = o_body + [","]
    if n_body[:len(o_body)] != o_body or len(n_body) == len(o_body):
        return False
    added = " ".join(n_body[len(o_body):]).rstrip(" ,").split(" , ")
    for enumerator in added:
        words = enumerator.split(" ")
        if not re.match(r"[A-Za-z_]\w*$", words[0]):
            return False
        if len(words) > 1 and not (len(words) == 3 and words[1] == "=" and _SMALL_INT.match(words[2])):
            return False
    return True
