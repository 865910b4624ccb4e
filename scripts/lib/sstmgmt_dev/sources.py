# SPDX-License-Identifier: MIT
#
# Materialise the pinned BitBake and OE-Core sources named in kas/<release>.yml,
# and the extra sources of a kit fragment (kas/target-kit.yml: opkg-utils for
# the test layer's offline target kit).
#
# The kas files are the single source of truth for the pinned revisions. This
# module reads them with PyYAML (python3-yaml, from scripts/install-host-deps)
# and clones each remote repository into a cache directory outside the
# repository:
#
#   $SSTATE_MGMT_CACHE/sources/<release>/<repo-name>
#
# Cloning goes through plain git, so "url.<mirror>.insteadOf" rules and any
# other git configuration apply: that is how an offline machine provides the
# sources (see README.md, "How the tests find OE sources").

import os
import subprocess

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
KAS_DIR = os.path.join(REPO_ROOT, "kas")
DEFAULT_RELEASE = "master"


class SourcesError(Exception):
    """The pinned sources cannot be materialised; the message says why and how to fix it."""


def releases():
    """Release names for which a kas file exists (kas/<release>.yml with a bitbake repo)."""
    names = []
    for fn in sorted(os.listdir(KAS_DIR)):
        if fn.endswith(".yml"):
            try:
                pins = read_pins(fn[:-4])
            except SourcesError:
                continue
            if "bitbake" in pins and "openembedded-core" in pins:
                names.append(fn[:-4])
    return names


def default_cache_dir():
    """Where sources, test builds and demo builds live unless SSTATE_MGMT_CACHE says otherwise.

    As root, BitBake runs as an unprivileged user who cannot read /root, so the
    cache then lives in /var/cache.
    """
    env = os.environ.get("SSTATE_MGMT_CACHE")
    if env:
        return os.path.abspath(env)
    if os.geteuid() == 0:
        return "/var/cache/meta-sstate-mgmt"
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "meta-sstate-mgmt")


def sources_dir(release):
    return os.path.join(os.environ.get("SSTATE_MGMT_SOURCES") or os.path.join(default_cache_dir(), "sources"), release)


def read_pins(release):
    """Return {repo-name: {"url": ..., "commit": ..., "branch": ..., "tag": ...}} for the remote repos
    of kas/<release>.yml (or of a fragment such as kas/target-kit.yml). Only url and commit are required."""
    path = os.path.join(KAS_DIR, release + ".yml")
    if not os.path.isfile(path):
        known = ", ".join(r for r in sorted(f[:-4] for f in os.listdir(KAS_DIR) if f.endswith(".yml")))
        raise SourcesError("unknown release %r: there is no %s (kas files: %s)" % (release, path, known))
    try:
        import yaml
    except ImportError:
        raise SourcesError("reading %s needs PyYAML: run scripts/install-host-deps (Debian: python3-yaml) "
                           "or pip install pyyaml" % path)
    try:
        with open(path) as f:
            data = yaml.safe_load(f) or {}
    except yaml.YAMLError as e:
        raise SourcesError("%s is not valid YAML: %s" % (path, e))
    repos = {}
    for name, info in ((data.get("repos") or {}) if isinstance(data, dict) else {}).items():
        if not isinstance(info, dict):
            continue
        repos[name] = {k: info[k] for k in ("url", "commit", "branch", "tag") if info.get(k) is not None}
        for key, value in repos[name].items():
            if not isinstance(value, str):
                # YAML reads an unquoted 1234e56 or 0.7 as a number
                raise SourcesError("%s: repo %s: %s %r is read as a number; put it in quotes" % (path, name, key, value))
    pins = {name: info for name, info in repos.items() if "url" in info}
    for name, info in pins.items():
        commit = info.get("commit", "")
        if len(commit) != 40 or any(c not in "0123456789abcdef" for c in commit):
            raise SourcesError("%s: repo %s must pin a full 40-character commit, not %r" % (path, name, commit))
    return pins


def _git(args, cwd=None, check=True):
    return subprocess.run(["git"] + args, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, check=check, stdin=subprocess.DEVNULL)


def _head(path):
    res = _git(["rev-parse", "HEAD"], cwd=path, check=False)
    return res.stdout.strip() if res.returncode == 0 else None


def _has_commit(path, commit):
    return _git(["cat-file", "-e", commit + "^{commit}"], cwd=path, check=False).returncode == 0


