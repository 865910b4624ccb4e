# SPDX-License-Identifier: MIT
#
# Fixtures of the integration tier: one shared build directory per test session
# (its parse cache survives between tests and between runs), driven through
# scripts/lib/sstmgmt_dev/buildenv.py. Tests reset what they depend on
# (TMPDIR, SSTATE_DIR, the hash server, the per-test config) themselves.

import pytest

from sstmgmt_dev import buildenv


@pytest.fixture(scope="session")
def oe(request):
    """The shared Build for this session (OE-Core + meta-sstate-mgmt + oeqa-tests)."""
    release = request.config.getoption("--release")
    try:
        build = buildenv.prepare("pytest", release=release)
    except buildenv.BuildEnvError as e:
        pytest.fail(str(e), pytrace=False)
    return build


@pytest.fixture
def build(oe):
    """The shared Build with an empty per-test config, restored afterwards."""
    oe.write_layers()
    oe.write_config("")
    yield oe
    oe.write_layers()
    oe.write_config("")


@pytest.fixture
def clean_build(build):
    """The shared Build with a fresh TMPDIR, an empty SSTATE_DIR and an empty hash server."""
    build.wipe_tmpdir()
    build.wipe_sstate()
    build.wipe_hashserv()
    return build
