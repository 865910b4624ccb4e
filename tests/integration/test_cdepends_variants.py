# SPDX-License-Identifier: MIT
#
# CDEPENDS in class-extended variants: a nativesdk or multilib variant of a
# child must depend on, and be judged against, the same variant of its parent,
# exactly as OE maps DEPENDS for that variant; and the per-parent flags,
# written with the parent's name as written in CDEPENDS, must still apply.
#
# Fixtures: sstmgmt-cdep-usesone (CDEPENDS = "sstmgmt-cdep-two",
# CDEPENDS_FILES[sstmgmt-cdep-two] = "...") and its parent, both with
# BBCLASSEXTEND = "native nativesdk"; multilib.conf adds the lib32 variants.
# Nothing is built: `bitbake -g` and `bitbake -S none` only compute the task
# graph and the signatures, so no target or SDK toolchain is needed. The native
# variant is built for real by test_cdepends.py.

import os
import re

import pytest
from test_cdepends import ENABLE, _dumpsig, _sigdata, set_variant

from sstmgmt_dev import buildenv

MULTILIB = ('require conf/multilib.conf\nMULTILIBS = "multilib:lib32"\n'
            'DEFAULTTUNE:virtclass-multilib-lib32 = "x86"\n')
CHILD = "sstmgmt-cdep-usesone"
PARENT = "sstmgmt-cdep-two"
# What CDEPENDS_FILES[sstmgmt-cdep-two] selects, as CDEPENDS_CONFIG spells it.
GLOBS = "elf-interface:*/libcdepone.so*,*/include/cdepone.h"
COMPAT = "do_cache_compatibility"


def task_edges(build, targets):
    """{(pn, task): {(pn, task), ...}} from the task-depends.dot of `bitbake -g`."""
    path = os.path.join(build.topdir, "task-depends.dot")
    if os.path.exists(path):
        os.unlink(path)
    build.bitbake("-g", *targets)
    edges = {}
    with open(path) as f:
        for line in f:
            m = re.match(r'^"(.+)\.(do_[^".]+)" -> "(.+)\.(do_[^".]+)"$', line.strip())
            if m:
                edges.setdefault((m.group(1), m.group(2)), set()).add((m.group(3), m.group(4)))
    assert edges, "no task dependencies in %s" % path
    return edges


def dumpsig(build, path):
    """(the task's dependencies in its signature, the value of CDEPENDS_CONFIG or None)."""
    out = _dumpsig(build, path)
    deps = re.search(r"^Tasks this task depends on: (.*)$", out, re.M)
    config = re.search(r"^Variable CDEPENDS_CONFIG value is (.*)$", out, re.M)
    return (deps.group(1) if deps else ""), (config.group(1) if config else None)


def check_variants(build, pairs):
    """For each (child PN, parent PN) of one variant: the compat task depends on
    that parent and no other variant of it, in the task graph and in its
    signature; no other task of the child has the parent in its signature;
    the parent's flags (written with the target name) reached the compat task."""
    children = [child for child, _ in pairs]
    edges = task_edges(build, children)
    for child, parent in pairs:
        compat = edges.get((child, COMPAT), set())
        assert (parent, "do_populate_sysroot") in compat, (child, sorted(compat))
        others = sorted(dep for dep in compat if PARENT in dep[0] and dep[0] != parent)
        assert others == [], "%s: the compat task depends on another variant of the parent: %s" % (child, others)
        # Staged like DEPENDS: the execution graph keeps the parent's edge.
        staged = edges.get((child, "do_prepare_recipe_sysroot"), set())
        assert (parent, "do_populate_sysroot") in staged, (child, sorted(staged))
    # No variant pulls in a parent of another variant (before the mapping, a
    # nativesdk or lib32 child's compat task pulled in the target parent).
    wanted = {parent for _, parent in pairs}
    pulled = sorted({pn for deps in edges.values() for pn, _ in deps if PARENT in pn} - wanted)
    assert pulled == [], "parents of other variants in the graph: %s" % pulled

    sigs = _sigdata(build, children)
    for child, parent in pairs:
        tasks = sorted(task for pn, task in sigs if pn == child)
        assert COMPAT in tasks and "do_compile" in tasks and "do_install" in tasks, (child, tasks)
        for task in tasks:
            deps, config = dumpsig(build, sigs[(child, task)][1])
            if task == COMPAT:
                assert "%s:do_populate_sysroot" % parent in deps, (child, deps)
                assert config == "%s:%s" % (parent, GLOBS), (child, config)
            else:
                assert PARENT not in deps, (child, task, deps)


@pytest.fixture
def enabled(build):
    build.write_config(ENABLE)
    set_variant(build, "base")
    return build


def test_native_and_nativesdk_variants_depend_on_their_parent(enabled):
    check_variants(enabled, [("%s-native" % CHILD, "%s-native" % PARENT),
                             ("nativesdk-%s" % CHILD, "nativesdk-%s" % PARENT)])


@pytest.fixture
def multilib(request, oe):
    """A build directory of its own with multilib.conf: switching the shared one
    in and out of multilib would reparse all of OE-Core twice per run."""
    try:
        build = buildenv.prepare("pytest-multilib", release=request.config.getoption("--release"))
    except buildenv.BuildEnvError as e:
        pytest.fail(str(e), pytrace=False)
    build.write_config(ENABLE + "\n" + MULTILIB)
    set_variant(build, "base")
    return build


def test_multilib_variant_depends_on_its_parent(multilib):
    check_variants(multilib, [("lib32-%s" % CHILD, "lib32-%s" % PARENT)])
