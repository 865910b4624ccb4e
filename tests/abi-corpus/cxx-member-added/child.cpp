/* SPDX-License-Identifier: MIT */
#include <cstdio>
#include "corpus.h"
struct Wrapped { Counter c; int canary; };
int main()
{
    Wrapped w;
    w.canary = 42;
    w.c.add(5);
    std::printf("%d %d\n", w.c.total(), w.canary);
    return 0;
}
