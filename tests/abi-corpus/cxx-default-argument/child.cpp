/* SPDX-License-Identifier: MIT */
#include <cstdio>
#include "corpus.h"
int main() { std::printf("%d\n", corpus_scale(5)); return 0; }
