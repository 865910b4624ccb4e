# SPDX-License-Identifier: MIT
"""Run OE-Core's real sstate-cache-management.py and ours on identical small
caches to demonstrate each weakness (numbers as in docs/pruning.md).

OE-Core's script is found through scripts/setup-sources (or
$SSTATE_MGMT_OE_SCRIPT); without the sources the integration tier, and this
module with it, is skipped with one loud line (tests/conftest.py).
"""

import os
import subprocess
import sys
import tempfile

import pytest

from prune_testlib import REPO, RM_WORK_TASKS, Cache, H, rm_work_stamps, run_script, stamp

sys.path.insert(0, os.path.join(REPO, "benchmarks"))
from oecore import find_oe_script  # noqa: E402

# OE-Core's script comes from the pinned sources, so these tests belong to the
# integration tier: tests/conftest.py materialises the sources after collection
# and, when it cannot, skips them with the tier's one loud line.
pytestmark = pytest.mark.integration
OE_SCRIPT = None
OE_HAS_DRY_RUN = None


@pytest.fixture(scope="module", autouse=True)
def oe_script(request):
    global OE_SCRIPT
    path, why = find_oe_script(request.config.getoption("--release"), materialise=True)
    if path is None:
        pytest.fail("OE-Core's sstate-cache-management.py is unavailable although the sources are: %s" % why,
                    pytrace=False)
    OE_SCRIPT = path
    global OE_HAS_DRY_RUN
    with open(path) as f:
        OE_HAS_DRY_RUN = "--dry-run" in f.read()
    return path


def oe(cache, *args, stdin=subprocess.DEVNULL):
    return run_script(["--cache-dir", cache.root] + list(args), script=OE_SCRIPT, stdin=stdin)


def oe_dry(cache, *args):
    """OE-Core's script without deleting: its -n where it has one; scarthgap's
    script has none, so there the confirmation prompt is answered "n"."""
    if OE_HAS_DRY_RUN:
        return oe(cache, *args, "-n")
    with tempfile.TemporaryFile("w+") as answer:
        answer.write("n\n")
        answer.seek(0)
        return oe(cache, *args, stdin=answer)


def ours(cache, *args):
    return run_script(["--cache-dir", cache.root, "--grace", "0"] + list(args))


@pytest.fixture
def pair(tmp_path):
    """Build the same cache twice: one for OE-Core's script, one for ours."""
    def build(fn):
        a, b = Cache(tmp_path / "oe"), Cache(tmp_path / "ours")
        return a, b, fn(a), fn(b)
    return build


def test_w2_duplicates_across_native_host_dirs(pair):
    def mk(c):
        return (c.add("quilt-native", native="debian-12", target="x86_64-linux", pkgarch="x86_64", age_days=3)
                + c.add("quilt-native", native="universal", target="x86_64-linux", pkgarch="x86_64", age_days=1))
    a, b, fa, fb = pair(mk)
    assert oe(a, "-d", "-y").returncode == 0
    assert a.files() != set(fa)                     # OE-Core deleted debian-12's current objects
    assert ours(b, "-d", "-y").returncode == 0
    assert b.files() == set(fb)


def test_w2_sig_files_leak(pair):
    def mk(c):
        return c.add("zlib", companions=(".siginfo", ".sig"), age_days=5), c.add("zlib", age_days=1)
    a, b, (olda, newa), (oldb, newb) = pair(mk)
    oe(a, "-d", "-y")
    assert a.files() == set(newa) | {olda[2]}      # the old .sig is left behind
    ours(b, "-d", "-y")
    assert b.files() == set(newb)


def test_w3_empty_stamps_dir_deletes_everything(pair, tmp_path):
    (tmp_path / "empty").mkdir()
    a, b, fa, fb = pair(lambda c: c.add("zlib") + c.add("bash"))
    oe(a, "--stamps-dir", str(tmp_path / "empty"), "-y")
    assert a.files() == set()
    assert ours(b, "--stamps-dir", str(tmp_path / "empty"), "-y").returncode == 3
    assert b.files() == set(fb)


def test_w3_work_shared_stamps_missed(pair, tmp_path):
    s = tmp_path / "stamps"
    stamp(s, "zlib", "populate_sysroot", H("z"), kind="setscene")
    stamp(s, "gcc-source", "unpack", H("g"), work_shared=True)
    stamp(s, "gcc-source", "unpack", H("g"), kind="sigdata", work_shared=True)

    def mk(c):
        return c.add("zlib", unihash=H("z")), c.add("gcc-source", task="unpack", unihash=H("g"), archive=False)
    a, b, (za, ga), (zb, gb) = pair(mk)
    oe(a, "--stamps-dir", str(s), "-y")
    assert set(ga).isdisjoint(a.files())           # work-shared entry deleted
    ours(b, "--stamps-dir", str(s), "-y")
    assert b.files() == set(zb + gb)


