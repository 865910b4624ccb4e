# SPDX-License-Identifier: MIT
"""Finding and running the external ABI tools."""

import os
import shutil
import subprocess

from .errors import CompatError

#: Tool name -> Debian package that ships it.
DEBIAN_PACKAGES = {
    "abidw": "abigail-tools",
    "abidiff": "abigail-tools",
    "abi-compliance-checker": "abi-compliance-checker",
}


def find_tool(name, tools=None):
    """Path of tool ``name``: ``tools[name]`` if given, else from PATH.

    ``tools`` maps tool names to executables, for example the copies in a
    native sysroot. A tool found on PATH is returned with symlinks resolved.
    Raises :class:`CompatError` naming the Debian package.
    """
    given = (tools or {}).get(name)
    if given:
        if os.path.isfile(given) and os.access(given, os.X_OK):
            return given
        raise CompatError("%s: %s is not an executable file; fix tools[%r]"
                          % (name, given, name))
    found = shutil.which(name)
    if found:
        # Resolved: script tools find their modules next to their real file
        # (abi-compliance-checker looks in dirname($0)/../share), and inside
        # a BitBake task PATH is ${HOSTTOOLS_DIR}, a directory of symlinks.
        return os.path.realpath(found)
    raise CompatError("%s not found on PATH: install the Debian package %s "
                      "(apt-get install %s) or pass tools={%r: PATH}"
                      % (name, DEBIAN_PACKAGES.get(name, name),
                         DEBIAN_PACKAGES.get(name, name), name))


def run(argv, cwd=None):
    """Run a tool with a fixed locale; return the CompletedProcess (text)."""
    env = dict(os.environ, LC_ALL="C", LANG="C")
    return subprocess.run(argv, cwd=cwd, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, universal_newlines=True,
                          errors="replace")


def last_line(proc):
    """The last non-empty line a failed tool printed, for a warning."""
    for stream in (proc.stderr, proc.stdout):
        lines = [l.strip() for l in (stream or "").splitlines() if l.strip()]
        if lines:
            return lines[-1]
    return "exit status %d" % proc.returncode
