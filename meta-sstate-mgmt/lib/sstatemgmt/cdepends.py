# SPDX-License-Identifier: MIT
#
# BitBake-side helpers of CDEPENDS (compatible dependencies), called from
# classes-global/compatible-depends.bbclass and conf/layer.conf. The report
# itself comes from sstatemgmt.compat, which does not import bb.

import glob
import os
import re
import shlex

import bb
import bb.cache
import bb.event
import bb.parse

from . import oecompat
from . import pkgfiles


def _compat():
    # Imported on use: sstatemgmt.compat is plain Python, not a BBIMPORTS module.
    from . import compat
    return compat

CLASS = "compatible-depends"
OPT_IN_LINE = 'INHERIT += "%s"' % CLASS
COMPAT_TASK = "do_cache_compatibility"
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
            pn, parent, variant = found
            mapped = "" if parent.written == item else " (mapped to '%s' for its %s variant)" % (item, variant)
            lines.append("%s lists '%s' in CDEPENDS%s, but no recipe provides it: correct the name in CDEPENDS "
                         "(any recipe name, PROVIDES or virtual name works), or add the layer that provides it "
                         "to BBLAYERS." % (pn, parent.written, mapped))
    if not lines:
        return
    close = getattr(e, "_close_matches", None)
    if close and not getattr(e, "_reasons", None):
        # BitBake prints close matches only when there are no reasons; keep them.
        lines.append("Close matches:\n  %s" % "\n  ".join(sorted(set(close))))
    e._reasons = list(getattr(e, "_reasons", None) or []) + lines


def _cdepends_naming(fn, item, d):
    """(PN, its Parent named item, variant_name) if recipe fn lists item in
    CDEPENDS, else None. Never raises."""
    try:
        realfn, variant, mc = bb.cache.virtualfn2realfn(fn)
        data = d.createCopy()
        # What bb.cookerdata.CookerDataBuilder._parse_recipe sets, for one variant only.
        data.setVar("__BBMULTICONFIG", mc)
        data.setVar("__BB_RECIPE_FILE", realfn)
        data.setVar("__ONLYFINALISE", variant or "default")
        datastores = bb.parse.handle(realfn, data)
        rd = datastores.get(variant or "")
        if rd is None:
            return None
        for parent in parents(rd):
            if parent.name == item:
                return rd.getVar("PN"), parent, variant_name(rd)
        return None
    except Exception as exc:  # a best-effort hint must never hide BitBake's own error
        bb.debug(1, "CDEPENDS: could not re-read %s to explain a missing provider: %s" % (fn, exc))
        return None


# -- the parents and their settings ---------------------------------------------

def _map_names(d, written):
    """[(name as written, name as mapped)] for the names written in CDEPENDS.

    The mapped name is the one DEPENDS would give the parent in this recipe
    variant: a name maps exactly as it would in DEPENDS, so moving a name
    between DEPENDS and CDEPENDS never changes which recipe it names. An
    empty mapped name means DEPENDS would drop it (a native variant naming
    its own target recipe).

    OE-Core maps DEPENDS for a class extension with a filter on the variable:
    native.bbclass's native_virtclass_handler (native_filter, for
    BBCLASSEXTEND "native", at RecipePreFinalise), multilib.bbclass
    (RecipePostKeyExpansion) and nativesdk.bbclass (in its anonymous python,
    so after this class's: see setup()) through
    oe.classextend.ClassExtender(...).set_filter("DEPENDS", deps=True). Each
    name is passed through that filter by reading DEPENDS in a copy of the
    datastore where it holds only that name, so whatever mapping OE-Core (or
    another layer) installed for DEPENDS applies, and no class is second-
    guessed here. A recipe that inherits native directly has no filter; its
    DEPENDS, and so its CDEPENDS, name -native recipes themselves.

    This differs between releases: blacksail and wrynose (BitBake 2.18)
    filter as above; scarthgap (BitBake 2.8) has no variable filters:
    nativesdk and multilib rename DEPENDS to DEPENDS_NONML behind
    oe.classextend.get_depends(), and native rewrites DEPENDS once in its
    handler, so there oecompat.map_depends restates OE-Core's mapping.
    """
    if not written:
        return []
    if not oecompat.depends_filters():
        return list(zip(written, oecompat.map_depends(d, written)))
    mapper = bb.data.createCopy(d)
    names = []
    for name in written:
        # delVar drops DEPENDS' appends, removes and overrides too; the filter stays.
        mapper.delVar("DEPENDS")
        mapper.setVar("DEPENDS", name)
        mapped = (mapper.getVar("DEPENDS") or "").split()
        # A filter maps one name to one, or drops it.
        names.append((name, mapped[0] if mapped else ""))
    return names


