/* SPDX-License-Identifier: MIT */
/* libtgtmid: a consumer of libtgtone, itself a library of the grandchild. */
#include <tgtone.h>
#include "tgtmid.h"
const char *tgtmid_greeting(void) { return tgtone_name(); }
