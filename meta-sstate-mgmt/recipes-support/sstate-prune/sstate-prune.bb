# SPDX-License-Identifier: MIT
SUMMARY = "Prune SSTATE_DIR to what this build and SSTATE_PRUNE_ROOTS reference"
DESCRIPTION = "bitbake sstate-prune keeps every sstate entry that this build's stamps \
(and the build dirs or stamps dirs in SSTATE_PRUNE_ROOTS) reference, and removes the rest. \
It refuses when the roots reference nothing. See docs/sstate-prune-bitbake.md."
LICENSE = "MIT"

INHIBIT_DEFAULT_DEPS = "1"
EXCLUDE_FROM_WORLD = "1"

inherit nopackages sstate-prune

deltask fetch
deltask unpack
deltask patch
deltask prepare_recipe_sysroot
deltask populate_lic
deltask configure
deltask compile
deltask install
deltask populate_sysroot
deltask recipe_qa

python do_sstate_prune_cache() {
    import sstatemgmt.prune_bb
    sstatemgmt.prune_bb.cache_task(d)
}
do_sstate_prune_cache[nostamp] = "1"
# SSTATE_PRUNE_HASHSERV_GC talks to the hash equivalence server, which may be remote.
do_sstate_prune_cache[network] = "1"
addtask sstate_prune_cache before do_build
