# SPDX-License-Identifier: MIT
SUMMARY = "CDEPENDS target fixture: a parent shipping two shared libraries (libtgtone, libtgttwo) with headers"
require sstmgmt-tgt.inc
SRC_URI = "file://tgtone.c;subdir=src file://tgtone.h;subdir=src file://tgttwo.c;subdir=src file://tgttwo.h;subdir=src file://Makefile;subdir=src"
# Tests bump the version to see what the consumers' "Depends: (>= PV)" does.
SSTMGMT_TGT_PV ??= "1.0"
SSTMGMT_TGT_PV[doc] = "Test-only: PV of the target fixture parent."
PV = "${SSTMGMT_TGT_PV}"
# One package per library: debian.bbclass names them after their SONAME
# (libtgtone1, libtgttwo1; libtgtone2 after a SONAME bump).
PACKAGES =+ "libtgtone libtgttwo"
FILES:libtgtone = "${libdir}/libtgtone.so.* ${sysconfdir}/tgtone.conf"
FILES:libtgttwo = "${libdir}/libtgttwo.so.*"
# Only the parent sees the variant: the children's signatures must not.
EXTRA_OEMAKE += "'VARIANT=${SSTMGMT_TGT_VARIANT}'"
do_compile() {
    oe_runmake parent
}
do_install() {
    oe_runmake install-parent DESTDIR=${D}
}
