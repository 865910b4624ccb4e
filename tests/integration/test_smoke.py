# SPDX-License-Identifier: MIT
#
# Foundation smoke tests with real BitBake and OE-Core.

import glob
import os
import re

FIXTURE = "sstmgmt-hello-native"
# A few OE-Core native recipes plus the fixture: their signatures must not move
# when meta-sstate-mgmt is added.
SIG_TARGETS = [FIXTURE, "m4-native", "zlib-native", "quilt-native"]


def test_layer_parses(build):
    res = build.bitbake("-p")
    assert res.returncode == 0
    assert not re.search(r"^(ERROR|WARNING):", res.output, re.M), res.output
    rc, out = build.run(["bitbake-layers", "show-layers"], check=True)
    assert re.search(r"^sstate-mgmt\s+\S+/meta-sstate-mgmt\s+6\b", out, re.M), out


def _signatures(build, targets):
    """{(pn, task): hash} from the sigdata that `bitbake -S none` writes into a fresh STAMPS_DIR."""
    build.wipe_tmpdir()
    build.bitbake("-S", "none", *targets)
    sigs = {}
    for path in glob.glob(os.path.join(build.tmpdir, "stamps", "*", "*", "*.sigdata.*")):
        pn = os.path.basename(os.path.dirname(path))
        m = re.match(r".*\.(do_[a-z_]+)\.sigdata\.([0-9a-f]{64})$", os.path.basename(path))
        assert m, path
        sigs[(pn, m.group(1))] = m.group(2)
    return sigs


def test_adding_layer_changes_no_signature(build):
    with_layer = _signatures(build, SIG_TARGETS)
    build.write_layers(with_layer=False)
    without_layer = _signatures(build, SIG_TARGETS)
    for pn in SIG_TARGETS:
        assert any(k[0] == pn for k in with_layer), "no sigdata for %s" % pn
    assert len(with_layer) > 50
    changed = sorted("%s:%s" % k for k in set(with_layer) | set(without_layer)
                     if with_layer.get(k) != without_layer.get(k))
    assert changed == [], "signatures changed by adding the layer: %s" % changed


def test_fixture_builds_then_restores_from_sstate(clean_build):
    build = clean_build
    first = build.bitbake(FIXTURE)
    assert {"do_compile", "do_install", "do_populate_sysroot"} <= set(first.ran_for(FIXTURE)), first
    assert first.setscene_for(FIXTURE) == []
    lib = glob.glob(os.path.join(build.tmpdir, "sysroots-components", "*", FIXTURE, "**", "libsstmgmt-hello.so.1"),
                    recursive=True)
    assert lib, "library not staged"
    archives = glob.glob(os.path.join(build.sstate_dir, "**", "sstate:%s:*_populate_sysroot.tar.zst" % FIXTURE),
                         recursive=True)
    assert len(archives) == 1, archives

    build.wipe_tmpdir()
    second = build.bitbake(FIXTURE)
    assert "do_populate_sysroot" in second.setscene_for(FIXTURE), second
    assert second.ran_for(FIXTURE) == [], "tasks ran instead of being restored: %s" % second.ran_for(FIXTURE)
