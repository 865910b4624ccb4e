/* SPDX-License-Identifier: MIT */
#ifndef TGTTWO_H
#define TGTTWO_H
const char *tgttwo_name(void);
int tgttwo_extra(int x);
#endif
