# SPDX-License-Identifier: MIT
"""Lazy measurement: the scan reads directories only and lstats what a policy needs.

Modes that decide by name (--remove-orphans, --stamps-dir) measure only the
units they select; -d measures the units of duplicate groups; age and size
policies and --stat-all measure everything.  Whatever is measured, the grace
period and the re-check before deleting still cover every file that would be
deleted, and totals that were not measured say so instead of reading 0.
"""

import json
import os
import time


from prune_testlib import DAY, H, run_script, stamp, run_prune as run

from sstatemgmt.prune import prune


def size_of(cache, files):
    return sum(os.lstat(cache.path(f)).st_size for f in files)


def orphan(cache, pn, age_days=5, companions=(".siginfo", ".sig")):
    return cache.add(pn, archive=False, companions=companions, age_days=age_days)


# ---------------------------------------------------------------- what is measured

def test_orphans_measure_only_the_selected_units(cache):
    gone = orphan(cache, "zlib")
    kept = cache.add("zlib", unihash=H("keep"), size=5000) + cache.add("bash", size=7000)
    s = run(cache, orphans=True)
    assert cache.files() == set(kept)
    assert s.timings["lstat_calls"] == len(gone)        # the kept units were never stat'ed
    assert s.removed == {"files": 2, "bytes": 10 + 10}  # removed bytes are measured
    assert s.bytes_measured is False
    assert s.kept == {"files": len(kept), "bytes": None}
    assert s.scan["bytes"] is None and s.scan["objects"]["bytes"] is None
    assert s.scan["files"] == len(gone) + len(kept)


def test_duplicates_measure_only_groups_larger_than_keep(cache):
    old = cache.add("zlib", age_days=5)
    new = cache.add("zlib", age_days=1)
    alone = cache.add("bash", age_days=9) + cache.add("gzip", age_days=3)
    s = run(cache, duplicates=True)
    assert cache.files() == set(new + alone)
    assert s.timings["lstat_calls"] == len(old) + len(new)
    assert s.removed["bytes"] == size_of_written(old)


def size_of_written(files):
    # Cache.add writes the archive with 100 bytes and companions with 10
    return sum(10 if f.endswith((".siginfo", ".sig", ".done")) else 100 for f in files)


def test_age_and_size_policies_measure_everything(cache):
    files = cache.add("zlib", age_days=40) + cache.add("bash", age_days=1)
    s = run(cache, older_than_days=30)
    assert s.bytes_measured is True
    assert s.kept == {"files": 2, "bytes": 110}
    assert s.scan["bytes"] == size_of_written(files)
    s = run(cache, max_size=1 << 30)
    assert s.bytes_measured is True and s.kept["bytes"] == 110


def test_stat_all_reports_kept_bytes(cache):
    gone = orphan(cache, "zlib")
    kept = cache.add("bash", size=7000)
    s = run(cache, orphans=True, stat_all=True)
    assert cache.files() == set(kept)
    assert s.bytes_measured is True
    assert s.kept == {"files": 2, "bytes": 7010}
    assert s.scan["bytes"] == 7010 + size_of_written(gone)
    assert s.removed == {"files": 2, "bytes": 20}


def test_unmeasured_totals_say_so_in_text_and_json(cache):
    orphan(cache, "zlib")
    cache.add("bash")
    s = run(cache, orphans=True, dry_run=True)
    text = s.format_human()
    assert "size not measured" in text and "kept 2 files (0 B)" not in text
    d = json.loads(s.to_json())
    assert d["bytes_measured"] is False
    assert d["kept"]["bytes"] is None and d["scan"]["bytes"] is None
    assert d["removed"] == {"files": 2, "bytes": 20}


def test_cli_json_measures_everything_and_text_says_not_measured(cache):
    orphan(cache, "zlib")
    cache.add("bash", size=7000)
    r = run_script(["--cache-dir", cache.root, "--remove-orphans", "-n", "--grace", "0", "--json"])
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    assert d["bytes_measured"] is True and d["kept"] == {"files": 2, "bytes": 7010}
    r = run_script(["--cache-dir", cache.root, "--remove-orphans", "-n", "--grace", "0"])
    assert r.returncode == 0, r.stderr
    assert "kept 2 files (size not measured: --stat-all)" in r.stdout
    r = run_script(["--cache-dir", cache.root, "--remove-orphans", "-n", "--grace", "0", "--stat-all"])
    assert "kept 2 files (6.8 KiB)" in r.stdout


# ---------------------------------------------------------------- safety still covers every file

def test_grace_protects_fresh_orphans_without_stat_all(cache):
    fresh = orphan(cache, "zlib", age_days=1 / 1440.0)
    old = orphan(cache, "bash", age_days=5)
    s = prune(cache.root, orphans=True, dry_run=False)            # default grace: 360 minutes
    assert cache.files() == set(fresh)
    assert s.protected["grace"] == {"files": 2, "bytes": 20}
    assert set(old).isdisjoint(cache.files())


def test_grace_looks_at_every_member_in_a_stamps_sweep(tmp_path, cache):
    # The archive is old, but BitBake just rewrote its siginfo: the unit is in use.
    stamps = tmp_path / "stamps"
    cur = H("current")
    stamp(stamps, "zlib", "populate_sysroot", cur)
    cache.add("zlib", unihash=cur)
    used = cache.add("zlib", age_days=30)
    t = time.time() - 60
    os.utime(cache.path(used[1]), (t, t))
    stale = cache.add("bash", age_days=30)
    s = prune(cache.root, roots=[str(stamps)], dry_run=False, grace_minutes=10)
    assert set(used) <= cache.files()
    assert set(stale).isdisjoint(cache.files())
    assert s.protected["grace"]["files"] == 2


def test_recheck_before_delete_in_a_stamps_sweep(tmp_path, cache):
    stamps = tmp_path / "stamps"
    cur = H("current")
    stamp(stamps, "zlib", "populate_sysroot", cur)
    cache.add("zlib", unihash=cur)
    stale = cache.add("zlib", age_days=5)

    def confirm(summary):
        os.utime(cache.path(stale[1]), None)           # BitBake used it meanwhile
        return True
    s = run(cache, roots=[str(stamps)], confirm=confirm)
    assert set(stale) <= cache.files()
    assert s.skipped["changed"]["units"] == 1 and s.removed["files"] == 0


def test_recheck_before_delete_of_orphans(cache):
    gone = orphan(cache, "zlib")

    def confirm(summary):
        with open(cache.path(gone[0]), "ab") as f:    # rewritten: it grew
            f.write(b"more")
        t = time.time() - 5 * DAY
        os.utime(cache.path(gone[0]), (t, t))
        return True
    s = run(cache, orphans=True, confirm=confirm)
    assert set(gone) <= cache.files() and s.skipped["changed"]["units"] == 1


def test_files_vanishing_after_the_scan_are_not_selected(cache, monkeypatch):
    from sstatemgmt.prune import scan as scanmod
    gone = orphan(cache, "zlib")
    real = scanmod.scan

    def scan_then_vanish(*a, **kw):
        res = real(*a, **kw)
        for f in gone:
            os.unlink(cache.path(f))                    # another cleaner, between scan and plan
        return res
    monkeypatch.setattr("sstatemgmt.prune.engine.scan_cache", scan_then_vanish)
    s = run(cache, orphans=True)
    assert s.removed["files"] == 0 and not s.errors
