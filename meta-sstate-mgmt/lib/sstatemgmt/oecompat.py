# SPDX-License-Identifier: MIT
#
# The one place where meta-sstate-mgmt adapts to the BitBake and OE-Core
# release it runs on: master (blacksail, BitBake 2.19), wrynose (2.18) and
# scarthgap (Yocto 5.0, BitBake 2.8). One small function per difference,
# detected by feature, never by release name; callers use it in one line.
# docs/releases.md lists every difference and where it is handled.

import bb
import bb.event
import bb.parse

# Library functions whose vardepsexclude BitBake 2.8 must be told through the
# configuration (see vardepsexclude and config_parsed).
_MODULE_EXCLUDES = {}


def vardepsexclude(*varnames):
    """bb.parse.vardepsexclude where BitBake has it (2.15 and later).

    BitBake 2.8 instead reads the variables a library function must not
    depend on from the flag <module>.<function>[vardepsexclude] of the
    configuration, as OE-Core scarthgap's bitbake.conf sets for oe.*
    functions. The decorator then only records them; config_parsed() sets
    the flags.
    """
    native = getattr(bb.parse, "vardepsexclude", None)
    if native is not None:
        return native(*varnames)

    def inner(f):
        name = "%s.%s" % (f.__module__, f.__name__)
        _MODULE_EXCLUDES.setdefault(name, set()).update(varnames)
        return f
    return inner


def config_parsed(d):
    """Adapt a configuration datastore while it is parsed (conf/layer.conf); return "".

    Sets the vardepsexclude flags recorded by vardepsexclude() on BitBake
    2.8. They name library functions only, never a variable a task reads, so
    no signature changes.
    """
    for name, varnames in sorted(_MODULE_EXCLUDES.items()):
        d.setVarFlag(name, "vardepsexclude", " ".join(sorted(varnames)))
    return ""


def stop_requested():
    """True once BitBake was told to stop now (Ctrl-C, SIGTERM).

    Reads bb.event._should_exit, the flag bb.event.check_for_interrupts()
    tests, rather than calling that function: it takes the datastore on
    BitBake 2.8 and no argument later, and it raises, which from a cooker
    event handler would break the server's idle loop.
    """
    flag = getattr(bb.event, "_should_exit", None)
    return flag is not None and flag.is_set()


def hashserv_gc_mark(client, mark, unihashes, before_each=None):
    """Mark each of ``unihashes`` kept in the hash server collection ``mark``
    (started with client.gc_mark(mark, {})); return (count marked, why), why
    None when one request did it all.

    BitBake 2.12 and later send them in one gc-mark-stream request. BitBake
    2.8's client has no gc_mark_stream, only gc-mark with one condition, so
    each unihash is one request (same result, a few hundred per second); so
    is a newer client whose server refuses the stream. ``before_each(i, why)``
    runs before the i-th (0-based) single request: the caller's stop points
    and progress.
    """
    if hasattr(client, "gc_mark_stream"):
        try:
            return client.gc_mark_stream(mark, ("unihash %s" % h for h in unihashes))["count"], None
        except ConnectionError:
            why = "the server does not take gc-mark-stream"
    else:
        why = "this BitBake's hash server client has no gc-mark-stream (BitBake 2.8)"
    marked = 0
    for i, unihash in enumerate(unihashes):
        if before_each is not None:
            before_each(i, why)
        marked += client.gc_mark(mark, {"unihash": unihash})["count"]
    return marked, why


def depends_filters():
    """True where OE-Core maps a class extension's DEPENDS with a variable
    filter (BitBake 2.16 and later), so reading DEPENDS through it maps a
    name. On scarthgap the classes rewrite DEPENDS in place instead, and
    map_depends restates their mapping."""
    import oe.classextend
    return hasattr(oe.classextend, "native_filter")


@vardepsexclude("BBEXTENDCURR", "BBEXTENDVARIANT", "BBCLASSEXTEND", "MULTILIB_VARIANTS")
def map_depends(d, names):
    """Each of ``names`` (recipe names as written in DEPENDS) as this recipe
    variant maps DEPENDS; "" for a name it drops (a native variant's own
    target recipe). The same answer in anonymous python as in a task, before
    or after the variant's own class has run.

    The mapping is OE-Core's own: native_filter and suffix_filter_deps where
    OE-Core maps class extensions with variable filters (BitBake 2.16 and
    later); on scarthgap ClassExtender.map_depends for multilib and
    nativesdk. Only scarthgap's native variant has no function to call
    (native.bbclass rewrites DEPENDS inside its event handler): its rules are
    restated in _native_depend. Which variant this is, is decided as the
    classes decide it.
    """
    import oe.classextend
    names = list(names)
    pn = d.getVar("PN")
    filters = depends_filters()
    variant = d.getVar("BBEXTENDVARIANT")
    if d.getVar("BBEXTENDCURR") == "multilib" and variant:
        if bb.data.inherits_class("image", d):
            return names
        if filters:
            prefixes = (d.getVar("MULTILIB_VARIANTS") or "").split()
            return [oe.classextend.suffix_filter_deps(n, variant, prefixes) for n in names]
        extender = oe.classextend.ClassExtender(variant, bb.data.createCopy(d))
        return [extender.map_depends(n) for n in names]
    if pn.startswith("nativesdk-") and bb.data.inherits_class("nativesdk", d):
        if filters:
            return [oe.classextend.suffix_filter_deps(n, "nativesdk", []) for n in names]
        extender = oe.classextend.NativesdkClassExtender("nativesdk", bb.data.createCopy(d))
        return [extender.map_depends(n) for n in names]
    if pn.endswith("-native") and bb.data.inherits_class("native", d) \
            and "native" in (d.getVar("BBCLASSEXTEND") or ""):
        bpn = d.getVar("BPN")
        if filters:
            return [oe.classextend.native_filter(n, pn, bpn, selfref=False) or "" for n in names]
        return [_native_depend(n, pn, bpn) for n in names]
    return names


def _native_depend(dep, pn, bpn):
    """map_dependencies("DEPENDS", selfref=False) of scarthgap's native_virtclass_handler, for one name."""
    if dep == pn:
        return ""
    if "-cross-" in dep:
        return dep.replace("-cross", "-native")
    if not dep.endswith("-native"):
        return dep.replace(pn, bpn) + "-native"
    return dep
