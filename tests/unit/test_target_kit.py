# SPDX-License-Identifier: MIT
#
# The offline target kit's plain-Python parts: the host C library copy
# (oeqa-tests/lib/sstmgmt_kit/hostlibc.py) and its extra source pins
# (kas/target-kit.yml, scripts/lib/sstmgmt_dev/sources.py).

import os
import subprocess
import sys

import pytest

from sstmgmt_dev import sources

sys.path.insert(0, os.path.join(os.path.dirname(sources.KAS_DIR), "oeqa-tests", "lib"))
from sstmgmt_kit import hostlibc  # noqa: E402

yaml = pytest.importorskip("yaml")


def test_kit_fragment_pins_opkg_utils_as_oe_core_does():
    pins = sources.read_pins("target-kit")
    with open(os.path.join(sources.KAS_DIR, "target-kit.yml")) as f:
        doc = yaml.safe_load(f)
    assert pins == {"opkg-utils": {"url": "https://git.yoctoproject.org/opkg-utils", "tag": "0.7.0",
                                   "commit": "68a969f0e867ace0d94faf8ebe7c7bb67f59d386"}}
    # kas: "tag" needs format 15; the clone is a source, not a layer.
    assert doc["header"]["version"] >= 15
    assert doc["repos"]["opkg-utils"]["layers"] == {".": "disabled"}
    assert "target-kit" not in sources.releases()


def test_mapped_paths_follow_usrmerge():
    assert hostlibc.mapped("/lib/x86_64-linux-gnu/libc.so.6") == "/usr/lib/x86_64-linux-gnu/libc.so.6"
    assert hostlibc.mapped("/lib64/ld-linux-x86-64.so.2") == "/usr/lib64/ld-linux-x86-64.so.2"
    assert hostlibc.mapped("/usr/lib/x86_64-linux-gnu/crt1.o") == "/usr/lib/x86_64-linux-gnu/crt1.o"
    assert hostlibc.mapped("/library/x") == "/library/x"


def test_ld_script_names_usr_paths_once():
    script = ("/* GNU ld script */\nOUTPUT_FORMAT(elf64-x86-64)\n"
              "GROUP ( /lib/x86_64-linux-gnu/libc.so.6 /usr/lib/x86_64-linux-gnu/libc_nonshared.a "
              " AS_NEEDED ( /lib64/ld-linux-x86-64.so.2 ) )\n")
    out = hostlibc.rewrite_ld_script(script)
    assert "GROUP ( /usr/lib/x86_64-linux-gnu/libc.so.6 /usr/lib/x86_64-linux-gnu/libc_nonshared.a" in out
    assert "AS_NEEDED ( /usr/lib64/ld-linux-x86-64.so.2 )" in out
    assert "/usr/usr" not in out


@pytest.mark.parametrize("path,skip", [
    ("/usr/share/doc/libc6/copyright", True), ("/etc/ld.so.conf.d/x.conf", True),
    ("/usr/lib/x86_64-linux-gnu/gconv/UTF-7.so", True), ("/usr/bin/ldd", True),
    ("/usr/lib/x86_64-linux-gnu/libc.a", True), ("/usr/lib/x86_64-linux-gnu/libc_nonshared.a", False),
    ("/usr/include/stdio.h", False), ("/lib/x86_64-linux-gnu/libm.so.6", False),
])
def test_skipped(path, skip):
    assert hostlibc.skipped(path) == skip


def _host(root, path, content=None, link=None):
    full = root / path.lstrip("/")
    full.parent.mkdir(parents=True, exist_ok=True)
    if link:
        os.symlink(link, str(full))
    else:
        full.write_text(content)


