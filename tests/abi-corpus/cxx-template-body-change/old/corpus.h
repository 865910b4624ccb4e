/* SPDX-License-Identifier: MIT */
#ifndef CORPUS_H
#define CORPUS_H
template <class T> T corpus_clamp(T v, T lo, T hi) { return v < lo ? lo : (v > hi ? hi : v); }
int corpus_value();
#endif
