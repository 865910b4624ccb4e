/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include "corpus.h"
struct wrapped { struct corpus_cfg cfg; int canary; };
int main(void)
{
    struct wrapped w;
    w.canary = 42;
    corpus_cfg_init(&w.cfg);
    printf("%d %d %d\n", w.cfg.a, w.cfg.b, w.canary);
    return 0;
}
