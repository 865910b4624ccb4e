# SPDX-License-Identifier: MIT
#
# The files of binary packages (.ipk, .deb), unpacked as they would be
# installed, so that a CDEPENDS report can judge what a parent ships
# (CDEPENDS_PACKAGES) and not only what it stages. Plain Python (no bb
# import), as sstatemgmt.compat; zstd-compressed members need the zstd
# program, which OE-Core lists in HOSTTOOLS.

import gzip
import io
import lzma
import bz2
import os
import shutil
import subprocess
import tarfile

# Package formats whose archives this module reads (PACKAGE_CLASSES package_<format>).
FORMATS = ("ipk", "deb")


class PackageError(Exception):
    """A package that cannot be read; the message names the file."""


def ar_members(path):
    """{name: bytes} of the members of an ar archive (the container of .ipk and .deb)."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        raise PackageError("cannot read the package %s: %s" % (path, e.strerror))
    if not data.startswith(b"!<arch>\n"):
        raise PackageError("%s is not an ar archive (an .ipk or .deb package)" % path)
    members, pos = {}, 8
    while pos + 60 <= len(data):
        header = data[pos:pos + 60]
        try:
            name = header[:16].decode().strip().rstrip("/")
            size = int(header[48:58].decode().strip())
        except ValueError:
            raise PackageError("%s: corrupt ar member header at offset %d" % (path, pos))
        members[name] = data[pos + 60:pos + 60 + size]
        pos += 60 + size + (size % 2)
    return members


def decompress(name, blob):
    """The tar bytes of an archive member named control.tar.<ext> or data.tar.<ext>."""
    if name.endswith(".gz"):
        return gzip.decompress(blob)
    if name.endswith(".xz"):
        return lzma.decompress(blob)
    if name.endswith(".bz2"):
        return bz2.decompress(blob)
    if name.endswith(".zst"):
        if not shutil.which("zstd"):
            raise PackageError("the zstd program is needed to read %s; install zstd on the build host" % name)
        return subprocess.run(["zstd", "-dc"], input=blob, stdout=subprocess.PIPE, check=True).stdout
    if name.endswith(".tar"):
        return blob
    raise PackageError("unknown compression of the package member %s" % name)


def _member(path, prefix):
    for name, blob in ar_members(path).items():
        if name.startswith(prefix):
            return tarfile.open(fileobj=io.BytesIO(decompress(name, blob)))
    raise PackageError("%s has no %s* member" % (path, prefix))


def control(path):
    """The control fields of a package as {field: value} (continuation lines joined with newlines)."""
    with _member(path, "control.tar") as tar:
        member = next((m for m in tar.getmembers() if m.name.lstrip("./") == "control"), None)
        if member is None:
            raise PackageError("%s has no control file" % path)
        text = tar.extractfile(member).read().decode("utf-8", "replace")
    fields, key = {}, None
    for line in text.splitlines():
        if line.startswith((" ", "\t")) and key:
            fields[key] += "\n" + line.strip()
        elif ":" in line:
            key, value = line.split(":", 1)
            fields[key] = value.strip()
    return fields


def unpack(path, dest):
    """Unpack the data of a package under dest, as installed on the target; return the
    relative paths written.

    Only directories, regular files, symlinks and hard links are written.
    Absolute names and names that leave dest through ".." are refused, and
    symlinks are written as they are (never followed), so a package cannot
    write outside dest. Device nodes and FIFOs are skipped.
    """
    written = []
    root = os.path.realpath(dest)
    with _member(path, "data.tar") as tar:
        for m in tar:
            rel = os.path.normpath(m.name)
            if rel == ".":
                continue
            if os.path.isabs(rel) or rel == ".." or rel.startswith("../"):
                raise PackageError("%s: member %r is outside the package root" % (path, m.name))
            target = os.path.join(dest, rel)
            # Not through a symlinked directory written before.
            if os.path.commonpath([root, os.path.realpath(os.path.dirname(target))]) != root:
                raise PackageError("%s: member %r is outside the package root (through a symlink)" % (path, m.name))
            if m.isdir():
                os.makedirs(target, exist_ok=True)
                continue
            if not (m.isfile() or m.issym() or m.islnk()):
                continue
            os.makedirs(os.path.dirname(target), exist_ok=True)
            if os.path.lexists(target):
                os.unlink(target)
            if m.issym():
                os.symlink(m.linkname, target)
            elif m.islnk():
                link = os.path.normpath(m.linkname)
                source = os.path.join(dest, link)
                if os.path.isabs(link) or link == ".." or link.startswith("../") \
                        or not os.path.isfile(source) or os.path.islink(source):
                    raise PackageError("%s: hard link %r to %r, which is not a file written before"
                                       % (path, m.name, m.linkname))
                shutil.copyfile(source, target)
            else:
                with tar.extractfile(m) as src, open(target, "wb") as out:
                    shutil.copyfileobj(src, out)
                os.chmod(target, m.mode & 0o755 | 0o600)
            written.append(rel)
    return written


def by_package(paths):
    """{Package field: path} of the given package files (the files of one recipe's packages)."""
    result = {}
    for path in paths:
        result[control(path)["Package"]] = path
    return result
