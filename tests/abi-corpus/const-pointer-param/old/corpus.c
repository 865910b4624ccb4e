/* SPDX-License-Identifier: MIT */
#include "corpus.h"
int corpus_len(char *s) { int n = 0; while (*s++) n++; return n; }
