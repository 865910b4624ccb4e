/* SPDX-License-Identifier: MIT */
#include <cstdio>
#include "corpus.h"
int main()
{
    Counter c;
    c.add(5);
    std::printf("%d\n", c.total());
    return 0;
}
