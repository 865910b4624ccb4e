/* SPDX-License-Identifier: MIT */
#include "corpus.h"
int corpus_diff(const struct corpus_point *p) { return p->x - p->y; }
