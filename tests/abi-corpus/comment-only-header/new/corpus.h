/* SPDX-License-Identifier: MIT */
/*
 * corpus: a test library.
 *
 * Now with documentation.
 */

#ifndef CORPUS_H
#define CORPUS_H
#ifdef __cplusplus
extern "C" {
#endif
/** Returns the value. */
int   corpus_value( void );  // the value
#ifdef __cplusplus
}
#endif
#endif
