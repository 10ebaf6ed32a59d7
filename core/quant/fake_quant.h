#pragma once
// FAKE_QUANT ops of a quantization-aware trained float model: each carries
// the range training settled on for the tensor it passes through. The
// integer modes take those ranges (before any statistics: they are part of
// the model) and drop the ops, which the quantized kernels make redundant.

#include <map>
#include <set>
#include <string>
#include <utility>

#include "format/model.h"

namespace qs::quant {

struct FixedRange {
  double lo = 0;
  double hi = 0;
  std::string origin;  // "FAKE_QUANT op #3: [-1, 1]"
};

struct FakeQuantFold {
  std::map<std::pair<int, int>, FixedRange> ranges;  // (subgraph, tensor) -> range
  std::set<std::pair<int, int>> dropped;             // (subgraph, op) nothing reads any more
};

// Records the range of every FAKE_QUANT op's input and output, and makes
// its readers read its input instead; the op is then listed as dropped
// (ops keep their indices until the quantizer rebuilds the list, so that
// op indices given by the user still mean the model's). An op whose output
// is a subgraph output stays (its index is the model's interface); so does
// one whose input is not a float activation.
FakeQuantFold fold_fake_quant(format::Model& model);

}  // namespace qs::quant
