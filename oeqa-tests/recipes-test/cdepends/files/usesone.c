/* SPDX-License-Identifier: MIT */
/* A child that uses one of the two libraries its parent ships. */
#include <stdio.h>
#include <cdepone.h>
int main(void) { printf("%s\n", cdepone_name()); return 0; }
