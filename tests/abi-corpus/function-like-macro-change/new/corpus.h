/* SPDX-License-Identifier: MIT */
#ifndef CORPUS_H
#define CORPUS_H
#ifdef __cplusplus
extern "C" {
#endif
#define CORPUS_SCALE(x) ((x) * 3)
int corpus_scale(int x);
#ifdef __cplusplus
}
#endif
#endif
