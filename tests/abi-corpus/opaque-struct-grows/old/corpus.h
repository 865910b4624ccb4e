/* SPDX-License-Identifier: MIT */
#ifndef CORPUS_H
#define CORPUS_H
#ifdef __cplusplus
extern "C" {
#endif
typedef struct corpus_obj corpus_obj;
corpus_obj *corpus_obj_new(int v);
int corpus_obj_get(const corpus_obj *o);
void corpus_obj_free(corpus_obj *o);
#ifdef __cplusplus
}
#endif
#endif
