# SPDX-License-Identifier: MIT
#
# cdepends-debuginfo: stage this recipe's libraries with their DWARF debug
# info, so that the abidiff checker of its CDEPENDS children can see types
# (struct layouts, parameter types) and not only the ELF symbol table.
#
# Inherit it in a CDEPENDS parent (recipe or .bbappend: `inherit
# cdepends-debuginfo`). The debug info is then part of the parent's
# do_populate_sysroot output, so a child reads it the same way whether the
# parent was built here or restored from sstate on another builder.
#
# Cost: the parent's sysroot output (and sstate object) grows by its debug
# info, and its signature changes once (the parent is rebuilt once). The
# parent's packages are not affected. Without it, abidiff warns once per
# parent and judges the stripped libraries by elf-interface (never less safe).
# See docs/cdepends-checkers.md.

# do_populate_sysroot strips what it stages unless told not to.
INHIBIT_SYSROOT_STRIP = "1"
# Target recipes are compiled with -g already (DEBUG_FLAGS); native recipes
# are not.
BUILD_OPTIMIZATION:append:class-native = " -g"