def test_w3_stale_sigdata_keeps_stale_objects(pair, tmp_path):
    s = tmp_path / "stamps"
    stamp(s, "zlib", "populate_sysroot", H("cur"))
    stamp(s, "zlib", "populate_sysroot", H("cur"), kind="sigdata")
    stamp(s, "zlib", "populate_sysroot", H("old"), kind="sigdata")

    def mk(c):
        return c.add("zlib", unihash=H("cur")), c.add("zlib", unihash=H("old"), age_days=20)
    a, b, (ca, oa), (cb, ob) = pair(mk)
    oe(a, "--stamps-dir", str(s), "-y")
    assert set(oa) <= a.files()                    # stale object kept forever
    ours(b, "--stamps-dir", str(s), "-y")
    assert b.files() == set(cb)


def test_w3_d_ignores_stamps(pair, tmp_path):
    s = tmp_path / "stamps"
    stamp(s, "zlib", "populate_sysroot", H("used"), kind="setscene")

    def mk(c):
        return c.add("zlib", unihash=H("used"), age_days=5), c.add("zlib", unihash=H("new"), age_days=1)
    a, b, (ua, na), (ub, nb) = pair(mk)
    oe(a, "-d", "--stamps-dir", str(s), "-y")
    assert set(ua).isdisjoint(a.files())           # the object a build uses is gone
    ours(b, "-d", "--stamps-dir", str(s), "-y")
    assert b.files() == set(ub + nb)


def test_w4_remove_orphans_deletes_siginfo_only(pair):
    def mk(c):
        return c.add("zlib"), c.add("zlib", task="compile", archive=False)
    a, b, (oa, sa), (ob, sb) = pair(mk)
    oe(a, "--remove-orphans", "-y")
    assert a.files() == set(oa)
    ours(b, "--remove-orphans", "-y")
    assert b.files() == set(ob + sb)


def test_w5_malformed_name_aborts(pair):
    def mk(c):
        c.write("ab/cd/sstate:broken:name_populate_sysroot.tar.zst")
        return c.add("zlib", age_days=5) + c.add("zlib", age_days=1)
    a, b, fa, fb = pair(mk)
    r = oe_dry(a, "-d")
    assert r.returncode != 0 and "AssertionError" in r.stderr
    r = ours(b, "-d", "-n")
    assert r.returncode == 0 and "2 out of 5 files will be removed!" in r.stdout


def test_w5_prompt_at_eof_crashes(pair):
    a, b, fa, fb = pair(lambda c: c.add("zlib", age_days=5) + c.add("zlib", age_days=1))
    r = oe(a, "-d")
    assert "EOFError" in r.stderr
    r = ours(b, "-d")
    assert r.returncode == 3 and "Traceback" not in r.stderr and b.files() == set(fb)


def test_w7_exit_code_zero_whatever_happened(pair, tmp_path):
    (tmp_path / "empty").mkdir()
    a, b, fa, fb = pair(lambda c: c.add("zlib"))
    r = oe_dry(a, "--stamps-dir", str(tmp_path / "empty"))
    assert r.returncode == 0 and a.files() == set(fa), r.stderr
    assert ours(b, "--stamps-dir", str(tmp_path / "empty"), "-n").returncode == 3


def test_rm_work_package_objects_kept_as_by_oecore_and_stale_ones_freed(pair, tmp_path):
    # rm_work deletes do_package's stamp and keeps its sigdata: OE-Core's
    # script (which reads sigdata and setscene stamps) keeps the current
    # do_package object, and so do we; the stale generation it keeps forever
    # because of its old sigdata, we free.
    s = tmp_path / "stamps"
    cur = {t: H("cur", t) for t in RM_WORK_TASKS}
    old = {t: H("old", t) for t in RM_WORK_TASKS}
    rm_work_stamps(s, cur, old)

    def mk(c):
        return (c.add("zlib", task="package", unihash=cur["package"]),
                c.add("zlib", task="package", unihash=old["package"], age_days=3))
    a, b, (ca, oa), (cb, ob) = pair(mk)
    oe(a, "--stamps-dir", str(s), "-y")
    assert set(ca + oa) <= a.files()
    assert ours(b, "--stamps-dir", str(s), "-y").returncode == 0
    assert b.files() == set(cb)
