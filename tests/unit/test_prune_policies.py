# SPDX-License-Identifier: MIT
"""Each policy and their combinations, through the engine API.

Every test asserts which files are left on disk.  Comments "Weakness N"
refer to the list in docs/pruning.md (from the design note): the test
fails against OE-Core's scripts/sstate-cache-management.py behaviour.
"""

import json
import os
import time

import pytest

from prune_testlib import H, stamp, run_prune as run

from sstatemgmt.prune import RecipePolicy, RefusedError, RootsError, UsageError, prune_recipe
from sstatemgmt.prune import engine as enginemod
from sstatemgmt.prune import scan as scanmod


# ---------------------------------------------------------------- duplicates

def test_duplicates_keep_newest_per_key(cache):
    old = cache.add("zlib", age_days=10)
    mid = cache.add("zlib", age_days=5)
    new = cache.add("zlib", age_days=1)
    other = cache.add("zlib", task="package", age_days=9)
    s = run(cache, duplicates=True)
    assert cache.files() == set(new + other)
    assert s.removed["files"] == len(old + mid) and s.by_policy["duplicates"]["files"] == 4


def test_duplicates_keep_n(cache):
    gens = [cache.add("zlib", age_days=d) for d in (10, 5, 3, 1)]
    run(cache, duplicates=True, keep=2)
    assert cache.files() == set(gens[2] + gens[3])


def test_duplicates_key_includes_native_host_dir(cache):
    # Weakness 2: OE-Core keys on (pn, pkgarch, task, ext) and so deletes the
    # debian-12 host's current native objects to keep universal's ones.
    deb = cache.add("quilt-native", native="debian-12", target="x86_64-linux", pkgarch="x86_64", age_days=3)
    uni = cache.add("quilt-native", native="universal", target="x86_64-linux", pkgarch="x86_64", age_days=1)
    run(cache, duplicates=True)
    assert cache.files() == set(deb + uni)


def test_duplicates_key_includes_target_triplet(cache):
    # Weakness 2: same pn and pkgarch, different target triplets (e.g. a
    # multilib or a second distro) are different objects.
    a = cache.add("gcc-cross", target="x86_64-poky-linux", pkgarch="x86_64", age_days=3)
    b = cache.add("gcc-cross", target="x86_64-pokymusl-linux-musl", pkgarch="x86_64", age_days=1)
    run(cache, duplicates=True)
    assert cache.files() == set(a + b)


def test_duplicates_key_includes_sstate_version(cache):
    a = cache.add("zlib", version="12", age_days=3)
    b = cache.add("zlib", version="14", age_days=1)
    run(cache, duplicates=True)
    assert cache.files() == set(a + b)


def test_duplicates_delete_sig_companions_with_their_archive(cache):
    # Weakness 2: OE-Core never matches ".sig" files, so they leak forever.
    old = cache.add("zlib", companions=(".siginfo", ".sig"), age_days=5)
    new = cache.add("zlib", companions=(".siginfo", ".sig"), age_days=1)
    run(cache, duplicates=True)
    assert cache.files() == set(new)
    assert not any(f.endswith(".sig") for f in old if f in cache.files())


def test_duplicates_treat_archive_and_companions_as_one_unit(cache):
    # Weakness 2: OE-Core dedups .siginfo files separately from archives, so
    # it can keep gen A's archive and gen B's siginfo.  Here A's archive is
    # newer but B's siginfo is newer: each survivor must keep its companion.
    a = cache.add("zlib", unihash=H("a"), age_days=1)
    b = cache.add("zlib", unihash=H("b"), age_days=5)
    t = time.time() - 0.5 * 86400
    os.utime(cache.path(b[1]), (t, t))            # b's siginfo is the newest file
    run(cache, duplicates=True)
    left = cache.files()
    assert left == set(b)                         # b was used last (its newest member)
    archives = [f for f in left if f.endswith(".tar.zst")]
    assert len(archives) == 1 and archives[0] + ".siginfo" in left


def test_duplicates_skip_populate_lic_and_swspec(cache):
    a = cache.add("zlib", task="populate_lic", target="", pkgarch="", age_days=5)
    b = cache.add("zlib", task="populate_lic", target="", pkgarch="", age_days=1)
    run(cache, duplicates=True)
    assert cache.files() == set(a + b)


