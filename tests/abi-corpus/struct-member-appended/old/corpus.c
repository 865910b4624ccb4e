/* SPDX-License-Identifier: MIT */
#include "corpus.h"
void corpus_cfg_init(struct corpus_cfg *c) { c->a = 1; c->b = 2; }
