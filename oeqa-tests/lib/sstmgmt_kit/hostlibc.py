# SPDX-License-Identifier: MIT
#
# The target kit's C library: the files of the host's Debian packages (glibc,
# kernel headers, GCC runtime libraries), copied into a recipe's ${D} so that
# the host compiler, run with --sysroot=<recipe-sysroot>, finds them there.
#
# OE-Core defaults to usrmerge: /lib and /lib64 are mapped to /usr/lib and
# /usr/lib64 (QA rejects files in /lib otherwise). Symlinks become relative,
# so they resolve inside any sysroot, and GNU ld scripts (libc.so, libm.so)
# name the mapped paths (ld prefixes them with the sysroot).

import os
import re
import shutil

# Host paths left out: documentation, configuration, programs, locale
# converters, and static archives other than the *_nonshared.a that libc.so needs.
SKIP_PREFIXES = ("/usr/share/", "/etc/", "/usr/bin/", "/usr/sbin/", "/bin/", "/sbin/", "/usr/libexec/")
_LIBDIR = re.compile(r"(^|[\s(])/lib(64)?/")
LD_SCRIPT_MAGIC = b"/* GNU ld script"


class HostLibcError(Exception):
    pass


def skipped(path):
    if path.startswith(SKIP_PREFIXES) or "/gconv/" in path:
        return True
    return path.endswith(".a") and not path.endswith("_nonshared.a")


def mapped(path):
    """The usrmerged target path of a host path (/lib/x -> /usr/lib/x)."""
    for old, new in (("/lib/", "/usr/lib/"), ("/lib64/", "/usr/lib64/")):
        if path.startswith(old):
            return new + path[len(old):]
    return path


def rewrite_ld_script(text):
    """A GNU ld script with /lib and /lib64 paths mapped to /usr/lib and /usr/lib64."""
    return "\n".join(_LIBDIR.sub(lambda m: "%s/usr/lib%s/" % (m.group(1), m.group(2) or ""), line)
                     for line in text.split("\n"))


def package_files(pkg, info_dir, arch, root=""):
    """Host paths of the regular files and symlinks of one dpkg package (installed under root)."""
    for name in ("%s:%s.list" % (pkg, arch), "%s.list" % pkg):
        listfile = os.path.join(info_dir, name)
        if os.path.exists(listfile):
            break
    else:
        raise HostLibcError("the host package %s is not installed (no %s/%s:%s.list): install it "
                            "(scripts/install-host-deps) or remove it from SSTMGMT_HOSTTC_DPKG"
                            % (pkg, info_dir, pkg, arch))
    with open(listfile) as f:
        for line in f:
            path = line.rstrip("\n")
            if path and not skipped(path) and (os.path.islink(root + path) or os.path.isfile(root + path)):
                yield path


def host_versions(packages, status="/var/lib/dpkg/status", arch="amd64"):
    """"pkg=version ..." of the installed dpkg `packages` (missing ones as pkg=missing), so that a
    host library upgrade changes the kit libc's signature."""
    found = {}
    try:
        with open(status) as f:
            stanzas = f.read().split("\n\n")
    except OSError:
        stanzas = []
    for stanza in stanzas:
        fields = dict(line.split(": ", 1) for line in stanza.splitlines() if ": " in line and not line.startswith(" "))
        if fields.get("Package") in packages and fields.get("Architecture") in (arch, "all") \
                and fields.get("Status", "").endswith(" installed"):
            found[fields["Package"]] = fields.get("Version", "")
    return " ".join("%s=%s" % (p, found.get(p, "missing")) for p in packages)


def install_host_libc(dest, packages, info_dir="/var/lib/dpkg/info", arch="amd64", root=""):
    """Copy the files of the dpkg `packages` (installed under root) into `dest`; return the number
    of files installed."""
    count = 0
    for pkg in packages:
        for hostpath in package_files(pkg, info_dir, arch, root):
            path = root + hostpath
            target = dest + mapped(hostpath)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            if os.path.lexists(target):
                os.unlink(target)
            if os.path.islink(path):
                # Relative again after the mapping, also when the link crossed from
                # /usr/lib into /lib, so that it resolves inside any sysroot.
                link = os.path.normpath(os.path.join(os.path.dirname(hostpath), os.readlink(path)))
                os.symlink(os.path.relpath(mapped(link), os.path.dirname(mapped(hostpath))), target)
            else:
                with open(path, "rb") as f:
                    head = f.read(len(LD_SCRIPT_MAGIC))
                if head == LD_SCRIPT_MAGIC:
                    with open(path) as f, open(target, "w") as out:
                        out.write(rewrite_ld_script(f.read()))
                else:
                    shutil.copyfile(path, target)
                shutil.copymode(path, target)
            count += 1
    if not count:
        raise HostLibcError("no files found in the host packages %s" % " ".join(packages))
    return count
