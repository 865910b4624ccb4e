# SPDX-License-Identifier: MIT
#
# compatible-depends: CDEPENDS, dependencies that rebuild a recipe only when the
# parent changes in a way the recipe can see. Enable it with one line in
# local.conf, a distro configuration or a kas fragment:
#
#     INHERIT += "compatible-depends"
#
# which also selects the OECDependsEquivHash signature generator
# (meta-sstate-mgmt/lib/sstatemgmt/siggen.py). Recipes without CDEPENDS are not
# changed in any way: no task, flag or variable that enters a signature.
# See docs/cdepends.md.

# Loads the generator (lib/sstatemgmt/siggen.py) before BitBake selects it:
# an include of zero files, see sstatemgmt.cdepends.load_signature_generator.
include ${@sstatemgmt.cdepends.load_signature_generator()}
BB_SIGNATURE_HANDLER = "OECDependsEquivHash"
# It needs a hash equivalence server, like OEEquivHash. OE-Core defaults to the
# auto-started local one from styhead on; scarthgap leaves it to the distro.
BB_HASHSERVE ??= "auto"

CDEPENDS ??= ""
CDEPENDS[doc] = "Build-time dependencies that rebuild this recipe only when the compatibility report of what it uses from them changes. Built and staged like DEPENDS; accepts PROVIDES and virtual names; native, nativesdk and multilib variants map each name as they map DEPENDS. Per-parent flags (CDEPENDS_CHECKER[name] ...) use the name as written here."

CDEPENDS_CHECKER ??= "elf-interface"
CDEPENDS_CHECKER[doc] = "How the compatibility report judges a CDEPENDS parent: checksum, elf-interface (default), abidiff or abi-compliance-checker. Per parent: CDEPENDS_CHECKER[parent] = '...'."

CDEPENDS_FILES ??= ""
CDEPENDS_FILES[doc] = "Per-parent glob patterns (CDEPENDS_FILES[parent] = 'usr/lib/libfoo.so* usr/include/foo.h'), relative to the parent's sysroot component, selecting the files the report judges. Default: everything the parent stages."

CDEPENDS_MODE ??= "exact"
CDEPENDS_MODE[doc] = "How a parent's report is compared: 'exact' (default; any difference rebuilds the child) or 'superset' (a parent that only adds to the interface the child was last built against reuses the child; needs a checker with a superset mode and CDEPENDS_TASK_ORDER 'late'). Per parent: CDEPENDS_MODE[parent] = 'superset'. See docs/cdepends.md."

CDEPENDS_RELEASE_METADATA ??= "ignore"
CDEPENDS_RELEASE_METADATA[doc] = "What a parent's release metadata counts for: 'ignore' (default; the values of version macros in its headers such as ZLIB_VERSION, the Version: of its .pc files, versioned CMake package directories and *ConfigVersion.cmake are left out of the report, so a release that changes nothing else reuses the child, which then keeps the compile-time view of the older release) or 'strict' (they count like any other change). Per parent: CDEPENDS_RELEASE_METADATA[parent] = 'strict'. See docs/cdepends-checkers.md."

CDEPENDS_SCOPE ??= "all"
CDEPENDS_SCOPE[doc] = "What superset mode judges of a parent: 'all' (default; its whole interface) or 'child-uses' (only what the child's patched sources and build steps name, directly or through the parent's own macros and declarations: a macro or declaration the child cannot reach may change or go without a rebuild). Makes do_cache_compatibility run after do_patch. No effect in exact mode. Per parent: CDEPENDS_SCOPE[parent] = 'child-uses'. See docs/cdepends-checkers.md."

CDEPENDS_SUPPRESSIONS ??= ""
CDEPENDS_SUPPRESSIONS[doc] = "Per-parent libabigail suppression files for the abidiff checker: CDEPENDS_SUPPRESSIONS[parent] = 'libfoo.abignore'. Absolute paths or names found in FILESPATH (next to the recipe, as for SRC_URI file://). Their contents enter the report and the compat task's signature; a missing file fails at parse time."

