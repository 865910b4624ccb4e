/* SPDX-License-Identifier: MIT */
/* libtgtone; VARIANT_* select the parent's change (see Makefile). */
#include "tgtone.h"
#ifdef VARIANT_body
const char *tgtone_name(void) { return "one (body fixed)"; }
#else
const char *tgtone_name(void) { return "one"; }
#endif
#ifndef VARIANT_removed
int tgtone_extra(int x) { return x + 1; }
#endif
#ifdef VARIANT_datasize
int tgtone_table[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
#else
int tgtone_table[4] = { 1, 2, 3, 4 };
#endif
