# SPDX-License-Identifier: MIT
SUMMARY = "Test kit: the host's x86-64 GCC and binutils as the cross toolchain"
DESCRIPTION = "Links ${TARGET_PREFIX}<tool> to the host's x86_64-linux-gnu-<tool>, so that \
target recipes build offline without building GCC. A test kit, not a toolchain for products \
(docs/target-kit.md)."
LICENSE = "MIT"
LIC_FILES_CHKSUM = "file://${COMMON_LICENSE_DIR}/MIT;md5=0835ade698e0bcf8506ecda2f7b4f302"

inherit cross
INHIBIT_DEFAULT_DEPS = "1"
PN = "sstmgmt-hosttc-cross-${TARGET_ARCH}"
# The names OE-Core scarthgap's recipes ask for (later releases use
# virtual/cross-cc and friends, through the kit's toolchain class).
PROVIDES = "virtual/${TARGET_PREFIX}binutils virtual/${TARGET_PREFIX}gcc virtual/${TARGET_PREFIX}g++"

SSTMGMT_HOSTTC_HOST_PREFIX ?= "/usr/bin/x86_64-linux-gnu-"
SSTMGMT_HOSTTC_HOST_PREFIX[doc] = "Test kit: path prefix of the host tools the cross tools link to."
SSTMGMT_HOSTTC_TOOLS = "gcc g++ cpp gcc-ar gcc-nm gcc-ranlib gcov ar as ld ld.bfd nm objcopy \
    objdump ranlib readelf strip strings size addr2line c++filt elfedit"

python () {
    if d.getVar("TARGET_ARCH") != "x86_64":
        raise bb.parse.SkipRecipe("the host toolchain kit builds for x86-64 targets only (MACHINE = \"qemux86-64\")")
}

do_configure[noexec] = "1"
do_compile[noexec] = "1"

do_install() {
    install -d ${D}${bindir}
    for tool in ${SSTMGMT_HOSTTC_TOOLS}; do
        if [ ! -x ${SSTMGMT_HOSTTC_HOST_PREFIX}$tool ]; then
            bbfatal "The target kit needs ${SSTMGMT_HOSTTC_HOST_PREFIX}$tool: install build-essential (scripts/install-host-deps)."
        fi
        ln -sf ${SSTMGMT_HOSTTC_HOST_PREFIX}$tool ${D}${bindir}/${TARGET_PREFIX}$tool
    done
}
