/* SPDX-License-Identifier: MIT */
#ifndef TGTMID_H
#define TGTMID_H
const char *tgtmid_greeting(void);
#endif
