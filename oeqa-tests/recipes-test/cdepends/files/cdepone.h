/* SPDX-License-Identifier: MIT */
#ifndef CDEPONE_H
#define CDEPONE_H
const char *cdepone_name(void);
#endif
