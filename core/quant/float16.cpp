#include "quant/float16.h"

#include <Eigen/Core>
#include <cmath>
#include <cstring>
#include <map>
#include <set>

#include "common/status.h"
#include "quant/recipe.h"

namespace qs::quant {
namespace {

using format::TensorType;

// DEQUANTIZE's version for a float16 input (TFLite's op_version.cc).
constexpr int32_t kDequantizeFloat16Version = 3;
constexpr float kHalfMax = 65504.0f;

std::vector<float> floats_of(std::span<const uint8_t> data) {
  std::vector<float> v(data.size() / sizeof(float));
  std::memcpy(v.data(), data.data(), v.size() * sizeof(float));
  return v;
}

// Float32 constants some op of the subgraph reads.
std::set<int32_t> float_constants_read(const format::Model& model, const format::Subgraph& sg) {
  std::set<int32_t> out;
  for (const auto& op : sg.operators) {
    for (int32_t t : op.inputs) {
      if (t < 0 || static_cast<size_t>(t) >= sg.tensors.size()) continue;
      const format::Tensor& tensor = sg.tensors[static_cast<size_t>(t)];
      if (is_float_constant(model, tensor)) out.insert(t);
    }
  }
  return out;
}

}  // namespace

uint16_t float_to_half(float value) { return Eigen::numext::bit_cast<uint16_t>(Eigen::half(value)); }

Result<QuantizedModel> to_float16(const format::Model& input, const std::string& tool) {
  QuantizedModel r;
  r.model = input;
  r.plan.mode = "float16";
  format::Model& m = r.model;
  std::map<uint32_t, uint32_t> half_buffer;  // float32 buffer -> its float16 copy (shared stays shared)
  std::set<uint32_t> replaced;
  for (size_t s = 0; s < m.subgraphs.size(); ++s) {
    format::Subgraph& sg = m.subgraphs[s];
    std::vector<format::Operator> dequantize_ops;
    for (int32_t t : float_constants_read(m, sg)) {
      format::Tensor& original = sg.tensors[static_cast<size_t>(t)];
      const std::vector<float> values = floats_of(m.tensor_data(original));
      size_t beyond = 0;
      for (float v : values) beyond += std::isfinite(v) && std::abs(v) > kHalfMax ? 1 : 0;
      if (beyond > 0) {
        r.plan.warnings.push_back(cat("subgraph ", s, " tensor '", original.name, "' (#", t,
                                      ") stays float32: ", beyond, " of its ", values.size(),
                                      " values lie beyond float16's range"));
        r.plan.tensors.push_back({static_cast<int>(s),
                                  t,
                                  original.name,
                                  TensorType::FLOAT32,
                                  TensorType::FLOAT32,
                                  {},
                                  {},
                                  0,
                                  "kept float32: values beyond float16's range"});
        continue;
      }
      auto it = half_buffer.find(original.buffer);
      if (it == half_buffer.end()) {
        std::vector<uint8_t> bytes(values.size() * sizeof(uint16_t));
        for (size_t i = 0; i < values.size(); ++i) {
          const uint16_t h = float_to_half(values[i]);
          std::memcpy(bytes.data() + i * sizeof h, &h, sizeof h);
        }
        it = half_buffer.emplace(original.buffer, m.add_buffer(format::Bytes::own(std::move(bytes)))).first;
      }
      format::Tensor half = original;
      half.type = TensorType::FLOAT16;
      half.buffer = it->second;
      half.quantization.reset();
      replaced.insert(original.buffer);
      original.buffer = 0;
      original.name += "_dequantize";
      const auto half_index = static_cast<int32_t>(sg.tensors.size());
      sg.tensors.push_back(std::move(half));
      const format::Tensor& h = sg.tensors.back();

      format::Operator op;
      op.code = {format::BuiltinOp::DEQUANTIZE, "", kDequantizeFloat16Version};
      op.inputs = {half_index};
      op.outputs = {t};
      dequantize_ops.push_back(std::move(op));
      r.plan.tensors.push_back({static_cast<int>(s),
                                half_index,
                                h.name,
                                TensorType::FLOAT32,
                                TensorType::FLOAT16,
                                {},
                                {},
                                0,
                                "float16 constant (round to nearest even)"});
      r.plan.inserted.push_back({static_cast<int>(s), static_cast<int>(dequantize_ops.size() - 1),
                                 "DEQUANTIZE", half_index, t,
                                 cat("float16 -> float32 for the readers of '", h.name, "'")});
    }
    // In front of everything: each output is a constant's stand-in, needed
    // before its first reader.
    sg.operators.insert(sg.operators.begin(), std::make_move_iterator(dequantize_ops.begin()),
                        std::make_move_iterator(dequantize_ops.end()));
  }
  // Float32 data nobody reads any more is dropped (the buffer entry stays:
  // other indices must not move).
  drop_unused_buffers(m, replaced);
  Recipe recipe;
  recipe.mode = "float16";
  recipe.integer.tool = tool;
  set_recipe_metadata(m, recipe_json(recipe));
  return r;
}

}  // namespace qs::quant
