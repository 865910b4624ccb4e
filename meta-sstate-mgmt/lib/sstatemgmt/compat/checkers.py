# SPDX-License-Identifier: MIT
"""The checkers, and the one registry that names them.

Each checker turns one parent into report lines (``report``). Checkers that
support the compatible-superset mode also judge whether a new section only
adds to an old one (``superset_blocks`` names the verbatim blocks they judge
with their tool; everything else is judged by ``superset.py``).

Layering: ``elf-interface`` covers every file (libraries by their dynamic
interface, headers by normalised tokens, the rest by checksum);
``abidiff`` and ``abi-compliance-checker`` add their tool's view on top of
that, so they are never less safe than ``elf-interface``.
"""

import contextlib
import hashlib
import os
import re
import shutil
import tempfile
import xml.etree.ElementTree as ET
from collections import Counter
from xml.sax.saxutils import escape, quoteattr

from . import cheaders, elf, inputs, preprocess, release, tools
from .errors import CompatError, OptionError
from .report import INDENT, VERBATIM

CHECKERS = {}
#: The line of a superset-mode section that is judged exactly.
SUPERSET_REFUSED = "superset: refused, the file globs leave out headers"


class ToolFailed(Exception):
    """An ABI tool could not judge a library; the checker falls back to
    elf-interface for it (never less safe) and warns."""


def register(cls):
    """Class decorator: add a checker to ``CHECKERS`` under ``cls.name``."""
    CHECKERS[cls.name] = cls
    return cls


def _checker_class(name, context=""):
    cls = CHECKERS.get(name)
    if cls is None:
        raise OptionError("%sunknown checker %r; use one of: %s"
                          % (context, name, ", ".join(sorted(CHECKERS))), "checker", name, sorted(CHECKERS))
    return cls


def get_checker(name, tools_=None, warn=None, log_dir=None, context=""):
    """Instantiate checker ``name``, or raise CompatError naming the choices."""
    return _checker_class(name, context)(tools_, warn, log_dir)


def check_options(checker, mode="exact", suppressions=None, debug_dirs=None, release_metadata="ignore",
                  context="", scope="all"):
    """The class of checker ``checker``, after checking that it can honour the
    other options; raise :class:`OptionError` for the first one that is
    unknown or that it cannot honour. ``context`` prefixes the message
    ("parent x: "). :class:`ParentInput` options are checked here, once, for
    every front end."""
    cls = _checker_class(checker, context)
    if mode not in inputs.MODES:
        raise OptionError("%sunknown mode %r; use one of: %s" % (context, mode, ", ".join(inputs.MODES)),
                          "mode", mode, inputs.MODES)
    # Any checker accepts either policy: one that does not use release
    # metadata sees every byte, which is what "strict" asks for, and
    # refusing the default "ignore" for it would fail every such parent.
    if release_metadata not in release.POLICIES:
        raise OptionError("%sunknown release metadata policy %r; use one of: %s"
                          % (context, release_metadata, ", ".join(release.POLICIES)),
                          "release_metadata", release_metadata, release.POLICIES)
    # The scope only narrows superset mode; exact mode ignores it, so one
    # global setting suits parents in either mode.
    if scope not in inputs.SCOPES:
        raise OptionError("%sunknown scope %r; use one of: %s" % (context, scope, ", ".join(inputs.SCOPES)),
                          "scope", scope, inputs.SCOPES)
    # (option, its value when set, the capability it needs, the message)
    for option, value, capability, text in (
            ("mode", mode if mode == "superset" else None, "supports_superset",
             "checker {checker} has no superset mode; use mode=\"exact\" or one of: {capable}"),
            ("suppressions", suppressions, "uses_suppressions",
             "suppression files only apply to the {capable} checker, not {checker}; drop them or use {capable}"),
            ("debug_dirs", debug_dirs, "uses_debug_info",
             "debug_dirs only apply to the {capable} checker, not {checker}; drop them or use {capable}")):
        if value and not getattr(cls, capability):
            capable = sorted(n for n, c in CHECKERS.items() if getattr(c, capability))
            raise OptionError(context + text.format(checker=cls.name, capable=", ".join(capable)),
                              option, value, capable, unsupported=True)
    return cls