def test_duplicates_leave_siginfo_only_unless_asked(cache):
    s1 = cache.add("zlib", task="compile", archive=False, age_days=5)
    s2 = cache.add("zlib", task="compile", archive=False, age_days=1)
    run(cache, duplicates=True)
    assert cache.files() == set(s1 + s2)
    run(cache, duplicates=True, siginfo_only=True)
    assert cache.files() == set(s2)


# ---------------------------------------------------------------- roots

@pytest.fixture
def stamps(tmp_path):
    d = tmp_path / "build" / "tmp" / "stamps"
    d.mkdir(parents=True)
    return d


def test_roots_keep_plain_and_setscene_stamped_hashes(cache, stamps):
    built = cache.add("zlib", unihash=H("built"))
    restored = cache.add("bash", unihash=H("restored"))
    compiled = cache.add("zlib", task="compile", unihash=H("cc"), archive=False)
    stale = cache.add("zlib", unihash=H("stale"), age_days=9)
    stamp(stamps, "zlib", "populate_sysroot", H("built"))
    stamp(stamps, "bash", "populate_sysroot", H("restored"), kind="setscene")
    stamp(stamps, "zlib", "compile", H("cc"))
    s = run(cache, roots=[str(stamps)])
    assert cache.files() == set(built + restored + compiled)
    assert s.by_policy["unreferenced"]["files"] == len(stale)


def test_roots_see_work_shared_stamps(cache, stamps):
    # Weakness 3: OE-Core globs */*/*.do_* and misses work-shared stamps,
    # which sit one level shallower.
    stamp(stamps, "zlib", "populate_sysroot", H("z"))
    cache.add("zlib", unihash=H("z"))
    ws = cache.add("gcc-source", task="unpack", unihash=H("gcc"), archive=False, target="", pkgarch="")
    stamp(stamps, "gcc-source", "unpack", H("gcc"), work_shared=True)
    run(cache, roots=[str(stamps)])
    assert set(ws) <= cache.files()


def test_roots_ignore_stale_sigdata_by_default(cache, stamps):
    # Weakness 3: OE-Core keeps every hash named by a .sigdata file, and old
    # sigdata files stay after a rebuild, so stale objects are never freed.
    cur = cache.add("zlib", unihash=H("cur"))
    old = cache.add("zlib", unihash=H("old"), age_days=20)
    stamp(stamps, "zlib", "populate_sysroot", H("cur"))
    stamp(stamps, "zlib", "populate_sysroot", H("cur"), kind="sigdata")
    stamp(stamps, "zlib", "populate_sysroot", H("old"), kind="sigdata")
    run(cache, roots=[str(stamps)], dry_run=True)
    run(cache, roots=[str(stamps)])
    assert cache.files() == set(cur)
    # ... and with use_sigdata the stale hash is a root again
    old2 = cache.add("zlib", unihash=H("old"), age_days=20)
    run(cache, roots=[str(stamps)], use_sigdata=True)
    assert cache.files() == set(cur + old2)


def test_empty_stamps_dir_is_refused(cache, stamps):
    # Weakness 3: OE-Core deletes everything when the stamps dir is empty or wrong.
    files = cache.add("zlib") + cache.add("bash")
    with pytest.raises(RootsError, match="holds no task stamps"):
        run(cache, roots=[str(stamps)])
    assert cache.files() == set(files)
    s = run(cache, roots=[str(stamps)], force=True)
    assert cache.files() == set() and s.removed["files"] == len(files)


def test_missing_stamps_dir_is_refused(cache, tmp_path):
    files = cache.add("zlib")
    with pytest.raises(RootsError, match="does not exist"):
        run(cache, roots=[str(tmp_path / "nope")])
    assert cache.files() == set(files)


def test_roots_that_match_nothing_are_refused(cache, stamps):
    files = cache.add("zlib")
    stamp(stamps, "other", "compile", H("unrelated"))
    with pytest.raises(RefusedError, match="references none"):
        run(cache, roots=[str(stamps)])
    assert cache.files() == set(files)


