/* SPDX-License-Identifier: MIT */
/* libtgttwo; VARIANT_two removes a function (a change confined to this library). */
#include "tgttwo.h"
#ifdef VARIANT_body
const char *tgttwo_name(void) { return "two (body fixed)"; }
#else
const char *tgttwo_name(void) { return "two"; }
#endif
#ifndef VARIANT_two
int tgttwo_extra(int x) { return x + 2; }
#endif
