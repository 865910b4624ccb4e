# SPDX-License-Identifier: MIT
SUMMARY = "CDEPENDS test fixture: a program using one of the two libraries of its parent"
require sstmgmt-cdep.inc
SRC_URI = "file://usesone.c file://Makefile"
BBCLASSEXTEND = "native nativesdk"
# Written with the target name; each variant maps it as DEPENDS is mapped
# (sstmgmt-cdep-two-native, nativesdk-sstmgmt-cdep-two, lib32-sstmgmt-cdep-two).
SSTMGMT_CDEP_PARENT = "sstmgmt-cdep-two"
# Judge only the library and header this program uses (the flag names the
# parent as written, for every variant).
CDEPENDS_FILES[sstmgmt-cdep-two] = "*/libcdepone.so* */include/cdepone.h"
EXTRA_OEMAKE += "'LIB=cdepone' 'PROG=usesone'"
do_compile() {
    oe_runmake usesone
}
do_install() {
    oe_runmake install-prog DESTDIR=${D}
}
