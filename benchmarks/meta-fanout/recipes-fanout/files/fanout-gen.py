#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""C sources of the fan-out benchmark (benchmarks/fanout.py), deterministic.

    fanout-gen.py lib --body B --abi A --outdir DIR
        libfanout: fanout.h and fanout.c. B changes function bodies only
        (a compatible change); A inserts A members into the public struct
        (an incompatible change: every child that uses the struct breaks).
    fanout-gen.py app --index I --lines L --outdir DIR
        child program I: about L lines of C in files of about 400 lines
        (main.c plus part*.c), using libfanout's functions and its struct.

The same arguments always give the same bytes (random.Random seeded with a
string is stable across Python 3 versions).
"""

import argparse
import os
import random

PART_LINES = 400


# -- the parent library --------------------------------------------------------

def lib_header(abi):
    reserved = "".join("    double reserved%d;\n" % i for i in range(abi))
    return """\
/* SPDX-License-Identifier: MIT */
/* libfanout: the parent library of the fan-out benchmark (generated). */
#ifndef FANOUT_H
#define FANOUT_H
#include <stddef.h>

struct fanout_record {
    unsigned id;
%s    double weight;
    char tag[16];
};

void fanout_record_init(struct fanout_record *r, unsigned id, double weight);
double fanout_record_score(const struct fanout_record *r);
unsigned fanout_hash(const void *data, size_t len);
int fanout_clamp(int v, int lo, int hi);
size_t fanout_format(char *buf, size_t len, const struct fanout_record *r);
const char *fanout_version(void);
#endif
""" % reserved


def lib_source(body):
    # A new body revision changes constants and code paths inside the
    # functions; no signature, symbol or type changes.
    return """\
/* SPDX-License-Identifier: MIT */
/* libfanout, body revision %(body)d (generated). */
#include <stdio.h>
#include <string.h>
#include "fanout.h"

unsigned fanout_hash(const void *data, size_t len)
{
    const unsigned char *p = data;
    unsigned h = 2166136261u + %(body)du;
    size_t i;
    for (i = 0; i < len; i++) {
        h ^= p[i];
        h *= 16777619u;
%(extra_mix)s    }
    return h;
}

int fanout_clamp(int v, int lo, int hi)
{
    if (hi < lo)
        return lo;%(clamp_fix)s
    return v < lo ? lo : v > hi ? hi : v;
}

void fanout_record_init(struct fanout_record *r, unsigned id, double weight)
{
    memset(r, 0, sizeof *r);
    r->id = id;
    r->weight = weight;
    snprintf(r->tag, sizeof r->tag, "r%%u", id %% 100000u);
}

double fanout_record_score(const struct fanout_record *r)
{
    double s = r->weight * %(factor)s;
    s += (double)(fanout_hash(r->tag, strlen(r->tag)) %% 1000u) / 1000.0;
    return s + (double)(r->id %% %(modulus)du);
}

size_t fanout_format(char *buf, size_t len, const struct fanout_record *r)
{
    int n = snprintf(buf, len, "%%s id=%%u w=%%.3f", r->tag, r->id, r->weight);
    return n < 0 ? 0 : (size_t)n;
}

const char *fanout_version(void)
{
    return "1.0.%(body)d";
}
""" % dict(body=body, factor="%.3f" % (1.5 + body / 1000.0), modulus=97 + body,
           extra_mix="        h ^= h >> %d;\n" % (13 + body % 5) if body else "",
           clamp_fix="\n    if (v == lo - 1)\n        return lo;" if body % 2 else "")


# -- a child program -------------------------------------------------------------

class Part:
    """One translation unit of a child: static functions and one exported entry point."""

    def __init__(self, rng, name):
        self.rng = rng
        self.name = name
        self.lines = []
        self.calls = []     # expressions main's entry point combines
        self.count = 0

    def k(self, lo=2, hi=97):
        return self.rng.randint(lo, hi)

    def fname(self):
        self.count += 1
        return "%s_f%d" % (self.name, self.count)

    def emit(self, text):
        self.lines.extend(text.rstrip("\n").split("\n"))
        self.lines.append("")

    def loop_fn(self):
        f = self.fname()
        self.emit("""\
