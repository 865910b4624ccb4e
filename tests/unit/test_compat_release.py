# SPDX-License-Identifier: MIT
"""Release metadata: what a release changes in every file, left out of the
report unless the parent's policy is strict; what can change a compiled
child, kept."""

import os
import shutil

import pytest

from test_compat_report import HEADER, SOURCE, have, make_root, report
from sstatemgmt.compat import CompatError, inputs, release

VERSIONED = HEADER.replace("#define FOO_MAX 4", """\
#define FOO_VERSION "1.2.3"
#define FOO_VERSION_MAJOR 1
#define FOO_VERSION_MINOR 2
#define FOO_VERSION_PATCH 3
#define FOO_VERSION_NUM ((FOO_VERSION_MAJOR << 16) | (FOO_VERSION_MINOR << 8) | FOO_VERSION_PATCH)
#define FOO_HEADER_VERSION_STRING " libfoo version " FOO_VERSION "\\n"
#define FOO_TEST_VERSION foo_check_version(0x010203);
#define PACKAGE_STRING "libfoo 1.2.3"
#define FOO_MAX 4
#define foo_init(x) foo_init_((x), FOO_VERSION, (int)sizeof(int))
typedef char *foo_version_1_2_3;""")
PC = ("prefix=/usr\nincludedir=${prefix}/include\nlibdir=${prefix}/lib\nName: foo\n"
      "Version: 1.2.3\nLibs: -L${libdir} -lfoo\nCflags: -I${includedir}\n")
CMAKE_VERSION = ('set(PACKAGE_VERSION "1.2.3")\nif(PACKAGE_VERSION VERSION_LESS '
                 'PACKAGE_FIND_VERSION)\n  set(PACKAGE_VERSION_COMPATIBLE FALSE)\nendif()\n')
CMAKE_TARGETS = ('set_target_properties(foo::foo PROPERTIES\n  IMPORTED_LOCATION '
                 '"${_IMPORT_PREFIX}/lib/libfoo.so.%s"\n  IMPORTED_SONAME "libfoo.so.1")\n')


def bump(text, old="1.2.3", new="1.2.4"):
    """The next release: every spelling of the version changes."""
    o, n = old.split("."), new.split(".")
    text = text.replace(old, new).replace("_".join(o), "_".join(n))
    text = text.replace("FOO_VERSION_PATCH %s" % o[2], "FOO_VERSION_PATCH %s" % n[2])
    return text.replace("0x0%s0%s0%s" % tuple(o), "0x0%s0%s0%s" % tuple(n))


def release_root(path, version="1.2.3", header=VERSIONED, real="1.0", source=SOURCE):
    """A parent as a release stages it: headers, .pc, a versioned CMake
    package directory with its version file and targets file."""
    root = make_root(path, header=bump(header, "1.2.3", version), source=source,
                     real="libfoo.so." + real)
    pc = root / "usr" / "lib" / "pkgconfig"
    pc.mkdir()
    (pc / "foo.pc").write_text(bump(PC, "1.2.3", version))
    cmake = root / "usr" / "lib" / "cmake" / ("foo-" + version)
    cmake.mkdir(parents=True)
    (cmake / "foo-config-version.cmake").write_text(bump(CMAKE_VERSION, "1.2.3", version))
    (cmake / "foo-targets-none.cmake").write_text(CMAKE_TARGETS % real)
    return root


CHECKERS = ["elf-interface", "abidiff", "abi-compliance-checker"]
TOOLS = {"abidiff": ("abidw", "abidiff"), "abi-compliance-checker": ("abi-compliance-checker",)}


def skip_without(checker):
    if not have(*TOOLS.get(checker, ())):
        pytest.skip("host tool for %s missing" % checker)


