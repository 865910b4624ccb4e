/* SPDX-License-Identifier: MIT */
#include "corpus.h"
namespace {
class Square : public Shape {
public:
    int corners() const { return 99; }
    int sides() const { return 4; }
};
}
Shape::~Shape() {}
int Shape::sides() const { return 0; }
int Shape::corners() const { return 0; }
Shape *corpus_make() { return new Square; }
