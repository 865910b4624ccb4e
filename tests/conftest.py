# SPDX-License-Identifier: MIT
#
# Test tiers:
#   tests/unit/         plain Python, always run.
#   tests/integration/  real BitBake + OE-Core builds; marked "integration".
#
# The integration tier needs the BitBake and OE-Core revisions pinned in
# kas/<release>.yml. They are materialised by scripts/setup-sources (see
# README.md). When they cannot be, every integration test is skipped and one
# loud line says why; the tier never passes vacuously.

import os
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts", "lib"))
sys.path.insert(0, os.path.join(ROOT, "meta-sstate-mgmt", "lib"))

from sstmgmt_dev import sources  # noqa: E402

_state = {"skip_reason": None, "release": None, "integration": 0, "kit_skip_reason": None}


def pytest_addoption(parser):
    parser.addoption("--release", default=os.environ.get("SSTATE_MGMT_RELEASE", sources.DEFAULT_RELEASE),
                     help="OE release the integration tier builds with (kas/<release>.yml; "
                          "default: $SSTATE_MGMT_RELEASE or %s)" % sources.DEFAULT_RELEASE)


def _integration_unavailable(config):
    """None when the integration tier can run, else the reason it cannot."""
    if os.environ.get("SSTATE_MGMT_SKIP_INTEGRATION"):
        return "SSTATE_MGMT_SKIP_INTEGRATION is set"
    release = config.getoption("--release")
    try:
        sources.materialise(release)
    except sources.SourcesError as e:
        return "pinned BitBake/OE-Core sources for %r are not reachable: %s" % (release, e)
    # Missing host tools are not a reason to skip: the harness then fails, naming them.
    return None


def pytest_collection_modifyitems(config, items):
    integration = []
    for item in items:
        if os.sep + "integration" + os.sep in str(item.fspath):
            item.add_marker(pytest.mark.integration)
        if item.get_closest_marker("integration"):
            integration.append(item)
    _state["release"] = config.getoption("--release")
    _state["integration"] = len(integration)
    if not integration:
        return
    reason = _integration_unavailable(config)
    if reason:
        _state["skip_reason"] = reason
        _state["skipped"] = len(integration)
        for item in integration:
            item.add_marker(pytest.mark.skip(reason=reason))
        return
    # Target builds also need the offline target kit's own sources (kas/target-kit.yml).
    kit = [item for item in integration if item.get_closest_marker("target_kit")]
    if kit:
        try:
            sources.materialise(_state["release"], kits=("target-kit",))
        except sources.SourcesError as e:
            _state["kit_skip_reason"] = "the offline target kit's sources are not reachable: %s" % e
            _state["kit_skipped"] = len(kit)
            for item in kit:
                item.add_marker(pytest.mark.skip(reason=_state["kit_skip_reason"]))


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if _state["kit_skip_reason"]:
        terminalreporter.write_sep("!", "INTEGRATION TIER SKIPPED IN PART (%d target-kit tests): %s"
                                   % (_state["kit_skipped"], _state["kit_skip_reason"]), red=True, bold=True)
    if _state["skip_reason"]:
        terminalreporter.write_sep("!", "INTEGRATION TIER SKIPPED (%d tests): %s" % (_state["skipped"], _state["skip_reason"]),
                                   red=True, bold=True)
        return
    stats = terminalreporter.stats
    ran = {}
    for outcome in ("passed", "failed", "error", "skipped"):
        for rep in stats.get(outcome, []):
            if getattr(rep, "when", "call") in ("call", "setup") and "integration" in getattr(rep, "keywords", {}):
                ran[rep.nodeid] = outcome
    if _state["integration"]:
        counts = {}
        for outcome in ran.values():
            counts[outcome] = counts.get(outcome, 0) + 1
        terminalreporter.write_sep("=", "integration tier (release %s): %d collected, %s" % (
            _state["release"], _state["integration"],
            ", ".join("%d %s" % (n, o) for o, n in sorted(counts.items())) or "none ran"), bold=True)
