# SPDX-License-Identifier: MIT
"""Errors the engine raises.  Each names the thing and the fix, in one line."""


class PruneError(Exception):
    """Base class: ``str(e)`` says what is wrong, ``e.hint`` how to fix it."""

    exit_code = 1

    def __init__(self, message, hint=None):
        super().__init__(message)
        self.hint = hint

    def oneline(self):
        return "%s (%s)" % (self, self.hint) if self.hint else str(self)


class CacheDirError(PruneError):
    """The cache directory is missing, not a directory or unreadable."""


class UsageError(PruneError):
    """Parameters that make no sense together (no policy, bad values)."""

    exit_code = 2


class RefusedError(PruneError):
    """A safety check refused to go on (overridable with force)."""

    exit_code = 3


class RootsError(RefusedError):
    """A root (stamps dir, TMPDIR, build dir) is missing, unreadable or empty."""


class LockBusyError(PruneError):
    """Another pruner holds the cache lock."""

    exit_code = 4
