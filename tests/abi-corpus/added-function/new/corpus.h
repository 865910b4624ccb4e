/* SPDX-License-Identifier: MIT */
#ifndef CORPUS_H
#define CORPUS_H
#ifdef __cplusplus
extern "C" {
#endif
int corpus_value(void);
int corpus_extra(int x);
#ifdef __cplusplus
}
#endif
#endif
