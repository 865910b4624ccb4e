/* SPDX-License-Identifier: MIT */
#include "corpus.h"
int corpus_norm(const struct corpus_point *p) { return (p->x < 0 ? -p->x : p->x) + (p->y < 0 ? -p->y : p->y); }

