#pragma once
// What a quantization run decided, tensor by tensor, and why: the record the
// CLI saves with --plan and the GUI shows next to the graph. Every tensor
// whose type or parameters changed appears once; every op the quantizer
// inserted appears once.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "common/status.h"
#include "format/tensor_type.h"

namespace qs::quant {

struct TensorDecision {
  int subgraph = 0;
  int tensor = 0;  // index in the written model
  std::string name;
  format::TensorType from = format::TensorType::FLOAT32;
  format::TensorType to = format::TensorType::FLOAT32;
  std::vector<float> scale;  // empty for float types
  std::vector<int64_t> zero_point;
  int32_t axis = 0;    // quantized dimension, when per channel
  std::string origin;  // why: "float16 weight", "kept float32: 3 values beyond float16's range", ...
};

struct InsertedOp {
  int subgraph = 0;
  int op = 0;        // index in the written model's subgraph
  std::string type;  // "DEQUANTIZE"
  int input = 0;
  int output = 0;
  std::string why;
};

struct QuantPlan {
  std::string mode;
  std::vector<TensorDecision> tensors;
  std::vector<InsertedOp> inserted;
  std::vector<std::string> warnings;
};

inline constexpr int kPlanFormatVersion = 1;

// {"format": "quantscope.quant-plan", "version": 1, ...}.
std::string plan_json(const QuantPlan& plan);
// Written atomically.
Status save_plan(const QuantPlan& plan, const std::filesystem::path& path);

}  // namespace qs::quant
