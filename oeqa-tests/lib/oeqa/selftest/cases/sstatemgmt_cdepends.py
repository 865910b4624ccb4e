# SPDX-License-Identifier: MIT
#
# oe-selftest cases for CDEPENDS (meta-sstate-mgmt), on the fixtures in
# oeqa-tests/recipes-test/cdepends/ (native) and cdepends-target/ (target,
# built with the test layer's offline target kit, docs/target-kit.md). Run
# offline with:
#     oe-selftest -r sstatemgmt_cdepends

import glob
import os
import shutil

from oeqa.core.decorator import OETestTag
from oeqa.selftest.case import OESelftestTestCase
from oeqa.utils.commands import bitbake, get_bb_var
from sstatemgmt_tasklog import TaskRecorderMixin

LIB = "sstmgmt-cdep-lib-native"
APP = "sstmgmt-cdep-app-native"
TWO = "sstmgmt-cdep-two-native"
USESONE = "sstmgmt-cdep-usesone-native"
NEVER = "marked as completed but now needing to rerun"


def tasks(out, pn):
    """(ran, restored): task names of pn that succeeded for real / from sstate."""
    return out.ran_for(pn), out.restored_for(pn)


def build(case, *targets):
    out = case.bitbake_tasks(" ".join(targets))
    case.assertNotIn(NEVER, out.output)
    return out


@OETestTag("sstate-mgmt")
class SStateMgmtCDependsTests(TaskRecorderMixin, OESelftestTestCase):

    def config(self, variant, settings=""):
        # A private SSTATE_DIR, so that earlier builds of the fixtures cannot
        # satisfy the rebuild cases. The ABI tools come from the host (tasks
        # only see HOSTTOOLS).
        self.write_config('INHERIT += "compatible-depends"\n'
                          'SSTATE_DIR = "${TOPDIR}/sstate-cdepends-selftest"\n'
                          'HOSTTOOLS_NONFATAL += "abidw abidiff abi-compliance-checker"\n')
        # The change is selected through the include that only the fixtures
        # read (sstmgmt-cdep.inc): switching it reparses them, not OE-Core.
        path = os.path.join(os.environ["BUILDDIR"], "conf", "sstmgmt-cdep-variant.inc")
        if not os.path.exists(path):
            self.addCleanup(os.unlink, path)
        with open(path, "w") as f:
            f.write('SSTMGMT_CDEP_VARIANT ?= "%s"\n%s' % (variant, settings))

    def tasks(self, out, pn):
        return tasks(out, pn)

    def build(self, *targets):
        return build(self, *targets)

    def test_cdepends_reuse_and_rebuild(self):
        shutil.rmtree(os.path.join(os.environ["BUILDDIR"], "sstate-cdepends-selftest"), ignore_errors=True)
        self.config("base")
        out = self.build(APP)
        ran, _ = self.tasks(out, APP)
        self.assertIn("do_compile", ran)
        self.assertIn("do_cache_compatibility", ran)

        # A body-only change in the parent: only the child's compat task runs,
        # the child itself is restored from sstate.
        self.config("body")
        out = self.build(APP)
        self.assertIn("do_compile", self.tasks(out, LIB)[0])
        ran, restored = self.tasks(out, APP)
        self.assertEqual(ran, {"do_cache_compatibility"}, out)
        self.assertIn("do_populate_sysroot", restored)

        # A resized data object: the child is rebuilt.
        self.config("datasize")
        out = self.build(APP)
        ran, _ = self.tasks(out, APP)
        self.assertTrue({"do_cache_compatibility", "do_compile", "do_install"} <= ran, out)

    def test_cdepends_unused_library_reuses_child(self):
        # The parent ships two libraries; the child judges only the one it
        # uses (CDEPENDS_FILES). A change confined to the other one rebuilds
        # the parent and reuses the child.
        self.config("base")
        self.build(USESONE)
        self.config("unused")
        out = self.build(USESONE)
        self.assertIn("do_compile", self.tasks(out, TWO)[0], out)
        ran, restored = self.tasks(out, USESONE)
        self.assertEqual(ran, {"do_cache_compatibility"}, out)
        self.assertIn("do_populate_sysroot", restored)

    def test_cdepends_abidiff_superset(self):
        # abidiff with the parent's DWARF (cdepends-debuginfo) in superset
        # mode: an added function reuses the child, a struct change rebuilds it.
        shutil.rmtree(os.path.join(os.environ["BUILDDIR"], "sstate-cdepends-selftest"), ignore_errors=True)
        settings = ('CDEPENDS_CHECKER = "abidiff"\nCDEPENDS_MODE = "superset"\n'
                    'SSTMGMT_CDEP_DEBUGINFO = "1"\n')
        self.config("base", settings)
        out = self.build(APP)
        self.assertIn("do_compile", self.tasks(out, APP)[0])
        self.assertNotIn("no DWARF debug info", out)

        self.config("added", settings)
        out = self.build(APP)
        self.assertIn("do_compile", self.tasks(out, LIB)[0])
        ran, restored = self.tasks(out, APP)
        self.assertEqual(ran, {"do_cache_compatibility"}, out)
        self.assertIn("do_populate_sysroot", restored)

        self.config("struct", settings)
        out = self.build(APP)
        ran, _ = self.tasks(out, APP)
        self.assertTrue({"do_cache_compatibility", "do_compile", "do_install"} <= ran, out)


