# SPDX-License-Identifier: MIT
"""Name parsing and classification (no I/O)."""

import pytest

from prune_testlib import H, object_name

from sstatemgmt.prune import names, parse_stamp
from sstatemgmt.prune.names import COMPANION, OBJECT, SELF, TEMPORARY, UNKNOWN, classify, native_dir

U = H("u")


@pytest.mark.parametrize("suffix,kind", [
    ("", OBJECT), (".siginfo", COMPANION), (".sig", COMPANION), (".done", COMPANION)])
@pytest.mark.parametrize("ext", [".tar.zst", ".tgz", ".tar.gz"])
def test_every_suffix(ext, suffix, kind):
    name = object_name("zlib", "populate_sysroot", U, ext=ext) + suffix
    p = classify(name, "debian-12")
    assert p.kind == kind
    assert p.suffix == suffix
    assert p.stem == name[: len(name) - len(suffix)] if suffix else p.stem == name
    i = p.info
    assert (i.native, i.pn, i.target, i.pv, i.pr, i.pkgarch, i.version, i.unihash, i.task, i.ext, i.legacy) == \
        ("debian-12", "zlib", "core2-64-poky-linux", "1.0", "r0", "core2-64", "14", U, "populate_sysroot", ext, False)


def test_swspec_name_has_empty_target_and_pkgarch():
    i = names.parse_name("sstate:zlib::1.3.1:r0::14:%s_populate_lic.tar.zst" % U)
    assert (i.pn, i.target, i.pv, i.pkgarch, i.task) == ("zlib", "", "1.3.1", "", "populate_lic")


def test_task_with_underscores_and_pv_with_dots_and_plus():
    i = names.parse_name(object_name("gcc-cross-x86_64", "package_write_rpm", U, pv="14.2.0+git", pr="r0.5"))
    assert (i.pn, i.task, i.pv, i.pr, i.unihash) == ("gcc-cross-x86_64", "package_write_rpm", "14.2.0+git", "r0.5", U)


def test_legacy_dash_name():
    name = "sstate-zlib-core2-64-poky-linux-1.2.8-r0-core2-64-2-0123456789abcdef0123456789abcdef_package.tgz"
    p = classify(name)
    assert p.kind == OBJECT
    assert p.info.legacy and p.info.unihash == "0123456789abcdef0123456789abcdef" and p.info.task == "package"
    assert classify(name + ".siginfo").kind == COMPANION


# Weakness 5a: OE-Core's script does `assert m` on every "sstate:" name its
# regex does not match, so one odd name aborts the whole run.
@pytest.mark.parametrize("name,reason", [
    ("sstate:broken:name_populate_sysroot.tar.zst", "found 3"),
    ("sstate:a:b:c:d:e:f:g:h:i_package.tar.zst", "found 10"),
    ("sstate:zlib:t:1:r0:a:14:" + "f" * 64 + ":extra_package.tar.zst", "found 9"),
    ("sstate:zlib:t:1:r0:a:14:nounderscore.tar.zst", "missing"),
    ("sstate::t:1:r0:a:14:%s_package.tar.zst" % U, "empty pn"),
    ("sstate:zlib:t:1:r0:a:14:%s_package.tar.bz2" % U, "unknown extension"),
    ("sstate-garbage.tgz", "legacy"),
    ("sstatefoo.tar.zst", "neither"),
    ("README", "not an sstate name"),
    ("index.html", "not an sstate name"),
])
def test_odd_names_are_unknown_with_a_reason(name, reason):
    p = classify(name)
    assert p.kind == UNKNOWN
    assert reason in p.reason


def test_a_spec_seen_before_parses_as_the_first_time():
    # The scan parses the spec of a .tar.zst name once and then looks it up:
    # the names that share it must still be checked in full.
    spec = "sstate:zstd:core2-64-poky-linux:1.5.6:r0:core2-64:14:"
    first = names.split_stem(spec + U + "_package.tar.zst", "debian-12")
    again = names.split_stem(spec + H("v") + "_package_qa.tar.zst", "debian-12")
    assert first[0] is again[0] and first[0].native == "debian-12" and first[0].pn == "zstd"
    assert again[1:] == (H("v"), "package_qa")
    elsewhere = names.split_stem(spec + U + "_package.tar.zst", "")
    assert elsewhere[0].native == "" and elsewhere[0] is not first[0]
    for odd, reason in ((spec + "nounderscore.tar.zst", "missing"), (spec + "_package.tar.zst", "missing"),
                        (spec + U + "_.tar.zst", "missing"), (spec + ".tar.zst", "missing")):
        assert names.split_stem(odd, "debian-12")[0] is None
        p = classify(odd, "debian-12")
        assert p.kind == UNKNOWN and reason in p.reason
    legacy = names.split_stem("sstate-zstd-x-1-r0-a-2-%s_package.tar.zst" % ("0" * 32), "debian-12")
    assert legacy[0].legacy and legacy[1:] == ("0" * 32, "package")


@pytest.mark.parametrize("name", [
    object_name("zlib", "package", U) + "q1w2e3r4",            # NamedTemporaryFile(prefix=<object>)
    object_name("zlib", "package", U) + ".lock",                # fetcher lock
    object_name("zlib", "package", U) + ".tmp",
    "sigtask.Xk3j2h1",                                         # bb.siggen dump_sigtask mkstemp
    "tmpa1b2c3d4",
])
def test_temporaries(name):
    assert classify(name).kind == TEMPORARY


def test_own_lock_file():
    assert classify(names.LOCK_NAME).kind == SELF


@pytest.mark.parametrize("reldir,native", [
    ("", ""), ("ab", ""), ("ab/cd", ""), ("debian-12/ab/cd", "debian-12"), ("universal/ab/cd", "universal"),
    ("universal", "universal"), ("universal/ab", "universal"), ("x/y/ab/cd", "x/y")])
def test_native_dir(reldir, native):
    assert native_dir(reldir) == native


@pytest.mark.parametrize("name,expected", [
    ("1.0.do_compile." + U, ("compile", U, "stamp")),
    ("1.0.do_populate_sysroot_setscene." + U, ("populate_sysroot", U, "setscene")),
    ("1.0.do_compile.sigdata." + U, ("compile", U, "sigdata")),
    ("1.0.do_compile.sigbasedata." + U, ("compile", U, "other")),
    ("1.0.do_compile.taint", ("compile", None, "other")),
    ("1.3.1+git.do_deploy.%s.qemux86_64" % U, ("deploy", U, "stamp")),       # stamp-extra-info
    ("gcc-source-14.2.0-r0.do_unpack." + U, ("unpack", U, "stamp")),           # work-shared
])
def test_parse_stamp(name, expected):
    assert parse_stamp(name) == expected


def test_parse_stamp_ignores_non_stamps():
    assert parse_stamp("manifest-x86_64-zlib.populate_sysroot") is None
