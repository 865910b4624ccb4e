# SPDX-License-Identifier: MIT
"""Headers judged by what a consumer's compiler sees (compat/preprocess.py):
respellings are reused, every change a consumer can see is rebuilt."""

import os
import shutil

import pytest

import compat_support as cs
from sstatemgmt.compat import preprocess

pytestmark = pytest.mark.skipif(not shutil.which("gcc"), reason="needs the host gcc")

BASE = """\
#ifndef FOO_H
#define FOO_H
#include <stddef.h>
#include "foo_conf.h"
#ifdef __cplusplus
extern "C" {
#endif
#define FOO_MAX 10
#define FOO_SQ(x) ((x) * (x))
#define FOO_P (x)
#ifdef FOO_WIDE
typedef long foo_int;
#else
typedef int foo_int;
#endif
enum foo_mode { FOO_A, FOO_B };
struct foo { foo_int a; int b; };
static inline int foo_twice(int x) { return 2 * x; }
int foo_add OF((foo_int a, foo_int b));
size_t foo_len(char *s);
#ifdef __cplusplus
}
#endif
#endif
"""
CONF = """\
#ifndef FOO_CONF_H
#define FOO_CONF_H
#define FOO_CONF_LEVEL 2
#if defined(__STDC__) || defined(FOO_ANSI)
#  define OF(args) args
#endif
#endif
"""

#: (name, new foo.h, new foo_conf.h or None): the same for a consumer.
RESPELLED = [
    ("OF((args)) spelled (args)", BASE.replace("foo_add OF((foo_int a, foo_int b))",
                                              "foo_add(foo_int a, foo_int b)"), None),
    ("#if rewritten, same outcome", None, CONF.replace(
        "#if defined(__STDC__) || defined(FOO_ANSI)",
        "#ifndef OF\n#  if defined(FOO_ANSI) || (defined(__STDC__) && __STDC__)").replace(
        "#endif\n#endif", "#  endif\n#endif\n#endif")),
    ("a branch for another platform edited", BASE.replace(
        "#ifdef FOO_WIDE", "#if defined(_WIN64)\ntypedef long long foo_int;\n#elif defined(FOO_WIDE)"),
     None),
    ("comments and layout", BASE.replace("struct foo { foo_int a; int b; };",
                                         "/* the state */\nstruct foo {\n  foo_int a;\n  int b;\n};"),
     None),
]

#: (name, new foo.h, new foo_conf.h or None): changes a consumer sees.
CHANGED = [
    ("declaration", BASE.replace("size_t foo_len(char *s)", "int foo_len(char *s)"), None),
    ("enumerator value", BASE.replace("FOO_A, FOO_B", "FOO_A, FOO_B = 4"), None),
    ("enumerator inserted", BASE.replace("FOO_A, FOO_B", "FOO_A, FOO_C, FOO_B"), None),
    ("struct member", BASE.replace("int b; }", "long b; }"), None),
    ("inline body", BASE.replace("2 * x", "x + x + 1"), None),
    ("macro value", BASE.replace("FOO_MAX 10", "FOO_MAX 11"), None),
    ("function-like macro body", BASE.replace("((x) * (x))", "((x) * (x) + 0)"), None),
    ("#define removed", BASE.replace("#define FOO_MAX 10\n", ""), None),
    ("object-like macro becomes function-like", BASE.replace("#define FOO_P (x)", "#define FOO_P(x)"),
     None),
    ("whitespace inside a macro body (stringification sees it)",
     BASE.replace("((x) * (x))", "((x)*(x))"), None),
    ("macro removed from a header it includes", None, CONF.replace("#define FOO_CONF_LEVEL 2\n", "")),
    ("extern \"C\" dropped (C++ consumers)", BASE.replace('extern "C" {', "").replace("#ifdef __cplusplus\n}\n#endif\n", ""), None),
]


def _root(path, header, conf):
    inc = os.path.join(str(path), "usr", "include")
    os.makedirs(inc)
    with open(os.path.join(inc, "foo.h"), "w") as f:
        f.write(header)
    with open(os.path.join(inc, "foo_conf.h"), "w") as f:
        f.write(conf)
    return str(path)


def _reports(tmp_path, new_header, new_conf, mode="exact", cpp=cs.HOST_CPP, warn=None):
    old = cs.side_report(_root(tmp_path / "old", BASE, CONF), "elf-interface", mode, cpp=cpp,
                         warn=warn)
    new = cs.side_report(_root(tmp_path / "new", new_header or BASE, new_conf or CONF),
                         "elf-interface", mode, cpp=cpp, warn=warn,
                         baseline=old if mode == "superset" else None)
    return old, new


