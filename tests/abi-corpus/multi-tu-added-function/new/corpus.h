/* SPDX-License-Identifier: MIT */
#ifndef CORPUS_H
#define CORPUS_H
#ifdef __cplusplus
extern "C" {
#endif
struct corpus_point { int x; int y; };
int corpus_value(void);
int corpus_norm(const struct corpus_point *p);
int corpus_scale(int x);
#ifdef __cplusplus
}
#endif
#endif