def variant_name(d):
    """How this recipe extends its class, for messages: "native",
    "nativesdk", "lib32 multilib", or "target"."""
    extension = d.getVar("BBEXTENDCURR")
    if extension == "multilib":
        return "%s multilib" % d.getVar("BBEXTENDVARIANT")
    return extension or (d.getVar("CLASSOVERRIDE") or "class-target")[len("class-"):]


def _words(value):
    return (value or "").split()


def _basenames(words):
    # Names only: the contents enter through file-checksums, and a path would
    # differ between build hosts.
    return ",".join(os.path.basename(w) for w in words)


class Setting:
    """One per-parent setting: the variable VAR, read as VAR[parent].

    The flag is looked up with the parent's name as written in CDEPENDS, then
    with its name as mapped for this recipe variant (as DEPENDS would name
    it). ``inherit``: an unset flag falls back to the variable's own value
    (``CDEPENDS_CHECKER = "abidiff"`` for every parent). ``words``: the value
    is a list of words, else one word. ``default``: the value when nothing is
    set.

    ``key`` says how the value enters CDEPENDS_CONFIG, and so the compat
    task's signature: None for the positional fields (always present), else
    ":key=value", present only when the value differs from ``default``.
    ``render`` spells the value there. ``to_input``: the value is passed to
    compat.ParentInput as the keyword ``attr``.

    ``unsupported``: (why, fix) templates of the error for a parent whose
    checker cannot honour the setting (compat.check_options raised an
    OptionError for ``attr``). They see {var}, {written}, {value}, {checker}
    and {capable} (the checkers that can).

    Adding a per-parent variable is one row in SETTINGS (and the variable's
    weak default and [doc] in compatible-depends.bbclass). Every Parent then
    carries it as ``Parent.<attr>``, read once; CDEPENDS_CONFIG spells it
    only when it is not at its default, so no existing signature moves; and,
    with ``to_input``, compat.ParentInput receives it. If some checker cannot
    honour it, teach compat.check_options the option, pass it there in
    validate() and give the row its ``unsupported`` templates.
    """

    def __init__(self, var, attr, inherit=False, words=False, default="", key=None,
                 render=None, to_input=True, unsupported=None):
        self.var = var
        self.attr = attr
        self.inherit = inherit
        self.words = words
        self.default = [] if words else default
        self.key = key
        self.render = render or (",".join if words else str)
        self.to_input = to_input
        self.unsupported = unsupported

    def read(self, d, written, name):
        value = d.getVarFlag(self.var, written) or d.getVarFlag(self.var, name)
        if not value and self.inherit:
            value = d.getVar(self.var)
        if self.words:
            return _words(value)
        return (value or "").strip() or self.default


# Every per-parent setting, in the order CDEPENDS_CONFIG spells them (see Setting).
SETTINGS = (
    Setting("CDEPENDS_CHECKER", "checker", inherit=True),
    Setting("CDEPENDS_FILES", "globs", words=True),
    Setting("CDEPENDS_MODE", "mode", inherit=True, default="exact", key="mode",
            unsupported=('is "{value}", but checker "{checker}" has no superset mode',
                         '{var}[{written}] to "exact"')),
    Setting("CDEPENDS_RELEASE_METADATA", "release_metadata", inherit=True, default="ignore",
            key="release-metadata"),
    Setting("CDEPENDS_SCOPE", "scope", inherit=True, default="all", key="scope"),
    Setting("CDEPENDS_SUPPRESSIONS", "suppressions", words=True, key="suppressions",
            render=_basenames, to_input=False,
            unsupported=("is set, but suppression files only apply to the {capable} checker, not \"{checker}\"",
                         "remove {var}[{written}]")),
    # Mapped for class extensions in Parent; read in package_root().
    Setting("CDEPENDS_PACKAGES", "packages", words=True, key="packages", to_input=False),
)
_BY_ATTR = dict((s.attr, s) for s in SETTINGS)


