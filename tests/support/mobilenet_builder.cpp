#include "support/mobilenet_builder.h"

#include <cmath>
#include <cstring>

#include "format/op_options.h"
#include "support/model_builder.h"

namespace qs::test {
namespace {

using format::BuiltinOp;
using format::TensorType;

struct Block {
  int32_t out_channels;
  int32_t stride;
};

// The depthwise-separable blocks of the paper's Table 1.
constexpr Block kBlocks[] = {{64, 1},  {128, 2}, {128, 1}, {256, 2}, {256, 1}, {512, 2},  {512, 1},
                             {512, 1}, {512, 1}, {512, 1}, {512, 1}, {1024, 2}, {1024, 1}};

int32_t scaled(int32_t channels, float alpha) {
  return static_cast<int32_t>(std::lround(static_cast<float>(channels) * alpha));
}

int32_t same_out(int32_t size, int32_t stride) { return (size + stride - 1) / stride; }

// Weights ~ U(-a, a) with a chosen so activations neither vanish nor blow
// up through 28 layers (He-style scaling); the values are not a trained
// network's, only its shapes and magnitudes matter here.
format::Bytes scaled_weights(size_t count, int32_t fan_in, uint32_t seed) {
  format::Bytes raw = float_data(count, seed);
  std::vector<uint8_t> bytes(raw.span().begin(), raw.span().end());
  const float scale = std::sqrt(6.0f / static_cast<float>(fan_in));
  for (size_t i = 0; i < count; ++i) {
    float v;
    std::memcpy(&v, bytes.data() + i * 4, 4);
    v *= scale;
    std::memcpy(bytes.data() + i * 4, &v, 4);
  }
  return format::Bytes::own(std::move(bytes));
}

class Builder {
 public:
  explicit Builder(format::Model& m) : m_(m), sg_(m.subgraphs[0]) {}

  int32_t conv(int32_t in, int32_t in_channels, int32_t out_channels, int32_t kernel, int32_t stride,
               std::vector<int32_t> in_shape, std::vector<int32_t>& out_shape) {
    const int32_t h = same_out(in_shape[1], stride), w = same_out(in_shape[2], stride);
    const std::string name = "conv" + std::to_string(++count_);
    const int32_t filter = add_constant(m_, sg_, name + "/weights", TensorType::FLOAT32,
                                        {out_channels, kernel, kernel, in_channels},
                                        scaled_weights(size_t(out_channels * kernel * kernel * in_channels),
                                                       kernel * kernel * in_channels, uint32_t(count_)));
    const int32_t bias = add_constant(m_, sg_, name + "/bias", TensorType::FLOAT32, {out_channels},
                                      scaled_weights(size_t(out_channels), 100, uint32_t(count_ + 1000)));
    out_shape = {1, h, w, out_channels};
    const int32_t out = add_tensor(sg_, name + "/Relu6", TensorType::FLOAT32, out_shape);
    tfl::Conv2DOptionsT o;
    o.padding = tfl::Padding::SAME;
    o.stride_w = o.stride_h = stride;
    o.fused_activation_function = tfl::ActivationFunctionType::RELU6;
    add_op(sg_, BuiltinOp::CONV_2D, {in, filter, bias}, {out}, format::make_options(o));
    return out;
  }

  int32_t depthwise(int32_t in, int32_t channels, int32_t stride, std::vector<int32_t> in_shape,
                    std::vector<int32_t>& out_shape) {
    const int32_t h = same_out(in_shape[1], stride), w = same_out(in_shape[2], stride);
    const std::string name = "dw" + std::to_string(++count_);
    const int32_t filter =
        add_constant(m_, sg_, name + "/depthwise_weights", TensorType::FLOAT32, {1, 3, 3, channels},
                     scaled_weights(size_t(9 * channels), 9, uint32_t(count_)));
    const int32_t bias = add_constant(m_, sg_, name + "/bias", TensorType::FLOAT32, {channels},
                                      scaled_weights(size_t(channels), 100, uint32_t(count_ + 1000)));
    out_shape = {1, h, w, channels};
    const int32_t out = add_tensor(sg_, name + "/Relu6", TensorType::FLOAT32, out_shape);
    tfl::DepthwiseConv2DOptionsT o;
    o.padding = tfl::Padding::SAME;
    o.stride_w = o.stride_h = stride;
    o.depth_multiplier = 1;
    o.fused_activation_function = tfl::ActivationFunctionType::RELU6;
    add_op(sg_, BuiltinOp::DEPTHWISE_CONV_2D, {in, filter, bias}, {out}, format::make_options(o));
    return out;
  }

