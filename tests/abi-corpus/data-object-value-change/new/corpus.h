/* SPDX-License-Identifier: MIT */
#ifndef CORPUS_H
#define CORPUS_H
#ifdef __cplusplus
extern "C" {
#endif
extern const int corpus_version;
#ifdef __cplusplus
}
#endif
#endif
