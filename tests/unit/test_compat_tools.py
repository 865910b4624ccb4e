# SPDX-License-Identifier: MIT
"""Finding the ABI tools."""

import os
import time

import compat_support  # noqa: F401  (puts the layer's lib/ on sys.path)
from sstatemgmt.compat import tools


def test_tool_on_path_is_resolved_through_symlinks(tmp_path, monkeypatch):
    """Inside a BitBake task PATH is ${HOSTTOOLS_DIR}, a directory of
    symlinks; abi-compliance-checker finds its Perl modules relative to the
    file it runs as, so the real file must be run."""
    real = tmp_path / "usr" / "bin" / "abi-compliance-checker"
    real.parent.mkdir(parents=True)
    real.write_text("#!/bin/sh\n")
    real.chmod(0o755)
    hosttools = tmp_path / "hosttools"
    hosttools.mkdir()
    os.symlink(str(real), str(hosttools / "abi-compliance-checker"))
    monkeypatch.setenv("PATH", str(hosttools))
    assert tools.find_tool("abi-compliance-checker") == os.path.realpath(str(real))
    # A path given explicitly is used as given.
    link = str(hosttools / "abi-compliance-checker")
    assert tools.find_tool("abi-compliance-checker", {"abi-compliance-checker": link}) == link


def _script(tmp_path, body):
    path = tmp_path / "tool"
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(0o755)
    return str(path)


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is dead; only its parent (not us) can reap it.
    with open("/proc/%d/stat" % pid) as f:
        return f.read().rsplit(")", 1)[1].split()[0] != "Z"


def test_a_helper_left_holding_the_pipes_does_not_hang_the_caller(tmp_path):
    """abi-compliance-checker, failing on headers it cannot compile, exits
    and leaves a forked helper spinning with its stdout and stderr: the
    caller must return when the tool exits and stop what it left behind."""
    pidfile = tmp_path / "helper.pid"
    tool = _script(tmp_path, "(while :; do :; done) &\necho $! > %s\necho out; echo failed >&2\n"
                   "exit 3\n" % pidfile)
    t0 = time.monotonic()
    proc = tools.run([tool], timeout=60)
    assert time.monotonic() - t0 < 30
    assert (proc.returncode, proc.stdout, proc.stderr) == (3, "out\n", "failed\n")
    helper = int(pidfile.read_text())
    deadline = time.monotonic() + 10
    while _alive(helper) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(helper)


def test_a_tool_that_never_ends_is_stopped_with_its_children(tmp_path):
    pidfile = tmp_path / "helper.pid"
    tool = _script(tmp_path, "sleep 1000 &\necho $! > %s\necho started\nwhile :; do sleep 1; done\n"
                   % pidfile)
    t0 = time.monotonic()
    proc = tools.run([tool], timeout=2)
    assert time.monotonic() - t0 < 20
    assert proc.returncode != 0
    assert proc.stdout == "started\n"
    assert tools.last_line(proc) == "%s timed out after 2 s and was stopped" % tool
    helper = int(pidfile.read_text())
    deadline = time.monotonic() + 10
    while _alive(helper) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(helper)
