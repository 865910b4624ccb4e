/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include "corpus.h"
int main(void) { printf("%lld\n", (long long)corpus_big()); return 0; }
