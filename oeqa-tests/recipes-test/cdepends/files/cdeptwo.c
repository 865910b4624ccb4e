/* SPDX-License-Identifier: MIT */
#include "cdeptwo.h"
const char *cdeptwo_name(void) { return "two"; }
#ifndef VARIANT_unused
int cdeptwo_extra(int x) { return x + 2; }
#endif
