# SPDX-License-Identifier: MIT
"""Every checker, mode and settings profile over the pairs.

The child ("consumer") is built against version N; the parent then becomes
N+1. As ``do_cache_compatibility`` does, the checker writes a report of the
parent's staged tree for each; equal reports mean the child is **reused**,
different ones that it is **rebuilt**. In superset mode the N+1 report is
written with the N report as its baseline. Every report runs in a worker
process (worker.py) with a time limit; one that exceeds it is killed with
its process group and the verdict is **timeout** (inside a build, that
report would have hung the task). A report that raises is an **error**.

The seconds of a verdict are those of the N+1 report: what the compat task
costs when the parent changes (the N report was written when the child was
built).
"""

import hashlib
import json
import os
import re
import sys
import threading
import time
from collections import namedtuple
from concurrent.futures import ThreadPoolExecutor

from . import manifest, procs

WORKER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "worker.py")
TESTS_UNIT = os.path.join(manifest.REPO, "tests", "unit")
DEFAULT_LAYER_LIB = os.path.join(manifest.REPO, "meta-sstate-mgmt", "lib")
DEFAULT_TIMEOUT = 240
#: Seconds between two progress lines of a long run.
PROGRESS_EVERY = 60

if TESTS_UNIT not in sys.path:
    sys.path.insert(0, TESTS_UNIT)
import compat_support as cs  # noqa: E402  (the synthetic corpus's columns and tool checks)
from sstatemgmt.compat import diff_reports  # noqa: E402  (explanations only, see why())


class Column(namedtuple("Column", "checker mode profile")):
    """One way of judging: a checker, a mode, a settings profile."""

    @property
    def name(self):
        return cs.column_name(self.checker, self.mode)


def columns(checkers=None, modes=None, profiles=("default",), profile_modes=None):
    """The columns to run, cheapest checker first, as in the ABI corpus matrix.
    A checker the ABI corpus does not know gets both modes. ``profile_modes``:
    {profile: modes} for profiles that apply to some modes only."""
    # The ABI corpus's scoped pseudo-mode is a settings profile here.
    known = [c for c, _m in cs.COLUMNS]
    wanted = list(checkers) if checkers else list(dict.fromkeys(known))
    pairs = [(c, m) for c, m in cs.COLUMNS if c in wanted and m in ("exact", "superset")]
    pairs += [(c, m) for c in wanted if c not in known for m in ("exact", "superset")]
    if modes:
        pairs = [(c, m) for c, m in pairs if m in modes]
    profile_modes = profile_modes or {}
    return [Column(c, m, p) for p in profiles for c, m in pairs
            if m in profile_modes.get(p, (m,))]


def missing_tools(column):
    return cs.missing_tools(column.checker)


