# SPDX-License-Identifier: MIT
"""Ground truth for a pair, independent of the CDEPENDS checkers.

A pair (N, N+1) is **safe to reuse** when all of these hold:

1. *Runtime oracle*: the library's consumer program
   (tests/real-corpus/consumers/), compiled and linked against N the way a
   recipe does it (pkg-config with the tree as sysroot), run against N+1
   (``LD_LIBRARY_PATH``), prints exactly what the consumer rebuilt against
   N+1 prints, with the same exit status; and the rebuild compiles.
2. *Same SONAMEs*: every shared library keeps its SONAME.
3. *No ABI break in the declared public interface*: no exported symbol that
   the old public headers declare is removed, and ``abidiff`` with
   ``--headers-dir1/--headers-dir2`` (types outside the public headers
   filtered) reports no changed function or variable among them, except
   changes whose every detail is benign (a type renamed, an anonymous
   struct given a name, with sizes and members unchanged).

A pair whose only breaks concern exported symbols that no public header
declares (internal functions a library exports by accident) or that only
its experimental API declares (behind a guard macro such as
``ZSTD_STATIC_LINKING_ONLY``) is **strict-only**: no consumer of the stable
public API can notice, but a consumer may still use such a symbol, so
reusing across it counts as unsafe. Anything else is **unsafe**.

Everything used here is upstream tooling (gcc, pkg-config, readelf,
abidiff), none of the layer's code.
"""

import difflib
import hashlib
import json
import os
import re
import tempfile

from . import procs

#: Bump when the oracle or the evidence changes what it computes.
ORACLE_VERSION = 4
COMPILE_TIMEOUT = 300
RUN_TIMEOUT = 120
ABIDIFF_TIMEOUT = 900
TRUTHS = ("safe", "strict-only", "unsafe")
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_DEFINE = re.compile(r"^\s*#\s*define\s+([A-Za-z_][A-Za-z0-9_]*)(\([^)]*\))?\s*(.*?)\s*$")


class OracleError(Exception):
    """The oracle cannot judge a pair (its consumer does not build or run on
    its own release): a defect of the corpus, not a verdict."""


def _sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def _tool_version(argv):
    res = procs.run(argv, 60)
    return (res.stdout or res.stderr).strip().splitlines()[0] if res.returncode == 0 else "?"


class Oracle:
    """Judges pairs of built trees; results are cached in ``<cache>/truth``."""

    def __init__(self, cache):
        self.cache = cache
        self.abidiff = "abidiff"
        self.versions = {"oracle": ORACLE_VERSION,
                         "abidiff": _tool_version(["abidiff", "--version"]),
                         "gcc": _tool_version(["gcc", "-dumpfullversion"])}

    def _key(self, pair, old, new):
        data = dict(self.versions, old=old.key, new=new.key,
                    consumer=_sha256(pair.lib.consumer), pkgconfig=pair.lib.pkgconfig)
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()

    def judge(self, pair, old, new):
        """The truth record (a dict) of ``pair`` whose trees are ``old``, ``new``."""
        key = self._key(pair, old, new)
        path = os.path.join(self.cache, "truth", pair.lib.name,
                            "%s-%s.json" % (pair.id.split(":", 1)[1], key[:16]))
        if os.path.isfile(path):
            with open(path) as f:
                return json.load(f)
        with tempfile.TemporaryDirectory(prefix="real-corpus-oracle-") as work:
            record = self._judge(pair, old, new, work)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path + ".tmp", "w") as f:
            json.dump(record, f, indent=1, sort_keys=True)
        os.rename(path + ".tmp", path)
        return record

    def _judge(self, pair, old, new, work):
        oracle = run_oracle(pair.lib, old, new, work)
        soname = {"old": sonames(old), "new": sonames(new)}
        public_names, experimental = declared_names(old.include_dir(), pair.lib.experimental)
        symbols = symbol_diff(old, new)
        abi = abidiff_public(self.abidiff, old, new)
        public, strict = [], []
        if not oracle["new_builds"]:
            public.append("the consumer no longer builds against %s: %s"
                          % (pair.new.id, oracle["new_build_error"]))
        elif not oracle["same"]:
            public.append("runtime: the consumer built against %s behaves differently on %s "
                          "(%s)" % (pair.old.id, pair.new.id, oracle["first_difference"]))
        if soname["old"] != soname["new"]:
            public.append("SONAME %s -> %s" % (", ".join(soname["old"]), ", ".join(soname["new"])))
        def judge_name(name, what):
            if name in public_names:
                public.append(what)
            elif name in experimental:
                strict.append(what + " (experimental API)")
            else:
                strict.append(what + " (no public header declares it)")
        for sym in symbols["removed"]:
            judge_name(sym.split("@")[0], "exported symbol %s removed" % sym)
        for sym in symbols["resized"]:
            judge_name(sym.split("@")[0], "data symbol %s changed size" % sym)
        for name in abi["changed"]:
            judge_name(name, "abidiff: %s changed" % name)
        truth = "unsafe" if public else "strict-only" if strict else "safe"
        return {"pair": pair.id, "kind": pair.kind, "truth": truth,
                "public_breaks": public, "strict_breaks": strict,
                "oracle": oracle, "soname": soname, "symbols": symbols, "abidiff": abi,
                "metadata": metadata_diff(old, new), "tools": self.versions}