class Parent:
    """One CDEPENDS parent of a recipe: its name as written and as mapped
    (``name``, what the recipe depends on), and one attribute per Setting.
    ``suppression_paths``: [(word, absolute path or None if not found)].
    """

    def __init__(self, d, written, name):
        self.written = written
        self.name = name
        for setting in SETTINGS:
            setattr(self, setting.attr, setting.read(d, written, name))
        self.suppression_paths = [(w, _find_file(d, w)) for w in self.suppressions]
        # Package names are written as the parent's target recipe names them
        # and map as DEPENDS names do (nativesdk-, lib32-). Native and cross
        # variants write no packages: their parents are judged by what they stage.
        if self.packages:
            self.packages = [] if not writes_packages(d) else [m for _, m in _map_names(d, self.packages) if m]

    def summary(self):
        """This parent's part of CDEPENDS_CONFIG."""
        fields = [self.name]
        for setting in SETTINGS:
            value = getattr(self, setting.attr)
            if setting.key is None:
                fields.append(setting.render(value))
            elif value != setting.default:
                fields.append("%s=%s" % (setting.key, setting.render(value)))
        return ":".join(fields)

    def parent_input(self, pn, root):
        """The compat.ParentInput of this parent, staged by recipe pn in root (or
        its packages unpacked there)."""
        options = dict((s.attr, getattr(self, s.attr)) for s in SETTINGS if s.to_input)
        # A suppression file that vanished since parsing is named as written;
        # compat refuses it.
        suppressions = [path or word for word, path in self.suppression_paths]
        return _compat().ParentInput(pn, root, suppressions=suppressions, **options)


def _file_name(word):
    return word[len("file://"):] if word.startswith("file://") else word


def _find_file(d, word):
    """An absolute path, or a name found in FILESPATH like a SRC_URI file://
    entry (next to the recipe, in files/ or ${PN}/); None if there is no such file."""
    rel = _file_name(word)
    path = rel if os.path.isabs(rel) else bb.utils.which(d.getVar("FILESPATH") or "", rel)
    return path if path and os.path.isfile(path) else None


def parents(d):
    """The recipe's CDEPENDS parents (a list of Parent), each named once.

    Every setting of every parent is read here, once per call, and each
    caller (setup, compat_depends, check, config_summary, library_checksums,
    the task) calls it once. It is not kept between calls: the names are
    only final after every class's anonymous python (see setup()).
    """
    result = []
    seen = set()
    for written, name in _map_names(d, _words(d.getVar("CDEPENDS"))):
        if name and name not in seen:
            seen.add(name)
            result.append(Parent(d, written, name))
    return result


def validate(d, found):
    """bb.fatal, naming the variable to fix, for the first setting that is
    unknown or that its parent's checker cannot honour, or a suppression file
    that does not exist."""
    compat = _compat()
    pn = d.getVar("PN")
    for parent in found:
        try:
            compat.check_options(parent.checker, parent.mode, suppressions=parent.suppressions,
                                 release_metadata=parent.release_metadata, scope=parent.scope)
        except compat.OptionError as e:
            bb.fatal("%s: %s" % (pn, _option_error(parent, e)))
        if parent.packages:
            _check_packages(d, parent)
        for word, path in parent.suppression_paths:
            if path is None:
                bb.fatal("%s: CDEPENDS_SUPPRESSIONS[%s] names \"%s\", which does not exist%s. Fix the path "
                         "(absolute, or a file next to the recipe as for SRC_URI file://) or remove it."
                         % (pn, parent.written, word, "" if os.path.isabs(_file_name(word)) else " in FILESPATH"))


