/* SPDX-License-Identifier: MIT */
#include "corpus.h"
const int corpus_version = 2;