def test_build_dir_and_tmpdir_roots(cache, stamps):
    keep = cache.add("zlib", unihash=H("k"))
    cache.add("zlib", unihash=H("gone"), age_days=4)
    stamp(stamps, "zlib", "populate_sysroot", H("k"))
    build = stamps.parent.parent
    run(cache, roots=[str(build)], dry_run=True)
    s = run(cache, roots=[str(stamps.parent)], dry_run=True)      # TMPDIR
    assert s.removed["files"] == 2
    run(cache, roots=[str(build)])                                 # build dir: tmp*/stamps
    assert cache.files() == set(keep)


def test_several_roots_union(cache, tmp_path):
    a, b = tmp_path / "a" / "stamps", tmp_path / "b" / "stamps"
    stamp(a, "zlib", "populate_sysroot", H("a"))
    stamp(b, "zlib", "populate_sysroot", H("b"))
    ka = cache.add("zlib", unihash=H("a"))
    kb = cache.add("zlib", unihash=H("b"))
    cache.add("zlib", unihash=H("c"))
    run(cache, roots=[str(a), str(b)])
    assert cache.files() == set(ka + kb)


def test_duplicates_honour_stamps(cache, stamps):
    # Weakness 3: with -d, OE-Core silently ignores --stamps-dir and deletes
    # the older object a second build dir still uses.
    used = cache.add("zlib", unihash=H("used-by-b"), age_days=10)
    newest = cache.add("zlib", unihash=H("newest"), age_days=1)
    middle = cache.add("zlib", unihash=H("middle"), age_days=5)
    stamp(stamps, "zlib", "populate_sysroot", H("used-by-b"), kind="setscene")
    s = run(cache, duplicates=True, roots=[str(stamps)])
    assert cache.files() == set(used + newest)
    assert s.protected["roots"]["files"] == len(used)
    assert not set(middle) & cache.files()


def test_explicit_keep_hashes(cache):
    keep = cache.add("zlib", unihash=H("keep"), age_days=50)
    cache.add("zlib", unihash=H("old"), age_days=40)
    run(cache, older_than_days=30, keep_hashes=[H("keep")])
    assert cache.files() == set(keep)
    # keep hashes alone sweep only when asked
    extra = cache.add("bash", unihash=H("b"))
    run(cache, keep_hashes=[H("keep")], remove_unreferenced=True)
    assert cache.files() == set(keep)
    assert not set(extra) & cache.files()


# ---------------------------------------------------------------- orphans

def test_orphans_remove_companions_without_archive_but_keep_siginfo_only(cache):
    # Weakness 4: OE-Core's --remove-orphans deletes every siginfo-only entry
    # (do_compile, do_fetch...), which bitbake-diffsigs needs.
    obj = cache.add("zlib")
    orphan_siginfo = cache.add("zlib", task="package", archive=False)
    orphan_sig = cache.add("bash", companions=(".sig", ".siginfo"), archive=False)
    siginfo_only = cache.add("zlib", task="compile", archive=False)
    custom = cache.add("zlib", task="my_custom_task", archive=False)
    s = run(cache, orphans=True)
    assert cache.files() == set(obj + siginfo_only + custom)
    assert s.by_policy["orphans"]["files"] == len(orphan_siginfo + orphan_sig)
    run(cache, orphans=True, siginfo_only=True)
    assert cache.files() == set(obj)


def test_lone_siginfo_of_a_task_that_has_archives_elsewhere_is_an_orphan(cache):
    cache.add("foo", task="my_sstate_task")                        # proves the task makes archives
    lone = cache.add("bar", task="my_sstate_task", archive=False)
    run(cache, orphans=True)
    assert not set(lone) & cache.files()


# ---------------------------------------------------------------- age / size

def test_age_removes_units_unused_for_n_days(cache):
    # Weakness 1: OE-Core has no age policy.
    old = cache.add("zlib", age_days=40)
    young = cache.add("bash", age_days=10)
    oldsig = cache.add("zlib", task="compile", archive=False, age_days=40)
    s = run(cache, older_than_days=30)
    assert cache.files() == set(young)
    assert s.by_policy["age"]["files"] == len(old + oldsig)


def test_age_uses_newest_member_mtime(cache):
    u = cache.add("zlib", age_days=40)
    os.utime(cache.path(u[1]), None)              # siginfo touched now: unit used now
    run(cache, older_than_days=30)
    assert cache.files() == set(u)


