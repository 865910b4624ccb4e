# SPDX-License-Identifier: MIT
"""Entry points: build a report, adopt a baseline, compare two reports."""

from . import report
from .checkers import SUPERSET_REFUSED, checker_for, get_checker
from .errors import CompatError
from .inputs import ParentInput
from .report import Item, parse, parse_lines, render, sections
from .superset import section_superset


def scoped_uses(parents, uses, note=None):
    """``{parent name: UseSet}`` for the superset-mode parents judged in the
    ``child-uses`` scope, given the child's use set ``uses`` (``uses.scan``;
    None when its sources are not there). Without a bounded use set they
    are judged unscoped, and ``note`` hears it once."""
    scoped = [p.name for p in parents if p.mode == "superset" and p.scope == "child-uses"]
    if not scoped:
        return {}
    if uses is None or not uses.bounded:
        if note:
            note("CDEPENDS scope child-uses for %s: %s; judged by the whole interface instead"
                 % (", ".join(scoped), uses.why if uses is not None else
                    "the child's sources are not there (CDEPENDS_TASK_ORDER early?)"))
        return {}
    return dict((name, uses) for name in scoped)


def build_report(child, parents, tools=None, warn=None, log_dir=None, baseline=None, uses=None,
                 note=None):
    """The compatibility report of ``child`` against its CDEPENDS parents.

    ``parents``: :class:`ParentInput` objects. ``tools``: optional
    ``{tool name: path}``; ``"cpp"``: the child's preprocessor command line,
    with which headers are judged (see ``preprocess.py``). ``warn``: a callable taking one message string
    (for example ``bb.warn``); warnings never change the verdict in an
    unsafe direction. ``log_dir``: where ABI tools leave their reports.
    ``baseline``: the report this child was last built against; parents in
    superset mode then keep their baseline section when the new one is a
    compatible superset of it (see :func:`superset_report`).
    """
    if not child or any(c.isspace() for c in child):
        raise CompatError("child name %r is empty or has whitespace; pass the child's PN"
                          % (child,))
    if isinstance(parents, ParentInput) or not all(isinstance(p, ParentInput) for p in parents):
        raise CompatError("parents must be a list of ParentInput objects, one per CDEPENDS "
                          "parent")
    names = [p.name for p in parents]
    dup = sorted(set(n for n in names if names.count(n) > 1))
    if dup:
        raise CompatError("parent %s listed twice; list each CDEPENDS parent once" % dup[0])
    items = [Item("child: " + child)]
    for parent in sorted(parents, key=lambda p: p.name):
        parent.validate()
        checker = checker_for(parent, tools, warn, log_dir)
        lines = ["checker: " + checker.name, "mode: " + parent.mode]
        if checker.uses_release_metadata:
            lines.append("release-metadata: " + parent.release_metadata)
        if parent.globs:
            lines.append("globs: " + " ".join(parent.globs))
        lines += checker.report(parent)
        items.append(Item("parent: " + parent.name, parse_lines(lines)))
    text = render(items)
    if baseline is not None:
        text = superset_report(baseline, text, tools=tools, warn=warn, log_dir=log_dir,
                               uses=scoped_uses(parents, uses, note), note=note)
    return text


def _setting(section, key):
    for item in section.children:
        if item.key == key:
            return item.ident
    return None


def superset_report(baseline_text, new_text, tools=None, warn=None, log_dir=None, uses=None,
                    note=None):
    """``new_text`` with each superset-mode parent section replaced by its
    baseline section when the new one is a compatible superset of it.
    ``uses``: ``{parent name: UseSet}`` (:func:`scoped_uses`) of the parents
    judged only in what the child reaches; ``note`` hears what changed
    unreached when such a parent is kept.

    Hash equivalence then sees the baseline text and restores the child that
    was built against it. Any incompatibility, tool error or unreadable
    baseline keeps the new section, so the child is rebuilt.
    """
    if not baseline_text.startswith(report.HEADER):
        if warn and baseline_text.strip():
            warn("baseline is not a compatibility report of this format; ignoring it")
        return new_text
    old = sections(parse(baseline_text))
    out = []
    for item in parse(new_text):
        base = old.get(item.ident) if item.key == "parent" else None
        refused = any(c.text == SUPERSET_REFUSED for c in item.children)
        if base is not None and _setting(item, "mode") == "superset" and base != item \
                and not refused:
            if _setting(base, "checker") == _setting(item, "checker") and \
                    _setting(base, "mode") == "superset":
                ignored = []
                try:
                    checker = get_checker(_setting(item, "checker"), tools, warn, log_dir)
                    ok, reason = section_superset(base, item, checker,
                                                  (uses or {}).get(item.ident), ignored)
                except CompatError as err:
                    ok, reason = False, str(err)
            else:
                ok, reason, ignored = False, "checker or mode changed", []
            if ok:
                if ignored and note:
                    note("parent %s: compatible for this child; changed, but out of reach of "
                         "its sources: %s" % (item.ident, "; ".join(ignored[:8]) +
                                              (" ..." if len(ignored) > 8 else "")))
                item = base
            elif warn:
                warn("parent %s: not a compatible superset of the baseline (%s); "
                     "the child is rebuilt" % (item.ident, reason))
        out.append(item)
    return render(out)

