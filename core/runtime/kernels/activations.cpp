// Float activation kernels: the RELU family, LEAKY_RELU, PRELU, ELU,
// HARD_SWISH, GELU, LOGISTIC, TANH, SOFTMAX, LOG_SOFTMAX, L2_NORMALIZATION and
// LOCAL_RESPONSE_NORMALIZATION.
//
// Transcendental ones have two kernels: the fast one evaluates Eigen's
// vectorised exp/tanh/erf over the whole tensor (TFLite's own optimised
// float TANH and GELU are these same Eigen expressions);
// the reference one applies std:: maths element by element in the form of
// TFLite's reference_ops. Clamps and other exact arithmetic are plain loops
// the compiler vectorises, one kernel for both flavours.

#include <Eigen/Core>
#include <cmath>
#include <numbers>
#include <unsupported/Eigen/SpecialFunctions>

#include "runtime/kernels/broadcast.h"
#include "runtime/kernels/kernel_util.h"
#include "runtime/kernels/kernels.h"

namespace qs::runtime::kernels {
namespace {

using format::BuiltinOp;

constexpr int kInput = 0;
constexpr int kAlpha = 1;
constexpr int kOutput = 0;

using ArrayIn = Eigen::Map<const Eigen::ArrayXf>;
using ArrayOut = Eigen::Map<Eigen::ArrayXf>;

Status expect_counts(const OpContext& ctx, int inputs) {
  if (ctx.input_count() != inputs)
    return ctx.error(cat("expects ", inputs, " inputs, has ", ctx.input_count()));
  for (int i = 0; i < inputs; ++i) {
    if (ctx.input(i) == nullptr) return ctx.error(cat("input ", i, " is missing"));
  }
  if (ctx.output_count() != 1) return ctx.error(cat("expects 1 output, has ", ctx.output_count()));
  return {};
}

// One FLOAT32 input of rank >= min_rank; the output takes its shape.
Status prepare_float_like_input(OpContext& ctx, int min_rank = 0) {
  if (auto s = expect_counts(ctx, 1); !s) return s;
  const Tensor& x = *ctx.input(kInput);
  if (auto s = expect_type(ctx, x, TensorType::FLOAT32); !s) return s;
  if (auto s = expect_type(ctx, ctx.output(kOutput), TensorType::FLOAT32); !s) return s;
  if (x.rank() < min_rank) {
    return ctx.error(cat("tensor ", x.index, " '", x.name, "' has shape ", format::shape_string(x.shape),
                         ", needs rank >= ", min_rank));
  }
  ctx.set_output_shape(kOutput, x.shape);
  return {};
}

std::span<const float> input_values(const OpContext& ctx) { return ctx.input(kInput)->values<float>(); }
std::span<float> output_values(const OpContext& ctx) { return ctx.output(kOutput).mutable_values<float>(); }

// Clamps ----------------------------------------------------------------------

template <class F>
KernelFactory pointwise_kernel(F f) {
  auto prepare = [](OpContext& ctx) { return prepare_float_like_input(ctx); };
  auto eval = [f](OpContext& ctx) -> Status {
    std::span<const float> x = input_values(ctx);
    std::span<float> y = output_values(ctx);
    for (size_t i = 0; i < x.size(); ++i) y[i] = f(x[i]);
    return {};
  };
  return make_kernel(prepare, eval);
}

// min(max(x, low), high): NaN stays NaN, as in TFLite's clamps.
KernelFactory clamp_kernel(float low, float high) {
  return pointwise_kernel([low, high](float x) { return std::min(std::max(x, low), high); });
}

KernelFactory leaky_relu_kernel() {
  auto prepare = [](OpContext& ctx) { return prepare_float_like_input(ctx); };
  auto eval = [](OpContext& ctx) -> Status {
    const float alpha = options_or_default<tfl::LeakyReluOptionsT>(ctx).alpha;
    std::span<const float> x = input_values(ctx);
    std::span<float> y = output_values(ctx);
    for (size_t i = 0; i < x.size(); ++i) y[i] = x[i] > 0.0f ? x[i] : x[i] * alpha;
    return {};
  };
  return make_kernel(prepare, eval);
}

// x · relu6(x + 3) / 6, in TFLite's order of operations.
float hard_swish(float x) { return x * std::min(6.0f, std::max(0.0f, x + 3.0f)) / 6.0f; }

// PRELU: alpha broadcasts against the input (usually one slope per channel).
Status prepare_prelu(OpContext& ctx) {
  if (auto s = expect_counts(ctx, 2); !s) return s;
  const Tensor& x = *ctx.input(kInput);
  const Tensor& alpha = *ctx.input(kAlpha);
  if (auto s = expect_type(ctx, x, TensorType::FLOAT32); !s) return s;
  if (auto s = expect_type(ctx, alpha, TensorType::FLOAT32); !s) return s;
  if (auto s = expect_type(ctx, ctx.output(kOutput), TensorType::FLOAT32); !s) return s;
  auto shape = broadcast_shape(ctx, {&x, &alpha});
  if (!shape) return tl::unexpected(shape.error());
  ctx.set_output_shape(kOutput, std::move(*shape));
  return {};
}

Status eval_prelu(OpContext& ctx) {
  const Tensor& x = *ctx.input(kInput);
  const Tensor& alpha = *ctx.input(kAlpha);
  Tensor& y = ctx.output(kOutput);
  broadcast_binary(x.shape, x.values<float>().data(), alpha.shape, alpha.values<float>().data(), y.shape,
                   y.mutable_values<float>().data(), [](float v, float a) { return v >= 0.0f ? v : v * a; });
  return {};
}

// Transcendental pointwise functions -------------------------------------------

// A function as an Eigen array expression (fast) and as std:: maths on one
// value (reference).
struct PointwiseFn {
  void (*fast)(ArrayIn x, ArrayOut y);
  float (*reference)(float x);
};

// sqrt(2/pi), in float as TFLite's kSqrt2dPi.
constexpr float kSqrt2OverPi = static_cast<float>(std::numbers::inv_sqrtpi * std::numbers::sqrt2);
constexpr float kSqrtHalf = static_cast<float>(1.0 / std::numbers::sqrt2);

// 1/(1+e^-x) directly, in both kernels (3 ulp at most as Eigen arrays, 2 as
// std:: maths). Not Eigen 3.4's logistic(): its rational approximation is
// off by up to 1e-3 relative just above x = -9. TFLite's default kernel uses
// the accurate logistic of current Eigen; its reference kernel switches to
// e^x below -9, 1.2e-4 relative off right there.
float logistic_reference(float x) { return 1.0f / (1.0f + std::exp(-x)); }

const PointwiseFn kLogistic{[](ArrayIn x, ArrayOut y) { y = (1.0f + (-x).exp()).inverse(); },
                            logistic_reference};
const PointwiseFn kTanh{[](ArrayIn x, ArrayOut y) { y = x.tanh(); }, [](float x) { return std::tanh(x); }};
const PointwiseFn kElu{[](ArrayIn x, ArrayOut y) { y = (x < 0.0f).select(x.expm1(), x); },
                       [](float x) { return x < 0.0f ? std::expm1(x) : x; }};
// GELU, tanh approximation: 0.5·x·(1 + tanh(sqrt(2/pi)·(x + 0.044715·x³))).
const PointwiseFn kGeluTanh{
    [](ArrayIn x, ArrayOut y) { y = 0.5f * x * (1.0f + (kSqrt2OverPi * (x + 0.044715f * x.cube())).tanh()); },
    [](float x) { return 0.5f * x * (1.0f + std::tanh(kSqrt2OverPi * (x + 0.044715f * x * x * x))); }};
// GELU, exact: 0.5·x·(1 + erf(x/√2)). The reference writes it with erfc,
// which keeps its precision for large negative x where 1 + erf cancels.
const PointwiseFn kGeluErf{[](ArrayIn x, ArrayOut y) { y = 0.5f * x * (1.0f + (x * kSqrtHalf).erf()); },
                           [](float x) { return 0.5f * x * std::erfc(-x * kSqrtHalf); }};

class PointwiseKernel final : public Kernel {
 public:
  using Choose = const PointwiseFn& (*)(const OpContext& ctx);
  PointwiseKernel(Choose choose, Flavor flavor) : choose_(choose), flavor_(flavor) {}