@pytest.mark.parametrize("mode", ["exact", "superset"])
@pytest.mark.parametrize("name,header,conf", RESPELLED, ids=[r[0] for r in RESPELLED])
def test_respellings_are_reused(tmp_path, name, header, conf, mode):
    old, new = _reports(tmp_path, header, conf, mode)
    assert old == new
    # ... which the token rule rebuilds (except for comments and layout).
    if "layout" not in name:
        assert _reports(tmp_path / "tokens", header, conf, mode, cpp=None)[0] != \
            _reports(tmp_path / "tokens2", header, conf, mode, cpp=None)[1]


@pytest.mark.parametrize("mode", ["exact", "superset"])
@pytest.mark.parametrize("name,header,conf", CHANGED, ids=[c[0] for c in CHANGED])
def test_changes_a_consumer_sees_are_rebuilt(tmp_path, name, header, conf, mode):
    warnings = []
    old, new = _reports(tmp_path, header, conf, mode, warn=warnings.append)
    assert old != new
    if mode == "superset":
        assert any("not a compatible superset" in w for w in warnings), warnings


def test_a_conditional_that_differs_under_the_childs_define(tmp_path):
    header = BASE.replace("typedef long foo_int;", "typedef long long foo_int;")
    old, new = _reports(tmp_path / "plain", header, None)
    # Without the child's -D the branch is not what a consumer compiles...
    assert old == new
    # ... with it (the child's CPPFLAGS), it is.
    old, new = _reports(tmp_path / "wide", header, None, cpp=cs.HOST_CPP + " -DFOO_WIDE")
    assert old != new


SUPERSET_ONLY = [
    ("const added to a pointer parameter", BASE.replace("foo_len(char *s)", "foo_len(const char *s)")),
    ("enumerator appended", BASE.replace("FOO_A, FOO_B", "FOO_A, FOO_B, FOO_C")),
    ("enumerator appended with a small value", BASE.replace("FOO_A, FOO_B", "FOO_A, FOO_B, FOO_C = 7,")),
    ("parameter renamed", BASE.replace("foo_len(char *s)", "foo_len(char *str)")),
    ("function and macro added", BASE.replace("#define FOO_MAX 10", "#define FOO_MAX 10\n#define FOO_MIN 0")
     .replace("size_t foo_len", "int foo_sub(int a, int b);\nsize_t foo_len")),
    ("macro respelled through a new one of the same value",
     BASE.replace("#define FOO_MAX 10", "#define FOO_LIMIT 10\n#define FOO_MAX FOO_LIMIT")),
]

NOT_SUPERSET = [
    ("const added to a struct member", BASE.replace("int b; }", "const int b; }")),
    ("enumerator appended with a value that widens the enum",
     BASE.replace("FOO_A, FOO_B", "FOO_A, FOO_B, FOO_BIG = 0x100000000")),
    ("parameter type changed", BASE.replace("foo_add OF((foo_int a, foo_int b))",
                                            "foo_add OF((long a, foo_int b))")),
]


@pytest.mark.parametrize("name,header", NOT_SUPERSET, ids=[s[0] for s in NOT_SUPERSET])
def test_other_changes_are_rebuilt_in_superset_mode(tmp_path, name, header):
    old, new = _reports(tmp_path, header, None, mode="superset")
    assert old != new


@pytest.mark.parametrize("name,header", SUPERSET_ONLY, ids=[s[0] for s in SUPERSET_ONLY])
def test_compatible_additions_are_reused_in_superset_mode_only(tmp_path, name, header):
    old, new = _reports(tmp_path / "exact", header, None)
    assert old != new
    old, new = _reports(tmp_path / "superset", header, None, mode="superset")
    assert old == new


def test_what_superset_mode_does_not_accept():
    def decl(tokens):
        return "|0|" + tokens
    assert preprocess.extends(decl("int f ( T a ) ;"), decl("int f ( T b ) ;"))
    assert not preprocess.extends(decl("int f ( T ) ;"), decl("int f ( U ) ;"))
    assert not preprocess.extends(decl("int f ( const T ) ;"), decl("int f ( const U ) ;"))
    assert not preprocess.extends(decl("int f ( struct a * p ) ;"), decl("int f ( struct b * p ) ;"))
    assert not preprocess.extends(decl("int f ( unsigned long x ) ;"), decl("int f ( unsigned int x ) ;"))
    assert not preprocess.extends(decl("struct s { char * p ; } ;"), decl("struct s { const char * p ; } ;"))
    assert not preprocess.extends(decl("enum e { A , B } ;"), decl("enum e { A , C , B } ;"))
    assert not preprocess.extends(decl("enum e { A , B } ;"), decl("enum e { A , B , C = 0x100000000 } ;"))
    assert not preprocess.extends(decl("enum e { A , B } ;"), decl("enum e { A , B , C = B + 1 } ;"))
    assert preprocess.extends(decl("enum e { A , B } ;"), decl("enum e { A , B , C , } ;"))
    assert not preprocess.extends("ns|0|int f ( T a ) ;", decl("int f ( T b ) ;"))