def _check_packages(d, parent):
    """bb.fatal for CDEPENDS_PACKAGES this build cannot honour."""
    pn = d.getVar("PN")
    fmt = package_format(d)
    if fmt not in pkgfiles.FORMATS:
        bb.fatal("%s: CDEPENDS_PACKAGES[%s] judges the parent's packages, which are read from its %s "
                 "archives; this build writes %s first (PACKAGE_CLASSES = \"%s\"). Put package_ipk or "
                 "package_deb first in PACKAGE_CLASSES, or remove CDEPENDS_PACKAGES[%s] (the report then "
                 "judges what the parent stages)."
                 % (pn, parent.written, " or ".join(pkgfiles.FORMATS), fmt or "no packages",
                    d.getVar("PACKAGE_CLASSES") or "", parent.written))
    debug = [p for p in parent.packages if p.endswith("-dbg")]
    if debug:
        bb.fatal("%s: CDEPENDS_PACKAGES[%s] names %s: debug information changes with every change of the "
                 "parent's code, so the child would be rebuilt every time. Remove it; for the abidiff "
                 "checker, the parent can stage its debug information instead (inherit cdepends-debuginfo)."
                 % (pn, parent.written, " ".join(debug)))


def _option_error(parent, e):
    setting = _BY_ATTR[e.option]
    if not e.unsupported:
        return ("unknown %s \"%s\" for %s. Set %s (or %s[%s]) to one of: %s."
                % (setting.var, e.value, parent.name, setting.var, setting.var, parent.written, ", ".join(e.choices)))
    checker = _BY_ATTR["checker"].var
    why, fix = setting.unsupported
    fields = dict(var=setting.var, written=parent.written, value=e.value, checker=parent.checker,
                  capable=" or ".join(e.choices))
    choices = ("= \"%s\"" % e.choices[0]) if len(e.choices) == 1 else "to one of: %s," % ", ".join(e.choices)
    return ("%s[%s] %s. Set %s[%s] %s or %s."
            % (setting.var, parent.written, why.format(**fields), checker, parent.written, choices,
               fix.format(**fields)))


def setup(d):
    """Anonymous python of the class: add the compat task to a recipe with CDEPENDS.

    It may run before a class extension has installed its mapping: the
    anonymous python of nativesdk.bbclass, which installs the DEPENDS filter,
    is registered after this class's. So what needs the final names is read
    later: the compat task's [depends] flag (compat_depends) and
    CDEPENDS_CONFIG are expanded after all anonymous python, and the
    settings are checked by check() from a RecipeTaskPreProcess handler.
    """
    found = parents(d)
    if not found:
        return
    handler = d.getVar("BB_SIGNATURE_HANDLER")
    if handler != HANDLER_NAME:
        bb.fatal("%s uses CDEPENDS, but BB_SIGNATURE_HANDLER is \"%s\" instead of \"%s\": without it the "
                 "child would be rebuilt on every parent change. The %s class sets it; remove the later "
                 "assignment to BB_SIGNATURE_HANDLER that overrides it."
                 % (d.getVar("PN"), handler, HANDLER_NAME, CLASS))
    # Build and stage the parents exactly as DEPENDS would. A mapping
    # installed later maps these names too, as it maps all of DEPENDS.
    d.appendVar("DEPENDS", " " + " ".join(p.name for p in found))
    d.setVarFlag(COMPAT_TASK, "depends", "${@sstatemgmt.cdepends.compat_depends(d)}")
    order = d.getVar("CDEPENDS_TASK_ORDER")
    if order == "early":
        bb.build.addtask(COMPAT_TASK, "do_fetch do_configure", None, d)
    elif order == "late":
        # The child-uses scope reads the child's patched sources.
        after = "do_prepare_recipe_sysroot" + (" do_patch" if scoped(found) else "")
        bb.build.addtask(COMPAT_TASK, "do_configure", after, d)
    else:
        bb.fatal("%s: CDEPENDS_TASK_ORDER is \"%s\"; set it to \"early\" or \"late\"." % (d.getVar("PN"), order))
    bb.build.addtask(COMPAT_TASK + "_setscene", None, None, d)


def scoped(found):
    """Whether a parent is judged in the child-uses scope (superset mode)."""
    return any(p.mode == "superset" and p.scope == "child-uses" for p in found)


