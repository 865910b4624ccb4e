# SPDX-License-Identifier: MIT
SUMMARY = "CDEPENDS test fixture: a parent shared library (libcdepfoo)"
require sstmgmt-cdep.inc
SRC_URI = "file://cdepfoo.c file://cdepfoo.h file://Makefile"
inherit native
EXTRA_OEMAKE += "'VARIANT=${SSTMGMT_CDEP_VARIANT}'"
do_compile() {
    oe_runmake
}
do_install() {
    oe_runmake install-foo DESTDIR=${D}
}
