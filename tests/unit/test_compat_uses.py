# SPDX-License-Identifier: MIT
"""The child-uses scope (compat/uses.py): superset mode judges only what the
child's sources reach, and every way around a token scan is handled."""

import os
import shutil

import pytest

import compat_support as cs
from sstatemgmt.compat import CompatError, ParentInput, build_report, check_options, scan_uses
from sstatemgmt.compat import uses as uses_mod
from sstatemgmt.compat.preprocess import view_superset

needs_gcc = pytest.mark.skipif(not shutil.which("gcc"), reason="needs the host gcc")

HEADER = """\
#ifndef FOO_H
#define FOO_H
#define FOO_MAX 10
#define FOO_OLD_FLAG 1
#define FOO_CHECK(p) foo_check_impl((p), FOO_MAX)
#define FOO_CALL(x) foo_old(x)
#define FOO_PASTE(n) foo_##n
typedef int foo_inner_t;
typedef long foo_other_t;
struct foo { foo_inner_t a; int b; };
typedef struct foo foo_t;
enum foo_mode { FOO_A, FOO_B };
int foo_check_impl(void *p, int max);
int foo_old(int x);
int foo_hidden(int x);
int foo_used(foo_t *f);
#endif
"""


def _write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def _parent(path, header):
    _write(os.path.join(str(path), "usr", "include", "foo.h"), header)
    return str(path)


def _child(path, files):
    for name, text in files.items():
        _write(os.path.join(str(path), name), text)
    return str(path)


def _judge(tmp_path, new_header, child_files, scope="child-uses", mode="superset",
           old_header=HEADER, extra_old=None, extra_new=None):
    """(reused?, notes, warnings) for a child with sources ``child_files``
    when the parent's foo.h moves from ``old_header`` to ``new_header``."""
    roots = {}
    for side, header, extra in (("old", old_header, extra_old), ("new", new_header, extra_new)):
        roots[side] = _parent(tmp_path / side, header)
        for rel, text in (extra or {}).items():
            _write(os.path.join(roots[side], rel), text)
    src = _child(tmp_path / "child", child_files) if child_files is not None else None
    notes, warnings = [], []

    def report(side, baseline=None):
        return cs.side_report(roots[side], "elf-interface", mode, scope=scope, baseline=baseline,
                              child_sources=[src] if src else None, note=notes.append,
                              warn=warnings.append)
    old = report("old")
    new = report("new", baseline=old if mode == "superset" else None)
    return old == new, notes, warnings


USES_FOO = {"main.c": '#include <foo.h>\nint main(void) { foo_t f; return foo_used(&f); }\n'}


# -- the scan ------------------------------------------------------------------------

def test_scan_reads_every_text_file_strings_and_comments_included(tmp_path):
    src = _child(tmp_path, {
        "a.c": 'void *p = dlsym(h, "foo_hidden"); /* foo_commented */\n',
        "configure.ac": "AC_CHECK_FUNCS([foo_new_fn])\n",
        "sub/b.h": "#define MINE(x) foo_##x\n#define T(x) x##_type\n",
        ".git/objects/x": "foo_in_git\n",
    })
    with open(os.path.join(src, "blob.bin"), "wb") as f:
        f.write(b"\0\x01foo_in_binary")
    uses = scan_uses([src])
    assert {"dlsym", "foo_hidden", "foo_commented", "foo_new_fn", "MINE"} <= uses.names
    assert "foo_in_git" not in uses.names and "foo_in_binary" not in uses.names
    assert uses.prefixes == ("foo_",) and uses.suffixes == ("_type",)
    assert uses.reaches("foo_anything") and uses.reaches("size_type") and not uses.reaches("bar")
    assert uses.bounded and not uses.cmake and uses.files == 3 and uses.pasted


def test_scan_reaches_names_pasted_from_macro_arguments(tmp_path):
    """A generic paste macro builds the parent's name from two arguments:
    neither piece sits next to ``##``, both are names the child spells."""
    src = _child(tmp_path, {"a.c": "#define CAT(a, b) a##b\nint r = CAT(foo_, hidden)(1);\n"})
    uses = scan_uses([src])
    assert uses.pasted and "foo_hidden" not in uses.names
    assert uses.reaches("foo_hidden") and uses.reaches("foo_anything") and uses.reaches("my_hidden")
    assert not uses.reaches("qqq_xyz")
    plain = scan_uses([_child(tmp_path / "plain", {"a.c": "int r = foo_(hidden);\n"})])
    assert not plain.pasted and not plain.reaches("foo_hidden")


