# SPDX-License-Identifier: MIT
"""Finding the ABI tools."""

import os

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
