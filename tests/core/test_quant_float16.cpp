// `float16` mode (core/quant/float16): what the written model holds, checked
// against the format's rules and known float16 bit patterns, and that it
// still computes what the float model computes (within float16 rounding of
// the weights, run by our interpreter).

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "format/model_file.h"
#include "format/write_model.h"
#include "quant/float16.h"
#include "runtime/interpreter.h"
#include "support/model_builder.h"

namespace qs::quant {
namespace {

using format::TensorType;
using test::FcRelu;

format::Bytes floats(const std::vector<float>& v) {
  std::vector<uint8_t> b(v.size() * sizeof(float));
  std::memcpy(b.data(), v.data(), b.size());
  return format::Bytes::own(std::move(b));
}

std::vector<uint16_t> halves(std::span<const uint8_t> data) {
  std::vector<uint16_t> v(data.size() / 2);
  std::memcpy(v.data(), data.data(), v.size() * 2);
  return v;
}

std::vector<float> run(const format::Model& model, const std::vector<float>& x) {
  auto interp = runtime::Interpreter::create(std::make_shared<const format::Model>(model));
  EXPECT_TRUE(interp) << interp.error().message;
  if (!interp) return {};
  EXPECT_TRUE((*interp)->set_input(0, std::as_bytes(std::span(x))));
  const auto s = (*interp)->invoke();
  EXPECT_TRUE(s) << s.error().message;
  const auto& out = (*interp)->output(0);
  std::vector<float> y(out.bytes / sizeof(float));
  std::memcpy(y.data(), out.data, out.bytes);
  return y;
}

TEST(QuantFloat16, KnownBitPatternsRoundToNearestEven) {
  EXPECT_EQ(float_to_half(1.0f), 0x3C00);
  EXPECT_EQ(float_to_half(-2.0f), 0xC000);
  EXPECT_EQ(float_to_half(0.1f), 0x2E66);  // 0.0999755859375
  EXPECT_EQ(float_to_half(1.0f / 3.0f), 0x3555);
  EXPECT_EQ(float_to_half(65504.0f), 0x7BFF);               // the largest finite half
  EXPECT_EQ(float_to_half(1.0f + 1.0f / 2048.0f), 0x3C00);  // a tie: to even (1.0)
  EXPECT_EQ(float_to_half(1.0f + 3.0f / 2048.0f), 0x3C02);  // a tie: to even (1 + 2/1024)
  EXPECT_EQ(float_to_half(std::ldexp(1.0f, -24)), 0x0001);  // the smallest subnormal
  EXPECT_EQ(float_to_half(1e-8f), 0x0000);
}

TEST(QuantFloat16, ConstantsBecomeFloat16BehindDequantize) {
  const format::Model model = test::fc_relu_model(4, 3);
  auto r = to_float16(model, "test 1.0");
  ASSERT_TRUE(r) << r.error().message;
  const format::Model& m = r->model;
  const format::Subgraph& sg = m.subgraphs[0];
  ASSERT_EQ(sg.operators.size(), 4u);
  // Two DEQUANTIZE ops first, whose outputs are the old constants' indices.
  std::vector<int32_t> outputs;
  for (size_t i = 0; i < 2; ++i) {
    const auto& op = sg.operators[i];
    EXPECT_EQ(op.code.builtin, format::BuiltinOp::DEQUANTIZE);
    EXPECT_EQ(op.code.version, 3);
    ASSERT_EQ(op.inputs.size(), 1u);
    ASSERT_EQ(op.outputs.size(), 1u);
    const format::Tensor& half = sg.tensors[static_cast<size_t>(op.inputs[0])];
    const format::Tensor& full = sg.tensors[static_cast<size_t>(op.outputs[0])];
    EXPECT_EQ(half.type, TensorType::FLOAT16);
    EXPECT_EQ(half.shape, full.shape);
    EXPECT_EQ(full.type, TensorType::FLOAT32);
    EXPECT_TRUE(m.tensor_data(full).empty()) << "the stand-in must not keep its float32 data";
    EXPECT_EQ(full.name, half.name + "_dequantize");
    // Each half equals the rounding of the original value.
    const format::Tensor& original = model.subgraphs[0].tensors[static_cast<size_t>(op.outputs[0])];
    std::vector<float> want(model.tensor_data(original).size() / 4);
    std::memcpy(want.data(), model.tensor_data(original).data(), want.size() * 4);
    const auto got = halves(m.tensor_data(half));
    ASSERT_EQ(got.size(), want.size());
    for (size_t k = 0; k < want.size(); ++k) EXPECT_EQ(got[k], float_to_half(want[k])) << k;
    outputs.push_back(op.outputs[0]);
  }
  EXPECT_EQ(outputs, (std::vector<int32_t>{FcRelu::kWeights, FcRelu::kBias}));
  // The FC still reads the same indices.
  EXPECT_EQ(sg.operators[2].inputs, model.subgraphs[0].operators[FcRelu::kFcOp].inputs);
  // The old float32 buffers are emptied, not left behind in the file.
  EXPECT_TRUE(m.buffers[FcRelu::kWeightsBuffer].data.empty());
  EXPECT_TRUE(m.buffers[FcRelu::kBiasBuffer].data.empty());
  // The plan says so, and the recipe travels in the model.
  EXPECT_EQ(r->plan.mode, "float16");
  EXPECT_EQ(r->plan.inserted.size(), 2u);
  EXPECT_TRUE(r->plan.warnings.empty());
  const auto meta = std::find_if(m.metadata.begin(), m.metadata.end(),
                                 [](const format::Metadata& e) { return e.name == "quantscope"; });
  ASSERT_NE(meta, m.metadata.end());
  const auto bytes = m.buffers[meta->buffer].data.span();
  const auto recipe = nlohmann::json::parse(std::string(bytes.begin(), bytes.end()));
  EXPECT_EQ(recipe["mode"], "float16");
  EXPECT_EQ(recipe["tool"], "test 1.0");

  // Written and read back: valid, and about half the weight bytes.
  auto written = format::serialize(m);
  ASSERT_TRUE(written);
  auto reread = format::ModelFile::from_bytes(*written, "fp16.tflite");
  ASSERT_TRUE(reread) << reread.error().message;
}

TEST(QuantFloat16, ComputesWhatTheFloatModelComputes) {
  const format::Model model = test::fc_relu_model(64, 16);
  auto r = to_float16(model, "test");
  ASSERT_TRUE(r) << r.error().message;
  std::vector<float> x(64);
  for (size_t i = 0; i < x.size(); ++i) x[i] = std::sin(0.37f * static_cast<float>(i));
  const auto want = run(model, x);
  const auto got = run(r->model, x);
  ASSERT_EQ(got.size(), want.size());
  // Each weight moves by at most 2^-11 of itself; 64 terms of |w x| <= 1.
  double worst = 0;
  for (size_t i = 0; i < want.size(); ++i) worst = std::max(worst, std::abs(double(got[i]) - want[i]));
  EXPECT_LT(worst, 64 * std::ldexp(1.0, -11));
  EXPECT_GT(worst, 0.0) << "float16 rounding should show somewhere";
}

TEST(QuantFloat16, ASharedConstantGetsOneFloat16Buffer) {
  // A second FULLY_CONNECTED reads a second tensor on the weights' buffer.
  format::Model model = test::fc_relu_model(4, 4);
  auto& sg0 = model.subgraphs[0];
  format::Tensor twin = sg0.tensors[FcRelu::kWeights];
  twin.name = "fc/weights_twin";
  sg0.tensors.push_back(twin);
  format::Tensor out2 = sg0.tensors[FcRelu::kFcOut];
  out2.name = "fc2";
  sg0.tensors.push_back(out2);
  format::Operator fc2 = sg0.operators[FcRelu::kFcOp];
  fc2.inputs[1] = static_cast<int32_t>(sg0.tensors.size() - 2);
  fc2.outputs = {static_cast<int32_t>(sg0.tensors.size() - 1)};
  sg0.operators.push_back(fc2);
  auto r = to_float16(model, "test");
  ASSERT_TRUE(r) << r.error().message;
  std::vector<uint32_t> half_buffers;
  for (const auto& t : r->model.subgraphs[0].tensors) {
    if (t.type == TensorType::FLOAT16 && t.name.rfind("fc/weights", 0) == 0) half_buffers.push_back(t.buffer);
  }
  ASSERT_EQ(half_buffers.size(), 2u);
  EXPECT_EQ(half_buffers[0], half_buffers[1]) << "a buffer shared in the float model stays shared";
  EXPECT_EQ(r->plan.inserted.size(), 3u);  // weights, twin, bias
}

TEST(QuantFloat16, ValuesBeyondFloat16StayFloat32WithAWarning) {
  format::Model model = test::fc_relu_model(2, 2);
  model.buffers[FcRelu::kWeightsBuffer].data = floats({1.0f, 70000.0f, -3.0f, 0.5f});
  auto r = to_float16(model, "test");
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->plan.warnings.size(), 1u);
  EXPECT_NE(r->plan.warnings[0].find("fc/weights"), std::string::npos) << r->plan.warnings[0];
  const auto& w = r->model.subgraphs[0].tensors[FcRelu::kWeights];
  EXPECT_EQ(w.type, TensorType::FLOAT32);
  EXPECT_FALSE(r->model.tensor_data(w).empty());
  // The bias still went to float16.
  EXPECT_EQ(r->plan.inserted.size(), 1u);
}

}  // namespace
}  // namespace qs::quant