def test_scan_sees_cmake_and_gives_up_on_generators_and_size(tmp_path):
    assert scan_uses([_child(tmp_path / "a", {"CMakeLists.txt": "project(x)\n"})]).cmake
    assert scan_uses([_child(tmp_path / "b", {"meson.build": "project('x')\n"})]).cmake
    assert scan_uses([], texts=["cmake_do_configure"]).cmake
    swig = scan_uses([_child(tmp_path / "c", {"setup.py": "Extension(swig_opts=[])\nswig\n"})])
    assert not swig.bounded and "swig" in swig.why
    big = scan_uses([_child(tmp_path / "d", {"a.c": "x" * 2048})], max_bytes=1024)
    assert not big.bounded and "MiB" in big.why


def test_scan_skips_the_directories_it_is_told_to(tmp_path):
    src = _child(tmp_path, {"a.c": "int foo_src;\n", "build/gen.c": "int foo_built;\n",
                            "recipe-sysroot/usr/include/foo.h": "int foo_parent;\n"})
    uses = scan_uses([src], skip=[os.path.join(src, "build"), os.path.join(src, "recipe-sysroot")])
    assert "foo_src" in uses.names and not {"foo_built", "foo_parent"} & uses.names


def test_scan_is_deterministic(tmp_path):
    src = _child(tmp_path, dict(("f%d.c" % n, "int foo_%d;\n" % n) for n in range(20)))
    a, b = scan_uses([src]), scan_uses([src])
    assert a.names == b.names and a.prefixes == b.prefixes


# -- the closure -----------------------------------------------------------------------

@pytest.mark.parametrize("decl,triggers,refs", [
    ("typedef struct foo { foo_inner_t a ; int b ; } foo_t ;", {"foo", "foo_t"},
     {"foo", "foo_t", "foo_inner_t"}),
    ("enum foo_mode { FOO_A , FOO_B = 3 } ;", {"foo_mode", "FOO_A", "FOO_B"},
     {"foo_mode", "FOO_A", "FOO_B"}),
    # A function pointer's name is in parentheses; its parameter names are local.
    ("typedef void ( * foo_cb ) ( foo_t * p ) ;", {"foo_cb", "foo_t"}, {"foo_cb", "foo_t"}),
    ("int f ( const char * s , int n , struct bar * b , foo_t ) ;", {"f", "bar", "foo_t"},
     {"f", "bar", "foo_t"}),
    ("struct s { int a : 3 ; char name [ 8 ] ; } ;", {"s"}, {"s"}),
    ("static inline int twice ( int x ) { return helper ( x ) ; }", {"twice"},
     {"twice", "helper", "x"}),
])
def test_declaration_names_leave_out_parameters_members_and_keywords(decl, triggers, refs):
    assert uses_mod.decl_names(decl.split()) == (triggers, refs)


def test_a_shared_parameter_name_reaches_nothing():
    # corpus_value(int x) is reached; corpus_legacy(corpus_legacy_t x) is
    # not, though both call their parameter x.
    decls = ["|0|int corpus_value ( int x ) ;", "|0|int corpus_legacy ( corpus_legacy_t x ) ;",
             "|0|typedef int corpus_legacy_t ;"]
    r = _reach({"corpus_value", "x"}, decls=decls)
    assert r.decl(decls[0]) and not r.decl(decls[1]) and not r.decl(decls[2])


def _reach(names, macros=(), decls=(), prefixes=()):
    return uses_mod.Reach(uses_mod.UseSet(names, prefixes), [(list(macros), list(decls))])