def checker_for(parent, tools_=None, warn=None, log_dir=None):
    """The checker a parent asks for, after checking its options fit it."""
    cls = check_options(parent.checker, parent.mode, parent.suppressions, parent.debug_dirs,
                        parent.release_metadata, "parent %s: " % parent.name, parent.scope)
    return cls(tools_, warn, log_dir)


def block(key, lines, ident=None):
    """A verbatim block: ``key: [ident ]sha256=...`` then ``| line`` children."""
    text = "\n".join(lines)
    return ["%s: %ssha256=%s" % (key, ident + " " if ident else "", cheaders.sha256_text(text))] + \
        [INDENT + VERBATIM + line for line in lines]


def indent(lines):
    return [INDENT + line for line in lines]


class Checker:
    """Base class. ``report(parent)`` returns the lines of its section."""

    name = None
    supports_superset = False
    uses_suppressions = False
    uses_debug_info = False
    #: Whether ``parent.release_metadata`` applies (see ``release.py``).
    uses_release_metadata = False
    #: Verbatim block keys this checker judges in superset mode.
    superset_blocks = ()

    def __init__(self, tools_=None, warn=None, log_dir=None):
        self.tools = tools_ or {}
        self.warn = warn or (lambda message: None)
        self.log_dir = log_dir

    def report(self, parent):
        raise NotImplementedError

    def cannot_judge(self, parent, paths, why, fix="", judged_by="elf-interface"):
        """Warn, in one form for every checker, that it cannot see what it
        is meant to judge in ``paths`` and what judges them instead."""
        self.warn("parent %s: %s cannot judge %s: %s; judged by %s only%s"
                  % (parent.name, self.name, ", ".join(paths), why, judged_by,
                     "; " + fix if fix else ""))

    def block_superset(self, key, old_lines, new_lines, section):
        """True if verbatim block ``new_lines`` is a compatible superset of
        ``old_lines``. Only called for keys in ``superset_blocks``;
        ``section`` is the new report's parent item (``section.ident`` is the
        parent's name)."""
        raise NotImplementedError


@register
class ChecksumChecker(Checker):
    """sha256 of every file the parent staged (or those the globs select)."""

    name = "checksum"

    def report(self, parent):
        lines = []
        for rel in inputs.walk(parent):
            path = os.path.join(parent.root, rel)
            if os.path.islink(path):
                lines.append("link: %s -> %s" % (rel, os.readlink(path)))
                continue
            try:
                lines.append("file: %s sha256=%s" % (rel, inputs.sha256_file(path)))
            except OSError as err:
                raise inputs.unreadable(parent, rel, err)
        return lines


def symbol_line(sym):
    name = sym.name
    if sym.version:
        name += ("@" if sym.hidden else "@@") + sym.version
    fields = [name, sym.type, sym.bind]
    if sym.visibility != "DEFAULT":
        fields.append(sym.visibility)
    if sym.type in elf.DATA_TYPES:
        fields.append("size=%d" % sym.size)
    return "symbol: " + " ".join(fields)


def elf_interface_lines(obj):
    """SONAME, NEEDED, version nodes, defined and required symbols."""
    lines = ["soname: %s" % (obj.soname or "-")]
    lines += ["needed: %s" % n for n in obj.needed]
    lines += sorted("verdef: %s%s" % (v.name, " parents=" + ",".join(v.parents) if v.parents else "")
                    for v in obj.verdefs if not v.flags & elf.VER_FLG_BASE)
    exported = set()
    required = set()
    for sym in obj.symbols:
        if sym.defined and sym.bind != "LOCAL" and sym.visibility in ("DEFAULT", "PROTECTED"):
            exported.add(symbol_line(sym))
        elif not sym.defined and sym.bind == "GLOBAL" and sym.version is None:
            # Unversioned, non-weak imports may have to come from the
            # program itself (a library that starts to require a callback).
            required.add("undefined: " + sym.name)
    return lines + sorted(exported) + sorted(required)


