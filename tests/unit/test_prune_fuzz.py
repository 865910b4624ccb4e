# SPDX-License-Identifier: MIT
"""The pruner's property/fuzz suite (tests/unit/prune_fuzz.py), a short
seeded run.  The long run (10,000 iterations and more) is a command:

    python3 tests/unit/prune_fuzz.py --seed 1 --iterations 10000

see docs/internals/pruning-fuzz.md for what it checks and its results.
"""

import os

import prune_fuzz

SEED = int(os.environ.get("SSTATE_MGMT_FUZZ_SEED", "20261130"))
ITERATIONS = int(os.environ.get("SSTATE_MGMT_FUZZ_ITERATIONS", "60"))


def test_fuzz_short_run():
    found, done = prune_fuzz.run(SEED, ITERATIONS)
    report = "\n".join("%s\n  %s" % (desc, "\n  ".join(v)) for i, desc, v in found)
    assert done == ITERATIONS
    assert not found, "invariants broken (replay: python3 tests/unit/prune_fuzz.py --seed %d --start N " \
                      "--iterations 1 -v):\n%s" % (SEED, report)