def test_closure_follows_macro_bodies_declarations_and_pastes():
    macros = ["define FOO_CALL(x) foo_old(x)", "define FOO_PASTE(n) foo_##n", "define FOO_MAX 10",
              "define BAR 1"]
    decls = ["|0|int foo_old ( foo_arg_t x ) ;", "|0|typedef long foo_arg_t ;",
             "|0|int foo_thing ( void ) ;", "|0|int bar_fn ( void ) ;"]
    r = _reach({"FOO_CALL"}, macros, decls)
    assert {"FOO_CALL", "foo_old", "foo_arg_t"} <= r.names
    assert not r.macro("define FOO_MAX 10") and not r.decl(decls[2])
    r = _reach({"FOO_PASTE"}, macros, decls)
    assert r.decl(decls[2]) and r.decl(decls[0]) and not r.decl(decls[3])
    r = _reach(set(), macros, decls, prefixes=("BA",))
    assert r.macro("define BAR 1") and not r.macro("define FOO_MAX 10")
    # Nothing to be reached by: always reached.
    assert _reach(set(), decls=['|0|extern "C" {']).decl('|0|extern "C" {')


def test_view_superset_scoped_rules():
    old = ["define FOO_A 1", "define FOO_B 2", "decl |0|int foo_x ( void ) ;",
           "decl |0|int foo_y ( void ) ;"]
    changed = ["define FOO_A 1", "define FOO_B 3", "decl |0|long foo_x ( void ) ;",
               "decl |0|int foo_y ( void ) ;"]
    assert not view_superset(old, changed)[0]
    ignored = []
    assert view_superset(old, changed, uses_mod.UseSet({"foo_y", "FOO_A"}), ignored)[0]
    assert ignored == ["macro FOO_B", "1 declaration"]
    assert not view_superset(old, changed, uses_mod.UseSet({"FOO_B"}))[0]
    assert not view_superset(old, changed, uses_mod.UseSet({"foo_x"}))[0]
    added = old + ["define FOO_NEW 1", "decl |0|int foo_new ( int foo_y ) ;"]
    assert view_superset(old, added, uses_mod.UseSet({"foo_y"}))[0]
    ok, why = view_superset(old, added, uses_mod.UseSet({"FOO_NEW"}))
    assert not ok and "FOO_NEW" in why
    ok, why = view_superset(old, added, uses_mod.UseSet({"foo_new"}))
    assert not ok and "foo_new" in why


# -- end to end, with the preprocessor ----------------------------------------------------

@needs_gcc
def test_a_change_the_child_cannot_reach_is_reused_only_in_scope(tmp_path):
    new = HEADER.replace("#define FOO_OLD_FLAG 1\n", "").replace("FOO_MAX 10", "FOO_MAX 12") \
        .replace("int foo_hidden(int x);", "long foo_hidden(long x);") \
        .replace("typedef long foo_other_t;", "typedef int foo_other_t;")
    # FOO_MAX is reached only through FOO_CHECK, which this child does not use.
    reused, notes, _ = _judge(tmp_path / "s", new, USES_FOO)
    assert reused
    assert any("FOO_OLD_FLAG" in n and "out of reach" in n for n in notes), notes
    assert not _judge(tmp_path / "u", new, USES_FOO, scope="all")[0]
    # ... but through FOO_CHECK it is reached.
    child = {"main.c": USES_FOO["main.c"] + "int g(void) { return FOO_CHECK(0); }\n"}
    assert not _judge(tmp_path / "c", new, child)[0]


@needs_gcc
@pytest.mark.parametrize("name,child", [
    ("the child pastes foo_##x", {"m.c": "#define CALL(x) foo_##x(1)\nint y = CALL(hidden);\n"}),
    ("a parent macro calls it", {"m.c": "int y = FOO_CALL(1);\n", "n.c": "int z = foo_hidden(1);\n"}),
    ("the child uses a parent macro that pastes", {"m.c": "int y = FOO_PASTE(hidden)(1);\n"}),
    ("a dlsym string", {"m.c": 'void *f = dlsym(h, "foo_hidden");\n'}),
    ("a configure check", {"configure.ac": "AC_CHECK_FUNCS([foo_hidden])\n"}),
])
def test_a_removed_declaration_the_child_reaches_is_rebuilt(tmp_path, name, child):
    new = HEADER.replace("int foo_hidden(int x);\n", "")
    assert not _judge(tmp_path, new, child)[0], name
    assert _judge(tmp_path / "other", new, USES_FOO)[0]


@needs_gcc
def test_a_removed_declaration_reached_through_a_macro_only(tmp_path):
    new = HEADER.replace("int foo_old(int x);\n", "")
    assert not _judge(tmp_path / "a", new, {"m.c": "int y = FOO_CALL(1);\n"})[0]
    assert _judge(tmp_path / "b", new, USES_FOO)[0]


