/* SPDX-License-Identifier: MIT */
#include "corpus.h"
int corpus_value(void) { return 1; }
int corpus_extra(int x) { return x * 3; }
