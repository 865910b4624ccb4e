# SPDX-License-Identifier: MIT
SUMMARY = "CDEPENDS target fixture: a library (libtgtmid) using libtgtone of its parent"
require sstmgmt-tgt.inc
SRC_URI = "file://tgtmid.c;subdir=src file://tgtmid.h;subdir=src file://Makefile;subdir=src"
SSTMGMT_TGT_PARENT = "sstmgmt-tgt-libs"
# Judge only the library and header this recipe uses: the files the parent
# stages, or (SSTMGMT_TGT_MID_PACKAGES set) the files of these packages of it.
SSTMGMT_TGT_MID_PACKAGES ??= ""
SSTMGMT_TGT_MID_PACKAGES[doc] = "Test-only: packages of sstmgmt-tgt-libs whose files judge it (CDEPENDS_PACKAGES); empty: its sysroot files."
CDEPENDS_PACKAGES[sstmgmt-tgt-libs] = "${SSTMGMT_TGT_MID_PACKAGES}"
CDEPENDS_FILES[sstmgmt-tgt-libs] = "${@'' if d.getVar('SSTMGMT_TGT_MID_PACKAGES') else '*/libtgtone.so* */include/tgtone.h'}"
do_compile() {
    oe_runmake libtgtmid.so.1
}
do_install() {
    oe_runmake install-mid DESTDIR=${D}
}