#: Variables of the child whose text the use set reads besides its sources:
#: its build steps and flags can name a parent's macros or functions.
USE_VARS = ("do_configure", "do_compile", "do_install", "EXTRA_OECONF", "EXTRA_OECMAKE",
            "EXTRA_OEMESON", "EXTRA_OEMAKE", "PACKAGECONFIG_CONFARGS", "CC", "CPPFLAGS", "CFLAGS",
            "CXXFLAGS", "LDFLAGS")


def source_dirs(d):
    """Where the child's sources are after do_patch: ${UNPACKDIR} (every
    unpacked SRC_URI entry, S among them) where the release has it, else ${S}."""
    unpackdir = d.getVar("UNPACKDIR")
    s = d.getVar("S")
    if unpackdir and os.path.isdir(unpackdir):
        return [unpackdir] + ([s] if s and not (s + "/").startswith(unpackdir + "/") else [])
    return [s]


#: What lies in ${WORKDIR} besides sources (scarthgap recipes with local
#: files have S = ${WORKDIR}): never read into the use set.
_WORKDIR_NOT_SOURCES = ("recipe-sysroot", "recipe-sysroot-native", "temp", "image", "package",
                        "packages-split", "pkgdata", "pkgdata-sysroot", "sysroot-destdir",
                        "license-destdir", "deploy-debs", "deploy-ipks", "deploy-rpms",
                        "deploy-source-date-epoch", "pseudo", "spdx", "cdepends-report",
                        "cdepends-packages", "sstate-build-cache_compatibility")


def not_sources(d):
    """Directories under the source directories that hold no sources: the
    build directory (when it is not ${S}) and WORKDIR's own subdirectories."""
    workdir = d.getVar("WORKDIR")
    out = [os.path.join(workdir, n) for n in _WORKDIR_NOT_SOURCES]
    b, s = d.getVar("B"), d.getVar("S")
    if b and os.path.realpath(b) != os.path.realpath(s or ""):
        out.append(b)
    return out


def child_uses(d, inputs):
    """The child's use set (compat.scan_uses) when a parent is judged in the
    child-uses scope and the sources are there (late task order), else None."""
    if not scoped(inputs):
        return None
    if d.getVar("CDEPENDS_TASK_ORDER") != "late":
        return None
    texts = [d.getVar(v) or "" for v in USE_VARS]
    uses = _compat().scan_uses([p for p in source_dirs(d) if p and os.path.exists(p)], texts,
                               skip=not_sources(d))
    # Why an unbounded use set scopes nothing is noted by compat.scoped_uses.
    bb.note("CDEPENDS scope child-uses: %d names in %d files (%d KiB) of %s's sources"
            % (len(uses.names), uses.files, uses.size >> 10, d.getVar("PN")))
    return uses


def compat_depends(d):
    """The compat task's [depends]: each parent's do_populate_sysroot; for a parent
    judged by its packages, also the task writing them and its pkgdata (which
    maps package names to the written ones; a reused child does not install it)."""
    found = parents(d)
    depends = ["%s:do_populate_sysroot" % p.name for p in found]
    fmt = package_format(d)
    if fmt in pkgfiles.FORMATS:
        for p in found:
            if p.packages:
                depends += ["%s:do_packagedata" % p.name, "%s:do_package_write_%s" % (p.name, fmt)]
    return " ".join(depends)


def check(d):
    """RecipeTaskPreProcess handler: check the settings of the parents, by
    their final names, and guard a child with a superset-mode parent."""
    found = parents(d)
    if not found:
        return
    validate(d, found)
    if any(p.mode == "superset" for p in found):
        order = d.getVar("CDEPENDS_TASK_ORDER")
        if order != "late":
            bb.fatal("%s: CDEPENDS_MODE \"superset\" needs CDEPENDS_TASK_ORDER = \"late\" (it is \"%s\"): "
                     "before do_fetch most of the child's dependencies have not run, so the baseline key "
                     "(over their taskhashes) would rarely match. Remove the CDEPENDS_TASK_ORDER assignment or use CDEPENDS_MODE \"exact\"."
                     % (d.getVar("PN"), order))
        # Refuse to build the child for real under a report that was
        # canonicalised to the baseline (see superset_guard).
        d.appendVarFlag("do_configure", "prefuncs", " cdepends_superset_guard")


