/* SPDX-License-Identifier: MIT */
/* The grandchild: links libtgtmid (plain DEPENDS), which links libtgtone. */
#include <stdio.h>
#include <tgtmid.h>
int main(void) { printf("%s\n", tgtmid_greeting()); return 0; }
