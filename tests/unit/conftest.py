# SPDX-License-Identifier: MIT
"""Fixtures shared by the unit tests."""

import os
import shutil
import stat

import pytest

from prune_testlib import Cache, shared_dir


@pytest.fixture
def cache(tmp_path):
    """An empty synthetic sstate cache (prune_testlib.Cache); shadows pytest's own ``cache``."""
    return Cache(tmp_path / "sstate-cache")


def _rmtree(path):
    def unlock(func, p, exc):
        # as a user other than root: give back the permissions a test took away
        for q in (os.path.dirname(p), p):
            try:
                os.chmod(q, stat.S_IRWXU)
            except OSError:
                pass
        func(p)
    shutil.rmtree(path, onerror=unlock)


@pytest.fixture
def shared():
    """A directory another user may enter (prune_testlib.run_script_as), removed afterwards."""
    d = shared_dir()
    yield d
    _rmtree(d)
