# SPDX-License-Identifier: MIT
SUMMARY = "CDEPENDS test fixture: a parent shared library (libcdepfoo)"
require sstmgmt-cdep.inc
SRC_URI = "file://cdepfoo.c file://cdepfoo.h file://Makefile"
inherit native
# Children may name the parent by a virtual name (tests: test_parent_named_by_virtual_provider).
PROVIDES += "virtual/sstmgmt-cdepfoo-native"
EXTRA_OEMAKE += "'VARIANT=${SSTMGMT_CDEP_VARIANT}'"
do_compile() {
    oe_runmake
}
do_install() {
    oe_runmake install-foo DESTDIR=${D}
}
