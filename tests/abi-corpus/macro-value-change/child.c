/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include "corpus.h"
int main(void) { printf("%d %d\n", CORPUS_LIMIT, corpus_limit()); return 0; }
