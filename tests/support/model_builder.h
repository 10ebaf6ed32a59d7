#pragma once
// Small, valid models built by hand, for tests that break them in controlled
// ways (one field at a time) and for programs that need a model of a chosen
// size. Every builder returns a Model that serialises and re-opens cleanly;
// the tensor and buffer numbering is fixed and documented so a test can name
// exactly what it corrupts.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "format/model.h"
#include "format/write_model.h"

namespace qs::test {

// Generic pieces ------------------------------------------------------------

// `count` float32 values, deterministic and distinct per `seed`, as bytes.
format::Bytes float_data(size_t count, uint32_t seed = 1);
// Raw bytes of the given values (little-endian, as TFLite stores them).
format::Bytes int32_data(std::span<const int32_t> values);
format::Bytes int8_data(size_t count, uint32_t seed = 1);

// Appends a tensor to `sg` and returns its index. `buffer` 0 means no data.
int32_t add_tensor(format::Subgraph& sg, std::string name, format::TensorType type,
                   std::vector<int32_t> shape, uint32_t buffer = 0);
// Appends a constant tensor whose data becomes a new buffer of `model`.
int32_t add_constant(format::Model& model, format::Subgraph& sg, std::string name, format::TensorType type,
                     std::vector<int32_t> shape, format::Bytes data);
// Appends an op with version 1 and the given options.
void add_op(format::Subgraph& sg, format::BuiltinOp op, std::vector<int32_t> inputs,
            std::vector<int32_t> outputs, format::OpOptions options = {});

// Serialises or throws std::runtime_error (GoogleTest reports an escaping
// exception as a failure of the running test).
std::vector<uint8_t> to_bytes(const format::Model& model, const format::WriteOptions& options = {});

// Ready-made models ----------------------------------------------------------

// input "x" FLOAT32[1,in] -> FULLY_CONNECTED(weights [out,in], bias [out])
// -> "fc" -> RELU -> output "y" FLOAT32[1,out]; signature "serving_default"
// maps x and y.
struct FcRelu {
  static constexpr int32_t kInput = 0;    // "x"
  static constexpr int32_t kWeights = 1;  // "fc/weights", buffer kWeightsBuffer
  static constexpr int32_t kBias = 2;     // "fc/bias", buffer kBiasBuffer
  static constexpr int32_t kFcOut = 3;    // "fc"
  static constexpr int32_t kOutput = 4;   // "y"
  static constexpr uint32_t kWeightsBuffer = 1;
  static constexpr uint32_t kBiasBuffer = 2;
  static constexpr size_t kFcOp = 0;
  static constexpr size_t kReluOp = 1;
};
format::Model fc_relu_model(int32_t in = 4, int32_t out = 3);

// input "image" FLOAT32[1,8,8,3] -> CONV_2D(filter "conv/filter" [8,3,3,3]
// FLOAT32 = 864 bytes, bias "conv/bias" [8]) -> output "features" [1,6,6,8].
// With `per_channel_int8`, the filter is INT8 with 8 scales along
// dimension 0 and the bias INT32, as a quantizer would write it.
struct Conv {
  static constexpr int32_t kInput = 0;
  static constexpr int32_t kFilter = 1;
  static constexpr int32_t kBias = 2;
  static constexpr int32_t kOutput = 3;
  static constexpr uint32_t kFilterBuffer = 1;
  static constexpr uint32_t kBiasBuffer = 2;
};
format::Model conv_model(bool per_channel_int8 = false);

// Subgraph 0 "main": "i" INT32[] -> WHILE(cond = subgraph 1, body =
// subgraph 2) -> "result". Subgraph 1 "cond": LESS(i, 10). Subgraph 2
// "body": ADD(i, 1).
format::Model while_model();

// Subgraph 0 "main": "pred" BOOL[], "x" FLOAT32[4] -> IF(then = subgraph 1,
// else = subgraph 2) -> "y". Subgraph 1: RELU(x); subgraph 2: NEG(x).
format::Model if_model();

// `layers` FULLY_CONNECTED ops in a chain, each with its own [width,width]
// float32 weights and [width] bias; input "x" [1,width], output "y".
// 25 layers of width 1000 carry ~100 MB of weights.
format::Model fc_chain_model(int32_t layers, int32_t width);

// Large graphs for the graph view: `blocks` blocks of 5 ops, each reading x
// and making y: a = CONV_2D(x, W, B); b = DEPTHWISE_CONV_2D(x, W, B);
// c = ADD(a, b); d = LOGISTIC(c); y = CONCATENATION(d, x) -- a chain with a
// branch, a merge and a skip edge per block.
format::Model branchy_chain_model(int blocks);

}  // namespace qs::test
