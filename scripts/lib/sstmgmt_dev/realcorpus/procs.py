# SPDX-License-Identifier: MIT
"""Running external programs so that a run always finishes.

Every program the corpus runs (git, configure, make, compilers, the
consumer, abidiff, the checker workers) goes through :func:`run`: it starts
in a session of its own, its output goes to files rather than pipes, and
when it outlives its time limit the whole process group is killed. A tool
that forks a helper which keeps spinning after its parent exits (as
abi-compliance-checker does on headers it cannot compile) therefore cannot
hold the run, and no pipe is left for it to hold open.
"""

import os
import signal
import subprocess
import tempfile
import time
from collections import namedtuple

Result = namedtuple("Result", "returncode stdout stderr timed_out seconds")
Result.__doc__ = """``returncode`` (negative: killed by that signal), ``stdout`` and
``stderr`` as text, ``timed_out`` (the group was killed at the limit), wall
``seconds``."""


def _kill_group(proc):
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def run(argv, timeout, cwd=None, env=None, stdin_text=None, binary=False):
    """Run ``argv`` with a wall-clock limit of ``timeout`` seconds.

    When the program exits or reaches the limit, whatever is left of its
    process group (a helper it forked, or all of it) is killed. The leader is
    only reaped afterwards, so the group id cannot have been reused by then.
    ``binary``: stdout as bytes, not text.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.TemporaryFile() as inp:
        if stdin_text is not None:
            inp.write(stdin_text.encode())
            inp.seek(0)
        t0 = time.monotonic()
        proc = subprocess.Popen(argv, cwd=cwd, env=env, stdin=inp, stdout=out, stderr=err,
                                start_new_session=True)
        timed_out = False
        delay = 0.005
        try:
            while os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is None:
                if time.monotonic() - t0 >= timeout:
                    timed_out = True
                    break
                time.sleep(delay)
                delay = min(delay * 2, 0.2)
        finally:
            _kill_group(proc)
            proc.wait()
        seconds = time.monotonic() - t0
        out.seek(0)
        err.seek(0)
        stdout = out.read()
        return Result(proc.returncode, stdout if binary else stdout.decode("utf-8", "replace"),
                      err.read().decode("utf-8", "replace"), timed_out, seconds)


class CommandFailed(Exception):
    """A build or fetch step failed; the message names the step and the tail of its output."""


def check(argv, timeout, what, cwd=None, env=None, log=None):
    """:func:`run`, appending the output to ``log`` (a path), raising
    :class:`CommandFailed` naming ``what`` on failure or timeout."""
    res = run(argv, timeout, cwd=cwd, env=env)
    if log:
        with open(log, "a") as f:
            f.write("$ %s\n%s%s\n" % (" ".join(argv), res.stdout, res.stderr))
    if res.timed_out:
        raise CommandFailed("%s: timed out after %d s (%s)" % (what, timeout, " ".join(argv)))
    if res.returncode:
        tail = [l for l in (res.stderr + res.stdout).splitlines() if l.strip()][-3:]
        raise CommandFailed("%s failed (exit %d): %s%s" % (
            what, res.returncode, " | ".join(tail), "; full log: %s" % log if log else ""))
    return res
