/* SPDX-License-Identifier: MIT */
#ifndef CORPUS_H
#define CORPUS_H
int corpus_scale(int x, int factor = 2);
#endif
