/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include "corpus.h"
int main(void) { struct corpus_point p = { 3, -4 }; printf("%d %d\n", corpus_value(), corpus_norm(&p)); return 0; }
