/* SPDX-License-Identifier: MIT */
#ifndef SSTMGMT_HELLO_H
#define SSTMGMT_HELLO_H
const char *sstmgmt_hello(void);
#endif
