# SPDX-License-Identifier: MIT
SUMMARY = "CDEPENDS target fixture: a grandchild program with plain DEPENDS on libtgtmid"
require sstmgmt-tgt.inc
SRC_URI = "file://top.c;subdir=src file://Makefile;subdir=src"
DEPENDS += "sstmgmt-tgt-mid"
do_compile() {
    oe_runmake top
}
do_install() {
    oe_runmake install-prog-top DESTDIR=${D}
}
