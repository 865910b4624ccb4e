/* SPDX-License-Identifier: MIT */
#include "corpus.h"
long long corpus_big(void) { return (1LL << 40) + 5; }
