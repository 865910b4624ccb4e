/* SPDX-License-Identifier: MIT */
#include "cdepone.h"
const char *cdepone_name(void) { return "one"; }
