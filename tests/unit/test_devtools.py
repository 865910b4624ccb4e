# SPDX-License-Identifier: MIT
#
# The development tooling: pinned-source parsing and task-result classification.

import os
import subprocess

import pytest

from sstmgmt_dev import buildenv, sources

yaml = pytest.importorskip("yaml")


@pytest.mark.parametrize("release", ["master", "wrynose", "scarthgap"])
def test_pins_match_yaml_and_are_full_hashes(release):
    pins = sources.read_pins(release)
    with open(os.path.join(sources.KAS_DIR, release + ".yml")) as f:
        doc = yaml.safe_load(f)
    expected = {name: {k: str(v) for k, v in repo.items() if k in ("url", "commit", "branch")}
                for name, repo in doc["repos"].items() if repo and "url" in repo}
    assert pins == expected
    assert set(pins) == {"bitbake", "openembedded-core"}
    assert pins["bitbake"]["url"] == "https://git.openembedded.org/bitbake"
    assert pins["openembedded-core"]["url"] == "https://git.openembedded.org/openembedded-core"
    # kas conventions: header version, bitbake repo present but not a layer
    assert doc["header"]["version"] >= 14
    assert doc["repos"]["bitbake"]["layers"] == {"bitbake": "disabled"}
    assert "meta-sstate-mgmt" in doc["repos"]["meta-sstate-mgmt"]["layers"]


def test_unknown_release_names_the_kas_files():
    with pytest.raises(sources.SourcesError, match=r"unknown release 'nope'.*master.*wrynose"):
        sources.read_pins("nope")


def test_releases_lists_every_supported_release():
    assert {"master", "wrynose", "scarthgap"} <= set(sources.releases())


def test_short_commit_is_refused(tmp_path, monkeypatch):
    kas = tmp_path / "kas"
    kas.mkdir()
    (kas / "bad.yml").write_text("header:\n  version: 14\nrepos:\n  bitbake:\n    url: https://x/bitbake\n"
                                 "    commit: abc123\n")
    monkeypatch.setattr(sources, "KAS_DIR", str(kas))
    with pytest.raises(sources.SourcesError, match="full 40-character commit"):
        sources.read_pins("bad")


def test_materialise_clones_pins_and_is_idempotent(tmp_path, monkeypatch):
    """Against a throwaway upstream repo: clone, check out the pinned commit, then no-op."""
    upstream = tmp_path / "upstream"
    upstream.mkdir()
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run(git + ["init", "-q", "-b", "main", str(upstream)], check=True)
    (upstream / "f").write_text("one\n")
    subprocess.run(git + ["-C", str(upstream), "add", "f"], check=True)
    subprocess.run(git + ["-C", str(upstream), "commit", "-qm", "one"], check=True)
    first = subprocess.run(["git", "-C", str(upstream), "rev-parse", "HEAD"], stdout=subprocess.PIPE,
                           universal_newlines=True, check=True).stdout.strip()
    (upstream / "f").write_text("two\n")
    subprocess.run(git + ["-C", str(upstream), "commit", "-qam", "two"], check=True)

    kas = tmp_path / "kas"
    kas.mkdir()
    (kas / "t.yml").write_text("header:\n  version: 14\nrepos:\n"
                               "  bitbake:\n    url: %s\n    branch: main\n    commit: %s\n"
                               "  openembedded-core:\n    url: %s\n    branch: main\n    commit: %s\n"
                               % (upstream, first, upstream, first))
    monkeypatch.setattr(sources, "KAS_DIR", str(kas))
    monkeypatch.setenv("SSTATE_MGMT_SOURCES", str(tmp_path / "src"))
    dest = sources.materialise("t")
    assert (tmp_path / "src" / "t" / "bitbake" / "f").read_text() == "one\n"
    assert sources.check("t") == (True, dest)
    # Idempotent: remove the upstream; a second call must not need it.
    subprocess.run(["rm", "-rf", str(upstream)], check=True)
    assert sources.materialise("t") == dest


def test_unreachable_upstream_names_the_fix(tmp_path, monkeypatch):
    kas = tmp_path / "kas"
    kas.mkdir()
    (kas / "t.yml").write_text("repos:\n  bitbake:\n    url: %s\n    commit: %s\n" % (tmp_path / "missing", "a" * 40))
    monkeypatch.setattr(sources, "KAS_DIR", str(kas))
    monkeypatch.setenv("SSTATE_MGMT_SOURCES", str(tmp_path / "src"))
    with pytest.raises(sources.SourcesError, match=r"cannot clone .*insteadOf"):
        sources.materialise("t")


def test_bitbake_result_classifies_setscene_and_real_tasks():
    ev = lambda e, pn, t: {"event": e, "pn": pn, "task": t}
    res = buildenv.BitbakeResult(["x"], 0, "", [
        ev("TaskStarted", "a", "do_compile"), ev("TaskSucceeded", "a", "do_compile"),
        ev("TaskSucceeded", "a", "do_populate_sysroot_setscene"),
        ev("TaskFailed", "b", "do_package_setscene"), ev("TaskSucceeded", "b", "do_package"),
    ], 1.0)
    assert res.ran == {"a:do_compile", "b:do_package"}
    assert res.setscene == {"a:do_populate_sysroot"}
    assert res.failed == {"b:do_package"}
    assert res.ran_for("a") == ["do_compile"] and res.setscene_for("b") == []


def test_entry_points_are_executable_in_git():
    """README's commands run as ./scripts/...: a script committed without +x breaks a new user's first step."""
    root = os.path.dirname(sources.KAS_DIR)
    out = subprocess.run(["git", "ls-files", "-s", "scripts", ".ci"], cwd=root, stdout=subprocess.PIPE,
                         universal_newlines=True, check=True).stdout
    entries = [line.split() for line in out.splitlines()]
    top = [(mode, path) for mode, _, _, path in entries if path.count("/") == 1]
    assert top, out
    assert [p for mode, p in top if mode != "100755"] == []


def test_unquoted_number_in_a_kas_file_is_refused(tmp_path, monkeypatch):
    (tmp_path / "num.yml").write_text("repos:\n  bitbake:\n    url: https://example.invalid/b\n"
                                      "    commit: 1234567890123456789012345678901234567890\n")
    monkeypatch.setattr(sources, "KAS_DIR", str(tmp_path))
    with pytest.raises(sources.SourcesError, match="put it in quotes"):
        sources.read_pins("num")
