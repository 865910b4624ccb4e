/* SPDX-License-Identifier: MIT */
/* A consumer of libtgttwo. */
#include <stdio.h>
#include <tgttwo.h>
int main(void) { printf("%s\n", tgttwo_name()); return 0; }
