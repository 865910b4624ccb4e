# SPDX-License-Identifier: MIT
SUMMARY = "Test-only, never built: how each class extension maps DEPENDS names"
DESCRIPTION = "tests/integration/test_oecompat.py compares the DEPENDS OE-Core gives \
each variant of this recipe with what sstatemgmt.oecompat.map_depends computes for \
the same names, in anonymous python and in the final datastore."
LICENSE = "MIT"

INHIBIT_DEFAULT_DEPS = "1"
EXCLUDE_FROM_WORLD = "1"
BBCLASSEXTEND = "native nativesdk"

# One name of each kind the mappings treat differently.
SSTMGMT_MAPPROBE_NAMES = "sstmgmt-probe-lib virtual/sstmgmt-probe sstmgmt-probe-tool-native \
    nativesdk-sstmgmt-probe-sdk sstmgmt-probe-cross-x86_64 ${PN} ${PN}-extra"
DEPENDS = "${SSTMGMT_MAPPROBE_NAMES}"

def sstmgmt_mapprobe(d):
    # Only with meta-sstate-mgmt in BBLAYERS: its Python namespace is then importable.
    try:
        from sstatemgmt import oecompat
    except ImportError:
        return ""
    return " ".join(oecompat.map_depends(d, d.getVar("SSTMGMT_MAPPROBE_NAMES").split()))

# In anonymous python, where compatible-depends maps CDEPENDS (before the
# nativesdk class's own anonymous python), and in the final datastore.
python () {
    d.setVar("SSTMGMT_MAPPROBE_EARLY", sstmgmt_mapprobe(d))
}
SSTMGMT_MAPPROBE_LATE = "${@sstmgmt_mapprobe(d)}"