CDEPENDS_PACKAGES ??= ""
CDEPENDS_PACKAGES[doc] = "Per-parent package names (CDEPENDS_PACKAGES[parent] = 'libfoo libfoo-dev'), as the parent's PACKAGES names them: the report judges the files of these packages, as the parent deployed them (ipk or deb) and as they install on the target, instead of what the parent stages. CDEPENDS_FILES patterns then apply to those files. Ignored in native variants (they write no packages). See docs/cdepends-target.md."

CDEPENDS_BASELINE_DIR ??= "${SSTATE_DIR}/cdepends-baseline"
CDEPENDS_BASELINE_DIR[doc] = "Superset mode: where the last report emitted for each child and set of child inputs is kept, as <PN>/<key>.report. Under SSTATE_DIR by default, so builders sharing an sstate directory share baselines. Outside every signature."

CDEPENDS_TASK_ORDER ??= "late"
CDEPENDS_TASK_ORDER[doc] = "Where do_cache_compatibility runs: 'late' (after do_prepare_recipe_sysroot, before do_configure; default) or 'early' (before do_fetch). See docs/cdepends.md for the measured trade-off."

CDEPENDS_REPORT_DIR ??= "${WORKDIR}/cdepends-report"
CDEPENDS_REPORT_DIR[doc] = "Directory holding the compatibility report, the only output of do_cache_compatibility. A copy is kept in ${T}."

# An sstate task whose only output is the report. Its output hash (default
# OEOuthashBasic over the report) makes equal reports equivalent, so the hash
# server maps the child's later tasks back to hashes already in sstate.
# The task itself is only added to recipes with CDEPENDS (sstatemgmt.cdepends.setup);
# SSTATETASKS is unchanged for every other recipe.
SSTATETASKS:append = "${@' do_cache_compatibility' if (d.getVar('CDEPENDS') or '').split() else ''}"
do_cache_compatibility[sstate-plaindirs] = "${CDEPENDS_REPORT_DIR}"
do_cache_compatibility[dirs] = "${CDEPENDS_REPORT_DIR}"
do_cache_compatibility[cleandirs] = "${CDEPENDS_REPORT_DIR}"
# Per-parent flags do not enter signatures by themselves; this variable spells
# them out. A signature holds a variable's unexpanded value (here the ${@...}
# call), so [vardepvalue] puts the expanded text in instead.
CDEPENDS_CONFIG = "${@sstatemgmt.cdepends.config_summary(d)}"
CDEPENDS_CONFIG[vardepvalue] = "${CDEPENDS_CONFIG}"
CDEPENDS_CONFIG[doc] = "Internal: the effective checker, file patterns, mode, release metadata policy and suppression file names per parent, so that changing them re-runs do_cache_compatibility (suppression file contents enter through file-checksums)."
do_cache_compatibility[vardeps] += "CDEPENDS CDEPENDS_CONFIG"
do_cache_compatibility[vardepsexclude] += "BB_TASKDEPDATA CDEPENDS_BASELINE_DIR"
do_cache_compatibility[file-checksums] = "${@sstatemgmt.cdepends.library_checksums(d)}"

python do_cache_compatibility() {
    sstatemgmt.cdepends.do_cache_compatibility(d)
}

# Added as a do_configure prefunc to children with a superset-mode parent only.
python cdepends_superset_guard() {
    sstatemgmt.cdepends.superset_guard(d)
}
cdepends_superset_guard[vardepsexclude] += "BB_TASKDEPDATA CDEPENDS_BASELINE_DIR"

python do_cache_compatibility_setscene() {
    sstate_setscene(d)
}
do_cache_compatibility_setscene[postfuncs] += "cdepends_keep_report"
python cdepends_keep_report() {
    sstatemgmt.cdepends.keep_restored_report(d)
}

python () {
    sstatemgmt.cdepends.setup(d)
}

# After every class's anonymous python, so that the parents' names are mapped
# as the variant maps DEPENDS (nativesdk.bbclass maps in its anonymous python).
addhandler cdepends_check
cdepends_check[eventmask] = "bb.event.RecipeTaskPreProcess"
python cdepends_check() {
    sstatemgmt.cdepends.check(d)
}

# BitBake's "Nothing PROVIDES" error does not know the name came from CDEPENDS.
addhandler cdepends_explain_no_provider
cdepends_explain_no_provider[eventmask] = "bb.event.NoProvider"
python cdepends_explain_no_provider() {
    sstatemgmt.cdepends.explain_no_provider(e, d)
}