#: pkg-config fields only ``pkg-config --static`` reads: what a child links
#: statically needs (the parent's static archives, if staged, are judged by
#: checksum). ``Requires.private`` stays: its Cflags reach every child.
_STATIC_ONLY = re.compile(rb"(?mi)^(?:Libs|Cflags)\.private[ \t]*:.*(?:\n|\Z)")


@register
class ElfInterfaceChecker(Checker):
    """Dynamic interface of each shared object, headers as the preprocessor
    shows them (or by tokens), the rest by checksum."""

    name = "elf-interface"
    supports_superset = True
    uses_release_metadata = True

    def report(self, parent):
        inv = inputs.scan(parent)
        refusal = self.superset_refusal(parent, inv)
        if refusal:
            inv = inputs.scan(parent, extra=inputs.unselected_headers(parent))
        unreadable = [o.path for o in inv.others if o.kind == "elf-unreadable"]
        if unreadable:
            self.cannot_judge(parent, unreadable, "an ELF file it cannot read (no section "
                              "headers, or truncated)", judged_by="checksum")
        self.metadata = None
        if parent.release_metadata == "ignore":
            self.metadata = release.ReleaseMetadata(
                parent.root, inv.headers, inv.others,
                dict((os.path.basename(l.path), os.path.basename(l.ident)) for l in inv.libraries))
        shown = self.metadata.path if self.metadata else (lambda rel: rel)
        # With a preprocessor, headers are judged by what a consumer's
        # compiler sees of them (preprocess.py); without, by their tokens.
        self.cpp = preprocess.command(self.tools["cpp"]) if self.tools.get("cpp") else None
        self.include_dirs = inputs.include_dirs(parent, inv) if self.cpp and inv.headers else []
        self.not_preprocessed = []
        lines = self.notes(inv) + refusal
        lines += self.parent_lines(parent, inv)
        for lib in inv.libraries:
            lines.append("library: " + lib.ident)
            lines += indent(self.library_lines(parent, inv, lib))
        lines += ["link: %s -> %s" % (shown(l.path), shown(l.target)) for l in inv.links]
        for rel in inv.headers:
            lines += self.header_lines(parent, rel)
        if self.not_preprocessed:
            self.cannot_judge(parent, [rel for rel, _why in self.not_preprocessed],
                              "they do not preprocess on their own (%s)" % self.not_preprocessed[0][1],
                              judged_by="their tokens")
        for o in inv.others:
            lines.append("file: %s sha256=%s %s" % (shown(o.path), self.other_digest(parent, o),
                                                    o.kind))
        return lines

    def other_digest(self, parent, other):
        """sha256 of a file no checker judges; of its text without release
        metadata for pkg-config, CMake and libtool files, and without the
        static-only fields for pkg-config files."""
        path = os.path.join(parent.root, other.path)
        if other.kind != "pkg-config" and not (self.metadata and other.kind in release.TEXT_KINDS):
            return inputs.sha256_file(path)
        with open(path, "rb") as f:
            data = f.read()
        if other.kind == "pkg-config":
            data = _STATIC_ONLY.sub(b"", data)
        if self.metadata:
            data = self.metadata.text(other.kind, data)
        return hashlib.sha256(data).hexdigest()

    @staticmethod
    def notes(inv):
        kinds = Counter(o.kind for o in inv.others)
        if not kinds:
            return []
        return ["note: covered by checksum, no checker can judge them: " + ", ".join(
            "%d %s" % (n, k) for k, n in sorted(kinds.items()))]

    def superset_refusal(self, parent, inv):
        """Superset mode judges libraries together with their headers: an
        enumerator inserted or a struct grown in a header is ABI that no
        library shows. When the globs leave out headers the parent stages,
        the section is judged exactly (``superset_report`` keeps it) and
        covers those headers too."""
        if parent.mode != "superset" or not parent.globs or not inv.libraries:
            return []
        left_out = inputs.unselected_headers(parent)
        if not left_out:
            return []
        self.warn("parent %s: superset mode refused: the file globs leave out %d header%s the "
                  "parent stages (%s%s), and headers carry ABI the libraries do not show; they "
                  "are judged too, and exactly. Add the headers to the globs (CDEPENDS_FILES) or "
                  "use mode exact" % (parent.name, len(left_out), "s" if len(left_out) > 1 else "",
                                      ", ".join(left_out[:3]), ", ..." if len(left_out) > 3 else ""))
        return [SUPERSET_REFUSED]

    def parent_lines(self, parent, inv):
        """Lines about the parent as a whole (hook for deeper checkers)."""
        return []

    def library_lines(self, parent, inv, lib):
        return elf_interface_lines(lib.elf)

    def header_lines(self, parent, rel):
        rewrite = self.metadata.rewrite if self.metadata else None
        shown = self.metadata.path(rel) if self.metadata else rel
        if self.cpp:
            try:
                view = preprocess.header_view(self.cpp, parent.root, rel, self.include_dirs,
                                              rewrite)
            except preprocess.NotPreprocessed as err:
                self.not_preprocessed.append((rel, str(err)))
                lines = self._token_lines(parent, rel, shown, rewrite)
                return lines[:1] + [INDENT + "note: not preprocessed, judged by tokens: %s" % err] + \
                    lines[1:]
            lines = preprocess.view_lines(view)
            if parent.mode == "exact":
                return ["header: %s preprocessed=%s" % (shown, cheaders.sha256_text("\n".join(lines)))]
            return ["header: " + shown] + indent(block("view", lines))
        return self._token_lines(parent, rel, shown, rewrite)

    @staticmethod
    def _token_lines(parent, rel, shown, rewrite):
        """A header judged by its normalised tokens (``cheaders.py``)."""
        with open(os.path.join(parent.root, rel), "rb") as f:
            data = f.read()
        rel = shown
        if parent.mode == "exact":
            return ["header: %s tokens=%s" % (rel, cheaders.digest(data, rewrite))]
        directives, decls = cheaders.structure(data, rewrite)
        lines = ["header: " + rel,
                 INDENT + "directives: " + cheaders.sha256_text("\n".join(directives))]
        lines += [INDENT + "decl: " + cheaders.sha256_text(d)[:32] for d in decls]
        return lines


