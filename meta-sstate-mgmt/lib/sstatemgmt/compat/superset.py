# SPDX-License-Identifier: MIT
"""Compatible-superset comparison of two report sections.

A section is a compatible superset of its baseline when everything the
baseline described is still there, unchanged, and the only differences are
additions the child cannot have depended on:

* exported symbols and version nodes may be added (``symbol``, ``verdef``);
* required, unversioned symbols may go away (``undefined``), not appear;
* a header may gain declarations, with its directives unchanged and every
  old declaration still present, in order, in the same scope and between
  the same directives; a preprocessed header (``preprocess.py``) may gain
  macros and declarations, add ``const`` to parameters and append
  enumerators, with every old macro and ``__cplusplus`` group unchanged;
* the checker's tool accepts its verbatim blocks (``abidiff`` exit status 0
  or a report of additions only; ``abi-compliance-checker -strict`` exit 0).

Everything else (files, links, SONAME, NEEDED, checker options) must be
identical, and no file, header or library may appear or disappear.

With the child's use set (the ``child-uses`` scope, ``uses.py``), a
preprocessed header counts only in what the child reaches, and CMake
package files only if the child's build can read them; nothing else is
scoped.
"""

from . import cheaders, preprocess
from .report import VERBATIM

#: key -> rule for the lines inside a library item.
_GROW = frozenset(("symbol", "verdef"))
_SHRINK = frozenset(("undefined",))


def _by_identity(items):
    grouped = {}
    for item in items:
        if item.key != "note":
            grouped.setdefault(item.identity, []).append(item)
    return grouped


def _cmake(items):
    return bool(items) and all(i.key == "file" and i.text.endswith(" cmake") for i in items)


def section_superset(old, new, checker, uses=None, ignored=None):
    """``(True, "")`` if parent section ``new`` only adds to ``old``, else
    ``(False, reason)``. ``checker`` judges its own verbatim blocks.
    ``uses``: the child's bounded ``uses.UseSet`` (``child-uses`` scope),
    or None; ``ignored`` (a list) then receives what changed unreached."""
    olds, news = _by_identity(old.children), _by_identity(new.children)
    for ident in sorted(set(olds) | set(news)):
        o, n = olds.get(ident, []), news.get(ident, [])
        what = " ".join(filter(None, ident))
        if o == n:
            continue
        if uses is not None and not uses.cmake and _cmake(o + n):
            # CMake package files are read by CMake (and by meson's
            # dependency()); a child whose build is neither cannot see them.
            if ignored is not None:
                ignored.append(what)
            continue
        if not o or not n:
            return False, "%s %s" % (what, "appeared" if n else "disappeared")
        if len(o) != 1 or len(n) != 1:
            if o != n:
                return False, "%s changed" % what
            continue
        if ident[0] == "library":
            ok, reason = _library_superset(o[0], n[0], checker, new)
        elif ident[0] in checker.superset_blocks:
            ok, reason = _block_superset(o[0], n[0], checker, new)
        elif ident[0] == "header":
            ok, reason = _header_superset(o[0], n[0], uses, ignored)
        else:
            ok, reason = o[0] == n[0], "changed"
        if not ok:
            return False, "%s: %s" % (what, reason)
    return True, ""


def _library_superset(old, new, checker, section):
    if old.text != new.text:
        return False, "renamed"
    keys = set(c.key for c in old.children + new.children if not c.text.startswith(VERBATIM))
    for key in sorted(keys):
        o = [c for c in old.children if c.key == key]
        n = [c for c in new.children if c.key == key]
        if key in _GROW:
            gone = set(c.text for c in o) - set(c.text for c in n)
            if gone:
                return False, "removed or changed: " + ", ".join(sorted(gone))
        elif key in _SHRINK:
            new_needs = set(c.text for c in n) - set(c.text for c in o)
            if new_needs:
                return False, "now requires: " + ", ".join(sorted(new_needs))
        elif key in checker.superset_blocks:
            if len(o) != 1 or len(n) != 1:
                return False, "%s present in only one report" % key
            ok, reason = _block_superset(o[0], n[0], checker, section)
            if not ok:
                return False, reason
        elif o != n:
            return False, "%s differs" % key
    return True, ""


def _block_superset(old, new, checker, section):
    if old == new or checker.block_superset(old.key, old.verbatim(), new.verbatim(), section):
        return True, ""
    return False, "%s says the new ABI is not a compatible superset" % checker.name


def _header_superset(old, new, uses=None, ignored=None):
    if old.text != new.text:
        return False, "changed"
    views = [[c for c in item.children if c.key == "view"] for item in (old, new)]
    if views[0] or views[1]:
        if len(views[0]) != 1 or len(views[1]) != 1:
            return False, "judged by its tokens in one report, preprocessed in the other"
        if views[0][0] == views[1][0]:
            return True, ""
        skipped = []
        ok, reason = preprocess.view_superset(views[0][0].verbatim(), views[1][0].verbatim(),
                                              uses, skipped)
        if ok and ignored is not None:
            ignored.extend("%s: %s" % (new.text.split(": ", 1)[1], s) for s in skipped)
        return ok, reason

    def split(item):
        directives = [c.text for c in item.children if c.key == "directives"]
        decls = [c.text for c in item.children if c.key == "decl"]
        return directives, decls
    if old.text != new.text:
        return False, "changed"
    old_dirs, old_decls = split(old)
    new_dirs, new_decls = split(new)
    if old_dirs != new_dirs:
        return False, "preprocessor directives changed (macros, includes or conditions)"
    if not cheaders.is_subsequence(old_decls, new_decls):
        return False, "a declaration changed, moved or was removed"
    return True, ""
