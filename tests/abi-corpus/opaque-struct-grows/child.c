/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include "corpus.h"
int main(void)
{
    corpus_obj *o = corpus_obj_new(9);
    printf("%d\n", corpus_obj_get(o));
    corpus_obj_free(o);
    return 0;
}