# -- abidiff -------------------------------------------------------------------

#: Attributes of abidw output that change with the build, not the ABI.
_ABIXML_DROP = frozenset(("path", "comp-dir-path", "filepath", "line", "column", "alias"))


def normalise_abixml(text):
    """Canonical abidw output: volatile attributes dropped, symbols and
    translation units sorted. Still valid ABIXML that abidiff reads."""
    root = ET.fromstring(text)
    for el in root.iter():
        for attr in _ABIXML_DROP & set(el.attrib):
            del el.attrib[attr]
    for el in root.iter():
        if el.tag in ("elf-function-symbols", "elf-variable-symbols"):
            _sort_children(el, lambda c: (c.get("name", ""), _xml_lines(c)))
    if root.tag == "abi-corpus":
        # ELF symbol lists first, as abidw writes them; then the translation
        # units in content order, so moving code between files is no change.
        _sort_children(root, lambda c: (c.tag == "abi-instr",
                                        _xml_lines(c) if c.tag == "abi-instr" else []))
        _name_translation_units(root)
    return _xml_lines(root)


def _name_translation_units(root):
    """Give each translation unit a path made of its content.

    The real path changes with the build directory, but abidiff needs one
    per unit: two units without a path make it abort (an assertion in
    corpus::add) as soon as a library has more than one. A content hash
    keeps moving code between files no change; equal units get a suffix.
    """
    seen = Counter()
    for el in root:
        if el.tag == "abi-instr":
            name = "tu-" + cheaders.sha256_text("\n".join(_xml_lines(el)))[:16]
            seen[name] += 1
            el.set("path", name if seen[name] == 1 else "%s-%d" % (name, seen[name]))


