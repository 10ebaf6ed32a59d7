#include "quant/dynamic_range.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "format/op_options.h"

namespace qs::quant {
namespace {

using format::BuiltinOp;
using format::TensorType;

// FULLY_CONNECTED's version for float input, int8 weights, float output
// (TFLite's op_version.cc): 3, or 9 with asymmetric_quantize_inputs; 5 when
// keep_num_dims is set (checked first there).
int32_t hybrid_fc_version(const format::Operator& op) {
  const auto* o = format::options_as<tfl::FullyConnectedOptionsT>(op);
  if (o != nullptr && o->keep_num_dims) return 5;
  if (o != nullptr && o->asymmetric_quantize_inputs) return 9;
  return 3;
}

bool is_float_constant(const format::Model& m, const format::Tensor& t) {
  return t.type == TensorType::FLOAT32 && !t.is_variable && !m.tensor_data(t).empty();
}

struct Reader {
  size_t op;
  size_t input;
};

}  // namespace

SymmetricInt8 quantize_symmetric(std::span<const float> w) {
  SymmetricInt8 q;
  float range = 0;
  for (float v : w) range = std::max(range, std::abs(v));
  q.values.resize(w.size());
  if (range == 0) return q;  // all zero: values 0, scale 1
  const float inverse = 127.0f / range;
  for (size_t i = 0; i < w.size(); ++i) {
    q.values[i] = static_cast<int8_t>(std::clamp(std::round(w[i] * inverse), -127.0f, 127.0f));
  }
  q.scale = range / 127.0f;
  return q;
}

Result<QuantizedModel> to_dynamic_range(const format::Model& input, const DynamicOptions& options) {
  QuantizedModel r;
  r.model = input;
  r.plan.mode = "dynamic";
  format::Model& m = r.model;
  std::set<uint32_t> replaced;
  for (size_t s = 0; s < m.subgraphs.size(); ++s) {
    format::Subgraph& sg = m.subgraphs[s];
    std::map<int32_t, std::vector<Reader>> readers;  // float constants -> ops reading them
    for (size_t o = 0; o < sg.operators.size(); ++o) {
      const auto& ins = sg.operators[o].inputs;
      for (size_t i = 0; i < ins.size(); ++i) {
        if (ins[i] >= 0 && is_float_constant(m, sg.tensors[static_cast<size_t>(ins[i])])) {
          readers[ins[i]].push_back({o, i});
        }
      }
    }
    for (const auto& [t, by] : readers) {
      format::Tensor& w = sg.tensors[static_cast<size_t>(t)];
      const auto data = m.tensor_data(w);
      const size_t n = data.size() / sizeof(float);
      const auto keep = [&](const std::string& why) {
        r.plan.tensors.push_back(
            {static_cast<int>(s), t, w.name, TensorType::FLOAT32, TensorType::FLOAT32, {}, {}, 0, why});
      };
      // Only the weights (input 1) of FULLY_CONNECTED ops with a float input.
      bool hybrid = true;
      std::string why_not;
      for (const Reader& rd : by) {
        const format::Operator& op = sg.operators[rd.op];
        const bool weights = op.code.builtin == BuiltinOp::FULLY_CONNECTED && rd.input == 1;
        const bool float_input = !op.inputs.empty() && op.inputs[0] >= 0 &&
                                 sg.tensors[static_cast<size_t>(op.inputs[0])].type == TensorType::FLOAT32 &&
                                 m.tensor_data(sg.tensors[static_cast<size_t>(op.inputs[0])]).empty();
        if (!weights || !float_input || w.shape.size() != 2) {
          hybrid = false;
          why_not = weights ? "the op's input is not a float activation"
                            : "read by an op without a hybrid kernel here";
          break;
        }
      }
      if (!hybrid) {
        keep(cat("kept float32: ", why_not));
        continue;
      }
      if (n < options.min_elements) {
        keep(cat("kept float32: ", n, " elements, fewer than ", options.min_elements));
        continue;
      }
      std::vector<float> values(n);
      std::memcpy(values.data(), data.data(), n * sizeof(float));
      const SymmetricInt8 q = quantize_symmetric(values);
      std::vector<uint8_t> bytes(n);
      std::memcpy(bytes.data(), q.values.data(), n);
      replaced.insert(w.buffer);
      w.buffer = m.add_buffer(format::Bytes::own(std::move(bytes)));
      w.type = TensorType::INT8;
      format::Quantization quant;
      quant.scale = {q.scale};
      quant.zero_point = {0};
      w.quantization = quant;
      for (const Reader& rd : by) {
        format::Operator& op = sg.operators[rd.op];
        op.code.version = std::max(op.code.version, hybrid_fc_version(op));
      }
      r.plan.tensors.push_back(
          {static_cast<int>(s),
           t,
           w.name,
           TensorType::FLOAT32,
           TensorType::INT8,
           {q.scale},
           {0},
           0,
           cat("weights of FULLY_CONNECTED: int8 symmetric per tensor, scale max|w|/127 (", n,
               " elements)")});
    }
  }
  drop_unused_buffers(m, replaced);
  set_recipe_metadata(
      m, nlohmann::json{{"tool", options.tool}, {"mode", "dynamic"}, {"min_elements", options.min_elements}}
             .dump());
  return r;
}

}  // namespace qs::quant
