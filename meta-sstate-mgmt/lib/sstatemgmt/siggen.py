# SPDX-License-Identifier: MIT
#
# The CDEPENDS signature generator.
#
# For a recipe that lists a parent in CDEPENDS, the task signatures of the
# recipe do not include the parent, except through the recipe's own
# do_cache_compatibility task. The execution graph is untouched (the runqueue
# still builds and stages the parent first); only rundep_check, which decides
# which dependencies enter a task's signature, is extended. The parent's own
# signatures and output hashes are never changed.
#
# As in OE-Core's meta/lib/oe/sstatesig.py, the rule is a mixin and the
# generator a composition of it with OE-Core's OEEquivHash, so that another
# layer can compose the mixin with its own generator:
#
#     class SignatureGeneratorMine(sstatemgmt.siggen.SignatureGeneratorCDependsMixIn,
#                                  MyMixIn, oe.sstatesig.SignatureGeneratorOEEquivHash):
#         name = "Mine"
#
# Selected with BB_SIGNATURE_HANDLER = "OECDependsEquivHash", which the
# compatible-depends class sets; see docs/cdepends.md.

import bb.runqueue
import bb.siggen
import oe.sstatesig

from .cdepends import COMPAT_TASK, HANDLER_NAME


def parents_of(depends_flag):
    """Recipe names in a task's [depends] flag ("name:do_task ...") -> set of names."""
    names = set()
    for item in (depends_flag or "").split():
        name, _, task = item.rpartition(":")
        if name and task == "do_populate_sysroot":
            names.add(name)
    return names


class SignatureGeneratorCDependsMixIn(object):
    """Keeps a recipe's CDEPENDS parents out of its task signatures, except
    for do_cache_compatibility. Put it before the generator it extends in the
    bases: its rundep_check only ever removes dependencies and leaves every
    other decision to the next class (super())."""

    def init_rundepcheck(self, data):
        super().init_rundepcheck(data)
        self.cdepends_virtpnmap = {}
        self.cdepends_cache = {}

    def tasks_resolved(self, virtmap, virtpnmap, dataCache):
        super().tasks_resolved(virtmap, virtpnmap, dataCache)
        self.cdepends_virtpnmap.update(virtpnmap)
        # A memory-resident server keeps this object across builds while
        # recipes are reparsed: derive the parents afresh for each runqueue.
        self.cdepends_cache = {}

    def cdepends_parents(self, fn, dataCaches):
        """PNs (and the names they were given by) of fn's CDEPENDS parents; empty for most recipes."""
        if fn in self.cdepends_cache:
            return self.cdepends_cache[fn]
        mc, _ = bb.runqueue.split_mc(fn)
        taskdeps = dataCaches[mc].task_deps[fn].get("depends", {})
        names = parents_of(taskdeps.get(COMPAT_TASK))
        names |= set(self.cdepends_virtpnmap[n] for n in names if n in self.cdepends_virtpnmap)
        self.cdepends_cache[fn] = frozenset(names)
        return self.cdepends_cache[fn]

    def is_cdepends_parent(self, fn, dep, depname, dataCaches):
        parents = self.cdepends_parents(fn, dataCaches)
        if not parents:
            return False
        if depname in parents:
            return True
        # A parent named by one of its PROVIDES.
        depmc, _, _, depmcfn = bb.runqueue.split_tid_mcfn(dep)
        provides = dataCaches[depmc].fn_provides.get(depmcfn) or []
        return any(p in parents for p in provides)

    def rundep_check(self, fn, recipename, task, dep, depname, dataCaches=None):
        if recipename != depname and dataCaches and task != COMPAT_TASK \
                and self.is_cdepends_parent(fn, dep, depname, dataCaches):
            # The child sees the parent only through its compatibility report.
            return False
        return super().rundep_check(fn, recipename, task, dep, depname, dataCaches)


class SignatureGeneratorOECDependsEquivHash(SignatureGeneratorCDependsMixIn,
                                            oe.sstatesig.SignatureGeneratorOEEquivHash):
    name = HANDLER_NAME


# Insert the class into siggen's namespace so that BB_SIGNATURE_HANDLER can
# select it, as meta/lib/oe/sstatesig.py does for OE-Core's generators.
bb.siggen.SignatureGeneratorOECDependsEquivHash = SignatureGeneratorOECDependsEquivHash
