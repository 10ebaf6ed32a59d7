// Convolution and pooling kernels: CONV_2D, DEPTHWISE_CONV_2D,
// TRANSPOSE_CONV, MAX/AVERAGE/L2_POOL_2D. Small cases are worked by hand
// (the arithmetic is in the comments) and run in both flavours; random
// shapes and options check the fast (oneDNN) flavour against the reference
// loops; hybrid cases (int8 weights) check TFLite's on-the-fly input
// quantization with values chosen so the rounding shows.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

#include "format/op_options.h"
#include "runtime/interpreter.h"
#include "support/kernel_checks.h"

namespace qs::test {
namespace {

using format::BuiltinOp;
using format::TensorType;
using runtime::Flavor;
using runtime::Shape;
using A = tfl::ActivationFunctionType;

// Options ----------------------------------------------------------------------

format::OpOptions conv_options(tfl::Padding padding, int stride_h, int stride_w, int dilation_h = 1,
                               int dilation_w = 1, A act = A::NONE) {
  tfl::Conv2DOptionsT o;
  o.padding = padding;
  o.stride_h = stride_h;
  o.stride_w = stride_w;
  o.dilation_h_factor = dilation_h;
  o.dilation_w_factor = dilation_w;
  o.fused_activation_function = act;
  return format::make_options(o);
}

format::OpOptions depthwise_options(tfl::Padding padding, int stride_h, int stride_w, int dilation_h = 1,
                                    int dilation_w = 1, A act = A::NONE, int multiplier = 1) {
  tfl::DepthwiseConv2DOptionsT o;
  o.padding = padding;
  o.stride_h = stride_h;
  o.stride_w = stride_w;
  o.dilation_h_factor = dilation_h;
  o.dilation_w_factor = dilation_w;
  o.fused_activation_function = act;
  o.depth_multiplier = multiplier;
  return format::make_options(o);
}

format::OpOptions transpose_options(tfl::Padding padding, int stride_h, int stride_w, A act = A::NONE) {
  tfl::TransposeConvOptionsT o;
  o.padding = padding;
  o.stride_h = stride_h;
  o.stride_w = stride_w;
  o.fused_activation_function = act;
  return format::make_options(o);
}

format::OpOptions pool_options(tfl::Padding padding, int filter_h, int filter_w, int stride_h, int stride_w,
                               A act = A::NONE) {
  tfl::Pool2DOptionsT o;
  o.padding = padding;
  o.filter_height = filter_h;
  o.filter_width = filter_w;
  o.stride_h = stride_h;
  o.stride_w = stride_w;
  o.fused_activation_function = act;
  return format::make_options(o);
}

// Model builders -----------------------------------------------------------------

// CONV_2D or DEPTHWISE_CONV_2D with a constant filter (and bias, unless
// empty); the input is the model's only input.
Result<std::vector<HostTensor>> run_conv(BuiltinOp op, const HostTensor& input, const Shape& filter_shape,
                                         const std::vector<float>& filter, const std::vector<float>& bias,
                                         format::OpOptions options, Flavor flavor) {
  OpTest t;
  const int x = t.input("x", TensorType::FLOAT32, input.shape);
  const int w = t.constant<float>("w", filter_shape, filter);
  std::vector<int32_t> inputs{x, w};
  if (!bias.empty()) inputs.push_back(t.constant<float>("b", {static_cast<int32_t>(bias.size())}, bias));
  const int y = t.output("y", TensorType::FLOAT32);
  t.op(op, inputs, {y}, std::move(options));
  return t.run({input}, flavor);
}

// TRANSPOSE_CONV with constant output shape and filter.
Result<std::vector<HostTensor>> run_transpose(const HostTensor& input,
                                              const std::vector<int32_t>& output_shape,
                                              const Shape& filter_shape, const std::vector<float>& filter,
                                              const std::vector<float>& bias, format::OpOptions options,
                                              Flavor flavor) {
  OpTest t;
  const int shape =
      t.constant<int32_t>("output_shape", {static_cast<int32_t>(output_shape.size())}, output_shape);
  const int w = t.constant<float>("w", filter_shape, filter);
  const int x = t.input("x", TensorType::FLOAT32, input.shape);
  std::vector<int32_t> inputs{shape, w, x};
  if (!bias.empty()) inputs.push_back(t.constant<float>("b", {static_cast<int32_t>(bias.size())}, bias));
  const int y = t.output("y", TensorType::FLOAT32);
  t.op(BuiltinOp::TRANSPOSE_CONV, inputs, {y}, std::move(options));
  return t.run({input}, flavor);
}

Result<std::vector<HostTensor>> run_pool(BuiltinOp op, const HostTensor& input, format::OpOptions options,
                                         Flavor flavor) {
  OpTest t;
  const int x = t.input("x", TensorType::FLOAT32, input.shape);
  const int y = t.output("y", TensorType::FLOAT32);
  t.op(op, {x}, {y}, std::move(options));
  return t.run({input}, flavor);
}

// Hybrid CONV_2D / DEPTHWISE_CONV_2D: int8 filter with `scales` along
// `axis`.
Result<std::vector<HostTensor>> run_hybrid_conv(BuiltinOp op, const HostTensor& input,
                                                const Shape& filter_shape, const std::vector<int8_t>& filter,
                                                std::vector<float> scales, int axis,
                                                const std::vector<float>& bias, format::OpOptions options,
                                                Flavor flavor) {
  OpTest t;
  const int x = t.input("x", TensorType::FLOAT32, input.shape);
  const int w = t.constant_bytes("w", TensorType::INT8, filter_shape, int8_bytes(filter));
  t.quantize(w, std::move(scales), std::vector<int64_t>(1, 0), axis);
  std::vector<int32_t> inputs{x, w};
  if (!bias.empty()) inputs.push_back(t.constant<float>("b", {static_cast<int32_t>(bias.size())}, bias));
  const int y = t.output("y", TensorType::FLOAT32);
  t.op(op, inputs, {y}, std::move(options));
  return t.run({input}, flavor);
}

// CONV_2D -----------------------------------------------------------------------

TEST(KernelsConv, Conv2DValidHandWorked) {
  // input 3x3 = 1..9, filter 2x2 = [1 2; 3 4], bias 10:
  //   (0,0) 1*1+2*2+4*3+5*4 = 37   (0,1) 2+6+15+24 = 47
  //   (1,0) 4+10+21+32 = 67        (1,1) 5+12+24+36 = 77
  const auto in = host_tensor<float>({1, 3, 3, 1}, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  for (Flavor f : kBothFlavors) {
    SCOPED_TRACE(flavor_name(f));
    auto r = run_conv(BuiltinOp::CONV_2D, in, {1, 2, 2, 1}, {1, 2, 3, 4}, {10},
                      conv_options(tfl::Padding::VALID, 1, 1), f);
    EXPECT_EQ(output_of(r, {1, 2, 2, 1}), (std::vector<float>{47, 57, 77, 87}));
  }
}

TEST(KernelsConv, Conv2DSameStride2PutsTheExtraPaddingAfter) {
  // 3x3 input, 2x2 ones filter, stride 2, SAME: out 2x2, total padding
  // (2-1)*2 + 2 - 3 = 1 per axis, all of it after (TFLite's offset):
  //   (0,0) 1+2+4+5 = 12  (0,1) 3+6 = 9  (1,0) 7+8 = 15  (1,1) 9.
  // No bias input at all.
  const auto in = host_tensor<float>({1, 3, 3, 1}, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  for (Flavor f : kBothFlavors) {
    SCOPED_TRACE(flavor_name(f));
    auto r = run_conv(BuiltinOp::CONV_2D, in, {1, 2, 2, 1}, {1, 1, 1, 1}, {},
                      conv_options(tfl::Padding::SAME, 2, 2), f);
    EXPECT_EQ(output_of(r, {1, 2, 2, 1}), (std::vector<float>{12, 9, 15, 9}));
  }
}

TEST(KernelsConv, Conv2DSameStride1PadsBothSides) {
  // 3x3 input 1..9, 3x3 ones filter, SAME stride 1: padding 1 each side,
  // each output is the sum of the 3x3 neighbourhood inside the image:
  //   corners 1+2+4+5=12, 2+3+5+6=16, 4+5+7+8=24, 5+6+8+9=28
  //   edges 1..6=21, 1+2+4+5+7+8=27, 2+3+5+6+8+9=33, 4..9=39; centre 45.
  const auto in = host_tensor<float>({1, 3, 3, 1}, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  for (Flavor f : kBothFlavors) {
    SCOPED_TRACE(flavor_name(f));
    auto r = run_conv(BuiltinOp::CONV_2D, in, {1, 3, 3, 1}, std::vector<float>(9, 1.0f), {0},
                      conv_options(tfl::Padding::SAME, 1, 1), f);
    EXPECT_EQ(output_of(r, {1, 3, 3, 1}), (std::vector<float>{12, 21, 16, 27, 45, 33, 24, 39, 28}));
  }
}

TEST(KernelsConv, Conv2DDilation) {
  // 4x4 input with value 4y+x, filter 2x2 [1 0; 0 1] dilated by 2 (covers
  // 3x3), VALID: out(y,x) = in(y,x) + in(y+2,x+2) = 2*(4y+x) + 10.
  std::vector<float> v(16);
  for (int i = 0; i < 16; ++i) v[static_cast<size_t>(i)] = static_cast<float>(i);
  const auto in = host_tensor<float>({1, 4, 4, 1}, v);
  for (Flavor f : kBothFlavors) {
    SCOPED_TRACE(flavor_name(f));
    auto r = run_conv(BuiltinOp::CONV_2D, in, {1, 2, 2, 1}, {1, 0, 0, 1}, {0},
                      conv_options(tfl::Padding::VALID, 1, 1, 2, 2), f);
    EXPECT_EQ(output_of(r, {1, 2, 2, 1}), (std::vector<float>{10, 12, 18, 20}));
  }
}

TEST(KernelsConv, Conv2DChannelsAndBatch) {
  // 1x1 filter as a channel mix, OHWI [3,1,1,2]: out = [x0, x1, x0+x1] + bias
  // [0, 0, 0.5]; batch 2: [1,2] -> [1,2,3.5], [3,4] -> [3,4,7.5].
  const auto in = host_tensor<float>({2, 1, 1, 2}, {1, 2, 3, 4});
  for (Flavor f : kBothFlavors) {
    SCOPED_TRACE(flavor_name(f));
    auto r = run_conv(BuiltinOp::CONV_2D, in, {3, 1, 1, 2}, {1, 0, 0, 1, 1, 1}, {0, 0, 0.5f},
                      conv_options(tfl::Padding::VALID, 1, 1), f);
    EXPECT_EQ(output_of(r, {2, 1, 1, 3}), (std::vector<float>{1, 2, 3.5f, 3, 4, 7.5f}));
  }
}

TEST(KernelsConv, Conv2DGrouped) {
  // 4 input channels, filter with 2 input channels: 2 groups. Output 0 sees
  // channels 0,1 with [1,1]: 1+2 = 3; output 1 sees channels 2,3 with
  // [1,-1]: 3-4 = -1.
  const auto in = host_tensor<float>({1, 1, 1, 4}, {1, 2, 3, 4});
  for (Flavor f : kBothFlavors) {
    SCOPED_TRACE(flavor_name(f));
    auto r = run_conv(BuiltinOp::CONV_2D, in, {2, 1, 1, 2}, {1, 1, 1, -1}, {0, 0},
                      conv_options(tfl::Padding::VALID, 1, 1), f);
    EXPECT_EQ(output_of(r, {1, 1, 1, 2}), (std::vector<float>{3, -1}));
  }
}

TEST(KernelsConv, Conv2DFusedActivationsClamp) {
  // Identity 1x1 filter on [-3, 0.5, 8].
  const auto in = host_tensor<float>({1, 1, 3, 1}, {-3, 0.5f, 8});
  const std::pair<A, std::vector<float>> cases[] = {{A::RELU, {0, 0.5f, 8}},
                                                    {A::RELU6, {0, 0.5f, 6}},
                                                    {A::RELU_N1_TO_1, {-1, 0.5f, 1}},
                                                    {A::NONE, {-3, 0.5f, 8}}};
  for (Flavor f : kBothFlavors) {
    for (const auto& [act, want] : cases) {
      SCOPED_TRACE(cat(flavor_name(f), " ", tfl::EnumNameActivationFunctionType(act)));
      auto r = run_conv(BuiltinOp::CONV_2D, in, {1, 1, 1, 1}, {1}, {0},
                        conv_options(tfl::Padding::VALID, 1, 1, 1, 1, act), f);
      EXPECT_EQ(output_of(r, {1, 1, 3, 1}), want);
    }
  }
}

TEST(KernelsConv, Conv2DOverflowClampsToTheFiniteRangeAsTflite) {
  // TFLite's float conv clamps to [lowest, max] even without an activation.
  const float big = std::numeric_limits<float>::max();
  const auto in = host_tensor<float>({1, 1, 1, 2}, {big, big});
  for (Flavor f : kBothFlavors) {
    SCOPED_TRACE(flavor_name(f));
    auto r = run_conv(BuiltinOp::CONV_2D, in, {1, 1, 1, 2}, {1, 1}, {0},
                      conv_options(tfl::Padding::VALID, 1, 1), f);
    EXPECT_EQ(output_of(r, {1, 1, 1, 1}), (std::vector<float>{big}));
  }
}

TEST(KernelsConv, Conv2DErrorsNameTheOp) {
  const auto in = host_tensor<float>({1, 3, 3, 2}, std::vector<float>(18, 1.0f));
  // Filter of rank 3.
  expect_error(run_conv(BuiltinOp::CONV_2D, in, {1, 2, 2}, std::vector<float>(4, 1.0f), {},
                        conv_options(tfl::Padding::VALID, 1, 1), Flavor::kFast),
               "CONV_2D", "expected rank 4");
  // 3 filter input channels do not divide 2 input channels.
  expect_error(run_conv(BuiltinOp::CONV_2D, in, {1, 1, 1, 3}, std::vector<float>(3, 1.0f), {},
                        conv_options(tfl::Padding::VALID, 1, 1), Flavor::kFast),
               "CONV_2D", "not a multiple");
  // Bias of the wrong size.
  expect_error(run_conv(BuiltinOp::CONV_2D, in, {1, 1, 1, 2}, {1, 1}, {1, 2},
                        conv_options(tfl::Padding::VALID, 1, 1), Flavor::kFast),
               "CONV_2D", "bias");
  // Zero stride.
  expect_error(run_conv(BuiltinOp::CONV_2D, in, {1, 1, 1, 2}, {1, 1}, {},
                        conv_options(tfl::Padding::VALID, 0, 1), Flavor::kReference),
               "CONV_2D", "strides");
  // A VALID window larger than the input plus a stride: TFLite's output
  // size (3 + 1 - 5) / 1 is negative. (A 4x4 window gives an empty output.)
  expect_error(run_conv(BuiltinOp::CONV_2D, in, {1, 5, 5, 2}, std::vector<float>(50, 1.0f), {},
                        conv_options(tfl::Padding::VALID, 1, 1), Flavor::kFast),
               "CONV_2D", "larger than input");
  EXPECT_EQ(output_of(run_conv(BuiltinOp::CONV_2D, in, {1, 4, 4, 2}, std::vector<float>(32, 1.0f), {},
                               conv_options(tfl::Padding::VALID, 1, 1), Flavor::kFast),
                      {1, 0, 0, 1}),
            std::vector<float>{});
  // TANH is not a clamp.
  expect_error(run_conv(BuiltinOp::CONV_2D, in, {1, 1, 1, 2}, {1, 1}, {},
                        conv_options(tfl::Padding::VALID, 1, 1, 1, 1, A::TANH), Flavor::kFast),
               "CONV_2D", "TANH");
  // Integer input.
  OpTest t;
  const int x = t.input("x", TensorType::INT32, {1, 1, 1, 1});
  const int w = t.constant<float>("w", {1, 1, 1, 1}, {1});
  const int y = t.output("y", TensorType::FLOAT32);
  t.op(BuiltinOp::CONV_2D, {x, w}, {y}, conv_options(tfl::Padding::VALID, 1, 1));
  expect_error(t.run({host_tensor<int32_t>({1, 1, 1, 1}, {1})}), "CONV_2D", "expected FLOAT32");
}

// One random convolution configuration.
struct ConvCase {
  int batch, height, width, in_channels, out_channels, kh, kw, stride_h, stride_w, dilation_h, dilation_w;
  tfl::Padding padding;
  int groups;  // CONV_2D; the depth multiplier for DEPTHWISE_CONV_2D
  A act;
  bool bias;
};

std::string describe(const ConvCase& c) {
  return cat("batch ", c.batch, " ", c.height, "x", c.width, "x", c.in_channels, " -> ", c.out_channels,
             " kernel ", c.kh, "x", c.kw, " stride ", c.stride_h, "x", c.stride_w, " dilation ", c.dilation_h,
             "x", c.dilation_w, c.padding == tfl::Padding::SAME ? " SAME" : " VALID", " groups/multiplier ",
             c.groups, " act ", tfl::EnumNameActivationFunctionType(c.act), c.bias ? " bias" : "");
}

const ConvCase kConvCases[] = {
    {1, 7, 5, 3, 4, 3, 3, 1, 1, 1, 1, tfl::Padding::SAME, 1, A::NONE, true},
    {3, 9, 7, 4, 8, 3, 3, 2, 2, 1, 1, tfl::Padding::SAME, 1, A::RELU6, true},
    {2, 8, 8, 5, 3, 2, 3, 2, 1, 1, 1, tfl::Padding::SAME, 1, A::RELU, false},
    {1, 9, 9, 3, 6, 3, 3, 1, 1, 2, 2, tfl::Padding::SAME, 1, A::NONE, true},
    {1, 10, 9, 2, 4, 3, 2, 1, 2, 2, 1, tfl::Padding::VALID, 1, A::RELU_N1_TO_1, true},
    {3, 6, 7, 4, 6, 3, 3, 2, 2, 1, 1, tfl::Padding::VALID, 2, A::NONE, true},
    {1, 5, 5, 6, 6, 1, 1, 1, 1, 1, 1, tfl::Padding::SAME, 3, A::RELU, true},
    {2, 12, 12, 16, 32, 1, 1, 1, 1, 1, 1, tfl::Padding::VALID, 1, A::RELU6, true},
    {1, 15, 15, 3, 8, 3, 3, 2, 2, 1, 1, tfl::Padding::SAME, 1, A::RELU6, true},
};

TEST(KernelsConv, Conv2DFastMatchesReferenceOnRandomShapes) {
  uint32_t seed = 1;
  for (const ConvCase& c : kConvCases) {
    SCOPED_TRACE(describe(c));
    const Shape in_shape{c.batch, c.height, c.width, c.in_channels};
    const Shape filter_shape{c.out_channels, c.kh, c.kw, c.in_channels / c.groups};
    const auto in = host_tensor<float>(in_shape, random_floats(element_count(in_shape), seed++));
    const auto filter = random_floats(element_count(filter_shape), seed++);
    const auto bias =
        c.bias ? random_floats(static_cast<size_t>(c.out_channels), seed++) : std::vector<float>{};
    const auto options = [&] {
      return conv_options(c.padding, c.stride_h, c.stride_w, c.dilation_h, c.dilation_w, c.act);
    };
    auto fast = run_conv(BuiltinOp::CONV_2D, in, filter_shape, filter, bias, options(), Flavor::kFast);
    auto ref = run_conv(BuiltinOp::CONV_2D, in, filter_shape, filter, bias, options(), Flavor::kReference);
    ASSERT_TRUE(fast.has_value()) << fast.error().message;
    ASSERT_TRUE(ref.has_value()) << ref.error().message;
    EXPECT_EQ(fast->at(0).shape, ref->at(0).shape);
    expect_close(fast->at(0).values<float>(), ref->at(0).values<float>());
  }
}

TEST(KernelsConv, Conv2DWithComputedWeights) {
  // The filter is a model input (not constant): the fast kernel reorders it
  // on every run.
  const Shape in_shape{2, 6, 5, 3}, filter_shape{4, 3, 3, 3};
  const auto in = host_tensor<float>(in_shape, random_floats(element_count(in_shape), 11));
  const auto filter = host_tensor<float>(filter_shape, random_floats(element_count(filter_shape), 12));
  std::vector<std::vector<float>> results;
  for (Flavor f : kBothFlavors) {
    OpTest t;
    const int x = t.input("x", TensorType::FLOAT32, in_shape);
    const int w = t.input("w", TensorType::FLOAT32, filter_shape);
    const int y = t.output("y", TensorType::FLOAT32);
    t.op(BuiltinOp::CONV_2D, {x, w, -1}, {y}, conv_options(tfl::Padding::SAME, 2, 1));
    results.push_back(output_of(t.run({in, filter}, f), {2, 3, 5, 4}));
  }
  expect_close(results[0], results[1]);
}

TEST(KernelsConv, Conv2DFollowsAResizedInput) {
  // One interpreter, two input sizes: the oneDNN primitive is rebuilt.
  OpTest t;
  const Shape filter_shape{2, 3, 3, 2};
  const auto filter = random_floats(element_count(filter_shape), 21);
  const int x = t.input("x", TensorType::FLOAT32, {1, 5, 5, 2});
  const int w = t.constant<float>("w", filter_shape, filter);
  const int y = t.output("y", TensorType::FLOAT32);
  t.op(BuiltinOp::CONV_2D, {x, w}, {y}, conv_options(tfl::Padding::SAME, 1, 1));
  auto fast = runtime::Interpreter::create(std::make_shared<format::Model>(t.model()));
  ASSERT_TRUE(fast.has_value()) << fast.error().message;
  for (const Shape& shape : {Shape{1, 5, 5, 2}, Shape{3, 8, 6, 2}, Shape{1, 5, 5, 2}}) {
    SCOPED_TRACE(format::shape_string(shape));
    const auto in = host_tensor<float>(shape, random_floats(element_count(shape), 22));
    auto got = run_once(**fast, {in});
    auto want = t.run({in}, Flavor::kReference);
    ASSERT_TRUE(want.has_value()) << want.error().message;
    expect_close(output_of(got, {shape[0], shape[1], shape[2], 2}), want->at(0).values<float>());
  }
}

// DEPTHWISE_CONV_2D ---------------------------------------------------------------

TEST(KernelsConv, DepthwiseHandWorked) {
  // 2x2 image, 2 channels: pixels [1,2] [3,4] / [5,6] [7,8]. Filter 1x2x2x2:
  // channel 0 taps all 1 -> 1+3+5+7 = 16; channel 1 taps [1 0; 0 -1] -> 2-8
  // = -6; bias [1, 1].
  const auto in = host_tensor<float>({1, 2, 2, 2}, {1, 2, 3, 4, 5, 6, 7, 8});
  for (Flavor f : kBothFlavors) {
    SCOPED_TRACE(flavor_name(f));
    auto r = run_conv(BuiltinOp::DEPTHWISE_CONV_2D, in, {1, 2, 2, 2}, {1, 1, 1, 0, 1, 0, 1, -1}, {1, 1},
                      depthwise_options(tfl::Padding::VALID, 1, 1), f);
    EXPECT_EQ(output_of(r, {1, 1, 1, 2}), (std::vector<float>{17, -5}));
  }
}

TEST(KernelsConv, DepthwiseMultiplier) {
  // Multiplier 2: output channel c*2+m reads input channel c. Input [3, 5],
  // 1x1 filter [1,2,3,4] -> [3*1, 3*2, 5*3, 5*4].
  const auto in = host_tensor<float>({1, 1, 1, 2}, {3, 5});
  for (Flavor f : kBothFlavors) {
    SCOPED_TRACE(flavor_name(f));
    auto r = run_conv(BuiltinOp::DEPTHWISE_CONV_2D, in, {1, 1, 1, 4}, {1, 2, 3, 4}, {},
                      depthwise_options(tfl::Padding::VALID, 1, 1, 1, 1, A::NONE, 2), f);
    EXPECT_EQ(output_of(r, {1, 1, 1, 4}), (std::vector<float>{3, 6, 15, 20}));
  }
}

TEST(KernelsConv, DepthwiseSameStride2WithRelu6) {
  // 3x3 single channel 1..9, 2x2 ones filter, stride 2 SAME (padding
  // after): sums 12, 9, 15, 9; bias -4.5 and RELU6 below.
  const auto in = host_tensor<float>({1, 3, 3, 1}, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  for (Flavor f : kBothFlavors) {
    SCOPED_TRACE(flavor_name(f));
    auto r = run_conv(BuiltinOp::DEPTHWISE_CONV_2D, in, {1, 2, 2, 1}, {1, 1, 1, 1}, {-4.5f},
                      depthwise_options(tfl::Padding::SAME, 2, 2, 1, 1, A::RELU6), f);
    // 12-4.5 = 7.5 -> 6; 9-4.5 = 4.5; 15-4.5 -> 6; 4.5.
    EXPECT_EQ(output_of(r, {1, 2, 2, 1}), (std::vector<float>{6, 4.5f, 6, 4.5f}));
  }
}

TEST(KernelsConv, DepthwiseErrors) {
  const auto in = host_tensor<float>({1, 3, 3, 2}, std::vector<float>(18, 1.0f));
  expect_error(run_conv(BuiltinOp::DEPTHWISE_CONV_2D, in, {2, 1, 1, 2}, {1, 1, 1, 1}, {},
                        depthwise_options(tfl::Padding::VALID, 1, 1), Flavor::kFast),
               "DEPTHWISE_CONV_2D", "first dimension");
  expect_error(run_conv(BuiltinOp::DEPTHWISE_CONV_2D, in, {1, 1, 1, 3}, {1, 1, 1}, {},
                        depthwise_options(tfl::Padding::VALID, 1, 1), Flavor::kFast),
               "DEPTHWISE_CONV_2D", "not a multiple");
}

TEST(KernelsConv, DepthwiseFastMatchesReferenceOnRandomShapes) {
  const ConvCase cases[] = {
      {1, 7, 5, 3, 3, 3, 3, 1, 1, 1, 1, tfl::Padding::SAME, 1, A::NONE, true},
      {3, 9, 7, 4, 8, 3, 3, 2, 2, 1, 1, tfl::Padding::SAME, 2, A::RELU6, true},
      {2, 8, 9, 5, 5, 3, 3, 2, 2, 2, 2, tfl::Padding::SAME, 1, A::RELU, false},
      {1, 10, 9, 2, 6, 5, 3, 1, 2, 1, 2, tfl::Padding::VALID, 3, A::RELU_N1_TO_1, true},
      {2, 14, 14, 32, 32, 3, 3, 1, 1, 1, 1, tfl::Padding::SAME, 1, A::RELU6, true},
      {1, 15, 15, 16, 16, 3, 3, 2, 2, 1, 1, tfl::Padding::SAME, 1, A::RELU6, true},
  };
  uint32_t seed = 100;
  for (const ConvCase& c : cases) {
    SCOPED_TRACE(describe(c));
    const Shape in_shape{c.batch, c.height, c.width, c.in_channels};
    const Shape filter_shape{1, c.kh, c.kw, c.out_channels};
    const auto in = host_tensor<float>(in_shape, random_floats(element_count(in_shape), seed++));
    const auto filter = random_floats(element_count(filter_shape), seed++);
    const auto bias =
        c.bias ? random_floats(static_cast<size_t>(c.out_channels), seed++) : std::vector<float>{};
    const auto options = [&] {
      return depthwise_options(c.padding, c.stride_h, c.stride_w, c.dilation_h, c.dilation_w, c.act,
                               c.groups);
    };
    auto fast =
        run_conv(BuiltinOp::DEPTHWISE_CONV_2D, in, filter_shape, filter, bias, options(), Flavor::kFast);
    auto ref =
        run_conv(BuiltinOp::DEPTHWISE_CONV_2D, in, filter_shape, filter, bias, options(), Flavor::kReference);
    ASSERT_TRUE(fast.has_value()) << fast.error().message;
    ASSERT_TRUE(ref.has_value()) << ref.error().message;
    EXPECT_EQ(fast->at(0).shape, ref->at(0).shape);
    expect_close(fast->at(0).values<float>(), ref->at(0).values<float>());
  }
}

// Hybrid CONV_2D / DEPTHWISE_CONV_2D ------------------------------------------------

TEST(KernelsConv, HybridConvPerTensorQuantizesTheInputSymmetrically) {
  // Input [2.54, -1.27]: max |v| = 2.54, scale 2.54/127 = 0.02, q = round(v
  // / 0.02) = [127, round(-63.5) = -64]. Filter int8 [2], scale 0.5:
  // out = q * 2 * (0.02 * 0.5) = [2.54, -1.28] (float math would give -1.27).
  const auto in = host_tensor<float>({1, 1, 2, 1}, {2.54f, -1.27f});
  for (Flavor f : kBothFlavors) {
    SCOPED_TRACE(flavor_name(f));
    auto r = run_hybrid_conv(BuiltinOp::CONV_2D, in, {1, 1, 1, 1}, {2}, {0.5f}, 0, {0.25f},
                             conv_options(tfl::Padding::VALID, 1, 1), f);
    expect_close(output_of(r, {1, 1, 2, 1}), {2.54f + 0.25f, -1.28f + 0.25f}, 1e-6f);
  }
}

TEST(KernelsConv, HybridConvPerChannelQuantizesTheInputAsymmetrically) {
  // Input [0, 2.55, 1.004]: range [0, 2.55], scale 2.55/255 = 0.01, zero
  // point -128 (from the minimum), q = round(-128 + v/0.01) = [-128, 127,
  // -28]; real values back: [0, 2.55, 1.00]. Filter 2 output channels
  // [2], [-3] with scales 0.5, 0.25: out = w * (q + 128) * s * 0.01:
  //   channel 0: [0, 2*255*0.005 = 2.55, 2*100*0.005 = 1.0]
  //   channel 1: [0, -3*255*0.0025 = -1.9125, -3*100*0.0025 = -0.75]
  const auto in = host_tensor<float>({1, 1, 3, 1}, {0, 2.55f, 1.004f});
  for (Flavor f : kBothFlavors) {
    SCOPED_TRACE(flavor_name(f));
    auto r = run_hybrid_conv(BuiltinOp::CONV_2D, in, {2, 1, 1, 1}, {2, -3}, {0.5f, 0.25f}, 0, {},
                             conv_options(tfl::Padding::VALID, 1, 1), f);
    expect_close(output_of(r, {1, 1, 3, 2}), {0, 0, 2.55f, -1.9125f, 1.0f, -0.75f}, 1e-6f);
  }
}

TEST(KernelsConv, HybridConvEqualScalesRunPerTensor) {
  // Two equal scales: TFLite takes the per-tensor (symmetric) path. Input
  // [2.54, -1.27] -> q [127, -64] (scale 0.02); filters [1], [1] scale 0.5:
  // out = q * 0.01 = [1.27, 1.27, -0.64, -0.64].
  const auto in = host_tensor<float>({1, 1, 2, 1}, {2.54f, -1.27f});
  auto r = run_hybrid_conv(BuiltinOp::CONV_2D, in, {2, 1, 1, 1}, {1, 1}, {0.5f, 0.5f}, 0, {},
                           conv_options(tfl::Padding::VALID, 1, 1), Flavor::kFast);
  expect_close(output_of(r, {1, 1, 2, 2}), {1.27f, 1.27f, -0.64f, -0.64f}, 1e-6f);
}

TEST(KernelsConv, HybridDepthwise) {
  // Asymmetric per-image input as in the CONV_2D case: [0, 2.55] with 2
  // channels at one pixel -> q [-128, 127], zero point -128, scale 0.01.
  // Filter [1,1,1,2] = [3, 4], scales [0.1, 0.2]: channel 0: 3*0*... = 0,
  // channel 1: 4*255*(0.2*0.01) = 2.04; bias [1, -1].
  const auto in = host_tensor<float>({1, 1, 1, 2}, {0, 2.55f});
  for (Flavor f : kBothFlavors) {
    SCOPED_TRACE(flavor_name(f));
    auto r = run_hybrid_conv(BuiltinOp::DEPTHWISE_CONV_2D, in, {1, 1, 1, 2}, {3, 4}, {0.1f, 0.2f}, 3, {1, -1},
                             depthwise_options(tfl::Padding::VALID, 1, 1), f);
    expect_close(output_of(r, {1, 1, 1, 2}), {1, 2.04f - 1}, 1e-6f);
  }
}

TEST(KernelsConv, HybridConvErrors) {
  const auto in = host_tensor<float>({1, 1, 2, 1}, {1, 2});
  // Scales along the wrong dimension.
  expect_error(run_hybrid_conv(BuiltinOp::CONV_2D, in, {2, 1, 1, 1}, {1, 1}, {0.5f, 0.25f}, 3, {},
                               conv_options(tfl::Padding::VALID, 1, 1), Flavor::kFast),
               "CONV_2D", "scales");
  // No scale at all.
  OpTest t;
  const int x = t.input("x", TensorType::FLOAT32, {1, 1, 2, 1});
  const int w = t.constant_bytes("w", TensorType::INT8, {1, 1, 1, 1}, int8_bytes({1}));
  const int y = t.output("y", TensorType::FLOAT32);
  t.op(BuiltinOp::CONV_2D, {x, w}, {y}, conv_options(tfl::Padding::VALID, 1, 1));
  expect_error(t.run({in}), "CONV_2D", "no quantization scale");
}

TEST(KernelsConv, HybridConvOnRandomInputsIsCloseToFloat) {
  // Int8 weights w_q * s against the float conv with the same dequantized
  // weights: the only difference is the input's 8-bit rounding, at most
  // half a step (max|x| / 254) per value.
  const Shape in_shape{2, 6, 6, 4}, filter_shape{3, 3, 3, 4};
  const auto in = host_tensor<float>(in_shape, random_floats(element_count(in_shape), 300));
  std::mt19937 rng(301);
  std::uniform_int_distribution<int> dist(-127, 127);
  std::vector<int8_t> q(element_count(filter_shape));
  for (int8_t& v : q) v = static_cast<int8_t>(dist(rng));
  const std::vector<float> scales{0.01f, 0.02f, 0.005f};
  std::vector<float> dequantized(q.size());
  for (size_t i = 0; i < q.size(); ++i) dequantized[i] = q[i] * scales[i / (q.size() / 3)];
  const auto options = [] { return conv_options(tfl::Padding::SAME, 1, 1); };
  auto hybrid =
      run_hybrid_conv(BuiltinOp::CONV_2D, in, filter_shape, q, scales, 0, {}, options(), Flavor::kFast);
  auto real = run_conv(BuiltinOp::CONV_2D, in, filter_shape, dequantized, {}, options(), Flavor::kReference);
  ASSERT_TRUE(real.has_value()) << real.error().message;
  // 36 taps, |w| <= 127 * 0.02, input error <= 1/254: bound 36*2.54/254 = 0.36;
  // in practice errors average out far below it.
  expect_close(output_of(hybrid, {2, 6, 6, 3}), real->at(0).values<float>(), 0.05f);
}

// TRANSPOSE_CONV ------------------------------------------------------------------

TEST(KernelsConv, TransposeConvStride2Valid) {
  // Each input pixel of [1 2; 3 4] spreads over a 2x2 block (ones filter,
  // stride 2): out = [1 1 2 2; 1 1 2 2; 3 3 4 4; 3 3 4 4].
  const auto in = host_tensor<float>({1, 2, 2, 1}, {1, 2, 3, 4});
  for (Flavor f : kBothFlavors) {
    SCOPED_TRACE(flavor_name(f));
    auto r = run_transpose(in, {1, 4, 4, 1}, {1, 2, 2, 1}, {1, 1, 1, 1}, {},
                           transpose_options(tfl::Padding::VALID, 2, 2), f);
    EXPECT_EQ(output_of(r, {1, 4, 4, 1}),
              (std::vector<float>{1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4}));
  }
}

TEST(KernelsConv, TransposeConvSameStride2WithBiasAndRelu) {
  // 3x3 ones filter, stride 2, SAME, output 4x4: the forward conv of a 4x4
  // input would give 2x2 with total padding (2-1)*2+3-4 = 1, so padding
  // before is 0. Input row/column i covers outputs 2i..2i+2 (clipped):
  //   row 0 -> outputs 0,1,2; row 1 -> 2,3. Sums over [1 2; 3 4]:
  //   [1 1 3 2; 1 1 3 2; 4 4 10 6; 3 3 7 4]
  // then bias -5 and RELU: [0 0 0 0; 0 0 0 0; 0 0 5 1; 0 0 2 0].
  const auto in = host_tensor<float>({1, 2, 2, 1}, {1, 2, 3, 4});
  for (Flavor f : kBothFlavors) {
    SCOPED_TRACE(flavor_name(f));
    auto plain = run_transpose(in, {1, 4, 4, 1}, {1, 3, 3, 1}, std::vector<float>(9, 1.0f), {},
                               transpose_options(tfl::Padding::SAME, 2, 2), f);
    EXPECT_EQ(output_of(plain, {1, 4, 4, 1}),
              (std::vector<float>{1, 1, 3, 2, 1, 1, 3, 2, 4, 4, 10, 6, 3, 3, 7, 4}));
    auto relu = run_transpose(in, {1, 4, 4, 1}, {1, 3, 3, 1}, std::vector<float>(9, 1.0f), {-5},
                              transpose_options(tfl::Padding::SAME, 2, 2, A::RELU), f);
    EXPECT_EQ(output_of(relu, {1, 4, 4, 1}),
              (std::vector<float>{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5, 1, 0, 0, 2, 0}));
  }
}

TEST(KernelsConv, TransposeConvChannels) {
  // 1x1 filter OHWI [2,1,1,2]: out0 = x0 + x1, out1 = x0 - x1; input [3, 1].
  const auto in = host_tensor<float>({1, 1, 1, 2}, {3, 1});
  for (Flavor f : kBothFlavors) {
    SCOPED_TRACE(flavor_name(f));
    auto r = run_transpose(in, {1, 1, 1, 2}, {2, 1, 1, 2}, {1, 1, 1, -1}, {0.5f, 0},
                           transpose_options(tfl::Padding::VALID, 1, 1), f);
    EXPECT_EQ(output_of(r, {1, 1, 1, 2}), (std::vector<float>{4.5f, 2}));
  }
}

TEST(KernelsConv, TransposeConvComputedOutputShape) {
  // output_shape is a model input: the output is sized at run time.
  const auto in = host_tensor<float>({1, 2, 2, 1}, {1, 2, 3, 4});
  for (Flavor f : kBothFlavors) {
    SCOPED_TRACE(flavor_name(f));
    OpTest t;
    const int shape = t.input("output_shape", TensorType::INT32, {4});
    const int w = t.constant<float>("w", {1, 2, 2, 1}, {1, 1, 1, 1});
    const int x = t.input("x", TensorType::FLOAT32, {1, 2, 2, 1});
    const int y = t.output("y", TensorType::FLOAT32);
    t.op(BuiltinOp::TRANSPOSE_CONV, {shape, w, x}, {y}, transpose_options(tfl::Padding::VALID, 2, 2));
    auto r = t.run({host_tensor<int32_t>({4}, {1, 4, 4, 1}), in}, f);
    EXPECT_EQ(output_of(r, {1, 4, 4, 1}),
              (std::vector<float>{1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4}));
  }
}

TEST(KernelsConv, TransposeConvFastMatchesReferenceOnRandomShapes) {
  struct Case {
    int batch, h, w, in_c, out_c, kh, kw, stride;
    tfl::Padding padding;
    bool bias;
    A act;
  };
  const Case cases[] = {
      {1, 3, 4, 2, 3, 3, 3, 2, tfl::Padding::SAME, true, A::NONE},
      {3, 5, 5, 4, 2, 2, 2, 2, tfl::Padding::VALID, false, A::RELU},
      {2, 4, 3, 3, 5, 3, 2, 1, tfl::Padding::SAME, true, A::RELU6},
      {1, 4, 4, 8, 8, 4, 4, 3, tfl::Padding::SAME, true, A::NONE},
      {1, 6, 6, 16, 8, 3, 3, 2, tfl::Padding::VALID, true, A::RELU_N1_TO_1},
  };
  uint32_t seed = 200;
  for (const Case& c : cases) {
    SCOPED_TRACE(cat("batch ", c.batch, " ", c.h, "x", c.w, "x", c.in_c, " -> ", c.out_c, " kernel ", c.kh,
                     "x", c.kw, " stride ", c.stride, c.padding == tfl::Padding::SAME ? " SAME" : " VALID"));
    auto out_size = [&](int in, int k) {
      return c.padding == tfl::Padding::SAME ? in * c.stride : (in - 1) * c.stride + k;
    };
    const std::vector<int32_t> out_shape{c.batch, out_size(c.h, c.kh), out_size(c.w, c.kw), c.out_c};
    const Shape in_shape{c.batch, c.h, c.w, c.in_c}, filter_shape{c.out_c, c.kh, c.kw, c.in_c};
    const auto in = host_tensor<float>(in_shape, random_floats(element_count(in_shape), seed++));
    const auto filter = random_floats(element_count(filter_shape), seed++);
    const auto bias = c.bias ? random_floats(static_cast<size_t>(c.out_c), seed++) : std::vector<float>{};
    auto fast = run_transpose(in, out_shape, filter_shape, filter, bias,
                              transpose_options(c.padding, c.stride, c.stride, c.act), Flavor::kFast);
    auto ref = run_transpose(in, out_shape, filter_shape, filter, bias,
                             transpose_options(c.padding, c.stride, c.stride, c.act), Flavor::kReference);
    ASSERT_TRUE(ref.has_value()) << ref.error().message;
    expect_close(output_of(fast, Shape(out_shape.begin(), out_shape.end())), ref->at(0).values<float>());
  }
}

TEST(KernelsConv, TransposeConvErrors) {
  const auto in = host_tensor<float>({1, 2, 2, 1}, {1, 2, 3, 4});
  expect_error(run_transpose(in, {1, 4, 4}, {1, 2, 2, 1}, {1, 1, 1, 1}, {},
                             transpose_options(tfl::Padding::VALID, 2, 2), Flavor::kFast),
               "TRANSPOSE_CONV", "expected 4");
  expect_error(run_transpose(in, {2, 4, 4, 1}, {1, 2, 2, 1}, {1, 1, 1, 1}, {},
                             transpose_options(tfl::Padding::VALID, 2, 2), Flavor::kFast),
               "TRANSPOSE_CONV", "does not fit");
  expect_error(run_transpose(in, {1, 4, 4, 1}, {1, 2, 2, 3}, std::vector<float>(12, 1.0f), {},
                             transpose_options(tfl::Padding::VALID, 2, 2), Flavor::kFast),
               "TRANSPOSE_CONV", "channels");
}

// Pools ------------------------------------------------------------------------------

TEST(KernelsConv, MaxPoolValid) {
  // [1 9 2; 8 3 7; 4 6 5], 2x2 windows stride 1: max(1,9,8,3) = 9,
  // max(9,2,3,7) = 9, max(8,3,4,6) = 8, max(3,7,6,5) = 7.
  const auto in = host_tensor<float>({1, 3, 3, 1}, {1, 9, 2, 8, 3, 7, 4, 6, 5});
  for (Flavor f : kBothFlavors) {
    SCOPED_TRACE(flavor_name(f));
    EXPECT_EQ(
        output_of(run_pool(BuiltinOp::MAX_POOL_2D, in, pool_options(tfl::Padding::VALID, 2, 2, 1, 1), f),
                  {1, 2, 2, 1}),
        (std::vector<float>{9, 9, 8, 7}));
    // With RELU6 the 9s and the 8 clamp to 6.
    EXPECT_EQ(output_of(run_pool(BuiltinOp::MAX_POOL_2D, in,
                                 pool_options(tfl::Padding::VALID, 2, 2, 1, 1, A::RELU6), f),
                        {1, 2, 2, 1}),
              (std::vector<float>{6, 6, 6, 6}));
  }
}

TEST(KernelsConv, MaxPoolIgnoresThePadding) {
  // All-negative input with SAME padding: padded positions must not win as 0.
  const auto in = host_tensor<float>({1, 2, 2, 1}, {-4, -3, -2, -1});
  for (Flavor f : kBothFlavors) {
    SCOPED_TRACE(flavor_name(f));
    // 3x3 windows stride 1 SAME: each window sees the whole 2x2 input.
    EXPECT_EQ(output_of(run_pool(BuiltinOp::MAX_POOL_2D, in, pool_options(tfl::Padding::SAME, 3, 3, 1, 1), f),
                        {1, 2, 2, 1}),
              (std::vector<float>{-1, -1, -1, -1}));
  }
}

TEST(KernelsConv, AveragePoolDividesByTheValidCount) {
  // 3x3 input 1..9, 3x3 windows stride 1 SAME (padding 1 all round): each
  // output is the mean of the neighbours inside the image:
  //   12/4=3, 21/6=3.5, 16/4=4, 27/6=4.5, 45/9=5, 33/6=5.5, 24/4=6, 39/6=6.5, 28/4=7
  const auto in = host_tensor<float>({1, 3, 3, 1}, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  for (Flavor f : kBothFlavors) {
    SCOPED_TRACE(flavor_name(f));
    expect_close(
        output_of(run_pool(BuiltinOp::AVERAGE_POOL_2D, in, pool_options(tfl::Padding::SAME, 3, 3, 1, 1), f),
                  {1, 3, 3, 1}),
        {3, 3.5f, 4, 4.5f, 5, 5.5f, 6, 6.5f, 7}, 1e-6f);
    // 2x2 windows stride 2 SAME (padding after): 12/4 = 3, (3+6)/2 = 4.5,
    // (7+8)/2 = 7.5, 9/1 = 9.
    expect_close(
        output_of(run_pool(BuiltinOp::AVERAGE_POOL_2D, in, pool_options(tfl::Padding::SAME, 2, 2, 2, 2), f),
                  {1, 2, 2, 1}),
        {3, 4.5f, 7.5f, 9}, 1e-6f);
    // RELU_N1_TO_1 clamps them all to 1.
    expect_close(output_of(run_pool(BuiltinOp::AVERAGE_POOL_2D, in,
                                    pool_options(tfl::Padding::SAME, 2, 2, 2, 2, A::RELU_N1_TO_1), f),
                           {1, 2, 2, 1}),
                 {1, 1, 1, 1}, 0);
  }
}

TEST(KernelsConv, L2Pool) {
  // [3 4 12] with 1x2 windows stride 2 SAME: sqrt((9+16)/2) = sqrt(12.5),
  // then the window with only 12 inside: sqrt(144/1) = 12.
  const auto in = host_tensor<float>({1, 1, 3, 1}, {3, 4, 12});
  for (Flavor f : kBothFlavors) {
    SCOPED_TRACE(flavor_name(f));
    expect_close(
        output_of(run_pool(BuiltinOp::L2_POOL_2D, in, pool_options(tfl::Padding::SAME, 1, 2, 1, 2), f),
                  {1, 1, 2, 1}),
        {std::sqrt(12.5f), 12}, 1e-6f);
  }
}

TEST(KernelsConv, PoolFastMatchesReferenceOnRandomShapes) {
  struct Case {
    int batch, h, w, c, fh, fw, sh, sw;
    tfl::Padding padding;
    A act;
  };
  const Case cases[] = {
      {1, 7, 5, 3, 3, 3, 2, 2, tfl::Padding::SAME, A::NONE},
      {3, 8, 9, 4, 2, 2, 2, 2, tfl::Padding::VALID, A::RELU},
      {2, 9, 9, 16, 3, 2, 1, 2, tfl::Padding::SAME, A::RELU6},
      {1, 7, 7, 8, 7, 7, 1, 1, tfl::Padding::VALID, A::NONE},
      {1, 5, 6, 2, 4, 4, 3, 3, tfl::Padding::SAME, A::NONE},
  };
  uint32_t seed = 400;
  for (BuiltinOp op : {BuiltinOp::MAX_POOL_2D, BuiltinOp::AVERAGE_POOL_2D}) {
    for (const Case& c : cases) {
      SCOPED_TRACE(cat(format::op_name(op), " batch ", c.batch, " ", c.h, "x", c.w, "x", c.c, " window ",
                       c.fh, "x", c.fw, " stride ", c.sh, "x", c.sw,
                       c.padding == tfl::Padding::SAME ? " SAME" : " VALID"));
      const Shape shape{c.batch, c.h, c.w, c.c};
      const auto in = host_tensor<float>(shape, random_floats(element_count(shape), seed++));
      auto fast = run_pool(op, in, pool_options(c.padding, c.fh, c.fw, c.sh, c.sw, c.act), Flavor::kFast);
      auto ref = run_pool(op, in, pool_options(c.padding, c.fh, c.fw, c.sh, c.sw, c.act), Flavor::kReference);
      ASSERT_TRUE(fast.has_value()) << fast.error().message;
      ASSERT_TRUE(ref.has_value()) << ref.error().message;
      EXPECT_EQ(fast->at(0).shape, ref->at(0).shape);
      expect_close(fast->at(0).values<float>(), ref->at(0).values<float>());
    }
  }
}

TEST(KernelsConv, PoolErrors) {
  expect_error(run_pool(BuiltinOp::MAX_POOL_2D, host_tensor<float>({1, 3, 3}, std::vector<float>(9, 1.0f)),
                        pool_options(tfl::Padding::VALID, 2, 2, 1, 1), Flavor::kFast),
               "MAX_POOL_2D", "expected rank 4");
  expect_error(
      run_pool(BuiltinOp::AVERAGE_POOL_2D, host_tensor<float>({1, 3, 3, 1}, std::vector<float>(9, 1.0f)),
               pool_options(tfl::Padding::VALID, 0, 2, 1, 1), Flavor::kFast),
      "AVERAGE_POOL_2D", "window");
  expect_error(run_pool(BuiltinOp::L2_POOL_2D, host_tensor<float>({1, 3, 3, 1}, std::vector<float>(9, 1.0f)),
                        pool_options(tfl::Padding::VALID, 5, 5, 1, 1), Flavor::kFast),
               "L2_POOL_2D", "larger than input");
}

}  // namespace
}  // namespace qs::test
