/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include "corpus.h"
int main(void) { printf("%d %d\n", corpus_value(), corpus_helper()); return 0; }
