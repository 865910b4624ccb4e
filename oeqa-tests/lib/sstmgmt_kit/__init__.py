# SPDX-License-Identifier: MIT
#
# Helpers of the test layer's offline target kit (docs/target-kit.md). Plain
# Python: no BitBake import, so that the unit tests can exercise them.

# Imported into BitBake's namespace by the layer's addpylib, for ${@...} expressions.
BBIMPORTS = ["hostlibc"]
