# SPDX-License-Identifier: MIT
"""Upstream sources: bare git clones in the cache, trees exported from them.

Cloning goes through plain git, so ``url.<mirror>.insteadOf`` rules apply:
that is how an offline machine provides the sources (README, "How the tests
find OE sources").
"""

import contextlib
import fcntl
import os
import re

from .. import sources
from . import procs

GIT_TIMEOUT = 1800


class SourcesUnavailable(Exception):
    """A pinned repository or commit cannot be reached; the message says how to fix it."""


def default_cache():
    return os.path.join(sources.default_cache_dir(), "real-corpus")


@contextlib.contextmanager
def locked(path):
    """An exclusive lock on ``path`` (created), so that two runs sharing the
    cache do not build or clone the same thing at once."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "a") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def _git(args, cwd=None, timeout=GIT_TIMEOUT):
    return procs.run(["git"] + args, timeout, cwd=cwd,
                     env=dict(os.environ, GIT_TERMINAL_PROMPT="0"))


class Repos:
    """Bare clones under ``<cache>/git/``, one per upstream URL."""

    def __init__(self, cache):
        self.dir = os.path.join(cache, "git")

    def path(self, url):
        name = re.sub(r"[^A-Za-z0-9.-]+", "_", re.sub(r"^[a-z+]+://", "", url)).strip("_")
        return os.path.join(self.dir, name + ".git")

    def _has(self, path, commit):
        return _git(["cat-file", "-e", commit + "^{commit}"], cwd=path).returncode == 0

    def ensure(self, url, commit):
        """The bare clone of ``url``, holding ``commit`` (cloned or fetched if needed)."""
        path = self.path(url)
        with locked(path + ".lock"):
            if not os.path.isdir(path):
                res = _git(["clone", "--quiet", "--bare", url, path + ".tmp"])
                if res.returncode or res.timed_out:
                    raise SourcesUnavailable(
                        "cannot clone %s: %s. Make it reachable (network, or a local mirror "
                        "with 'git config --global url.<mirror>.insteadOf %s')"
                        % (url, _last(res), url))
                os.rename(path + ".tmp", path)
            if not self._has(path, commit):
                res = _git(["fetch", "--quiet", "--tags", url, "+refs/heads/*:refs/heads/*"],
                           cwd=path)
                if not self._has(path, commit):
                    raise SourcesUnavailable("commit %s is not in %s (%s); the manifest pins a "
                                             "commit upstream does not have" % (commit, url, _last(res)))
        return path

    def check_tag(self, url, tag, commit):
        """Raise unless ``tag`` names ``commit`` (a moved tag is not silently followed)."""
        res = _git(["rev-parse", "--verify", "--quiet", "refs/tags/%s^{commit}" % tag],
                   cwd=self.ensure(url, commit))
        found = res.stdout.strip()
        if found != commit:
            raise SourcesUnavailable("%s: tag %s is %s, the manifest pins %s; check the tag "
                                     "upstream and fix tests/real-corpus/manifest.yaml"
                                     % (url, tag, found or "missing", commit))

    def export(self, url, commit, dest, subdir=""):
        """Write the tree of ``commit`` (only ``subdir`` of it, if given: the
        part a release tarball holds) into the new directory ``dest``."""
        repo = self.ensure(url, commit)
        os.makedirs(dest)
        tar = dest + ".tar"
        procs.check(["git", "archive", "--format=tar", "-o", tar, commit]
                    + (["--", subdir] if subdir else []), GIT_TIMEOUT,
                    "git archive %s %s" % (url, commit), cwd=repo)
        try:
            procs.check(["tar", "-xf", tar, "-C", dest], GIT_TIMEOUT, "unpacking %s" % tar)
        finally:
            os.remove(tar)

    def show(self, url, commit, path):
        """The content (bytes) of ``path`` at ``commit``."""
        repo = self.ensure(url, commit)
        res = procs.run(["git", "cat-file", "blob", "%s:%s" % (commit, path)], GIT_TIMEOUT,
                        cwd=repo, binary=True)
        if res.returncode:
            raise SourcesUnavailable("%s has no %s at %s (%s); fix the manifest entry"
                                     % (url, path, commit, _last(res)))
        return res.stdout


def _last(res):
    if res.timed_out:
        return "timed out"
    out = res.stdout.decode("utf-8", "replace") if isinstance(res.stdout, bytes) else res.stdout
    lines = [l.strip() for l in (res.stderr + out).splitlines() if l.strip()]
    return lines[-1] if lines else "exit status %d" % res.returncode
