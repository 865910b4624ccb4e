#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""What marking the kept unihashes costs on a real bitbake-hashserv.

The in-build prune (SSTATE_PRUNE_HASHSERV_GC) marks the unihash of every
object left in the cache, then sweeps the rest. BitBake 2.12 and later
stream the marks (``gc_mark_stream``); BitBake 2.8 (scarthgap) only has
``gc_mark(mark, where)``, one request per unihash. This starts the given
BitBake's ``bitbake-hashserv`` on a unix socket with ``--entries`` rows in
its database, then times, with that BitBake's own client, marking
``--kept`` of them one request at a time and (where the client has it)
with one stream, and the sweep. Each way gets a fresh copy of the
database.

    benchmarks/hashserv_gc.py --bitbake /path/to/bitbake-2.8 --entries 100000 --kept 50000
"""

import argparse
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time


def h(*parts):
    return hashlib.sha256(":".join(str(p) for p in parts).encode()).hexdigest()


class Server:
    def __init__(self, bitbake, db, workdir):
        self.bitbake = bitbake
        self.db = db
        self.sock = os.path.join(workdir, "hs.sock")
        self.log = open(os.path.join(workdir, "hs.log"), "a")
        self.proc = None

    def __enter__(self):
        if os.path.exists(self.sock):
            os.unlink(self.sock)
        self.proc = subprocess.Popen([os.path.join(self.bitbake, "bin", "bitbake-hashserv"), "--bind",
                                      "unix://" + self.sock, "--database", self.db],
                                     stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while not os.path.exists(self.sock):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("bitbake-hashserv did not start (see %s)" % self.log.name)
            time.sleep(0.05)
        return "unix://" + self.sock

    def __exit__(self, *exc):
        self.proc.terminate()
        self.proc.wait(30)


def fill(db, entries):
    """``entries`` unihash rows (and their outhashes), as builds would leave them."""
    with sqlite3.connect(db) as c:
        c.executemany("INSERT INTO unihashes_v3 (method, taskhash, unihash, gc_mark) VALUES (?, ?, ?, '')",
                      (("oe.sstatesig.OEOuthashBasic", h("t", i), h("u", i)) for i in range(entries)))
        c.executemany("INSERT INTO outhashes_v2 (method, taskhash, outhash, created, owner, PN, PV, PR, task, "
                      "outhash_siginfo) VALUES (?, ?, ?, '2024-01-01 00:00:00', '', 'pn', '1', 'r0', "
                      "'do_populate_sysroot', '')",
                      (("oe.sstatesig.OEOuthashBasic", h("t", i), h("o", i)) for i in range(entries)))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--bitbake", required=True, help="a BitBake checkout (bin/bitbake-hashserv, lib/hashserv)")
    p.add_argument("--entries", type=int, default=100000)
    p.add_argument("--kept", type=int, default=50000)
    args = p.parse_args()
    sys.path.insert(0, os.path.join(args.bitbake, "lib"))
    import hashserv

    work = tempfile.mkdtemp(prefix="hashserv-gc-")
    try:
        template = os.path.join(work, "template.db")
        with Server(args.bitbake, template, work) as addr:
            c = hashserv.create_client(addr)        # a first request creates the schema
            c.get_stats()
            c.close()
        fill(template, args.entries)
        rows = ["unihash %s" % h("u", i) for i in range(0, args.entries, max(1, args.entries // args.kept))]
        rows = rows[:args.kept]
        out = {"bitbake": args.bitbake, "entries": args.entries, "kept": len(rows)}
        client_cls = hashserv.create_client
        ways = ["per-unihash"]
        with Server(args.bitbake, template, work) as addr:
            c = client_cls(addr)
            if hasattr(c, "gc_mark_stream"):
                ways.append("stream")
            c.close()
        for way in ways:
            db = os.path.join(work, way + ".db")
            shutil.copy(template, db)
            with Server(args.bitbake, db, work) as addr:
                c = client_cls(addr)
                t0 = time.monotonic()
                if way == "stream":
                    marked = c.gc_mark_stream("bench", rows)["count"]
                else:
                    marked = sum(c.gc_mark("bench", {"unihash": r.split()[1]})["count"] for r in rows)
                t1 = time.monotonic()
                swept = c.gc_sweep("bench")["count"]
                t2 = time.monotonic()
                c.close()
            out[way] = {"marked": marked, "swept": swept, "mark_seconds": round(t1 - t0, 2),
                        "marks_per_second": round(len(rows) / (t1 - t0)), "sweep_seconds": round(t2 - t1, 2)}
        print(json.dumps(out, indent=1))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