def _host_pc_path():
    if not _HOST_PC_PATH:
        res = procs.run(["pkg-config", "--variable", "pc_path", "pkg-config"], 60)
        _HOST_PC_PATH.append(res.stdout.strip())
    return _HOST_PC_PATH[0]


_HOST_PC_PATH = []


def _pkgconfig_env(root):
    """The tree is the sysroot; the host's own .pc files come after its own,
    standing in for the parent's other dependencies (zlib for libpng and
    libxml2), as their sysroot components would."""
    env = dict((k, v) for k, v in os.environ.items() if not k.startswith("PKG_CONFIG"))
    dirs = [os.path.join(root, "usr", "lib", "pkgconfig"), os.path.join(root, "usr", "share",
                                                                        "pkgconfig")]
    env["PKG_CONFIG_LIBDIR"] = ":".join(dirs + [_host_pc_path()])
    env["PKG_CONFIG_SYSROOT_DIR"] = root
    env["LC_ALL"] = "C"
    return env


def compile_consumer(lib, tree, exe):
    """Compile and link the consumer against ``tree`` as a recipe would
    (pkg-config, the tree as sysroot). Returns None or the error's last line."""
    env = _pkgconfig_env(tree.root)
    flags = procs.run(["pkg-config", "--cflags", "--libs", lib.pkgconfig], COMPILE_TIMEOUT,
                      env=env)
    if flags.returncode:
        return "pkg-config %s: %s" % (lib.pkgconfig, flags.stderr.strip())
    res = procs.run(["gcc", "-g", "-O2", "-Wno-deprecated-declarations", "-o", exe,
                     lib.consumer] + flags.stdout.split() + ["-I", tree.include_dir()],
                    COMPILE_TIMEOUT, env=env)
    if res.returncode or res.timed_out:
        lines = [l for l in res.stderr.splitlines() if "error" in l] or res.stderr.splitlines()
        return (lines[0] if lines else "timed out").replace(os.path.dirname(lib.consumer) + "/", "")
    return None


def run_consumer(exe, tree, cwd):
    res = procs.run([exe], RUN_TIMEOUT, cwd=cwd,
                    env=dict(os.environ, LD_LIBRARY_PATH=os.path.join(tree.root, "usr", "lib"),
                             LC_ALL="C"))
    status = "timeout" if res.timed_out else res.returncode
    # The work directory is temporary: keep messages free of it.
    return {"status": status, "stdout": res.stdout,
            "stderr": res.stderr.replace(cwd + "/", "")[-2000:]}


def run_oracle(lib, old, new, work):
    exe_old, exe_new = os.path.join(work, "consumer-old"), os.path.join(work, "consumer-new")
    err = compile_consumer(lib, old, exe_old)
    if err:
        raise OracleError("%s: the consumer does not build against %s: %s"
                          % (lib.name, old.version.id, err))
    base = run_consumer(exe_old, old, work)
    if base["status"] != 0:
        raise OracleError("%s: the consumer fails against %s, the release it was built "
                          "against (status %s): %s" % (lib.name, old.version.id, base["status"],
                                                       base["stderr"].strip()[-300:]))
    new_err = compile_consumer(lib, new, exe_new)
    result = {"new_builds": new_err is None, "new_build_error": new_err,
              "loaded": base["stdout"].splitlines()[0] if base["stdout"] else ""}
    if new_err:
        return result
    ref = run_consumer(exe_new, new, work)
    if ref["status"] != 0:
        raise OracleError("%s: the consumer rebuilt against %s fails on it (status %s): %s"
                          % (lib.name, new.version.id, ref["status"], ref["stderr"][-300:]))
    mixed = run_consumer(exe_old, new, work)
    same = (mixed["status"], mixed["stdout"]) == (ref["status"], ref["stdout"])
    result.update(same=same, mixed_status=mixed["status"], lines=len(ref["stdout"].splitlines()),
                  loaded_new=mixed["stdout"].splitlines()[0] if mixed["stdout"] else "",
                  first_difference=None if same else _first_difference(mixed, ref))
    return result


