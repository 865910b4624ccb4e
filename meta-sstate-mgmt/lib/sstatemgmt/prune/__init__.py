# SPDX-License-Identifier: MIT
"""sstate cache pruning engine (stdlib only; never imports bb or oe).

Public API (see engine.py for the policy combination rules)::

    from sstatemgmt.prune import prune, prune_recipe, Options, RecipePolicy

    s = prune(sstate_dir, roots=[stamps_dir], keep_hashes=current, dry_run=False)
    s = prune_recipe(sstate_dir, "zlib", keep_hashes=current_unihashes, dry_run=False)
    print(s.format_human()); s.to_json(); s.kept_unihashes

The standalone script is :mod:`.cli` (``sstate-cache-management``).
"""

from .engine import (KNOWN_ARCHIVE_TASKS, OBJECT, ORPHAN, POLICY_ORDER, SIGINFO_ONLY, Options,  # noqa: F401
                     RecipePolicy, prune, prune_recipe)
from .errors import (CacheDirError, LockBusyError, PruneError, RefusedError, RootsError,  # noqa: F401
                     UsageError)
from .names import Info, classify, parse_name  # noqa: F401
from .roots import collect as collect_root_hashes, parse_stamp  # noqa: F401
from .summary import Summary  # noqa: F401

__all__ = ["prune", "prune_recipe", "Options", "RecipePolicy", "Summary", "PruneError", "CacheDirError",
           "UsageError", "RefusedError", "RootsError", "LockBusyError", "classify", "parse_name", "Info",
           "collect_root_hashes", "parse_stamp", "OBJECT", "ORPHAN", "SIGINFO_ONLY", "POLICY_ORDER",
           "KNOWN_ARCHIVE_TASKS"]
