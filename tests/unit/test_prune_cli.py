# SPDX-License-Identifier: MIT
"""The sstate-cache-management script: OE-Core option compatibility, prompt,
output, exit codes.  "Weakness N" comments refer to docs/pruning.md."""

import json
import os
import pty
import select
import subprocess
import sys
import time

import pytest

from prune_testlib import SCRIPT, H, run_script, stamp

from sstatemgmt.prune.cli import build_parser, parse_size


@pytest.fixture
def dup_cache(cache):
    """Two generations of zlib: the older unit (2 files) is the duplicate."""
    cache.old = cache.add("zlib", unihash=H("old"), age_days=5)
    cache.new = cache.add("zlib", unihash=H("new"), age_days=1)
    return cache


def cli(cache, *args, **kw):
    return run_script(["--cache-dir", cache.root, "--grace", "0"] + list(args), **kw)


# ---------------------------------------------------------------- OE-Core options

@pytest.mark.parametrize("args", [
    ["-d", "-n"], ["--remove-duplicated", "--dry-run"], ["-d", "-j", "4", "-n"], ["-d", "--jobs=2", "-n"],
    ["-d", "-v", "-n"], ["-d", "--verbose", "-n"], ["-d", "-D", "-n"], ["-d", "-DD", "-n"],
    ["-d", "--debug", "-n"], ["--remove-orphans", "-n"], ["-d", "--remove-orphans", "-n"],
])
def test_oe_core_options_are_accepted(dup_cache, args):
    r = cli(dup_cache, *args)
    assert r.returncode == 0, r.stderr
    assert "out of 4 files will be removed!" in r.stdout        # OE-Core's line, for scripts that grep it
    assert dup_cache.files() == set(dup_cache.old + dup_cache.new)


@pytest.mark.parametrize("yes", ["-y", "--yes"])
def test_yes_deletes_without_asking(dup_cache, yes):
    r = cli(dup_cache, "-d", yes)
    assert r.returncode == 0, r.stderr
    assert "2 out of 4 files will be removed!" in r.stdout and "continue" not in r.stderr
    assert dup_cache.files() == set(dup_cache.new)


def test_cache_dir_defaults_to_environment(dup_cache):
    r = run_script(["-d", "-y", "--grace", "0"], env={"SSTATE_CACHE_DIR": dup_cache.root})
    assert r.returncode == 0, r.stderr
    assert dup_cache.files() == set(dup_cache.new)


def test_debug_lists_the_paths_to_remove(dup_cache):
    r = cli(dup_cache, "-d", "-D", "-n")
    listed = [line for line in r.stdout.splitlines() if line.startswith(dup_cache.root)]
    assert sorted(listed) == sorted(os.path.join(dup_cache.root, f) for f in dup_cache.old)


@pytest.mark.parametrize("form", ["comma", "repeat", "comma-space"])
def test_several_stamps_dirs_repeatable_and_comma_separated(cache, tmp_path, form):
    a, b = tmp_path / "a" / "stamps", tmp_path / "b" / "stamps"
    stamp(a, "zlib", "populate_sysroot", H("a"))
    stamp(b, "bash", "populate_sysroot", H("b"), kind="setscene")
    keep = cache.add("zlib", unihash=H("a")) + cache.add("bash", unihash=H("b"))
    cache.add("perl", unihash=H("c"))
    if form == "comma":
        args = ["--stamps-dir=%s,%s" % (a, b)]
    elif form == "comma-space":
        args = ["--stamps-dir", "%s,%s" % (a, b)]
    else:
        args = ["--stamps-dir", str(a), "--stamps-dir", str(b)]
    r = cli(cache, *args, "-y")
    assert r.returncode == 0, r.stderr
    assert cache.files() == set(keep)


def test_d_with_stamps_dir_honours_the_stamps(dup_cache, tmp_path):
    # Weakness 3: OE-Core's -d ignores --stamps-dir; here the old generation
    # is used by a build and must stay.
    s = tmp_path / "stamps"
    stamp(s, "zlib", "populate_sysroot", H("old"), kind="setscene")
    r = cli(dup_cache, "-d", "--stamps-dir", str(s), "-y")
    assert r.returncode == 0, r.stderr
    assert dup_cache.files() == set(dup_cache.old + dup_cache.new)


def test_empty_stamps_dir_is_refused_with_one_line(dup_cache, tmp_path):
    # Weakness 3: OE-Core removes every file when the stamps dir is empty.
    (tmp_path / "empty").mkdir()
    r = cli(dup_cache, "--stamps-dir", str(tmp_path / "empty"), "-y")
    assert r.returncode == 3
    assert "holds no task stamps" in r.stderr and "--force" in r.stderr and "Traceback" not in r.stderr
    assert dup_cache.files() == set(dup_cache.old + dup_cache.new)


