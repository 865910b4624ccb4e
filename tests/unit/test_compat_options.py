# SPDX-License-Identifier: MIT
#
# compat.check_options: the one place that knows which options a checker can
# honour. Front ends (the BitBake class) word their own messages from the
# OptionError's fields, so those must name the option and what would work.

import pytest

from sstatemgmt.compat import CHECKERS, MODES, CompatError, OptionError, check_options


def test_valid_options_give_the_checker_class():
    assert check_options("abidiff", "superset", suppressions=["a.supp"], debug_dirs=["d"]) is CHECKERS["abidiff"]
    assert check_options("checksum") is CHECKERS["checksum"]


@pytest.mark.parametrize("kwargs,option,value,choices,unsupported", [
    (dict(checker="abi-magic"), "checker", "abi-magic", sorted(CHECKERS), False),
    (dict(checker="elf-interface", mode="sloppy"), "mode", "sloppy", list(MODES), False),
    (dict(checker="checksum", mode="superset"), "mode", "superset",
     sorted(n for n, c in CHECKERS.items() if c.supports_superset), True),
    (dict(checker="elf-interface", suppressions=["a.supp"]), "suppressions", ["a.supp"], ["abidiff"], True),
    (dict(checker="checksum", debug_dirs="usr/lib/.debug"), "debug_dirs", "usr/lib/.debug", ["abidiff"], True),
])
def test_refusals_name_the_option_and_what_would_work(kwargs, option, value, choices, unsupported):
    with pytest.raises(OptionError) as err:
        check_options(**kwargs)
    e = err.value
    assert (e.option, e.value, e.choices, e.unsupported) == (option, value, choices, unsupported)
    assert isinstance(e, CompatError) and "\n" not in str(e)
    assert ", ".join(choices) in str(e)


def test_context_prefixes_the_message():
    with pytest.raises(OptionError, match=r"^parent libfoo: checker checksum has no superset mode"):
        check_options("checksum", "superset", context="parent libfoo: ")
