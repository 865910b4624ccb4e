# SPDX-License-Identifier: MIT
"""scripts/real-corpus: build the real-library corpus, establish the truth of
each pair, judge every checker, write the verdict matrix (docs/real-corpus.md).

Exit status: 0 done, 1 error (the message names what and how to fix it),
2 bad usage, 3 the pinned sources cannot be reached.
"""

import argparse
import datetime
import json
import os
import platform
import sys
import tempfile
import time

from . import build, fetch, judge, manifest, matrix, procs, truth

EXIT_UNREACHABLE = 3


def _words(value):
    return [w for w in value.replace(",", " ").split()] if value else None


def parser():
    p = argparse.ArgumentParser(prog="real-corpus", description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="command", required=True)

    def selection(sp):
        sp.add_argument("--libs", help="only these libraries (comma-separated)")
        sp.add_argument("--subset", help="only the pairs of this subset of the manifest (fast)")
        sp.add_argument("--pairs", help="only these pair ids (see 'list')")
        sp.add_argument("--cache", help="cache directory (default: $SSTATE_MGMT_CACHE/real-corpus)")
        sp.add_argument("--jobs", type=int, default=2, help="parallel jobs (default 2)")

    sub.add_parser("list", help="libraries, releases and pairs of the manifest")
    sp = sub.add_parser("matrix", help="write the matrix of a run's --json results again")
    sp.add_argument("json", help="results written by 'run --json'")
    sp.add_argument("--out", required=True, help="the Markdown file to write")
    selection(sub.add_parser("build", help="fetch the sources and build the trees"))
    sp = sub.add_parser("truth", help="build, then the oracle and the evidence of each pair")
    selection(sp)
    sp.add_argument("--json", help="write the truth records here")
    sp = sub.add_parser("run", help="build, truth, every checker, the matrix")
    selection(sp)
    sp.add_argument("--layer-lib", default=judge.DEFAULT_LAYER_LIB,
                    help="the lib/ directory whose sstatemgmt.compat is judged (default: %s)"
                    % os.path.relpath(judge.DEFAULT_LAYER_LIB, manifest.REPO))
    sp.add_argument("--checkers", help="checkers (default: all)")
    sp.add_argument("--modes", help="exact, superset (default: both)")
    sp.add_argument("--settings", help="settings profiles (default: all in the settings file)")
    sp.add_argument("--settings-file", default=manifest.SETTINGS,
                    help="YAML file of settings profiles (default: %s)"
                    % os.path.relpath(manifest.SETTINGS, manifest.REPO))
    sp.add_argument("--timeout", type=int, default=judge.DEFAULT_TIMEOUT,
                    help="seconds each report may take before it is killed (default %d)"
                    % judge.DEFAULT_TIMEOUT)
    sp.add_argument("--out", help="write the verdict matrix (Markdown) here")
    sp.add_argument("--json", help="write the raw results here")
    return p


def _log(msg):
    sys.stderr.write("real-corpus: %s\n" % msg)
    sys.stderr.flush()


def build_trees(pairs, cache, jobs, log=_log):
    """{(library, version id): Tree} of every version the pairs need."""
    repos = fetch.Repos(cache)
    trees = {}
    versions = list(dict(((v.lib.name, v.id), v) for p in pairs for v in (p.old, p.new)).values())
    for n, v in enumerate(versions, 1):
        t0 = time.monotonic()
        tree = build.ensure(v, repos, cache, jobs=jobs, log=lambda m: log("[%d/%d] %s" % (
            n, len(versions), m)))
        trees[(v.lib.name, v.id)] = tree
        if time.monotonic() - t0 > 1:
            log("[%d/%d] %s built in %.0f s" % (n, len(versions), v, time.monotonic() - t0))
    return trees


def establish_truth(pairs, trees, cache, log=_log):
    oracle = truth.Oracle(cache)
    records = {}
    for pair in pairs:
        rec = oracle.judge(pair, trees[(pair.lib.name, pair.old.id)],
                           trees[(pair.lib.name, pair.new.id)])
        rec["evidence"] = truth.evidence_line(rec)
        records[pair.id] = rec
        log("truth %s: %s (%s)" % (pair.id, rec["truth"], rec["evidence"]))
    return records


def _layer_commit(layer_lib):
    """The last commit that changed the judged lib/ (and whether it has
    uncommitted changes): what identifies the checkers."""
    res = procs.run(["git", "-C", layer_lib, "log", "-1", "--format=%h", "--abbrev=12", "--",
                     "."], 60)
    if res.returncode or not res.stdout.strip():
        return None
    dirty = procs.run(["git", "-C", layer_lib, "status", "--porcelain", "--", "."], 60)
    return res.stdout.strip() + (" with uncommitted changes" if dirty.stdout.strip() else "")


def _tool(argv):
    res = procs.run(argv, 60)
    text = (res.stdout + res.stderr).strip().splitlines()
    return text[0].split()[-1] if text else "?"


