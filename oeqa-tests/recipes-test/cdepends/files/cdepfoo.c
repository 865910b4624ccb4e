/* SPDX-License-Identifier: MIT */
/* The parent library. VARIANT_<name> selects the change a test wants. */
#include <cdepfoo.h>  /* gen/cdepfoo.h: the header of this variant */
#ifdef VARIANT_body
const char *cdepfoo_greeting(void) { return "hello (body fixed)"; }
#elif defined(VARIANT_body2)
const char *cdepfoo_greeting(void) { return "hello again"; }
#else
const char *cdepfoo_greeting(void) { return "hello"; }
#endif
#ifndef VARIANT_removed
int cdepfoo_extra(int x) { return x + 1; }
#endif
#ifdef VARIANT_datasize
int cdepfoo_table[8] = { 1, 2, 3 };
#else
int cdepfoo_table[4] = { 1, 2, 3 };
#endif
int cdepfoo_norm1(const struct cdepfoo_point *p)
{
    return (p->x < 0 ? -p->x : p->x) + (p->y < 0 ? -p->y : p->y);
}
#ifdef VARIANT_added
int cdepfoo_added(int x) { return 2 * x; }
#endif