def test_install_copies_maps_and_relinks(tmp_path):
    root, info, dest = tmp_path / "root", tmp_path / "info", tmp_path / "dest"
    info.mkdir()
    _host(root, "/lib/x86_64-linux-gnu/libc.so.6", "ELF")
    _host(root, "/lib64/ld-linux-x86-64.so.2", link="/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2")
    _host(root, "/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2", "ELF")
    _host(root, "/usr/lib/x86_64-linux-gnu/libcrypt.so", link="../../../lib/x86_64-linux-gnu/libcrypt.so.1")
    _host(root, "/usr/lib/x86_64-linux-gnu/libc.so", "/* GNU ld script */\nGROUP ( /lib/x86_64-linux-gnu/libc.so.6 )\n")
    _host(root, "/usr/share/doc/libc6/copyright", "x")
    (info / "libc6:amd64.list").write_text("\n".join([
        "/.", "/lib", "/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu/libc.so.6", "/lib64/ld-linux-x86-64.so.2",
        "/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2", "/usr/share/doc/libc6/copyright"]) + "\n")
    (info / "libc6-dev.list").write_text("/usr/lib/x86_64-linux-gnu/libcrypt.so\n/usr/lib/x86_64-linux-gnu/libc.so\n")
    n = hostlibc.install_host_libc(str(dest), ["libc6", "libc6-dev"], str(info), "amd64", root=str(root))
    assert n == 5
    assert (dest / "usr/lib/x86_64-linux-gnu/libc.so.6").read_text() == "ELF"
    assert os.readlink(str(dest / "usr/lib64/ld-linux-x86-64.so.2")) == "../lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"
    assert os.readlink(str(dest / "usr/lib/x86_64-linux-gnu/libcrypt.so")) == "libcrypt.so.1"
    assert "GROUP ( /usr/lib/x86_64-linux-gnu/libc.so.6 )" in (dest / "usr/lib/x86_64-linux-gnu/libc.so").read_text()
    assert not (dest / "usr/share").exists() and not (dest / "lib").exists()


def test_missing_host_package_names_the_fix(tmp_path):
    with pytest.raises(hostlibc.HostLibcError, match=r"libnope is not installed.*install-host-deps"):
        hostlibc.install_host_libc(str(tmp_path / "d"), ["libnope"], str(tmp_path), "amd64")


def _git(*args, cwd=None):
    return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t"] + list(args), cwd=cwd,
                          stdout=subprocess.PIPE, universal_newlines=True, check=True).stdout.strip()


@pytest.fixture
def kit_upstream(tmp_path, monkeypatch):
    """A throwaway upstream without tags, a release kas file and a kit fragment pinning a tag."""
    upstream = tmp_path / "upstream"
    _git("init", "-q", "-b", "main", str(upstream))
    (upstream / "f").write_text("one\n")
    _git("add", "f", cwd=str(upstream))
    _git("commit", "-qm", "one", cwd=str(upstream))
    commit = _git("rev-parse", "HEAD", cwd=str(upstream))
    kas = tmp_path / "kas"
    kas.mkdir()
    (kas / "t.yml").write_text("repos:\n  bitbake:\n    url: %s\n    commit: %s\n"
                               "  openembedded-core:\n    url: %s\n    commit: %s\n" % (upstream, commit, upstream, commit))
    (kas / "kit.yml").write_text("header:\n  version: 15\nrepos:\n  tool:\n    url: %s\n    tag: \"1.0\"\n"
                                 "    commit: %s\n    layers:\n      .: disabled\n" % (upstream, commit))
    monkeypatch.setattr(sources, "KAS_DIR", str(kas))
    monkeypatch.setenv("SSTATE_MGMT_SOURCES", str(tmp_path / "src"))
    return upstream, commit


def test_kit_sources_are_cloned_and_tagged_as_pinned(kit_upstream, tmp_path):
    upstream, commit = kit_upstream
    assert sources.check("t", kits=("kit",))[0] is False
    dest = sources.materialise("t", kits=("kit",))
    tool = os.path.join(dest, "tool")
    assert _git("rev-parse", "1.0^{commit}", cwd=tool) == commit
    assert sources.check("t", kits=("kit",)) == (True, dest)
    # Without kits, the release alone is materialised as before.
    assert sources.read_pins("t").keys() == {"bitbake", "openembedded-core"}


def test_kit_tag_elsewhere_is_refused(kit_upstream, tmp_path):
    upstream, commit = kit_upstream
    (upstream / "f").write_text("two\n")
    _git("commit", "-qam", "two", cwd=str(upstream))
    _git("tag", "1.0", cwd=str(upstream))
    with pytest.raises(sources.SourcesError, match="tag 1.0 does not point at the pinned commit"):
        sources.materialise("t", kits=("kit",))


def test_host_versions_read_dpkg_status(tmp_path):
    status = tmp_path / "status"
    status.write_text("Package: libc6\nStatus: install ok installed\nArchitecture: amd64\nVersion: 2.36-9\n"
                      "Description: x\n more\n\nPackage: libc6\nStatus: install ok installed\nArchitecture: i386\n"
                      "Version: 9\n\nPackage: gone\nStatus: deinstall ok config-files\nArchitecture: amd64\nVersion: 1\n")
    assert hostlibc.host_versions(["libc6", "gone"], str(status), "amd64") == "libc6=2.36-9 gone=missing"
