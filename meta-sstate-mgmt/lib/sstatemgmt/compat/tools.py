# SPDX-License-Identifier: MIT
"""Finding and running the external ABI tools."""

import os
import shutil
import signal
import subprocess
import tempfile
import time

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


#: Seconds an ABI tool may run on one library before it is stopped. The
#: slowest (abi-compliance-checker on large C++ headers) takes minutes; a tool
#: that runs longer is stuck, and the library is judged without it.
TIMEOUT = 900


def run(argv, cwd=None, timeout=None):
    """Run a tool with a fixed locale; return the CompletedProcess (text).

    The tool runs in a session of its own. When it exits, or after
    ``timeout`` seconds (default :data:`TIMEOUT`), its whole process group
    is killed: abi-compliance-checker can exit leaving a forked helper
    spinning. Output goes to files, not pipes, so a helper that keeps them
    open cannot block the caller. A tool that timed out gets a non-zero
    status and a last stderr line saying so.
    """
    timeout = TIMEOUT if timeout is None else timeout
    env = dict(os.environ, LC_ALL="C", LANG="C")
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=out,
                                stderr=err, start_new_session=True)
        try:
            finished = _wait_unreaped(proc.pid, timeout)
        finally:
            # Still unreaped, so its pid (the group's id) cannot be reused yet.
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait()
        texts = []
        for f in (out, err):
            f.seek(0)
            texts.append(f.read().decode("utf-8", "replace"))
    status = proc.returncode
    if not finished:
        texts[1] += "%s timed out after %s s and was stopped\n" % (argv[0], timeout)
        status = -signal.SIGKILL
    return subprocess.CompletedProcess(argv, status, texts[0], texts[1])


def _wait_unreaped(pid, timeout):
    """Wait up to ``timeout`` s for ``pid`` to exit, leaving it a zombie
    (``WNOWAIT``); True if it exited."""
    deadline = time.monotonic() + timeout
    pause = 0.001
    while True:
        if os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None:
            return True
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        time.sleep(min(pause, left))
        pause = min(pause * 2, 0.05)


def last_line(proc):
    """The last non-empty line a failed tool printed, for a warning."""
    for stream in (proc.stderr, proc.stdout):
        lines = [l.strip() for l in (stream or "").splitlines() if l.strip()]
        if lines:
            return lines[-1]
    return "exit status %d" % proc.returncode
