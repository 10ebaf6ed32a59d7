// FULLY_CONNECTED and BATCH_MATMUL. Hand-worked small cases in both
// flavours (arithmetic in the comments), the fast (oneDNN) flavour against
// the reference loops on random shapes, hybrid cases (int8 weights) with
// inputs chosen so TFLite's on-the-fly quantization shows, and the corpus'
// dynamic-range model against its float twin.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>

#include "format/model_file.h"
#include "format/op_options.h"
#include "runtime/interpreter.h"
#include "support/corpus.h"
#include "support/kernel_checks.h"

namespace qs::test {
namespace {

using format::BuiltinOp;
using format::TensorType;
using runtime::Flavor;
using runtime::Shape;
using A = tfl::ActivationFunctionType;

// FULLY_CONNECTED -------------------------------------------------------------------

format::OpOptions fc_options(A act = A::NONE, bool keep_num_dims = false, bool asymmetric = false) {
  tfl::FullyConnectedOptionsT o;
  o.fused_activation_function = act;
  o.keep_num_dims = keep_num_dims;
  o.asymmetric_quantize_inputs = asymmetric;
  return format::make_options(o);
}

// FULLY_CONNECTED with constant float weights (and bias unless empty).
Result<std::vector<HostTensor>> run_fc(const HostTensor& input, const Shape& weights_shape,
                                       const std::vector<float>& weights, const std::vector<float>& bias,
                                       format::OpOptions options, Flavor flavor) {
  OpTest t;
  const int x = t.input("x", TensorType::FLOAT32, input.shape);
  const int w = t.constant<float>("w", weights_shape, weights);
  std::vector<int32_t> inputs{x, w};
  if (!bias.empty()) inputs.push_back(t.constant<float>("b", {static_cast<int32_t>(bias.size())}, bias));
  const int y = t.output("y", TensorType::FLOAT32);
  t.op(BuiltinOp::FULLY_CONNECTED, inputs, {y}, std::move(options));
  return t.run({input}, flavor);
}

// Hybrid FULLY_CONNECTED: int8 weights with per-tensor or per-row scales.
Result<std::vector<HostTensor>> run_hybrid_fc(const HostTensor& input, const Shape& weights_shape,
                                              const std::vector<int8_t>& weights, std::vector<float> scales,
                                              const std::vector<float>& bias, format::OpOptions options,
                                              Flavor flavor) {
  OpTest t;
  const int x = t.input("x", TensorType::FLOAT32, input.shape);
  const int w = t.constant_bytes("w", TensorType::INT8, weights_shape, int8_bytes(weights));
  t.quantize(w, std::move(scales), {0}, 0);
  std::vector<int32_t> inputs{x, w};
  if (!bias.empty()) inputs.push_back(t.constant<float>("b", {static_cast<int32_t>(bias.size())}, bias));
  const int y = t.output("y", TensorType::FLOAT32);
  t.op(BuiltinOp::FULLY_CONNECTED, inputs, {y}, std::move(options));
  return t.run({input}, flavor);
}

TEST(KernelsMatmul, FullyConnectedHandWorked) {
  // x = [1 2 3], W = [1 0 -1; 2 2 2], b = [0.5, -1]:
  //   [1-3+0.5, 2+4+6-1] = [-1.5, 11]
  const auto in = host_tensor<float>({1, 3}, {1, 2, 3});
  for (Flavor f : kBothFlavors) {
    SCOPED_TRACE(flavor_name(f));
    EXPECT_EQ(output_of(run_fc(in, {2, 3}, {1, 0, -1, 2, 2, 2}, {0.5f, -1}, fc_options(), f), {1, 2}),
              (std::vector<float>{-1.5f, 11}));
    // No bias, RELU: [-2, 12] -> [0, 12]; RELU_N1_TO_1 -> [-1, 1].
    EXPECT_EQ(output_of(run_fc(in, {2, 3}, {1, 0, -1, 2, 2, 2}, {}, fc_options(A::RELU), f), {1, 2}),
              (std::vector<float>{0, 12}));
    EXPECT_EQ(output_of(run_fc(in, {2, 3}, {1, 0, -1, 2, 2, 2}, {}, fc_options(A::RELU_N1_TO_1), f), {1, 2}),
              (std::vector<float>{-1, 1}));
  }
}

TEST(KernelsMatmul, FullyConnectedFlattensAndKeepsDims) {
  // Input [2,1,3] = rows [1 2 3], [0 1 0]; W = [1 1 1; 0 2 0]:
  //   row 0 -> [6, 4], row 1 -> [1, 2].
  const auto in = host_tensor<float>({2, 1, 3}, {1, 2, 3, 0, 1, 0});
  for (Flavor f : kBothFlavors) {
    SCOPED_TRACE(flavor_name(f));
    EXPECT_EQ(output_of(run_fc(in, {2, 3}, {1, 1, 1, 0, 2, 0}, {}, fc_options(), f), {2, 2}),
              (std::vector<float>{6, 4, 1, 2}));
    EXPECT_EQ(output_of(run_fc(in, {2, 3}, {1, 1, 1, 0, 2, 0}, {}, fc_options(A::NONE, true), f), {2, 1, 2}),
              (std::vector<float>{6, 4, 1, 2}));
  }
  // [1,6] flattens to two rows of 3 without keep_num_dims: [1 2 3], [0 1 0].
  EXPECT_EQ(output_of(run_fc(host_tensor<float>({1, 6}, {1, 2, 3, 0, 1, 0}), {2, 3}, {1, 1, 1, 0, 2, 0}, {},
                             fc_options(), Flavor::kFast),
                      {2, 2}),
            (std::vector<float>{6, 4, 1, 2}));
}

TEST(KernelsMatmul, FullyConnectedErrors) {
  const auto in = host_tensor<float>({1, 6}, std::vector<float>(6, 1.0f));
  // keep_num_dims needs the last dimension to match.
  expect_error(run_fc(in, {2, 3}, std::vector<float>(6, 1.0f), {}, fc_options(A::NONE, true), Flavor::kFast),
               "FULLY_CONNECTED", "keep_num_dims");
  // 6 values do not split into rows of 4.
  expect_error(run_fc(in, {2, 4}, std::vector<float>(8, 1.0f), {}, fc_options(), Flavor::kFast),
               "FULLY_CONNECTED", "rows of 4");
  expect_error(run_fc(in, {2, 3, 1}, std::vector<float>(6, 1.0f), {}, fc_options(), Flavor::kFast),
               "FULLY_CONNECTED", "expected rank 2");
  expect_error(run_fc(in, {2, 3}, std::vector<float>(6, 1.0f), {1, 2, 3}, fc_options(), Flavor::kFast),
               "FULLY_CONNECTED", "bias");
  expect_error(run_fc(in, {2, 3}, std::vector<float>(6, 1.0f), {}, fc_options(A::TANH), Flavor::kFast),
               "FULLY_CONNECTED", "TANH");
  tfl::FullyConnectedOptionsT shuffled;
  shuffled.weights_format = tfl::FullyConnectedOptionsWeightsFormat::SHUFFLED4x16INT8;
  expect_error(
      run_fc(in, {2, 3}, std::vector<float>(6, 1.0f), {}, format::make_options(shuffled), Flavor::kFast),
      "FULLY_CONNECTED", "SHUFFLED4x16INT8");
}

TEST(KernelsMatmul, FullyConnectedFastMatchesReferenceOnRandomShapes) {
  struct Case {
    int batches, in, out;
    bool bias;
    A act;
  };
  const Case cases[] = {{1, 1, 1, true, A::NONE},      {1, 17, 5, false, A::RELU},
                        {3, 64, 10, true, A::RELU6},   {7, 300, 33, true, A::NONE},
                        {2, 128, 256, false, A::NONE}, {1, 1024, 100, true, A::RELU}};
  uint32_t seed = 1;
  for (const Case& c : cases) {
    SCOPED_TRACE(cat(c.batches, "x", c.in, " -> ", c.out));
    const auto in = host_tensor<float>({c.batches, c.in}, random_floats(element_count({c.batches, c.in}), seed++));
    const auto w = random_floats(element_count({c.out, c.in}), seed++);
    const auto b = c.bias ? random_floats(static_cast<size_t>(c.out), seed++) : std::vector<float>{};
    auto fast = run_fc(in, {c.out, c.in}, w, b, fc_options(c.act), Flavor::kFast);
    auto ref = run_fc(in, {c.out, c.in}, w, b, fc_options(c.act), Flavor::kReference);
    ASSERT_TRUE(ref.has_value()) << ref.error().message;
    expect_close(output_of(fast, {c.batches, c.out}), ref->at(0).values<float>());
  }
}

TEST(KernelsMatmul, FullyConnectedWithComputedWeights) {
  // Weights and bias as model inputs: reordered on every run.
  const auto in = host_tensor<float>({3, 20}, random_floats(60, 5));
  const auto w = host_tensor<float>({7, 20}, random_floats(140, 6));
  const auto b = host_tensor<float>({7}, random_floats(7, 7));
  std::vector<std::vector<float>> results;
  for (Flavor f : kBothFlavors) {
    OpTest t;
    const int x = t.input("x", TensorType::FLOAT32, {3, 20});
    const int wi = t.input("w", TensorType::FLOAT32, {7, 20});
    const int bi = t.input("b", TensorType::FLOAT32, {7});
    const int y = t.output("y", TensorType::FLOAT32);
    t.op(BuiltinOp::FULLY_CONNECTED, {x, wi, bi}, {y}, fc_options(A::RELU6));
    results.push_back(output_of(t.run({in, w, b}, f), {3, 7}));
  }
  expect_close(results[0], results[1]);
}

TEST(KernelsMatmul, HybridFullyConnectedSymmetric) {
  // x = [2.54, -1.27]: scale 2.54/127 = 0.02, q = [127, round(-63.5) = -64].
  // Per tensor, W = [1 1] scale 0.5: (127 - 64) * 0.02 * 0.5 = 0.63 (float
  // math: 0.635), + bias 0.1 = 0.73.
  const auto in = host_tensor<float>({1, 2}, {2.54f, -1.27f});
  for (Flavor f : kBothFlavors) {
    SCOPED_TRACE(flavor_name(f));
    expect_close(output_of(run_hybrid_fc(in, {1, 2}, {1, 1}, {0.5f}, {0.1f}, fc_options(), f), {1, 1}),
                 {0.73f}, 1e-6f);
    // Per row: W = [1 1; 2 0] scales [0.5, 0.25]: row 0 = 63 * 0.02 * 0.5 =
    // 0.63, row 1 = 254 * 0.02 * 0.25 = 1.27.
    expect_close(
        output_of(run_hybrid_fc(in, {2, 2}, {1, 1, 2, 0}, {0.5f, 0.25f}, {}, fc_options(), f), {1, 2}),
        {0.63f, 1.27f}, 1e-6f);
    // Hybrid FULLY_CONNECTED applies TANH too (TFLite's hybrid path).
    expect_close(output_of(run_hybrid_fc(in, {1, 2}, {1, 1}, {0.5f}, {}, fc_options(A::TANH), f), {1, 1}),
                 {std::tanh(0.63f)}, 1e-6f);
  }
}

TEST(KernelsMatmul, HybridFullyConnectedAsymmetric) {
  // x = [0, 2.55, 1.004]: range [0, 2.55], scale 0.01, zero point -128,
  // q = [-128, 127, -28]. W = [1 1 1] scale 1: sum q = -29, minus row sum 3
  // times zero point -128 -> -29 + 384 = 355, * 0.01 = 3.55 (float: 3.554).
  const auto in = host_tensor<float>({1, 3}, {0, 2.55f, 1.004f});
  for (Flavor f : kBothFlavors) {
    SCOPED_TRACE(flavor_name(f));
    expect_close(
        output_of(run_hybrid_fc(in, {1, 3}, {1, 1, 1}, {1.0f}, {}, fc_options(A::NONE, false, true), f),
                  {1, 1}),
        {3.55f}, 1e-6f);
  }
  // Each batch row gets its own scale: row 1 = 10x row 0 quantizes alike.
  const auto two = host_tensor<float>({2, 3}, {0, 2.55f, 1.004f, 0, 25.5f, 10.04f});
  expect_close(output_of(run_hybrid_fc(two, {1, 3}, {1, 1, 1}, {1.0f}, {}, fc_options(A::NONE, false, true),
                                       Flavor::kFast),
                         {2, 1}),
               {3.55f, 35.5f}, 1e-6f);
}

TEST(KernelsMatmul, HybridFullyConnectedErrors) {
  const auto in = host_tensor<float>({1, 2}, {1, 2});
  OpTest t;
  const int x = t.input("x", TensorType::FLOAT32, {1, 2});
  const int w = t.constant_bytes("w", TensorType::INT8, {1, 2}, int8_bytes({1, 1}));
  t.quantize(w, {0.5f}, {3});
  const int y = t.output("y", TensorType::FLOAT32);
  t.op(BuiltinOp::FULLY_CONNECTED, {x, w}, {y}, fc_options());
  expect_error(t.run({in}), "FULLY_CONNECTED", "zero point");
}

// Relative RMS difference of `got` from `want`.
double relative_rms(const std::vector<float>& got, const std::vector<float>& want) {
  double diff = 0, norm = 0;
  for (size_t i = 0; i < want.size(); ++i) {
    diff += (got[i] - want[i]) * (got[i] - want[i]);
    norm += want[i] * want[i];
  }
  return std::sqrt(diff / norm);
}

// `model` with every int8 weight replaced by its float value q * scale.
format::Model dequantized_weights(format::Model model) {
  for (format::Tensor& t : model.subgraphs[0].tensors) {
    if (t.type != TensorType::INT8 || !t.quantization || t.buffer == 0) continue;
    const auto data = model.tensor_data(t);
    const auto& q = *t.quantization;
    const size_t per_channel = data.size() / q.scale.size();
    std::vector<uint8_t> floats(data.size() * sizeof(float));
    for (size_t i = 0; i < data.size(); ++i) {
      const float v = static_cast<float>(static_cast<int8_t>(data[i])) * q.scale[i / per_channel];
      std::memcpy(floats.data() + i * sizeof(float), &v, sizeof v);
    }
    t.type = TensorType::FLOAT32;
    t.quantization.reset();
    t.buffer = model.add_buffer(format::Bytes::own(std::move(floats)));
  }
  return model;
}

// The corpus' dynamic-range model (int8 FULLY_CONNECTED weights, per-tensor
// scales, symmetric inputs) against the same network in float.
TEST(KernelsMatmul, DynamicRangeModelTracksFloat) {
  QS_REQUIRE_CORPUS();
  auto load = [](const std::string& name) -> std::shared_ptr<const format::Model> {
    auto file = format::ModelFile::open(corpus_model(name));
    EXPECT_TRUE(file.has_value()) << file.error().message;
    if (!file) return nullptr;
    return std::make_shared<const format::Model>(file->to_model());
  };
  const auto hybrid_model = load("model_ToyCar_quant.tflite");
  const auto float_twin = load("ad01_fp32.tflite");  // its weights before quantization
  ASSERT_TRUE(hybrid_model && float_twin);
  const auto dequantized = std::make_shared<const format::Model>(dequantized_weights(*hybrid_model));
  const auto in = host_tensor<float>({1, 640}, random_floats(640, 77, -2.0f, 2.0f));
  auto run = [&](const std::shared_ptr<const format::Model>& model, Flavor flavor) {
    runtime::InterpreterOptions options;
    options.flavor = flavor;
    auto interp = runtime::Interpreter::create(model, options);
    EXPECT_TRUE(interp.has_value()) << interp.error().message;
    if (!interp) return std::vector<float>{};
    return output_of(run_once(**interp, {in}), {1, 640});
  };
  const auto hybrid_fast = run(hybrid_model, Flavor::kFast);
  const auto hybrid_ref = run(hybrid_model, Flavor::kReference);
  ASSERT_EQ(hybrid_fast.size(), 640u);
  // Both flavours run the same hybrid loops.
  EXPECT_EQ(hybrid_fast, hybrid_ref);
  // Against the same int8 weights in float, only the 8-bit rounding of
  // each layer's input differs (about 1% per layer, ten layers).
  const double vs_dequantized = relative_rms(hybrid_fast, run(dequantized, Flavor::kReference));
  EXPECT_GT(vs_dequantized, 0.0);
  EXPECT_LT(vs_dequantized, 0.05);
  // Against the original float weights the weights' rounding adds up too.
  EXPECT_LT(relative_rms(hybrid_fast, run(float_twin, Flavor::kFast)), 0.15);
}

// The same model with asymmetric_quantize_inputs set on every
// FULLY_CONNECTED, against LiteRT.js 2.5.3 (@litertjs/core): its XNNPACK
// path quantizes each input row asymmetrically whatever the flag says, with
// TFLite's rounding, so the asymmetric path must reproduce it. Expected
// values: LiteRT.js on model_ToyCar_quant.tflite with input x[i] =
// float(2 sin(0.37 i + 0.1)), outputs 0, 40, ..., 600 (tests/conformance/
// litert_run.mjs).
TEST(KernelsMatmul, DynamicRangeModelAsymmetricMatchesLiteRt) {
  QS_REQUIRE_CORPUS();
  auto file = format::ModelFile::open(corpus_model("model_ToyCar_quant.tflite"));
  ASSERT_TRUE(file.has_value()) << file.error().message;
  format::Model model = file->to_model();
  int changed = 0;
  for (format::Operator& op : model.subgraphs[0].operators) {
    if (const auto* o = format::options_as<tfl::FullyConnectedOptionsT>(op)) {
      tfl::FullyConnectedOptionsT asymmetric = *o;
      asymmetric.asymmetric_quantize_inputs = true;
      op.options = format::make_options(asymmetric);
      ++changed;
    }
  }
  ASSERT_EQ(changed, 10);
  std::vector<float> x(640);
  for (size_t i = 0; i < x.size(); ++i)
    x[i] = static_cast<float>(2.0 * std::sin(0.37 * static_cast<double>(i) + 0.1));
  const std::vector<float> litert{
      -36.488643646240234f, -16.142837524414062f, -25.313920974731445f, -21.82621192932129f,
      -16.29517936706543f,  -20.83123207092285f,  -21.15462303161621f,  -12.62742805480957f,
      -18.55674934387207f,  -19.358388900756836f, -13.101948738098145f, -17.258296966552734f,
      -21.926191329956055f, -1.0617563724517822f, -21.170269012451172f, -19.798542022705078f};
  auto interp = runtime::Interpreter::create(std::make_shared<const format::Model>(std::move(model)));
  ASSERT_TRUE(interp.has_value()) << interp.error().message;
  const auto out = output_of(run_once(**interp, {host_tensor<float>({1, 640}, x)}), {1, 640});
  ASSERT_EQ(out.size(), 640u);
  std::vector<float> sampled;
  for (size_t i = 0; i < out.size(); i += 40) sampled.push_back(out[i]);
  // Agreement to float rounding (the last multiplications' order).
  expect_close(sampled, litert, 1e-6f);
}

// BATCH_MATMUL ---------------------------------------------------------------------

format::OpOptions bmm_options(bool adj_x = false, bool adj_y = false, bool asymmetric = false) {
  tfl::BatchMatMulOptionsT o;
  o.adj_x = adj_x;
  o.adj_y = adj_y;
  o.asymmetric_quantize_inputs = asymmetric;
  return format::make_options(o);
}

// Both operands are model inputs (the usual case: two activations).
Result<std::vector<HostTensor>> run_bmm(const HostTensor& lhs, const HostTensor& rhs,
                                        format::OpOptions options, Flavor flavor) {
  OpTest t;
  const int a = t.input("a", TensorType::FLOAT32, lhs.shape);
  const int b = t.input("b", TensorType::FLOAT32, rhs.shape);
  const int y = t.output("y", TensorType::FLOAT32);
  t.op(BuiltinOp::BATCH_MATMUL, {a, b}, {y}, std::move(options));
  return t.run({lhs, rhs}, flavor);
}

Result<std::vector<HostTensor>> run_hybrid_bmm(const HostTensor& lhs, const Shape& rhs_shape,
                                               const std::vector<int8_t>& rhs, std::vector<float> scales,
                                               int axis, format::OpOptions options, Flavor flavor) {
  OpTest t;
  const int a = t.input("a", TensorType::FLOAT32, lhs.shape);
  const int b = t.constant_bytes("b", TensorType::INT8, rhs_shape, int8_bytes(rhs));
  t.quantize(b, std::move(scales), {0}, axis);
  const int y = t.output("y", TensorType::FLOAT32);
  t.op(BuiltinOp::BATCH_MATMUL, {a, b}, {y}, std::move(options));
  return t.run({lhs}, flavor);
}

TEST(KernelsMatmul, BatchMatMulHandWorked) {
  // [1 2 3; 4 5 6] x [1 0; 0 1; 1 1] = [1+3, 2+3; 4+6, 5+6] = [4 5; 10 11].
  const std::vector<float> want{4, 5, 10, 11};
  for (Flavor f : kBothFlavors) {
    SCOPED_TRACE(flavor_name(f));
    EXPECT_EQ(output_of(run_bmm(host_tensor<float>({2, 3}, {1, 2, 3, 4, 5, 6}),
                                host_tensor<float>({3, 2}, {1, 0, 0, 1, 1, 1}), bmm_options(), f),
                        {2, 2}),
              want);
    // The same product from transposed storage: adj_x, adj_y, both.
    const auto lhs_t = host_tensor<float>({3, 2}, {1, 4, 2, 5, 3, 6});
    const auto rhs_t = host_tensor<float>({2, 3}, {1, 0, 1, 0, 1, 1});
    EXPECT_EQ(
        output_of(run_bmm(lhs_t, host_tensor<float>({3, 2}, {1, 0, 0, 1, 1, 1}), bmm_options(true, false), f),
                  {2, 2}),
        want);
    EXPECT_EQ(
        output_of(run_bmm(host_tensor<float>({2, 3}, {1, 2, 3, 4, 5, 6}), rhs_t, bmm_options(false, true), f),
                  {2, 2}),
        want);
    EXPECT_EQ(output_of(run_bmm(lhs_t, rhs_t, bmm_options(true, true), f), {2, 2}), want);
  }
}

TEST(KernelsMatmul, BatchMatMulBroadcastsBatchDimensions) {
  // lhs [2,1,2,3]: (a+1) * L; rhs [3,3,2]: (b+1) * R with L, R as above.
  // Output [2,3,2,2]: (a+1)(b+1) * [4 5; 10 11].
  const std::vector<float> l{1, 2, 3, 4, 5, 6}, r{1, 0, 0, 1, 1, 1}, base{4, 5, 10, 11};
  std::vector<float> lhs, rhs, want;
  for (int a = 0; a < 2; ++a) {
    for (float v : l) lhs.push_back(v * static_cast<float>(a + 1));
  }
  for (int b = 0; b < 3; ++b) {
    for (float v : r) rhs.push_back(v * static_cast<float>(b + 1));
  }
  for (int a = 0; a < 2; ++a) {
    for (int b = 0; b < 3; ++b) {
      for (float v : base) want.push_back(v * static_cast<float>((a + 1) * (b + 1)));
    }
  }
  for (Flavor f : kBothFlavors) {
    SCOPED_TRACE(flavor_name(f));
    EXPECT_EQ(output_of(run_bmm(host_tensor<float>({2, 1, 2, 3}, lhs), host_tensor<float>({3, 3, 2}, rhs),
                                bmm_options(), f),
                        {2, 3, 2, 2}),
              want);
    // A rank-2 lhs against a rank-3 rhs: the lhs is shared by every batch.
    EXPECT_EQ(output_of(run_bmm(host_tensor<float>({2, 3}, l), host_tensor<float>({3, 3, 2}, rhs),
                                bmm_options(), f),
                        {3, 2, 2}),
              std::vector<float>(want.begin(), want.begin() + 12));
  }
}

TEST(KernelsMatmul, BatchMatMulFastMatchesReferenceOnRandomShapes) {
  struct Case {
    Shape lhs, rhs;
    bool adj_x, adj_y;
  };
  const Case cases[] = {
      {{5, 7}, {7, 3}, false, false},
      {{3, 5, 7}, {3, 7, 4}, false, false},
      {{3, 7, 5}, {3, 4, 7}, true, true},
      {{2, 1, 4, 6}, {1, 3, 6, 5}, false, false},
      {{2, 3, 6, 4}, {6, 5}, true, false},
      {{1, 2, 1, 3, 9, 8}, {1, 1, 3, 1, 8, 2}, false, false},  // rank 6: error below
      {{2, 2, 2, 3, 4}, {2, 1, 2, 5, 4}, false, true},
      {{4, 33, 65}, {4, 65, 17}, false, false},
  };
  uint32_t seed = 10;
  for (const Case& c : cases) {
    SCOPED_TRACE(
        cat(format::shape_string(c.lhs), " x ", format::shape_string(c.rhs), " adj ", c.adj_x, c.adj_y));
    const auto lhs = host_tensor<float>(c.lhs, random_floats(element_count(c.lhs), seed++));
    const auto rhs = host_tensor<float>(c.rhs, random_floats(element_count(c.rhs), seed++));
    auto fast = run_bmm(lhs, rhs, bmm_options(c.adj_x, c.adj_y), Flavor::kFast);
    auto ref = run_bmm(lhs, rhs, bmm_options(c.adj_x, c.adj_y), Flavor::kReference);
    if (c.lhs.size() > 5) {
      expect_error(fast, "BATCH_MATMUL", "rank 2 to 5");
      continue;
    }
    ASSERT_TRUE(fast.has_value()) << fast.error().message;
    ASSERT_TRUE(ref.has_value()) << ref.error().message;
    EXPECT_EQ(fast->at(0).shape, ref->at(0).shape);
    expect_close(fast->at(0).values<float>(), ref->at(0).values<float>());
  }
}

TEST(KernelsMatmul, BatchMatMulErrors) {
  const auto a = host_tensor<float>({2, 3}, std::vector<float>(6, 1.0f));
  expect_error(
      run_bmm(a, host_tensor<float>({2, 2}, std::vector<float>(4, 1.0f)), bmm_options(), Flavor::kFast),
      "BATCH_MATMUL", "do not multiply");
  expect_error(run_bmm(host_tensor<float>({3}, {1, 2, 3}), a, bmm_options(), Flavor::kFast), "BATCH_MATMUL",
               "rank 2 to 5");
  expect_error(
      run_bmm(host_tensor<float>({2, 2, 3}, std::vector<float>(12, 1.0f)),
              host_tensor<float>({3, 3, 2}, std::vector<float>(18, 1.0f)), bmm_options(), Flavor::kFast),
      "BATCH_MATMUL", "broadcast");
}

TEST(KernelsMatmul, HybridBatchMatMul) {
  // lhs rows quantized one by one. Row 0 [2.54, -1.27] -> q [127, -64],
  // scale 0.02; row 1 [1, 1] -> q [127, 127], scale 1/127.
  // rhs int8 [2,2] = [1 2; 1 0]:
  //   per tensor (scale 0.5): row 0: [63, 254] * 0.01 = [0.63, 2.54];
  //                           row 1: [254, 254] * 0.5/127 = [1, 1]
  //   per column (scales [0.5, 0.25]): row 0: [0.63, 254*0.02*0.25 = 1.27];
  //                                    row 1: [1, 254/127*0.25 = 0.5]
  const auto lhs = host_tensor<float>({2, 2}, {2.54f, -1.27f, 1, 1});
  for (Flavor f : kBothFlavors) {
    SCOPED_TRACE(flavor_name(f));
    expect_close(output_of(run_hybrid_bmm(lhs, {2, 2}, {1, 2, 1, 0}, {0.5f}, 0, bmm_options(), f), {2, 2}),
                 {0.63f, 2.54f, 1, 1}, 1e-6f);
    expect_close(
        output_of(run_hybrid_bmm(lhs, {2, 2}, {1, 2, 1, 0}, {0.5f, 0.25f}, 1, bmm_options(), f), {2, 2}),
        {0.63f, 1.27f, 1, 0.5f}, 1e-6f);
    // adj_y: the same rhs stored transposed, scales along its rows.
    expect_close(
        output_of(run_hybrid_bmm(lhs, {2, 2}, {1, 1, 2, 0}, {0.5f, 0.25f}, 0, bmm_options(false, true), f),
                  {2, 2}),
        {0.63f, 1.27f, 1, 0.5f}, 1e-6f);
  }
  // Asymmetric: row [0, 2.55, 1.004] -> q [-128, 127, -28], zero point
  // -128, scale 0.01; rhs [1; 1; 1] scale 1: (-29 + 3*128) * 0.01 = 3.55.
  expect_close(output_of(run_hybrid_bmm(host_tensor<float>({1, 3}, {0, 2.55f, 1.004f}), {3, 1}, {1, 1, 1},
                                        {1.0f}, 0, bmm_options(false, false, true), Flavor::kFast),
                         {1, 1}),
               {3.55f}, 1e-6f);
  // Per-channel scales along the depth dimension are not per output column.
  expect_error(run_hybrid_bmm(lhs, {2, 2}, {1, 2, 1, 0}, {0.5f, 0.25f}, 0, bmm_options(), Flavor::kFast),
               "BATCH_MATMUL", "scales");
}

}  // namespace
}  // namespace qs::test
