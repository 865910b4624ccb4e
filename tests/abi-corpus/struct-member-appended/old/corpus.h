/* SPDX-License-Identifier: MIT */
#ifndef CORPUS_H
#define CORPUS_H
#ifdef __cplusplus
extern "C" {
#endif
struct corpus_cfg { int a; int b; };
void corpus_cfg_init(struct corpus_cfg *c);
#ifdef __cplusplus
}
#endif
#endif
