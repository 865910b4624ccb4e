/* SPDX-License-Identifier: MIT */
#include "corpus.h"
static int helper(int a, int b) { return a * b; }
int corpus_value(void) { return helper(6, 7); }