def test_old_shell_script_options_are_accepted_and_ignored(dup_cache):
    r = cli(dup_cache, "-d", "-n", "--extra-archs=core2-64,allarch", "--extra-layer=meta", "-L")
    assert r.returncode == 0, r.stderr
    assert "ignored" in r.stderr


# ---------------------------------------------------------------- prompt (weakness 5)

def _run_in_pty(args, answer, timeout=30):
    """Run the script with a terminal on stdin; write ``answer`` once it prompts."""
    master, slave = pty.openpty()
    env = dict(os.environ)
    env.pop("SSTATE_CACHE_DIR", None)
    p = subprocess.Popen([sys.executable, SCRIPT] + args, stdin=slave, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, env=env)
    os.close(slave)
    try:
        # wait until the prompt has been printed on stderr
        buf = b""
        deadline = time.monotonic() + timeout
        while b"(y/n)" not in buf and time.monotonic() < deadline:
            r, _, _ = select.select([p.stderr], [], [], 0.2)
            if r:
                chunk = os.read(p.stderr.fileno(), 4096)
                if not chunk:
                    break
                buf += chunk
        os.write(master, answer)
        out, err = p.communicate(timeout=timeout)
    finally:
        os.close(master)
    return p.returncode, out.decode(), (buf + err).decode()


def test_prompt_at_eof_aborts_without_traceback(dup_cache):
    # Weakness 5: OE-Core's input() raises EOFError when stdin ends.
    rc, out, err = _run_in_pty(["--cache-dir", dup_cache.root, "--grace", "0", "-d"], b"\x04")
    assert "(y/n)" in err
    assert rc == 3 and "Traceback" not in err and "aborted" in err
    assert dup_cache.files() == set(dup_cache.old + dup_cache.new)


def test_prompt_answered_no(dup_cache):
    rc, out, err = _run_in_pty(["--cache-dir", dup_cache.root, "--grace", "0", "-d"], b"n\n")
    assert rc == 3
    assert dup_cache.files() == set(dup_cache.old + dup_cache.new)


def test_prompt_answered_yes(dup_cache):
    rc, out, err = _run_in_pty(["--cache-dir", dup_cache.root, "--grace", "0", "-d"], b"y\n")
    assert rc == 0, err
    assert dup_cache.files() == set(dup_cache.new)


def test_no_terminal_means_no(dup_cache):
    r = cli(dup_cache, "-d", stdin=subprocess.DEVNULL)
    assert r.returncode == 3 and "not a terminal" in r.stderr
    assert dup_cache.files() == set(dup_cache.old + dup_cache.new)


def test_piped_yes_is_not_a_terminal_either(dup_cache):
    r = subprocess.run([sys.executable, SCRIPT, "--cache-dir", dup_cache.root, "--grace", "0", "-d"],
                       input="y\n", capture_output=True, text=True)
    assert r.returncode == 3
    assert dup_cache.files() == set(dup_cache.old + dup_cache.new)


# ---------------------------------------------------------------- output and exit codes (weakness 7)

def test_json_summary_on_stdout_and_human_on_stderr(dup_cache):
    r = cli(dup_cache, "-d", "-n", "--json")
    d = json.loads(r.stdout)
    assert d["dry_run"] is True and d["removed"]["files"] == 2 and d["by_policy"]["duplicates"]["units"] == 1
    assert "would remove 2 files" in r.stderr


def test_human_summary_has_bytes_and_policies(dup_cache):
    r = cli(dup_cache, "-d", "-y")
    assert "removed 2 files (110 B)" in r.stdout and "duplicates:" in r.stdout and "zlib" in r.stdout


def test_exit_codes(dup_cache, tmp_path):
    # Weakness 7: OE-Core exits 0 whatever happened.
    assert cli(dup_cache, "-n").returncode == 2                                   # no policy
    assert run_script(["-d", "-n"]).returncode == 2                               # no cache dir
    r = run_script(["--cache-dir", str(tmp_path / "nope"), "-d", "-n"])
    assert r.returncode == 1 and r.stderr.count("\n") == 1 and "does not exist" in r.stderr
    assert cli(dup_cache, "-d", "-n", "--detailed-exit-codes").returncode == 5
    assert cli(dup_cache, "--remove-orphans", "-n", "--detailed-exit-codes").returncode == 0
    assert cli(dup_cache, "-d", "-y", "--detailed-exit-codes").returncode == 5
    assert cli(dup_cache, "-d", "-y", "--detailed-exit-codes").returncode == 0    # nothing left to do
    assert cli(dup_cache, "-d", "--max-size", "12Q", "-n").returncode == 2


