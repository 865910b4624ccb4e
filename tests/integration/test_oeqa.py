# SPDX-License-Identifier: MIT
#
# OE-Core's own QA tools run against the layer: oe-selftest (our cases) and
# yocto-check-layer. Each uses a build directory of its own, because both
# rewrite bblayers.conf.

import os
import re
import shutil

import pytest

from sstmgmt_dev import buildenv


@pytest.fixture(scope="module")
def qa_build(request):
    def make(name, target_kit=False, **layers):
        try:
            b = buildenv.prepare(name, release=request.config.getoption("--release"), target_kit=target_kit)
        except buildenv.BuildEnvError as e:
            pytest.fail(str(e), pytrace=False)
        b.write_layers(**layers)
        b.write_config("")
        return b
    return make


# Every oe-selftest module of the test layer, in one run: they share the "-st"
# build dir oe-selftest creates, so OE-Core is parsed once for all of them.
SELFTEST_MODULES = {"sstatemgmt_foundation": 2, "sstatemgmt_prune": 3, "sstatemgmt_cdepends": 4}


@pytest.mark.target_kit
def test_oe_selftest(qa_build):
    # The target case requires the offline target kit itself; the build
    # directory only knows where its opkg-utils clone is.
    build = qa_build("selftest", target_kit="available", selftest=True)
    shutil.rmtree(build.topdir + "-st", ignore_errors=True)
    rc, out = build.run(["oe-selftest", "-r"] + sorted(SELFTEST_MODULES), timeout=5400)
    assert rc == 0, out[-8000:]
    total = sum(SELFTEST_MODULES.values())
    assert re.search(r"oe-selftest - OK - All required tests passed \(successes=%d, skipped=0, failures=0" % total,
                     out), out[-4000:]
    for module in SELFTEST_MODULES:
        assert re.search(r"RESULTS - %s\.\S+: PASSED" % module, out), module


@pytest.mark.skipif(not os.environ.get("SSTATE_MGMT_YOCTO_CHECK_LAYER"),
                    reason="yocto-check-layer takes 10-20 min (world signature runs with and without the layer); "
                           "run it with SSTATE_MGMT_YOCTO_CHECK_LAYER=1 scripts/run-tests tests/integration/test_oeqa.py")
def test_yocto_check_layer(qa_build):
    build = qa_build("checklayer", with_layer=False, with_tests=False)
    layer = build.layerroot + "/meta-sstate-mgmt"
    rc, out = build.run(["yocto-check-layer", "--no-auto-dependency", layer], timeout=3600)
    assert rc == 0, out[-8000:]
    summary = re.search(r"^.*INFO: meta-sstate-mgmt \.+ (\w+)", out, re.M)
    assert summary and summary.group(1) == "PASS", out[-6000:]