def _sort_children(el, key):
    kids = list(el)
    for k in kids:
        el.remove(k)
    # Sorting is stable: elements the key does not order keep their place.
    el.extend(sorted(kids, key=key))


def _xml_lines(el, depth=0):
    attrs = "".join(" %s=%s" % (k, quoteattr(v)) for k, v in el.attrib.items())
    pad = INDENT * depth
    kids = list(el)
    text = escape(el.text.strip()) if el.text and el.text.strip() else ""
    if not kids:
        return ["%s<%s%s%s>" % (pad, el.tag, attrs, "/" if not text else ">%s</%s" % (text, el.tag))]
    lines = ["%s<%s%s>%s" % (pad, el.tag, attrs, text)]
    for k in kids:
        lines.extend(_xml_lines(k, depth + 1))
    lines.append("%s</%s>" % (pad, el.tag))
    return lines


_ADDED_ONLY = [
    re.compile(r"^(Functions|Variables) changes summary: 0 Removed, 0 Changed, \d+ Added "
               r"(function|variable)s?$"),
    re.compile(r"^(Function|Variable) symbols changes summary: 0 Removed, \d+ Added "
               r"(function|variable) symbols? not referenced by debug info$"),
    re.compile(r"^\d+ Added (function|variable)( symbol)?s?( not referenced by debug info)?:$"),
    re.compile(r"^  \[A\] "),
    re.compile(r"^$"),
]


def abidiff_additions_only(output):
    """True if abidiff's report lists nothing but added functions/variables.

    Anything this does not recognise counts as a change: an unknown line
    never proves compatibility.
    """
    lines = output.splitlines()
    return bool(lines) and all(any(p.match(l) for p in _ADDED_ONLY) for l in lines)


@register
class AbidiffChecker(ElfInterfaceChecker):
    """elf-interface plus libabigail's view of the types (needs DWARF)."""

    name = "abidiff"
    uses_suppressions = True
    uses_debug_info = True
    superset_blocks = ("abi-xml",)

    def report(self, parent):
        self._no_debug = []
        lines = super().report(parent)
        if self._no_debug:
            self.cannot_judge(parent, self._no_debug, "no DWARF debug info (stripped?)",
                              "build the parent with debug info or pass debug_dirs "
                              "(its -dbg files)")
        return lines

    def parent_lines(self, parent, inv):
        # Their text goes into the report: it changes what abidw emits
        # ("drop = true") and what abidiff accepts in superset mode.
        lines = []
        for path in parent.suppressions:
            with open(path, encoding="utf-8", errors="replace") as f:
                lines += block("suppressions", f.read().splitlines(), os.path.basename(path))
        return lines

    def library_lines(self, parent, inv, lib):
        lines = super().library_lines(parent, inv, lib)
        try:
            xml = self.abidw(parent, inv, lib)
        except ToolFailed as err:
            self.cannot_judge(parent, [lib.path], "abidw failed (%s)" % err)
            return ["note: abidw failed, judged by elf-interface only"] + lines
        if xml is None:
            self._no_debug.append(lib.path)
            return ["note: no debug info, judged by elf-interface only"] + lines
        return lines + block("abi-xml", xml)

    def abidw(self, parent, inv, lib):
        """Normalised abidw output for a library, None without debug info.
        Raises ToolFailed when abidw fails or prints something unreadable."""
        # Only what the library exports: abidw otherwise also declares, in
        # each translation unit, the functions it merely calls (hidden
        # helpers, libc), so removing an internal call would change the report.
        # Parameter names come from the definitions and are no ABI (the
        # header's tokens still see the declarations).
        argv = [tools.find_tool("abidw", self.tools), "--no-show-locs",
                "--no-comp-dir-path", "--no-corpus-path", "--type-id-style", "hash",
                "--exported-interfaces-only", "--no-parameter-names"]
        # With the public headers, types only the library's own sources
        # define (behind opaque pointers) are left out.
        include_dirs = sorted(set(inputs.include_dir(h) for h in inv.headers))
        for d in include_dirs:
            argv += ["--headers-dir", os.path.join(parent.root, d)]
        if include_dirs:
            argv.append("--drop-private-types")
        for d in parent.debug_dirs:
            argv += ["--debug-info-dir", d]
        for s in parent.suppressions:
            argv += ["--suppressions", s]
        argv.append(os.path.join(parent.root, lib.path))
        proc = tools.run(argv)
        if proc.returncode != 0:
            raise ToolFailed(tools.last_line(proc))
        if "<abi-instr" not in proc.stdout:
            return None
        try:
            return normalise_abixml(proc.stdout)
        except ET.ParseError as err:
            raise ToolFailed("unreadable output: %s" % err)

    def block_superset(self, key, old_lines, new_lines, section):
        with tempfile.TemporaryDirectory(prefix="cdepends-abidiff-") as tmp:
            files = [("old.xml", old_lines), ("new.xml", new_lines)]
            files += [("%d.supp" % n, item.verbatim()) for n, item in enumerate(
                c for c in section.children if c.key == "suppressions")]
            argv = [tools.find_tool("abidiff", self.tools), "--harmless"]
            for name, lines in files:
                path = os.path.join(tmp, name)
                with open(path, "w") as f:
                    f.write("\n".join(lines) + "\n")
                argv += ["--suppressions", path] if name.endswith(".supp") else [path]
            proc = tools.run(argv)
        self._log("abidiff-%s.txt" % section.ident, proc.stdout + proc.stderr)
        if proc.returncode == 0:
            return True
        # Bit 4 (ABIDIFF_ABI_CHANGE) alone, with a report that only adds.
        return proc.returncode == 4 and abidiff_additions_only(proc.stdout)

    def _log(self, name, text):
        if self.log_dir:
            os.makedirs(self.log_dir, exist_ok=True)
            with open(os.path.join(self.log_dir, name), "a") as f:
                f.write(text)