def test_size_budget_removes_least_recently_used_first(cache):
    # Weakness 1: OE-Core has no size or LRU policy.
    a = cache.add("a", age_days=30, size=1000)
    b = cache.add("b", age_days=20, size=1000)
    c = cache.add("c", age_days=10, size=1000)
    d = cache.add("d", age_days=1, size=1000)
    total = cache.bytes()
    s = run(cache, max_size=total - 1500)
    assert cache.files() == set(c + d)
    assert cache.bytes() <= total - 1500
    assert s.size_budget["reached"] and s.by_policy["size"]["files"] == 4


def test_size_budget_counts_unknown_files_but_never_deletes_them(cache):
    cache.write("README", size=5000)
    a = cache.add("a", age_days=30, size=1000)
    s = run(cache, max_size=4000)
    assert cache.files() == {"README"}
    assert not s.size_budget["reached"]
    assert set(a).isdisjoint(cache.files())


def test_roots_win_over_size_budget(cache, stamps):
    pinned = cache.add("a", unihash=H("pinned"), age_days=30, size=5000)
    other = cache.add("b", age_days=1, size=1000)
    stamp(stamps, "a", "populate_sysroot", H("pinned"))
    s = run(cache, max_size=100, roots=[str(stamps)])
    assert cache.files() == set(pinned)
    assert not s.size_budget["reached"]
    assert set(other).isdisjoint(cache.files())


def test_policies_combine_as_union_and_roots_win(cache, stamps):
    dup_old = cache.add("zlib", age_days=5)
    dup_new = cache.add("zlib", age_days=1)
    aged = cache.add("bash", age_days=60)
    aged_pinned = cache.add("perl", unihash=H("perl"), age_days=60)
    orphan = cache.add("xz", task="package", archive=False, age_days=2)
    stamp(stamps, "perl", "populate_sysroot", H("perl"))
    s = run(cache, duplicates=True, older_than_days=30, orphans=True, roots=[str(stamps)])
    assert cache.files() == set(dup_new + aged_pinned)
    assert {k: v["files"] for k, v in s.by_policy.items()} == \
        {"duplicates": len(dup_old), "orphans": len(orphan), "age": len(aged)}
    assert s.removed["files"] == sum(v["files"] for v in s.by_policy.values())


def test_grace_period_wins(cache):
    fresh = cache.add("zlib", age_days=0.01)            # 15 minutes ago
    cache.add("zlib", age_days=50)
    s = run(cache, older_than_days=0, grace_minutes=60)
    assert cache.files() == set(fresh)
    assert s.protected["grace"]["files"] == len(fresh)


def test_no_policy_is_a_usage_error(cache):
    with pytest.raises(UsageError, match="no pruning policy"):
        run(cache)


# ---------------------------------------------------------------- per recipe

def test_recipe_policy_removes_only_that_recipes_stale_units(cache):
    cur = cache.add("zlib", unihash=H("zcur"), age_days=3)
    cur_cc = cache.add("zlib", task="compile", unihash=H("zcc"), archive=False)
    stale = cache.add("zlib", unihash=H("zold"), age_days=1)
    stale_cc = cache.add("zlib", task="compile", unihash=H("zoldcc"), archive=False)
    other = cache.add("zlib-native", unihash=H("n"), native="universal")
    bash = cache.add("bash", unihash=H("b"))
    s = prune_recipe(cache.root, "zlib", [H("zcur"), H("zcc")], dry_run=False, grace_minutes=0)
    assert cache.files() == set(cur + cur_cc + other + bash)
    assert s.by_policy["recipe"]["files"] == len(stale + stale_cc)
    assert s.top_recipes[0]["pn"] == "zlib"


def test_recipe_policy_task_and_arch_filters(cache):
    keep_pkg = cache.add("zlib", task="package", unihash=H("p"))
    gone = cache.add("zlib", task="populate_sysroot", unihash=H("s1"), pkgarch="core2-64")
    other_arch = cache.add("zlib", task="populate_sysroot", unihash=H("s2"), pkgarch="cortexa57")
    run(cache, recipe=RecipePolicy("zlib", frozenset(), tasks=frozenset({"do_populate_sysroot"}),
                                   pkgarchs=frozenset({"core2-64"}), same_slot=False))
    assert cache.files() == set(keep_pkg + other_arch)
    assert set(gone).isdisjoint(cache.files())


