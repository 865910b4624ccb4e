# SPDX-License-Identifier: MIT
#
# BitBake-side helpers of CDEPENDS (compatible dependencies), called from
# classes-global/compatible-depends.bbclass and conf/layer.conf. The report
# itself comes from sstatemgmt.compat, which does not import bb.

import glob
import os

import bb
import bb.cache
import bb.event
import bb.parse

from . import oecompat


def _compat():
    # Imported on use: sstatemgmt.compat is plain Python, not a BBIMPORTS module.
    from . import compat
    return compat

CLASS = "compatible-depends"
OPT_IN_LINE = 'INHERIT += "%s"' % CLASS
COMPAT_TASK = "do_cache_compatibility"
MODES = ("exact", "superset")
HANDLER_NAME = "OECDependsEquivHash"


# -- parse time ---------------------------------------------------------------

def _guard(e, d):
    """RecipeParsed handler: CDEPENDS without the opt-in is an error, never ignored."""
    if not (d.getVar("CDEPENDS") or "").split():
        return
    if bb.data.inherits_class(CLASS, d):
        return
    bb.fatal("%s sets CDEPENDS = \"%s\", but compatible dependencies are not enabled: add the line "
             "'%s' to local.conf (or your distro/kas configuration), or use DEPENDS instead of CDEPENDS."
             % (d.getVar("PN"), d.getVar("CDEPENDS").strip(), OPT_IN_LINE))


def register_guard(d):
    """Register the CDEPENDS guard for this configuration parse; return "".

    Called from conf/layer.conf as `include ${@...}` (an include of zero
    files): BitBake expands an include's file name in the configuration
    datastore itself, so the handler's name lands in that datastore's
    __BBHANDLERS_MC, which every recipe datastore inherits and which
    bb.event.fire_class_handlers requires. (An immediate `:=` expansion runs on
    a throw-away copy: the handler was registered but never called.) It runs on
    every configuration parse, after BitBake has reset its class handlers, and
    before the parser processes are forked (they inherit the handler). No
    variable is set, so no signature changes.
    """
    bb.event.register("sstatemgmt_cdepends_guard", _guard, ["bb.event.RecipeParsed"], data=d)
    return ""


def load_signature_generator():
    """Import sstatemgmt.siggen, which adds OECDependsEquivHash to bb.siggen; return "".

    Called from the compatible-depends class (an include of zero files), not
    at import: the generator derives from OE-Core's oe.sstatesig, which is
    importable only once OE-Core's conf/layer.conf has run, and BBLAYERS may
    list this layer first (kas orders layers by repository name). INHERIT
    classes are parsed after every layer.conf and before BitBake selects the
    signature generator.
    """
    from . import siggen  # noqa: F401
    return ""


def explain_no_provider(e, d):
    """bb.event.NoProvider handler: say when the missing name comes from CDEPENDS.

    BitBake's own message ("Nothing PROVIDES 'x' (but app.bb DEPENDS on or
    otherwise requires it)") cannot tell that the name was written in CDEPENDS
    (setup() adds it to DEPENDS). On this error path only, each requiring
    recipe is parsed once more (without its bbappends) to read its CDEPENDS,
    and a line naming the variable and the fix is added to the event's
    reasons before the UI prints it. Class handlers run before UI handlers
    (bb.event.fire), so the UI receives the amended event.
    """
    if e.isRuntime():
        return
    item = e.getItem()
    lines = []
    for fn in getattr(e, "_dependees", None) or []:
        found = _cdepends_naming(fn, item, d)
        if found:
            pn, raw = found
            mapped = "" if raw == item else " (mapped to '%s' for its native variant)" % item
            lines.append("%s lists '%s' in CDEPENDS%s, but no recipe provides it: correct the name in CDEPENDS "
                         "(any recipe name, PROVIDES or virtual name works), or add the layer that provides it "
                         "to BBLAYERS." % (pn, raw, mapped))
    if not lines:
        return
    close = getattr(e, "_close_matches", None)
    if close and not getattr(e, "_reasons", None):
        # BitBake prints close matches only when there are no reasons; keep them.
        lines.append("Close matches:\n  %s" % "\n  ".join(sorted(set(close))))
    e._reasons = list(getattr(e, "_reasons", None) or []) + lines


