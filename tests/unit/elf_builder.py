# SPDX-License-Identifier: MIT
"""Craft minimal ELF shared objects by hand, for any class and byte order.

The host toolchain only produces little-endian x86 files; these let the
reader be tested on 32/64-bit, little/big-endian input. Only what the
dynamic interface needs is written: .dynstr, .dynsym, .gnu.version,
.gnu.version_d, .gnu.version_r, .dynamic and the section name table.
"""

import struct

STT = {"NOTYPE": 0, "OBJECT": 1, "FUNC": 2, "TLS": 6}
STB = {"LOCAL": 0, "GLOBAL": 1, "WEAK": 2}
STV = {"DEFAULT": 0, "HIDDEN": 2, "PROTECTED": 3}


class _Strtab:
    def __init__(self):
        self.data = bytearray(b"\0")
        self.index = {"": 0}

    def add(self, s):
        if s not in self.index:
            self.index[s] = len(self.data)
            self.data += s.encode() + b"\0"
        return self.index[s]


def sym(name, type="FUNC", bind="GLOBAL", defined=True, size=0, version=1, hidden=False,
        visibility="DEFAULT"):
    """A symbol for :func:`build`; ``version`` is a .gnu.version index."""
    return dict(name=name, type=type, bind=bind, defined=defined, size=size,
                version=version, hidden=hidden, visibility=visibility)


def build(elf_class=64, byteorder="little", soname=None, needed=(), symbols=(),
          verdefs=(), verneeds=(), e_type=3, machine=62):
    """Bytes of an ELF file.

    ``verdefs``: (index, name, flags, parents); ``verneeds``: (file,
    [(index, name)]). Symbol ``version`` indexes refer to those.
    """
    e = "<" if byteorder == "little" else ">"
    is64 = elf_class == 64
    dynstr = _Strtab()
    shstr = _Strtab()

    # .dynsym
    if is64:
        symfmt, symsize = e + "IBBHQQ", 24
    else:
        symfmt, symsize = e + "IIIBBH", 16
    dynsym = bytearray(symsize)
    versym = bytearray(struct.pack(e + "H", 0))
    for s in symbols:
        info = (STB[s["bind"]] << 4) | STT[s["type"]]
        shndx = 7 if s["defined"] else 0
        other = STV[s["visibility"]]
        name = dynstr.add(s["name"])
        if is64:
            dynsym += struct.pack(symfmt, name, info, other, shndx, 0x1000, s["size"])
        else:
            dynsym += struct.pack(symfmt, name, 0x1000, s["size"], info, other, shndx)
        versym += struct.pack(e + "H", s["version"] | (0x8000 if s["hidden"] else 0))

    # .gnu.version_d
    verdef = bytearray()
    for i, (index, name, flags, parents) in enumerate(verdefs):
        names = [name] + list(parents)
        nxt = 20 + 8 * len(names) if i < len(verdefs) - 1 else 0
        verdef += struct.pack(e + "HHHHIII", 1, flags, index, len(names), 0, 20, nxt)
        for j, n in enumerate(names):
            verdef += struct.pack(e + "II", dynstr.add(n), 8 if j < len(names) - 1 else 0)

    # .gnu.version_r
    verneed = bytearray()
    for i, (fname, versions) in enumerate(verneeds):
        nxt = 16 + 16 * len(versions) if i < len(verneeds) - 1 else 0
        verneed += struct.pack(e + "HHIII", 1, len(versions), dynstr.add(fname), 16, nxt)
        for j, (index, vname) in enumerate(versions):
            verneed += struct.pack(e + "IHHII", 0, 0, index, dynstr.add(vname),
                                   16 if j < len(versions) - 1 else 0)

    # .dynamic
    dynfmt = e + ("qQ" if is64 else "iI")
    entries = [(1, dynstr.add(n)) for n in needed]
    if soname:
        entries.append((14, dynstr.add(soname)))
    entries.append((0, 0))
    dynamic = b"".join(struct.pack(dynfmt, t, v) for t, v in entries)

    # Sections: (name, type, data, link, info, entsize)
    sections = [
        (".dynstr", 3, bytes(dynstr.data), 0, 0, 0),
        (".dynsym", 11, bytes(dynsym), 1, 1, symsize),
        (".gnu.version", 0x6FFFFFFF, bytes(versym), 2, 0, 2),
        (".gnu.version_d", 0x6FFFFFFD, bytes(verdef), 1, len(verdefs), 0),
        (".gnu.version_r", 0x6FFFFFFE, bytes(verneed), 1, len(verneeds), 0),
        (".dynamic", 6, dynamic, 1, 0, 16 if is64 else 8),
        (".text", 1, b"\xc3" * 16, 0, 0, 0),
    ]
    names = [shstr.add(s[0]) for s in sections]
    shstrtab_name = shstr.add(".shstrtab")
    sections.append((".shstrtab", 3, bytes(shstr.data), 0, 0, 0))
    names.append(shstrtab_name)

    ehsize = 64 if is64 else 52
    body = bytearray()
    offsets = []
    for s in sections:
        while (ehsize + len(body)) % 8:
            body += b"\0"
        offsets.append(ehsize + len(body))
        body += s[2]
    while (ehsize + len(body)) % 8:
        body += b"\0"
    shoff = ehsize + len(body)
    shentsize = 64 if is64 else 40
    shfmt = e + ("IIQQQQIIQQ" if is64 else "IIIIIIIIII")
    shdrs = bytearray(shentsize)  # SHT_NULL
    for name, (sname, stype, data, link, info, entsize), off in zip(names, sections, offsets):
        shdrs += struct.pack(shfmt, name, stype, 2, off, off, len(data), link, info, 8, entsize)

    ident = b"\x7fELF" + bytes([2 if is64 else 1, 1 if byteorder == "little" else 2, 1]) + b"\0" * 9
    addr = "Q" if is64 else "I"
    header = ident + struct.pack(e + "HHI" + addr * 3 + "IHHHHHH", e_type, machine, 1, 0, 0,
                                 shoff, 0, ehsize, 0, 0, shentsize, len(sections) + 1,
                                 len(sections))
    return bytes(header + body + shdrs)
