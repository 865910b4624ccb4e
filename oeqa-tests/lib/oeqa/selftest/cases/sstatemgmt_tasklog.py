# SPDX-License-Identifier: MIT
"""What a bitbake call in an oe-selftest case ran and restored.

The test layer's sstatemgmt-taskrecorder class appends one JSON line per task
event to ${SSTMGMT_TASKLOG}; reading those lines, as the pytest tier does,
tells the cases exactly which tasks ran for real and which came back from
sstate, without depending on BitBake's console wording.

It lives beside the cases because oe-selftest imports them as top-level
modules from this directory; it holds no test.
"""

import json
import os

from oeqa.utils.commands import bitbake, get_bb_var


class Tasks:
    """The tasks of one bitbake call: ``ran`` and ``restored`` as {pn: {task}}."""

    def __init__(self, result, events):
        self.result = result
        self.output = result.output
        self.ran, self.restored = {}, {}
        for ev in events:
            if ev["event"] != "TaskSucceeded":
                continue
            task = ev["task"]
            if task.endswith("_setscene"):
                self.restored.setdefault(ev["pn"], set()).add(task[:-len("_setscene")])
            else:
                self.ran.setdefault(ev["pn"], set()).add(task)

    def __str__(self):
        # assertion messages show the console output
        return self.output

    def __contains__(self, text):
        return text in self.output

    def ran_for(self, pn):
        return self.ran.get(pn, set())

    def restored_for(self, pn):
        return self.restored.get(pn, set())


class TaskRecorderMixin:
    """For OESelftestTestCase subclasses: ``self.bitbake_tasks(args)``."""

    _tasklog = None

    def bitbake_tasks(self, args, **kwargs):
        if TaskRecorderMixin._tasklog is None:
            path = get_bb_var("SSTMGMT_TASKLOG")
            if not path:
                self.fail("SSTMGMT_TASKLOG is empty: the build directory must inherit the test layer's "
                          "sstatemgmt-taskrecorder class (the local.conf of scripts/lib/sstmgmt_dev/buildenv.py)")
            TaskRecorderMixin._tasklog = path
        path = TaskRecorderMixin._tasklog
        start = os.path.getsize(path) if os.path.exists(path) else 0
        result = bitbake(args, **kwargs)
        events = []
        if os.path.exists(path):
            with open(path, "rb") as f:
                f.seek(start)
                events = [json.loads(line) for line in f.read().decode().splitlines() if line.strip()]
        return Tasks(result, events)