TGT_PARENT = "sstmgmt-tgt-libs"
TGT_MID = "sstmgmt-tgt-mid"
TGT_TOP = "sstmgmt-tgt-top"
TGT_USETWO = "sstmgmt-tgt-usetwo"
TGT_FIXTURES = [TGT_PARENT, TGT_MID, TGT_USETWO, TGT_TOP]
# The sstate tasks of a target consumer: restored after a compatible change
# (do_package's output is only needed for those below it; do_populate_lic
# does not depend on the compat task), run after an incompatible one.
TGT_SSTATE = {"do_populate_sysroot", "do_package", "do_packagedata", "do_package_qa",
              "do_package_write_ipk", "do_populate_lic"}
TGT_REUSED = {"do_populate_sysroot", "do_packagedata", "do_package_qa", "do_package_write_ipk"}
TGT_REBUILT = {"do_cache_compatibility", "do_compile", "do_install"} | TGT_REUSED | {"do_package"}


@OETestTag("sstate-mgmt")
class SStateMgmtCDependsTargetTests(TaskRecorderMixin, OESelftestTestCase):
    """Target recipes (packages, shlibs Depends:) with the offline target kit."""

    def variant(self, name):
        path = os.path.join(os.environ["BUILDDIR"], "conf", "sstmgmt-tgt-variant.inc")
        if not os.path.exists(path):
            self.addCleanup(os.unlink, path)
        with open(path, "w") as f:
            f.write('SSTMGMT_TGT_VARIANT ?= "%s"\n' % name)

    def packages(self):
        """{package: (bytes, control fields)} of the fixtures' .ipk files."""
        from sstmgmt_kit import ipk
        result = {}
        for path in glob.glob(os.path.join(get_bb_var("DEPLOY_DIR_IPK"), "*", "*.ipk")):
            fields = ipk.control(path)
            if fields.get("Source", "").startswith("sstmgmt-tgt-"):
                with open(path, "rb") as f:
                    result[fields["Package"]] = (f.read(), fields)
        return result

    def depends(self, fields):
        from sstmgmt_kit import ipk
        return [e for e in ipk.depends(fields) if not e[0].startswith("sstmgmt-hosttc-")]

    def test_cdepends_target_packages_reused_and_rebuilt(self):
        if not get_bb_var("SSTMGMT_KIT_OPKG_UTILS"):
            self.skipTest("the offline target kit needs a local opkg-utils clone in SSTMGMT_KIT_OPKG_UTILS "
                          "(scripts/setup-sources --kit target-kit; docs/target-kit.md)")
        self.write_config('INHERIT += "compatible-depends"\nrequire conf/sstmgmt-target-kit.inc\n')
        self.variant("base")
        bitbake("-c cleansstate " + " ".join(TGT_FIXTURES))
        out = build(self, *TGT_FIXTURES)
        for pn in (TGT_MID, TGT_TOP):
            self.assertIn("do_compile", tasks(out, pn)[0], out)
        base = self.packages()
        self.assertEqual(self.depends(base["libtgtmid1"][1]), [("libtgtone1", ">=", "1.0")])

        # A body-only change: the consumers run their compat task only, every
        # output they package is restored, and the consumer's package is the
        # same file; the parent's package is new.
        self.variant("body")
        out = build(self, *TGT_FIXTURES)
        self.assertIn("do_compile", tasks(out, TGT_PARENT)[0], out)
        for pn in (TGT_MID, TGT_USETWO):
            ran, restored = tasks(out, pn)
            self.assertEqual(ran, {"do_cache_compatibility"}, out)
            self.assertEqual(restored & TGT_SSTATE, TGT_REUSED, out)
        # The grandchild runs nothing: its outputs, removed as stale while the
        # consumer's hashes were provisional, are restored.
        ran, restored = tasks(out, TGT_TOP)
        self.assertEqual(ran, set(), out)
        self.assertEqual(restored & TGT_SSTATE, TGT_REUSED, out)
        body = self.packages()
        self.assertEqual(body["libtgtmid1"][0], base["libtgtmid1"][0])
        self.assertNotEqual(body["libtgtone1"][0], base["libtgtone1"][0])

        # A SONAME bump: the consumer and the grandchild are rebuilt (the other
        # consumer is not); the consumer's package depends on the renamed
        # library package.
        self.variant("soname")
        out = build(self, *TGT_FIXTURES)
        self.assertTrue(TGT_REBUILT <= tasks(out, TGT_MID)[0], out)
        self.assertTrue(TGT_REBUILT - {"do_cache_compatibility"} <= tasks(out, TGT_TOP)[0], out)
        self.assertEqual(tasks(out, TGT_USETWO)[0], {"do_cache_compatibility"}, out)
        soname = self.packages()
        self.assertIn("libtgtone2", soname)
        self.assertNotIn("libtgtone1", soname)
        self.assertEqual(self.depends(soname["libtgtmid1"][1]), [("libtgtone2", ">=", "1.0")])
