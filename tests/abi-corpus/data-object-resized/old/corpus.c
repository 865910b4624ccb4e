/* SPDX-License-Identifier: MIT */
#include "corpus.h"
int corpus_table[4] = { 1, 2, 3, 4 };