def config_summary(d):
    """CDEPENDS_CONFIG: the effective settings of each parent, for the compat task's signature."""
    return " ".join(p.summary() for p in parents(d))


def library_checksums(d):
    """file-checksums of the report library, so that a new report format re-runs the task."""
    found = parents(d)
    if not found:
        return ""
    here = os.path.dirname(os.path.abspath(__file__))
    files = sorted(glob.glob(os.path.join(here, "compat", "*.py")))
    # How packages are unpacked, for children that judge packages only (so
    # that no other signature moves).
    if any(p.packages for p in found):
        files.append(os.path.join(here, "pkgfiles.py"))
    # The suppression files' contents (missing ones fail in check()).
    for parent in found:
        for _word, path in parent.suppression_paths:
            if path and path not in files:
                files.append(path)
    return " ".join("%s:True" % f for f in files)


# -- the task -----------------------------------------------------------------

@oecompat.vardepsexclude("BB_TASKDEPDATA")
def _parent_tasks(d, found):
    """{Parent.name: the parent's do_populate_sysroot entry of BB_TASKDEPDATA}
    (resolves PROVIDES and virtual names to the providing recipe)."""
    taskdepdata = d.getVar("BB_TASKDEPDATA", False)
    result = {}
    for dep in _my_compat_entry(d).deps:
        entry = taskdepdata[dep]
        if entry.taskname != "do_populate_sysroot":
            continue
        for parent in found:
            if parent.name == entry.pn or parent.name in entry.provides:
                result[parent.name] = entry
    missing = [p.name for p in found if p.name not in result]
    if missing:
        bb.fatal("%s: no do_populate_sysroot dependency found for CDEPENDS %s" % (d.getVar("PN"), " ".join(missing)))
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


def package_format(d):
    """The package format this build writes first ("ipk", "deb", "rpm"), or None."""
    classes = _words(d.getVar("PACKAGE_CLASSES"))
    return classes[0][len("package_"):] if classes and classes[0].startswith("package_") else None


def writes_packages(d):
    """Whether recipes of this variant write packages (not native, cross or crosssdk)."""
    return not any(bb.data.inherits_class(c, d) for c in ("native", "cross", "crosssdk"))


def package_root(d, parent, pn, fn):
    """Unpack the packages of CDEPENDS_PACKAGES[parent] that recipe pn deployed
    (its do_package_write_<format> sstate manifest lists them) into
    ${WORKDIR}/cdepends-packages/<pn>, as installed on the target; return that
    directory. Names are mapped to the written package names (debian.bbclass
    renaming, PKG:<package>) through the parent's pkgdata."""
    import oe.packagedata
    import oe.sstatesig
    fmt = package_format(d)
    manifest, _ = oe.sstatesig.find_sstate_manifest(pn, fn, "package_write_%s" % fmt, d, {})
    with open(manifest) as f:
        files = [line.strip() for line in f if line.strip().endswith("." + fmt)]
    try:
        deployed = pkgfiles.by_package(files)
    except pkgfiles.PackageError as e:
        bb.fatal("%s: %s" % (d.getVar("PN"), e))
    root = os.path.join(d.getVar("WORKDIR"), "cdepends-packages", pn)
    bb.utils.remove(root, recurse=True)
    bb.utils.mkdirhier(root)
    for name in parent.packages:
        written = oe.packagedata.read_subpkgdata_dict(name, d).get("PKG") or name
        if written not in deployed:
            bb.fatal("%s: CDEPENDS_PACKAGES[%s] names the package %s%s, which %s did not write (it wrote: %s). "
                     "Name packages from the PACKAGES of %s; an empty package is only written with ALLOW_EMPTY."
                     % (d.getVar("PN"), parent.written, name, "" if written == name else " (%s)" % written, pn,
                        " ".join(sorted(deployed)) or "nothing", pn))
        try:
            pkgfiles.unpack(deployed[written], root)
        except (pkgfiles.PackageError, OSError) as e:
            bb.fatal("%s: cannot unpack %s for CDEPENDS_PACKAGES[%s]: %s" % (d.getVar("PN"), deployed[written],
                                                                            parent.written, e))
    return root


