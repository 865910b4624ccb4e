/* SPDX-License-Identifier: MIT */
#include "corpus.h"
int corpus_limit(void) { return CORPUS_LIMIT; }