static long %(f)s(const int *v, size_t n, int k)
{
    long acc = %(a)d;
    size_t i;
    for (i = 0; i < n; i++) {
        int x = v[i] * %(b)d + k;
        if (x %% %(c)d == 0)
            acc += x / %(d)d;
        else if (x > %(e)d)
            acc ^= (long)x << (i %% 7);
        else
            acc -= x;
    }
    return acc;
}""" % dict(f=f, a=self.k(), b=self.k(), c=self.k(3, 11), d=self.k(), e=self.k(100, 900)))
        self.calls.append("%s(data, sizeof data / sizeof data[0], (int)seed)" % f)

    def switch_fn(self):
        f = self.fname()
        chars = self.rng.sample("abcdefghijklmnopqrstuvwxyz", 4)
        cases = []
        for i, ch in enumerate(chars):
            cases.append("""\
        case %d:
            if (*s == '%s')
                state = %d;
            else if (*s == '%s')
                count += %d;
            else
                count--;
            break;""" % (i, ch, (i + 1) % 4, chars[(i + 2) % 4], self.k(1, 9)))
        self.emit("""\
static int %s(const char *s)
{
    int state = 0, count = 0;
    for (; *s; s++) {
        switch (state) {
%s
        default:
            state = 0;
        }
    }
    return count * %d + state;
}""" % (f, "\n".join(cases), self.k()))
        self.calls.append('%s(text)' % f)

    def record_fn(self):
        f = self.fname()
        self.emit("""\
static double %(f)s(unsigned seed)
{
    struct fanout_record recs[%(n)d];
    double total = 0;
    unsigned i;
    for (i = 0; i < %(n)d; i++) {
        fanout_record_init(&recs[i], seed + i * %(a)du, (double)i / %(b)d.0);
        recs[i].weight *= 1.%(c)d;
        if (recs[i].id %% %(d)du == 0)
            recs[i].tag[0] = 'x';
        total += fanout_record_score(&recs[i]);
    }
    for (i = 1; i < %(n)d; i++)
        total -= recs[i - 1].weight * recs[i].weight;
    return total;
}""" % dict(f=f, n=self.k(4, 16), a=self.k(), b=self.k(), c=self.k(1, 9), d=self.k(2, 7)))
        self.calls.append("(long)%s(seed)" % f)

    def format_fn(self):
        f = self.fname()
        self.emit("""\
static unsigned %(f)s(int a, int b)
{
    char buf[128];
    struct fanout_record r;
    size_t n;
    fanout_record_init(&r, (unsigned)(a * %(k1)d + b), (double)b / %(k2)d.0);
    n = fanout_format(buf, sizeof buf, &r);
    n += (size_t)snprintf(buf + n, sizeof buf - n, ";%%d:%%d:%(tag)s", a * %(k1)d, b - %(k2)d);
    if (n >= sizeof buf)
        n = sizeof buf - 1;
    return fanout_hash(buf, n) ^ (unsigned)fanout_clamp(a, -%(k3)d, %(k3)d);
}""" % dict(f=f, k1=self.k(), k2=self.k(), k3=self.k(10, 500), tag="t%d" % self.k(100, 999)))
        self.calls.append("(long)%s((int)seed, %d)" % (f, self.k()))

    def matrix_fn(self):
        f = self.fname()
        self.emit("""\
static double %(f)s(unsigned seed)
{
    double m[4][4], v[4], out[4];
    double s = 0;
    int i, j, r;
    for (i = 0; i < 4; i++) {
        v[i] = (double)((seed >> i) & 0xff) / %(a)d.0;
        for (j = 0; j < 4; j++)
            m[i][j] = (double)((i + 1) * (j + %(b)d)) / %(c)d.0;
    }
    for (r = 0; r < %(rounds)d; r++) {
        for (i = 0; i < 4; i++) {
            out[i] = 0;
            for (j = 0; j < 4; j++)
                out[i] += m[i][j] * v[j];
        }
        for (i = 0; i < 4; i++)
            v[i] = out[i] / (1.0 + s);
        s += out[r %% 4];
    }
    return s;
}""" % dict(f=f, a=self.k(), b=self.k(1, 9), c=self.k(), rounds=self.k(3, 12)))
        self.calls.append("(long)%s(seed)" % f)

    def sort_fn(self):
        f = self.fname()
        self.emit("""\