def _cdepends_naming(fn, item, d):
    """(PN, name as written) if recipe fn lists item in CDEPENDS, else None. Never raises."""
    try:
        realfn, variant, mc = bb.cache.virtualfn2realfn(fn)
        data = d.createCopy()
        # What bb.cookerdata.CookerDataBuilder._parse_recipe sets, for one variant only.
        data.setVar("__BBMULTICONFIG", mc)
        data.setVar("__BB_RECIPE_FILE", realfn)
        data.setVar("__ONLYFINALISE", variant or "default")
        datastores = bb.parse.handle(realfn, data)
        rd = datastores.get(variant or "")
        if rd is None or item not in parent_names(rd):
            return None
        return rd.getVar("PN"), raw_name(rd, item)
    except Exception as exc:  # a best-effort hint must never hide BitBake's own error
        bb.debug(1, "CDEPENDS: could not re-read %s to explain a missing provider: %s" % (fn, exc))
        return None


def is_native_variant(d):
    return bb.data.inherits_class("native", d)


def parent_names(d):
    """CDEPENDS as DEPENDS-style names, mapped to -native for native recipes/variants."""
    names = []
    for name in (d.getVar("CDEPENDS") or "").split():
        if is_native_variant(d) and not name.endswith("-native"):
            if name.startswith("nativesdk-"):
                name = name[len("nativesdk-"):]
            name += "-native"
        if name not in names:
            names.append(name)
    return names


def raw_name(d, name):
    """The name as the user wrote it in CDEPENDS (for per-parent flags)."""
    for raw in (d.getVar("CDEPENDS") or "").split():
        if name == raw or name == raw + "-native":
            return raw
    return name


def setup(d):
    """Anonymous python of the class: wire the compat task into a recipe with CDEPENDS."""
    names = parent_names(d)
    if not names:
        return
    handler = d.getVar("BB_SIGNATURE_HANDLER")
    if handler != HANDLER_NAME:
        bb.fatal("%s uses CDEPENDS, but BB_SIGNATURE_HANDLER is \"%s\" instead of \"%s\": without it the "
                 "child would be rebuilt on every parent change. The %s class sets it; remove the later "
                 "assignment to BB_SIGNATURE_HANDLER that overrides it."
                 % (d.getVar("PN"), handler, HANDLER_NAME, CLASS))
    known = checker_names()
    superset = False
    for name in names:
        checker = checker_for(d, name)
        if checker not in known:
            bb.fatal("%s: unknown CDEPENDS checker \"%s\" for %s. Set CDEPENDS_CHECKER (or "
                     "CDEPENDS_CHECKER[%s]) to one of: %s."
                     % (d.getVar("PN"), checker, name, raw_name(d, name), ", ".join(known)))
        superset |= check_mode(d, name, checker) == "superset"
        suppression_files(d, name, checker)
    # Build and stage the parents exactly as DEPENDS would.
    d.appendVar("DEPENDS", " " + " ".join(names))
    d.setVarFlag(COMPAT_TASK, "depends", " ".join("%s:do_populate_sysroot" % n for n in names))
    order = d.getVar("CDEPENDS_TASK_ORDER")
    if order == "early":
        bb.build.addtask(COMPAT_TASK, "do_fetch do_configure", None, d)
    elif order == "late":
        bb.build.addtask(COMPAT_TASK, "do_configure", "do_prepare_recipe_sysroot", d)
    else:
        bb.fatal("%s: CDEPENDS_TASK_ORDER is \"%s\"; set it to \"early\" or \"late\"." % (d.getVar("PN"), order))
    bb.build.addtask(COMPAT_TASK + "_setscene", None, None, d)
    if superset:
        if order != "late":
            bb.fatal("%s: CDEPENDS_MODE \"superset\" needs CDEPENDS_TASK_ORDER = \"late\" (it is \"%s\"): "
                     "before do_fetch most of the child's dependencies have not run, so the baseline key "
                     "(over their taskhashes) would rarely match. Remove the CDEPENDS_TASK_ORDER assignment or use CDEPENDS_MODE \"exact\"."
                     % (d.getVar("PN"), order))
        # Refuse to build the child for real under a report that was
        # canonicalised to the baseline (see superset_guard).
        d.appendVarFlag("do_configure", "prefuncs", " cdepends_superset_guard")


def checker_for(d, name):
    return _flag(d, "CDEPENDS_CHECKER", name) or d.getVar("CDEPENDS_CHECKER")


