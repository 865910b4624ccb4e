/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include "corpus.h"
int main(void) { char s[] = "hello"; printf("%d\n", corpus_len(s)); return 0; }
