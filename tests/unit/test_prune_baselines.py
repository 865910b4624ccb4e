# SPDX-License-Identifier: MIT
"""CDEPENDS superset baselines (<dir>/<child PN>/<key>.report) are pruned with
their children: removed once the child has no object left, under the same
rules as the cache entries (dry run, confirmation, grace, lock, re-check)."""

import errno
import fcntl
import json
import os
import time

import pytest

from prune_testlib import DAY, Cache, H, run_prune, run_script, stamp

from sstatemgmt.prune import baselines as baselinesmod
from sstatemgmt.prune.engine import RecipePolicy

APP = "app-native"
OTHER = "other-native"


def baseline(root, child, key=None, age_days=1.0, text="report\n"):
    """Write a baseline the way compat.baseline.BaselineStore.save does; returns its path."""
    path = os.path.join(str(root), child, (key or H(child, "key")) + ".report")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)
    t = time.time() - age_days * DAY
    os.utime(path, (t, t))
    return path


@pytest.fixture
def superset(cache, tmp_path):
    """A cache with two superset children: APP's objects are stale (no stamp), OTHER's current;
    one baseline each in <cache>/cdepends-baseline; the stamps dir references OTHER only."""
    cache.app = cache.add(APP, unihash=H("app", 1), native="debian-12", target="x86_64-linux", pkgarch="x86_64")
    cache.other = cache.add(OTHER, unihash=H("other", 1), native="debian-12", target="x86_64-linux",
                            pkgarch="x86_64")
    cache.stamps = tmp_path / "stamps"
    stamp(cache.stamps, OTHER, "populate_sysroot", H("other", 1), sys_="x86_64-linux")
    cache.bdir = os.path.join(cache.root, "cdepends-baseline")
    cache.app_bl = baseline(cache.bdir, APP)
    cache.other_bl = baseline(cache.bdir, OTHER)
    return cache


def sweep(cache, **kw):
    return run_prune(cache, roots=[str(cache.stamps)], baseline_dir=cache.bdir, **kw)


def test_baseline_of_a_child_without_objects_goes_with_them(superset):
    s = sweep(superset)
    assert superset.files().isdisjoint(superset.app)
    assert not os.path.exists(superset.app_bl)
    assert not os.path.exists(os.path.dirname(superset.app_bl)), "the emptied child dir stays"
    assert os.path.exists(superset.other_bl), "a child with objects lost its baseline"
    b = s.baselines
    assert b["applied"] and b["removed"] == {"files": 1, "bytes": 7, "children": 1}
    assert b["kept"]["children_with_objects"] == 1
    assert "removed 1 files (7 B) of 1 children without objects, kept 1 (1 of children with objects)" in s.format_human()
    # Inside the cache, baselines are neither unknown entries nor counted as cache files.
    assert s.unknown_count == 0 and s.scan["unknown"] == {"files": 0, "bytes": 0}
    assert s.scan["files"] == 4 and s.kept["files"] == 2


def test_dry_run_shows_and_keeps_them(superset):
    before = superset.files()
    s = sweep(superset, dry_run=True)
    assert superset.files() == before
    assert s.baselines["removed"]["files"] == 1 and not s.baselines["applied"]
    assert "would remove 1 files (7 B)" in s.format_human()
    assert json.loads(s.to_json())["baselines"]["removed"]["children"] == 1


def test_the_grace_period_applies_to_each_baseline(superset):
    os.utime(superset.app_bl)                   # the compat task rewrote it just now
    s = sweep(superset, grace_minutes=60, now=time.time())
    assert os.path.exists(superset.app_bl)
    assert s.baselines["kept"]["grace"] == 1 and s.baselines["removed"]["files"] == 0


def test_child_with_objects_left_keeps_its_baselines(superset):
    # Only orphans are removed: APP keeps its object, so its baselines stay.
    s = run_prune(superset, orphans=True, baseline_dir=superset.bdir)
    assert os.path.exists(superset.app_bl) and os.path.exists(superset.other_bl)
    assert s.baselines["kept"]["children_with_objects"] == 2


def test_a_child_already_without_objects_loses_its_baselines_to_any_policy(superset):
    gone = baseline(superset.bdir, "removed-long-ago-native", key=H("x"))
    s = run_prune(superset, orphans=True, baseline_dir=superset.bdir)
    assert not os.path.exists(gone)
    assert s.baselines["removed"]["files"] == 1


def test_a_recipe_prune_only_considers_its_recipes(superset):
    stray = baseline(superset.bdir, "stray-native", key=H("s"))
    s = run_prune(superset, recipe=RecipePolicy(APP, frozenset([H("nothing current")]), same_slot=False),
                  baseline_dir=superset.bdir)
    assert superset.files().isdisjoint(superset.app)
    assert not os.path.exists(superset.app_bl)
    assert os.path.exists(stray), "a per-recipe prune removed another recipe's baseline"
    assert s.baselines["kept"]["not_pruned_recipes"] == 1


