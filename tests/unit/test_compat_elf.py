# SPDX-License-Identifier: MIT
"""The pure-Python ELF reader, on crafted and on compiled files."""

import shutil
import subprocess

import pytest

import compat_support  # noqa: F401  (puts the layer's lib on sys.path)
import elf_builder as eb
from sstatemgmt.compat import elf

FORMATS = [(64, "little"), (64, "big"), (32, "little"), (32, "big")]


def crafted(elf_class, byteorder, **kw):
    args = dict(
        soname="libfoo.so.1",
        needed=["libbar.so.2", "libc.so.6"],
        verdefs=[(1, "libfoo.so.1", elf.VER_FLG_BASE, ()), (2, "FOO_1.0", 0, ()),
                 (3, "FOO_1.1", 0, ("FOO_1.0",))],
        verneeds=[("libc.so.6", [(4, "GLIBC_2.2.5"), (5, "GLIBC_2.34")])],
        symbols=[
            eb.sym("foo_add", version=2),
            eb.sym("foo_table", type="OBJECT", size=48, version=3),
            eb.sym("foo_old", version=2, hidden=True),
            eb.sym("foo_tls", type="TLS", size=8, bind="WEAK", version=3),
            eb.sym("foo_prot", visibility="PROTECTED"),
            eb.sym("printf", defined=False, version=4),
            eb.sym("app_hook", defined=False),
        ])
    args.update(kw)
    return eb.build(elf_class, byteorder, **args)


@pytest.mark.parametrize("elf_class,byteorder", FORMATS, ids=lambda v: str(v))
def test_crafted_file_reads_the_same_in_every_format(elf_class, byteorder):
    obj = elf.ElfFile(crafted(elf_class, byteorder))
    assert (obj.elf_class, obj.byteorder, obj.e_type) == (elf_class, byteorder, "DYN")
    assert obj.soname == "libfoo.so.1"
    assert obj.needed == ["libbar.so.2", "libc.so.6"]
    assert [(v.name, v.parents) for v in obj.verdefs] == [
        ("libfoo.so.1", ()), ("FOO_1.0", ()), ("FOO_1.1", ("FOO_1.0",))]
    assert obj.verdefs[0].flags & elf.VER_FLG_BASE
    assert obj.verneeds == [elf.VersionNeed("libc.so.6", ("GLIBC_2.2.5", "GLIBC_2.34"))]
    syms = dict((s.name, s) for s in obj.symbols)
    assert syms["foo_add"] == elf.Symbol("foo_add", "FUNC", "GLOBAL", "DEFAULT", True, 0,
                                         "FOO_1.0", False)
    assert (syms["foo_table"].type, syms["foo_table"].size, syms["foo_table"].version) == \
        ("OBJECT", 48, "FOO_1.1")
    assert syms["foo_old"].hidden and syms["foo_old"].version == "FOO_1.0"
    assert (syms["foo_tls"].type, syms["foo_tls"].bind, syms["foo_tls"].size) == ("TLS", "WEAK", 8)
    assert syms["foo_prot"].visibility == "PROTECTED" and syms["foo_prot"].version is None
    # Undefined symbols take their version from .gnu.version_r.
    assert (syms["printf"].defined, syms["printf"].version) == (False, "GLIBC_2.2.5")
    assert (syms["app_hook"].defined, syms["app_hook"].version) == (False, None)


def test_big_and_little_endian_files_give_the_same_report_lines(tmp_path):
    from sstatemgmt.compat.checkers import elf_interface_lines
    lines = [elf_interface_lines(elf.ElfFile(crafted(c, b))) for c, b in FORMATS]
    assert all(l == lines[0] for l in lines)
    assert "symbol: foo_table@@FOO_1.1 OBJECT GLOBAL size=48" in lines[0]
    assert "symbol: foo_old@FOO_1.0 FUNC GLOBAL" in lines[0]
    assert "symbol: foo_prot FUNC GLOBAL PROTECTED" in lines[0]
    assert "verdef: FOO_1.1 parents=FOO_1.0" in lines[0]
    # Versioned imports come from a named library; unversioned ones may have
    # to come from the program.
    assert "undefined: app_hook" in lines[0]
    assert not any("printf" in l for l in lines[0])


def test_function_size_is_not_part_of_the_interface():
    from sstatemgmt.compat.checkers import elf_interface_lines
    small = crafted(64, "little", symbols=[eb.sym("f", size=10), eb.sym("d", type="OBJECT", size=4)])
    large = crafted(64, "little", symbols=[eb.sym("f", size=99), eb.sym("d", type="OBJECT", size=4)])
    grown = crafted(64, "little", symbols=[eb.sym("f", size=10), eb.sym("d", type="OBJECT", size=8)])
    lines = [elf_interface_lines(elf.ElfFile(b)) for b in (small, large, grown)]
    assert lines[0] == lines[1]
    assert lines[0] != lines[2]


@pytest.mark.parametrize("data,message", [
    (b"", "not an ELF file"),
    (b"#!/bin/sh\n", "not an ELF file"),
    (b"\x7fELF\x03\x01" + b"\0" * 10, "unknown ELF class"),
])
def test_non_elf_input_is_rejected(data, message):
    with pytest.raises(elf.ElfError, match=message):
        elf.ElfFile(data)


def test_truncated_file_is_rejected():
    data = crafted(64, "little")
    with pytest.raises(elf.ElfError):
        elf.ElfFile(data[:200])