def test_host_headers_are_not_part_of_the_view(tmp_path):
    root = _root(tmp_path, BASE.replace("#include <stddef.h>", "#include <stdio.h>"), CONF)
    decls, macros, cxx = preprocess.header_view(["gcc", "-E"], root, "usr/include/foo.h",
                                                ["usr/include"])
    text = "\n".join(decls + macros)
    assert "foo_add ( foo_int a , foo_int b )" in text
    assert "printf" not in text and "EOF" not in text and "__STDC__" not in text
    assert any("__cplusplus" in c for c in cxx)


def test_a_header_that_does_not_preprocess_falls_back_to_tokens(tmp_path):
    warnings = []
    broken = BASE.replace('#include "foo_conf.h"', '#include "missing_first.h"')
    report = cs.side_report(_root(tmp_path, broken, CONF), "elf-interface", "exact",
                            warn=warnings.append)
    assert "header: usr/include/foo.h tokens=" in report
    assert "note: not preprocessed, judged by tokens: " in report
    assert "header: usr/include/foo_conf.h preprocessed=" in report
    assert len(warnings) == 1 and "usr/include/foo.h" in warnings[0] and "tokens" in warnings[0]


def test_a_preprocessor_that_cannot_run_falls_back_with_a_warning(tmp_path):
    warnings = []
    report = cs.side_report(_root(tmp_path, BASE, CONF), "elf-interface", "exact",
                            cpp="/nonexistent/cpp -E", warn=warnings.append)
    assert "tokens=" in report and "preprocessed=" not in report
    assert warnings and "cannot run /nonexistent/cpp" in warnings[0]


def test_static_only_pkgconfig_fields_are_no_change(tmp_path):
    pcs = []
    for n, extra in enumerate(("", "Libs.private: -pthread\nCflags.private: -DFOO_STATIC\n",
                               "Requires.private: zlib\n")):
        root = _root(tmp_path / str(n), BASE, CONF)
        os.makedirs(os.path.join(root, "usr/lib/pkgconfig"))
        with open(os.path.join(root, "usr/lib/pkgconfig/foo.pc"), "w") as f:
            f.write("Name: foo\nVersion: 1.0\n%sLibs: -lfoo\nCflags: -I/usr/include\n" % extra)
        pcs.append(cs.side_report(root, "elf-interface", "exact"))
    assert pcs[0] == pcs[1]
    assert pcs[0] != pcs[2]     # Requires.private's Cflags reach every child


def test_headers_of_any_name_are_preprocessed(tmp_path):
    """The driver would hand foo.inc to the linker and preprocess nothing;
    a C++ header is preprocessed as C++."""
    inc = tmp_path / "usr" / "include"
    inc.mkdir(parents=True)
    (inc / "tables.inc").write_text("#define FOO_ROWS 3\nint foo_rows[FOO_ROWS];\n")
    (inc / "vec").write_text("template <class T> struct vec { T *p; };\n#define FOO_CXX __cplusplus\n")
    decls, macros, _cxx = preprocess.header_view(["gcc", "-E"], str(tmp_path), "usr/include/tables.inc",
                                                 ["usr/include"])
    assert decls and "int foo_rows [ 3 ] ;" in decls[0] and macros == ["define FOO_ROWS 3"]
    if shutil.which("g++"):
        _decls, macros, _cxx = preprocess.header_view(["gcc", "-E"], str(tmp_path), "usr/include/vec",
                                                      ["usr/include"])
        assert macros == ["define FOO_CXX __cplusplus"]


def test_escaped_linemarker_names_are_the_parents(tmp_path):
    odd = tmp_path / 'we"ird\\dir'
    (odd / "usr" / "include").mkdir(parents=True)
    (odd / "usr" / "include" / "foo.h").write_text("int foo(void);\n")
    decls, _macros, _cxx = preprocess.header_view(["gcc", "-E"], str(odd), "usr/include/foo.h",
                                                  ["usr/include"])
    assert decls == ["|0|int foo ( void ) ;"]
