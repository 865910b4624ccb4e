# SPDX-License-Identifier: MIT
SUMMARY = "CDEPENDS test fixture: a parent shipping two shared libraries (libcdepone, libcdeptwo)"
require sstmgmt-cdep.inc
SRC_URI = "file://cdepone.c file://cdepone.h file://cdeptwo.c file://cdeptwo.h file://Makefile"
# Only the native variant is built; the target recipe exists to exercise the
# BBCLASSEXTEND mapping of CDEPENDS names.
BBCLASSEXTEND = "native"
EXTRA_OEMAKE += "'VARIANT=${SSTMGMT_CDEP_VARIANT}'"
do_compile() {
    oe_runmake libcdepone.so.1 libcdeptwo.so.1
}
do_install() {
    oe_runmake install-two DESTDIR=${D}
}
