/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include "corpus.h"
int main(void)
{
    struct corpus_point p;
    p.x = 10;
    p.y = 3;
    printf("%d\n", corpus_diff(&p));
    return 0;
}
