/* SPDX-License-Identifier: MIT */
#ifndef CORPUS_H
#define CORPUS_H
#ifdef __cplusplus
extern "C" {
#endif
enum corpus_color { CORPUS_RED, CORPUS_GREEN, CORPUS_BLUE, CORPUS_BLACK };
const char *corpus_color_name(enum corpus_color c);
#ifdef __cplusplus
}
#endif
#endif