def _first_difference(mixed, ref):
    if mixed["status"] != ref["status"]:
        return "exit status %s, rebuilt %s%s" % (
            mixed["status"], ref["status"],
            ": " + mixed["stderr"].strip().splitlines()[-1] if mixed["stderr"].strip() else "")
    for line in difflib.unified_diff(ref["stdout"].splitlines(), mixed["stdout"].splitlines(),
                                     lineterm="", n=0):
        if line.startswith(("-", "+")) and not line.startswith(("---", "+++")):
            return "first differing line: %s" % line[:160]
    return "output differs"


def sonames(tree):
    names = []
    for rel in tree.libraries():
        res = procs.run(["readelf", "-d", "-W", os.path.join(tree.root, rel)], 120)
        m = re.search(r"\(SONAME\)\s+Library soname: \[([^\]]+)\]", res.stdout)
        names.append(m.group(1) if m else os.path.basename(rel))
    return sorted(names)


def exported_symbols(tree):
    """{(name, version or None): (type, size, default)} of the defined
    dynamic symbols of every library (``default``: ``name@@version``)."""
    out = {}
    for rel in tree.libraries():
        res = procs.run(["readelf", "--dyn-syms", "-W", os.path.join(tree.root, rel)], 120)
        for line in res.stdout.splitlines():
            f = line.split()
            # Num: Value Size Type Bind Vis Ndx Name
            if len(f) < 8 or not f[0].endswith(":") or f[6] == "UND":
                continue
            if f[4] not in ("GLOBAL", "WEAK") or f[5] not in ("DEFAULT", "PROTECTED"):
                continue
            if f[6] == "ABS" and f[3] == "OBJECT" and int(f[2], 0) == 0:
                continue    # a version definition (V1), not a symbol
            name, sep, version = f[7].partition("@")
            default = version.startswith("@") or not sep
            out[(name, version.lstrip("@") or None)] = (
                f[3], int(f[2], 0) if f[3] == "OBJECT" else 0, default)
    return out


def _label(key):
    return key[0] + ("@" + key[1] if key[1] else "")


def symbol_diff(old, new):
    """What the dynamic linker would no longer find for a consumer of ``old``.

    A versioned reference needs that exact version; an unversioned one binds
    to the default version of the name (so a library that starts versioning
    its symbols removes nothing)."""
    a, b = exported_symbols(old), exported_symbols(new)
    defaults = dict((name, key) for key in b for name in [key[0]] if b[key][2])

    def found(key):
        return key if key in b else (defaults.get(key[0]) if key[1] is None else None)
    removed = sorted(_label(k) for k in a if found(k) is None)
    resized = sorted(_label(k) for k in a if found(k) and a[k][0] == "OBJECT"
                     and a[k][:2] != b[found(k)][:2])
    added = sorted(_label(k) for k in b if k not in a and not (
        k[1] and b[k][2] and (k[0], None) in a))
    return {"old": len(a), "new": len(b), "added": added, "removed": removed,
            "resized": resized}


