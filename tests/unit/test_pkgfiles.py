# SPDX-License-Identifier: MIT
#
# sstatemgmt.pkgfiles: the files of .ipk/.deb packages, as CDEPENDS_PACKAGES
# judges them (ar container, control and data tarballs).

import io
import os
import shutil
import subprocess
import tarfile

import pytest

from sstatemgmt import pkgfiles


def _tar(entries, compression):
    """entries: [(name, kind, payload)] with kind file/dir/sym/link."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for name, kind, payload in entries:
            info = tarfile.TarInfo(name)
            if kind == "file":
                info.size = len(payload)
                info.mode = 0o755
                tar.addfile(info, io.BytesIO(payload))
                continue
            info.type = {"dir": tarfile.DIRTYPE, "sym": tarfile.SYMTYPE, "link": tarfile.LNKTYPE,
                         "fifo": tarfile.FIFOTYPE}[kind]
            info.linkname = payload or ""
            tar.addfile(info)
    raw = buf.getvalue()
    if compression == "gz":
        import gzip
        return gzip.compress(raw)
    if compression == "xz":
        import lzma
        return lzma.compress(raw)
    if compression == "zst":
        return subprocess.run(["zstd", "-q", "-c"], input=raw, stdout=subprocess.PIPE, check=True).stdout
    return raw


def _ar(path, members):
    with open(path, "wb") as f:
        f.write(b"!<arch>\n")
        for name, blob in members:
            f.write(("%-16s%-12s%-6s%-6s%-8s%-10d`\n" % (name + "/", 0, 0, 0, 100644, len(blob))).encode())
            f.write(blob + (b"\n" if len(blob) % 2 else b""))


def make_package(path, package, data, compression="gz", control_extra=""):
    control = "Package: %s\nVersion: 1.0-r0\nDepends: libc6 (>= 2.36), libfoo1\n%s" % (package, control_extra)
    _ar(str(path), [("debian-binary", b"2.0\n"),
                    ("control.tar." + compression, _tar([("./control", "file", control.encode())], compression)),
                    ("data.tar." + compression, _tar(data, compression))])
    return str(path)


LIB = [("./", "dir", None), ("./usr", "dir", None), ("./usr/lib", "dir", None),
       ("./usr/lib/libfoo.so.1.2", "file", b"\x7fELF..."), ("./usr/lib/libfoo.so.1", "sym", "libfoo.so.1.2"),
       ("./etc/foo.conf", "file", b"a=1\n"), ("./usr/lib/libfoo-copy.so", "link", "./usr/lib/libfoo.so.1.2")]


@pytest.mark.parametrize("compression", ["gz", "xz",
                                         pytest.param("zst", marks=pytest.mark.skipif(not shutil.which("zstd"),
                                                                                      reason="no zstd"))])
def test_unpack_installs_files_links_and_hardlinks(tmp_path, compression):
    ipk = make_package(tmp_path / "libfoo1.ipk", "libfoo1", LIB, compression)
    assert pkgfiles.control(ipk)["Package"] == "libfoo1"
    dest = tmp_path / "root"
    written = pkgfiles.unpack(ipk, str(dest))
    assert sorted(written) == ["etc/foo.conf", "usr/lib/libfoo-copy.so", "usr/lib/libfoo.so.1", "usr/lib/libfoo.so.1.2"]
    assert (dest / "usr/lib/libfoo.so.1.2").read_bytes() == b"\x7fELF..."
    assert os.readlink(str(dest / "usr/lib/libfoo.so.1")) == "libfoo.so.1.2"
    assert (dest / "usr/lib/libfoo-copy.so").read_bytes() == b"\x7fELF..."
    assert (dest / "etc/foo.conf").read_text() == "a=1\n"


def test_control_fields_and_by_package(tmp_path):
    a = make_package(tmp_path / "a.ipk", "libfoo1", LIB, control_extra="Description: one\n two\n")
    b = make_package(tmp_path / "b.deb", "libfoo-dev", [("./usr/include/foo.h", "file", b"int f(void);\n")])
    fields = pkgfiles.control(a)
    assert fields["Depends"] == "libc6 (>= 2.36), libfoo1"
    assert fields["Description"] == "one\ntwo"
    assert pkgfiles.by_package([a, b]) == {"libfoo1": a, "libfoo-dev": b}


@pytest.mark.parametrize("entries,why", [
    ([("../escape", "file", b"x")], "outside the package root"),
    ([("/etc/passwd", "file", b"x")], "outside the package root"),
    ([("./usr", "sym", "/tmp"), ("./usr/x", "file", b"x")], "through a symlink"),
    ([("./a", "link", "../../etc/passwd")], "hard link"),
])
def test_unpack_never_writes_outside_its_root(tmp_path, entries, why):
    pkg = make_package(tmp_path / "evil.ipk", "evil", entries)
    outside = tmp_path / "outside"
    with pytest.raises(pkgfiles.PackageError, match=why):
        pkgfiles.unpack(pkg, str(tmp_path / "root"))
    assert not outside.exists()


def test_special_files_are_skipped(tmp_path):
    pkg = make_package(tmp_path / "p.ipk", "p", [("./run/fifo", "fifo", None), ("./f", "file", b"1")])
    assert pkgfiles.unpack(pkg, str(tmp_path / "root")) == ["f"]


@pytest.mark.parametrize("content,why", [(b"not an archive", "not an ar archive"),
                                         (b"!<arch>\n", "no control.tar")])
def test_bad_packages_are_named(tmp_path, content, why):
    path = tmp_path / "bad.ipk"
    path.write_bytes(content)
    with pytest.raises(pkgfiles.PackageError, match=why):
        pkgfiles.control(str(path))
    with pytest.raises(pkgfiles.PackageError, match="cannot read the package"):
        pkgfiles.control(str(tmp_path / "missing.ipk"))
