/* SPDX-License-Identifier: MIT */
#ifndef CORPUS_H
#define CORPUS_H
#ifdef __cplusplus
extern "C" {
#endif
struct corpus_pair { int first; int second; };
int corpus_pair_sum(const struct corpus_pair *p);
#ifdef __cplusplus
}
#endif
#endif
