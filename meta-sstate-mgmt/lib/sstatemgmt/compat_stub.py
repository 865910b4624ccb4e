# SPDX-License-Identifier: MIT
#
# TEMPORARY stand-in for sstatemgmt.compat (being written on branch "compat"),
# with the agreed API. Deleted when the real library is merged.

import fnmatch
import hashlib
import os
import subprocess

CHECKERS = {"checksum": None, "elf-interface": None}


class CompatError(Exception):
    pass


class ParentInput:
    def __init__(self, name, root, checker="elf-interface", globs=None, suppressions=None, debug_dirs=None, mode="exact"):
        self.name, self.root, self.checker, self.globs = name, root, checker, sorted(globs or ())


def _files(p):
    out = []
    for dirpath, dirs, files in os.walk(p.root):
        dirs.sort()
        for f in sorted(files):
            full = os.path.join(dirpath, f)
            rel = os.path.relpath(full, p.root)
            if p.globs and not any(fnmatch.fnmatch(rel, g) for g in p.globs):
                continue
            out.append((rel, full))
    return out


def _sha(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def _elf_lines(path):
    dyn = subprocess.run(["readelf", "-dW", path], stdout=subprocess.PIPE, universal_newlines=True).stdout
    lines = []
    for l in dyn.splitlines():
        if "(SONAME)" in l or "(NEEDED)" in l:
            lines.append("  " + l.split(")", 1)[0].split("(")[-1].lower() + ": " + l.split("[", 1)[1].rstrip("]"))
    syms = subprocess.run(["readelf", "--dyn-syms", "-W", path], stdout=subprocess.PIPE, universal_newlines=True).stdout
    for l in syms.splitlines():
        f = l.split()
        if len(f) >= 8 and f[0].endswith(":") and f[6] != "UND":
            size = f[2] if f[3] == "OBJECT" else "-"
            lines.append("  symbol: %s %s %s %s" % (f[7], f[3], f[4], size))
    return sorted(set(lines))


def build_report(child, parents, tools=None, **kwargs):
    lines = ["# cdepends compatibility report (stub)", "child: %s" % child]
    for p in parents:
        if p.checker not in CHECKERS:
            raise CompatError("unknown checker %s" % p.checker)
        lines.append("parent: %s checker=%s" % (p.name, p.checker))
        for rel, full in _files(p):
            if os.path.islink(full):
                lines.append(" link: %s -> %s" % (rel, os.readlink(full)))
                continue
            with open(full, "rb") as f:
                is_elf = f.read(4) == b"\x7fELF"
            if p.checker == "elf-interface" and is_elf:
                lines.append(" elf: %s" % rel)
                lines.extend(_elf_lines(full))
            else:
                lines.append(" file: %s sha256=%s" % (rel, _sha(full)))
    return "\n".join(lines) + "\n"
