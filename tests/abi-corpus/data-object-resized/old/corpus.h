/* SPDX-License-Identifier: MIT */
#ifndef CORPUS_H
#define CORPUS_H
#ifdef __cplusplus
extern "C" {
#endif
extern int corpus_table[4];
#ifdef __cplusplus
}
#endif
#endif