  Status prepare(OpContext& ctx) override { return prepare_float_like_input(ctx); }

  Status eval(OpContext& ctx) override {
    const PointwiseFn& fn = choose_(ctx);
    std::span<const float> x = input_values(ctx);
    std::span<float> y = output_values(ctx);
    if (flavor_ == Flavor::kFast) {
      const auto n = static_cast<Eigen::Index>(x.size());
      fn.fast(ArrayIn(x.data(), n), ArrayOut(y.data(), n));
    } else {
      for (size_t i = 0; i < x.size(); ++i) y[i] = fn.reference(x[i]);
    }
    return {};
  }

 private:
  Choose choose_;
  Flavor flavor_;
};

// SOFTMAX, LOG_SOFTMAX, L2_NORMALIZATION: along the last axis --------------------

struct Rows {
  int64_t count;
  int64_t depth;
};
Rows last_axis_rows(const Tensor& x) {
  const int64_t depth = x.dim(x.rank() - 1);
  return {depth == 0 ? 0 : x.elements() / depth, depth};
}

// softmax(x)_c = exp(beta·(x_c − max)) / Σ exp(beta·(x_k − max)); subtracting
// the row's maximum keeps exp from overflowing and does not change the ratio.
void softmax_reference(const float* x, float* y, Rows rows, float beta) {
  for (int64_t r = 0; r < rows.count; ++r, x += rows.depth, y += rows.depth) {
    float max = std::numeric_limits<float>::lowest();
    for (int64_t c = 0; c < rows.depth; ++c) max = std::max(max, x[c]);
    float sum = 0.0f;
    for (int64_t c = 0; c < rows.depth; ++c) sum += std::exp((x[c] - max) * beta);
    for (int64_t c = 0; c < rows.depth; ++c) y[c] = std::exp((x[c] - max) * beta) / sum;
  }
}

void softmax_fast(const float* x, float* y, Rows rows, float beta) {
  for (int64_t r = 0; r < rows.count; ++r, x += rows.depth, y += rows.depth) {
    ArrayIn in(x, rows.depth);
    ArrayOut out(y, rows.depth);
    const float max = in.maxCoeff();
    out = ((in - max) * beta).exp();
    out *= 1.0f / out.sum();
  }
}

// log_softmax(x)_c = x_c − max − log Σ exp(x_k − max).
void log_softmax_reference(const float* x, float* y, Rows rows) {
  for (int64_t r = 0; r < rows.count; ++r, x += rows.depth, y += rows.depth) {
    float max = std::numeric_limits<float>::lowest();
    for (int64_t c = 0; c < rows.depth; ++c) max = std::max(max, x[c]);
    float sum = 0.0f;
    for (int64_t c = 0; c < rows.depth; ++c) sum += std::exp(x[c] - max);
    const float log_sum = std::log(sum);
    for (int64_t c = 0; c < rows.depth; ++c) y[c] = x[c] - max - log_sum;
  }
}

void log_softmax_fast(const float* x, float* y, Rows rows) {
  for (int64_t r = 0; r < rows.count; ++r, x += rows.depth, y += rows.depth) {
    ArrayIn in(x, rows.depth);
    ArrayOut out(y, rows.depth);
    const float max = in.maxCoeff();
    const float log_sum = std::log((in - max).exp().sum());
    out = in - (max + log_sum);
  }
}

class SoftmaxKernel final : public Kernel {
 public:
  SoftmaxKernel(bool log, Flavor flavor) : log_(log), flavor_(flavor) {}

