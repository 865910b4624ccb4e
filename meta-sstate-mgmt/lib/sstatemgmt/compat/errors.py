# SPDX-License-Identifier: MIT
"""The one exception the compatibility checkers raise for bad input."""


class CompatError(Exception):
    """Bad input or a missing tool.

    The message is one line: the thing that is wrong and how to fix it. A
    BitBake task can show it with ``bb.fatal(str(err))``; no traceback is
    needed to understand it.
    """
