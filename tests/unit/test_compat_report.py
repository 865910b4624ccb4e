# SPDX-License-Identifier: MIT
"""Reports: format, determinism, what they cover, diffs, superset, errors."""

import os
import shutil
import subprocess
import sys

import pytest

import compat_support
from sstatemgmt.compat import (CHECKERS, CompatError, ParentInput, build_report, diff_reports,
                               superset_report)

HEADER = """\
/* SPDX-License-Identifier: MIT */
#ifndef FOO_H
#define FOO_H
#define FOO_MAX 4
extern int foo_table[FOO_MAX];
int foo_add(int a, int b);
#endif
"""
SOURCE = """\
#include "foo.h"
int foo_table[FOO_MAX] = { 1, 2, 3, 4 };
int foo_add(int a, int b) { return a + b; }
"""
SCRIPT = os.path.join(compat_support.REPO, "scripts", "cdepends-report-diff")

pytestmark = pytest.mark.skipif(not shutil.which("gcc"), reason="host gcc missing")


def have(*tools):
    return all(shutil.which(t) for t in tools)


def make_root(root, header=HEADER, source=SOURCE, real="libfoo.so.1.0", extra_flags=()):
    """Stage a small library the way a sysroot component holds it.
    ``source``: the C text of one file, or a list of texts, one per
    translation unit."""
    inc = root / "usr" / "include"
    lib = root / "usr" / "lib"
    inc.mkdir(parents=True, exist_ok=True)
    lib.mkdir(parents=True, exist_ok=True)
    (inc / "foo.h").write_text(header)
    srcs = []
    for n, text in enumerate([source] if isinstance(source, str) else source):
        srcs.append(root.parent / ("%s-foo%d.c" % (root.name, n)))
        srcs[-1].write_text(text)
    subprocess.run(["gcc", "-g", "-O1", "-shared", "-fPIC", "-I", str(inc), "-Wl,-soname,libfoo.so.1"]
                   + [str(s) for s in srcs] + ["-o", str(lib / real)] + list(extra_flags), check=True)
    os.symlink(real, str(lib / "libfoo.so.1"))
    os.symlink("libfoo.so.1", str(lib / "libfoo.so"))
    return root


def report(root, checker="elf-interface", **kw):
    opts = dict((k, kw.pop(k)) for k in ("tools", "warn", "log_dir", "baseline") if k in kw)
    return build_report("gadget", [ParentInput("libfoo", str(root), checker=checker, **kw)], **opts)


@pytest.fixture
def root(tmp_path):
    return make_root(tmp_path / "root")


def test_elf_interface_report_format(root):
    text = report(root)
    lines = text.splitlines()
    assert lines[:5] == ["# cdepends compatibility report, format 1", "child: gadget",
                         "parent: libfoo", "  checker: elf-interface", "  mode: exact"]
    assert "  library: usr/lib/libfoo.so.1" in lines
    assert "    soname: libfoo.so.1" in lines
    assert "    symbol: foo_add FUNC GLOBAL" in lines
    assert "    symbol: foo_table OBJECT GLOBAL size=16" in lines
    assert "  link: usr/lib/libfoo.so -> usr/lib/libfoo.so.1" in lines
    assert any(l.startswith("  header: usr/include/foo.h tokens=") for l in lines)
    assert str(root) not in text and "libfoo.so.1.0" not in text


@pytest.mark.parametrize("checker", sorted(CHECKERS))
def test_reports_are_deterministic(tmp_path, checker):
    tools = {"abidiff": ("abidw",), "abi-compliance-checker": ("abi-compliance-checker",)}
    if not have(*tools.get(checker, ())):
        pytest.skip("host tool for %s missing" % checker)
    a = make_root(tmp_path / "a")
    # Same content, another location, files created in the opposite order.
    b = tmp_path / "elsewhere" / "b"
    files = sorted(p for p in a.rglob("*") if not p.is_dir())
    for p in reversed(files):
        dest = b / p.relative_to(a)
        dest.parent.mkdir(parents=True, exist_ok=True)
        if p.is_symlink():
            os.symlink(os.readlink(str(p)), str(dest))
        else:
            shutil.copy(str(p), str(dest))
    first = report(a, checker)
    assert report(a, checker) == first
    assert report(b, checker) == first


