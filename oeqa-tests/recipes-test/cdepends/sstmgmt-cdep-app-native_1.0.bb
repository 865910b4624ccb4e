# SPDX-License-Identifier: MIT
SUMMARY = "CDEPENDS test fixture: a program linking libcdepfoo, its parent in CDEPENDS"
require sstmgmt-cdep.inc
SRC_URI = "file://app.c file://Makefile"
inherit native
SSTMGMT_CDEP_PARENT = "sstmgmt-cdep-lib-native"
EXTRA_OEMAKE += "'LIB=cdepfoo' 'PROG=app'"
do_compile() {
    oe_runmake app
}
do_install() {
    oe_runmake install-prog DESTDIR=${D}
}
