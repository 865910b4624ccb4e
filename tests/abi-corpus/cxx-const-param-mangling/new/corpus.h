/* SPDX-License-Identifier: MIT */
#ifndef CORPUS_H
#define CORPUS_H
int corpus_len(const char *s);
#endif