  format::Model& m_;
  format::Subgraph& sg_;
  int count_ = 0;
};

}  // namespace

format::Model mobilenet_v1_model(const MobileNetSpec& spec) {
  format::Model m;
  m.description = "synthetic MobileNetV1 (random weights)";
  m.buffers.emplace_back();
  m.subgraphs.emplace_back();
  format::Subgraph& sg = m.subgraphs[0];
  sg.name = "main";
  Builder b(m);
  std::vector<int32_t> shape{1, spec.resolution, spec.resolution, 3};
  const int32_t input = add_tensor(sg, "input", TensorType::FLOAT32, shape);
  sg.inputs = {input};
  int32_t channels = scaled(32, spec.alpha);
  int32_t x = b.conv(input, 3, channels, 3, 2, shape, shape);
  for (const Block& block : kBlocks) {
    x = b.depthwise(x, channels, block.stride, shape, shape);
    const int32_t out_channels = scaled(block.out_channels, spec.alpha);
    x = b.conv(x, channels, out_channels, 1, 1, shape, shape);
    channels = out_channels;
  }
  const int32_t pooled = add_tensor(sg, "AvgPool", TensorType::FLOAT32, {1, 1, 1, channels});
  tfl::Pool2DOptionsT pool;
  pool.padding = tfl::Padding::VALID;
  pool.stride_w = pool.stride_h = 2;
  pool.filter_width = shape[2];
  pool.filter_height = shape[1];
  add_op(sg, BuiltinOp::AVERAGE_POOL_2D, {x}, {pooled}, format::make_options(pool));
  std::vector<int32_t> logits_shape;
  const int32_t logits4 = b.conv(pooled, channels, spec.classes, 1, 1, {1, 1, 1, channels}, logits_shape);
  // The classifier has no activation.
  sg.operators.back().options = [&] {
    tfl::Conv2DOptionsT o;
    o.padding = tfl::Padding::SAME;
    o.stride_w = o.stride_h = 1;
    return format::make_options(o);
  }();
  const int32_t new_shape = add_constant(m, sg, "reshape/shape", TensorType::INT32, {2},
                                         int32_data(std::vector<int32_t>{1, spec.classes}));
  const int32_t logits = add_tensor(sg, "logits", TensorType::FLOAT32, {1, spec.classes});
  add_op(sg, BuiltinOp::RESHAPE, {logits4, new_shape}, {logits}, format::make_options(tfl::ReshapeOptionsT{}));
  const int32_t probs = add_tensor(sg, "Predictions", TensorType::FLOAT32, {1, spec.classes});
  tfl::SoftmaxOptionsT softmax;
  softmax.beta = 1.0f;
  add_op(sg, BuiltinOp::SOFTMAX, {logits}, {probs}, format::make_options(softmax));
  sg.outputs = {probs};
  return m;
}

double mobilenet_v1_flops(const MobileNetSpec& spec) {
  double macs = 0;
  int32_t size = spec.resolution;
  int32_t channels = scaled(32, spec.alpha);
  size = same_out(size, 2);
  macs += double(size) * size * channels * 3 * 9;
  for (const Block& block : kBlocks) {
    size = same_out(size, block.stride);
    macs += double(size) * size * channels * 9;
    const int32_t out_channels = scaled(block.out_channels, spec.alpha);
    macs += double(size) * size * channels * out_channels;
    channels = out_channels;
  }
  macs += double(channels) * spec.classes;
  return 2.0 * macs;
}

}  // namespace qs::test