static int %(f)s(unsigned seed, int key)
{
    int a[%(n)d];
    int i, j, lo = 0, hi = %(n)d - 1;
    for (i = 0; i < %(n)d; i++)
        a[i] = (int)((seed * %(m)du + (unsigned)i * %(k)du) %% 1000u);
    for (i = 1; i < %(n)d; i++) {
        int x = a[i];
        for (j = i - 1; j >= 0 && a[j] > x; j--)
            a[j + 1] = a[j];
        a[j + 1] = x;
    }
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        if (a[mid] == key)
            return mid;
        if (a[mid] < key)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return -lo;
}""" % dict(f=f, n=self.k(8, 32), m=self.k(1000, 9999), k=self.k()))
        self.calls.append("%s(seed, %d)" % (f, self.k(0, 999)))

    KINDS = ("loop_fn", "switch_fn", "record_fn", "format_fn", "matrix_fn", "sort_fn")

    def fill(self, lines):
        # The head, the entry point and the function to come: about 40 lines.
        while len(self.lines) + len(self.calls) + 40 < lines:
            getattr(self, self.rng.choice(self.KINDS))()
        data = ", ".join(str(self.k(0, 999)) for _ in range(16))
        text = "".join(self.rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(24))
        uses = " ".join(self.calls)
        entry = ["long %s_run(unsigned seed)" % self.name, "{"]
        if "data" in uses:
            entry.append("    static const int data[] = { %s };" % data)
        if "text" in uses:
            entry.append('    static const char text[] = "%s";' % text)
        entry.append("    long acc = 0;")
        entry += ["    acc = acc * 31 + %s;" % c for c in self.calls]
        entry += ["    return acc;", "}"]
        head = ["/* SPDX-License-Identifier: MIT */",
                "/* Generated by fanout-gen.py: one part of a fan-out benchmark child. */",
                "#include <stdio.h>", "#include <fanout.h>", ""]
        return "\n".join(head + self.lines + entry) + "\n"


def app_sources(index, lines):
    rng = random.Random("fanout-app-%d" % index)
    nparts = max(1, round(lines / PART_LINES))
    files = {}
    for p in range(nparts):
        name = "part%02d" % p
        files[name + ".c"] = Part(rng, "app%d_%s" % (index, name)).fill(lines // nparts)
    decls = "".join("long app%d_part%02d_run(unsigned seed);\n" % (index, p) for p in range(nparts))
    calls = "".join("    acc = acc * 17 + app%d_part%02d_run(seed);\n" % (index, p) for p in range(nparts))
    files["main.c"] = """\
/* SPDX-License-Identifier: MIT */
/* Generated by fanout-gen.py: fan-out benchmark child %(index)d. */
#include <stdio.h>
#include <fanout.h>

%(decls)s
int main(int argc, char **argv)
{
    unsigned seed = (unsigned)argc * %(index)du;
    long acc = 0;
    (void)argv;
%(calls)s    printf("child %(index)d (libfanout %%s): %%ld\\n", fanout_version(), acc);
    return 0;
}
""" % dict(index=index, decls=decls, calls=calls)
    return files


def write(outdir, files):
    os.makedirs(outdir, exist_ok=True)
    for name, text in sorted(files.items()):
        with open(os.path.join(outdir, name), "w") as f:
            f.write(text)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="what", required=True)
    lib = sub.add_parser("lib")
    lib.add_argument("--body", type=int, default=0)
    lib.add_argument("--abi", type=int, default=0)
    lib.add_argument("--outdir", required=True)
    app = sub.add_parser("app")
    app.add_argument("--index", type=int, required=True)
    app.add_argument("--lines", type=int, default=3000)
    app.add_argument("--outdir", required=True)
    args = ap.parse_args()
    if args.what == "lib":
        write(args.outdir, {"fanout.h": lib_header(args.abi), "fanout.c": lib_source(args.body)})
    else:
        write(args.outdir, app_sources(args.index, args.lines))


if __name__ == "__main__":
    main()