@pytest.mark.parametrize("mode", ["exact", "superset"])
@pytest.mark.parametrize("checker", CHECKERS)
def test_a_new_release_that_changes_only_its_version_reuses_the_child(tmp_path, checker, mode):
    skip_without(checker)
    a = release_root(tmp_path / "a", "1.2.3", real="1.0")
    b = release_root(tmp_path / "b", "1.2.4", real="1.1")
    warnings = []
    old = report(a, checker, mode=mode, warn=warnings.append)
    assert "  release-metadata: ignore" in old.splitlines()
    assert "1.2.3" not in old and "1_2_3" not in old
    assert report(b, checker, mode=mode, warn=warnings.append) == old
    assert warnings == []
    # Strict: the same releases differ.
    assert report(b, checker, mode=mode, release_metadata="strict") != \
        report(a, checker, mode=mode, release_metadata="strict")


@pytest.mark.parametrize("what,change", [
    ("a constant", ("#define FOO_MAX 4", "#define FOO_MAX 5")),
    ("a function-like macro", ("(int)sizeof(int))", "(int)sizeof(long))")),
    ("a version macro's call", ("foo_check_version(0x010204)", "foo_check_version2(0x010204)")),
    ("a string besides the version", ('"libfoo 1.2.4"', '"libbar 1.2.4"')),
])
def test_a_release_that_changes_what_the_child_compiles_rebuilds_it(tmp_path, what, change):
    a = release_root(tmp_path / "a", "1.2.3")
    b = release_root(tmp_path / "b", "1.2.4", header=VERSIONED.replace(
        *(bump(c, "1.2.4", "1.2.3") for c in change)))
    assert report(b) != report(a), what


def test_error_code_named_like_a_version_is_not_release_metadata(tmp_path):
    a = release_root(tmp_path / "a", "1.2.3", header=VERSIONED + "#define FOO_VERSION_ERROR (-6)\n")
    b = release_root(tmp_path / "b", "1.2.4", header=VERSIONED + "#define FOO_VERSION_ERROR (-7)\n")
    assert report(b) != report(a)
    assert not release.is_version_name("Z_VERSION_ERROR")
    assert not release.is_version_name("FOO_FORMAT_VERSION")
    assert all(release.is_version_name(n) for n in (
        "ZLIB_VERSION", "ZLIB_VERNUM", "ZLIB_VER_SUBREVISION", "XML_MAJOR_VERSION",
        "PNG_LIBPNG_VER_STRING", "PNG_LIBPNG_VER", "LIBXML_DOTTED_VERSION", "JSON_C_VERSION_NUM"))


CONDITIONAL = VERSIONED.replace("int foo_add(int a, int b);", """\
int foo_add(int a, int b);
#if FOO_VERSION_NUM >= 0x010204
struct foo_info { long size; };
#else
struct foo_info { int size; };
#endif""")


@pytest.mark.parametrize("header", [
    CONDITIONAL,
    # Through a macro of its own.
    CONDITIONAL.replace("#if FOO_VERSION_NUM >= 0x010204",
                        "#define FOO_HAS_ADD3 (FOO_VERSION_NUM >= 0x010204)\n#if FOO_HAS_ADD3"),
    # A condition this checker cannot evaluate: the values are kept.
    CONDITIONAL.replace("#if FOO_VERSION_NUM >= 0x010204",
                        "#if defined(FOO_ADD3) || FOO_VERSION_NUM >= 0x010204"),
], ids=["direct", "through-a-macro", "not-evaluable"])
def test_a_condition_on_the_version_in_the_parents_headers_counts(tmp_path, header):
    r122 = report(release_root(tmp_path / "a", "1.2.2", header=header))
    r123 = report(release_root(tmp_path / "b", "1.2.3", header=header))
    r124 = report(release_root(tmp_path / "c", "1.2.4", header=header))
    r125 = report(release_root(tmp_path / "d", "1.2.5", header=header))
    assert r123 != r124
    if "defined(FOO_ADD3)" in header:
        assert len(set([r122, r123, r124, r125])) == 4
    else:
        # The condition keeps its value within each side: no change.
        assert r122 == r123 and r124 == r125


