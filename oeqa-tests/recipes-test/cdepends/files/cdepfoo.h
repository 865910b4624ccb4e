/* SPDX-License-Identifier: MIT */
#ifndef CDEPFOO_H
#define CDEPFOO_H
const char *cdepfoo_greeting(void);
int cdepfoo_extra(int x);
extern int cdepfoo_table[];
#endif
