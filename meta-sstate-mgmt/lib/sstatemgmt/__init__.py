# SPDX-License-Identifier: MIT
#
# Python namespace of meta-sstate-mgmt.
#
# BitBake imports this package through "addpylib" in conf/layer.conf and then
# each module named in BBIMPORTS. Modules listed there may import bb, but not oe
# at import time: BBLAYERS may list this layer before OE-Core (kas orders layers
# by repository name), and oe is importable only after OE-Core's layer.conf.
# siggen, which derives from oe.sstatesig, is therefore loaded by the
# compatible-depends class. Every other module (notably the pruning engine in
# sstatemgmt.prune) must not import bb or oe, so that the standalone scripts
# run without BitBake.

BBIMPORTS = ["oecompat", "cdepends"]
