# SPDX-License-Identifier: MIT
"""Fixtures shared by the unit tests."""

import pytest

from prune_testlib import Cache


@pytest.fixture
def cache(tmp_path):
    """An empty synthetic sstate cache (prune_testlib.Cache); shadows pytest's own ``cache``."""
    return Cache(tmp_path / "sstate-cache")
