/* SPDX-License-Identifier: MIT */
#include <cstdio>
#include "corpus.h"
int main() { std::printf("%d %d\n", corpus_clamp(12, 0, 10), corpus_value()); return 0; }
