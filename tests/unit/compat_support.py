# SPDX-License-Identifier: MIT
"""Test support for sstatemgmt.compat: import path, corpus build, oracle,
verdict matrix.

The ABI corpus (tests/abi-corpus/<case>/) holds, per case, ``old/`` and
``new/`` library sources (``corpus.h`` plus ``corpus.c`` or ``corpus.cpp``,
optionally a ``corpus.map`` version script), a ``child.c``/``child.cpp``
that uses the library, and ``case.ini`` with the expected verdict.

Regenerate docs/abi-verdict-matrix.md with::

    python3 tests/unit/compat_support.py docs/abi-verdict-matrix.md
"""

import configparser
import os
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LIB = os.path.join(REPO, "meta-sstate-mgmt", "lib")
if LIB not in sys.path:
    sys.path.insert(0, LIB)

from sstatemgmt.compat import ParentInput, build_report  # noqa: E402

CORPUS = os.path.join(REPO, "tests", "abi-corpus")
#: (checker, mode) columns of the verdict matrix, cheapest first.
COLUMNS = [
    ("checksum", "exact"),
    ("elf-interface", "exact"),
    ("elf-interface", "superset"),
    ("abidiff", "exact"),
    ("abidiff", "superset"),
    ("abi-compliance-checker", "exact"),
    ("abi-compliance-checker", "superset"),
]
#: Host tools each checker needs besides the compilers.
CHECKER_TOOLS = {
    "abidiff": ("abidw", "abidiff"),
    "abi-compliance-checker": ("abi-compliance-checker",),
}
WORKERS = 2


def column_name(checker, mode):
    return checker if mode == "exact" else "%s superset" % checker


def missing_tools(checker):
    """Names of host tools ``checker`` needs that are not on PATH."""
    return [t for t in CHECKER_TOOLS.get(checker, ()) if not shutil.which(t)]


class Case:
    def __init__(self, name):
        self.name = name
        self.dir = os.path.join(CORPUS, name)
        meta = configparser.ConfigParser()
        meta.read(os.path.join(self.dir, "case.ini"))
        sec = meta["case"]
        self.verdict = sec["verdict"]
        self.lang = sec["lang"]
        self.summary = sec["summary"]
        self.meta = sec
        self.ext = "cpp" if self.lang == "c++" else "c"
        self.compiler = "g++" if self.lang == "c++" else "gcc"

    def soname(self, side):
        return self.meta.get("soname." + side, "libcorpus.so.1")

    def libs(self, side):
        return self.meta.get("libs." + side, "").split()

    def __repr__(self):
        return self.name


def discover():
    return [Case(n) for n in sorted(os.listdir(CORPUS))
            if os.path.isfile(os.path.join(CORPUS, n, "case.ini"))]


def _run(argv, **kw):
    return subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, **kw)


def _check(argv, **kw):
    proc = _run(argv, **kw)
    if proc.returncode:
        raise RuntimeError("%s failed: %s" % (" ".join(argv), proc.stderr.strip()))
    return proc


class Built:
    """One case, built: roots (staged parent files) and the oracle verdict."""

    def __init__(self, case, work):
        self.case = case
        self.work = os.path.join(work, case.name)
        self.roots = {}
        self.children = {}
        self.child_errors = {}

    def build(self):
        for side in ("old", "new"):
            self.roots[side] = self._build_library(side)
            self.children[side] = self._build_child(side)
        self.oracle = self._oracle()
        return self

    def _build_library(self, side):
        case = self.case
        root = os.path.join(self.work, side, "root")
        inc = os.path.join(root, "usr", "include")
        lib = os.path.join(root, "usr", "lib")
        os.makedirs(inc)
        os.makedirs(lib)
        src_dir = os.path.join(case.dir, side)
        shutil.copy(os.path.join(src_dir, "corpus.h"), inc)
        soname = case.soname(side)
        # The real file name changes between sides, as with a version bump.
        real = "%s.%s" % (soname, "0" if side == "old" else "1")
        argv = [case.compiler, "-g", "-O2", "-fPIC", "-shared", "-I", src_dir,
                "-Wl,-soname," + soname, os.path.join(src_dir, "corpus." + case.ext),
                "-o", os.path.join(lib, real)]
        vscript = os.path.join(src_dir, "corpus.map")
        if os.path.exists(vscript):
            argv.append("-Wl,--version-script=" + vscript)
        _check(argv + case.libs(side), cwd=os.path.join(self.work, side))
        os.symlink(real, os.path.join(lib, soname))
        os.symlink(soname, os.path.join(lib, "libcorpus.so"))
        return root

    def _build_child(self, side):
        root = self.roots[side]
        exe = os.path.join(self.work, side, "child")
        proc = _run([self.case.compiler, "-g", "-O0", "-I", os.path.join(root, "usr", "include"),
                     os.path.join(self.case.dir, "child." + self.case.ext),
                     "-L", os.path.join(root, "usr", "lib"), "-lcorpus", "-o", exe])
        if proc.returncode:
            self.child_errors[side] = proc.stderr.strip().splitlines()[-1:]
            return None
        return exe

    def run_child(self, child_side, lib_side):
        env = dict(os.environ, LD_LIBRARY_PATH=os.path.join(self.roots[lib_side], "usr", "lib"))
        proc = _run([self.children[child_side]], env=env, timeout=30)
        return proc.returncode, proc.stdout

    def _oracle(self):
        """Execution oracle: the child built against old, run against new,
        behaves as the child rebuilt against new (which must build)."""
        if self.children["old"] is None:
            raise RuntimeError("%s: the child does not build against old: %s"
                               % (self.case, self.child_errors["old"]))
        base = self.run_child("old", "old")
        if base[0] != 0:
            raise RuntimeError("%s: the child fails against old: %r" % (self.case, base))
        if self.children["new"] is None:
            self.oracle_detail = "child no longer builds against new: %s" % self.child_errors["new"]
            return "incompatible"
        ref = self.run_child("new", "new")
        mixed = self.run_child("old", "new")
        self.oracle_detail = "old child on new: %r, rebuilt child: %r" % (mixed, ref)
        return "compatible" if mixed == ref else "incompatible"


