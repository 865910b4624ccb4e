# SPDX-License-Identifier: MIT
#
# oe-selftest cases for sstate pruning inside the build. Run offline with:
#   oe-selftest -r sstatemgmt_prune

import glob
import os
import shutil

from oeqa.core.decorator import OETestTag
from oeqa.selftest.case import OESelftestTestCase
from oeqa.utils.commands import bitbake
from sstatemgmt_tasklog import TaskRecorderMixin

FIXTURE = "sstmgmt-hello-native"


@OETestTag("sstate-mgmt")
class SstateMgmtPrune(TaskRecorderMixin, OESelftestTestCase):

    def setUp(self):
        super().setUp()
        # One SSTATE_DIR per class, emptied for each test: SSTATE_DIR is part of the
        # configuration hash, so a new path per test would reparse OE-Core each time.
        self.sstate_dir = os.path.join(self.builddir, "sstmgmt-prune-sstate")
        shutil.rmtree(self.sstate_dir, ignore_errors=True)
        os.makedirs(self.sstate_dir)
        self.track_for_cleanup(self.sstate_dir)
        self.write_config('SSTATE_DIR = "%s"\nBB_NO_NETWORK = "1"\nINHERIT += "sstate-prune"\n'
                          'SSTATE_PRUNE_GRACE = "0"\n' % self.sstate_dir)
        self.fixture_conf = os.path.join(self.builddir, "conf", "sstmgmt-hello.inc")
        self.addCleanup(self._greeting, "")

    def _greeting(self, greeting):
        # Only the fixture includes this file: a change reparses it alone.
        with open(self.fixture_conf, "w") as f:
            f.write('SSTMGMT_HELLO_GREETING = "%s"\n' % greeting if greeting else "")

    def _objects(self):
        return sorted(glob.glob(os.path.join(self.sstate_dir, "**", "sstate:%s:*_populate_sysroot.tar.zst" % FIXTURE),
                                recursive=True))

    def _two_generations(self):
        # Other modules may have built the fixture in this TMPDIR already: drop its
        # stamps so that each generation is built into this class's empty SSTATE_DIR.
        bitbake("-c clean %s" % FIXTURE)
        self._greeting("hello")
        bitbake(FIXTURE)
        old = self._objects()
        self._greeting("hi")
        bitbake(FIXTURE)
        new = [o for o in self._objects() if o not in old]
        self.assertEqual((len(old), len(new)), (1, 1), self._objects())
        return old[0], new[0]

    def _assert_restored(self):
        bitbake("-c clean %s" % FIXTURE)
        tasks = self.bitbake_tasks(FIXTURE)
        self.assertIn("do_populate_sysroot", tasks.restored_for(FIXTURE))
        self.assertFalse(tasks.ran_for(FIXTURE) & {"do_configure", "do_compile", "do_install"}, tasks.ran_for(FIXTURE))

    def test_recipe_prune_removes_stale_keeps_current(self):
        old, new = self._two_generations()
        result = bitbake("-c sstate_prune %s" % FIXTURE)
        self.assertRegex(result.output, r"sstate_prune \(%s\): removed [1-9]\d* files" % FIXTURE)
        self.assertEqual(self._objects(), [new])
        self.assertFalse(os.path.exists(old + ".siginfo"))
        self._assert_restored()

    def test_recipe_prune_dry_run_deletes_nothing(self):
        self._two_generations()
        before = sorted(glob.glob(os.path.join(self.sstate_dir, "**", "*"), recursive=True))
        self.append_config('SSTATE_PRUNE_DRY_RUN = "1"')
        result = bitbake("-c sstate_prune %s" % FIXTURE)
        self.assertRegex(result.output, r"would remove [1-9]\d* files")
        self.assertEqual(sorted(glob.glob(os.path.join(self.sstate_dir, "**", "*"), recursive=True)), before)

    def test_whole_cache_prune_keeps_what_stamps_reference(self):
        old, new = self._two_generations()
        result = bitbake("sstate-prune")
        self.assertRegex(result.output, r"sstate-prune: removed [1-9]\d* files")
        self.assertEqual(self._objects(), [new])
        self._assert_restored()
