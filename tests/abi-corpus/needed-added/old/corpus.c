/* SPDX-License-Identifier: MIT */
#include "corpus.h"
double corpus_root(double x) { double r = x; int i; for (i = 0; i < 40; i++) r = (r + x / r) / 2; return r; }