# -- abi-compliance-checker ------------------------------------------------------

#: Top-level keys of an ACC dump that describe the host, not the library.
_ACC_DROP_TOP = frozenset(("ABI_COMPLIANCE_CHECKER_VERSION", "CompilerConstants", "GccVersion"))
_ACC_LINE = re.compile(r"^\s*'Line' => '?\d+'?,?$")
_ACC_TOP_KEY = re.compile(r"^ {10}'([^']+)' => ")


_ACC_KEY = re.compile(r"^\s*'([^']+)' => ")


def normalise_acc_dump(text, release_metadata=None):
    """An ``abi-compliance-checker -dump`` file without what depends on the
    host (compiler, tool version) or on line numbers, and, given a
    :class:`release.ReleaseMetadata`, without the values of version macros
    (``Constants``) and release versions in names and constants. Stays
    loadable."""
    out, skip_depth, depth = [], 0, 0
    section = constant = None
    for line in text.splitlines():
        stripped = line.strip()
        opens = stripped.endswith(("{", "[")) and not stripped.endswith(("{}", "[]"))
        closes = stripped.startswith(("}", "]"))
        if skip_depth:
            skip_depth += opens - closes
            continue
        top = _ACC_TOP_KEY.match(line) if depth == 1 else None
        if top and top.group(1) in _ACC_DROP_TOP:
            skip_depth = 1 if opens else 0
            continue
        if release_metadata:
            key = _ACC_KEY.match(line)
            if key and depth == 1:
                section = key.group(1)
            elif key and depth == 2 and section == "Constants":
                constant = key.group(1)
            elif key and key.group(1) == "Value" and section == "Constants":
                if constant in release_metadata.macros:
                    line = line[:key.end()] + "'%s'" % release.PLACEHOLDER + \
                        ("," if line.rstrip().endswith(",") else "")
                else:
                    line = release_metadata.in_text(line)
            line = release_metadata.in_names(line)
        depth += opens - closes
        if not _ACC_LINE.match(line):
            out.append(line)
    return out


