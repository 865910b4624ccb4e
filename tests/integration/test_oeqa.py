# SPDX-License-Identifier: MIT
#
# OE-Core's own QA tools run against the layer: oe-selftest (our cases) and
# yocto-check-layer. Each uses a build directory of its own, because both
# rewrite bblayers.conf.

import re
import shutil

import pytest

from sstmgmt_dev import buildenv


@pytest.fixture(scope="module")
def qa_build(request):
    def make(name, **layers):
        try:
            b = buildenv.prepare(name, release=request.config.getoption("--release"))
        except buildenv.BuildEnvError as e:
            pytest.fail(str(e), pytrace=False)
        b.write_layers(**layers)
        b.write_config("")
        return b
    return make


def run_selftest(qa_build, module, successes):
    """oe-selftest -r <module> in the dedicated "selftest" build dir; assert all passed."""
    build = qa_build("selftest", selftest=True)
    shutil.rmtree(build.topdir + "-st", ignore_errors=True)
    rc, out = build.run(["oe-selftest", "-r", module], timeout=3600)
    assert rc == 0, out[-8000:]
    assert re.search(r"oe-selftest - OK - All required tests passed \(successes=%d, skipped=0, failures=0" % successes,
                     out), out[-4000:]


def test_oe_selftest_foundation(qa_build):
    run_selftest(qa_build, "sstatemgmt_foundation", 2)


def test_oe_selftest_cdepends(qa_build):
    """The CDEPENDS reuse and rebuild cases (2), through OE-Core's own oe-selftest."""
    run_selftest(qa_build, "sstatemgmt_cdepends", 2)


def test_yocto_check_layer(qa_build):
    build = qa_build("checklayer", with_layer=False, with_tests=False)
    layer = build.layerroot + "/meta-sstate-mgmt"
    rc, out = build.run(["yocto-check-layer", "--no-auto-dependency", layer], timeout=3600)
    assert rc == 0, out[-8000:]
    summary = re.search(r"^.*INFO: meta-sstate-mgmt \.+ (\w+)", out, re.M)
    assert summary and summary.group(1) == "PASS", out[-6000:]
