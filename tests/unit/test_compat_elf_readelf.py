# SPDX-License-Identifier: MIT
"""compat/elf.py against GNU readelf, on the ABI corpus and host libraries.

The elf-interface checker trusts our own ELF reader; binutils' readelf is
the reference every Yocto engineer already trusts. Both must see the same
dynamic symbols (name, type, binding, visibility, defined or not, size,
version, default or hidden version), SONAME and NEEDED entries.
"""

import glob
import os
import re
import shutil
import subprocess

import pytest

import compat_support as cs
from sstatemgmt.compat.elf import ElfFile, is_elf

READELF = shutil.which("readelf")

pytestmark = pytest.mark.skipif(not READELF, reason="needs readelf (Debian: binutils)")

# "  12: 0000000000001139    11 FUNC    GLOBAL DEFAULT   14 foo@@V1"
SYM = re.compile(r"^\s*\d+: [0-9a-f]+\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)(?:\s+\[[^\]]*\])?\s+(\S+)\s?(.*)$")


def _readelf(path, *opts):
    return subprocess.run([READELF, "-W"] + list(opts) + [path], capture_output=True, text=True,
                          check=True, env=dict(os.environ, LC_ALL="C")).stdout


def readelf_symbols(path):
    syms, in_dynsym = [], False
    for line in _readelf(path, "--dyn-syms").splitlines():
        if line.startswith("Symbol table"):
            in_dynsym = "'.dynsym'" in line
            continue
        m = SYM.match(line) if in_dynsym else None
        if not m:
            continue
        size, stype, bind, vis, ndx, name = m.groups()
        defined = ndx != "UND"
        name = re.sub(r" \(\d+\)$", "", name)
        version, hidden = None, False
        if "@@" in name:
            name, version = name.split("@@", 1)
        elif "@" in name:
            name, version = name.split("@", 1)
            hidden = defined
        syms.append((name, stype, bind, vis, defined, int(size, 0), version, hidden))
    return syms[1:]  # entry 0 is the null symbol, which ElfFile leaves out


def readelf_dynamic(path):
    soname, needed = None, []
    for line in _readelf(path, "-d").splitlines():
        m = re.search(r"\((SONAME|NEEDED)\)\s+.*\[(.*)\]$", line)
        if m and m.group(1) == "SONAME":
            soname = m.group(2)
        elif m:
            needed.append(m.group(2))
    return soname, needed


def ours(path):
    elf = ElfFile.from_path(path)
    # readelf prints no version for a version's own definition symbol
    # (GLIBC_2.4 in libc, an ABS symbol named as its version node)
    syms = [(s.name, s.type, s.bind, s.visibility, s.defined, s.size,
             None if s.name == s.version else s.version, s.hidden and s.defined) for s in elf.symbols]
    return syms, elf.soname, elf.needed


def _shared_objects(root):
    for path in sorted(glob.glob(os.path.join(root, "**", "*.so*"), recursive=True)):
        if os.path.isfile(path) and not os.path.islink(path):
            with open(path, "rb") as f:
                if is_elf(f.read(4)):
                    yield path


@pytest.fixture(scope="module")
def corpus_libraries(tmp_path_factory):
    if not (shutil.which("gcc") and shutil.which("g++")):
        pytest.skip("the corpus is compiled with the host gcc and g++")
    built = cs.build_corpus(str(tmp_path_factory.mktemp("abi-corpus-elf")))
    paths = [p for b in built.values() for root in b.roots.values() for p in _shared_objects(root)]
    assert len(paths) >= 2 * len(built), "the corpus built fewer libraries than cases"
    return paths


# Host libraries with many versioned, hidden-versioned and data symbols.
HOST = [p for p in ("/lib/x86_64-linux-gnu/libc.so.6", "/usr/lib/x86_64-linux-gnu/libc.so.6",
                    "/lib/x86_64-linux-gnu/libz.so.1", "/usr/lib/x86_64-linux-gnu/libstdc++.so.6",
                    "/lib/x86_64-linux-gnu/libm.so.6") if os.path.exists(p)]


def _compare(path):
    syms, soname, needed = ours(path)
    ref = readelf_symbols(path)
    assert len(syms) == len(ref), "%s: %d dynamic symbols, readelf sees %d" % (path, len(syms), len(ref))
    diff = [(a, b) for a, b in zip(syms, ref) if a != b]
    assert not diff, "%s: differs from readelf (ours, readelf): %s" % (path, diff[:5])
    assert (soname, needed) == readelf_dynamic(path), path


def test_corpus_libraries_match_readelf(corpus_libraries):
    for path in corpus_libraries:
        _compare(path)


@pytest.mark.parametrize("path", HOST or [pytest.param(None, marks=pytest.mark.skip("no host libc found"))])
def test_host_libraries_match_readelf(path):
    _compare(os.path.realpath(path))


def test_readelf_parser_sees_versions():
    # the comparison above means nothing if the parser dropped every version
    if not HOST:
        pytest.skip("no host libc found")
    syms = readelf_symbols(os.path.realpath(HOST[0]))
    assert any(s[6] and s[4] and not s[7] for s in syms) and any(s[7] for s in syms)
