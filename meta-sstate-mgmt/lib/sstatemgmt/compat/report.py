# SPDX-License-Identifier: MIT
"""The report text: its line grammar, parsing, and explaining a difference.

Grammar: one item per line, ``<indent><key>: [<ident> ][<attributes>]``,
children indented two more spaces; attributes look like ``name=value``. A child line starting with ``| `` is
verbatim content (an ABI dump) of the item above it. The identity of an item
is its key and ident; two items with the same identity and different
attributes or children are "changed".
"""

import difflib

HEADER = "# cdepends compatibility report, format 1"
VERBATIM = "| "
INDENT = "  "
#: How many lines of a changed verbatim block ``diff_reports`` shows.
BLOCK_DIFF_LINES = 40


class Item:
    """One report line and its children."""

    __slots__ = ("text", "children")

    def __init__(self, text, children=None):
        self.text = text
        self.children = children if children is not None else []

    @property
    def key(self):
        return self.text.partition(":")[0]

    @property
    def value(self):
        return self.text.partition(": ")[2]

    @property
    def ident(self):
        """What the line is about: the first word of its value, unless that
        is already an attribute (``name=value``: the key alone identifies
        the item); the whole line for notes and verbatim lines."""
        if self.key == "note" or self.text.startswith(VERBATIM):
            return self.text
        first = self.value.split(" ", 1)[0]
        return "" if "=" in first else first

    @property
    def attrs(self):
        return self.value[len(self.ident):].lstrip(" ")

    @property
    def identity(self):
        return (self.key, self.ident)

    def verbatim(self):
        """The verbatim block under this item (without the ``| `` marks)."""
        return [c.text[len(VERBATIM):] for c in self.children if c.text.startswith(VERBATIM)]

    def render(self, depth=0):
        lines = [INDENT * depth + self.text]
        for child in self.children:
            lines.extend(child.render(depth + 1))
        return lines

    def __eq__(self, other):
        return isinstance(other, Item) and self.render() == other.render()

    def __hash__(self):
        return hash(tuple(self.render()))


def parse_lines(lines):
    """Items from indented lines (relative indentation, as checkers return)."""
    root = Item("")
    stack = [(-1, root)]
    for line in lines:
        if not line.strip() or line.startswith("#"):
            continue
        stripped = line.lstrip(" ")
        depth = (len(line) - len(stripped)) // len(INDENT)
        while stack[-1][0] >= depth:
            stack.pop()
        item = Item(stripped)
        stack[-1][1].children.append(item)
        stack.append((depth, item))
    return root.children


def parse(text):
    """Top-level items of a report text (``child:`` and ``parent:`` items)."""
    return parse_lines(text.splitlines())


def sections(items):
    """``{parent name: Item}`` of the ``parent:`` items."""
    return dict((i.ident, i) for i in items if i.key == "parent")


def render(items):
    lines = [HEADER]
    for item in items:
        lines.extend(item.render())
    return "\n".join(lines) + "\n"


# -- explaining a difference -------------------------------------------------

def _diff_children(old, new, depth, out):
    old_by = {}
    for item in old:
        old_by.setdefault(item.identity, []).append(item)
    new_by = {}
    for item in new:
        new_by.setdefault(item.identity, []).append(item)
    pad = INDENT * depth
    order = sorted(set(old_by) | set(new_by), key=lambda k: (k[0] != "note", k))
    for ident in order:
        olds, news = old_by.get(ident, []), new_by.get(ident, [])
        if olds == news:
            continue
        if len(olds) == 1 and len(news) == 1:
            _diff_item(olds[0], news[0], depth, out)
            continue
        for item in olds:
            if item not in news:
                out.append(pad + "- " + item.text)
        for item in news:
            if item not in olds:
                out.append(pad + "+ " + item.text)


def _diff_item(old, new, depth, out):
    pad = INDENT * depth
    if old.attrs != new.attrs:
        out.append("%s~ %s: %s %s -> %s" % (pad, old.key, old.ident,
                                           old.attrs or "(none)", new.attrs or "(none)"))
    else:
        out.append("%s~ %s: %s" % (pad, old.key, old.ident))
    block_old, block_new = old.verbatim(), new.verbatim()
    if block_old != block_new:
        diff = list(difflib.unified_diff(block_old, block_new, "old", "new", n=1, lineterm=""))
        shown = diff[2:2 + BLOCK_DIFF_LINES]
        out.extend(pad + INDENT + line for line in shown)
        if len(diff) - 2 > len(shown):
            out.append("%s%s... %d more lines of the dump differ" % (
                pad, INDENT, len(diff) - 2 - len(shown)))
    rest_old = [c for c in old.children if not c.text.startswith(VERBATIM)]
    rest_new = [c for c in new.children if not c.text.startswith(VERBATIM)]
    _diff_children(rest_old, rest_new, depth + 1, out)


def diff_reports(old_text, new_text):
    """Explain why two reports differ, item by item; "" if they are equal.

    Lines start with ``-`` (only in the old report), ``+`` (only in the new
    one) or ``~`` (in both, changed: ``old attributes -> new attributes``,
    then what changed inside it).
    """
    if old_text == new_text:
        return ""
    out = []
    _diff_children(parse(old_text), parse(new_text), 0, out)
    if not out:
        out.append("~ the reports differ only in comments, order or layout")
    return "\n".join(out) + "\n"
