/* SPDX-License-Identifier: MIT */
#include "corpus.h"
#include <stdlib.h>
struct corpus_obj { long cache[8]; int v; };
corpus_obj *corpus_obj_new(int v)
{
    corpus_obj *o = calloc(1, sizeof(*o));
    o->v = v;
    return o;
}
int corpus_obj_get(const corpus_obj *o) { return o->v; }
void corpus_obj_free(corpus_obj *o) { free(o); }
