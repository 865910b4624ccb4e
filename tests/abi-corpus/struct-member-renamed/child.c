/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include "corpus.h"
int main(void) { struct corpus_pair p = { 1, 2 }; printf("%d %d\n", p.first, corpus_pair_sum(&p)); return 0; }
