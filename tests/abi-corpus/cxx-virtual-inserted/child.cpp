/* SPDX-License-Identifier: MIT */
#include <cstdio>
#include "corpus.h"
int main()
{
    Shape *s = corpus_make();
    std::printf("%d\n", s->sides());
    delete s;
    return 0;
}
