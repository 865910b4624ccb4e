/* SPDX-License-Identifier: MIT */
#ifndef CDEPTWO_H
#define CDEPTWO_H
const char *cdeptwo_name(void);
int cdeptwo_extra(int x);
#endif
