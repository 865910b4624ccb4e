/* SPDX-License-Identifier: MIT */
#include "corpus.h"
const char *corpus_color_name(enum corpus_color c)
{
    switch (c) {
    case CORPUS_RED: return "red";
    case CORPUS_GREEN: return "green";
    case CORPUS_BLUE: return "blue";
    }
    return "?";
}
