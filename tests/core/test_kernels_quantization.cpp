// DEQUANTIZE (float16 and integer storage to FLOAT32, per tensor and per
// channel) and QUANTIZE (FLOAT32 to INT8/UINT8/INT16). Expected values are
// real = scale·(q − zero_point) and q = clamp(round_half_away(real/scale) +
// zero_point), worked out by hand.

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <optional>

#include "support/kernel_checks.h"

namespace qs::test {
namespace {

using format::BuiltinOp;
using format::TensorType;
using runtime::Shape;

struct Quant {
  std::vector<float> scale;
  std::vector<int64_t> zero_point;
  int32_t dimension = 0;
};

// One op, one runtime input (optionally quantized) and one output
// (optionally quantized).
Result<HostTensor> run_op(BuiltinOp op, const HostTensor& input, std::optional<Quant> in_q,
                          TensorType out_type, std::optional<Quant> out_q = std::nullopt) {
  OpTest t;
  const int in = t.input("in", input.type, input.shape);
  if (in_q) t.quantize(in, in_q->scale, in_q->zero_point, in_q->dimension);
  const int out = t.output("out", out_type);
  if (out_q) t.quantize(out, out_q->scale, out_q->zero_point, out_q->dimension);
  t.op(op, {in}, {out});
  auto result = t.run({input});
  if (!result) return tl::unexpected(result.error());
  return std::move(result->at(0));
}

HostTensor raw_tensor(TensorType type, Shape shape, const std::vector<uint8_t>& bytes) {
  HostTensor h{type, std::move(shape), std::vector<std::byte>(bytes.size())};
  std::memcpy(h.bytes.data(), bytes.data(), bytes.size());
  return h;
}

// DEQUANTIZE ------------------------------------------------------------------

TEST(KernelsQuantization, DequantizePerTensor) {
  // scale 0.5, zero point -1: (q + 1) / 2
  EXPECT_EQ(values_of<float>(run_op(BuiltinOp::DEQUANTIZE, host_tensor<int8_t>({4}, {-128, -1, 0, 127}),
                                    Quant{{0.5f}, {-1}}, TensorType::FLOAT32),
                             {4}),
            (std::vector<float>{-63.5f, 0, 0.5f, 64}));
  // uint8, zero point 128, scale 0.25
  EXPECT_EQ(values_of<float>(run_op(BuiltinOp::DEQUANTIZE, host_tensor<uint8_t>({2, 2}, {0, 128, 129, 255}),
                                    Quant{{0.25f}, {128}}, TensorType::FLOAT32),
                             {2, 2}),
            (std::vector<float>{-32, 0, 0.25f, 31.75f}));
  // int16, symmetric
  EXPECT_EQ(values_of<float>(run_op(BuiltinOp::DEQUANTIZE, host_tensor<int16_t>({3}, {-32768, 1, 32767}),
                                    Quant{{1.0f / 32768}, {0}}, TensorType::FLOAT32),
                             {3}),
            (std::vector<float>{-1, 1.0f / 32768, 32767.0f / 32768}));
}

TEST(KernelsQuantization, DequantizePerChannel) {
  // [2,3] along dimension 0: row 0 scale 1, row 1 scale 10 (zero point 0).
  const auto q = host_tensor<int8_t>({2, 3}, {1, 2, 3, 1, 2, 3});
  EXPECT_EQ(values_of<float>(run_op(BuiltinOp::DEQUANTIZE, q, Quant{{1, 10}, {0, 0}, 0}, TensorType::FLOAT32),
                             {2, 3}),
            (std::vector<float>{1, 2, 3, 10, 20, 30}));
  // along dimension 1 (the last): columns scaled 1, 0.5, 0.25, with one
  // zero point 1 shared by every channel.
  EXPECT_EQ(
      values_of<float>(run_op(BuiltinOp::DEQUANTIZE, q, Quant{{1, 0.5f, 0.25f}, {1}, 1}, TensorType::FLOAT32),
                       {2, 3}),
      (std::vector<float>{0, 0.5f, 0.5f, 0, 0.5f, 0.5f}));
  // A middle dimension of [2,2,2]: channel = (i / 2) % 2.
  EXPECT_EQ(
      values_of<float>(run_op(BuiltinOp::DEQUANTIZE, host_tensor<int8_t>({2, 2, 2}, {1, 1, 1, 1, 1, 1, 1, 1}),
                              Quant{{2, 3}, {0, -1}, 1}, TensorType::FLOAT32),
                       {2, 2, 2}),
      (std::vector<float>{2, 2, 6, 6, 2, 2, 6, 6}));
}

TEST(KernelsQuantization, DequantizePackedInt4) {
  // Low nibble first, sign-extended: 0x21 -> 1, 2; 0xF8 -> -8, -1.
  EXPECT_EQ(values_of<float>(run_op(BuiltinOp::DEQUANTIZE, raw_tensor(TensorType::INT4, {4}, {0x21, 0xF8}),
                                    Quant{{0.5f}, {0}}, TensorType::FLOAT32),
                             {4}),
            (std::vector<float>{0.5f, 1, -4, -0.5f}));
  // An odd count leaves the last high nibble unused; per channel along the
  // last dimension of [1,3].
  EXPECT_EQ(values_of<float>(run_op(BuiltinOp::DEQUANTIZE, raw_tensor(TensorType::INT4, {1, 3}, {0x21, 0x08}),
                                    Quant{{1, 2, 3}, {0, 0, 0}, 1}, TensorType::FLOAT32),
                             {1, 3}),
            (std::vector<float>{1, 4, -24}));
}

TEST(KernelsQuantization, DequantizeFloat16) {
  // 0x3C00 = 1, 0xC000 = -2, 0x7BFF = 65504, 0x0001 = 2^-24, 0x7C00 = inf;
  // no quantization parameters needed.
  const auto v = values_of<float>(
      run_op(
          BuiltinOp::DEQUANTIZE,
          raw_tensor(TensorType::FLOAT16, {5}, {0x00, 0x3C, 0x00, 0xC0, 0xFF, 0x7B, 0x01, 0x00, 0x00, 0x7C}),
          std::nullopt, TensorType::FLOAT32),
      {5});
  EXPECT_EQ(
      v, (std::vector<float>{1, -2, 65504, std::ldexp(1.0f, -24), std::numeric_limits<float>::infinity()}));
}

TEST(KernelsQuantization, DequantizeConstantWeights) {
  // The usual shape of an fp16-weight model: a constant feeding DEQUANTIZE.
  OpTest t;
  const int w = t.constant_bytes("w", TensorType::FLOAT16, {2},
                                 {std::byte{0x00}, std::byte{0x38}, std::byte{0x00}, std::byte{0xB8}});
  const int x = t.input("x", TensorType::FLOAT32, {2});
  const int wf = t.output("w_float", TensorType::FLOAT32, {2}, /*internal=*/true);
  const int y = t.output("y", TensorType::FLOAT32);
  t.op(BuiltinOp::DEQUANTIZE, {w}, {wf});
  t.op(BuiltinOp::MUL, {x, wf}, {y});
  auto r = t.run({host_tensor<float>({2}, {4, 4})});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->at(0).values<float>(), (std::vector<float>{2, -2}));  // 0x3800 = 0.5, 0xB800 = -0.5
}

TEST(KernelsQuantization, DequantizeErrors) {
  expect_error(
      run_op(BuiltinOp::DEQUANTIZE, host_tensor<int8_t>({2}, {1, 2}), std::nullopt, TensorType::FLOAT32),
      "DEQUANTIZE", "no quantization scale");
  expect_error(run_op(BuiltinOp::DEQUANTIZE, host_tensor<int8_t>({2, 3}, {1, 2, 3, 4, 5, 6}),
                      Quant{{1, 2}, {0, 0}, 1}, TensorType::FLOAT32),
               "DEQUANTIZE", "2 scales for dimension 1 of size 3");
  expect_error(run_op(BuiltinOp::DEQUANTIZE, host_tensor<int8_t>({2}, {1, 2}), Quant{{1, 2}, {0, 0}, 3},
                      TensorType::FLOAT32),
               "DEQUANTIZE", "quantized along dimension 3");
  expect_error(
      run_op(BuiltinOp::DEQUANTIZE, host_tensor<int32_t>({1}, {1}), Quant{{1}, {0}}, TensorType::FLOAT32),
      "DEQUANTIZE", "supported: FLOAT16");
}

// QUANTIZE ------------------------------------------------------------------------

TEST(KernelsQuantization, QuantizeRoundsHalfAwayFromZero) {
  // scale 0.5, zero point -1: q = round(2x) - 1.
  //   0.25 -> round(0.5) = 1 -> 0      (half to even would give -1)
  //  -0.25 -> round(-0.5) = -1 -> -2
  //   0.75 -> round(1.5) = 2 -> 1
  //   1.1  -> round(2.2) = 2 -> 1
  //   100  -> 199 -> clamped to 127;  -100 -> -201 -> -128
  auto r = run_op(BuiltinOp::QUANTIZE, host_tensor<float>({6}, {0.25f, -0.25f, 0.75f, 1.1f, 100, -100}),
                  std::nullopt, TensorType::INT8, Quant{{0.5f}, {-1}});
  EXPECT_EQ(values_of<int8_t>(r, {6}), (std::vector<int8_t>{0, -2, 1, 1, 127, -128}));
}

TEST(KernelsQuantization, QuantizeUint8AndInt16) {
  // uint8, scale 0.25, zero point 128: 4x + 128, clamped to [0, 255].
  EXPECT_EQ(values_of<uint8_t>(run_op(BuiltinOp::QUANTIZE, host_tensor<float>({4}, {0, -1, 31.75f, 40}),
                                      std::nullopt, TensorType::UINT8, Quant{{0.25f}, {128}}),
                               {4}),
            (std::vector<uint8_t>{128, 124, 255, 255}));
  // int16, scale 1/32768: x·32768, clamped to [-32768, 32767].
  EXPECT_EQ(values_of<int16_t>(run_op(BuiltinOp::QUANTIZE, host_tensor<float>({3}, {-1, 0.5f, 1}),
                                      std::nullopt, TensorType::INT16, Quant{{1.0f / 32768}, {0}}),
                               {3}),
            (std::vector<int16_t>{-32768, 16384, 32767}));
}

TEST(KernelsQuantization, QuantizePerChannel) {
  // [2,2] along dimension 1: column 0 scale 1, column 1 scale 0.1.
  EXPECT_EQ(values_of<int8_t>(run_op(BuiltinOp::QUANTIZE, host_tensor<float>({2, 2}, {3, 0.3f, -2, -1}),
                                     std::nullopt, TensorType::INT8, Quant{{1, 0.1f}, {0, 0}, 1}),
                              {2, 2}),
            (std::vector<int8_t>{3, 3, -2, -10}));
}

TEST(KernelsQuantization, QuantizeThenDequantizeRoundTrips) {
  OpTest t;
  const int x = t.input("x", TensorType::FLOAT32, {5});
  const int q = t.output("q", TensorType::INT8, {5}, /*internal=*/true);
  t.quantize(q, {0.1f}, {3});
  const int y = t.output("y", TensorType::FLOAT32);
  t.op(BuiltinOp::QUANTIZE, {x}, {q});
  t.op(BuiltinOp::DEQUANTIZE, {q}, {y});
  auto r = t.run({host_tensor<float>({5}, {0, 0.1f, -1.26f, 2, 50})});
  ASSERT_TRUE(r) << r.error().message;
  // Each value snaps to the grid 0.1·k: -1.26 -> -12.6 -> -13 -> -1.3;
  // 50 saturates at q = 127, i.e. 0.1·(127 - 3) = 12.4.
  const auto got = r->at(0).values<float>();
  const std::vector<float> want{0, 0.1f, -1.3f, 2, 12.4f};
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-6f) << "element " << i;
}

TEST(KernelsQuantization, QuantizeErrors) {
  // Requantizing an integer tensor is not this kernel's job.
  expect_error(run_op(BuiltinOp::QUANTIZE, host_tensor<int8_t>({1}, {1}), Quant{{1}, {0}}, TensorType::INT8,
                      Quant{{2}, {0}}),
               "QUANTIZE", "only FLOAT32 input");
  // A per-channel output whose scales do not match its dimension.
  expect_error(run_op(BuiltinOp::QUANTIZE, host_tensor<float>({2, 2}, {1, 2, 3, 4}), std::nullopt,
                      TensorType::INT8, Quant{{1, 2, 3}, {0, 0, 0}, 0}),
               "QUANTIZE", "3 scales for dimension 0 of size 2");
  // An output without scale is not a quantized tensor: no kernel takes it.
  expect_error(run_op(BuiltinOp::QUANTIZE, host_tensor<float>({1}, {1}), std::nullopt, TensorType::INT8),
               "QUANTIZE", "not supported");
}

}  // namespace
}  // namespace qs::test
