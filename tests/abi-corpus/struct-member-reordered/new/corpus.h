/* SPDX-License-Identifier: MIT */
#ifndef CORPUS_H
#define CORPUS_H
#ifdef __cplusplus
extern "C" {
#endif
struct corpus_point { int y; int x; };
int corpus_diff(const struct corpus_point *p);
#ifdef __cplusplus
}
#endif
#endif