def test_rewritten_since_the_plan_is_kept(superset):
    def confirm(summary):
        assert summary.baselines["removed"]["files"] == 1     # the confirmation shows them
        t = time.time()
        os.utime(superset.app_bl, (t, t))      # a build rewrites it between plan and deletion
        return True
    s = sweep(superset, confirm=confirm)
    assert os.path.exists(superset.app_bl)
    assert s.baselines["kept"]["changed"] == 1 and s.baselines["removed"]["files"] == 0


def test_aborted_confirmation_removes_no_baseline(superset):
    s = sweep(superset, confirm=lambda summary: False)
    assert os.path.exists(superset.app_bl) and s.aborted


def test_removed_under_the_cache_lock(superset, monkeypatch):
    held = []
    real = baselinesmod.Baselines._remove

    def remove(self, todo, errors, kept):
        with open(os.path.join(superset.root, ".sstate-cache-management.lock")) as f:
            try:
                fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
                held.append(False)
            except BlockingIOError:
                held.append(True)
        return real(self, todo, errors, kept)
    monkeypatch.setattr(baselinesmod.Baselines, "_remove", remove)
    sweep(superset)
    assert held == [True]


def test_nothing_removed_when_the_scan_missed_part_of_the_cache(superset, monkeypatch):
    real = os.open
    unreadable = os.path.basename(os.path.dirname(os.path.dirname(superset.app[0])))

    def fake_open(path, flags, mode=0o777, *, dir_fd=None):
        if path == unreadable and dir_fd is not None:
            raise PermissionError(errno.EACCES, "Permission denied", path)
        return real(path, flags, mode, dir_fd=dir_fd)
    monkeypatch.setattr(os, "open", fake_open)
    s = run_prune(superset, orphans=True, baseline_dir=superset.bdir, processes=0)
    monkeypatch.undo()
    assert os.path.exists(superset.app_bl)
    assert "could not read the whole cache" in s.baselines["skipped"]
    assert "baselines:    none removed" in s.format_human()


def test_odd_entries_and_symlinks_are_left_alone(superset, tmp_path):
    outside = Cache(tmp_path / "outside")
    target = baseline(outside.root, APP, key=H("outside"))
    os.symlink(os.path.dirname(target), os.path.join(superset.bdir, "linked-native"))
    os.symlink(target, os.path.join(os.path.dirname(superset.app_bl), H("link") + ".report"))
    odd = [os.path.join(superset.bdir, APP, name) for name in ("notes.txt", ".tmp-abcdef", "README.report")]
    for p in odd:
        open(p, "w").close()
    hidden = baseline(superset.bdir, ".tmp-child", key=H("h"))
    s = sweep(superset)
    assert os.path.exists(target) and all(os.path.exists(p) for p in odd) and os.path.exists(hidden)
    assert not os.path.exists(superset.app_bl)
    # The odd files inside the cache stay unknown entries (the temporary one is temporary).
    unknown = {u["path"] for u in s.unknown}
    assert "cdepends-baseline/%s/notes.txt" % APP in unknown and "cdepends-baseline/linked-native" in unknown


def test_store_outside_the_cache(superset, tmp_path):
    outside = str(tmp_path / "baselines")
    gone = baseline(outside, APP)
    kept = baseline(outside, OTHER)
    r = run_script(["--cache-dir", superset.root, "--stamps-dir", str(superset.stamps), "--baseline-dir", outside,
                    "--grace", "0", "-y", "--json"])
    assert r.returncode == 0, r.stderr
    assert not os.path.exists(gone) and os.path.exists(kept)
    assert os.path.exists(superset.app_bl), "--baseline-dir replaces the store inside the cache"
    d = json.loads(r.stdout)
    assert d["baselines"]["dir"] == outside and d["baselines"]["removed"]["files"] == 1
    assert d["unknown_count"] == 2      # the store inside the cache is not the one pruned: unknown entries


def test_script_finds_the_store_inside_the_cache(superset):
    r = run_script(["--cache-dir", superset.root, "--stamps-dir", str(superset.stamps), "--grace", "0", "-n",
                    "-D"])
    assert r.returncode == 0, r.stderr
    assert superset.app_bl in r.stdout.splitlines(), r.stdout        # -D lists what would go
    assert "baselines:    would remove 1 files" in r.stdout
    assert os.path.exists(superset.app_bl)


def test_script_asks_before_removing_only_baselines(superset):
    gone = baseline(superset.bdir, "removed-long-ago-native", key=H("x"))
    r = run_script(["--cache-dir", superset.root, "--remove-orphans", "--grace", "0"])
    assert r.returncode == 3, r.stderr      # stdin is no terminal: nothing removed
    assert os.path.exists(gone)


def test_bad_baseline_dir_is_one_clear_error(superset, tmp_path):
    r = run_script(["--cache-dir", superset.root, "-d", "-n", "--baseline-dir", str(tmp_path / "typo")])
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "--baseline-dir %s is not a directory" % (tmp_path / "typo") in r.stderr