def _flag(d, var, name):
    """A per-parent flag, set with the name as written in CDEPENDS or as mapped (-native)."""
    raw = raw_name(d, name)
    return d.getVarFlag(var, raw) or d.getVarFlag(var, name)


def mode_for(d, name):
    return (_flag(d, "CDEPENDS_MODE", name) or d.getVar("CDEPENDS_MODE") or "exact").strip()


def check_mode(d, name, checker):
    """The parent's mode; bb.fatal naming CDEPENDS_MODE for a bad one."""
    compat = _compat()
    mode = mode_for(d, name)
    raw = raw_name(d, name)
    if mode not in MODES:
        bb.fatal("%s: unknown CDEPENDS mode \"%s\" for %s. Set CDEPENDS_MODE (or CDEPENDS_MODE[%s]) "
                 "to one of: %s." % (d.getVar("PN"), mode, name, raw, ", ".join(MODES)))
    cls = compat.CHECKERS[checker]
    if mode == "superset" and not cls.supports_superset:
        bb.fatal("%s: CDEPENDS_MODE[%s] is \"superset\", but checker \"%s\" has no superset mode. Set "
                 "CDEPENDS_CHECKER[%s] to one of: %s, or CDEPENDS_MODE[%s] to \"exact\"."
                 % (d.getVar("PN"), raw, checker, raw,
                    ", ".join(sorted(n for n, c in compat.CHECKERS.items() if c.supports_superset)), raw))
    return mode


def suppression_files(d, name, checker=None):
    """Absolute paths of CDEPENDS_SUPPRESSIONS[parent]; bb.fatal naming the variable if one is missing.

    Words are absolute paths, or names found in FILESPATH like a
    SRC_URI file:// entry (a file next to the recipe, in files/ or ${PN}/).
    """
    raw = raw_name(d, name)
    words = (_flag(d, "CDEPENDS_SUPPRESSIONS", name) or "").split()
    if not words:
        return []
    checker = checker or checker_for(d, name)
    if not _compat().CHECKERS[checker].uses_suppressions:
        bb.fatal("%s: CDEPENDS_SUPPRESSIONS[%s] is set, but suppression files only apply to the abidiff "
                 "checker, not \"%s\". Set CDEPENDS_CHECKER[%s] = \"abidiff\" or remove "
                 "CDEPENDS_SUPPRESSIONS[%s]." % (d.getVar("PN"), raw, checker, raw, raw))
    paths = []
    for word in words:
        rel = word[len("file://"):] if word.startswith("file://") else word
        path = rel if os.path.isabs(rel) else bb.utils.which(d.getVar("FILESPATH") or "", rel)
        if not path or not os.path.isfile(path):
            bb.fatal("%s: CDEPENDS_SUPPRESSIONS[%s] names \"%s\", which does not exist%s. Fix the path "
                     "(absolute, or a file next to the recipe as for SRC_URI file://) or remove it."
                     % (d.getVar("PN"), raw, word,
                        "" if os.path.isabs(rel) else " in FILESPATH"))
        paths.append(path)
    return paths


def checker_names():
    compat = _compat()
    return sorted(compat.CHECKERS)


# -- the task -----------------------------------------------------------------

@oecompat.vardepsexclude("BB_TASKDEPDATA")
def _parent_pns(d):
    """{name in CDEPENDS (mapped): PN} from BB_TASKDEPDATA (resolves PROVIDES/virtual names)."""
    taskdepdata = d.getVar("BB_TASKDEPDATA", False)
    pn = d.getVar("PN")
    result = {}
    for dep in _my_compat_entry(d)[3]:
        entry = taskdepdata[dep]
        if entry[1] != "do_populate_sysroot":
            continue
        for name in parent_names(d):
            if name == entry[0] or name in entry[4]:
                result[name] = entry[0]
    missing = [n for n in parent_names(d) if n not in result]
    if missing:
        bb.fatal("%s: no do_populate_sysroot dependency found for CDEPENDS %s" % (pn, " ".join(missing)))
    return result