@pytest.mark.parametrize("checker", sorted(CHECKERS))
def test_report_text_survives_parsing(root, checker):
    # superset_report re-renders the reports it parses: that must not change
    # a byte, or passing a baseline would itself change the report.
    tools = {"abidiff": ("abidw",), "abi-compliance-checker": ("abi-compliance-checker",)}
    if not have(*tools.get(checker, ())):
        pytest.skip("host tool for %s missing" % checker)
    from sstatemgmt.compat.report import parse, render
    text = report(root, checker)
    assert render(parse(text)) == text
    assert superset_report(text, text) == text


def test_renamed_real_file_is_no_change(tmp_path):
    a = make_root(tmp_path / "a", real="libfoo.so.1.0")
    b = make_root(tmp_path / "b", real="libfoo.so.1.1")
    assert report(a) == report(b)


def test_body_change_and_comment_edit_keep_the_report(tmp_path):
    a = make_root(tmp_path / "a")
    b = make_root(tmp_path / "b", header=HEADER.replace("int foo_add", "/* sum */\nint foo_add"),
                  source=SOURCE.replace("return a + b;", "int s = b; return s + a;"))
    assert report(a) == report(b)


def test_files_no_checker_judges_are_covered_by_checksum(root):
    (root / "usr" / "lib" / "libfoo.a").write_bytes(b"!<arch>\nobject")
    (root / "usr" / "lib" / "pkgconfig").mkdir()
    (root / "usr" / "lib" / "pkgconfig" / "foo.pc").write_text("Version: 1\n")
    (root / "usr" / "share").mkdir()
    (root / "usr" / "share" / "foo.dat").write_text("data\n")
    before = report(root)
    assert "  note: covered by checksum, no checker can judge them: 1 data, 1 pkg-config, " \
           "1 static-archive" in before.splitlines()
    assert any(l.startswith("  file: usr/lib/libfoo.a sha256=") and l.endswith(" static-archive")
               for l in before.splitlines())
    (root / "usr" / "lib" / "libfoo.a").write_bytes(b"!<arch>\nobject2")
    assert report(root) != before


def test_executables_are_not_libraries(tmp_path, root):
    src = tmp_path / "tool.c"
    src.write_text("int main(void) { return 0; }\n")
    (root / "usr" / "bin").mkdir()
    subprocess.run(["gcc", "-pie", "-fPIE", str(src), "-o", str(root / "usr" / "bin" / "foo-tool")],
                   check=True)
    text = report(root)
    assert "1 elf-executable" in text
    assert "library: usr/bin" not in text


def test_globs_select_files_and_pull_in_link_targets(root):
    (root / "usr" / "lib" / "libother.so").write_bytes(b"not elf")
    text = report(root, globs=["usr/lib/libfoo.so"])
    assert "library: usr/lib/libfoo.so.1" in text
    assert "libother" not in text and "header:" not in text
    assert "  globs: usr/lib/libfoo.so" in text.splitlines()


def test_glob_matching_nothing_is_an_error(root):
    with pytest.raises(CompatError, match=r"glob 'usr/lib/libfoo\.so\.9' matches no file"):
        report(root, globs=["usr/lib/libfoo.so.9"])


# -- errors ----------------------------------------------------------------------

@pytest.mark.parametrize("kwargs,message", [
    (dict(checker="abi-magic"), "unknown checker 'abi-magic'; use one of: abi-compliance-checker, "
                                "abidiff, checksum, elf-interface"),
    (dict(mode="sloppy"), "unknown mode 'sloppy'; use one of: exact, superset"),
    (dict(checker="checksum", mode="superset"), "checker checksum has no superset mode"),
    (dict(suppressions=["/nonexistent.supp"]), "suppression file /nonexistent.supp does not exist"),
    (dict(debug_dirs=["nope"]), "debug info dir"),
])
def test_bad_parent_options_are_one_line_errors(root, kwargs, message):
    with pytest.raises(CompatError) as err:
        report(root, **kwargs)
    assert message in str(err.value)
    assert "\n" not in str(err.value)


