#include "quant/op_rules.h"

namespace qs::quant {
namespace {

using format::BuiltinOp;

// Which schemes TFLite's builtin kernels take (int8 always, for these ops).
struct Support {
  bool int16;
  bool uint8;
};
constexpr Support kAll{true, true};
constexpr Support kInt8AndUint8{false, true};
constexpr Support kInt8Only{false, false};
constexpr Support kInt8And16{true, false};

OpRule make(OutputRule output, Support s, int data_input = 0) {
  OpRule r;
  r.output = output;
  r.data_input = data_input;
  r.int16 = s.int16;
  r.uint8 = s.uint8;
  return r;
}

OpRule weighted(int data, int weight, int axis, int bias) {
  OpRule r = make(OutputRule::kOwnRange, kAll, data);
  r.weight_input = weight;
  r.weight_axis = axis;
  r.bias_input = bias;
  return r;
}

}  // namespace

std::string_view scheme_name(IntegerScheme scheme) {
  switch (scheme) {
    case IntegerScheme::kInt8:
      return "int8";
    case IntegerScheme::kInt16x8:
      return "int16x8";
    case IntegerScheme::kUint8:
      return "uint8";
  }
  return "?";
}

bool OpRule::supports(IntegerScheme scheme) const {
  switch (scheme) {
    case IntegerScheme::kInt8:
      return int8;
    case IntegerScheme::kInt16x8:
      return int16;
    case IntegerScheme::kUint8:
      return uint8;
  }
  return false;
}

// Which ops, and for which schemes, follow TFLite's quantizer
// (tools/optimize/operator_property.cc) and the kernels' type checks: e.g.
// RESIZE_*, RELU and RELU6 have no 16x8 entry there, SUM, HARD_SWISH and
// the comparisons are int8 only.
std::optional<OpRule> op_rule(BuiltinOp op) {
  switch (op) {
    // Filter axis: the output channel for CONV_2D, FULLY_CONNECTED and
    // TRANSPOSE_CONV (dimension 0), the last dimension for depthwise.
    case BuiltinOp::CONV_2D:
      return weighted(0, 1, 0, 2);
    case BuiltinOp::DEPTHWISE_CONV_2D:
      return weighted(0, 1, 3, 2);
    case BuiltinOp::FULLY_CONNECTED:
      return weighted(0, 1, 0, 2);
    case BuiltinOp::TRANSPOSE_CONV:
      // (output_shape, filter, input, bias)
      return weighted(2, 1, 0, 3);

    case BuiltinOp::ADD:
    case BuiltinOp::SUB:
    case BuiltinOp::MUL:
    case BuiltinOp::MEAN:
    case BuiltinOp::LEAKY_RELU:
      return make(OutputRule::kOwnRange, kAll);
    case BuiltinOp::RELU:
    case BuiltinOp::RELU6:
    case BuiltinOp::PRELU:
    case BuiltinOp::GELU:
      return make(OutputRule::kOwnRange, kInt8AndUint8);
    case BuiltinOp::BATCH_MATMUL:
      return make(OutputRule::kOwnRange, kInt8And16);
    case BuiltinOp::SUM:
    case BuiltinOp::HARD_SWISH:
    case BuiltinOp::SQUARED_DIFFERENCE:
    case BuiltinOp::RSQRT:
      return make(OutputRule::kOwnRange, kInt8Only);

    case BuiltinOp::RESHAPE:
    case BuiltinOp::SQUEEZE:
    case BuiltinOp::EXPAND_DIMS:
    case BuiltinOp::MAX_POOL_2D:
    case BuiltinOp::AVERAGE_POOL_2D:
    case BuiltinOp::TRANSPOSE:
    case BuiltinOp::SLICE:
    case BuiltinOp::STRIDED_SLICE:
    case BuiltinOp::PAD:
    case BuiltinOp::PADV2:
    case BuiltinOp::MIRROR_PAD:
    case BuiltinOp::GATHER:
    case BuiltinOp::UNPACK:
    case BuiltinOp::SPLIT_V:
    case BuiltinOp::REDUCE_MAX:
    case BuiltinOp::REDUCE_MIN:
      return make(OutputRule::kSameAsInput, kAll);
    case BuiltinOp::RESIZE_BILINEAR:
    case BuiltinOp::RESIZE_NEAREST_NEIGHBOR:
      return make(OutputRule::kSameAsInput, kInt8AndUint8);
    case BuiltinOp::SPACE_TO_DEPTH:
    case BuiltinOp::DEPTH_TO_SPACE:
    case BuiltinOp::BATCH_TO_SPACE_ND:
    case BuiltinOp::SPACE_TO_BATCH_ND:
    case BuiltinOp::GATHER_ND:
    case BuiltinOp::TILE:
    case BuiltinOp::BROADCAST_TO:
      return make(OutputRule::kSameAsInput, kInt8Only);
    case BuiltinOp::SPLIT:
      return make(OutputRule::kSameAsInput, kAll, 1);  // (axis, input)

    case BuiltinOp::CONCATENATION:
    case BuiltinOp::PACK:
    case BuiltinOp::MAXIMUM:
    case BuiltinOp::MINIMUM:
      return make(OutputRule::kShared, kAll);

    case BuiltinOp::SOFTMAX:
    case BuiltinOp::LOGISTIC:
    case BuiltinOp::TANH:
      return make(OutputRule::kFixed, kAll);
    case BuiltinOp::LOG_SOFTMAX:
    case BuiltinOp::L2_NORMALIZATION:
      return make(OutputRule::kFixed, kInt8Only);

    case BuiltinOp::ARG_MAX:
    case BuiltinOp::ARG_MIN:
    case BuiltinOp::EQUAL:
    case BuiltinOp::NOT_EQUAL:
    case BuiltinOp::LESS:
    case BuiltinOp::LESS_EQUAL:
    case BuiltinOp::GREATER:
    case BuiltinOp::GREATER_EQUAL:
      return make(OutputRule::kNone, kInt8Only);

    default:
      return std::nullopt;
  }
}

FixedParams fixed_output(BuiltinOp op, IntegerScheme scheme) {
  if (op == BuiltinOp::LOG_SOFTMAX) return {16.0 / 256, 127};  // (-16, 0]
  if (op == BuiltinOp::L2_NORMALIZATION) return {1.0 / 128, 0};
  if (scheme == IntegerScheme::kInt16x8) return {1.0 / 32768, 0};
  const bool u8 = scheme == IntegerScheme::kUint8;
  if (op == BuiltinOp::TANH) return {1.0 / 128, u8 ? 128 : 0};
  return {1.0 / 256, u8 ? 0 : -128};  // SOFTMAX, LOGISTIC: [0, 1)
}

}  // namespace qs::quant
