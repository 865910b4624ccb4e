# SPDX-License-Identifier: MIT
SUMMARY = "meta-sstate-mgmt test fixture: a small C shared library, built with the host compiler"
LICENSE = "MIT"
LIC_FILES_CHKSUM = "file://${COMMON_LICENSE_DIR}/MIT;md5=0835ade698e0bcf8506ecda2f7b4f302"

SRC_URI = "file://hello.c file://hello.h file://Makefile"
S = "${UNPACKDIR}"

inherit native

# Offline and self-contained: no cross toolchain, no quilt.
INHIBIT_DEFAULT_DEPS = "1"
PATCHDEPENDENCY = ""

# Tests change the library without editing this file: they write
# ${TOPDIR}/conf/sstmgmt-hello.inc, which only this recipe includes, so a change
# reparses this recipe alone, not all of OE-Core.
include ${TOPDIR}/conf/sstmgmt-hello.inc
SSTMGMT_HELLO_GREETING ??= "hello"
EXTRA_OEMAKE = "'GREETING=${SSTMGMT_HELLO_GREETING}'"

do_install() {
    oe_runmake install DESTDIR=${D} libdir=${libdir} includedir=${includedir}
}

# Changes do_install's signature but not its output: hash equivalence then maps
# the new do_populate_sysroot hash to the old unihash (tests of remapped tasks).
SSTMGMT_HELLO_NOOP ??= ""
do_install[vardeps] += "SSTMGMT_HELLO_NOOP"
