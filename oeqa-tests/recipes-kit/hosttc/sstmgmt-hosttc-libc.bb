# SPDX-License-Identifier: MIT
SUMMARY = "Test kit: the host's C library, kernel headers and GCC runtime libraries as the target libc"
DESCRIPTION = "Copies the files of the host's Debian packages (glibc, kernel headers, libgcc_s, \
libstdc++, libcrypt) into the target sysroot and packages them, so that target recipes link and \
package offline. A test kit, not a C library for products (docs/target-kit.md)."
# The licenses of the copied host files (glibc, Linux headers, GCC runtime;
# the GCC runtime library exception is not spelled out). OE-Core master
# writes the conjunction as AND, older releases as &.
SSTMGMT_HOSTTC_LICENSES = "GPL-2.0-only GPL-3.0-or-later LGPL-2.1-or-later"
LICENSE = "${@(' AND ' if hasattr(oe.license, 'convert_legacy_license_to_spdx') else ' & ').join(d.getVar('SSTMGMT_HOSTTC_LICENSES').split())}"
LIC_FILES_CHKSUM = "file://${COMMON_LICENSE_DIR}/LGPL-2.1-or-later;md5=2a4f4fd2128ea2f65047ee63fbca9f68 \
                    file://${COMMON_LICENSE_DIR}/GPL-2.0-only;md5=801f80980d171dd6425610833a22dbe6 \
                    file://${COMMON_LICENSE_DIR}/GPL-3.0-or-later;md5=1c76c4cc354acaac30ed4d5eefea7245"

INHIBIT_DEFAULT_DEPS = "1"
# virtual/${TARGET_PREFIX}binutils on OE-Core scarthgap, which predates
# BB_RECIPE_VIRTUAL_PROVIDERS and its virtual/cross-* names.
DEPENDS = "${@'virtual/cross-binutils' if d.getVar('BB_RECIPE_VIRTUAL_PROVIDERS') else 'virtual/${TARGET_PREFIX}binutils'}"
# virtual/${TARGET_PREFIX}compilerlibs: the name on OE-Core scarthgap.
PROVIDES = "virtual/libc virtual/libc-locale virtual/${MLPREFIX}compilerlibs virtual/libiconv \
    virtual/libintl virtual/crypt linux-libc-headers libgcc virtual/${TARGET_PREFIX}compilerlibs"
# What target packages may depend on at run time.
RPROVIDES:${PN} = "glibc libc6 libgcc libgcc-s1 libstdc++ libcrypt virtual-libc"
RPROVIDES:${PN}-dev = "glibc-dev libc6-dev libgcc-dev linux-libc-headers-dev libcrypt-dev virtual-libc-dev"

# Host (dpkg) packages whose files are copied.
SSTMGMT_HOSTTC_DPKG ?= "libc6 libc6-dev linux-libc-dev libgcc-s1 libstdc++6 libcrypt1 libcrypt-dev"
SSTMGMT_HOSTTC_DPKG[doc] = "Test kit: the host's Debian packages copied into the kit's C library recipe."
SSTMGMT_HOSTTC_DPKG_ARCH ?= "amd64"
SSTMGMT_HOSTTC_DPKG_INFO ?= "/var/lib/dpkg/info"
# A host library upgrade changes these versions and so re-runs do_install.
SSTMGMT_HOSTTC_VERSIONS = "${@sstmgmt_kit.hostlibc.host_versions(d.getVar('SSTMGMT_HOSTTC_DPKG').split(), arch=d.getVar('SSTMGMT_HOSTTC_DPKG_ARCH'))}"
do_install[vardeps] += "SSTMGMT_HOSTTC_VERSIONS"

python () {
    if d.getVar("TARGET_ARCH") != "x86_64":
        raise bb.parse.SkipRecipe("the host toolchain kit builds for x86-64 targets only (MACHINE = \"qemux86-64\")")
}

do_configure[noexec] = "1"
do_compile[noexec] = "1"

python do_install() {
    import sstmgmt_kit.hostlibc as hostlibc
    try:
        n = hostlibc.install_host_libc(d.getVar("D"), d.getVar("SSTMGMT_HOSTTC_DPKG").split(),
                                       d.getVar("SSTMGMT_HOSTTC_DPKG_INFO"), d.getVar("SSTMGMT_HOSTTC_DPKG_ARCH"))
    except hostlibc.HostLibcError as e:
        bb.fatal(str(e))
    bb.note("copied %d files of the host packages %s" % (n, d.getVar("SSTMGMT_HOSTTC_DPKG")))
}

# The dynamic loader is reached through /usr/lib64 (the host's /lib64).
SYSROOT_DIRS += "/usr/lib64"
# Copied binaries as they are: no strip, no debug split. (The file dependency
# scan stays: it gives the package the libc.so.6(GLIBC_2.34)(64bit)-style
# provides that the file-rdeps QA check of target packages looks for.)
INHIBIT_PACKAGE_STRIP = "1"
INHIBIT_PACKAGE_DEBUG_SPLIT = "1"
INHIBIT_SYSROOT_STRIP = "1"
# Two packages; the main one registers the shared libraries (libc.so.6, ...)
# as shlib providers, so target packages get "Depends: sstmgmt-hosttc-libc".
PACKAGES = "${PN}-dev ${PN}"
FILES:${PN}-dev = "${includedir} ${libdir}/*/*.so ${libdir}/*/*.o ${libdir}/*/*.a"
FILES:${PN} = "${libdir} /usr/lib64"
INSANE_SKIP:${PN} = "${WARN_QA} ${ERROR_QA} already-stripped"
INSANE_SKIP:${PN}-dev = "${WARN_QA} ${ERROR_QA}"