def materialise(release=DEFAULT_RELEASE, log=None, kits=()):
    """Clone or update every pinned repository of `release` (and of the fragments `kits`, e.g.
    "target-kit"); return the directory holding them.

    Idempotent: a checkout already at its pinned commit is left alone and no
    network (or mirror) access happens. Raises SourcesError with a fix-it
    message when a repository cannot be reached.
    """
    log = log or (lambda msg: None)
    dest = sources_dir(release)
    os.makedirs(dest, exist_ok=True)
    for name, info in sorted(pins_with_kits(release, kits).items()):
        _materialise_repo(os.path.join(dest, name), name, info, release, log)
    return dest


def pins_with_kits(release, kits=()):
    """read_pins(release) plus the repositories of the fragments `kits`."""
    pins = read_pins(release)
    for kit in kits:
        for name, info in read_pins(kit).items():
            if name in pins and pins[name] != info:
                raise SourcesError("kas/%s.yml pins %s differently from kas/%s.yml" % (kit, name, release))
            pins[name] = info
    return pins


def _materialise_repo(path, name, info, release, log):
    url, commit, tag = info["url"], info["commit"], info.get("tag")
    if os.path.isdir(os.path.join(path, ".git")) and _head(path) == commit and (not tag or _tag_ok(path, tag, commit)):
        return
    if not os.path.isdir(os.path.join(path, ".git")):
        log("cloning %s into %s" % (url, path))
        res = _git(["clone", "--quiet", "--no-checkout", url, path], check=False)
        if res.returncode != 0:
            raise SourcesError(
                "cannot clone %s: %s. Make it reachable (network, or a local mirror with "
                "'git config --global url.<mirror>.insteadOf %s'), or point SSTATE_MGMT_SOURCES "
                "at a directory that already holds %s/%s" % (url, res.stderr.strip().splitlines()[-1] if res.stderr.strip() else "git failed",
                                                               url, release, name))
    if not _has_commit(path, commit):
        log("fetching %s for %s" % (url, commit))
        res = _git(["fetch", "--quiet", url, info.get("branch") or commit], cwd=path, check=False)
        if res.returncode != 0 or not _has_commit(path, commit):
            raise SourcesError("cannot fetch commit %s of %s into %s: %s" % (
                commit, url, path, (res.stderr.strip() or "commit not on branch %s" % info.get("branch"))))
    log("checking out %s %s" % (name, commit[:12]))
    res = _git(["-c", "advice.detachedHead=false", "checkout", "--quiet", "--force", commit], cwd=path, check=False)
    if res.returncode != 0:
        raise SourcesError("cannot check out %s in %s: %s" % (commit, path, res.stderr.strip()))
    if tag and not _tag_ok(path, tag, commit):
        # Recipes that fetch with ;tag= check that the tag names SRCREV. A
        # mirror may carry the commit without the tag: tag it as the kas file
        # pins it (kas itself checks that a pinned tag points at the commit).
        if _git(["rev-parse", "--quiet", "--verify", "refs/tags/%s" % tag], cwd=path, check=False).returncode == 0:
            raise SourcesError("%s: tag %s does not point at the pinned commit %s" % (path, tag, commit))
        log("tagging %s %s as %s (the clone lacks the tag)" % (name, commit[:12], tag))
        _git(["tag", tag, commit], cwd=path)


def _tag_ok(path, tag, commit):
    res = _git(["rev-parse", "--quiet", "--verify", "refs/tags/%s^{commit}" % tag], cwd=path, check=False)
    return res.returncode == 0 and res.stdout.strip() == commit


def check(release=DEFAULT_RELEASE, kits=()):
    """Return (ok, reason): whether the sources of `release` (and `kits`) are present at their pinned commits."""
    try:
        pins = pins_with_kits(release, kits)
    except SourcesError as e:
        return False, str(e)
    dest = sources_dir(release)
    for name, info in sorted(pins.items()):
        path = os.path.join(dest, name)
        head = _head(path) if os.path.isdir(path) else None
        if head != info["commit"]:
            return False, "%s is %s, pinned %s" % (path, "missing" if head is None else "at " + head[:12], info["commit"][:12])
        if info.get("tag") and not _tag_ok(path, info["tag"], info["commit"]):
            return False, "%s has no tag %s at %s" % (path, info["tag"], info["commit"][:12])
    return True, dest
