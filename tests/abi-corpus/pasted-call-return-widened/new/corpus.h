/* SPDX-License-Identifier: MIT */
#ifndef CORPUS_H
#define CORPUS_H
#ifdef __cplusplus
extern "C" {
#endif
long long corpus_big(void);
#ifdef __cplusplus
}
#endif
#endif
