/* SPDX-License-Identifier: MIT */
#ifndef CORPUS_H
#define CORPUS_H
class Counter {
public:
    Counter();
    void add(int v);
    int total() const;
    void reset();
private:
    int sum_;
};
#endif
