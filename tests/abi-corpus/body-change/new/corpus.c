/* SPDX-License-Identifier: MIT */
#include "corpus.h"
int corpus_value(void) { int v = 40; return v + 2; }
