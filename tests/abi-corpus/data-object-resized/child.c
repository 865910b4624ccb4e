/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include "corpus.h"
int main(void)
{
    int s = 0;
    unsigned i;
    for (i = 0; i < sizeof(corpus_table) / sizeof(corpus_table[0]); i++)
        s += corpus_table[i];
    printf("%d\n", s);
    return 0;
}