def test_missing_root_names_the_fix(tmp_path):
    with pytest.raises(CompatError, match="root .*missing is not a directory; pass the directory"):
        report(tmp_path / "missing")


def test_option_for_another_checker_is_refused(tmp_path, root):
    supp = tmp_path / "s.supp"
    supp.write_text("[suppress_function]\n  name = foo_add\n")
    with pytest.raises(CompatError, match="suppression files only apply to the abidiff checker"):
        report(root, suppressions=[str(supp)])


def test_list_options_accept_bitbake_style_strings(root):
    (root / "usr" / "lib" / "libother.so").write_bytes(b"x")
    as_list = report(root, globs=["usr/lib/libfoo.so", "usr/include/*"])
    assert report(root, globs="usr/lib/libfoo.so  usr/include/*") == as_list
    assert "libother" not in as_list


@pytest.mark.parametrize("parents", [None, "libfoo", [object()]])
def test_parents_must_be_parent_inputs(parents):
    with pytest.raises(CompatError, match="parents must be a list of ParentInput objects"):
        build_report("gadget", parents if parents is not None else ParentInput("p", "/"))


def test_root_of_the_wrong_type_is_a_clear_error():
    with pytest.raises(CompatError, match="root None is not a directory"):
        build_report("gadget", [ParentInput("libfoo", None)])


def test_duplicate_parent_and_bad_child_name(root):
    p = ParentInput("libfoo", str(root))
    with pytest.raises(CompatError, match="parent libfoo listed twice"):
        build_report("gadget", [p, p])
    with pytest.raises(CompatError, match="child name 'my child'"):
        build_report("my child", [p])


@pytest.mark.parametrize("checker,tool,package", [
    ("abidiff", "abidw", "abigail-tools"),
    ("abi-compliance-checker", "abi-compliance-checker", "abi-compliance-checker"),
])
def test_missing_tool_names_the_debian_package(root, monkeypatch, tmp_path, checker, tool, package):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(CompatError) as err:
        report(root, checker)
    assert str(err.value) == ("%s not found on PATH: install the Debian package %s (apt-get "
                              "install %s) or pass tools={%r: PATH}" % (tool, package, package, tool))
    with pytest.raises(CompatError, match="is not an executable file; fix tools"):
        report(root, checker, tools={tool: str(tmp_path / "nope")})


# -- abidiff specifics -----------------------------------------------------------

needs_abigail = pytest.mark.skipif(not have("abidw", "abidiff"), reason="abigail-tools missing")


@needs_abigail
def test_stripped_library_warns_once_and_falls_back(root):
    lib = root / "usr" / "lib" / "libfoo.so.1.0"
    subprocess.run(["strip", "--strip-debug", str(lib)], check=True)
    warnings = []
    text = report(root, "abidiff", warn=warnings.append)
    assert len(warnings) == 1
    assert warnings[0].startswith("parent libfoo: abidiff cannot judge usr/lib/libfoo.so.1.0: "
                                  "no DWARF debug info")
    assert "pass debug_dirs" in warnings[0]
    assert "    note: no debug info, judged by elf-interface only" in text.splitlines()
    assert "abi-xml" not in text
    assert "    symbol: foo_table OBJECT GLOBAL size=16" in text.splitlines()


@needs_abigail
def test_debug_dirs_give_abidw_the_split_debug_info(root):
    libdir = root / "usr" / "lib"
    dbg = root.parent / "dbg" / "usr" / "lib" / ".debug"
    dbg.mkdir(parents=True)
    lib = libdir / "libfoo.so.1.0"
    subprocess.run(["objcopy", "--only-keep-debug", str(lib), str(dbg / "libfoo.so.1.0")], check=True)
    subprocess.run(["objcopy", "--strip-debug", "--add-gnu-debuglink=%s" % (dbg / "libfoo.so.1.0"),
                    str(lib)], check=True)
    warnings = []
    text = report(root, "abidiff", warn=warnings.append, debug_dirs=[str(dbg)])
    assert warnings == []
    assert "    abi-xml: sha256=" in text
    assert "function-decl name=&quot;foo_add&quot;" in text or 'function-decl name="foo_add"' in text