@needs_gcc
def test_a_struct_field_type_is_reached_through_the_struct(tmp_path):
    new = HEADER.replace("typedef int foo_inner_t;", "typedef long long foo_inner_t;")
    assert not _judge(tmp_path / "a", new, USES_FOO)[0]
    assert _judge(tmp_path / "b", new, {"m.c": "int y = foo_hidden(1);\n"})[0]
    # An enumerator reaches its enum, and a new enumerator the child names is seen.
    new = HEADER.replace("FOO_A, FOO_B }", "FOO_A, FOO_B, FOO_C }")
    assert _judge(tmp_path / "c", new, {"m.c": "int m = FOO_A;\n"})[0]
    assert not _judge(tmp_path / "d", new, {"m.c": "int m = FOO_A;\n",
                                            "configure.ac": "AC_CHECK_DECLS([FOO_C])\n"})[0]


@needs_gcc
def test_added_functions_are_reused_unless_the_child_names_them(tmp_path):
    new = HEADER.replace("#endif\n", "int foo_new(foo_t *f);\n#endif\n")
    assert _judge(tmp_path / "a", new, USES_FOO)[0]
    child = dict(USES_FOO, **{"CMakeLists.txt": "check_symbol_exists(foo_new foo.h HAVE_FOO_NEW)\n"})
    assert not _judge(tmp_path / "b", new, child)[0]


@needs_gcc
def test_cmake_files_count_only_for_a_child_that_can_read_them(tmp_path):
    cmake = "usr/lib/cmake/foo/foo-targets.cmake"
    old, new = {cmake: "add_library(foo::foo SHARED IMPORTED)\n"}, \
        {cmake: "add_library(foo::foo SHARED IMPORTED)\nset_target_properties(foo::foo)\n"}
    assert _judge(tmp_path / "a", HEADER, USES_FOO, extra_old=old, extra_new=new)[0]
    assert not _judge(tmp_path / "b", HEADER, dict(USES_FOO, **{"CMakeLists.txt": "find_package(foo)\n"}),
                      extra_old=old, extra_new=new)[0]
    pc = "usr/lib/pkgconfig/foo.pc"
    assert not _judge(tmp_path / "c", HEADER, USES_FOO, extra_old={pc: "Libs: -lfoo\n"},
                      extra_new={pc: "Libs: -lfoo -lm\n"})[0]


@needs_gcc
def test_without_sources_or_in_exact_mode_nothing_is_scoped(tmp_path):
    new = HEADER.replace("#define FOO_OLD_FLAG 1\n", "")
    reused, notes, _ = _judge(tmp_path / "a", new, None)
    assert not reused and any("judged by the whole interface" in n for n in notes), notes
    swig = dict(USES_FOO, **{"foo.i": "%module foo\n// swig\n"})
    reused, notes, _ = _judge(tmp_path / "b", new, swig)
    assert not reused and any("swig" in n for n in notes), notes
    assert not _judge(tmp_path / "c", new, USES_FOO, mode="exact")[0]


@needs_gcc
def test_the_report_text_does_not_depend_on_the_use_set(tmp_path):
    root = _parent(tmp_path / "p", HEADER)
    a = _child(tmp_path / "a", USES_FOO)
    b = _child(tmp_path / "b", {"x.c": "FOO_CALL FOO_MAX foo_hidden\n"})
    exact = cs.side_report(root, "elf-interface", "exact")
    assert cs.side_report(root, "elf-interface", "exact", scope="child-uses",
                          child_sources=[a]) == exact
    sup = [cs.side_report(root, "elf-interface", "superset", scope=s, child_sources=c)
           for s, c in (("all", None), ("child-uses", [a]), ("child-uses", [b]))]
    assert sup[0] == sup[1] == sup[2]


def test_scope_is_checked():
    assert check_options("elf-interface", "superset", scope="child-uses")
    with pytest.raises(CompatError, match="unknown scope 'mine'"):
        check_options("elf-interface", scope="mine")
    with pytest.raises(CompatError, match="unknown scope"):
        build_report("c", [ParentInput("p", "/", scope="nope")])