def component_dir(d, pn, fn):
    """Directory holding exactly what parent pn staged (its sysroot component)."""
    import oe.sstatesig
    manifest, d2 = oe.sstatesig.find_sstate_manifest(pn, fn, "populate_sysroot", d, {})
    base = os.path.basename(manifest)
    pkgarch = base[len("manifest-"):-len("-%s.populate_sysroot" % pn)]
    path = os.path.join(d2.getVar("COMPONENTS_DIR"), pkgarch, pn)
    if not os.path.isdir(path):
        bb.fatal("%s: the sysroot component of %s (%s) does not exist" % (d.getVar("PN"), pn, path))
    return path


@oecompat.vardepsexclude("BB_TASKDEPDATA")
def parent_inputs(d):
    compat = _compat()
    taskdepdata = d.getVar("BB_TASKDEPDATA", False)
    fns = dict((v[0], v[2]) for v in taskdepdata.values() if v[1] == "do_populate_sysroot")
    inputs = []
    for name, pn in sorted(_parent_pns(d).items(), key=lambda kv: kv[1]):
        globs = (_flag(d, "CDEPENDS_FILES", name) or "").split()
        checker = checker_for(d, name)
        inputs.append(compat.ParentInput(pn, component_dir(d, pn, fns[pn]), checker=checker,
                                         globs=globs or None, mode=mode_for(d, name),
                                         suppressions=suppression_files(d, name, checker) or None))
    return inputs


def report_name(d):
    return "%s.cdepends-report" % d.getVar("PN")


def _fatal_compat(d, e):
    hint = ""
    if "not found on PATH" in str(e):
        # Tasks only see HOSTTOOLS, not the whole host PATH.
        hint = (" (tasks run with PATH limited to HOSTTOOLS: if the tool is installed on the host, "
                "add it to HOSTTOOLS_NONFATAL in local.conf)")
    bb.fatal("%s: %s%s" % (d.getVar("PN"), e, hint))


def full_report(d, inputs=None, warn=bb.warn):
    """The report of the parents as they are now, without a baseline."""
    compat = _compat()
    try:
        return compat.build_report(d.getVar("PN"), inputs or parent_inputs(d), warn=warn,
                                   log_dir=d.getVar("T"))
    except compat.CompatError as e:
        _fatal_compat(d, e)


# -- superset mode: the baseline ------------------------------------------------

@oecompat.vardepsexclude("BB_TASKDEPDATA")
def _my_compat_entry(d):
    """This recipe's do_cache_compatibility entry of BB_TASKDEPDATA."""
    pn = d.getVar("PN")
    for v in d.getVar("BB_TASKDEPDATA", False).values():
        if v[0] == pn and v[1] == COMPAT_TASK:
            return v
    bb.fatal("%s: %s is missing from BB_TASKDEPDATA" % (pn, COMPAT_TASK))


def baseline_key(d):
    """The child key (sstatemgmt.compat.child_key) from the signature generator's tables.

    In a task, bb.parse.siggen holds the runqueue's taskhash, basehash,
    runtaskdeps, file checksums and taints of every task (the worker receives
    them with its startup data and before each task).
    """
    sig = bb.parse.siggen
    return _compat().child_key(_my_compat_entry(d)[2], COMPAT_TASK, sig.taskhash, sig.basehash, sig.runtaskdeps,
                               getattr(sig, "file_checksum_values", None), getattr(sig, "taints", None))


def baseline_store(d):
    return _compat().BaselineStore(d.getVar("CDEPENDS_BASELINE_DIR"))


def emit_with_baseline(d, inputs, full):
    """The report to emit for a child with superset parents: the stored
    baseline if the full report is a compatible superset of it as a whole,
    else the full report. Records what it emits as the next baseline."""
    compat = _compat()
    pn = d.getVar("PN")
    key = baseline_key(d)
    store = baseline_store(d)
    baseline = store.load(pn, key)
    if baseline is None:
        bb.note("CDEPENDS superset mode: no baseline for %s (key %s) in %s; emitting the full report"
                % (pn, key[:16], store.root))
    text, canonical = compat.baseline_or_full(baseline, full, warn=bb.note, log_dir=d.getVar("T"))
    if canonical:
        bb.note("CDEPENDS superset mode: the parents of %s are a compatible superset of the baseline; "
                "emitting the baseline report (key %s)" % (pn, key[:16]))
    elif baseline is not None and baseline != full:
        bb.note("CDEPENDS superset mode: the parents of %s are not a compatible superset of the "
                "baseline; emitting the full report (the child is rebuilt)" % pn)
    try:
        store.save(pn, key, text)
    except OSError as e:
        bb.warn("%s: cannot record the superset baseline in %s (%s); the next parent change "
                "compares exactly" % (pn, store.root, e))
    return text


