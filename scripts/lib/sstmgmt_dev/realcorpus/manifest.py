# SPDX-License-Identifier: MIT
"""The corpus manifest (tests/real-corpus/manifest.yaml): libraries,
their pinned releases and CVE patches, and the pairs they make.

A *version* is one tree to build: a release tag, or a CVE pair's base tag
with OE-Core's patches for that CVE applied (``v1.3.1+CVE-2026-27171``). A
*pair* is two versions a child moves between: consecutive releases
(``zlib:v1.3..v1.3.1``) or a base without and with the fix
(``zlib:v1.3.1..v1.3.1+CVE-2026-27171``).
"""

import os
import re

import yaml

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__))))))
CORPUS_DIR = os.path.join(REPO, "tests", "real-corpus")
MANIFEST = os.path.join(CORPUS_DIR, "manifest.yaml")
SETTINGS = os.path.join(CORPUS_DIR, "settings.yaml")
BUILD_SYSTEMS = ("zlib-configure", "autotools", "cmake", "make")
_COMMIT = re.compile(r"^[0-9a-f]{40}$")


class ManifestError(Exception):
    """The manifest or a selection is wrong; the message names the entry and the fix."""


class Patch:
    """An OE-Core patch file of a CVE fix, by commit and path."""

    def __init__(self, cve, commit, path, branch):
        self.cve, self.commit, self.path, self.branch = cve, commit, path, branch

    def spec(self):
        return {"oe-commit": self.commit, "path": self.path}


class Version:
    """One tree to build: ``tag`` at ``commit`` plus ``patches`` (in order);
    its id is the tag, plus ``+suffix`` (the CVE) for a patched one."""

    def __init__(self, lib, tag, commit, patches=(), suffix=None):
        self.lib, self.tag, self.commit, self.patches = lib, tag, commit, list(patches)
        self.id = tag + ("+" + suffix if suffix else "")

    def __repr__(self):
        return "%s:%s" % (self.lib.name, self.id)


class Pair:
    """A child built against ``old`` whose parent becomes ``new``; a CVE
    pair also has the ``patches`` that make the difference."""

    def __init__(self, lib, old, new, kind, patches=()):
        self.lib, self.old, self.new, self.kind, self.patches = lib, old, new, kind, list(patches)
        self.cve = self.patches[0].cve if self.patches else None
        self.id = "%s:%s..%s" % (lib.name, old.id, new.id)

    def __repr__(self):
        return self.id


class Library:
    def __init__(self, name, entry, oe_url):
        where = "manifest: library %s" % name
        self.name = name
        try:
            self.url = entry["url"]
            self.recipe = entry["recipe"]
            build = entry["build"]
            self.system = build["system"]
            self.subdir = build.get("subdir", "")
            self.options = list(build.get("options", []))
            # make only: where to run it, what to build, what to install
            self.make_dir = build.get("dir", "")
            self.targets = list(build.get("targets", []))
            self.install = list(build.get("install", ["install"]))
            self.experimental = list(entry.get("experimental-guards", []))
            self.pkgconfig = entry["pkg-config"]
            self.consumer = os.path.join(CORPUS_DIR, entry["consumer"])
            releases = entry["releases"]
        except (KeyError, TypeError) as err:
            raise ManifestError("%s: missing or malformed key %s; see the comment at the top of %s"
                                % (where, err, MANIFEST))
        self.oe_url = oe_url
        if self.system not in BUILD_SYSTEMS:
            raise ManifestError("%s: unknown build system %r; use one of: %s"
                                % (where, self.system, ", ".join(BUILD_SYSTEMS)))
        if not os.path.isfile(self.consumer):
            raise ManifestError("%s: consumer %s does not exist" % (where, self.consumer))
        self.releases = []
        for rel in releases:
            self._commit(rel.get("commit"), "%s release %s" % (where, rel.get("tag")))
            self.releases.append(Version(self, str(rel["tag"]), rel["commit"]))
        if len(self.releases) < 2:
            raise ManifestError("%s: needs at least two releases" % where)
        by_tag = dict((v.tag, v) for v in self.releases)
        self.pairs = [Pair(self, a, b, "release") for a, b in zip(self.releases, self.releases[1:])]
        self.cve_versions = []
        for cve in entry.get("cves", []):
            cwhere = "%s cve %s" % (where, cve.get("cve"))
            base = by_tag.get(str(cve.get("base")))
            if base is None:
                raise ManifestError("%s: base %r is not one of the releases (%s)"
                                    % (cwhere, cve.get("base"), ", ".join(by_tag)))
            listed = cve.get("patches") or [{"oe-commit": cve.get("oe-commit"),
                                             "path": cve.get("path")}]
            patches = []
            for entry in listed:
                self._commit(entry.get("oe-commit"), cwhere)
                if not entry.get("path"):
                    raise ManifestError("%s: a patch needs the path of the patch file in "
                                        "OE-Core" % cwhere)
                patches.append(Patch(cve["cve"], entry["oe-commit"], entry["path"],
                                     cve.get("oe-branch")))
            before = base
            after = Version(self, base.tag, base.commit, patches, suffix=cve["cve"])
            self.cve_versions.append(after)
            self.pairs.append(Pair(self, before, after, "cve", patches))

    @staticmethod
    def _commit(value, where):
        if not isinstance(value, str) or not _COMMIT.match(value):
            raise ManifestError("%s: commit must be a full 40-character hash, not %r"
                                % (where, value))

    def versions(self):
        seen = {}
        for pair in self.pairs:
            seen.setdefault(pair.old.id, pair.old)
            seen.setdefault(pair.new.id, pair.new)
        return list(seen.values())