def run_checkers(args, pairs, trees, records):
    profiles = manifest.load_settings(args.settings_file, _words(args.settings))
    cols = judge.columns(_words(args.checkers), _words(args.modes), list(profiles),
                         manifest.profile_modes(profiles))
    skipped = [c for c in cols if judge.missing_tools(c)]
    for c in skipped:
        _log("skipping %s (%s): %s not on PATH" % (c.name, c.profile,
                                                     ", ".join(judge.missing_tools(c))))
    cols = [c for c in cols if c not in skipped]
    by_pair = dict((p.id, p) for p in pairs)
    with tempfile.TemporaryDirectory(prefix="real-corpus-reports-") as work:
        j = judge.Judge(work, layer_lib=args.layer_lib, profiles=profiles, timeout=args.timeout,
                        jobs=args.jobs, log=_log)
        verdicts = j.run(pairs, trees, cols)
    out_cols = [{"checker": c.checker, "mode": c.mode, "profile": c.profile} for c in cols]
    out_pairs = []
    for pid, rec in records.items():
        pair = by_pair[pid]
        entry = dict(rec, id=pid, library=pair.lib.name, old=pair.old.id, new=pair.new.id,
                     cve=pair.cve, patches=[p.spec() for p in pair.patches])
        entry["verdicts"] = dict((matrix.column_key(oc), verdicts[(pid, c)])
                                 for oc, c in zip(out_cols, cols))
        out_pairs.append(entry)
    return {"columns": out_cols, "pairs": out_pairs, "profiles": profiles,
            "trees": dict(("%s:%s" % k, t.root) for k, t in sorted(trees.items())),
            "skipped": [{"checker": c.checker, "mode": c.mode, "profile": c.profile}
                        for c in skipped]}


def main(argv=None):
    args = parser().parse_args(argv)
    t0 = time.monotonic()
    try:
        corpus = manifest.Manifest()
        if args.command == "list":
            for lib in corpus.libraries.values():
                print("%s (%s, %s): %s" % (lib.name, lib.url, lib.system,
                                           " ".join(v.tag for v in lib.releases)))
                for pair in lib.pairs:
                    print("  %s%s" % (pair.id, "".join("  [%s]" % p.path for p in pair.patches)))
            for name, ids in corpus.subsets.items():
                print("subset %s: %s" % (name, " ".join(ids)))
            return 0
        if args.command == "matrix":
            with open(args.json) as f:
                results = json.load(f)
            with open(args.out, "w") as f:
                f.write(matrix.render(results))
            return 0
        if args.command == "run":
            if not os.path.isdir(os.path.join(args.layer_lib, "sstatemgmt", "compat")):
                raise manifest.ManifestError(
                    "--layer-lib %s has no sstatemgmt/compat; pass a checkout's "
                    "meta-sstate-mgmt/lib" % args.layer_lib)
            manifest.load_settings(args.settings_file, _words(args.settings))
        pairs = corpus.select(_words(args.libs), args.subset, _words(args.pairs))
        if not pairs:
            raise manifest.ManifestError("the selection has no pairs")
        cache = os.path.abspath(args.cache) if args.cache else fetch.default_cache()
        start_load = os.getloadavg()[0]
        trees = build_trees(pairs, cache, args.jobs)
        if args.command == "build":
            for key, tree in sorted(trees.items()):
                print("%s:%s %s" % (key[0], key[1], tree.root))
            return 0
        records = establish_truth(pairs, trees, cache)
        if args.command == "truth":
            for pid, rec in records.items():
                print("%-45s %-11s %s" % (pid, rec["truth"], rec["evidence"]))
            if args.json:
                with open(args.json, "w") as f:
                    json.dump(records, f, indent=1, sort_keys=True)
            return 0
        results = run_checkers(args, pairs, trees, records)
    except (manifest.ManifestError, build.BuildError, truth.OracleError) as err:
        _log("error: %s" % err)
        return 1
    except fetch.SourcesUnavailable as err:
        _log("sources unreachable: %s" % err)
        return EXIT_UNREACHABLE
    results["run"] = {
        "date": datetime.date.today().isoformat(), "seconds": time.monotonic() - t0,
        "jobs": args.jobs, "timeout": args.timeout, "layer_lib": _display(args.layer_lib),
        "layer_commit": _layer_commit(args.layer_lib),
        "host": "%d CPUs, load %.1f at start" % (os.cpu_count(), start_load),
        "tools": {"abidw": _tool(["abidw", "--version"]),
                  "abi-compliance-checker": _tool(["abi-compliance-checker", "-version"]),
                  "gcc": build.compiler().split()[-1], "python": platform.python_version()}}
    results["run"]["command"] = "scripts/real-corpus " + " ".join(
        sys.argv[1:] if argv is None else argv)
    print(matrix.summary(results))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1, sort_keys=True)
    if args.out:
        with open(args.out, "w") as f:
            f.write(matrix.render(results))
        _log("wrote %s" % args.out)
    _log("done in %.0f s" % (time.monotonic() - t0))
    return 0


def _display(path):
    path = os.path.abspath(path)
    rel = os.path.relpath(path, manifest.REPO)
    return path if rel.startswith("..") else rel