def declared_names(include_dir, guards=()):
    """(public, experimental): the identifiers the public headers mention
    outside any experimental guard, and those they mention only inside one
    (``#if defined(ZSTD_STATIC_LINKING_ONLY)``). A symbol in neither is not
    part of the declared interface."""
    public, inside = set(), set()
    for dirpath, _dirs, files in os.walk(include_dir):
        for name in files:
            with open(os.path.join(dirpath, name), errors="replace") as f:
                text = _strip_comments(f.read())
            # Per open conditional: [is the current branch experimental?,
            # would its #else branch be?]
            stack = []
            for line in text.splitlines():
                d = _DIRECTIVE.match(line)
                if d:
                    kw, cond = d.groups()
                    if kw in ("if", "ifdef", "ifndef"):
                        stack.append(list(_guarded(kw, cond, guards)))
                    elif kw == "elif" and stack:
                        stack[-1] = list(_guarded("if", cond, guards))
                    elif kw == "else" and stack:
                        stack[-1] = [stack[-1][1], False]
                    elif kw == "endif" and stack:
                        stack.pop()
                    continue
                (inside if any(s[0] for s in stack) else public).update(_IDENT.findall(line))
    return public, inside - public


_DIRECTIVE = re.compile(r"^\s*#\s*(if|ifdef|ifndef|elif|else|endif)\b(.*)$")


def _guarded(kw, cond, guards):
    """(then, else): whether each branch of a conditional requires one of
    ``guards`` to be defined."""
    if kw in ("ifdef", "ifndef"):
        hit = cond.strip() in guards
        return (hit, False) if kw == "ifdef" else (False, hit)
    tests = re.findall(r"(!?)\s*defined\s*\(?\s*(\w+)", cond)
    then = any(not bang and name in guards for bang, name in tests)
    negated = re.match(r"^\s*!\s*defined\s*\(?\s*(\w+)\s*\)?\s*$", cond)
    return then, bool(negated and negated.group(1) in guards)


def _strip_comments(text):
    return re.sub(r"/\*.*?\*/|//[^\n]*", " ", text, flags=re.S)


def abidiff_public(abidiff, old, new):
    """abidiff of each library pair with the public headers of each side."""
    result = {"status": [], "summary": [], "changed": [], "benign": [], "removed": [],
              "added": 0}
    old_libs = dict((_stem(r), r) for r in old.libraries())
    new_libs = dict((_stem(r), r) for r in new.libraries())
    for stem in sorted(set(old_libs) & set(new_libs)):
        res = procs.run([abidiff, "--headers-dir1", old.include_dir(),
                         "--headers-dir2", new.include_dir(),
                         os.path.join(old.root, old_libs[stem]),
                         os.path.join(new.root, new_libs[stem])], ABIDIFF_TIMEOUT)
        result["status"].append("timeout" if res.timed_out else res.returncode)
        parsed = parse_abidiff(res.stdout)
        result["summary"] += parsed["summary"]
        result["changed"] += parsed["changed"]
        result["benign"] += parsed["benign"]
        result["removed"] += parsed["removed"]
        result["added"] += parsed["added"]
        if res.timed_out or res.returncode & 3:
            result["changed"].append("<abidiff failed on %s: %s>" % (
                stem, "timeout" if res.timed_out else res.stderr.strip()[-200:]))
    for key in ("changed", "benign", "removed"):
        result[key] = sorted(set(result[key]))
    return result


def _stem(rel):
    return os.path.basename(rel).split(".so")[0]


_ENTRY = re.compile(r"^\s+\[([ADC])\] '(.*?)'(?:\s+\{([^}]*)\})?")
_SYMBOL_ENTRY = re.compile(r"^\s+\[([AD])\] ([^\s']+)\s*$")


def _entity_name(decl):
    """``function int foo(S*)`` -> foo; ``int var`` -> var."""
    if decl.startswith("function "):
        head = decl[len("function "):].split("(")[0]
    else:
        head = decl.split(" was changed")[0]
    names = _IDENT.findall(head)
    return names[-1] if names else decl


#: Lines under a changed function or variable that change nothing a
#: compiled consumer relies on (abidiff reports them anyway).
_BENIGN = re.compile(r"^(type size hasn't changed|type name changed from |entity changed from "
                     r".* to compatible type |no data member changes|Please note that the "
                     r"exported symbol|'.*' now becomes '.*'|.*details were reported earlier)")


