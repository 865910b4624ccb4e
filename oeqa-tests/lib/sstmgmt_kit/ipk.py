# SPDX-License-Identifier: MIT
#
# The control fields of an .ipk and its "Depends:" entries checked against
# package versions, without opkg, for the target tests (pytest tier and
# oe-selftest). Reading the archive is the layer's own sstatemgmt.pkgfiles.

import re
import shutil
import subprocess

from sstatemgmt.pkgfiles import PackageError as IpkError, control  # noqa: F401 (the tests' API)


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
