# SPDX-License-Identifier: MIT
#
# oe-selftest cases for meta-sstate-mgmt's foundation. Run offline with:
#   oe-selftest -r sstatemgmt_foundation
# (from a build directory whose BBLAYERS holds meta-sstate-mgmt and oeqa-tests;
# see README.md, "oe-selftest").

import glob
import os
import shutil

from oeqa.core.decorator import OETestTag
from oeqa.selftest.case import OESelftestTestCase
from oeqa.utils.commands import bitbake, get_bb_vars
from sstatemgmt_tasklog import TaskRecorderMixin

FIXTURE = "sstmgmt-hello-native"


@OETestTag("sstate-mgmt")
class SstateMgmtFoundation(TaskRecorderMixin, OESelftestTestCase):

    def setUp(self):
        super().setUp()
        # One SSTATE_DIR per class, emptied for each test: SSTATE_DIR is part of the
        # configuration hash, so a new path per test would reparse OE-Core each time.
        self.sstate_dir = os.path.join(self.builddir, "sstmgmt-sstate-sstate")
        shutil.rmtree(self.sstate_dir, ignore_errors=True)
        os.makedirs(self.sstate_dir)
        self.track_for_cleanup(self.sstate_dir)
        self.write_config('SSTATE_DIR = "%s"\nBB_NO_NETWORK = "1"\n' % self.sstate_dir)

    def test_layer_present_and_no_handler_forced(self):
        v = get_bb_vars(["BBFILE_COLLECTIONS", "BB_SIGNATURE_HANDLER", "BBLAYERS"])
        self.assertIn("sstate-mgmt", v["BBFILE_COLLECTIONS"].split())
        # Adding the layer must not select a signature handler by itself: the
        # value (OEEquivHash, or OEBasicHash on a stock scarthgap) comes from
        # OE-Core or the build's configuration, never from a file of the layer.
        self.assertIn(v["BB_SIGNATURE_HANDLER"], ("OEEquivHash", "OEBasicHash"))
        layer = [l for l in v["BBLAYERS"].split() if os.path.basename(l.rstrip("/")) == "meta-sstate-mgmt"]
        self.assertEqual(len(layer), 1, v["BBLAYERS"])
        env = bitbake("-e").output
        history = env.split("\n# $BB_SIGNATURE_HANDLER", 1)[1].split("\nBB_SIGNATURE_HANDLER=", 1)[0]
        self.assertIn("/bitbake.conf:", history)
        self.assertNotIn(layer[0].rstrip("/") + "/", history)

    def test_fixture_restored_from_sstate(self):
        tasks = self.bitbake_tasks(FIXTURE)
        self.assertIn("do_compile", tasks.ran_for(FIXTURE))
        archives = glob.glob(os.path.join(self.sstate_dir, "**", "sstate:%s:*_populate_sysroot.tar.zst" % FIXTURE),
                             recursive=True)
        self.assertEqual(len(archives), 1, archives)

        # Drop the stamps and work directory, keep sstate: everything comes back by setscene.
        self.bitbake_tasks("-c clean %s" % FIXTURE)
        tasks = self.bitbake_tasks(FIXTURE)
        self.assertIn("do_populate_sysroot", tasks.restored_for(FIXTURE))
        self.assertFalse(tasks.ran_for(FIXTURE) & {"do_configure", "do_compile", "do_install"}, tasks.ran_for(FIXTURE))