@needs_abigail
def test_suppression_file_drops_a_function_and_is_recorded(tmp_path, root):
    supp = tmp_path / "foo.supp"
    supp.write_text("[suppress_function]\n  symbol_name = foo_add\n  drop = true\n")
    text = report(root, "abidiff", suppressions=[str(supp)])
    assert "  suppressions: foo.supp sha256=" in text
    assert "    | [suppress_function]" in text.splitlines()
    xml = [l for l in text.splitlines() if l.lstrip().startswith("| ")]
    assert xml and not any('function-decl name="foo_add"' in l for l in xml)
    assert any('function-decl name="foo_add"' in l for l in report(root, "abidiff").splitlines())


# -- diff ------------------------------------------------------------------------

def test_diff_explains_each_change(tmp_path):
    a = make_root(tmp_path / "a")
    b = make_root(tmp_path / "b", header=HEADER.replace("FOO_MAX 4", "FOO_MAX 8"),
                  source=SOURCE + "int foo_sub(int a, int b) { return a - b; }\n")
    (b / "usr" / "lib" / "libfoo.a").write_bytes(b"!<arch>\n")
    old, new = report(a), report(b)
    text = diff_reports(old, new)
    lines = text.splitlines()
    assert lines[0] == "~ parent: libfoo"
    assert "  ~ library: usr/lib/libfoo.so.1" in lines
    assert "    + symbol: foo_sub FUNC GLOBAL" in lines
    assert "    ~ symbol: foo_table OBJECT GLOBAL size=16 -> OBJECT GLOBAL size=32" in lines
    assert any(l.startswith("  ~ header: usr/include/foo.h tokens=") and " -> tokens=" in l
               for l in lines)
    assert any(l.startswith("  + file: usr/lib/libfoo.a sha256=") for l in lines)
    assert diff_reports(old, old) == ""


def _script(*args):
    return subprocess.run([sys.executable, SCRIPT] + list(args), stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, universal_newlines=True)


def test_report_diff_script(tmp_path):
    a = make_root(tmp_path / "a")
    b = make_root(tmp_path / "b", source=SOURCE + "int foo_sub(int a, int b) { return a - b; }\n")
    (tmp_path / "old.txt").write_text(report(a))
    (tmp_path / "new.txt").write_text(report(b))
    same = _script(str(tmp_path / "old.txt"), str(tmp_path / "old.txt"))
    assert (same.returncode, same.stdout) == (0, "reports are identical: the child is reused\n")
    differ = _script(str(tmp_path / "old.txt"), str(tmp_path / "new.txt"))
    assert differ.returncode == 1
    assert "+ symbol: foo_sub FUNC GLOBAL" in differ.stdout
    missing = _script(str(tmp_path / "old.txt"), str(tmp_path / "nope.txt"))
    assert missing.returncode == 2
    assert "Traceback" not in missing.stderr and "nope.txt" in missing.stderr
    assert _script().returncode == 2


def test_diff_shows_changed_abi_dump_lines():
    old = ("# cdepends compatibility report, format 1\nchild: c\nparent: p\n  library: l\n"
           "    abi-xml: sha256=1\n      | <a>\n      |   <b x='1'/>\n      | </a>\n")
    new = old.replace("sha256=1", "sha256=2").replace("x='1'", "x='2'")
    lines = diff_reports(old, new).splitlines()
    assert "    ~ abi-xml: sha256=1 -> sha256=2" in lines
    assert "      -  <b x='1'/>" in lines and "      +  <b x='2'/>" in lines


# -- superset --------------------------------------------------------------------

ADDED_HEADER = HEADER.replace("int foo_add(int a, int b);", "int foo_add(int a, int b);\n"
                              "int foo_sub(int a, int b);")
ADDED_SOURCE = SOURCE + "int foo_sub(int a, int b) { return a - b; }\n"


