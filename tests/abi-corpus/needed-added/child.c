/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include "corpus.h"
int main(void) { printf("%.3f\n", corpus_root(16.0)); return 0; }
