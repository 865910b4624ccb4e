# SPDX-License-Identifier: MIT
"""One compatibility report, in a process of its own.

Run as ``python3 worker.py SPEC.json`` by :mod:`judge`, which kills the
whole process group when it exceeds its time limit (the ABI tools the
checkers call have no limit of their own). The checkers come from the
``layer_lib`` the spec names, imported before anything else so that the
test helpers (tests/unit/compat_support.py, which drives the synthetic
corpus the same way) use them too.

SPEC: layer_lib, tests_unit, name, root, checker, mode, options (ParentInput
keyword arguments), baseline (path or null), child_sources (the consumer's
source files: the child's use set), out (report path), result (JSON path),
log_dir.
"""

import json
import os
import sys
import time


def main(spec_path):
    with open(spec_path) as f:
        spec = json.load(f)
    sys.path.insert(0, spec["layer_lib"])
    import sstatemgmt.compat as compat
    where = os.path.realpath(compat.__file__)
    if not where.startswith(os.path.realpath(spec["layer_lib"]) + os.sep):
        raise SystemExit("sstatemgmt.compat came from %s, not from %s" % (where, spec["layer_lib"]))
    sys.path.insert(1, spec["tests_unit"])
    import compat_support

    result = {"warnings": [], "error": None}
    baseline = None
    if spec.get("baseline"):
        with open(spec["baseline"]) as f:
            baseline = f.read()
    os.makedirs(spec["log_dir"], exist_ok=True)
    t0 = time.perf_counter()
    try:
        text = compat_support.side_report(
            spec["root"], spec["checker"], spec["mode"], name=spec["name"], baseline=baseline,
            warn=result["warnings"].append, log_dir=spec["log_dir"],
            child_sources=spec.get("child_sources"), note=result["warnings"].append,
            **spec["options"])
    except Exception as err:    # a verdict of "error", with the reason
        result["error"] = "%s: %s" % (type(err).__name__, str(err).splitlines()[0] if str(err)
                                      else "")
        text = None
    result["seconds"] = time.perf_counter() - t0
    if text is not None:
        with open(spec["out"], "w") as f:
            f.write(text)
    with open(spec["result"], "w") as f:
        json.dump(result, f)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
