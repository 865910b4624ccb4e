# SPDX-License-Identifier: MIT
"""Test support for sstatemgmt.compat: import path, corpus build, oracle,
verdict matrix.

The ABI corpus (tests/abi-corpus/<case>/) holds, per case, ``old/`` and
``new/`` library sources (``corpus.h`` plus ``corpus.c`` or ``corpus.cpp``,
or several ``*.c`` files, optionally a ``corpus.map`` version script), a ``child.c``/``child.cpp``
that uses the library, and ``case.ini`` with the expected verdict.

Regenerate docs/abi-verdict-matrix.md with::

    python3 tests/unit/compat_support.py docs/abi-verdict-matrix.md

Measure the cost per library of each checker (the table in
docs/cdepends-checkers.md) with::

    python3 tests/unit/compat_support.py --cost
"""

import configparser
import glob
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

from sstatemgmt.compat import ParentInput, build_report, scan_uses  # noqa: E402

CORPUS = os.path.join(REPO, "tests", "abi-corpus")
#: The pseudo-mode of a column judged in superset mode, child-uses scope.
SCOPED = "superset-scoped"
#: (checker, mode) columns of the verdict matrix, cheapest first.
COLUMNS = [
    ("checksum", "exact"),
    ("elf-interface", "exact"),
    ("elf-interface", "superset"),
    ("abidiff", "exact"),
    ("abidiff", "superset"),
    ("abi-compliance-checker", "exact"),
    ("abi-compliance-checker", "superset"),
    # Superset mode with the child-uses scope (the case's child.c is the
    # child's source tree): what the README recommends.
    ("elf-interface", SCOPED),
]
#: Host tools each checker needs besides the compilers.
CHECKER_TOOLS = {
    "abidiff": ("abidw", "abidiff"),
    "abi-compliance-checker": ("abi-compliance-checker",),
}
WORKERS = 2


def column_name(checker, mode):
    if mode == SCOPED:
        return "%s superset child-uses" % checker
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
        # Every source file of the side: some cases are several translation units.
        sources = sorted(glob.glob(os.path.join(src_dir, "*." + case.ext)))
        argv = [case.compiler, "-g", "-O2", "-fPIC", "-shared", "-I", src_dir,
                "-Wl,-soname," + soname] + sources + ["-o", os.path.join(lib, real)]
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


#: The preprocessor the corpora judge headers with: the host's, as the
#: libraries and children are built with the host gcc (a BitBake child
#: passes its own ${CPP}).
HOST_CPP = "gcc -E"


def side_report(root, checker, mode, name="libcorpus", baseline=None, warn=None,
                log_dir=None, cpp=HOST_CPP, child_sources=None, note=None, **options):
    """The report of child "child" against one parent staged at ``root``, as
    ``do_cache_compatibility`` writes it; ``options`` go to ParentInput
    (globs, suppressions, scope...); ``cpp``: the preprocessor (None: headers by
    tokens); ``child_sources``: the child's source files or directories (its
    use set, for the child-uses scope). Also used by the real-library corpus
    (scripts/real-corpus)."""
    parent = ParentInput(name, root, checker=checker, mode=mode, **options)
    uses = scan_uses(child_sources) if child_sources is not None else None
    return build_report("child", [parent], tools={"cpp": cpp} if cpp else None, warn=warn,
                        baseline=baseline, log_dir=log_dir, uses=uses, note=note)


def judge(built, checker, mode, log_dir=None):
    """Run ``checker`` in ``mode`` over one built case: reuse or rebuild?"""
    warnings = []
    options = {}
    if mode == SCOPED:
        mode = "superset"
        options = {"scope": "child-uses", "child_sources": [
            os.path.join(built.case.dir, "child." + built.case.ext)]}

    def report(side, baseline=None):
        return side_report(built.roots[side], checker, mode, baseline=baseline,
                           warn=warnings.append, log_dir=log_dir, **options)
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
            "| checker | unsafe reuses | needless rebuilds |",
            "|---|---|---|"]
    for c, m in cols:
        out.append("| %s | %d | %d of %d |" % (
            column_name(c, m), totals[(c, m)]["unsafe"], totals[(c, m)]["needless"], compatible))
    out += ["",
            COST_HEADING,
            "",
            "Wall-clock seconds per library (one small library per report; mean over the",
            "corpus, both sides; 2 jobs in parallel on the machine that generated this file).",
            "",
            "| checker | mean seconds per library | max |",
            "|---|---|---|"]
    for c, m in cols:
        secs = [verdicts[(n, c, m)].seconds for n in corpus]
        out.append("| %s | %.3f | %.3f |" % (column_name(c, m), sum(secs) / len(secs), max(secs)))
    skipped = [column_name(c, m) for c, m in columns if missing_tools(c)]
    if skipped:
        out += ["", "Not run (host tool missing): " + ", ".join(skipped)]
    out += ["", "Case descriptions:", ""]
    out += ["- `%s`: %s" % (n, corpus[n].case.summary) for n in sorted(corpus)]
    return "\n".join(out) + "\n"


