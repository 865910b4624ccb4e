# SPDX-License-Identifier: MIT
#
# Names that do not exist are found when the code runs, which for the
# oe-selftest cases and the integration harness is a long build away (an
# oe-selftest case once lost an import in a refactoring and failed only in
# CI, 40 minutes in). pyflakes finds them at once; only its findings that
# are certain failures are errors here, not style.

import os

import pytest

from pyflakes import api as pyflakes_api
from pyflakes import messages, reporter

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TREES = ["meta-sstate-mgmt/lib", "oeqa-tests/lib", "scripts", "tests", "benchmarks"]
FATAL = (messages.UndefinedName, messages.UndefinedLocal, messages.UndefinedExport,
         messages.ImportStarUsage, messages.ReturnOutsideFunction, messages.YieldOutsideFunction,
         messages.ContinueOutsideLoop, messages.BreakOutsideLoop, messages.DuplicateArgument)


class Collect(reporter.Reporter):
    def __init__(self):
        self.found = []

    def unexpectedError(self, filename, msg):
        self.found.append("%s: %s" % (filename, msg))

    def syntaxError(self, filename, msg, lineno, offset, text):
        self.found.append("%s:%s: syntax error: %s" % (filename, lineno, msg))

    def flake(self, message):
        if isinstance(message, FATAL):
            self.found.append(str(message))


@pytest.mark.parametrize("tree", TREES)
def test_no_undefined_names(tree):
    collect = Collect()
    paths = list(pyflakes_api.iterSourceCode([os.path.join(ROOT, tree)]))
    assert paths, tree
    for path in paths:
        pyflakes_api.checkPath(path, collect)
    assert collect.found == [], "\n".join(collect.found)
