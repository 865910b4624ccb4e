/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include "corpus.h"
int main(void) { printf("%d\n", corpus_value(CORPUS_BASE)); return 0; }
