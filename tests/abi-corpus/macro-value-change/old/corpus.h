/* SPDX-License-Identifier: MIT */
#ifndef CORPUS_H
#define CORPUS_H
#ifdef __cplusplus
extern "C" {
#endif
#define CORPUS_LIMIT 10
int corpus_limit(void);
#ifdef __cplusplus
}
#endif
#endif
