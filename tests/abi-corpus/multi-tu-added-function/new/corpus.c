/* SPDX-License-Identifier: MIT */
#include "corpus.h"
int corpus_helper(int x);
int corpus_value(void) { return corpus_helper(1); }
