#include "quant/fake_quant.h"

#include <algorithm>

#include "common/status.h"
#include "format/op_options.h"

namespace qs::quant {
FakeQuantFold fold_fake_quant(format::Model& model) {
  FakeQuantFold fold;
  auto& ranges = fold.ranges;
  for (size_t s = 0; s < model.subgraphs.size(); ++s) {
    format::Subgraph& sg = model.subgraphs[s];
    for (size_t o = 0; o < sg.operators.size(); ++o) {
      const format::Operator& op = sg.operators[o];
      const auto* fq = op.code.builtin == format::BuiltinOp::FAKE_QUANT
                           ? format::options_as<tfl::FakeQuantOptionsT>(op)
                           : nullptr;
      if (fq == nullptr || op.inputs.empty() || op.outputs.empty() || op.inputs[0] < 0 || op.outputs[0] < 0) continue;
      const int32_t in = op.inputs[0];
      const int32_t out = op.outputs[0];
      const FixedRange r{fq->min, fq->max,
                         cat("FAKE_QUANT op #", o, ": [", fq->min, ", ", fq->max, "]")};
      ranges[{static_cast<int>(s), in}] = r;
      ranges[{static_cast<int>(s), out}] = r;
      const format::Tensor& x = sg.tensors[static_cast<size_t>(in)];
      const bool interface = std::find(sg.outputs.begin(), sg.outputs.end(), out) != sg.outputs.end();
      if (interface || x.type != format::TensorType::FLOAT32 || !model.tensor_data(x).empty()) continue;
      // Readers of the output read the input instead (later ops only: the
      // list is in execution order).
      for (size_t k = o + 1; k < sg.operators.size(); ++k) {
        for (int32_t& t : sg.operators[k].inputs)
          if (t == out) t = in;
      }
      fold.dropped.insert({static_cast<int>(s), static_cast<int>(o)});
    }
  }
  return fold;
}

}  // namespace qs::quant