  Status prepare(OpContext& ctx) override { return prepare_float_like_input(ctx, 1); }

  Status eval(OpContext& ctx) override {
    const Rows rows = last_axis_rows(*ctx.input(kInput));
    const float* x = input_values(ctx).data();
    float* y = output_values(ctx).data();
    const bool fast = flavor_ == Flavor::kFast;
    if (log_) {
      fast ? log_softmax_fast(x, y, rows) : log_softmax_reference(x, y, rows);
    } else {
      // An op without options has beta 0, as TFLite reads it (every output
      // becomes 1/depth).
      const float beta = options_or_default<tfl::SoftmaxOptionsT>(ctx).beta;
      fast ? softmax_fast(x, y, rows, beta) : softmax_reference(x, y, rows, beta);
    }
    return {};
  }

 private:
  bool log_;
  Flavor flavor_;
};

// x / max(‖row‖, 1e-6): TFLite's epsilon bounds the norm, not its square,
// so an all-zero row stays zero.
constexpr float kL2Epsilon = 1e-6f;

Status prepare_l2_norm(OpContext& ctx) {
  const auto activation = options_or_default<tfl::L2NormOptionsT>(ctx).fused_activation_function;
  if (activation != tfl::ActivationFunctionType::NONE) {
    return ctx.error(cat("fused activation ", tfl::EnumNameActivationFunctionType(activation),
                         " is not supported (TFLite accepts only NONE)"));
  }
  return prepare_float_like_input(ctx, 1);
}

Status eval_l2_norm(OpContext& ctx) {
  const Rows rows = last_axis_rows(*ctx.input(kInput));
  const float* x = input_values(ctx).data();
  float* y = output_values(ctx).data();
  for (int64_t r = 0; r < rows.count; ++r, x += rows.depth, y += rows.depth) {
    float squares = 0.0f;
    for (int64_t c = 0; c < rows.depth; ++c) squares += x[c] * x[c];
    const float norm = std::max(std::sqrt(squares), kL2Epsilon);
    for (int64_t c = 0; c < rows.depth; ++c) y[c] = x[c] / norm;
  }
  return {};
}

// LOCAL_RESPONSE_NORMALIZATION on NHWC:
//   y_c = x_c · (bias + alpha · Σ_{k=c−radius}^{c+radius} x_k²)^(−beta).
// The window includes both ends, as TensorFlow defines it and TFLite's
// default (optimised) kernel computes; TFLite's reference_ops version stops
// one channel short of c+radius and disagrees with TFLite's own tests.
Status prepare_lrn(OpContext& ctx) {
  if (auto s = prepare_float_like_input(ctx); !s) return s;
  return expect_rank(ctx, *ctx.input(kInput), 4);
}

Status eval_lrn(OpContext& ctx) {
  const auto& o = options_or_default<tfl::LocalResponseNormalizationOptionsT>(ctx);
  const Rows rows = last_axis_rows(*ctx.input(kInput));
  const int64_t radius = o.radius;
  const float* x = input_values(ctx).data();
  float* y = output_values(ctx).data();
  for (int64_t r = 0; r < rows.count; ++r, x += rows.depth, y += rows.depth) {
    for (int64_t c = 0; c < rows.depth; ++c) {
      const int64_t begin = std::max<int64_t>(0, c - radius);
      const int64_t end = std::min<int64_t>(rows.depth, c + radius + 1);
      float squares = 0.0f;
      for (int64_t k = begin; k < end; ++k) squares += x[k] * x[k];
      y[c] = x[c] * std::pow(o.bias + o.alpha * squares, -o.beta);
    }
  }
  return {};
}

template <class K, class... Args>
void add_both(KernelRegistry& registry, BuiltinOp op, Args... args) {
  registry.add(op, Domain::kPlain, Flavor::kFast,
               [=] { return std::make_unique<K>(args..., Flavor::kFast); });
  registry.add(op, Domain::kPlain, Flavor::kReference,
               [=] { return std::make_unique<K>(args..., Flavor::kReference); });
}

}  // namespace

void register_activations(KernelRegistry& registry) {
  const auto add = [&](BuiltinOp op, KernelFactory factory) {
    registry.add(op, Domain::kPlain, std::move(factory));
  };
  constexpr float kInf = std::numeric_limits<float>::infinity();

  add(BuiltinOp::RELU, clamp_kernel(0.0f, kInf));
  add(BuiltinOp::RELU6, clamp_kernel(0.0f, 6.0f));
  add(BuiltinOp::RELU_N1_TO_1, clamp_kernel(-1.0f, 1.0f));
  add(BuiltinOp::RELU_0_TO_1, clamp_kernel(0.0f, 1.0f));
  add(BuiltinOp::LEAKY_RELU, leaky_relu_kernel());
  add(BuiltinOp::HARD_SWISH, pointwise_kernel(hard_swish));
  add(BuiltinOp::PRELU, make_kernel(prepare_prelu, eval_prelu));

  using Choose = PointwiseKernel::Choose;
  add_both<PointwiseKernel>(registry, BuiltinOp::LOGISTIC,
                            Choose{[](const OpContext&) -> const PointwiseFn& { return kLogistic; }});
  add_both<PointwiseKernel>(registry, BuiltinOp::TANH,
                            Choose{[](const OpContext&) -> const PointwiseFn& { return kTanh; }});
  add_both<PointwiseKernel>(registry, BuiltinOp::ELU,
                            Choose{[](const OpContext&) -> const PointwiseFn& { return kElu; }});
  add_both<PointwiseKernel>(registry, BuiltinOp::GELU, Choose{[](const OpContext& ctx) -> const PointwiseFn& {
                              return options_or_default<tfl::GeluOptionsT>(ctx).approximate ? kGeluTanh
                                                                                            : kGeluErf;
                            }});

  add_both<SoftmaxKernel>(registry, BuiltinOp::SOFTMAX, false);
  add_both<SoftmaxKernel>(registry, BuiltinOp::LOG_SOFTMAX, true);

  add(BuiltinOp::L2_NORMALIZATION, make_kernel(prepare_l2_norm, eval_l2_norm));
  add(BuiltinOp::LOCAL_RESPONSE_NORMALIZATION, make_kernel(prepare_lrn, eval_lrn));
}

}  // namespace qs::runtime::kernels
