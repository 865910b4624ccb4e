# SPDX-License-Identifier: MIT
#
# Read the control fields of an .ipk (an ar archive holding control.tar.*)
# and check a "Depends:" entry against package versions, without opkg, for
# the target tests (pytest tier and oe-selftest).

import gzip
import io
import lzma
import re
import shutil
import subprocess
import tarfile


class IpkError(Exception):
    pass


def ar_members(path):
    """{name: bytes} of the members of an ar archive."""
    with open(path, "rb") as f:
        data = f.read()
    if not data.startswith(b"!<arch>\n"):
        raise IpkError("%s is not an ar archive" % path)
    members, pos = {}, 8
    while pos + 60 <= len(data):
        header = data[pos:pos + 60]
        name = header[:16].decode().strip().rstrip("/")
        size = int(header[48:58].decode().strip())
        members[name] = data[pos + 60:pos + 60 + size]
        pos += 60 + size + (size % 2)
    return members


def _decompress(name, blob):
    if name.endswith(".gz"):
        return gzip.decompress(blob)
    if name.endswith(".xz"):
        return lzma.decompress(blob)
    if name.endswith(".zst"):
        if not shutil.which("zstd"):
            raise IpkError("zstd is needed to read %s" % name)
        return subprocess.run(["zstd", "-dc"], input=blob, stdout=subprocess.PIPE, check=True).stdout
    return blob


def control(path):
    """The control fields of an .ipk as {field: value}."""
    for name, blob in ar_members(path).items():
        if name.startswith("control.tar"):
            with tarfile.open(fileobj=io.BytesIO(_decompress(name, blob))) as tar:
                member = next((m for m in tar.getmembers() if m.name.lstrip("./") == "control"), None)
                if member is None:
                    raise IpkError("%s has no control file" % path)
                text = tar.extractfile(member).read().decode()
            fields, key = {}, None
            for line in text.splitlines():
                if line.startswith((" ", "\t")) and key:
                    fields[key] += "\n" + line.strip()
                elif ":" in line:
                    key, value = line.split(":", 1)
                    fields[key] = value.strip()
            return fields
    raise IpkError("%s has no control.tar member" % path)


def depends(fields):
    """The Depends: entries as [(name, op, version)] (op and version None when unversioned)."""
    result = []
    for entry in (fields.get("Depends") or "").split(","):
        entry = entry.strip()
        if not entry:
            continue
        m = re.match(r"^(\S+)\s*(?:\(\s*([<>=]+)\s*([^)\s]+)\s*\))?$", entry)
        if not m:
            raise IpkError("cannot parse the Depends entry %r" % entry)
        result.append(m.groups())
    return result


def version_satisfies(version, op, wanted):
    """Whether package version `version` satisfies "(op wanted)", compared as opkg and dpkg do."""
    if op is None:
        return True
    dpkg_op = {">=": "ge", "<=": "le", ">>": "gt", "<<": "lt", "=": "eq", ">": "gt", "<": "lt"}[op]
    if not shutil.which("dpkg"):
        raise IpkError("dpkg is needed to compare package versions")
    return subprocess.run(["dpkg", "--compare-versions", version, dpkg_op, wanted]).returncode == 0
