#include "quant/op_versions.h"

#include <algorithm>

#include "format/op_options.h"

namespace qs::quant {
namespace {

using format::BuiltinOp;
using format::TensorType;

// The format has no "no type" value; this one is never read from a file
// (validation rejects unknown types), so it stands for a missing operand.
constexpr auto kAbsent = static_cast<TensorType>(-1);

// Types around one op.
struct Types {
  const format::Subgraph& sg;
  const format::Operator& op;

  const format::Tensor* in_tensor(size_t i) const {
    if (i >= op.inputs.size() || op.inputs[i] < 0) return nullptr;
    const auto t = static_cast<size_t>(op.inputs[i]);
    return t < sg.tensors.size() ? &sg.tensors[t] : nullptr;
  }
  TensorType in(size_t i) const {
    const format::Tensor* t = in_tensor(i);
    return t != nullptr ? t->type : kAbsent;
  }
  TensorType out(size_t i) const {
    if (i >= op.outputs.size() || op.outputs[i] < 0) return kAbsent;
    const auto t = static_cast<size_t>(op.outputs[i]);
    return t < sg.tensors.size() ? sg.tensors[t].type : kAbsent;
  }
  size_t in_rank(size_t i) const {
    const format::Tensor* t = in_tensor(i);
    return t != nullptr ? t->shape.size() : 0;
  }
  bool per_channel(size_t i) const {
    const format::Tensor* t = in_tensor(i);
    return t != nullptr && t->quantization && t->quantization->per_channel();
  }
  // A filter quantized with one scale per channel of its quantized
  // dimension; TFLite counts a one-channel filter with one scale as per
  // channel too.
  bool per_channel_filter(size_t i) const {
    const format::Tensor* t = in_tensor(i);
    if (t == nullptr || !t->quantization || t->quantization->scale.empty()) return false;
    const auto axis = static_cast<size_t>(std::max(t->quantization->quantized_dimension, 0));
    return axis < t->shape.size() && t->quantization->scale.size() == static_cast<size_t>(t->shape[axis]);
  }
  // Both inputs of a binary op have different shapes (TFLite's
  // "NeedBroadcastForBinaryInputs") and one has more than 4 dimensions.
  bool broadcast_over_4d() const {
    const format::Tensor* a = in_tensor(0);
    const format::Tensor* b = in_tensor(1);
    if (a == nullptr || b == nullptr || a->shape == b->shape) return false;
    return std::max(a->shape.size(), b->shape.size()) > 4;
  }
};

constexpr TensorType kI8 = TensorType::INT8;
constexpr TensorType kI16 = TensorType::INT16;
constexpr TensorType kF32 = TensorType::FLOAT32;

// The common shape of most entries: int16 -> a, int8 -> b, otherwise 1.
int32_t by_input_type(TensorType t, int32_t int16_version, int32_t int8_version) {
  if (t == kI16) return int16_version;
  if (t == kI8) return int8_version;
  return 1;
}

}  // namespace

std::optional<int32_t> required_version(const format::Subgraph& sg, const format::Operator& op) {
  const Types t{sg, op};
  switch (op.code.builtin) {
    case BuiltinOp::CONV_2D: {
      const format::Tensor* in = t.in_tensor(0);
      const format::Tensor* filter = t.in_tensor(1);
      // Grouped: the filter covers fewer channels than the input has.
      if (in != nullptr && filter != nullptr && in->shape.size() == 4 && filter->shape.size() == 4 &&
          in->shape[3] != filter->shape[3]) {
        return 6;
      }
      if (t.in(0) == kI16 && t.in(1) == kI16 && t.out(0) == kI16) return 4;
      if (t.in(0) == kI8 && t.in(1) == kI8 && t.out(0) == kI8) return 3;
      if (t.in(0) == kF32 && t.in(1) == kI8 && t.out(0) == kF32) return t.per_channel_filter(1) ? 5 : 2;
      return 1;
    }
    case BuiltinOp::DEPTHWISE_CONV_2D: {
      if (t.in(0) == kI16 && t.in(1) == kI16 && t.out(0) == kI16) return 5;
      if (t.in(0) == kF32 && t.in(1) == kI8 && t.out(0) == kF32) return t.per_channel_filter(1) ? 6 : 4;
      if (t.in(0) == kI8 && t.in(1) == kI8 && t.out(0) == kI8) return 3;
      const auto* o = format::options_as<tfl::DepthwiseConv2DOptionsT>(op);
      if (o != nullptr && (o->dilation_w_factor != 1 || o->dilation_h_factor != 1)) return 2;
      return 1;
    }
    case BuiltinOp::FULLY_CONNECTED: {
      const auto* o = format::options_as<tfl::FullyConnectedOptionsT>(op);
      const bool hybrid = t.in(0) == kF32 && t.in(1) == kI8 && t.out(0) == kF32;
      if (hybrid && t.per_channel(1)) return 12;
      if (t.in(0) == kI16 && t.in(1) == kI16 && t.out(0) == kI16) return 7;
      // TFLite counts the operands as written: a bias slot written as -1
      // still counts, only a missing third operand is "no bias".
      if (op.inputs.size() == 2) return 6;
      if (o != nullptr && o->keep_num_dims) return 5;
      if (t.in(0) == kI8 && t.in(1) == kI8 && t.out(0) == kI8) return 4;
      if (hybrid) return o != nullptr && o->asymmetric_quantize_inputs ? 9 : 3;
      return 1;
    }
    case BuiltinOp::ADD: {
      if (t.in(0) == kI16 && t.out(0) == kI16) {
        const auto* o = format::options_as<tfl::AddOptionsT>(op);
        if (o != nullptr && !o->pot_scale_int16) return 3;
      }
      return t.in(0) == kI8 ? 2 : 1;
    }
    case BuiltinOp::SUB: {
      if (t.in(0) == kI16 && t.out(0) == kI16) {
        const auto* o = format::options_as<tfl::SubOptionsT>(op);
        if (o != nullptr && !o->pot_scale_int16) return 5;
      }
      if (t.broadcast_over_4d()) return 3;
      return t.in(0) == kI8 ? 2 : 1;
    }
    case BuiltinOp::MUL: {
      // Quantized int16 MUL is version 4 (7 is its unquantized int16 form).
      if (t.in(0) == kI16) return 4;
      // Version 3: a rescale s1·s2/s_out of 1 or more.
      const format::Tensor* a = t.in_tensor(0);
      const format::Tensor* b = t.in_tensor(1);
      const format::Tensor* out = op.outputs.empty() || op.outputs[0] < 0
                                      ? nullptr
                                      : &sg.tensors[static_cast<size_t>(op.outputs[0])];
      const auto scale = [](const format::Tensor* x) {
        return x != nullptr && x->quantization && x->quantization->scale.size() == 1 ? x->quantization->scale[0]
                                                                                      : 0.0f;
      };
      if (scale(a) != 0 && scale(b) != 0 && scale(out) != 0 &&
          static_cast<double>(scale(a)) * scale(b) / scale(out) >= 1.0)
        return 3;
      return t.in(0) == kI8 ? 2 : 1;
    }
    case BuiltinOp::TRANSPOSE_CONV: {
      const auto* o = format::options_as<tfl::TransposeConvOptionsT>(op);
      if (o != nullptr && o->fused_activation_function != tfl::ActivationFunctionType::NONE) return 4;
      if (op.inputs.size() == 4 && op.inputs[3] >= 0) return 3;
      return t.in(1) == kI8 ? 2 : 1;
    }
    case BuiltinOp::MAX_POOL_2D:
    case BuiltinOp::AVERAGE_POOL_2D:
    case BuiltinOp::TANH:
    case BuiltinOp::LOGISTIC:
      if (t.in(0) == kI16 && t.out(0) == kI16) return 3;
      return t.in(0) == kI8 ? 2 : 1;
    case BuiltinOp::SOFTMAX:
    case BuiltinOp::MEAN:
    case BuiltinOp::MIRROR_PAD:
    case BuiltinOp::REDUCE_MAX:
    case BuiltinOp::REDUCE_MIN:
    case BuiltinOp::RELU6:
    case BuiltinOp::RSQRT:
    case BuiltinOp::CONCATENATION:
      return by_input_type(t.in(0), 3, 2);
    case BuiltinOp::RELU:
      if (t.in(0) == kI16) return 3;
      return t.in(0) == kI8 || t.in(0) == TensorType::UINT8 ? 2 : 1;
    case BuiltinOp::PAD:
    case BuiltinOp::PADV2:
      if (t.in_rank(0) > 4) return 4;
      return by_input_type(t.in(0), 3, 2);
    case BuiltinOp::MAXIMUM:
    case BuiltinOp::MINIMUM:
      if (t.in(0) == kI16 && t.out(0) == kI16) return 4;
      if (t.broadcast_over_4d()) return 3;
      return t.in(0) == kI8 ? 2 : 1;
    case BuiltinOp::TRANSPOSE:
      if (t.in_rank(0) > 5) return 6;
      if (t.in(0) == kI16) return 5;
      if (t.in_rank(0) > 4) return 4;
      return t.in(0) == kI8 ? 2 : 1;
    case BuiltinOp::STRIDED_SLICE: {
      const auto* o = format::options_as<tfl::StridedSliceOptionsT>(op);
      if (o != nullptr && o->offset) return 8;
      if (o != nullptr && (o->ellipsis_mask != 0 || o->new_axis_mask != 0)) return 6;
      if (t.in_rank(0) > 4) return 4;
      return t.in(0) == kI8 ? 2 : 1;
    }
    case BuiltinOp::SLICE:
      if (t.in_rank(0) > 4) return 5;
      return by_input_type(t.in(0), 4, 2);
    case BuiltinOp::SPLIT:
      // The data is the second operand (the first is the axis).
      return by_input_type(t.in(1), 4, 2);
    case BuiltinOp::PACK:
      if (t.in(0) == kI16 && t.out(0) == kI16) return 3;
      return t.in(0) == kI8 ? 2 : 1;
    case BuiltinOp::UNPACK:
      if (t.in(0) == kI16 && t.out(0) == kI16) return 4;
      return t.in(0) == kI8 || t.in(0) == TensorType::UINT8 ? 2 : 1;
    case BuiltinOp::GATHER: {
      const auto* o = format::options_as<tfl::GatherOptionsT>(op);
      if (t.in(1) == kI16) return 6;
      if (o != nullptr && o->batch_dims != 0) return 5;
      return by_input_type(t.in(0), 4, 2);
    }
    case BuiltinOp::RESIZE_BILINEAR: {
      if (t.in(0) == kI16) return 4;
      const auto* o = format::options_as<tfl::ResizeBilinearOptionsT>(op);
      if (o != nullptr && o->half_pixel_centers) return 3;
      return t.in(0) == kI8 ? 2 : 1;
    }
    case BuiltinOp::RESIZE_NEAREST_NEIGHBOR: {
      if (t.in(0) == kI16) return 4;
      const auto* o = format::options_as<tfl::ResizeNearestNeighborOptionsT>(op);
      if (o != nullptr && (o->half_pixel_centers || o->align_corners)) return 3;
      return t.in(0) == kI8 ? 2 : 1;
    }
    case BuiltinOp::LEAKY_RELU:
      return t.in(0) == kI16 ? 2 : 1;
    case BuiltinOp::QUANTIZE:
      if (t.in(0) == TensorType::INT4 || t.out(0) == TensorType::INT4) return 4;
      if (t.out(0) == kI16) return 2;
      return 1;
    case BuiltinOp::DEQUANTIZE:
      if (t.in(0) == TensorType::INT4) return 6;
      if (t.in(0) == kI16 || t.in(0) == TensorType::FLOAT16) return 3;
      if (t.in(0) == kI8) return t.per_channel(0) ? 5 : 2;
      return 1;
    case BuiltinOp::BATCH_MATMUL: {
      if (t.in(0) == kI16) return 3;
      if (t.in(0) == kI8) return 2;
      const auto* o = format::options_as<tfl::BatchMatMulOptionsT>(op);
      if (t.in(0) == kF32 && t.in(1) == kI8 && t.out(0) == kF32 && o != nullptr && o->asymmetric_quantize_inputs)
        return 4;
      return 1;
    }
    case BuiltinOp::SVDF:
      if (t.in(0) == kI8) return 3;
      if (t.in(0) == kF32 && t.in(1) == kI8 && t.out(0) == kF32) {
        const auto* o = format::options_as<tfl::SVDFOptionsT>(op);
        return o != nullptr && o->asymmetric_quantize_inputs ? 4 : 2;
      }
      return 1;
    case BuiltinOp::LSTM:
    case BuiltinOp::UNIDIRECTIONAL_SEQUENCE_LSTM:
      if (t.in(0) == kI16 && t.in(2) == kI8 && t.out(0) == kI16) return 5;
      // Full int8: the converter's quantizer writes 2 (its operator
      // property), as in the TF quantizer's own *_quantized.bin fixtures.
      if (t.in(0) == kI8 && t.in(2) == kI8) return 2;
      return std::nullopt;  // hybrid and float versions depend on options not modelled here
    case BuiltinOp::RESHAPE:
    case BuiltinOp::SQUEEZE:
    case BuiltinOp::EXPAND_DIMS:
    case BuiltinOp::HARD_SWISH:
    case BuiltinOp::PRELU:
      return 1;  // one version for every type
    case BuiltinOp::SPACE_TO_DEPTH:
    case BuiltinOp::DEPTH_TO_SPACE:
    case BuiltinOp::SPLIT_V:
    case BuiltinOp::SUM:
    case BuiltinOp::LOG_SOFTMAX:
    case BuiltinOp::GREATER:
    case BuiltinOp::LESS_EQUAL:
    case BuiltinOp::SQUARED_DIFFERENCE:
    case BuiltinOp::ARG_MAX:
    case BuiltinOp::ARG_MIN:
    case BuiltinOp::NOT_EQUAL:
      return t.in(0) == kI8 ? 2 : 1;
    case BuiltinOp::EQUAL:
      return by_input_type(t.in(0), 4, 2);
    case BuiltinOp::LESS:
    case BuiltinOp::GREATER_EQUAL:
      return by_input_type(t.in(0), 3, 2);
    case BuiltinOp::L2_NORMALIZATION:
      return t.out(0) == kI8 ? 2 : 1;
    case BuiltinOp::GELU:
      return t.in(0) == kI8 || t.in(0) == TensorType::UINT8 ? 2 : 1;
    case BuiltinOp::TILE:
      return t.in(0) == kI8 ? 3 : 1;
    case BuiltinOp::BROADCAST_TO:
      return t.in(0) == kI8 || t.in(0) == kI16 ? 3 : 2;
    case BuiltinOp::SPACE_TO_BATCH_ND:
    case BuiltinOp::BATCH_TO_SPACE_ND:
      if (t.in(0) == kI16) return 4;
      if (t.in_rank(0) != 4) return 3;
      return t.in(0) == kI8 ? 2 : 1;
    case BuiltinOp::GATHER_ND:
      if (t.in(1) == kI16) return 4;
      return t.in(0) == kI16 ? 3 : 1;
    default:
      return std::nullopt;
  }
}

void raise_op_versions(format::Model& model) {
  for (format::Subgraph& sg : model.subgraphs) {
    for (format::Operator& op : sg.operators) {
      if (const auto v = required_version(sg, op)) op.code.version = std::max(op.code.version, *v);
    }
  }
}

}  // namespace qs::quant
