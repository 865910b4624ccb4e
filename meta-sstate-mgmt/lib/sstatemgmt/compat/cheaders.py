# SPDX-License-Identifier: MIT
"""Normalised token streams of C and C++ headers.

A header is judged by what a compiler sees of it, not by its bytes: comments
and the amount of whitespace do not matter, every token does. The tokenizer
follows translation phases 1-3 of the C standard closely enough for that:
line splices are joined, comments become whitespace, and tokens are cut by
maximal munch (so ``a - -b`` and ``a--b`` stay different).

Inside preprocessing directives the presence of whitespace between two tokens
is kept (``#define F(x)`` is a function-like macro, ``#define F (x)`` is not,
and stringification can see it); elsewhere it is dropped.

Two views are provided:

* :func:`normalise` / :func:`digest`: one canonical text per header, for
  exact comparison.
* :func:`structure`: the directive lines plus the sequence of top-level
  declarations (each tagged with its scope and the directives around it),
  for the compatible-superset comparison, where declarations may be added
  but none may change, move or disappear.
"""

import hashlib
import re
from collections import namedtuple

Token = namedtuple("Token", "text space_before line_start")
Token.__doc__ = """One preprocessing token.

``space_before``: whitespace or a comment separated it from the previous
token on the same logical line. ``line_start``: first token of a logical line.
"""

_PUNCTUATORS = sorted("""
%:%: ... <<= >>= <=> ->* ## %: -> ++ -- << >> <= >= == != && || *= /= %= += -=
&= ^= |= :: .* <: :> <% %>
""".split(), key=len, reverse=True)

_TOKEN_RE = re.compile(r"""
  (?P<nl>\n)
| (?P<ws>[ \t\f\v\r]+)
| (?P<comment>/\*.*?(?:\*/|\Z)|//[^\n]*)
| (?P<tok>
      (?:u8|u|U|L)?R"(?P<delim>[^()\\ \t\n"]{0,16})\(.*?\)(?P=delim)"
    | (?:u8|u|U|L)?"(?:[^"\\\n]|\\.)*"?
    | (?:u8|u|U|L)?'(?:[^'\\\n]|\\.)*'?
    | \.?[0-9](?:[eEpP][+-]|'[0-9A-Za-z_]|[0-9A-Za-z_.])*
    | [A-Za-z_$\x80-\xff][A-Za-z0-9_$\x80-\xff]*
    | """ + "|".join(re.escape(p) for p in _PUNCTUATORS) + r"""
    | .
  )
""", re.S | re.X)

#: Tokens after which a "{" at declaration level opens a function body
#: (the declaration then ends at the matching "}", not at a ";").
_BODY_OPENERS = frozenset((")", "const", "noexcept", "override", "final",
                           "volatile", "&", "&&"))


def _decode(data):
    if isinstance(data, bytes):
        # latin-1 maps every byte to one character, so nothing is lost and
        # the encoding of the header does not matter.
        data = data.decode("latin-1")
    return data.replace("\r\n", "\n").replace("\\\n", "")


def tokenize(data):
    """Preprocessing tokens of a header (``str`` or ``bytes``)."""
    text = _decode(data)
    tokens = []
    space, line_start = False, True
    for m in _TOKEN_RE.finditer(text):
        kind = m.lastgroup if m.lastgroup != "delim" else "tok"
        if kind == "nl":
            space, line_start = False, True
        elif kind in ("ws", "comment"):
            # A comment is one space, even over several lines: a directive
            # it sits in continues past it, as in the preprocessor.
            space = True
        else:
            tokens.append(Token(m.group("tok"), space, line_start))
            space, line_start = False, False
    return tokens


def token_lines(data):
    """A header as ``(is_directive, [Token])`` groups: one per directive
    (without its ``#``), one per run of code lines between directives."""
    out = []
    directive = False
    for tok in tokenize(data):
        if tok.line_start:
            directive = tok.text in ("#", "%:")
            if directive:
                out.append((True, []))
                continue
            if not out or out[-1][0]:
                out.append((False, []))
        out[-1][1].append(tok)
    return out


