# SPDX-License-Identifier: MIT
SUMMARY = "CDEPENDS test fixture: a parent shared library (libcdepfoo)"
require sstmgmt-cdep.inc
SRC_URI = "file://cdepfoo.c file://cdepfoo.h file://Makefile"
inherit native
# Children may name the parent by a virtual name (tests: test_parent_named_by_virtual_provider).
PROVIDES += "virtual/sstmgmt-cdepfoo-native"
# Test-only: "1" stages the library with DWARF for the abidiff checker.
SSTMGMT_CDEP_DEBUGINFO ??= "0"
SSTMGMT_CDEP_DEBUGINFO[doc] = "Test-only: 1 inherits cdepends-debuginfo (the parent's sysroot keeps DWARF)."
inherit ${@'cdepends-debuginfo' if d.getVar('SSTMGMT_CDEP_DEBUGINFO') == '1' else ''}
EXTRA_OEMAKE += "'VARIANT=${SSTMGMT_CDEP_VARIANT}'"
do_compile() {
    oe_runmake
}
do_install() {
    oe_runmake install-foo DESTDIR=${D}
}
