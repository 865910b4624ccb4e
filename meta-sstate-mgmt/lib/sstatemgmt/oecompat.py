# SPDX-License-Identifier: MIT
#
# The one place where meta-sstate-mgmt adapts to the BitBake and OE-Core
# release it runs on: master (blacksail, BitBake 2.19), wrynose (2.18) and
# scarthgap (Yocto 5.0, BitBake 2.8). One small function per difference,
# detected by feature, never by release name; callers use it in one line.
# docs/releases.md lists every difference and where it is handled.

import bb
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
