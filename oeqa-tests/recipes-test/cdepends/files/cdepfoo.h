/* SPDX-License-Identifier: MIT */
#ifndef CDEPFOO_H
#define CDEPFOO_H
#define CDEPFOO_VERSION "@VERSION@"
const char *cdepfoo_greeting(void);
int cdepfoo_extra(int x);
extern int cdepfoo_table[];
struct cdepfoo_point { int x; int y; };
int cdepfoo_norm1(const struct cdepfoo_point *p);
#endif
