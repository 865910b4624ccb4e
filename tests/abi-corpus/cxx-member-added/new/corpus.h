/* SPDX-License-Identifier: MIT */
#ifndef CORPUS_H
#define CORPUS_H
class Counter {
public:
    Counter();
    void add(int v);
    int total() const;
private:
    int sum_;
    int count_;
};
#endif
