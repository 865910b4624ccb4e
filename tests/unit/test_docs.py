# SPDX-License-Identifier: MIT
"""The docs match the code: documented variables, options and links.

A user reads the docs, not the classes: every variable a class gives a
``[doc]`` flag, every option of ``scripts/sstate-cache-management --help``
must be findable there, and every relative link must lead somewhere.
"""

import functools
import os
import re
import subprocess
import sys

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LAYER = os.path.join(REPO, "meta-sstate-mgmt")


def _markdown_files():
    files = [os.path.join(REPO, "README.md")]
    for top, dirs, names in os.walk(os.path.join(REPO, "docs")):
        dirs.sort()
        files.extend(os.path.join(top, n) for n in sorted(names) if n.endswith(".md"))
    return files


@functools.lru_cache(maxsize=None)
def _user_docs():
    """README and docs/ without docs/internals/: what a user reads."""
    internals = os.path.join(REPO, "docs", "internals") + os.sep
    return "\n".join(open(f, encoding="utf-8").read() for f in _markdown_files() if not f.startswith(internals))


@functools.lru_cache(maxsize=None)
def _doc_flag_variables():
    found = {}
    for top, dirs, names in os.walk(LAYER):
        dirs.sort()
        for name in sorted(names):
            if not name.endswith((".bbclass", ".conf", ".inc", ".bb")):
                continue
            path = os.path.join(top, name)
            for line in open(path, encoding="utf-8"):
                m = re.match(r"\s*([A-Z][A-Z0-9_]*)\[doc\]\s*=\s*\"(.)", line)
                # "Internal: ..." marks a variable the class sets for itself
                if m and not line.split("=", 1)[1].strip().startswith('"Internal:'):
                    found[m.group(1)] = os.path.relpath(path, REPO)
    return found


def test_doc_flags_found():
    # guards the test below against a pattern that matches nothing
    assert "CDEPENDS" in _doc_flag_variables()


@pytest.mark.parametrize("var", sorted(_doc_flag_variables()))
def test_every_documented_variable_is_in_the_docs(var):
    assert re.search(r"`%s(\[[^`]*\])?( ?[?:]?= ?[^`]*)?`" % re.escape(var), _user_docs()), (
        "%s has a [doc] flag in %s but no `%s` in README.md or docs/" % (var, _doc_flag_variables()[var], var))


def _cli_options():
    out = subprocess.run([sys.executable, os.path.join(REPO, "scripts", "sstate-cache-management"), "--help"],
                         capture_output=True, text=True, check=True,
                         env=dict(os.environ, COLUMNS="1000")).stdout
    return sorted(set(re.findall(r"(?<![\w-])(--[a-z][a-z0-9-]+)", out)) - {"--help"})


@functools.lru_cache(maxsize=None)
def _pruning_md():
    with open(os.path.join(REPO, "docs", "pruning.md"), encoding="utf-8") as f:
        return f.read()


def test_help_lists_options():
    assert "--remove-duplicated" in _cli_options()


@pytest.mark.parametrize("option", _cli_options())
def test_every_option_is_in_pruning_md(option):
    assert re.search(r"`%s[` =\[]" % re.escape(option), _pruning_md()), (
        "option %s of scripts/sstate-cache-management is not in docs/pruning.md" % option)


def _slug(heading):
    """The anchor GitHub gives a heading."""
    # GitHub keeps letters, digits, "_" and "-", drops other punctuation
    s = re.sub(r"\[([^\]]*)\]\([^)]*\)", lambda m: m.group(1), heading.strip()).lower()
    s = re.sub(r"[^\w\- ]", "", s)
    return s.replace(" ", "-")


def _anchors(path):
    anchors, seen, fence = set(), {}, False
    for line in open(path, encoding="utf-8"):
        if line.lstrip().startswith("```"):
            fence = not fence
        if fence:
            continue
        m = re.match(r"#{1,6}\s+(.*?)\s*#*\s*$", line)
        if m:
            slug = _slug(m.group(1))
            n = seen.get(slug, 0)
            seen[slug] = n + 1
            anchors.add(slug if n == 0 else "%s-%d" % (slug, n))
    return anchors


def _links(path):
    text, fence = [], False
    for line in open(path, encoding="utf-8"):
        if line.lstrip().startswith("```"):
            fence = not fence
            continue
        if not fence:
            text.append(re.sub(r"`[^`]*`", "", line))
    return re.findall(r"\]\(([^)\s]+)\)", "".join(text))


def _relative_links():
    cases = []
    for f in _markdown_files():
        for link in _links(f):
            if re.match(r"[a-z][a-z0-9+.-]*:", link):
                continue
            cases.append((os.path.relpath(f, REPO), link))
    return cases


def test_links_found():
    assert any(link.startswith("docs/") for _, link in _relative_links())


@pytest.mark.parametrize("source,link", _relative_links())
def test_every_relative_link_resolves(source, link):
    target, _, anchor = link.partition("#")
    path = os.path.normpath(os.path.join(REPO, os.path.dirname(source), target)) if target else os.path.join(REPO, source)
    assert os.path.exists(path), "%s links to %s, which does not exist" % (source, link)
    if anchor and path.endswith(".md"):
        assert anchor in _anchors(path), "%s links to %s, which has no heading #%s" % (source, link, anchor)