def logical_lines(data, rewrite=None):
    """Split a header into ``("directive", text)`` and ``("code", [tokens])``.

    Directive text keeps one space where the original had whitespace; code
    is a list of token strings, its whitespace being insignificant.
    ``rewrite(is_directive, tokens) -> tokens``, if given, edits each group
    first (how release metadata is left out, see ``release.py``).
    """
    out = []
    for directive, tokens in token_lines(data):
        if rewrite:
            tokens = rewrite(directive, tokens)
        if directive:
            # "#  define X" and "#define X" are the same directive.
            out.append(("directive", "#" + "".join(
                (" " if t.space_before and n else "") + t.text for n, t in enumerate(tokens))))
        else:
            out.append(("code", [t.text for t in tokens]))
    return out


def normalise(data, rewrite=None):
    """Canonical text of a header: one line per directive, one per code run."""
    lines = []
    for kind, value in logical_lines(data, rewrite):
        lines.append(value if kind == "directive" else " ".join(value))
    return "\n".join(lines) + "\n" if lines else ""


def sha256_text(text):
    return hashlib.sha256(text.encode("latin-1", "backslashreplace")).hexdigest()


def digest(data, rewrite=None):
    """sha256 of :func:`normalise`; equal for comment or layout-only edits."""
    return sha256_text(normalise(data, rewrite))


def _is_scope_opener(decl):
    """``extern "C" {`` or ``[inline] namespace [a::b] {`` as a token list."""
    if len(decl) == 3 and decl[0] == "extern" and decl[1].startswith('"') and decl[2] == "{":
        return True
    names = decl[1:] if decl[:1] == ["inline"] else decl
    if names[:1] != ["namespace"] or names[-1:] != ["{"]:
        return False
    return all(re.match(r"[A-Za-z_]\w*$|::$", t) for t in names[1:-1])


def structure(data, rewrite=None):
    """Directives and declarations of a header, for the superset comparison.

    Returns ``(directives, declarations)``: the list of normalised directive
    lines in order, and the list of top-level declarations in order, each a
    string ``"<scope>|<region>|<tokens>"``. ``region`` is the number of
    directives before the declaration; a directive inside a declaration
    appears in its tokens as ``#<index>``. Opening and closing an
    ``extern "C"`` or namespace block are declarations of their own.

    With the directives identical, a new header whose declaration list
    contains the old one as a subsequence only adds declarations: none
    changed, moved across a directive or into another scope.
    """
    directives, decls = [], []
    scopes = []
    cur, depth, body_at = [], 0, None
    start_region = 0
    after_body = False

    def finish(tokens):
        decls.append("%s|%d|%s" % ("/".join(scopes), start_region, " ".join(tokens)))

    for kind, value in logical_lines(data, rewrite):
        if kind == "directive":
            if cur:
                cur.append("#%d" % len(directives))
            directives.append(value)
            continue
        for tok in value:
            if not cur:
                start_region = len(directives)
                if tok == ";" and after_body:
                    # "};" after a function body: part of that declaration.
                    decls[-1] += " ;"
                    after_body = False
                    continue
                after_body = False
                if tok == "}" and scopes and depth == 0:
                    finish(["}"])
                    scopes.pop()
                    continue
            cur.append(tok)
            if depth == 0 and _is_scope_opener(cur):
                finish(cur)
                scopes.append(" ".join(cur[:-1]))
                cur = []
                continue
            if tok in ("{", "(", "["):
                if tok == "{" and depth == 0 and body_at is None:
                    prev = cur[-2] if len(cur) > 1 else ""
                    is_body = prev in _BODY_OPENERS and "=" not in cur
                    body_at = is_body
                depth += 1
            elif tok in ("}", ")", "]"):
                depth = max(depth - 1, 0)
                if tok == "}" and depth == 0 and body_at:
                    finish(cur)
                    cur, body_at, after_body = [], None, True
            elif tok == ";" and depth == 0:
                finish(cur)
                cur, body_at = [], None
    if cur:
        finish(cur)
    return directives, decls


def is_subsequence(old, new):
    """True if every item of ``old`` occurs in ``new`` in the same order."""
    it = iter(new)
    return all(any(item == other for other in it) for item in old)