def test_a_version_macro_in_a_declaration_keeps_its_value(tmp_path):
    header = VERSIONED.replace("int foo_add(int a, int b);",
                               "struct foo_info { char tag[FOO_VERSION_PATCH]; };\n"
                               "int foo_add(int a, int b);")
    assert report(release_root(tmp_path / "a", "1.2.3", header=header)) != \
        report(release_root(tmp_path / "b", "1.2.4", header=header))


def test_other_pkgconfig_and_cmake_changes_still_count(tmp_path):
    a = release_root(tmp_path / "a", "1.2.3")
    b = release_root(tmp_path / "b", "1.2.4")
    (b / "usr" / "lib" / "pkgconfig" / "foo.pc").write_text(
        bump(PC, "1.2.3", "1.2.4").replace("-lfoo", "-lfoo -lm"))
    assert report(b) != report(a)
    b = release_root(tmp_path / "c", "1.2.4")
    (b / "usr" / "lib" / "cmake" / "foo-1.2.4" / "foo-targets-none.cmake").write_text(
        (CMAKE_TARGETS % "1.0").replace("foo::foo", "foo::shared"))
    assert report(b) != report(a)


def test_unknown_policy_is_a_clear_error(root):
    with pytest.raises(CompatError, match="unknown release metadata policy 'lax'; use one of: "
                                          "ignore, strict"):
        report(root, release_metadata="lax")


def test_checksum_sees_every_byte_whatever_the_policy(tmp_path):
    a = release_root(tmp_path / "a", "1.2.3")
    b = release_root(tmp_path / "b", "1.2.4")
    assert report(a, "checksum") != report(b, "checksum")
    assert "release-metadata" not in report(a, "checksum")


@pytest.fixture
def root(tmp_path):
    return make_root(tmp_path / "root")


@pytest.mark.parametrize("expr,value", [
    ("0x010203 >= 0x010204", 0), ("( 1 << 16 ) | ( 2 << 8 ) | 3", 0x010203),
    ("- 7 / 2", -3), ("- 7 % 2", -1), ("1 ? 2 : 3", 2), ("! 0 && 2 || 0", 1),
    ("010 + 0b11 + 10UL", 21), ("1 + 2 * 3 == 7", 1), ("~ 0 < 0", 1),
])
def test_conditions_are_evaluated_as_the_preprocessor_does(expr, value):
    assert release._evaluate(expr.split()) == value


@pytest.mark.parametrize("expr", ["FOO > 1", "defined ( X )", "1 +", "( 1", "'a' == 97"])
def test_what_cannot_be_evaluated_is_said_so(expr):
    with pytest.raises(release.Unknown):
        release._evaluate(expr.split())


def test_cmake_version_variables_and_a_non_release_version_macro(tmp_path):
    """set(FOO_VERSION_PATCH 3) in a CMake file is release metadata; a
    version that is a setting (XML_DEFAULT_VERSION "1.0") is not, and does
    not become a release version masked everywhere."""
    config = 'set(FOO_VERSION_PATCH %s)\nset(FOO_VERSION_STRING "1.2.%s")\nset(FOO_LIBS foo)\n'
    roots = []
    for n, version in enumerate(("1.2.3", "1.2.4")):
        root = release_root(tmp_path / str(n), version,
                            header=VERSIONED + '#define FOO_DEFAULT_VERSION "1.0"\n')
        cmake = root / "usr" / "lib" / "cmake" / ("foo-" + version)
        (cmake / "foo-config.cmake").write_text(config % (version[-1], version[-1]))
        roots.append(root)
    assert report(roots[0]) == report(roots[1])
    inv = inputs.scan(inputs.ParentInput("libfoo", str(roots[0])))
    meta = release.ReleaseMetadata(str(roots[0]), inv.headers, inv.others, {})
    assert "FOO_DEFAULT_VERSION" not in meta.macros and "FOO_VERSION" in meta.macros
    assert meta.versions == ["1.2.3"]
    (roots[1] / "usr" / "lib" / "cmake" / "foo-1.2.4" / "foo-config.cmake").write_text(
        (config % ("4", "4")).replace("set(FOO_LIBS foo)", "set(FOO_LIBS foo m)"))
    assert report(roots[0]) != report(roots[1])
