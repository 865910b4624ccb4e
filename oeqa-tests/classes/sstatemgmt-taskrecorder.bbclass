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
