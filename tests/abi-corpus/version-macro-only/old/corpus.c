/* SPDX-License-Identifier: MIT */
#include "corpus.h"
/* As zlib does: only the major version must match. */
int corpus_init_(const char *version) { return version[0] == CORPUS_VERSION[0] ? 0 : -1; }
int corpus_value(void) { return 1; }
