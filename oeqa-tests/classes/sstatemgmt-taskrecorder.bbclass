# SPDX-License-Identifier: MIT
#
# Test-only: append one JSON line per task event to ${SSTMGMT_TASKLOG}, so that
# the test harness knows exactly which tasks ran for real and which were
# restored from sstate (their "_setscene" variant succeeded), without scraping
# console output. Handlers of task events run in the worker that ran the task;
# each line is one O_APPEND write, so concurrent workers do not interleave.

SSTMGMT_TASKLOG ??= ""
SSTMGMT_TASKLOG[doc] = "File that receives one JSON line per task event (test harness only)."

addhandler sstatemgmt_taskrecorder
sstatemgmt_taskrecorder[eventmask] = "bb.build.TaskStarted bb.build.TaskSucceeded bb.build.TaskFailed bb.build.TaskFailedSilent"
python sstatemgmt_taskrecorder() {
    import json
    path = e.data.getVar("SSTMGMT_TASKLOG")
    if not path:
        return
    line = json.dumps({
        "event": bb.event.getName(e),
        "pn": e.pn,
        "task": e.taskname,
        "mc": e._mc or "",
        "fn": e.taskfile,
        "hash": e.data.getVar("BB_TASKHASH") or "",
        "unihash": e.data.getVar("BB_UNIHASH") or "",
        "time": e.time,
    }, sort_keys=True) + "\n"
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line.encode())
    finally:
        os.close(fd)
}

# Test-only: what the BitBake server process holds. At BuildStarted and
# BuildCompleted, one JSON line with the server's pid, its thread count and the
# sstatemgmt modules it has imported, so that tests can show that no prune runs
# (and no prune engine is loaded) in the server, which may serve many builds.
SSTMGMT_COOKERLOG ??= "${TOPDIR}/sstatemgmt-cooker.jsonl"
SSTMGMT_COOKERLOG[doc] = "File that receives one JSON line per build start and end, from the BitBake server (test harness only)."

addhandler sstatemgmt_cookerprobe
sstatemgmt_cookerprobe[eventmask] = "bb.event.BuildStarted bb.event.BuildCompleted"
python sstatemgmt_cookerprobe() {
    import json, sys, threading
    path = e.data.getVar("SSTMGMT_COOKERLOG")
    if not path:
        return
    line = json.dumps({
        "event": bb.event.getName(e), "pid": os.getpid(), "threads": threading.active_count(),
        "modules": sorted(m for m in sys.modules if m.startswith("sstatemgmt")),
    }, sort_keys=True) + "\n"
    with open(path, "a") as f:
        f.write(line)
}
