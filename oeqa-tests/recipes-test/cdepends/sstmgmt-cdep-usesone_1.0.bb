# SPDX-License-Identifier: MIT
SUMMARY = "CDEPENDS test fixture: a program using one of the two libraries of its parent"
require sstmgmt-cdep.inc
SRC_URI = "file://usesone.c file://Makefile"
BBCLASSEXTEND = "native"
# Written with the target name; the native variant maps it to -native.
SSTMGMT_CDEP_PARENT = "sstmgmt-cdep-two"
# Judge only the library and header this program uses.
CDEPENDS_FILES[sstmgmt-cdep-two] = "*/libcdepone.so* */include/cdepone.h"
EXTRA_OEMAKE += "'LIB=cdepone' 'PROG=usesone'"
do_compile() {
    oe_runmake usesone
}
do_install() {
    oe_runmake install-prog DESTDIR=${D}
}