def build_corpus(work, cases=None):
    """Build every case (2 workers); returns {name: Built}."""
    cases = cases or discover()
    with ThreadPoolExecutor(WORKERS) as pool:
        built = list(pool.map(lambda c: Built(c, work).build(), cases))
    return dict((b.case.name, b) for b in built)


class Verdict:
    def __init__(self, reuse, seconds, warnings):
        self.reuse = reuse
        self.seconds = seconds  # per library, both sides averaged
        self.warnings = warnings


def judge(built, checker, mode, log_dir=None):
    """Run ``checker`` in ``mode`` over one built case: reuse or rebuild?"""
    warnings = []

    def report(side, baseline=None):
        parent = ParentInput("libcorpus", built.roots[side], checker=checker, mode=mode)
        return build_report("child", [parent], warn=warnings.append, baseline=baseline,
                            log_dir=log_dir)
    t0 = time.perf_counter()
    old = report("old")
    t1 = time.perf_counter()
    new = report("new", baseline=old if mode == "superset" else None)
    t2 = time.perf_counter()
    return Verdict(new == old, ((t1 - t0) + (t2 - t1)) / 2, warnings)


def judge_all(corpus, columns=COLUMNS):
    """{(case, checker, mode): Verdict} for every column whose tools exist."""
    jobs = [(name, c, m) for name in sorted(corpus) for c, m in columns if not missing_tools(c)]
    with ThreadPoolExecutor(WORKERS) as pool:
        results = pool.map(lambda j: judge(corpus[j[0]], j[1], j[2]), jobs)
        return dict(zip(jobs, results))


def classify(case, verdict):
    """"unsafe" (reused, but the change breaks the child), "needless"
    (rebuilt, but compatible), or "ok"."""
    if verdict.reuse and case.verdict == "incompatible":
        return "unsafe"
    if not verdict.reuse and case.verdict == "compatible":
        return "needless"
    return "ok"


def render_matrix(corpus, verdicts, columns=COLUMNS):
    """The verdict matrix as Markdown."""
    cols = [(c, m) for c, m in columns if not missing_tools(c)]
    out = ["<!-- SPDX-License-Identifier: MIT -->",
           "# ABI corpus verdict matrix",
           "",
           "Generated by `python3 tests/unit/compat_support.py docs/abi-verdict-matrix.md`",
           "(the corpus is in `tests/abi-corpus/`; the same verdicts are asserted by",
           "`tests/unit/test_abi_corpus.py`). Each cell: what the checker does with the",
           "child when the parent changes from `old/` to `new/`. **UNSAFE** = reused although",
           "the change breaks the child (must never happen); *needless* = rebuilt although",
           "the change is compatible. The expected verdict is confirmed by the execution",
           "oracle (child built against old, run against new, compared with the child",
           "rebuilt against new).",
           "",
           "| case | expected | " + " | ".join(column_name(c, m) for c, m in cols) + " |",
           "|---|---|" + "---|" * len(cols)]
    totals = dict((col, {"unsafe": 0, "needless": 0}) for col in cols)
    for name in sorted(corpus):
        case = corpus[name].case
        cells = []
        for c, m in cols:
            v = verdicts[(name, c, m)]
            kind = classify(case, v)
            word = "reuse" if v.reuse else "rebuild"
            if kind == "unsafe":
                word = "**UNSAFE reuse**"
            elif kind == "needless":
                word = "*rebuild (needless)*"
            if kind in totals[(c, m)]:
                totals[(c, m)][kind] += 1
            cells.append(word)
        out.append("| %s | %s | %s |" % (name, case.verdict, " | ".join(cells)))
    compatible = sum(1 for b in corpus.values() if b.case.verdict == "compatible")
    out += ["",
            "## Summary (%d cases, %d compatible, %d incompatible)" % (
                len(corpus), compatible, len(corpus) - compatible),
            "",
            "| checker | unsafe reuses | needless rebuilds | mean seconds per library |",
            "|---|---|---|---|"]
    for c, m in cols:
        secs = [verdicts[(n, c, m)].seconds for n in corpus]
        out.append("| %s | %d | %d of %d | %.3f |" % (
            column_name(c, m), totals[(c, m)]["unsafe"], totals[(c, m)]["needless"],
            compatible, sum(secs) / len(secs)))
    skipped = [column_name(c, m) for c, m in columns if missing_tools(c)]
    if skipped:
        out += ["", "Not run (host tool missing): " + ", ".join(skipped)]
    out += ["", "Case descriptions:", ""]
    out += ["- `%s`: %s" % (n, corpus[n].case.summary) for n in sorted(corpus)]
    return "\n".join(out) + "\n"


def main(argv):
    import tempfile
    if len(argv) != 2:
        sys.stderr.write("usage: %s OUTPUT.md\n" % argv[0])
        return 2
    with tempfile.TemporaryDirectory(prefix="abi-corpus-") as work:
        corpus = build_corpus(work)
        verdicts = judge_all(corpus)
        with open(argv[1], "w") as f:
            f.write(render_matrix(corpus, verdicts))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
