# SPDX-License-Identifier: MIT
#
# Release differences handled in meta-sstate-mgmt/lib/sstatemgmt/oecompat.py,
# checked against what OE-Core itself does on the release under test.

import pytest

PROBE = "sstmgmt-mapprobe"


@pytest.mark.parametrize("pn,mapped", [
    (PROBE, ["sstmgmt-probe-lib", "virtual/sstmgmt-probe", "sstmgmt-probe-tool-native"]),
    (PROBE + "-native", ["sstmgmt-probe-lib-native", "virtual/sstmgmt-probe-native", "sstmgmt-probe-tool-native",
                         "sstmgmt-mapprobe-extra-native"]),
    ("nativesdk-" + PROBE, ["nativesdk-sstmgmt-probe-lib", "virtual/nativesdk-sstmgmt-probe",
                            "sstmgmt-probe-tool-native", "nativesdk-sstmgmt-probe-sdk"]),
], ids=["target", "native", "nativesdk"])
def test_map_depends_maps_as_oe_maps_depends(build, pn, mapped):
    """oecompat.map_depends gives each name the mapping OE-Core gives it in the
    variant's DEPENDS, in anonymous python (where CDEPENDS is mapped, before the
    nativesdk class's own) and in the final datastore (as in a task)."""
    # The probe's DEPENDS name no real recipe: bitbake -e reports them, and prints the environment.
    v = build.get_bb_vars(["DEPENDS", "SSTMGMT_MAPPROBE_EARLY", "SSTMGMT_MAPPROBE_LATE"], pn, check=False)
    depends, early, late = (set((v[k] or "").split()) for k in ("DEPENDS", "SSTMGMT_MAPPROBE_EARLY",
                                                                 "SSTMGMT_MAPPROBE_LATE"))
    assert set(mapped) <= depends, v
    assert early == late, v
    # BitBake 2.16 and later apply the native DEPENDS filter twice
    # (handleVirtRecipeProviders writes the filtered DEPENDS back), and the
    # filter is not idempotent for a cross recipe's name: "x-cross-arch"
    # becomes "x-native-arch", then "x-native-arch-native". A native recipe
    # has no reason to name a cross recipe; map_depends keeps the single
    # mapping, which names the recipe the filter means (docs/releases.md).
    if pn.endswith("-native"):
        assert "sstmgmt-probe-native-x86_64" in early, v
        early = {n + "-native" if n not in depends and n + "-native" in depends else n for n in early}
    assert early <= depends, v
    # What DEPENDS has besides the probe's names, the variant's class added
    # itself (nativesdk: chrpath-replacement-native); none is a probe name
    # mapped another way.
    assert not [n for n in depends - early if "sstmgmt" in n], v