@pytest.mark.parametrize("checker", ["elf-interface", "abidiff"])
def test_superset_keeps_the_baseline_for_added_functions(tmp_path, checker):
    if checker == "abidiff" and not have("abidw", "abidiff"):
        pytest.skip("abigail-tools missing")
    a = make_root(tmp_path / "a")
    b = make_root(tmp_path / "b", header=ADDED_HEADER, source=ADDED_SOURCE)
    baseline = report(a, checker, mode="superset")
    plain = report(b, checker, mode="superset")
    assert plain != baseline
    warnings = []
    logs = tmp_path / "logs"
    assert report(b, checker, mode="superset", baseline=baseline, warn=warnings.append,
                  log_dir=str(logs)) == baseline
    assert warnings == []
    if checker == "abidiff":
        assert "[A] 'function int foo_sub(int, int)'" in (logs / "abidiff-libfoo.txt").read_text()
    # The other way round the function disappears: the child is rebuilt.
    back = report(a, checker, mode="superset", baseline=plain, warn=warnings.append)
    assert back == baseline != plain
    assert len(warnings) == 1 and "not a compatible superset" in warnings[0]


#: The library in two translation units; the second calls a hidden helper
#: of the first.
MULTI_SOURCE = [SOURCE + "__attribute__((visibility(\"hidden\"))) int foo_helper(int x) "
                "{ return x * 2; }\n",
                '#include "foo.h"\nint foo_helper(int x);\n'
                "int foo_twice(int a) { return foo_helper(a); }\n"]
MULTI_HEADER = HEADER.replace("int foo_add(int a, int b);",
                              "int foo_add(int a, int b);\nint foo_twice(int a);")


@pytest.mark.skipif(not have("abidw", "abidiff"), reason="abigail-tools missing")
def test_abidiff_superset_on_a_library_of_several_translation_units(tmp_path):
    """The normalised dump must stay valid ABIXML: abidiff aborts (an
    assertion in corpus::add) on translation units without a path."""
    a = make_root(tmp_path / "a", header=MULTI_HEADER, source=MULTI_SOURCE)
    b = make_root(tmp_path / "b", header=MULTI_HEADER.replace(
        "int foo_twice(int a);", "int foo_twice(int a);\nint foo_sub(int a, int b);"),
        source=[MULTI_SOURCE[0], MULTI_SOURCE[1] + "int foo_sub(int a, int b) { return a - b; }\n"])
    baseline = report(a, "abidiff", mode="superset")
    assert baseline.count("<abi-instr ") == 2
    warnings = []
    assert report(b, "abidiff", mode="superset", baseline=baseline, warn=warnings.append) == baseline
    assert warnings == []
    # The dump compared with itself is no change, as abidiff sees it.
    from sstatemgmt.compat.report import parse
    dump = [i for i in parse(baseline)[1].children if i.key == "library"][0]
    xml = [c for c in dump.children if c.key == "abi-xml"][0].verbatim()
    (tmp_path / "dump.xml").write_text("\n".join(xml) + "\n")
    proc = subprocess.run(["abidiff", str(tmp_path / "dump.xml"), str(tmp_path / "dump.xml")],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True)
    assert proc.returncode == 0, proc.stdout


@pytest.mark.skipif(not have("abidw"), reason="abigail-tools missing")
def test_abidiff_report_shows_only_the_exported_interface(tmp_path):
    """A body change that drops a call to a hidden helper changes nothing
    a child can see; abidw alone lists the helper's declaration in the
    calling translation unit."""
    a = make_root(tmp_path / "a", header=MULTI_HEADER, source=MULTI_SOURCE)
    b = make_root(tmp_path / "b", header=MULTI_HEADER, source=[
        MULTI_SOURCE[0], MULTI_SOURCE[1].replace("return foo_helper(a);", "return a + a;")])
    text = report(a, "abidiff")
    assert "foo_helper" not in text
    assert report(b, "abidiff") == text


