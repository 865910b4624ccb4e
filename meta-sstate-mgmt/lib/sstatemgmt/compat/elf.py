# SPDX-License-Identifier: MIT
"""Pure-Python reader for the dynamic interface of ELF shared objects.

Reads what a dynamic linker and a consumer at build time see of a shared
object, for any target architecture, without binutils: the ``.dynamic``
entries (SONAME, NEEDED), the dynamic symbol table (``.dynsym`` with
``.dynstr``) and the GNU symbol versioning sections (``.gnu.version``,
``.gnu.version_d``, ``.gnu.version_r``). 32 and 64-bit, little and big
endian. It needs section headers; a file without them (``sstrip``) raises
:class:`ElfError`, and callers then fall back to a checksum.
"""

import mmap
import struct
from collections import namedtuple

ELF_MAGIC = b"\x7fELF"

ET_NAMES = {0: "NONE", 1: "REL", 2: "EXEC", 3: "DYN", 4: "CORE"}
ET_DYN = 3

SHT_DYNAMIC = 6
SHT_DYNSYM = 11
SHT_NOBITS = 8
SHT_GNU_VERDEF = 0x6FFFFFFD
SHT_GNU_VERNEED = 0x6FFFFFFE
SHT_GNU_VERSYM = 0x6FFFFFFF

DT_NULL, DT_NEEDED, DT_SONAME = 0, 1, 14

SHN_UNDEF = 0
VER_FLG_BASE = 1
VERSYM_HIDDEN = 0x8000

STT_NAMES = {0: "NOTYPE", 1: "OBJECT", 2: "FUNC", 3: "SECTION", 4: "FILE",
             5: "COMMON", 6: "TLS", 10: "IFUNC"}
STB_NAMES = {0: "LOCAL", 1: "GLOBAL", 2: "WEAK", 10: "UNIQUE"}
STV_NAMES = {0: "DEFAULT", 1: "INTERNAL", 2: "HIDDEN", 3: "PROTECTED"}
#: Symbol types whose st_size is part of the interface (data objects).
DATA_TYPES = frozenset(("OBJECT", "TLS", "COMMON"))

Section = namedtuple("Section", "name type flags addr offset size link info entsize")
Symbol = namedtuple("Symbol", "name type bind visibility defined size version hidden")
Symbol.__doc__ = """A dynamic symbol.

``version`` is the version node name or ``None``; for a defined symbol it
comes from ``.gnu.version_d``, for an undefined one from ``.gnu.version_r``.
``hidden`` is True for a non-default version (``name@VER``, not ``@@``).
"""
VersionDef = namedtuple("VersionDef", "index name flags parents")
VersionNeed = namedtuple("VersionNeed", "file versions")


class ElfError(ValueError):
    """The bytes are not an ELF file this reader can interpret."""


def is_elf(head):
    """True if the first bytes of a file are the ELF magic."""
    return head[:4] == ELF_MAGIC