def superset_guard(d):
    """do_configure prefunc of a child with superset parents.

    If the child is built for real while its compat report was canonicalised
    to a baseline (the child's sstate objects for that report are gone), the
    build would be stored as built against the baseline although it sees the
    newer parent. Stop before building: drop the baseline, taint the compat
    task so that it runs again and emits the full report, and ask for a rerun.
    """
    path = os.path.join(d.getVar("CDEPENDS_REPORT_DIR"), report_name(d))
    try:
        with open(path) as f:
            emitted = f.read()
    except OSError:
        bb.fatal("%s: the compatibility report %s is missing; run bitbake -c %s -f %s"
                 % (d.getVar("PN"), path, COMPAT_TASK[3:], d.getVar("PN")))
    full = full_report(d, warn=lambda message: None)
    if full == emitted:
        return
    pn = d.getVar("PN")
    try:
        store = baseline_store(d)
        store.drop(pn, baseline_key(d))
    except (OSError, ValueError) as e:
        bb.warn("%s: cannot drop the superset baseline (%s)" % (pn, e))
    bb.build.write_taint(COMPAT_TASK, d)
    bb.fatal("%s must be rebuilt, but its compatibility report was canonicalised to a superset baseline "
             "whose build is not in sstate: building now would record this child as built against the "
             "baseline. The baseline was dropped and %s tainted; run bitbake again to rebuild %s "
             "against the current parents." % (pn, COMPAT_TASK, pn))


def do_cache_compatibility(d):
    """Write the compatibility report into ${CDEPENDS_REPORT_DIR} (the task's only sstate output)."""
    outdir = d.getVar("CDEPENDS_REPORT_DIR")
    inputs = parent_inputs(d)
    text = full_report(d, inputs)
    if any(p.mode == "superset" for p in inputs):
        text = emit_with_baseline(d, inputs, text)
    path = os.path.join(outdir, report_name(d))
    with open(path, "w") as f:
        f.write(text)
    keep_report(d, path)
    bb.note("CDEPENDS compatibility report of %s written to %s" % (d.getVar("PN"), path))


def keep_report(d, path):
    """Copy the report next to the task logs in ${T} (also after a setscene restore)."""
    t = d.getVar("T")
    bb.utils.mkdirhier(t)
    import shutil
    shutil.copyfile(path, os.path.join(t, os.path.basename(path)))


def config_summary(d):
    """The effective checker and globs of each parent, for the compat task's signature."""
    if not (d.getVar("CDEPENDS") or "").split():
        return ""
    parts = []
    for name in parent_names(d):
        globs = _flag(d, "CDEPENDS_FILES", name) or ""
        part = "%s:%s:%s" % (name, checker_for(d, name), ",".join(globs.split()))
        # Only non-default settings, so that existing signatures stay as they were.
        mode = mode_for(d, name)
        if mode != "exact":
            part += ":mode=" + mode
        supp = (_flag(d, "CDEPENDS_SUPPRESSIONS", name) or "").split()
        if supp:
            # Names only: the contents enter through file-checksums, and a
            # path would differ between build hosts.
            part += ":suppressions=" + ",".join(os.path.basename(w) for w in supp)
        parts.append(part)
    return " ".join(parts)


def library_checksums(d):
    """file-checksums of the report library, so that a new report format re-runs the task."""
    if not (d.getVar("CDEPENDS") or "").split():
        return ""
    here = os.path.dirname(os.path.abspath(__file__))
    files = sorted(glob.glob(os.path.join(here, "compat", "*.py")))
    # The suppression files' contents (missing ones fail in setup()).
    for name in parent_names(d):
        for word in (_flag(d, "CDEPENDS_SUPPRESSIONS", name) or "").split():
            rel = word[len("file://"):] if word.startswith("file://") else word
            path = rel if os.path.isabs(rel) else bb.utils.which(d.getVar("FILESPATH") or "", rel)
            if path and path not in files:
                files.append(path)
    return " ".join("%s:True" % f for f in files)


def keep_restored_report(d):
    path = os.path.join(d.getVar("CDEPENDS_REPORT_DIR"), report_name(d))
    if os.path.exists(path):
        keep_report(d, path)
