# SPDX-License-Identifier: MIT
"""Locate OE-Core's scripts/sstate-cache-management.py for comparisons.

Order: $SSTATE_MGMT_OE_SCRIPT; then the checkout that
``scripts/setup-sources --release master --print-dir`` prints (only if
``scripts/setup-sources --check`` says the sources are already there, so
that nothing is cloned behind the caller's back unless ``materialise``).
"""

import os
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REL = os.path.join("openembedded-core", "scripts", "sstate-cache-management.py")


def find_oe_script(release="master", materialise=False):
    """Return ``(path, None)`` or ``(None, reason)``."""
    env = os.environ.get("SSTATE_MGMT_OE_SCRIPT")
    if env:
        if os.path.isfile(env):
            return env, None
        return None, "SSTATE_MGMT_OE_SCRIPT=%s does not exist" % env
    setup = os.path.join(REPO, "scripts", "setup-sources")
    if not os.path.exists(setup):
        return None, "scripts/setup-sources is missing, so OE-Core's script cannot be found " \
                     "(set SSTATE_MGMT_OE_SCRIPT=/path/to/sstate-cache-management.py)"
    if not materialise:
        chk = subprocess.run([sys.executable, setup, "--release", release, "--check"],
                             capture_output=True, text=True)
        if chk.returncode != 0:
            return None, "OE-Core sources are not materialised: run scripts/setup-sources --release %s (%s)" \
                % (release, (chk.stdout + chk.stderr).strip())
    r = subprocess.run([sys.executable, setup, "--release", release, "--print-dir"], capture_output=True, text=True)
    if r.returncode != 0:
        return None, "scripts/setup-sources --print-dir failed: %s" % r.stderr.strip()
    path = os.path.join(r.stdout.strip(), REL)
    if not os.path.isfile(path):
        return None, "%s not found" % path
    return path, None
