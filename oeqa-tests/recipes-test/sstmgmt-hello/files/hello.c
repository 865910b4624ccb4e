/* SPDX-License-Identifier: MIT */
#include "hello.h"
#ifndef GREETING
#define GREETING "hello"
#endif
const char *sstmgmt_hello(void) { return GREETING; }
