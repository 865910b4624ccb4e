/* SPDX-License-Identifier: MIT */
#include "corpus.h"
int corpus_table[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
