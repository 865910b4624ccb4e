# SPDX-License-Identifier: MIT
#
# The fan-out benchmark's sources (benchmarks/meta-fanout/recipes-fanout/files/
# fanout-gen.py): the same arguments give the same bytes, and its two parent
# changes are what the benchmark calls them, judged at run time: a child built
# against the old library and run against the new one prints what the child
# rebuilt against the new one prints after a compatible change, and not after
# an incompatible one.

import os
import shutil
import subprocess
import sys

import pytest

GEN = os.path.join(os.path.dirname(__file__), "..", "..", "benchmarks", "meta-fanout", "recipes-fanout",
                   "files", "fanout-gen.py")

pytestmark = pytest.mark.skipif(not shutil.which("gcc"), reason="needs gcc")


def gen(tmp_path, name, *args):
    out = tmp_path / name
    subprocess.run([sys.executable, GEN, *args, "--outdir", str(out)], check=True)
    return out


def lib(tmp_path, body, abi):
    d = gen(tmp_path, "lib-%d-%d" % (body, abi), "lib", "--body", str(body), "--abi", str(abi))
    subprocess.run(["gcc", "-O2", "-Wall", "-Werror", "-fPIC", "-shared", "-Wl,-soname,libfanout.so.1",
                    "-o", str(d / "libfanout.so.1"), str(d / "fanout.c")], check=True)
    os.symlink("libfanout.so.1", d / "libfanout.so")
    return d


def app(tmp_path, against, index=3, lines=600):
    src = gen(tmp_path, "app-%d-%s" % (index, against.name), "app", "--index", str(index), "--lines", str(lines))
    exe = src / "app"
    subprocess.run(["gcc", "-O2", "-Wall", "-Wextra", "-Werror", "-I", str(against), "-o", str(exe),
                    *sorted(str(p) for p in src.glob("*.c")), "-L", str(against), "-lfanout"], check=True)
    return exe


def run(exe, libdir):
    return subprocess.run([str(exe)], env={"LD_LIBRARY_PATH": str(libdir)}, check=True,
                          capture_output=True, text=True).stdout


def test_same_arguments_same_bytes_and_about_the_lines_asked(tmp_path):
    a = gen(tmp_path, "a", "app", "--index", "7", "--lines", "3000")
    b = gen(tmp_path, "b", "app", "--index", "7", "--lines", "3000")
    files = sorted(p.name for p in a.iterdir())
    assert files == sorted(p.name for p in b.iterdir())
    assert all((a / n).read_bytes() == (b / n).read_bytes() for n in files)
    lines = sum(len((a / n).read_text().splitlines()) for n in files)
    assert 2700 <= lines <= 3300, lines
    other = gen(tmp_path, "c", "app", "--index", "8", "--lines", "3000")
    assert (other / "part00.c").read_bytes() != (a / "part00.c").read_bytes()


def test_body_change_keeps_the_header_and_the_child_working(tmp_path):
    old, new = lib(tmp_path, 0, 0), lib(tmp_path, 1, 0)
    assert (old / "fanout.h").read_bytes() == (new / "fanout.h").read_bytes()
    assert (old / "fanout.c").read_bytes() != (new / "fanout.c").read_bytes()
    reused = run(app(tmp_path, old), new)
    assert reused == run(app(tmp_path, new), new)
    assert reused != run(app(tmp_path, old), old), "the body change must be visible at run time"


def test_abi_change_breaks_a_child_that_is_not_rebuilt(tmp_path):
    old, new = lib(tmp_path, 0, 0), lib(tmp_path, 0, 1)
    assert b"reserved0" in (new / "fanout.h").read_bytes()
    assert run(app(tmp_path, old), new) != run(app(tmp_path, new), new)