def test_recipe_policy_keeps_what_roots_reference(cache, stamps):
    pinned = cache.add("zlib", unihash=H("other-build"))
    cache.add("zlib", unihash=H("stale"))
    stamp(stamps, "zlib", "populate_sysroot", H("other-build"))
    run(cache, recipe=RecipePolicy("zlib", frozenset([H("current")])), roots=[str(stamps)])
    assert cache.files() == set(pinned)


# ---------------------------------------------------------------- what is never touched

def test_unknown_and_temporary_entries_are_never_touched(cache):
    junk = {cache.write("README"), cache.write("ab/cd/sstate:broken_populate_sysroot.tar.zst", age_days=99),
            cache.write("ab/cd/sigtask.abc123", age_days=99),
            cache.write("ab/cd/" + "sstate:z:t:1:r0:a:14:%s_package.tar.zstq1w2e3r4" % H(1), age_days=99),
            cache.write("ab/cd/tmpa1b2c3/sstate:z:t:1:r0:a:14:%s_package.tar.zst" % H(2), age_days=99),
            cache.write("ab/cd/tmpa1b2c3/sstate:z:t:1:r0:a:14:%s_package.tar.zst.sig" % H(2), age_days=99)}
    s = run(cache, duplicates=True, orphans=True, siginfo_only=True, older_than_days=0, max_size=0,
            keep_hashes=["0" * 64], remove_unreferenced=True, force=True)
    assert cache.files() == junk
    assert s.unknown_count == 2
    assert s.scan["temporary"] == {"files": 2, "bytes": 200, "dirs": 1}


def test_summary_json_and_byte_totals(cache):
    # Weakness 7: OE-Core reports no bytes, no per-policy breakdown, no JSON.
    cache.add("zlib", age_days=40, size=1000)
    keep = cache.add("zlib", age_days=1, size=3000)
    s = run(cache, duplicates=True, older_than_days=30)
    d = json.loads(s.to_json())
    assert d["schema"] == "sstate-prune-summary/1"
    assert d["removed"] == {"files": 2, "bytes": 1010}
    assert d["kept"] == {"files": 2, "bytes": 3010}
    assert d["by_policy"]["duplicates"] == {"files": 2, "bytes": 1010, "units": 1}
    assert d["top_recipes"] == [{"pn": "zlib", "files": 2, "bytes": 1010}]
    assert s.kept_unihashes == {keep[0].rsplit(":", 1)[1].split("_")[0]}


def test_dry_run_deletes_nothing_and_reports_the_same_plan(cache):
    files = cache.add("zlib", age_days=5) + cache.add("zlib", age_days=1)
    dry = run(cache, duplicates=True, dry_run=True, list_paths=True)
    assert cache.files() == set(files)
    assert sorted(dry.removed_paths) == sorted(files[:2])
    real = run(cache, duplicates=True)
    assert real.removed == dry.removed


def _mixed_cache(cache):
    for i in range(40):
        cache.add("r%d" % (i % 7), age_days=i + 1, native="universal" if i % 3 else "",
                  companions=(".siginfo", ".sig") if i % 4 == 0 else (".siginfo",))
    for i in range(6):
        cache.add("o%d" % i, archive=False, age_days=20, companions=(".siginfo", ".sig"))  # orphans
        cache.add("o%d" % i, task="compile", archive=False, age_days=20)                  # siginfo-only


def _plan(s):
    return sorted(s.removed_paths), s.removed, s.by_policy, s.kept, s.top_recipes


@pytest.mark.parametrize("processes", [2, 3])
def test_process_scan_and_measure_give_the_same_result(cache, monkeypatch, processes):
    """Workers walk and lstat shares of the cache; the plan must not change.
    FORK_MEASURE_MIN is lowered so that the lstat calls are shared too."""
    _mixed_cache(cache)
    monkeypatch.setattr(scanmod, "FORK_MEASURE_MIN", 1)
    for policy in (dict(duplicates=True), dict(orphans=True, siginfo_only=True), dict(older_than_days=10)):
        a = run(cache, dry_run=True, processes=0, list_paths=True, **policy)
        b = run(cache, dry_run=True, processes=processes, list_paths=True, **policy)
        assert a.removed["files"] > 0, policy
        assert _plan(a) == _plan(b), policy
        assert b.timings["scan_workers"] == "%d processes" % processes


