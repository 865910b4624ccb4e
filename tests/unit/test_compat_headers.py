# SPDX-License-Identifier: MIT
"""The C/C++ header normaliser: what counts as a change and what does not."""

import pytest

import compat_support  # noqa: F401  (puts the layer's lib on sys.path)
from sstatemgmt.compat import cheaders

BASE = """\
#ifndef FOO_H
#define FOO_H
#define FOO_MAX 10
#define FOO_SQ(x) ((x) * (x))
struct foo { int a; int b; };
static inline int foo_twice(int x) { return 2 * x; }
int foo_add(int a, int b);
#endif
"""

SAME = [
    ("comment edits", BASE.replace("int foo_add", "/* adds */ int foo_add")
     .replace("#define FOO_MAX 10", "#define FOO_MAX 10 // the max")),
    ("block comment over lines", BASE.replace("struct foo {", "struct foo { /* a\n   b */")),
    ("whitespace and newlines", BASE.replace("int a; int b;", "\n    int  a;\n\tint b;\n")),
    ("space after #", BASE.replace("#define FOO_MAX", "#  define FOO_MAX")),
    ("CRLF line ends", BASE.replace("\n", "\r\n")),
    ("line splice", BASE.replace("#define FOO_MAX 10", "#define FOO_MAX \\\n10")),
    ("bytes input", BASE.encode()),
]

DIFFERENT = [
    ("macro value", BASE.replace("FOO_MAX 10", "FOO_MAX 11")),
    ("inline body", BASE.replace("2 * x", "2 * x + 1")),
    ("member order", BASE.replace("int a; int b;", "int b; int a;")),
    ("function-like becomes object-like macro", BASE.replace("FOO_SQ(x)", "FOO_SQ (x)")),
    ("whitespace inside a macro body (stringification sees it)",
     BASE.replace("((x) * (x))", "((x)*(x))")),
    ("string literal content", BASE.replace("int foo_add(int a, int b);",
                                            'int foo_add(int a, int b);\nconst char *s = "a  b";')
     + "", ),
    ("maximal munch", BASE.replace("return 2 * x;", "return x - -1;")),
    ("conditional", BASE.replace("#define FOO_MAX 10", "#ifdef BIG\n#define FOO_MAX 10\n#endif")),
]


@pytest.mark.parametrize("name,text", SAME, ids=[s[0] for s in SAME])
def test_layout_and_comment_changes_keep_the_digest(name, text):
    assert cheaders.normalise(text) == cheaders.normalise(BASE)
    assert cheaders.digest(text) == cheaders.digest(BASE)


@pytest.mark.parametrize("name,text", DIFFERENT, ids=[d[0] for d in DIFFERENT])
def test_token_changes_change_the_digest(name, text):
    assert cheaders.digest(text) != cheaders.digest(BASE)


def test_strings_keep_comment_like_content_and_spacing():
    a = cheaders.normalise('const char *s = "a /* b */  c"; // tail\n')
    assert a == 'const char * s = "a /* b */  c" ;\n'
    assert cheaders.digest('char c = \'"\'; int x;') != cheaders.digest('char c = \'"\'; int y;')


def test_tokenizer_uses_maximal_munch():
    texts = [t.text for t in cheaders.tokenize("a--b x+++y .5e+3 0x1'2 u8\"s\" a<<=2 p->*q <=>")]
    assert texts == ["a", "--", "b", "x", "++", "+", "y", ".5e+3", "0x1'2", 'u8"s"', "a", "<<=",
                     "2", "p", "->*", "q", "<=>"]


def test_raw_string_is_one_token():
    texts = [t.text for t in cheaders.tokenize('auto s = R"x(a ")" // b)x"; int z;')]
    assert texts == ["auto", "s", "=", 'R"x(a ")" // b)x"', ";", "int", "z", ";"]


def test_directive_continues_across_a_multiline_comment():
    # The comment is one space: the 1 still belongs to the #define.
    lines = cheaders.logical_lines("#define X /* a\nb */ 1\nint y;\n")
    assert lines == [("directive", "#define X 1"), ("code", ["int", "y", ";"])]


class TestStructure:
    def structure(self, text):
        return cheaders.structure(text)

    def test_declarations_split_at_top_level(self):
        directives, decls = self.structure(BASE)
        assert directives == ["#ifndef FOO_H", "#define FOO_H", "#define FOO_MAX 10",
                              "#define FOO_SQ(x) ((x) * (x))", "#endif"]
        assert decls == ["|4|struct foo { int a ; int b ; } ;",
                         "|4|static inline int foo_twice ( int x ) { return 2 * x ; }",
                         "|4|int foo_add ( int a , int b ) ;"]

    def test_scopes_are_their_own_items(self):
        text = ('#ifdef __cplusplus\nextern "C" {\n#endif\nint f(void);\n'
                'namespace a { namespace b { int g(); } }\n#ifdef __cplusplus\n}\n#endif\n')
        _, decls = self.structure(text)
        assert decls == ['|1|extern "C" {', 'extern "C"|2|int f ( void ) ;',
                         'extern "C"|2|namespace a {', 'extern "C"/namespace a|2|namespace b {',
                         'extern "C"/namespace a/namespace b|2|int g ( ) ;',
                         'extern "C"/namespace a/namespace b|2|}', 'extern "C"/namespace a|2|}',
                         'extern "C"|3|}']

    def test_directive_inside_a_declaration_is_marked(self):
        _, decls = self.structure("struct s {\n#ifdef X\nint a;\n#endif\nint b; };\n")
        assert decls == ["|0|struct s { #0 int a ; #1 int b ; } ;"]

    def test_function_body_absorbs_a_trailing_semicolon(self):
        _, decls = self.structure("int f(void) { return 1; };\nint g;\n")
        assert decls == ["|0|int f ( void ) { return 1 ; } ;", "|0|int g ;"]

    def test_initialiser_braces_end_at_the_semicolon(self):
        _, decls = self.structure("int t[] = { 1, 2 };\nint g;\n")
        assert decls == ["|0|int t [ ] = { 1 , 2 } ;", "|0|int g ;"]

    @pytest.mark.parametrize("new,superset", [
        (BASE.replace("int foo_add(int a, int b);", "int foo_add(int a, int b);\nint foo_sub(int, int);"), True),
        (BASE.replace("struct foo", "int foo_first(void);\nstruct foo"), True),
        (BASE.replace("int a; int b;", "int a; int b; int c;"), False),
        (BASE.replace("int foo_add(int a, int b);\n", ""), False),
        (BASE.replace("2 * x", "3 * x"), False),
    ], ids=["added-at-end", "added-in-front", "member-added", "removed", "inline-body"])
    def test_superset_rule(self, new, superset):
        old_dirs, old_decls = self.structure(BASE)
        new_dirs, new_decls = self.structure(new)
        assert old_dirs == new_dirs
        assert cheaders.is_subsequence(old_decls, new_decls) is superset

    def test_moving_a_declaration_across_a_directive_is_not_a_superset(self):
        old = "#ifdef A\n#endif\nint f(void);\n"
        new = "#ifdef A\nint f(void);\n#endif\n"
        assert self.structure(old)[0] == self.structure(new)[0]
        assert not cheaders.is_subsequence(self.structure(old)[1], self.structure(new)[1])

    def test_subsequence_keeps_order(self):
        assert cheaders.is_subsequence(["a", "c"], ["a", "b", "c"])
        assert not cheaders.is_subsequence(["c", "a"], ["a", "b", "c"])
        assert not cheaders.is_subsequence(["a", "a"], ["a"])