@register
class AbiComplianceChecker(ElfInterfaceChecker):
    """elf-interface plus abi-compliance-checker's dump of headers and
    libraries (compiles the headers with GCC; no DWARF needed)."""

    name = "abi-compliance-checker"
    superset_blocks = ("acc-dump",)
    supports_superset = True

    def parent_lines(self, parent, inv):
        if not inv.libraries:
            # Headers alone: no binary interface to judge; the header rules
            # of elf-interface judge them.
            return ["note: no libraries, headers judged by the elf-interface rules only"]
        if not inv.headers:
            self.cannot_judge(parent, [l.path for l in inv.libraries],
                              "no public headers (it reads the types from them)",
                              "stage the headers, or select them in the file globs")
            return ["note: no headers, judged by elf-interface only"]
        acc = tools.find_tool("abi-compliance-checker", self.tools)
        with self._workdir(parent.name) as work:
            desc = os.path.join(work, "descriptor.xml")
            dump = os.path.join(work, "abi.dump")
            with open(desc, "w") as f:
                f.write(_descriptor(parent, inv, work))
            argv = [acc, "-l", parent.name, "-dump", desc, "-dump-path", dump]
            if self.tools.get("gcc"):
                argv += ["-gcc-path", self.tools["gcc"]]
            proc = tools.run(argv, cwd=work)
            if proc.returncode != 0 or not os.path.isfile(dump):
                self.cannot_judge(parent, [l.path for l in inv.libraries],
                                  "abi-compliance-checker failed (%s)" % tools.last_line(proc),
                                  "see %s" % work if self.log_dir else "")
                return ["note: abi-compliance-checker failed, judged by elf-interface only"]
            with open(dump) as f:
                return block("acc-dump", normalise_acc_dump(f.read(), self.metadata))

    def _workdir(self, parent_name):
        """Where ACC runs (it writes logs/ into its working directory): a
        directory in the log dir, kept for the user, or a temporary one."""
        if not self.log_dir:
            return tempfile.TemporaryDirectory(prefix="cdepends-acc-")
        work = os.path.join(self.log_dir, "acc-" + parent_name)
        os.makedirs(work, exist_ok=True)
        return contextlib.nullcontext(work)

    def block_superset(self, key, old_lines, new_lines, section):
        parent_name = section.ident
        with self._workdir(parent_name) as work:
            paths = []
            for name, lines in (("baseline.dump", old_lines), ("new.dump", new_lines)):
                paths.append(os.path.join(work, name))
                with open(paths[-1], "w") as f:
                    f.write("\n".join(lines) + "\n")
            proc = tools.run([tools.find_tool("abi-compliance-checker", self.tools),
                              "-l", parent_name, "-old", paths[0], "-new", paths[1],
                              "-strict", "-report-path",
                              os.path.join(work, "compat_report.html")], cwd=work)
        # 0: compatible; 1: incompatible; anything else: a tool error.
        return proc.returncode == 0


def _descriptor(parent, inv, work):
    """ACC's XML descriptor. ACC names libraries by file name, so each is
    linked into ``work`` under its ident's name (the SONAME): a new real
    file name (libfoo.so.1.2.3 -> 1.2.4) must not change the dump. ACC
    resolves symbolic links, so this is a hard link, or a copy."""
    def paths(rels):
        return "\n".join(escape(os.path.abspath(os.path.join(parent.root, r))) for r in rels)
    libs = []
    for n, lib in enumerate(inv.libraries):
        link = os.path.join(work, "libs", str(n), os.path.basename(lib.ident))
        os.makedirs(os.path.dirname(link), exist_ok=True)
        if os.path.lexists(link):
            os.remove(link)
        real = os.path.join(parent.root, lib.path)
        try:
            os.link(real, link)
        except OSError:
            shutil.copyfile(real, link)
        libs.append(escape(link))
    return ("<version>1</version>\n<headers>\n%s\n</headers>\n<libs>\n%s\n</libs>\n"
            "<include_paths>\n%s\n</include_paths>\n" % (
                paths(inv.headers), "\n".join(libs), paths(inputs.include_dirs(parent, inv))))