def test_shared_measure_matches_serial_and_skips_vanished_members(cache, monkeypatch):
    for i in range(30):
        cache.add("r%d" % (i % 5), age_days=i + 1, companions=(".siginfo", ".sig"))
    root = str(cache.root)
    serial = sorted(scanmod.scan(root, processes=0).units, key=lambda u: u.stem)
    shared = sorted(scanmod.scan(root, processes=0).units, key=lambda u: u.stem)
    # files vanish between the scan and the measurement (another cleaner)
    os.unlink(cache.path(serial[2].relpath(".sig")))            # one member
    for suffix in serial[5].suffixes:                            # a whole unit
        os.unlink(cache.path(serial[5].relpath(suffix)))
    monkeypatch.setattr(scanmod, "FORK_MEASURE_MIN", 1)
    assert scanmod.measure(root, serial, [], processes=0) == scanmod.measure(root, shared, [], processes=3)
    assert [(u.stem, u.members, u.mtime, u.size) for u in serial] == \
        [(u.stem, u.members, u.mtime, u.size) for u in shared]
    assert [m[0] for m in shared[2].members] == ["", ".siginfo"]
    assert shared[5].members == []


@pytest.mark.parametrize("processes", [0, 2])
def test_duplicates_alone_count_lone_siginfo_without_making_units(cache, monkeypatch, processes):
    """-d alone never selects an archive name found only as a .siginfo (half
    the names of a real cache): the scan counts them by task instead of
    building units, and the summary and the plan are those of a scan that
    builds them; a policy that can select them gets them as units."""
    _mixed_cache(cache)
    cache.add("foo", task="my_sstate_task")
    orphan = cache.add("bar", task="my_sstate_task", archive=False)     # its task has archives
    monkeypatch.setattr(scanmod, "FORK_MEASURE_MIN", 1)
    scans = []
    real = enginemod.scan_cache
    monkeypatch.setattr(enginemod, "scan_cache", lambda *a, **k: scans.append(real(*a, **k)) or scans[-1])
    lean = run(cache, duplicates=True, dry_run=True, processes=processes, list_paths=True)
    with monkeypatch.context() as m:
        m.setattr(enginemod.Options, "lone_siginfo_units", lambda self: True)
        full = run(cache, duplicates=True, dry_run=True, processes=processes, list_paths=True)
    assert lean.removed["files"] > 0
    assert _plan(lean) == _plan(full)
    assert {k: v for k, v in lean.scan.items() if k != "seconds"} == \
        {k: v for k, v in full.scan.items() if k != "seconds"}
    assert lean.scan["siginfo_only"]["units"] == 6 and lean.scan["orphans"]["units"] == 7
    assert scans[0].lone_siginfo == {"compile": 6, "my_sstate_task": 1}
    assert not [u for u in scans[0].units if u.flags == scanmod.SIGINFO]
    assert len(scans[1].units) == len(scans[0].units) + 7
    run(cache, duplicates=True, orphans=True, processes=processes)
    assert not set(orphan) & cache.files()
    assert scans[2].lone_siginfo is None


@pytest.mark.parametrize("failure", ["no-pool", "no-process", "worker-dies", "worker-fails"])
def test_work_of_a_failed_worker_is_done_by_the_parent(cache, monkeypatch, failure):
    """No pool (no fork here), a worker that cannot be started (EAGAIN), dies
    or raises must not lose or change anything: the parent walks or
    measures that share itself."""
    _mixed_cache(cache)
    a = run(cache, duplicates=True, dry_run=True, processes=0, list_paths=True)
    monkeypatch.setattr(scanmod, "FORK_MEASURE_MIN", 1)
    if failure == "no-pool":
        monkeypatch.setattr(scanmod, "_pool", lambda *args: None)
    elif failure == "no-process":
        def eagain(*args, **kwargs):
            raise BlockingIOError(11, "Resource temporarily unavailable")
        monkeypatch.setattr(os, "fork", eagain)
    else:
        parent = os.getpid()

        def dies(real):
            def fn(*args, **kwargs):
                if os.getpid() != parent:
                    if failure == "worker-dies":
                        os._exit(1)
                    raise OSError(5, "Input/output error")
                return real(*args, **kwargs)
            return fn
        monkeypatch.setattr(scanmod, "_walk", dies(scanmod._walk))            # a worker's walk
        monkeypatch.setattr(os, "fchdir", dies(os.fchdir))                   # a worker's measuring
    b = run(cache, duplicates=True, dry_run=True, processes=2, list_paths=True)
    assert _plan(a) == _plan(b)


