/* SPDX-License-Identifier: MIT */
#ifndef CORPUS_H
#define CORPUS_H
#ifdef __cplusplus
extern "C" {
#endif
#define CORPUS_BASE 40
#define CORPUS_LEGACY_FLAG 4
#define corpus_legacy_check(x) (corpus_value(x) > CORPUS_LEGACY_FLAG)
typedef int corpus_legacy_t;
int corpus_value(int x);
int corpus_legacy(corpus_legacy_t x);
#ifdef __cplusplus
}
#endif
#endif
