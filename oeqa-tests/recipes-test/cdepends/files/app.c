/* SPDX-License-Identifier: MIT */
/* The child: a program that uses the parent library. */
#include <stdio.h>
#include <cdepfoo.h>
int main(void) { printf("%s\n", cdepfoo_greeting()); return 0; }