@pytest.mark.parametrize("text,value", [
    ("100", 100), ("10K", 10240), ("10k", 10240), ("5M", 5 << 20), ("5MiB", 5 << 20), ("5MB", 5 << 20),
    ("1.5G", 3 << 29), ("2T", 2 << 40), ("0", 0)])
def test_size_suffixes(text, value):
    assert parse_size(text) == value


def test_new_policy_options(cache):
    old = cache.add("a", age_days=40, size=1000)
    mid = cache.add("b", age_days=20, size=1000)
    new = cache.add("c", age_days=1, size=1000)
    r = cli(cache, "--older-than", "30", "-y")
    assert r.returncode == 0 and cache.files() == set(mid + new)
    r = cli(cache, "--max-size", "1K", "-y", "--json")
    assert r.returncode == 0 and cache.files() == set(new)
    assert json.loads(r.stdout)["size_budget"]["reached"] is True and cache.bytes() == 1010
    assert set(old).isdisjoint(cache.files())


def test_recipe_option(cache, tmp_path):
    s = tmp_path / "stamps"
    stamp(s, "zlib", "populate_sysroot", H("cur"))
    cur = cache.add("zlib", unihash=H("cur"))
    cache.add("zlib", unihash=H("stale"))
    other = cache.add("bash", unihash=H("b"))
    assert cli(cache, "--recipe", "zlib", "-y").returncode == 2           # would remove all of zlib
    r = cli(cache, "--recipe", "zlib", "--stamps-dir", str(s), "-y")
    assert r.returncode == 0, r.stderr
    assert cache.files() == set(cur + other)


def test_malformed_names_are_reported_not_fatal(dup_cache):
    dup_cache.write("ab/cd/sstate:broken:name_populate_sysroot.tar.zst")
    r = cli(dup_cache, "-d", "-y", "-v")
    assert r.returncode == 0 and "expected 8 ':'-separated fields" in r.stdout
    assert dup_cache.files() == set(dup_cache.new) | {"ab/cd/sstate:broken:name_populate_sysroot.tar.zst"}


def test_script_runs_through_a_symlink_from_anywhere(dup_cache, tmp_path):
    link = tmp_path / "bin" / "sstate-cache-management"
    link.parent.mkdir()
    os.symlink(SCRIPT, str(link))
    r = subprocess.run([str(link), "--cache-dir", dup_cache.root, "-d", "-n"], cwd=str(tmp_path),
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert os.access(SCRIPT, os.X_OK)


def test_every_oe_core_option_exists():
    opts = {o for a in build_parser()._actions for o in a.option_strings}
    assert {"--cache-dir", "-d", "--remove-duplicated", "--remove-orphans", "--stamps-dir", "-j", "--jobs",
            "-n", "--dry-run", "-y", "--yes", "-v", "--verbose", "-D", "--debug"} <= opts


def test_hashserv_keep_file_lists_the_objects_left(dup_cache, tmp_path):
    out = tmp_path / "keep.txt"
    dup_cache.add("bash", task="compile", unihash=H("siginfo-only"), archive=False)
    r = cli(dup_cache, "-d", "-y", "--hashserv-keep-file", str(out))
    assert r.returncode == 0, r.stderr
    assert out.read_text() == "unihash %s\n" % H("new")


def test_keep_hashes_file_and_keep_hash(cache, tmp_path):
    a = cache.add("a", unihash=H("a"), age_days=50)
    b = cache.add("b", unihash=H("b"), age_days=50)
    cache.add("c", unihash=H("c"), age_days=50)
    f = tmp_path / "keep.txt"
    f.write_text("# current hashes\n%s\n" % H("a"))
    r = cli(cache, "--older-than", "30", "--keep-hashes-file", str(f), "--keep-hash", H("b"), "-y")
    assert r.returncode == 0, r.stderr
    assert cache.files() == set(a + b)
    r = cli(cache, "--older-than", "30", "--keep-hashes-file", str(tmp_path / "missing"), "-y")
    assert r.returncode == 2 and "cannot read --keep-hashes-file" in r.stderr


def test_lock_wait_option_waits(dup_cache):
    import fcntl
    import threading
    fd = os.open(os.path.join(dup_cache.root, ".sstate-cache-management.lock"), os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)
    threading.Timer(1.0, os.close, [fd]).start()
    r = cli(dup_cache, "-d", "-y", "--lock-wait", "20")
    assert r.returncode == 0, r.stderr
    assert dup_cache.files() == set(dup_cache.new)
