# SPDX-License-Identifier: MIT
SUMMARY = "CDEPENDS target fixture: a library (libtgtmid) using libtgtone of its parent"
require sstmgmt-tgt.inc
SRC_URI = "file://tgtmid.c file://tgtmid.h file://Makefile"
SSTMGMT_TGT_PARENT = "sstmgmt-tgt-libs"
# Judge only the library and header this recipe uses.
CDEPENDS_FILES[sstmgmt-tgt-libs] = "*/libtgtone.so* */include/tgtone.h"
do_compile() {
    oe_runmake libtgtmid.so.1
}
do_install() {
    oe_runmake install-mid DESTDIR=${D}
}