COST_HEADING = "## Cost"


def verdict_tables(text):
    """The table lines of a matrix document above its cost section: what
    must not change unless a checker's verdicts change."""
    lines = text.split("\n" + COST_HEADING + "\n")[0].splitlines()
    return [l for l in lines if l.startswith("|")]


def synthetic_library(root, functions, structs):
    """Stage a generated C library (-g) with ``functions`` functions taking
    pointers to ``structs`` structs, for measuring cost on a bigger API."""
    inc = os.path.join(root, "usr", "include")
    lib = os.path.join(root, "usr", "lib")
    os.makedirs(inc)
    os.makedirs(lib)
    h = ["#ifndef SYN_H", "#define SYN_H", "#define SYN_VERSION 3"]
    h += ["struct syn_s%d { int a; long b[%d]; const char *name; double d; };" % (i, i % 7 + 1)
          for i in range(structs)]
    h += ["int syn_f%d(struct syn_s%d *s, int x);" % (i, i % structs) for i in range(functions)]
    h += ["static inline int syn_inline%d(int x) { return x + %d; }" % (i, i) for i in range(50)]
    h.append("#endif")
    with open(os.path.join(inc, "syn.h"), "w") as f:
        f.write("\n".join(h) + "\n")
    src = os.path.join(root, "syn.c")
    with open(src, "w") as f:
        f.write('#include "syn.h"\n')
        f.write("".join("int syn_f%d(struct syn_s%d *s, int x) { return s->a + x * %d; }\n"
                        % (i, i % structs, i) for i in range(functions)))
    _check(["gcc", "-g", "-O2", "-fPIC", "-shared", "-I", inc, "-Wl,-soname,libsyn.so.1", src,
            "-o", os.path.join(lib, "libsyn.so.1")])
    os.remove(src)
    return root


def host_library(root, lib, headers):
    """Stage a library of this host with its headers (for cost figures)."""
    os.makedirs(os.path.join(root, "usr", "lib"))
    os.makedirs(os.path.join(root, "usr", "include"))
    shutil.copy(lib, os.path.join(root, "usr", "lib"))
    for h in headers:
        shutil.copy(h, os.path.join(root, "usr", "include"))
    return root


def cost_table(work):
    """Seconds per report for each checker on libraries of several sizes."""
    subjects = [
        ("synthetic C, 200 functions, 50 structs", synthetic_library(
            os.path.join(work, "s200"), 200, 50), None),
        ("synthetic C, 2000 functions, 400 structs", synthetic_library(
            os.path.join(work, "s2000"), 2000, 400), None),
    ]
    zlib = "/usr/lib/x86_64-linux-gnu/libz.so.1"
    if os.path.exists(zlib) and os.path.exists("/usr/include/zlib.h"):
        subjects.append(("host zlib (stripped, 2 headers)", host_library(
            os.path.join(work, "zlib"), os.path.realpath(zlib),
            ["/usr/include/zlib.h", "/usr/include/zconf.h"]), None))
    libc = "/usr/lib/x86_64-linux-gnu/libc.so.6"
    if os.path.isdir("/usr/lib/debug/.build-id") and os.path.exists(libc):
        subjects.append(("host glibc libc.so.6 (libc6-dbg), no headers", host_library(
            os.path.join(work, "libc"), os.path.realpath(libc), []), "/usr/lib/debug"))
    rows = ["| library | " + " | ".join(c for c, _m in COLUMNS if _m == "exact") + " |",
            "|---|" + "---|" * len([c for c in COLUMNS if c[1] == "exact"])]
    for label, root, debug in subjects:
        cells = []
        for checker, mode in COLUMNS:
            if mode != "exact":
                continue
            if missing_tools(checker) or (checker == "abi-compliance-checker" and "glibc" in label):
                cells.append("n/a")
                continue
            parent = ParentInput("lib", root, checker=checker,
                                 debug_dirs=[debug] if debug and checker == "abidiff" else None)
            t0 = time.perf_counter()
            build_report("child", [parent], warn=lambda m: None)
            cells.append("%.2f" % (time.perf_counter() - t0))
        rows.append("| %s | %s |" % (label, " | ".join(cells)))
    return "\n".join(rows) + "\n"


def main(argv):
    import tempfile
    if argv[1:] == ["--cost"]:
        with tempfile.TemporaryDirectory(prefix="abi-cost-") as work:
            sys.stdout.write(cost_table(work))
        return 0
    if len(argv) != 2:
        sys.stderr.write("usage: %s OUTPUT.md | --cost\n" % argv[0])
        return 2
    with tempfile.TemporaryDirectory(prefix="abi-corpus-") as work:
        corpus = build_corpus(work)
        verdicts = judge_all(corpus)
        with open(argv[1], "w") as f:
            f.write(render_matrix(corpus, verdicts))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
