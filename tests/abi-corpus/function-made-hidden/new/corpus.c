/* SPDX-License-Identifier: MIT */
#include "corpus.h"
int corpus_value(void) { return 1; }
__attribute__((visibility("hidden"))) int corpus_helper(void) { return 5; }
