# SPDX-License-Identifier: MIT
"""The exceptions the compatibility checkers raise for bad input."""


class CompatError(Exception):
    """Bad input or a missing tool.

    The message is one line: the thing that is wrong and how to fix it. A
    BitBake task can show it with ``bb.fatal(str(err))``; no traceback is
    needed to understand it.
    """


class OptionError(CompatError):
    """A parent option that is unknown, or that its checker cannot honour.

    ``option`` names it as :class:`ParentInput` does (``checker``, ``mode``,
    ``suppressions``, ``debug_dirs``, ``release_metadata``); ``value`` is what was given. For an
    unknown value, ``choices`` lists the known ones; when the checker cannot
    honour the option (``unsupported``), it lists the checkers that can. A
    front end (the BitBake class) words its own message from these, naming its
    own variables.
    """

    def __init__(self, message, option, value, choices, unsupported=False):
        super().__init__(message)
        self.option = option
        self.value = value
        self.choices = list(choices)
        self.unsupported = unsupported
