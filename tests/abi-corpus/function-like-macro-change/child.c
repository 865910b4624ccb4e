/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include "corpus.h"
int main(void) { printf("%d %d\n", CORPUS_SCALE(5), corpus_scale(5)); return 0; }