class Manifest:
    def __init__(self, path=MANIFEST):
        try:
            with open(path) as f:
                data = yaml.safe_load(f)
        except (OSError, yaml.YAMLError) as err:
            raise ManifestError("cannot read the corpus manifest %s: %s" % (path, err))
        self.path = path
        self.oe_url = data["oe-core"]
        self.libraries = dict((name, Library(name, entry, self.oe_url))
                              for name, entry in data["libraries"].items())
        self.subsets = data.get("subsets", {})
        known = set(p.id for p in self.pairs())
        for name, ids in self.subsets.items():
            unknown = [i for i in ids if i not in known]
            if unknown:
                raise ManifestError("manifest: subset %s names unknown pairs: %s"
                                    % (name, ", ".join(unknown)))

    def pairs(self):
        return [p for lib in self.libraries.values() for p in lib.pairs]

    def select(self, libs=None, subset=None, pair_ids=None):
        """The pairs to run: all, or those of some libraries, a subset, or ids."""
        pairs = self.pairs()
        if libs:
            unknown = sorted(set(libs) - set(self.libraries))
            if unknown:
                raise ManifestError("unknown libraries: %s; the manifest has: %s"
                                    % (", ".join(unknown), ", ".join(self.libraries)))
            pairs = [p for p in pairs if p.lib.name in libs]
        if subset:
            if subset not in self.subsets:
                raise ManifestError("unknown subset %r; the manifest has: %s"
                                    % (subset, ", ".join(self.subsets) or "none"))
            wanted = set(self.subsets[subset])
            pairs = [p for p in pairs if p.id in wanted]
        if pair_ids:
            known = set(p.id for p in pairs)
            unknown = [i for i in pair_ids if i not in known]
            if unknown:
                raise ManifestError("unknown pairs: %s (see scripts/real-corpus list)"
                                    % ", ".join(unknown))
            pairs = [p for p in pairs if p.id in set(pair_ids)]
        return pairs


#: The key of a profile that limits it to some modes (it is no ParentInput option).
PROFILE_MODES = "modes"


def parent_options(profile):
    """The ParentInput keyword arguments of a settings profile."""
    return dict((k, v) for k, v in profile.items() if k != PROFILE_MODES)


def profile_modes(profiles):
    """{profile: modes} for the profiles that name the modes they apply to."""
    return dict((name, tuple(p[PROFILE_MODES])) for name, p in profiles.items()
                if PROFILE_MODES in p)


def load_settings(path=SETTINGS, names=None):
    """{profile name: ParentInput keyword arguments, plus ``modes`` (the
    modes it applies to, default all)} from a settings file."""
    try:
        with open(path) as f:
            data = yaml.safe_load(f) or {}
    except (OSError, yaml.YAMLError) as err:
        raise ManifestError("cannot read the settings profiles %s: %s" % (path, err))
    if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
        raise ManifestError("%s: each profile must map a name to ParentInput options "
                            "(use {} for none)" % path)
    for name, profile in data.items():
        modes = profile.get(PROFILE_MODES, ["exact", "superset"])
        if not isinstance(modes, list) or not set(modes) <= {"exact", "superset"} or not modes:
            raise ManifestError("%s: profile %s: %s must be a list of exact, superset"
                                % (path, name, PROFILE_MODES))
    if names:
        unknown = [n for n in names if n not in data]
        if unknown:
            raise ManifestError("unknown settings profiles: %s; %s has: %s"
                                % (", ".join(unknown), path, ", ".join(data)))
        data = dict((n, data[n]) for n in names)
    return data
