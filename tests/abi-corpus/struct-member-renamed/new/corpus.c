/* SPDX-License-Identifier: MIT */
#include "corpus.h"
int corpus_pair_sum(const struct corpus_pair *p) { return p->head + p->second; }
