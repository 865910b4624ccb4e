/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include "corpus.h"
int main(void) { printf("%s %d\n", corpus_color_name(CORPUS_GREEN), (int)CORPUS_BLUE); return 0; }