class Judge:
    """Runs the reports of a set of pairs; see :meth:`run`."""

    def __init__(self, work, layer_lib=DEFAULT_LAYER_LIB, profiles=None, timeout=DEFAULT_TIMEOUT,
                 jobs=2, log=None):
        self.work = work
        self.layer_lib = os.path.abspath(layer_lib)
        self.profiles = profiles or {"default": {}}
        self.timeout = timeout
        self.jobs = jobs
        self.log = log or (lambda msg: None)
        self._lock = threading.Lock()
        self._progress = {"done": 0, "total": 0, "timeout": 0, "error": 0, "last": 0.0}

    def _count(self, result):
        """Log a progress line now and then (a full run takes hours)."""
        with self._lock:
            p = self._progress
            p["done"] += 1
            if result["status"] in ("timeout", "error"):
                p[result["status"]] += 1
            now = time.monotonic()
            if now - p["last"] >= PROGRESS_EVERY or p["done"] == p["total"]:
                p["last"] = now
                self.log("reports: %d of %d written, %d timed out, %d failed"
                         % (p["done"], p["total"], p["timeout"], p["error"]))

    def _report(self, tree, column, baseline=None):
        """Write one report in a worker; returns a dict: status (ok, timeout,
        error), path, seconds, warnings, error."""
        spec = {"layer_lib": self.layer_lib, "tests_unit": TESTS_UNIT, "name": tree.version.lib.name,
                "root": tree.root, "checker": column.checker, "mode": column.mode,
                "options": manifest.parent_options(self.profiles[column.profile]),
                "baseline": baseline,
                # The consumer is the child: its source is the child's source tree.
                "child_sources": [tree.version.lib.consumer]}
        key = hashlib.sha256(json.dumps(dict(spec, tree=tree.key), sort_keys=True).encode()
                             ).hexdigest()[:20]
        base = os.path.join(self.work, key)
        spec.update(out=base + ".txt", result=base + ".json", log_dir=base + ".logs")
        with open(base + ".spec", "w") as f:
            json.dump(spec, f)
        res = procs.run([sys.executable, WORKER, base + ".spec"], self.timeout)
        out = self._result(res, spec)
        self._count(out)
        return out

    def _result(self, res, spec):
        if res.timed_out:
            return {"status": "timeout", "path": None, "seconds": res.seconds, "warnings": [],
                    "error": "killed after %d s" % self.timeout}
        try:
            with open(spec["result"]) as f:
                out = json.load(f)
        except (OSError, ValueError):
            tail = (res.stderr.strip().splitlines() or ["exit status %d" % res.returncode])[-1]
            return {"status": "error", "path": None, "seconds": res.seconds, "warnings": [],
                    "error": "worker died: " + tail}
        out["status"] = "error" if out["error"] else "ok"
        out["path"] = None if out["error"] else spec["out"]
        return out

    def run(self, pairs, trees, cols):
        """{(pair id, column): verdict dict} for every pair and column;
        ``trees`` maps (library, version id) to built trees.

        Phase 1 writes every report without a baseline (each version once
        per column); phase 2 writes the superset reports of the new sides,
        against the old side's report.
        """
        os.makedirs(self.work, exist_ok=True)
        first = {}
        for pair in pairs:
            for col in cols:
                first[(pair.old.id, pair.lib.name, col)] = trees[(pair.lib.name, pair.old.id)]
                if col.mode == "exact":
                    first[(pair.new.id, pair.lib.name, col)] = trees[(pair.lib.name, pair.new.id)]
        second_total = sum(1 for c in cols if c.mode == "superset") * len(pairs)
        self._progress["total"] = len(first) + second_total
        self.log("writing %d reports (%d columns, at most %d s each)"
                 % (self._progress["total"], len(cols), self.timeout))
        done = {}
        with ThreadPoolExecutor(self.jobs) as pool:
            futures = dict((k, pool.submit(self._report, tree, k[2])) for k, tree in first.items())
            for k, fut in futures.items():
                done[k] = fut.result()
            second = {}
            for pair in pairs:
                for col in cols:
                    old = done[(pair.old.id, pair.lib.name, col)]
                    if old["status"] != "ok":
                        continue
                    if col.mode == "superset":
                        second[(pair.id, col)] = pool.submit(
                            self._report, trees[(pair.lib.name, pair.new.id)], col, old["path"])
            self._progress["total"] -= second_total - len(second)
            later = dict((k, f.result()) for k, f in second.items())
        verdicts = {}
        for pair in pairs:
            for col in cols:
                old = done[(pair.old.id, pair.lib.name, col)]
                new = later.get((pair.id, col)) or done.get((pair.new.id, pair.lib.name, col))
                verdicts[(pair.id, col)] = _verdict(old, new)
        return verdicts


def _read(path):
    with open(path) as f:
        return f.read()


def _verdict(old, new):
    """Reuse when both reports exist and are equal; otherwise why not."""
    warnings = list(dict.fromkeys(old["warnings"] + (new["warnings"] if new else [])))
    if old["status"] != "ok":
        return {"verdict": old["status"], "seconds": old["seconds"], "warnings": warnings,
                "error": "old side: %s" % old["error"], "why": None}
    if new["status"] != "ok":
        return {"verdict": new["status"], "seconds": new["seconds"], "warnings": warnings,
                "error": new["error"], "why": None}
    old_text, new_text = _read(old["path"]), _read(new["path"])
    return {"verdict": "reuse" if old_text == new_text else "rebuild", "seconds": new["seconds"],
            "warnings": warnings, "error": None, "why": why(old_text, new_text)}


def why(old_text, new_text):
    """What differs between two reports, counted by report key
    (``~header 1, ~file 1, +symbol 4``); "" when they are equal. Only an
    explanation: the verdict is the comparison itself."""
    counts = {}
    for line in diff_reports(old_text, new_text).splitlines():
        m = re.match(r"^\s*([~+-]) ([A-Za-z][\w-]*):", line)
        if m and (m.group(2) not in ("parent", "library") or
                  (m.group(2) == "library" and m.group(1) != "~")):
            key = m.group(1) + m.group(2)
            counts[key] = counts.get(key, 0) + 1
    return ", ".join("%s %d" % kv for kv in sorted(counts.items()))
