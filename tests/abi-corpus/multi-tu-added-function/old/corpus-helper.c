/* SPDX-License-Identifier: MIT */
/* An internal helper in a translation unit of its own. */
__attribute__((visibility("hidden"))) int corpus_helper(int x) { return x; }
