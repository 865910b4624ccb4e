# SPDX-License-Identifier: MIT
#
# Development tooling shared by scripts/ and the pytest harness (not part of the layer).
