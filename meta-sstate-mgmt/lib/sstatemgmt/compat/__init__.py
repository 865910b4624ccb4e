# SPDX-License-Identifier: MIT
"""Compatibility reports for CDEPENDS (plain Python, no bb or oe imports).

A child recipe lists some parents in ``CDEPENDS``. Its small sstate task
``do_cache_compatibility`` writes a report of what the child can use from
those parents; hash equivalence maps equal reports to one unihash, so the
child is restored from sstate when the report is unchanged and rebuilt when
it differs. The report is deterministic: byte-identical for equal input,
different for any change that could break the child.

API (what the BitBake task calls)::

    from sstatemgmt.compat import ParentInput, build_report, CompatError

    parents = [ParentInput("libfoo", "/path/to/libfoo/sysroot-component",
                           checker="elf-interface",   # see CHECKERS
                           globs=None,                # fnmatch on relative paths
                           suppressions=None,         # abidiff only
                           debug_dirs=None,           # abidiff only
                           mode="exact",              # or "superset"
                           release_metadata="ignore")]  # or "strict"
    try:
        text = build_report("gadget", parents, tools=None, warn=bb.warn,
                            log_dir=d.getVar("T"), baseline=previous_or_None)
    except CompatError as err:
        bb.fatal(str(err))

* ``build_report(child, parents, tools=None, warn=None, log_dir=None,
  baseline=None) -> str``: the report text. ``tools`` maps tool names
  (``abidw``, ``abidiff``, ``abi-compliance-checker``, ``gcc``) to paths,
  and ``cpp`` to the child's preprocessor command line (headers are then
  judged as it sees them, ``preprocess.py``; without it, by their tokens);
  ``warn(message)`` receives one-line warnings (missing debug info, a tool
  that could not judge a library, a superset refused); ``log_dir`` receives
  the ABI tools' own reports; ``baseline`` is the report the child was last
  built against (needed for ``mode="superset"``, ignored otherwise).
* ``superset_report(baseline_text, new_text, tools=None, warn=None,
  log_dir=None) -> str``: the superset step on its own.
* ``diff_reports(old_text, new_text) -> str``: why two reports differ
  ("" if equal); ``scripts/cdepends-report-diff OLD NEW`` prints it.
* ``baseline_or_full(baseline, full, ...) -> (text, canonical)``: what a
  child with superset-mode parents emits: the whole baseline or the full
  report (``baseline.py``; ``BaselineStore`` and ``child_key`` say where
  the BitBake side keeps baselines).
* ``CompatError``: bad input or a missing tool; one-line message with the fix.
* ``CHECKERS``: the registry, ``{name: class}``; a checker class has
  ``report(parent) -> list of lines``. Add one with ``@register``.

Checkers: ``checksum``, ``elf-interface`` (default), ``abidiff``,
``abi-compliance-checker``; see docs/cdepends-checkers.md for what each
sees, what it costs and the verdict matrix.

Report format: a header comment, ``child: NAME``, then one ``parent: NAME``
section per parent (sorted), each with ``checker:``, ``mode:`` and its
items, two spaces of indent per level (grammar in ``report.py``)::

    # cdepends compatibility report, format 1
    child: gadget
    parent: libfoo
      checker: elf-interface
      mode: exact
      note: covered by checksum, no checker can judge them: 1 static-archive
      library: usr/lib/libfoo.so.1
        soname: libfoo.so.1
        needed: libc.so.6
        verdef: LIBFOO_1.0
        symbol: foo_add@@LIBFOO_1.0 FUNC GLOBAL
        symbol: foo_table@@LIBFOO_1.0 OBJECT GLOBAL size=16
      link: usr/lib/libfoo.so -> usr/lib/libfoo.so.1
      header: usr/include/foo.h preprocessed=3f1c...
      file: usr/lib/libfoo.a sha256=9b0e... static-archive

Superset mode (opt-in per parent): when the parent's new interface only
adds to the one in ``baseline`` (see ``superset.py`` for the exact rules),
the parent's section is the baseline's, byte for byte, so the child built
against the baseline is reused. The risk: the reused child is the one built
against the older interface; a rebuild might have configured itself
differently (feature checks that now find a new function).
"""

from .api import build_report, scoped_uses, superset_report
from .baseline import BaselineStore, baseline_or_full, child_key
from .checkers import CHECKERS, check_options, register
from .errors import CompatError, OptionError
from .inputs import MODES, SCOPES, ParentInput
from .release import POLICIES as RELEASE_METADATA
from .report import diff_reports
from .uses import UseSet, scan as scan_uses

__all__ = ["BaselineStore", "CHECKERS", "CompatError", "MODES", "OptionError", "ParentInput",
           "RELEASE_METADATA", "SCOPES", "UseSet", "baseline_or_full", "build_report",
           "check_options", "child_key", "diff_reports", "register", "scan_uses", "scoped_uses",
           "superset_report"]
