# SPDX-License-Identifier: MIT
SUMMARY = "CDEPENDS target fixture: a program using libtgttwo of its parent"
require sstmgmt-tgt.inc
SRC_URI = "file://usetwo.c;subdir=src file://Makefile;subdir=src"
SSTMGMT_TGT_PARENT = "sstmgmt-tgt-libs"
CDEPENDS_FILES[sstmgmt-tgt-libs] = "*/libtgttwo.so* */include/tgttwo.h"
do_compile() {
    oe_runmake usetwo
}
do_install() {
    oe_runmake install-prog-usetwo DESTDIR=${D}
}
