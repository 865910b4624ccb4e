# SPDX-License-Identifier: MIT
"""The in-build prune pass (sstatemgmt.prune_pass): the program the BitBake
server starts at BuildCompleted, its events, and how it stops."""

import fcntl
import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time

import pytest

from prune_testlib import LIB, H

from sstatemgmt import prune_pass
from sstatemgmt.prune.names import LOCK_NAME

PN = "zlib"


@pytest.fixture
def stale(cache):
    """PN's current object and 30 stale ones in the same slot."""
    cache.current = cache.add(PN, unihash=H("current"))
    cache.stale = [p for i in range(30) for p in cache.add(PN, unihash=H("stale", i), age_days=10)]
    return cache


def job(cache, **options):
    options.setdefault("dry_run", False)
    options.setdefault("grace_minutes", 0)
    return {"label": "sstate_prune (%s)" % PN, "cache": cache.root, "options": options,
            "recipes": [{"pn": PN, "keep": [H("current")]}], "hashserv": None,
            "lock_hint": "SSTATE_PRUNE_LOCK_WAIT"}


def start_pass(tmp_path, jobs):
    request = tmp_path / "request.json"
    request.write_text(json.dumps({"bitbake_lib": None, "jobs": jobs}))
    env = dict(os.environ, PYTHONPATH=LIB)
    return subprocess.Popen([sys.executable, "-m", "sstatemgmt.prune_pass", str(request)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def lock_is_free(cache):
    with open(os.path.join(cache.root, LOCK_NAME)) as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        fcntl.flock(f, fcntl.LOCK_UN)
        return True


def test_program_prunes_and_reports_in_events(stale, tmp_path):
    p = start_pass(tmp_path, [job(stale)])
    out, err = p.communicate(timeout=300)
    assert p.returncode == 0, err
    events = [json.loads(line) for line in out.splitlines()]
    start = events[0]
    assert start["event"] == "start" and start["pid"] == p.pid
    assert start["cmdline"][1:3] == ["-m", "sstatemgmt.prune_pass"], "not an exec'ed program"
    assert any(e["event"] == "progress" and e["phase"] == "delete" and e["done"] == e["total"] == 60
               for e in events), events
    lines = [e for e in events if e["event"] == "lines"]
    assert lines and lines[0]["lines"][1].startswith("removed 60 files"), lines
    assert stale.files() == set(stale.current)


def test_stop_while_waiting_for_another_pruners_lock(stale, tmp_path):
    with open(os.path.join(stale.root, LOCK_NAME), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        p = start_pass(tmp_path, [job(stale, lock_wait=600)])
        events = queue.Queue()                     # the pass's stdout, line by line, from a thread
        reader = threading.Thread(target=lambda: [events.put(line) for line in p.stdout], daemon=True)
        reader.start()
        waiting = None
        deadline = time.monotonic() + 300          # a loaded CI machine starts Python slowly
        while waiting is None and time.monotonic() < deadline:
            try:
                ev = json.loads(events.get(timeout=1))
            except queue.Empty:
                if p.poll() is not None:
                    break
                continue
            if ev["event"] == "note" and "waiting for it" in ev["message"]:
                waiting = ev
        if not waiting:
            p.kill()
            pytest.fail("the pass did not say it waits for the lock: %s" % (p.communicate()[1][-2000:],))
        p.send_signal(signal.SIGINT)
        p.wait(timeout=300)
        reader.join(timeout=60)
    lines = []
    while not events.empty():
        lines.append(events.get())
    assert p.returncode == 130, p.stderr.read()
    assert json.loads(lines[-1]) == {"event": "interrupted"}
    assert stale.files() == set(stale.current + stale.stale)
    assert lock_is_free(stale)


def test_lock_wait_expires_with_a_hint_in_the_callers_terms(stale):
    events = []
    with open(os.path.join(stale.root, LOCK_NAME), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        assert prune_pass.run_job(job(stale, lock_wait=0.5), events.append) is None
    assert events[-1]["event"] == "error" and "SSTATE_PRUNE_LOCK_WAIT" in events[-1]["message"]
    assert stale.files() == set(stale.current + stale.stale)


@pytest.mark.parametrize("at", [1, 2])
def test_a_stop_request_ends_the_run_before_anything_is_deleted(stale, at):
    # The checks come at the end of the scan (progress), then before deleting (confirm).
    calls = []

    def check():
        calls.append(1)
        if len(calls) >= at:
            raise KeyboardInterrupt
    with pytest.raises(KeyboardInterrupt):
        prune_pass.run_job(job(stale), lambda ev: None, check)
    assert stale.files() == set(stale.current + stale.stale)
    assert lock_is_free(stale)


def test_first_signal_waits_for_a_safe_point_second_acts_at_once():
    previous = signal.getsignal(signal.SIGINT)
    with prune_pass.Interruptible() as stop:
        os.kill(os.getpid(), signal.SIGINT)
        assert stop.signum == signal.SIGINT          # nothing raised yet
        with pytest.raises(KeyboardInterrupt):
            stop.check()
        with pytest.raises(KeyboardInterrupt):
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(1)
        assert signal.getsignal(signal.SIGINT) is previous
    assert signal.getsignal(signal.SIGINT) is previous
