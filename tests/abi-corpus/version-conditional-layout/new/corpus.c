/* SPDX-License-Identifier: MIT */
#include "corpus.h"
int corpus_pair_value(const struct corpus_pair *p) { return p->a * 10 + p->b; }
