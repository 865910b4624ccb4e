/* SPDX-License-Identifier: MIT */
#ifndef CORPUS_H
#define CORPUS_H
#ifdef __cplusplus
extern "C" {
#endif
double corpus_root(double x);
#ifdef __cplusplus
}
#endif
#endif
