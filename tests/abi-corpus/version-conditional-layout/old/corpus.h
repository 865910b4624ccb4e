/* SPDX-License-Identifier: MIT */
#ifndef CORPUS_H
#define CORPUS_H
#ifdef __cplusplus
extern "C" {
#endif
#define CORPUS_VERSION "1.9.0"
#define CORPUS_VERSION_MAJOR 1
#define CORPUS_VERSION_MINOR 9
#define CORPUS_VERSION_NUM 0x010900
#if CORPUS_VERSION_NUM >= 0x020000
struct corpus_pair { int b; int a; };
#else
struct corpus_pair { int a; int b; };
#endif
int corpus_pair_value(const struct corpus_pair *p);
#ifdef __cplusplus
}
#endif
#endif