def test_deal_gives_each_share_its_weight_and_every_task_once():
    tasks = list(range(210))
    shares = scanmod._deal(tasks, [1.1, 1.0])
    assert sorted(shares[0] + shares[1]) == tasks
    assert (len(shares[0]), len(shares[1])) == (110, 100)
    assert scanmod._deal(list(range(7)), [1.0, 1.0, 1.0]) == [[0, 3, 6], [1, 4], [2, 5]]   # round-robin
    assert scanmod._split(list(range(2)), 3) == [[0], [1]]                                # no empty share


def test_measure_after_the_cache_vanished(tmp_path, cache):
    cache.add("zlib", age_days=3)
    units = scanmod.scan(str(cache.root), processes=0).units
    assert units
    assert scanmod.measure(str(tmp_path / "gone"), units, []) == 0
    assert all(u.members == [] and u.size == 0 for u in units)


def test_recipe_policy_only_touches_slots_of_the_current_configuration(cache):
    """Stale = same (host dir, target, pkgarch, task) as a current unit, other hash.
    Another host's native objects and another MACHINE's objects are not stale for us."""
    cur = cache.add("m4-native", unihash=H("cur"), native="debian-12", target="x86_64-linux", pkgarch="x86_64")
    stale = cache.add("m4-native", unihash=H("old"), native="debian-12", target="x86_64-linux", pkgarch="x86_64")
    other_host = cache.add("m4-native", unihash=H("u22"), native="ubuntu-22.04", target="x86_64-linux",
                           pkgarch="x86_64")
    other_task = cache.add("m4-native", task="populate_lic", unihash=H("lic"), native="debian-12",
                           target="x86_64-linux", pkgarch="x86_64")
    run(cache, recipe=RecipePolicy("m4-native", frozenset([H("cur")])))
    assert cache.files() == set(cur + other_host + other_task)
    assert set(stale).isdisjoint(cache.files())


def test_recipe_policy_keep_stale_and_age(cache):
    cur = cache.add("zlib", unihash=H("cur"), age_days=0.5)
    newest_stale = cache.add("zlib", unihash=H("s1"), age_days=2)
    young_stale = cache.add("zlib", unihash=H("s2"), age_days=5)
    old_stale = cache.add("zlib", unihash=H("s3"), age_days=40)
    run(cache, recipe=RecipePolicy("zlib", frozenset([H("cur")]), keep_stale=1, older_than_days=10))
    assert cache.files() == set(cur + newest_stale + young_stale)
    assert set(old_stale).isdisjoint(cache.files())


def test_several_recipes_in_one_pass(cache):
    keep = [cache.add(pn, unihash=H(pn + "cur")) for pn in ("zlib", "bash", "m4")]
    gone = [cache.add(pn, unihash=H(pn + "old")) for pn in ("zlib", "bash")]
    untouched = cache.add("m4", unihash=H("m4old"))
    run(cache, recipe=[RecipePolicy("zlib", frozenset([H("zlibcur")])),
                       RecipePolicy("bash", frozenset([H("bashcur")]))])
    assert cache.files() == set(sum(keep, []) + untouched)
    assert set(sum(gone, [])).isdisjoint(cache.files())


def test_protect_only_roots_that_match_nothing_are_refused_then_flagged(cache, stamps):
    # Roots that only protect (-d, --max-size...) and match nothing are a
    # wrong stamps dir or cache as much as for the sweep: refused, as the
    # docs say, and flagged when forced.
    old = cache.add("zlib", age_days=5)
    keep = cache.add("zlib", age_days=1)
    stamp(stamps, "other", "compile", H("unrelated"))
    for policy in ({"duplicates": True}, {"max_size": 0}, {"older_than_days": 0},
                   {"recipe": RecipePolicy("zlib", same_slot=False)}):
        with pytest.raises(RefusedError, match="references none"):
            run(cache, roots=[str(stamps)], **policy)
        assert cache.files() == set(old + keep)
    s = run(cache, duplicates=True, roots=[str(stamps)], force=True)
    assert cache.files() == set(keep)
    assert s.roots["matched_units"] == 0
    assert "roots reference none" in s.format_human()
