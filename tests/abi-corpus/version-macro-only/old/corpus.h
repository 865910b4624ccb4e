/* SPDX-License-Identifier: MIT */
#ifndef CORPUS_H
#define CORPUS_H
#ifdef __cplusplus
extern "C" {
#endif
#define CORPUS_VERSION "1.2.3"
#define CORPUS_VERSION_MAJOR 1
#define CORPUS_VERSION_MINOR 2
#define CORPUS_VERSION_PATCH 3
#define CORPUS_VERSION_NUM 0x010203
int corpus_init_(const char *version);
#define corpus_init() corpus_init_(CORPUS_VERSION)
int corpus_value(void);
#ifdef __cplusplus
}
#endif
#endif
