#include "quant/dynamic_range.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <optional>
#include <set>

#include "quant/op_versions.h"
#include "quant/recipe.h"
#include "quant/weights.h"

namespace qs::quant {
namespace {

using format::BuiltinOp;
using format::TensorType;

// The axis an op's hybrid kernel wants its weights quantized along (-1:
// one scale for the tensor); null when the op has no hybrid kernel here.
// The version each hybrid op needs is set at the end, from its new types
// (quant/op_versions).
std::optional<int> hybrid_axis(const format::Operator& op, size_t input) {
  if (input != 1) return std::nullopt;
  switch (op.code.builtin) {
    case BuiltinOp::FULLY_CONNECTED:
      return -1;  // per tensor, as the official converter writes it (ToyCar)
    case BuiltinOp::CONV_2D:
      return 0;  // per output channel
    case BuiltinOp::DEPTHWISE_CONV_2D:
      return 3;  // per channel along the filter's last axis
    case BuiltinOp::BATCH_MATMUL:
      return -1;  // the constant right-hand side, one scale
    default:
      return std::nullopt;
  }
}

struct Reader {
  size_t op;
  size_t input;
};

}  // namespace

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
    for (const auto& entry : readers) {
      // Named apart, not a structured binding: lambdas below capture them
      // (Clang 14 cannot capture bindings).
      const int32_t t = entry.first;
      const std::vector<Reader>& by = entry.second;
      format::Tensor& w = sg.tensors[static_cast<size_t>(t)];
      const auto data = m.tensor_data(w);
      const size_t n = data.size() / sizeof(float);
      const auto keep = [&](const std::string& why) {
        r.plan.tensors.push_back(
            {static_cast<int>(s), t, w.name, TensorType::FLOAT32, TensorType::FLOAT32, {}, {}, 0, why});
      };
      // Only weights of ops with a hybrid kernel and a float input, all
      // readers agreeing on how to quantize them.
      std::optional<int> agreed;  // the axis every reader so far wants
      std::string why_not;
      for (const Reader& rd : by) {
        const format::Operator& op = sg.operators[rd.op];
        const auto here = hybrid_axis(op, rd.input);
        const bool float_input = !op.inputs.empty() && op.inputs[0] >= 0 &&
                                 sg.tensors[static_cast<size_t>(op.inputs[0])].type == TensorType::FLOAT32 &&
                                 m.tensor_data(sg.tensors[static_cast<size_t>(op.inputs[0])]).empty();
        if (!here) {
          why_not = cat("read by ", format::op_name(op.code.builtin), ", which has no hybrid kernel here");
        } else if (!float_input) {
          why_not = "the op's input is not a float activation";
        } else if (agreed && *agreed != *here) {
          why_not = "its readers would quantize it differently";
        } else {
          agreed = here;
          continue;
        }
        agreed.reset();
        break;
      }
      const int axis = agreed.value_or(-1);
      if (agreed && axis >= static_cast<int>(w.shape.size())) {
        why_not = "its shape has no channel axis";
        agreed.reset();
      }
      if (!agreed) {
        keep(cat("kept float32: ", why_not));
        continue;
      }
      if (n < options.min_elements) {
        keep(cat("kept float32: ", n, " elements, fewer than ", options.min_elements));
        continue;
      }
      std::vector<float> values(n);
      std::memcpy(values.data(), data.data(), n * sizeof(float));
      std::vector<int8_t> q;
      std::vector<float> scales;
      if (axis < 0) {
        SymmetricInt8 one = quantize_symmetric(values);
        q = std::move(one.values);
        scales = {one.scale};
      } else {
        const auto layout = ChannelLayout::of(w.shape, axis, n);
        scales = symmetric_scales(values, layout);
        q = quantize_with_scales(values, layout, scales);
      }
      std::vector<uint8_t> bytes(n);
      std::memcpy(bytes.data(), q.data(), n);
      replaced.insert(w.buffer);
      w.buffer = m.add_buffer(format::Bytes::own(std::move(bytes)));
      w.type = TensorType::INT8;
      format::Quantization quant;
      quant.scale = scales;
      quant.zero_point.assign(scales.size(), 0);
      quant.quantized_dimension = std::max(axis, 0);
      w.quantization = quant;
      std::string readers_text;
      for (const Reader& rd : by) {
        const format::Operator& op = sg.operators[rd.op];
        if (readers_text.find(format::op_name(op.code.builtin)) == std::string::npos) {
          readers_text += (readers_text.empty() ? "" : ", ") + format::op_name(op.code.builtin);
        }
      }
      r.plan.tensors.push_back(
          {static_cast<int>(s), t, w.name, TensorType::FLOAT32, TensorType::INT8, scales,
           std::vector<int64_t>(scales.size(), 0), std::max(axis, 0),
           cat("weights of ", readers_text, ": int8 symmetric ",
               axis < 0 ? std::string("per tensor") : cat("per channel (axis ", axis, ")"),
               ", scale max|w|/127 (", n, " elements)")});
    }
  }
  raise_op_versions(m);
  drop_unused_buffers(m, replaced);
  Recipe recipe;
  recipe.mode = "dynamic";
  recipe.min_elements = options.min_elements;
  recipe.integer.tool = options.tool;
  set_recipe_metadata(m, recipe_json(recipe));
  return r;
}

}  // namespace qs::quant
