/* SPDX-License-Identifier: MIT */
#include "corpus.h"
int corpus_value(int x) { return x + 2; }
int corpus_legacy(corpus_legacy_t x) { return (int)x; }