def parse_abidiff(text):
    """Names of the functions and variables ``abidiff`` reports removed or
    changed; a change whose every detail is benign (a type renamed, an
    anonymous struct given a name, an alias) goes to ``benign``."""
    out = {"summary": [], "changed": [], "benign": [], "removed": [], "added": 0}
    current = None      # [name, details] of the [C] entry being read
    for line in text.splitlines() + [""]:
        m = _ENTRY.match(line)
        if current and (not line.strip() or m):
            harmful = [d for d in current[1] if not d.endswith(":") and not _BENIGN.match(d)]
            out["changed" if harmful else "benign"].append(current[0])
            current = None
        elif current:
            current[1].append(line.strip())
            alias = re.search(r"the exported symbol of this function is (\S+)", line)
            if alias:
                current[0] = alias.group(1).split("@")[0]
            continue
        if "changes summary:" in line or "SONAME changed" in line:
            out["summary"].append(line.strip())
        if m:
            kind, decl, sym = m.groups()
            name = (sym.split("@")[0] if sym else None) or _entity_name(decl)
            if kind == "C":
                current = [name, [line.split("'")[-1].strip()]]
            elif kind == "D":
                out["removed"].append(name)
            else:
                out["added"] += 1
            continue
        m = _SYMBOL_ENTRY.match(line)
        if m:
            if m.group(1) == "D":
                out["removed"].append(m.group(2).split("@")[0])
            else:
                out["added"] += 1
    return out


def _defines(include_dir):
    found = {}
    for dirpath, _dirs, files in os.walk(include_dir):
        for name in files:
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, include_dir)
            with open(path, errors="replace") as f:
                for line in _strip_comments(f.read()).splitlines():
                    m = _DEFINE.match(line)
                    if m:
                        found.setdefault(m.group(1), set()).add((rel, (m.group(2) or "")
                                                                 + " " + m.group(3)))
    return found


def metadata_diff(old, new):
    """What changed besides the binary interface: macros, pkg-config
    versions, CMake package directories, headers."""
    a, b = _defines(old.include_dir()), _defines(new.include_dir())
    changed = sorted(n for n in set(a) & set(b) if a[n] != b[n])
    ha = set(_files(old.include_dir()))
    hb = set(_files(new.include_dir()))
    pc = {}
    for side, tree in (("old", old), ("new", new)):
        for rel in _files(tree.root):
            if rel.endswith(".pc"):
                with open(os.path.join(tree.root, rel), errors="replace") as f:
                    m = re.search(r"^Version:\s*(\S+)", f.read(), re.M)
                pc.setdefault(os.path.basename(rel), {})[side] = m.group(1) if m else None
    cmake = dict((side, sorted(set(r.split("/")[3] for r in _files(t.root)
                                   if r.startswith("usr/lib/cmake/") and r.count("/") > 3)))
                 for side, t in (("old", old), ("new", new)))
    changed_headers = sorted(h for h in ha & hb if not _same_file(
        os.path.join(old.include_dir(), h), os.path.join(new.include_dir(), h)))
    return {"macros_changed": changed, "macros_added": sorted(set(b) - set(a)),
            "macros_removed": sorted(set(a) - set(b)),
            "headers_added": sorted(hb - ha), "headers_removed": sorted(ha - hb),
            "headers_changed": changed_headers,
            "pkgconfig": dict((k, v) for k, v in pc.items() if v.get("old") != v.get("new")),
            "cmake_dirs": cmake if cmake["old"] != cmake["new"] else {}}


def _files(top):
    """Regular files under ``top`` (relative paths; symlinks left out)."""
    out = []
    for dirpath, _dirs, files in os.walk(top):
        for name in files:
            if not os.path.islink(os.path.join(dirpath, name)):
                out.append(os.path.relpath(os.path.join(dirpath, name), top).replace(os.sep, "/"))
    return out


def _same_file(a, b):
    with open(a, "rb") as fa, open(b, "rb") as fb:
        return fa.read() == fb.read()


def evidence_line(record):
    """One short line: what the truth rests on."""
    o = record["oracle"]
    if not o["new_builds"]:
        runtime = "rebuild fails"
    else:
        runtime = "runtime same" if o["same"] else "runtime DIFFERS"
    sym = record["symbols"]
    parts = [runtime, "symbols +%d/-%d" % (len(sym["added"]), len(sym["removed"]))]
    abi = record["abidiff"]
    if abi["changed"]:
        parts.append("abidiff changed %d" % len(abi["changed"]))
    if record["soname"]["old"] != record["soname"]["new"]:
        parts.append("SONAME changed")
    meta = record["metadata"]
    changed = len(meta["headers_changed"]) + len(meta["headers_added"]) + len(meta["headers_removed"])
    if changed:
        parts.append("%d header%s changed" % (changed, "s" if changed > 1 else ""))
    return ", ".join(parts)
