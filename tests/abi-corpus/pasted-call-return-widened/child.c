/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include "corpus.h"
#define CALL(name) corpus_##name()
int main(void) { printf("%lld\n", (long long)CALL(big)); return 0; }
