// Activation kernels. Exact ones (clamps, LEAKY_RELU, PRELU, HARD_SWISH,
// L2_NORMALIZATION, LRN) are checked against hand-worked values; the
// transcendental ones run in both flavours against the formula evaluated in
// double precision here, with the tolerance that whole-model agreement with
// TFLite (1e-4 relative) leaves room for.

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <numbers>
#include <random>

#include "format/op_options.h"
#include "support/kernel_checks.h"

namespace qs::test {
namespace {

using format::BuiltinOp;
using format::TensorType;
using runtime::Flavor;
using runtime::Shape;

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

Result<HostTensor> run_op(BuiltinOp op, const std::vector<HostTensor>& inputs, format::OpOptions options = {},
                          Flavor flavor = Flavor::kFast, TensorType out_type = TensorType::FLOAT32) {
  return run_single_op(op, inputs, out_type, std::move(options), flavor);
}

// Clamps and exact activations ------------------------------------------------

TEST(KernelsActivations, ReluFamily) {
  const auto in = host_tensor<float>({2, 4}, {-3, -1, -0.5f, 0, 0.5f, 1, 6.5f, 9});
  EXPECT_EQ(values_of<float>(run_op(BuiltinOp::RELU, {in}), {2, 4}),
            (std::vector<float>{0, 0, 0, 0, 0.5f, 1, 6.5f, 9}));
  EXPECT_EQ(values_of<float>(run_op(BuiltinOp::RELU6, {in}), {2, 4}),
            (std::vector<float>{0, 0, 0, 0, 0.5f, 1, 6, 6}));
  EXPECT_EQ(values_of<float>(run_op(BuiltinOp::RELU_N1_TO_1, {in}), {2, 4}),
            (std::vector<float>{-1, -1, -0.5f, 0, 0.5f, 1, 1, 1}));
  EXPECT_EQ(values_of<float>(run_op(BuiltinOp::RELU_0_TO_1, {in}), {2, 4}),
            (std::vector<float>{0, 0, 0, 0, 0.5f, 1, 1, 1}));
  // NaN passes through a clamp.
  const auto nan = values_of<float>(run_op(BuiltinOp::RELU6, {host_tensor<float>({1}, {kNaN})}), {1});
  ASSERT_EQ(nan.size(), 1u);
  EXPECT_TRUE(std::isnan(nan[0]));
  expect_error(
      run_op(BuiltinOp::RELU, {host_tensor<int32_t>({1}, {1})}, {}, Flavor::kFast, TensorType::INT32), "RELU",
      "expected FLOAT32");
}

TEST(KernelsActivations, LeakyRelu) {
  tfl::LeakyReluOptionsT o;
  o.alpha = 0.2f;
  // negatives scaled by 0.2: -5 -> -1, -1 -> -0.2
  EXPECT_EQ(values_of<float>(run_op(BuiltinOp::LEAKY_RELU, {host_tensor<float>({4}, {-5, -1, 0, 3})},
                             format::make_options(o)),
                      {4}),
            (std::vector<float>{-1, -0.2f, 0, 3}));
  // Without options alpha is 0 (a plain RELU), as TFLite reads it.
  EXPECT_EQ(values_of<float>(run_op(BuiltinOp::LEAKY_RELU, {host_tensor<float>({2}, {-5, 3})}), {2}),
            (std::vector<float>{0, 3}));
}

TEST(KernelsActivations, PreluBroadcastsAlpha) {
  // One slope per channel (last axis): channel 0 slope 0.5, channel 1 slope -2.
  const auto x = host_tensor<float>({1, 2, 2, 2}, {-2, -2, 3, 3, -4, 1, 0, -1});
  const auto alpha = host_tensor<float>({1, 1, 2}, {0.5f, -2});
  EXPECT_EQ(values_of<float>(run_op(BuiltinOp::PRELU, {x, alpha}), {1, 2, 2, 2}),
            (std::vector<float>{-1, 4, 3, 3, -2, 1, 0, 2}));
  // A full-shape alpha, and a scalar one.
  EXPECT_EQ(values_of<float>(run_op(BuiltinOp::PRELU,
                             {host_tensor<float>({2}, {-1, -1}), host_tensor<float>({2}, {3, 4})}),
                      {2}),
            (std::vector<float>{-3, -4}));
  EXPECT_EQ(
      values_of<float>(run_op(BuiltinOp::PRELU, {host_tensor<float>({2}, {-1, 5}), host_tensor<float>({}, {0.1f})}),
                {2}),
      (std::vector<float>{-0.1f, 5}));
  expect_error(run_op(BuiltinOp::PRELU,
                      {host_tensor<float>({2, 3}, std::vector<float>(6)), host_tensor<float>({2}, {1, 2})}),
               "PRELU", "do not broadcast");
}

TEST(KernelsActivations, HardSwish) {
  // x · relu6(x+3) / 6: -4 -> 0, -3 -> 0, -1 -> -1·2/6, 1 -> 1·4/6, 3 -> 3·6/6, 4 -> 4
  const auto got =
      values_of<float>(run_op(BuiltinOp::HARD_SWISH, {host_tensor<float>({7}, {-4, -3, -1, 0, 1, 3, 4})}), {7});
  expect_near_all(got, {0, 0, -1.0f / 3, 0, 2.0f / 3, 3, 4}, 1e-7f);
}

// Transcendental activations: fast (Eigen) and reference against the formula

struct Case {
  const char* name;
  BuiltinOp op;
  format::OpOptions options;
  double (*formula)(double);
  float lo;
  float hi;
  double tolerance;  // |got - formula| <= tolerance · max(1, |formula|)
};

double gelu_exact(double x) { return 0.5 * x * std::erfc(-x / std::numbers::sqrt2); }
double gelu_tanh(double x) {
  const double k = std::sqrt(2 / std::numbers::pi);
  return 0.5 * x * (1 + std::tanh(k * (x + 0.044715 * x * x * x)));
}

format::OpOptions gelu_options(bool approximate) {
  tfl::GeluOptionsT o;
  o.approximate = approximate;
  return format::make_options(o);
}

TEST(KernelsActivations, TranscendentalFastAndReferenceAgreeWithTheFormula) {
  const Case cases[] = {
      {"LOGISTIC", BuiltinOp::LOGISTIC, {}, [](double x) { return 1 / (1 + std::exp(-x)); }, -20, 20, 1e-6},
      {"TANH", BuiltinOp::TANH, {}, [](double x) { return std::tanh(x); }, -10, 10, 1e-6},
      {"ELU", BuiltinOp::ELU, {}, [](double x) { return x < 0 ? std::expm1(x) : x; }, -10, 10, 1e-6},
      // TFLite's GELU forms add 1 to erf/tanh values near -1 for negative x:
      // the cancellation leaves about 1e-6 absolute error there.
      {"GELU exact", BuiltinOp::GELU, gelu_options(false), gelu_exact, -8, 8, 3e-6},
      {"GELU tanh", BuiltinOp::GELU, gelu_options(true), gelu_tanh, -8, 8, 3e-6},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    auto in = random_floats(4099, 7, c.lo, c.hi);
    in[0] = c.lo;
    in[1] = c.hi;
    in[2] = 0;
    in[3] = -1e-4f;  // small magnitudes, where relative error shows
    const auto input = host_tensor<float>({4099}, in);
    const auto fast = values_of<float>(run_op(c.op, {input}, c.options), {4099});
    const auto ref = values_of<float>(run_op(c.op, {input}, c.options, Flavor::kReference), {4099});
    ASSERT_EQ(fast.size(), in.size());
    ASSERT_EQ(ref.size(), in.size());
    for (size_t i = 0; i < in.size(); ++i) {
      const double want = c.formula(static_cast<double>(in[i]));
      const double bound = c.tolerance * std::max(1.0, std::fabs(want));
      ASSERT_LE(std::fabs(fast[i] - want), bound) << "fast, x = " << in[i];
      ASSERT_LE(std::fabs(ref[i] - want), bound) << "reference, x = " << in[i];
    }
  }
}

TEST(KernelsActivations, LogisticAndTanhSaturate) {
  const auto in = host_tensor<float>({4}, {-100, -20, 20, 100});
  for (Flavor f : {Flavor::kFast, Flavor::kReference}) {
    const auto s = values_of<float>(run_op(BuiltinOp::LOGISTIC, {in}, {}, f), {4});
    ASSERT_EQ(s.size(), 4u);
    EXPECT_GE(s[0], 0.0f);  // e^-100: a float denormal, or flushed near the bottom of the range
    EXPECT_LT(s[0], 1e-37f);
    EXPECT_NEAR(s[1], 2.0611537e-9f, 1e-14f);  // e^-20 / (1 + e^-20)
    EXPECT_EQ(s[2], 1.0f);
    EXPECT_EQ(s[3], 1.0f);
    EXPECT_EQ(values_of<float>(run_op(BuiltinOp::TANH, {in}, {}, f), {4}), (std::vector<float>{-1, -1, 1, 1}));
  }
}

// SOFTMAX, LOG_SOFTMAX -----------------------------------------------------------------

format::OpOptions softmax_options(float beta) {
  tfl::SoftmaxOptionsT o;
  o.beta = beta;
  return format::make_options(o);
}

// Naive softmax in double along the last axis.
std::vector<float> naive_softmax(const std::vector<float>& x, int64_t depth, double beta, bool log) {
  std::vector<float> out(x.size());
  for (size_t r = 0; r < x.size() / static_cast<size_t>(depth); ++r) {
    const float* row = x.data() + r * static_cast<size_t>(depth);
    double max = row[0];
    for (int64_t c = 0; c < depth; ++c) max = std::max(max, static_cast<double>(row[c]));
    double sum = 0;
    for (int64_t c = 0; c < depth; ++c) sum += std::exp(beta * (row[c] - max));
    for (int64_t c = 0; c < depth; ++c) {
      const double z = beta * (row[c] - max);
      out[r * static_cast<size_t>(depth) + static_cast<size_t>(c)] =
          static_cast<float>(log ? z - std::log(sum) : std::exp(z) / sum);
    }
  }
  return out;
}

TEST(KernelsActivations, SoftmaxHandWorked) {
  // softmax(0, ln 3) = (1, 3)/4; beta 0.5 on (0, 2 ln 3) gives the same.
  const float ln3 = std::log(3.0f);
  for (Flavor f : {Flavor::kFast, Flavor::kReference}) {
    expect_near_all(
        values_of<float>(run_op(BuiltinOp::SOFTMAX, {host_tensor<float>({2}, {0, ln3})}, softmax_options(1), f),
                  {2}),
        {0.25f, 0.75f}, 1e-6f);
    expect_near_all(values_of<float>(run_op(BuiltinOp::SOFTMAX, {host_tensor<float>({2}, {0, 2 * ln3})},
                                     softmax_options(0.5f), f),
                              {2}),
                    {0.25f, 0.75f}, 1e-6f);
    // Large logits: subtracting the maximum keeps exp finite.
    expect_near_all(values_of<float>(run_op(BuiltinOp::SOFTMAX, {host_tensor<float>({2}, {1000, 1000 + ln3})},
                                     softmax_options(1), f),
                              {2}),
                    {0.25f, 0.75f}, 1e-4f);
    // LOG_SOFTMAX(0, ln 3) = (ln 1/4, ln 3/4).
    expect_near_all(
        values_of<float>(run_op(BuiltinOp::LOG_SOFTMAX, {host_tensor<float>({2}, {0, ln3})}, {}, f), {2}),
        {std::log(0.25f), std::log(0.75f)}, 1e-6f);
    // Without options TFLite reads beta 0: every class equally likely.
    expect_near_all(
        values_of<float>(run_op(BuiltinOp::SOFTMAX, {host_tensor<float>({4}, {1, 2, 3, 40})}, {}, f), {4}),
        {0.25f, 0.25f, 0.25f, 0.25f}, 1e-7f);
  }
}

TEST(KernelsActivations, SoftmaxAlongLastAxisOfAnyRank) {
  const Shape shape{2, 3, 5};
  const auto x = random_floats(30, 11, -10, 10);
  for (Flavor f : {Flavor::kFast, Flavor::kReference}) {
    SCOPED_TRACE(f == Flavor::kFast ? "fast" : "reference");
    expect_near_all(
        values_of<float>(run_op(BuiltinOp::SOFTMAX, {host_tensor<float>(shape, x)}, softmax_options(0.7f), f),
                  shape),
        naive_softmax(x, 5, 0.7, false), 1e-6f);
    expect_near_all(values_of<float>(run_op(BuiltinOp::LOG_SOFTMAX, {host_tensor<float>(shape, x)}, {}, f), shape),
                    naive_softmax(x, 5, 1, true), 2e-6f);
  }
  // A big row, the shape classifiers have.
  const auto logits = random_floats(1001, 12, -30, 30);
  for (Flavor f : {Flavor::kFast, Flavor::kReference}) {
    const auto got =
        values_of<float>(run_op(BuiltinOp::SOFTMAX, {host_tensor<float>({1, 1001}, logits)}, softmax_options(1), f),
                  {1, 1001});
    const auto want = naive_softmax(logits, 1001, 1, false);
    ASSERT_EQ(got.size(), want.size());
    for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-6 + 1e-5 * want[i]);
  }
  expect_error(run_op(BuiltinOp::SOFTMAX, {host_tensor<float>({}, {1})}), "SOFTMAX", "rank >= 1");
}

// L2_NORMALIZATION, LRN ------------------------------------------------------------------

TEST(KernelsActivations, L2Normalization) {
  // rows (3,4) -> (0.6,0.8); (0,0) stays 0; (1e-7, 0): the norm is raised
  // to the 1e-6 epsilon, giving (0.1, 0).
  const auto got = values_of<float>(
      run_op(BuiltinOp::L2_NORMALIZATION, {host_tensor<float>({3, 2}, {3, 4, 0, 0, 1e-7f, 0})}), {3, 2});
  expect_near_all(got, {0.6f, 0.8f, 0, 0, 0.1f, 0}, 1e-7f);
  tfl::L2NormOptionsT o;
  o.fused_activation_function = tfl::ActivationFunctionType::RELU;
  expect_error(
      run_op(BuiltinOp::L2_NORMALIZATION, {host_tensor<float>({2}, {1, 1})}, format::make_options(o)),
      "L2_NORMALIZATION", "RELU");
}

format::OpOptions lrn_options(int radius, float bias, float alpha, float beta) {
  tfl::LocalResponseNormalizationOptionsT o;
  o.radius = radius;
  o.bias = bias;
  o.alpha = alpha;
  o.beta = beta;
  return format::make_options(o);
}

TEST(KernelsActivations, LocalResponseNormalization) {
  const auto in = host_tensor<float>({1, 1, 1, 6}, {-1.1f, 0.6f, 0.7f, 1.2f, -0.7f, 0.1f});
  // radius 20 covers every channel; bias 0, alpha 1, beta 0.5 is L2
  // normalisation: sum of squares 1.21+0.36+0.49+1.44+0.49+0.01 = 4, norm 2.
  expect_near_all(
      values_of<float>(run_op(BuiltinOp::LOCAL_RESPONSE_NORMALIZATION, {in}, lrn_options(20, 0, 1, 0.5f)),
                {1, 1, 1, 6}),
      {-0.55f, 0.3f, 0.35f, 0.6f, -0.35f, 0.05f}, 1e-6f);
  // radius 2: channel 0 sees channels 0..2 (squares 1.21+0.36+0.49 = 2.06),
  // so y0 = -1.1 / sqrt(9 + 4·2.06) = -0.264926; channel 3 sees 1..5
  // (0.36+0.49+1.44+0.49+0.01 = 2.79): 1.2 / sqrt(9 + 11.16) = 0.267261.
  // These are TFLite's own expected values (local_response_norm_test.cc).
  expect_near_all(values_of<float>(run_op(BuiltinOp::LOCAL_RESPONSE_NORMALIZATION, {in}, lrn_options(2, 9, 4, 0.5f)),
                            {1, 1, 1, 6}),
                  {-0.264926f, 0.125109f, 0.140112f, 0.267261f, -0.161788f, 0.0244266f}, 1e-6f);
  expect_error(run_op(BuiltinOp::LOCAL_RESPONSE_NORMALIZATION,
                      {host_tensor<float>({1, 6}, std::vector<float>(6))}, lrn_options(2, 9, 4, 0.5f)),
               "LOCAL_RESPONSE_NORMALIZATION", "expected rank 4");
}

TEST(KernelsActivations, WrongTypeIsAnError) {
  expect_error(
      run_op(BuiltinOp::LOGISTIC, {host_tensor<int32_t>({1}, {1})}, {}, Flavor::kFast, TensorType::INT32),
      "LOGISTIC", "expected FLOAT32");
  expect_error(
      run_op(BuiltinOp::SOFTMAX, {host_tensor<float>({2}, {1, 2})}, {}, Flavor::kReference, TensorType::INT8),
      "SOFTMAX", "expected FLOAT32");
}

}  // namespace
}  // namespace qs::test