@pytest.mark.skipif(not have("abidw"), reason="abigail-tools missing")
def test_abidiff_report_ignores_parameter_names_of_definitions(tmp_path):
    """libpng 1.6.40 renamed a parameter in a function's definition (the
    header kept its name): DWARF names are no ABI."""
    a = make_root(tmp_path / "a")
    b = make_root(tmp_path / "b", source=SOURCE.replace("int foo_add(int a, int b) { return a + b; }",
                                                        "int foo_add(int x, int y) { return x + y; }"))
    assert report(a, "abidiff") == report(b, "abidiff")


def test_superset_refuses_a_new_macro(tmp_path):
    a = make_root(tmp_path / "a")
    b = make_root(tmp_path / "b", header=HEADER.replace("#define FOO_MAX 4",
                                                        "#define FOO_MAX 4\n#define FOO_HAVE_SUB 1"))
    baseline = report(a, mode="superset")
    warnings = []
    assert report(b, mode="superset", baseline=baseline, warn=warnings.append) != baseline
    assert "preprocessor directives changed" in warnings[0]


@pytest.mark.parametrize("checker", ["elf-interface", "abi-compliance-checker"])
def test_superset_refuses_a_selection_that_leaves_out_headers(tmp_path, checker):
    """An enumerator inserted in a public header breaks the child, and the
    ELF interface does not show it: superset mode must not judge the
    library without the headers the parent stages with it."""
    if checker == "abi-compliance-checker" and not have(checker):
        pytest.skip("abi-compliance-checker missing")
    enum = "enum foo_mode { FOO_FAST, FOO_SMALL };\n"
    a = make_root(tmp_path / "a", header=HEADER.replace("int foo_add", enum + "int foo_add"))
    b = make_root(tmp_path / "b", header=HEADER.replace(
        "int foo_add", enum.replace("FOO_FAST,", "FOO_FAST, FOO_BEST,") + "int foo_add"))
    globs = ["usr/lib/libfoo.so*"]
    warnings = []
    baseline = report(a, checker, mode="superset", globs=globs, warn=warnings.append)
    assert warnings == ["parent libfoo: superset mode refused: the file globs leave out 1 "
                        "header the parent stages (usr/include/foo.h), and headers carry ABI "
                        "the libraries do not show; they are judged too, and exactly. Add the "
                        "headers to the globs (CDEPENDS_FILES) or use mode exact"]
    assert "  superset: refused, the file globs leave out headers" in baseline.splitlines()
    warnings = []
    assert report(b, checker, mode="superset", globs=globs, baseline=baseline,
                  warn=warnings.append) != baseline
    assert len(warnings) == 1 and warnings[0].startswith("parent libfoo: superset mode refused")
    # Unchanged, the child is still reused; with the header selected, the
    # superset check sees the enumerator.
    assert report(a, checker, mode="superset", globs=globs, baseline=baseline,
                  warn=warnings.append) == baseline
    globs = ["usr/lib/libfoo.so*", "usr/include/*"]
    baseline = report(a, checker, mode="superset", globs=globs)
    assert "superset: refused" not in baseline
    assert report(b, checker, mode="superset", globs=globs, baseline=baseline) != baseline


def test_exact_mode_ignores_the_baseline(tmp_path):
    a = make_root(tmp_path / "a")
    b = make_root(tmp_path / "b", header=ADDED_HEADER, source=ADDED_SOURCE)
    assert report(b, baseline=report(a)) == report(b)


def test_unreadable_baseline_is_ignored_with_a_warning(root):
    warnings = []
    new = report(root, mode="superset")
    assert superset_report("garbage", new, warn=warnings.append) == new
    assert warnings == ["baseline is not a compatibility report of this format; ignoring it"]


@pytest.mark.skipif(not have("abi-compliance-checker"), reason="abi-compliance-checker missing")
def test_acc_writes_its_files_to_the_log_dir(tmp_path):
    a = make_root(tmp_path / "a")
    b = make_root(tmp_path / "b", header=ADDED_HEADER, source=ADDED_SOURCE)
    logs = tmp_path / "logs"
    baseline = report(a, "abi-compliance-checker", mode="superset")
    assert "  acc-dump: sha256=" in baseline
    new = report(b, "abi-compliance-checker", mode="superset", baseline=baseline, log_dir=str(logs))
    assert new == baseline
    work = logs / "acc-libfoo"
    assert (work / "abi.dump").is_file() and (work / "descriptor.xml").is_file()
    assert (work / "compat_report.html").is_file()
    assert not (a / "logs").exists() and not (b / "logs").exists()