def test_truncated_file_on_disk_is_rejected(tmp_path):
    path = tmp_path / "libcut.so"
    path.write_bytes(crafted(64, "little")[:300])
    with pytest.raises(elf.ElfError):
        elf.ElfFile.from_path(str(path))
    path.write_bytes(b"")
    with pytest.raises(elf.ElfError, match="empty file"):
        elf.ElfFile.from_path(str(path))


def test_crafted_big_endian_library_is_reported_and_a_broken_one_is_checksummed(tmp_path):
    from sstatemgmt.compat import ParentInput, build_report
    lib = tmp_path / "root" / "usr" / "lib"
    lib.mkdir(parents=True)
    (lib / "libfoo.so.1").write_bytes(crafted(32, "big"))
    (lib / "libcut.so.1").write_bytes(crafted(64, "little")[:300])
    warnings = []
    text = build_report("child", [ParentInput("libfoo", str(tmp_path / "root"))],
                        warn=warnings.append)
    lines = text.splitlines()
    assert warnings == ["parent libfoo: elf-interface cannot judge usr/lib/libcut.so.1: an ELF "
                        "file it cannot read (no section headers, or truncated); judged by "
                        "checksum only"]
    assert "    symbol: foo_table@@FOO_1.1 OBJECT GLOBAL size=48" in lines
    assert "  note: covered by checksum, no checker can judge them: 1 elf-unreadable" in lines
    assert any(l.startswith("  file: usr/lib/libcut.so.1 sha256=") for l in lines)


def test_file_without_section_headers_is_rejected():
    data = bytearray(crafted(64, "little"))
    data[0x28:0x30] = b"\0" * 8  # e_shoff = 0, as sstrip leaves it
    with pytest.raises(elf.ElfError, match="no section headers"):
        elf.ElfFile(bytes(data))


def _cc(tmp_path, name, source, *flags):
    src = tmp_path / (name + ".c")
    src.write_text(source)
    out = tmp_path / name
    proc = subprocess.run(["gcc", "-shared", "-fPIC", "-o", str(out), str(src)] + list(flags),
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
    return out, proc


needs_gcc = pytest.mark.skipif(not shutil.which("gcc"), reason="host gcc missing")


@needs_gcc
def test_compiled_library(tmp_path):
    vmap = tmp_path / "v.map"
    vmap.write_text("V_1 { global: f; t; local: *; };\nV_2 { global: g; } V_1;\n")
    lib, proc = _cc(tmp_path, "libv.so.3", """
        #include <stdio.h>
        #include <math.h>
        int t[5];
        int f(void) { return printf("x") + (int)sqrt(t[0]); }
        int g(void) { return 2; }
        """, "-g", "-Wl,-soname,libv.so.3", "-Wl,--version-script=%s" % vmap,
        "-Wl,--no-as-needed", "-lm")
    assert proc.returncode == 0, proc.stderr
    obj = elf.ElfFile.from_path(str(lib))
    assert (obj.elf_class, obj.byteorder, obj.soname) == (64, "little", "libv.so.3")
    assert "libm.so.6" in obj.needed and "libc.so.6" in obj.needed
    syms = dict((s.name, s) for s in obj.symbols if s.defined)
    assert (syms["t"].size, syms["t"].version) == (20, "V_1")
    assert (syms["g"].version, syms["g"].hidden) == ("V_2", False)
    assert [v.parents for v in obj.verdefs if v.name == "V_2"] == [("V_1",)]
    assert any(n.file == "libc.so.6" and any(v.startswith("GLIBC_") for v in n.versions)
               for n in obj.verneeds)
    assert obj.has_debug_info()
    stripped = tmp_path / "stripped.so"
    subprocess.run(["strip", "-o", str(stripped), str(lib)], check=True)
    assert not elf.ElfFile.from_path(str(stripped)).has_debug_info()


@needs_gcc
def test_compiled_32bit_library(tmp_path):
    lib, proc = _cc(tmp_path, "lib32.so", "int d[3] = {1, 2, 3};\nint f(void) { return d[1]; }\n",
                    "-m32", "-nostdlib", "-Wl,-soname,lib32.so.1")
    if proc.returncode:
        pytest.skip("gcc -m32 cannot link here (%s); the crafted 32-bit files cover it"
                    % proc.stderr.strip().splitlines()[-1:])
    obj = elf.ElfFile.from_path(str(lib))
    assert (obj.elf_class, obj.soname) == (32, "lib32.so.1")
    syms = dict((s.name, s) for s in obj.symbols if s.defined)
    assert (syms["d"].type, syms["d"].size) == ("OBJECT", 12)
    assert syms["f"].type == "FUNC"


def test_corrupted_files_only_ever_raise_elf_error():
    # A sysroot may hold anything with an ELF magic: corrupt bytes must give
    # ElfError (then a checksum), never another exception.
    import random
    rng = random.Random(4)
    seeds = [crafted(c, b) for c, b in FORMATS]
    others = []
    for _ in range(3000):
        data = bytearray(rng.choice(seeds))
        for _ in range(rng.randint(1, 8)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        if rng.random() < 0.2:
            data = data[:rng.randrange(len(data))]
        try:
            elf.ElfFile(bytes(data))
        except elf.ElfError:
            pass
        except Exception as err:  # noqa: B902 - the point of the test
            others.append(repr(err))
    assert others == []
