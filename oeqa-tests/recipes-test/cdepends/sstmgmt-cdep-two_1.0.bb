# SPDX-License-Identifier: MIT
SUMMARY = "CDEPENDS test fixture: a parent shipping two shared libraries (libcdepone, libcdeptwo)"
require sstmgmt-cdep.inc
SRC_URI = "file://cdepone.c file://cdepone.h file://cdeptwo.c file://cdeptwo.h file://Makefile"
# The native variant is built; the target and nativesdk recipes (and lib32
# with multilib.conf) exercise the class-extension mapping of CDEPENDS names.
BBCLASSEXTEND = "native nativesdk"
EXTRA_OEMAKE += "'VARIANT=${SSTMGMT_CDEP_VARIANT}'"
do_compile() {
    oe_runmake libcdepone.so.1 libcdeptwo.so.1
}
do_install() {
    oe_runmake install-two DESTDIR=${D}
}