def _nested_layout(root, pc):
    """Move the headers to usr/include/foo2/foo/ (libxml2's layout: the
    child compiles with -I/usr/include/foo2 and includes <foo/foo.h>)."""
    inc = root / "usr" / "include"
    (inc / "foo2" / "foo").mkdir(parents=True)
    text = (inc / "foo.h").read_text()
    (inc / "foo.h").unlink()
    (inc / "foo2" / "foo" / "fooconf.h").write_text("#define FOO_MAX 4\n")
    (inc / "foo2" / "foo" / "foo.h").write_text(
        text.replace("#define FOO_MAX 4", "#include <foo/fooconf.h>"))
    if pc:
        (root / "usr" / "lib" / "pkgconfig").mkdir()
        (root / "usr" / "lib" / "pkgconfig" / "foo.pc").write_text(
            "prefix=/usr\nincludedir=${prefix}/include\nName: foo\nVersion: 1.0\n"
            "Cflags: -I${includedir}/foo2\nLibs: -lfoo\n")


@pytest.mark.skipif(not have("abi-compliance-checker"), reason="abi-compliance-checker missing")
@pytest.mark.parametrize("pc", [True, False], ids=["pc-cflags", "include-lines"])
def test_acc_follows_the_parents_header_layout(root, pc):
    """With only usr/include on its include path abi-compliance-checker
    cannot compile the headers (and left a helper spinning for ever)."""
    _nested_layout(root, pc)
    warnings = []
    text = report(root, "abi-compliance-checker", warn=warnings.append)
    assert warnings == []
    assert "  acc-dump: sha256=" in text


def test_acc_without_headers_warns_that_it_cannot_see_types(root):
    (root / "usr" / "include" / "foo.h").unlink()
    warnings = []
    text = report(root, "abi-compliance-checker", warn=warnings.append)
    assert "  note: no headers, judged by elf-interface only" in text.splitlines()
    assert len(warnings) == 1
    assert warnings[0].startswith("parent libfoo: abi-compliance-checker cannot judge "
                                  "usr/lib/libfoo.so.1.0: no public headers")


def _fake_tool(tmp_path, name, message):
    tool = tmp_path / name
    tool.write_text("#!/bin/sh\necho '%s' >&2\nexit 1\n" % message)
    tool.chmod(0o755)
    return str(tool)


@pytest.mark.parametrize("checker,tool,note", [
    ("abidiff", "abidw", "    note: abidw failed, judged by elf-interface only"),
    ("abi-compliance-checker", "abi-compliance-checker",
     "  note: abi-compliance-checker failed, judged by elf-interface only"),
])
def test_failing_tool_falls_back_to_elf_interface_with_a_warning(tmp_path, root, checker, tool, note):
    warnings = []
    text = report(root, checker, tools={tool: _fake_tool(tmp_path, tool, "boom: bad DWARF")},
                  warn=warnings.append)
    assert len(warnings) == 1 and "boom: bad DWARF" in warnings[0]
    assert note in text.splitlines()
    assert "    symbol: foo_add FUNC GLOBAL" in text.splitlines()
    assert "| " not in text


def test_superset_treats_a_tool_error_as_incompatible(tmp_path):
    if not have("abidw"):
        pytest.skip("abigail-tools missing")
    a = make_root(tmp_path / "a")
    b = make_root(tmp_path / "b", header=ADDED_HEADER, source=ADDED_SOURCE)
    baseline = report(a, "abidiff", mode="superset")
    warnings = []
    new = report(b, "abidiff", mode="superset", baseline=baseline, warn=warnings.append,
                 tools={"abidiff": _fake_tool(tmp_path, "abidiff", "abidiff crashed")})
    assert new != baseline
    assert "not a compatible superset" in warnings[-1]
