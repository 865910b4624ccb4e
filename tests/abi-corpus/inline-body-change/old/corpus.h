/* SPDX-License-Identifier: MIT */
#ifndef CORPUS_H
#define CORPUS_H
#ifdef __cplusplus
extern "C" {
#endif
static inline int corpus_twice(int x) { return 2 * x; }
int corpus_value(void);
#ifdef __cplusplus
}
#endif
#endif
