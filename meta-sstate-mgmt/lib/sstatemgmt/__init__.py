# SPDX-License-Identifier: MIT
#
# Python namespace of meta-sstate-mgmt.
#
# BitBake imports this package through "addpylib" in conf/layer.conf and then
# each module named in BBIMPORTS. Modules listed there may import bb/oe; every
# other module (notably the pruning engine in sstatemgmt.prune) must not, so
# that the standalone scripts run without BitBake.

BBIMPORTS = ["oecompat", "siggen", "cdepends"]