class ElfFile:
    """The dynamic interface of one ELF file.

    Attributes: ``elf_class`` (32/64), ``byteorder`` ("little"/"big"),
    ``e_type`` (e.g. "DYN"), ``machine`` (e_machine number), ``sections``,
    ``soname`` (or None), ``needed`` (list, in file order), ``symbols`` (all
    of ``.dynsym`` except index 0), ``verdefs``, ``verneeds``.
    """

    def __init__(self, data):
        self._d = data
        if len(data) < 16 or not is_elf(data):
            raise ElfError("not an ELF file")
        ei_class, ei_data = data[4], data[5]
        if ei_class not in (1, 2) or ei_data not in (1, 2):
            raise ElfError("unknown ELF class %d or data encoding %d" % (ei_class, ei_data))
        self.elf_class = 32 if ei_class == 1 else 64
        self.byteorder = "little" if ei_data == 1 else "big"
        self._e = "<" if ei_data == 1 else ">"
        self._addr = "I" if ei_class == 1 else "Q"
        self._read_header()
        self.sections = self._read_sections()
        self.soname = None
        self.needed = []
        self.symbols = []
        self.verdefs = []
        self.verneeds = []
        self._read_dynamic()
        self._read_versions()
        self._read_symbols()

    @classmethod
    def from_path(cls, path):
        """Parse the file at ``path`` (memory-mapped, so large files are cheap)."""
        with open(path, "rb") as f:
            try:
                data = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
            except ValueError:  # empty file
                raise ElfError("empty file")
        try:
            obj = cls(data)
            # Every value is copied out during parsing; nothing keeps the map.
            obj._d = None
            return obj
        finally:
            data.close()

    # -- low level ---------------------------------------------------------

    def _unpack(self, fmt, offset):
        fmt = self._e + fmt.replace("A", self._addr)
        try:
            return struct.unpack_from(fmt, self._d, offset)
        except (struct.error, OverflowError):
            raise ElfError("truncated ELF file (reading %s at offset %d)" % (fmt, offset))

    def _read_header(self):
        e_type, machine = self._unpack("HH", 16)
        self.e_type = ET_NAMES.get(e_type, str(e_type))
        self.machine = machine
        # e_shoff follows e_version, e_entry and e_phoff.
        pos = 24 + (8 if self.elf_class == 32 else 16)
        (self._shoff,) = self._unpack("A", pos)
        pos += 4 if self.elf_class == 32 else 8
        _flags, _ehsize, _phentsize, _phnum, self._shentsize, self._shnum, self._shstrndx = \
            self._unpack("IHHHHHH", pos)

    def _read_sections(self):
        if not self._shoff or not self._shnum:
            raise ElfError("no section headers (stripped with sstrip?)")
        fmt = "IIIIIIIIII" if self.elf_class == 32 else "IIQQQQIIQQ"
        raw = []
        for i in range(self._shnum):
            (name, stype, flags, addr, offset, size, link, info, _align, entsize) = \
                self._unpack(fmt, self._shoff + i * self._shentsize)
            raw.append((name, stype, flags, addr, offset, size, link, info, entsize))
        if self._shstrndx >= len(raw):
            raise ElfError("bad section name table index")
        shstr = raw[self._shstrndx]
        return [Section(self._cstr(shstr[4], shstr[5], r[0]), *r[1:]) for r in raw]

    def _cstr(self, table_off, table_size, index):
        if index >= table_size:
            raise ElfError("string index %d outside its table" % index)
        start = table_off + index
        if table_off + table_size > len(self._d):
            raise ElfError("string table outside the file")
        end = self._d.find(b"\0", start, table_off + table_size)
        if end < 0:
            raise ElfError("unterminated string in string table")
        return bytes(self._d[start:end]).decode("utf-8", "backslashreplace")

    def _section(self, stype):
        for s in self.sections:
            if s.type == stype:
                return s
        return None

    def _strtab(self, sec):
        """(offset, size) of the string table a section links to."""
        if sec.link >= len(self.sections):
            raise ElfError("section %s links to a missing section" % sec.name)
        tab = self.sections[sec.link]
        return tab.offset, tab.size

    # -- .dynamic ----------------------------------------------------------

    def _read_dynamic(self):
        dyn = self._section(SHT_DYNAMIC)
        if dyn is None or dyn.type == SHT_NOBITS:
            return
        stroff, strsize = self._strtab(dyn)
        entsize = 8 if self.elf_class == 32 else 16
        fmt = "ii" if self.elf_class == 32 else "qQ"
        for pos in range(dyn.offset, dyn.offset + dyn.size - entsize + 1, entsize):
            tag, val = self._unpack(fmt, pos)
            if tag == DT_NULL:
                break
            if tag == DT_NEEDED:
                self.needed.append(self._cstr(stroff, strsize, val))
            elif tag == DT_SONAME:
                self.soname = self._cstr(stroff, strsize, val)

    # -- versions ----------------------------------------------------------

    def _chain(self, sec, fmt, next_field):
        """Walk a linked list of version records; yield (offset, fields).

        ``next_field`` indexes the "offset to next record" field. The number
        of records is sh_info when set, and the walk stops at a zero link.
        """
        pos, left = sec.offset, sec.info or 0xFFFF
        while left:
            fields = self._unpack(fmt, pos)
            yield pos, fields
            left -= 1
            if not fields[next_field]:
                break
            pos += fields[next_field]

    def _aux_chain(self, pos, count, fmt, next_field):
        for _ in range(count):
            fields = self._unpack(fmt, pos)
            yield fields
            if not fields[next_field]:
                break
            pos += fields[next_field]

    def _read_versions(self):
        self._verdef_names = {}
        self._verneed_names = {}
        vd = self._section(SHT_GNU_VERDEF)
        if vd is not None and vd.type != SHT_NOBITS:
            stroff, strsize = self._strtab(vd)
            # Elf_Verdef: vd_version vd_flags vd_ndx vd_cnt vd_hash vd_aux vd_next
            for pos, (_v, flags, ndx, cnt, _h, aux, _n) in self._chain(vd, "HHHHIII", 6):
                # Elf_Verdaux: vda_name vda_next; the first is the node's name,
                # the others its parents (predecessors).
                names = [self._cstr(stroff, strsize, name)
                         for name, _next in self._aux_chain(pos + aux, cnt, "II", 1)]
                if names:
                    self.verdefs.append(VersionDef(ndx, names[0], flags, tuple(names[1:])))
                    self._verdef_names[ndx] = names[0]
        vn = self._section(SHT_GNU_VERNEED)
        if vn is not None and vn.type != SHT_NOBITS:
            stroff, strsize = self._strtab(vn)
            # Elf_Verneed: vn_version vn_cnt vn_file vn_aux vn_next
            for pos, (_v, cnt, vn_file, aux, _n) in self._chain(vn, "HHIII", 4):
                versions = []
                # Elf_Vernaux: vna_hash vna_flags vna_other vna_name vna_next
                for _h, _f, other, vna_name, _next in self._aux_chain(pos + aux, cnt, "IHHII", 4):
                    versions.append(self._cstr(stroff, strsize, vna_name))
                    self._verneed_names[other] = versions[-1]
                self.verneeds.append(VersionNeed(self._cstr(stroff, strsize, vn_file),
                                                 tuple(versions)))

    # -- .dynsym -----------------------------------------------------------

    def _read_symbols(self):
        dynsym = self._section(SHT_DYNSYM)
        if dynsym is None or dynsym.type == SHT_NOBITS:
            return
        stroff, strsize = self._strtab(dynsym)
        versym = self._section(SHT_GNU_VERSYM)
        if self.elf_class == 32:
            fmt, size = "IIIBBH", 16
        else:
            fmt, size = "IBBHQQ", 24
        count = dynsym.size // (dynsym.entsize or size)
        for i in range(1, count):
            fields = self._unpack(fmt, dynsym.offset + i * size)
            if self.elf_class == 32:
                name, _value, st_size, info, other, shndx = fields
            else:
                name, info, other, shndx, _value, st_size = fields
            defined = shndx != SHN_UNDEF
            version, hidden = None, False
            if versym is not None and versym.type != SHT_NOBITS:
                (vs,) = self._unpack("H", versym.offset + 2 * i)
                hidden = bool(vs & VERSYM_HIDDEN)
                idx = vs & ~VERSYM_HIDDEN
                if idx > 1:
                    table = self._verdef_names if defined else self._verneed_names
                    version = table.get(idx, "<version %d>" % idx)
            self.symbols.append(Symbol(
                name=self._cstr(stroff, strsize, name),
                type=STT_NAMES.get(info & 0xF, str(info & 0xF)),
                bind=STB_NAMES.get(info >> 4, str(info >> 4)),
                visibility=STV_NAMES[other & 3],
                defined=defined, size=st_size, version=version, hidden=hidden))

    # -- convenience -------------------------------------------------------

    def has_debug_info(self):
        """True if DWARF type information is present in this file itself."""
        for s in self.sections:
            if s.name in (".debug_info", ".zdebug_info") and s.type != SHT_NOBITS and s.size:
                return True
        return False
