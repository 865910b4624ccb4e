/* SPDX-License-Identifier: MIT */
#include "corpus.h"
Counter::Counter() : sum_(0) {}
void Counter::add(int v) { sum_ += v; }
int Counter::total() const { return sum_; }
