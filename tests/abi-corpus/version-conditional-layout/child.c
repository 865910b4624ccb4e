/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include "corpus.h"
int main(void) { struct corpus_pair p; p.a = 1; p.b = 2; printf("%d\n", corpus_pair_value(&p)); return 0; }
