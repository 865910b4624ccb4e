# SPDX-License-Identifier: MIT
SUMMARY = "Test kit: the host's pseudo (Debian package) as the fakeroot tool"
DESCRIPTION = "A placeholder that provides virtual/fakeroot-native and pseudo-native and links \
the host's pseudo, so that packaging tasks run offline without building pseudo. A test kit \
(docs/target-kit.md)."
LICENSE = "MIT"
LIC_FILES_CHKSUM = "file://${COMMON_LICENSE_DIR}/MIT;md5=0835ade698e0bcf8506ecda2f7b4f302"

inherit native
INHIBIT_DEFAULT_DEPS = "1"
PROVIDES = "virtual/fakeroot-native pseudo-native"

do_configure[noexec] = "1"
do_compile[noexec] = "1"

do_install() {
    if [ ! -x /usr/bin/pseudo ]; then
        bbfatal "The target kit needs the host's /usr/bin/pseudo: install the pseudo package (scripts/install-host-deps)."
    fi
    install -d ${D}${bindir}
    ln -sf /usr/bin/pseudo ${D}${bindir}/pseudo
}
