# SPDX-License-Identifier: MIT
#
# Test kit only: OE's gcc toolchain class with the compiler recipes pointed at
# the host's GCC (recipes-kit/hosttc/sstmgmt-hosttc-cross.bb). Selected with
# PREFERRED_TOOLCHAIN_TARGET = "sstmgmt-hosttc" (tcmode-sstmgmt-hosttc.inc).

require classes/toolchain/gcc.bbclass

PREFERRED_PROVIDER_virtual/${MLPREFIX}cross-cc = "${SSTMGMT_HOSTTC_CROSS}"
PREFERRED_PROVIDER_virtual/${MLPREFIX}cross-c++ = "${SSTMGMT_HOSTTC_CROSS}"
# gcc.bbclass names gcc-runtime again in every recipe; the kit's libc provides
# the compiler libraries (as in tcmode-sstmgmt-hosttc.inc, for the cooker).
PREFERRED_PROVIDER_virtual/${MLPREFIX}compilerlibs = "sstmgmt-hosttc-libc"
# The host's GCC 12 has no -fcanon-prefix-map.
DEBUG_PREFIX_MAP_EXTRA = ""
