/* SPDX-License-Identifier: MIT */
#ifndef CORPUS_H
#define CORPUS_H
class Shape {
public:
    virtual ~Shape();
    virtual int sides() const;
};
Shape *corpus_make();
#endif
