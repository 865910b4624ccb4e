/* SPDX-License-Identifier: MIT */
#include "corpus.h"
int corpus_scale(int x) { return CORPUS_SCALE(x); }
