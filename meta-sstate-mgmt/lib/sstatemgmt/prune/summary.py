# SPDX-License-Identifier: MIT
"""The structured result of a prune run (``Summary``) and its renderings.

``Summary.asdict()`` / ``to_json()`` follow the schema documented in
docs/pruning.md ("JSON summary"), identified by ``"schema":
"sstate-prune-summary/1"``.  In a dry run, "removed" means "would be removed".
"""

from .names import printable
from .baselines import format_lines as baselines_lines

SCHEMA = "sstate-prune-summary/1"
MAX_LISTED = 1000


def fmt_bytes(n):
    if n is None:
        return "size not measured"
    n = float(n)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if abs(n) < 1024 or unit == "TiB":
            return ("%d %s" % (n, unit)) if unit == "B" else ("%.1f %s" % (n, unit))
        n /= 1024.0
    return "%.1f TiB" % n


def _fb(files=0, bytes_=0, **extra):
    d = {"files": files, "bytes": bytes_}
    d.update(extra)
    return d


class Summary:
    """What a run found, kept, removed (or would remove) and why."""

    def __init__(self, cache_dir, dry_run, policies):
        self.cache_dir = cache_dir
        self.dry_run = dry_run
        self.policies = policies            # the options that were in force
        self.aborted = False                # the confirmation said no
        self.interrupted = False            # SIGINT while deleting: the rest was left
        self.scan = {}
        self.roots = {}
        self.keep_hashes = None             # {"hashes", "matched_units"} when keep hashes were given
        self.removed = _fb()
        self.kept = _fb()
        # False when the scan read directories only: the sizes of files no
        # policy looked at are unknown, and the totals that need them
        # (scan bytes, kept bytes) are None, not 0.
        self.bytes_measured = True
        self.by_policy = {}
        self.protected = {"roots": _fb(), "grace": _fb()}
        self.skipped = {"changed": _fb(units=0), "vanished_files": 0}
        self.size_budget = None
        self.baselines = None               # CDEPENDS superset baselines (baselines.py), when asked
        self.top_recipes = []
        self.errors = []                    # {"path", "error", "phase"}
        self.unknown = []                   # {"path", "reason"} (first MAX_LISTED)
        self.unknown_count = 0
        self.timings = {}
        # How to ask for the unmeasured sizes, in the caller's terms (the
        # script's option; the bbclass says its variable).
        self.stat_all_hint = "--stat-all"
        self.removed_paths = []             # relative paths (planned in a dry run)
        # unihashes of the objects left in the cache: computed on first use
        # from the scan, which the summary keeps (see kept_unihashes)
        self._kept_unihashes = set()
        self._kept_units = None

    @property
    def kept_unihashes(self):
        """Unihashes of the objects left in the cache (computed on first use)."""
        if self._kept_units is not None:
            self._kept_unihashes = set(self._kept_units())
            self._kept_units = None
        return self._kept_unihashes

    def set_kept_units(self, fn):
        """``fn()`` yields the unihashes of the objects left in the cache.

        It is called at most once, when :attr:`kept_unihashes` is first
        read; until then it holds the scan, so that freeing a million
        units is left to the caller's exit (which the script skips)."""
        self._kept_units = fn

    def asdict(self, paths=False):
        d = {
            "schema": SCHEMA,
            "cache_dir": self.cache_dir,
            "dry_run": self.dry_run,
            "aborted": self.aborted,
            "interrupted": self.interrupted,
            "policies": self.policies,
            "bytes_measured": self.bytes_measured,
            "scan": self.scan,
            "roots": self.roots,
            "keep_hashes": self.keep_hashes,
            "removed": self.removed,
            "kept": self.kept,
            "by_policy": self.by_policy,
            "protected": self.protected,
            "skipped": self.skipped,
            "size_budget": self.size_budget,
            "baselines": self.baselines,
            "top_recipes": self.top_recipes,
            "errors": self.errors[:MAX_LISTED],
            "error_count": len(self.errors),
            "unknown": self.unknown[:MAX_LISTED],
            "unknown_count": self.unknown_count,
            "timings": self.timings,
        }
        if paths:
            d["removed_paths"] = self.removed_paths
        return d

    def to_json(self, paths=False, indent=1):
        """The JSON summary: ASCII, names escaped (:func:`names.printable`), never NaN."""
        import json                              # only with --json: kept off the start-up path
        return json.dumps(_printable_tree(self.asdict(paths)), indent=indent, sort_keys=False,
                          allow_nan=False)

    def format_human(self, verbose=False, planned=False):
        """A few lines for people: totals, per policy, top recipes, problems.

        ``planned``: the summary is a plan shown before deleting.
        """
        verb = "would remove" if self.dry_run or self.aborted or planned else "removed"
        s = self.scan
        lines = [
            "scanned %d files (%s) in %d dirs in %.1fs: %d objects, %d siginfo-only, "
            "%d orphan companions, %d temporary, %d unknown"
            % (s.get("files", 0), fmt_bytes(s.get("bytes", 0)) if self.bytes_measured else "sizes not measured",
               s.get("dirs", 0), s.get("seconds", 0.0),
               s.get("objects", {}).get("units", 0), s.get("siginfo_only", {}).get("units", 0),
               s.get("orphans", {}).get("units", 0), s.get("temporary", {}).get("files", 0),
               self.unknown_count),
            "%s %d files (%s), kept %d files (%s)"
            % (verb, self.removed["files"], fmt_bytes(self.removed["bytes"]),
               self.kept["files"], fmt_bytes(self.kept["bytes"])
               if self.kept["bytes"] is not None else "size not measured: " + self.stat_all_hint),
        ]
        if self.roots and not self.roots.get("matched_units"):
            lines.append("warning: the roots reference none of the entries of this cache: nothing is protected")
        for r in (self.roots or {}).get("roots", ()):
            if r["errors"]:
                lines.append("warning: root %s could not be read completely (%d problems, first: %s: %s)"
                             % (r["path"], len(r["errors"]), r["errors"][0]["path"], r["errors"][0]["error"]))
        if self.keep_hashes and not self.keep_hashes["matched_units"]:
            lines.append("warning: the keep hashes match none of the entries of this cache")
        for name, v in self.by_policy.items():
            lines.append("  %-13s %s %d files (%s)" % (name + ":", verb, v["files"], fmt_bytes(v["bytes"])))
        for name, v in self.protected.items():
            if v["files"]:
                lines.append("  kept by %s: %d files (%s) that a policy selected"
                             % (name, v["files"], fmt_bytes(v["bytes"])))
        if self.skipped["changed"]["files"]:
            lines.append("  kept %d files used or rewritten during the run"
                         % self.skipped["changed"]["files"])
        if self.skipped["vanished_files"]:
            lines.append("  %d files vanished before we deleted them" % self.skipped["vanished_files"])
        if self.size_budget:
            b = self.size_budget
            lines.append("  size budget %s: %s after pruning%s"
                         % (fmt_bytes(b["max_bytes"]), fmt_bytes(b["bytes_after"]),
                            "" if b["reached"] else " (NOT reached: the rest is protected)"))
        lines.extend(baselines_lines(self.baselines, fmt_bytes))
        if self.top_recipes:
            lines.append("top recipes (%s): %s" % (verb, ", ".join(
                "%s %s" % (r["pn"], fmt_bytes(r["bytes"])) for r in self.top_recipes[: 10 if verbose else 5])))
        if self.unknown_count:
            lines.append("%d unknown entries left alone%s" % (
                self.unknown_count, "" if verbose else " (-v lists them)"))
            if verbose:
                lines.extend("  ? %s: %s" % (u["path"], u["reason"]) for u in self.unknown)
        if self.errors:
            lines.append("%d errors%s" % (len(self.errors), "" if verbose else " (-v lists them)"))
            for e in self.errors[: None if verbose else 3]:
                lines.append("  ! %s: %s (%s)" % (e["path"], e["error"], e["phase"]))
        if self.interrupted:
            lines.append("interrupted: the deletion stopped early; what is listed as removed is gone")
        return "\n".join(printable(line) for line in lines)


def _printable_tree(value):
    """``value`` (the summary's dict) with every string made printable."""
    if isinstance(value, str):
        return printable(value)
    if isinstance(value, dict):
        return {printable(k) if isinstance(k, str) else k: _printable_tree(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_printable_tree(v) for v in value]
    return value
