/* SPDX-License-Identifier: MIT */
#include <cstdio>
#include "corpus.h"
int main() { char s[] = "hello"; std::printf("%d\n", corpus_len(s)); return 0; }
