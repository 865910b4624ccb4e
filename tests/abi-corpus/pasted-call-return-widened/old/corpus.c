/* SPDX-License-Identifier: MIT */
#include "corpus.h"
int corpus_big(void) { return 5; }
