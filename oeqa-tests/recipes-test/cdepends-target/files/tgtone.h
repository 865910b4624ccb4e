/* SPDX-License-Identifier: MIT */
#ifndef TGTONE_H
#define TGTONE_H
const char *tgtone_name(void);
int tgtone_extra(int x);
#ifdef VARIANT_datasize
extern int tgtone_table[8];
#else
extern int tgtone_table[4];
#endif
#endif