def parent_inputs(d):
    """compat.ParentInput of every parent, sorted by the parent's PN."""
    found = parents(d)
    tasks = _parent_tasks(d, found)
    inputs = []
    for p in found:
        entry = tasks[p.name]
        root = package_root(d, p, entry.pn, entry.fn) if p.packages else component_dir(d, entry.pn, entry.fn)
        inputs.append(p.parent_input(entry.pn, root))
    return sorted(inputs, key=lambda i: i.name)


def report_name(d):
    return "%s.cdepends-report" % d.getVar("PN")


def _fatal_compat(d, e):
    hint = ""
    if "not found on PATH" in str(e):
        # Tasks only see HOSTTOOLS, not the whole host PATH.
        hint = (" (tasks run with PATH limited to HOSTTOOLS: if the tool is installed on the host, "
                "add it to HOSTTOOLS_NONFATAL in local.conf)")
    bb.fatal("%s: %s%s" % (d.getVar("PN"), e, hint))


#: Flags of the child's that change which branch of a parent's header its
#: compiler takes: macros defined or undefined, the language standard.
_CPP_FLAG = re.compile(r"-[DU].|-std=")


def preprocessor(d):
    """The child's preprocessor command, for judging the parents' headers by
    what the child's compiler sees (``${CPP}`` with the ``-D``, ``-U`` and
    ``-std=`` flags of ``${CPPFLAGS} ${CFLAGS}``), or None when the task runs
    before the recipe sysroot (and its cross toolchain) is prepared."""
    if d.getVar("CDEPENDS_TASK_ORDER") != "late" or not d.getVar("CPP"):
        return None
    flags = (d.getVar("CPPFLAGS") or "").split() + (d.getVar("CFLAGS") or "").split()
    return " ".join([d.getVar("CPP")] + [shlex.quote(f) for f in flags if _CPP_FLAG.match(f)])


def full_report(d, inputs=None, warn=bb.warn):
    """The report of the parents as they are now, without a baseline."""
    compat = _compat()
    cpp = preprocessor(d)
    try:
        return compat.build_report(d.getVar("PN"), inputs or parent_inputs(d), warn=warn,
                                   log_dir=d.getVar("T"), tools={"cpp": cpp} if cpp else None)
    except compat.CompatError as e:
        _fatal_compat(d, e)


# -- superset mode: the baseline ------------------------------------------------

@oecompat.vardepsexclude("BB_TASKDEPDATA")
def _my_compat_entry(d):
    """This recipe's do_cache_compatibility entry of BB_TASKDEPDATA."""
    pn = d.getVar("PN")
    for entry in d.getVar("BB_TASKDEPDATA", False).values():
        if entry.pn == pn and entry.taskname == COMPAT_TASK:
            return entry
    bb.fatal("%s: %s is missing from BB_TASKDEPDATA" % (pn, COMPAT_TASK))


def baseline_key(d):
    """The child key (sstatemgmt.compat.child_key) from the signature generator's tables.

    In a task, bb.parse.siggen holds the runqueue's taskhash, basehash,
    runtaskdeps, file checksums and taints of every task (the worker receives
    them with its startup data and before each task).
    """
    sig = bb.parse.siggen
    return _compat().child_key(_my_compat_entry(d).fn, COMPAT_TASK, sig.taskhash, sig.basehash, sig.runtaskdeps,
                               getattr(sig, "file_checksum_values", None), getattr(sig, "taints", None))


def baseline_store(d):
    return _compat().BaselineStore(d.getVar("CDEPENDS_BASELINE_DIR"))


def emit_with_baseline(d, inputs, full, uses=None):
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
    text, canonical = compat.baseline_or_full(baseline, full, warn=bb.note, log_dir=d.getVar("T"),
                                              uses=compat.scoped_uses(inputs, uses, bb.note),
                                              note=bb.note)
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
        text = emit_with_baseline(d, inputs, text, child_uses(d, inputs))
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


def keep_restored_report(d):
    path = os.path.join(d.getVar("CDEPENDS_REPORT_DIR"), report_name(d))
    if os.path.exists(path):
        keep_report(d, path)
