// FULLY_CONNECTED and BATCH_MATMUL on float tensors.
//
// Fast flavour: oneDNN (inner product with weights reordered once when
// constant; matmul on strided views); the reference loops when oneDNN
// declines. Reference flavour: reference_matmul.h. Hybrid ops (float input,
// int8 weights) use hybrid_ops.h in both flavours.

#include <algorithm>
#include <memory>

#include "runtime/kernels/conv_activation.h"
#include "runtime/kernels/dnnl_primitives.h"
#include "runtime/kernels/hybrid_ops.h"
#include "runtime/kernels/hybrid_weights.h"
#include "runtime/kernels/kernel_util.h"
#include "runtime/kernels/kernels.h"
#include "runtime/kernels/reference_matmul.h"

namespace qs::runtime::kernels {
namespace {

using format::BuiltinOp;

// Tensor positions.
constexpr int kFcInput = 0;
constexpr int kFcWeights = 1;
constexpr int kFcBias = 2;
constexpr int kLhs = 0;
constexpr int kRhs = 1;
constexpr int kOutput = 0;

#define QS_TRY(expr)                             \
  do {                                           \
    if (auto qs_status_ = (expr); !qs_status_) { \
      return tl::unexpected(qs_status_.error()); \
    }                                            \
  } while (false)

Status from_dnnl(const OpContext& ctx, Status s) {
  if (s) return s;
  return ctx.error(s.error().message);
}

// ---------------------------------------------------------------------------
// FULLY_CONNECTED

class FullyConnectedKernel final : public Kernel {
 public:
  explicit FullyConnectedKernel(Flavor flavor) : flavor_(flavor) {}

  Status prepare(OpContext& ctx) override {
    auto input = required_input(ctx, kFcInput);
    if (!input) return tl::unexpected(input.error());
    auto weights = required_input(ctx, kFcWeights);
    if (!weights) return tl::unexpected(weights.error());
    const Tensor& in = **input;
    const Tensor& w = **weights;
    const Tensor* bias = ctx.input(kFcBias);
    if (ctx.output_count() != 1) return ctx.error(cat("has ", ctx.output_count(), " outputs, expected 1"));
    QS_TRY(expect_type(ctx, in, TensorType::FLOAT32));
    QS_TRY(expect_type(ctx, ctx.output(kOutput), TensorType::FLOAT32));
    QS_TRY(expect_rank(ctx, w, 2));
    hybrid_ = is_hybrid(in, w);
    if (!hybrid_) QS_TRY(expect_type(ctx, w, TensorType::FLOAT32));

    const auto& o = options_or_default<tfl::FullyConnectedOptionsT>(ctx);
    if (o.weights_format != tfl::FullyConnectedOptionsWeightsFormat::DEFAULT) {
      return ctx.error(cat("weights format ",
                           tfl::EnumNameFullyConnectedOptionsWeightsFormat(o.weights_format),
                           " is not supported"));
    }
    activation_ = o.fused_activation_function;
    asymmetric_ = o.asymmetric_quantize_inputs;
    // TFLite's hybrid path applies any fused activation; the float path
    // only clamps.
    using A = tfl::ActivationFunctionType;
    if (!(hybrid_ && (activation_ == A::TANH || activation_ == A::SIGN_BIT))) {
      QS_TRY(expect_clamp_activation(ctx, activation_));
    }
    act_ = tflite_activation_range(activation_);

    units_ = w.dim(0);
    features_ = w.dim(1);
    if (bias != nullptr) {
      QS_TRY(expect_type(ctx, *bias, TensorType::FLOAT32));
      if (bias->elements() != units_) {
        return ctx.error(cat("bias ", bias->index, " '", bias->name, "' has shape ",
                             format::shape_string(bias->shape), ", expected ", units_,
                             " values (one per output unit)"));
      }
    }
    auto shape = output_shape(ctx, in, o.keep_num_dims);
    if (!shape) return tl::unexpected(shape.error());
    ctx.set_output_shape(kOutput, std::move(*shape));

    if (hybrid_) {
      auto scales = hybrid_weight_scales(ctx, w, 0);
      if (!scales) return tl::unexpected(scales.error());
      scales_ = std::move(*scales);
      return {};
    }
    if (flavor_ == Flavor::kFast) return ensure_fast(ctx, w, bias != nullptr);
    return {};
  }

  Status eval(OpContext& ctx) override {
    const Tensor& w = *ctx.input(kFcWeights);
    const float* x = ctx.input(kFcInput)->values<float>().data();
    const Tensor* bias_t = ctx.input(kFcBias);
    const float* bias = bias_t != nullptr ? bias_t->values<float>().data() : nullptr;
    Tensor& out = ctx.output(kOutput);
    if (out.elements() == 0) return {};
    float* y = out.mutable_values<float>().data();
    if (hybrid_) {
      hybrid::fully_connected(batches_, features_, units_, x, w.values<int8_t>().data(), scales_, bias,
                              asymmetric_, activation_, y);
      return {};
    }
    if (flavor_ == Flavor::kFast && fast_ != nullptr) {
      if (!weights_constant_) QS_TRY(from_dnnl(ctx, fast_->set_weights(w.values<float>().data())));
      return from_dnnl(ctx, fast_->run(x, bias, y));
    }
    reference::fully_connected(batches_, features_, units_, x, w.values<float>().data(), bias, act_, y);
    return {};
  }

 private:
  // TFLite: the input is flattened to [elements / in_features, in_features];
  // the output is [batches, units], or the input's shape with its last
  // dimension replaced by units when keep_num_dims is set.
  Result<Shape> output_shape(const OpContext& ctx, const Tensor& in, bool keep_num_dims) {
    const int64_t total = in.elements();
    if (features_ == 0) {
      int64_t rows = 1;
      for (int i = 0; i + 1 < in.rank(); ++i) rows *= in.dim(i);
      batches_ = static_cast<int>(rows);
    } else {
      if (total % features_ != 0) {
        return ctx.error(cat("input ", in.index, " '", in.name, "' of shape ", format::shape_string(in.shape),
                             " does not divide into rows of ", features_, " features"));
      }
      batches_ = static_cast<int>(total / features_);
    }
    if (!keep_num_dims) return Shape{batches_, units_};
    if (in.rank() == 0 || in.dim(in.rank() - 1) != features_) {
      return ctx.error(cat("keep_num_dims needs the last dimension of input ", in.index, " '", in.name, "' ",
                           format::shape_string(in.shape), " to be ", features_));
    }
    Shape shape = in.shape;
    shape.back() = units_;
    return shape;
  }

  Status ensure_fast(const OpContext& ctx, const Tensor& w, bool has_bias) {
    const std::array<int, 3> key{batches_, features_, units_};
    if (built_ && key == fast_key_ && has_bias == fast_bias_) return {};
    built_ = true;
    fast_key_ = key;
    fast_bias_ = has_bias;
    weights_constant_ = w.is_constant();
    auto created = DnnlInnerProduct::create(batches_, features_, units_, has_bias, act_);
    fast_ = created ? std::move(*created) : nullptr;  // declined: the loops run
    if (fast_ != nullptr && weights_constant_)
      return from_dnnl(ctx, fast_->set_weights(w.values<float>().data()));
    return {};
  }

  Flavor flavor_;
  bool hybrid_ = false;
  bool asymmetric_ = false;
  tfl::ActivationFunctionType activation_ = tfl::ActivationFunctionType::NONE;
  ActivationRange act_;
  int batches_ = 0;
  int features_ = 0;
  int units_ = 0;
  std::vector<float> scales_;
  bool built_ = false;
  bool fast_bias_ = false;
  bool weights_constant_ = false;
  std::array<int, 3> fast_key_{};
  std::unique_ptr<DnnlInnerProduct> fast_;
};

// ---------------------------------------------------------------------------
// BATCH_MATMUL

std::array<int32_t, 5> extend_to_rank5(const Shape& shape) {
  std::array<int32_t, 5> out{1, 1, 1, 1, 1};
  std::copy(shape.begin(), shape.end(), out.end() - static_cast<std::ptrdiff_t>(shape.size()));
  return out;
}

class BatchMatMulKernel final : public Kernel {
 public:
  explicit BatchMatMulKernel(Flavor flavor) : flavor_(flavor) {}

  Status prepare(OpContext& ctx) override {
    auto lhs_in = required_input(ctx, kLhs);
    if (!lhs_in) return tl::unexpected(lhs_in.error());
    auto rhs_in = required_input(ctx, kRhs);
    if (!rhs_in) return tl::unexpected(rhs_in.error());
    const Tensor& lhs = **lhs_in;
    const Tensor& rhs = **rhs_in;
    if (ctx.output_count() != 1) return ctx.error(cat("has ", ctx.output_count(), " outputs, expected 1"));
    QS_TRY(expect_type(ctx, lhs, TensorType::FLOAT32));
    QS_TRY(expect_type(ctx, ctx.output(kOutput), TensorType::FLOAT32));
    hybrid_ = is_hybrid(lhs, rhs);
    if (!hybrid_) QS_TRY(expect_type(ctx, rhs, TensorType::FLOAT32));
    for (const Tensor* t : {&lhs, &rhs}) {
      if (t->rank() < 2 || t->rank() > 5) {
        return ctx.error(cat("tensor ", t->index, " '", t->name, "' has shape ",
                             format::shape_string(t->shape), ", expected rank 2 to 5"));
      }
    }
    const auto& o = options_or_default<tfl::BatchMatMulOptionsT>(ctx);
    asymmetric_ = o.asymmetric_quantize_inputs;
    reference::BatchMatMulShape s;
    s.lhs = extend_to_rank5(lhs.shape);
    s.rhs = extend_to_rank5(rhs.shape);
    s.adj_x = o.adj_x;
    s.adj_y = o.adj_y;
    const std::string operands =
        cat("lhs ", lhs.index, " '", lhs.name, "' ", format::shape_string(lhs.shape), " and rhs ", rhs.index,
            " '", rhs.name, "' ", format::shape_string(rhs.shape));
    for (size_t i = 0; i < 3; ++i) {
      if (s.lhs[i] != s.rhs[i] && s.lhs[i] != 1 && s.rhs[i] != 1) {
        return ctx.error(cat(operands, " have batch dimensions that do not broadcast"));
      }
    }
    const int rhs_depth = s.adj_y ? s.rhs[4] : s.rhs[3];
    if (s.depth() != rhs_depth) {
      return ctx.error(cat(operands, " do not multiply (adj_x ", s.adj_x, ", adj_y ", s.adj_y, ")"));
    }
    const int out_rank = std::max(lhs.rank(), rhs.rank());
    const Shape full{s.batch(0), s.batch(1), s.batch(2), s.rows(), s.cols()};
    ctx.set_output_shape(kOutput, Shape(full.end() - out_rank, full.end()));

    if (hybrid_) {
      // Scales per output column: the rhs dimension that holds the columns.
      auto scales = hybrid_weight_scales(ctx, rhs, s.adj_y ? rhs.rank() - 2 : rhs.rank() - 1);
      if (!scales) return tl::unexpected(scales.error());
      scales_ = std::move(*scales);
    } else if (flavor_ == Flavor::kFast && !(built_ && s == shape_)) {
      auto created = DnnlMatMul::create(s);
      fast_ = created ? std::move(*created) : nullptr;  // declined: the loops run
      built_ = true;
    }
    shape_ = s;
    return {};
  }

  Status eval(OpContext& ctx) override {
    const Tensor& rhs = *ctx.input(kRhs);
    const float* lhs = ctx.input(kLhs)->values<float>().data();
    Tensor& out = ctx.output(kOutput);
    if (out.elements() == 0) return {};
    float* y = out.mutable_values<float>().data();
    if (hybrid_) {
      hybrid::batch_matmul(shape_, lhs, rhs.values<int8_t>().data(), scales_, asymmetric_, y);
      return {};
    }
    if (flavor_ == Flavor::kFast && fast_ != nullptr)
      return from_dnnl(ctx, fast_->run(lhs, rhs.values<float>().data(), y));
    reference::batch_matmul(shape_, lhs, rhs.values<float>().data(), y);
    return {};
  }

 private:
  Flavor flavor_;
  bool hybrid_ = false;
  bool asymmetric_ = false;
  reference::BatchMatMulShape shape_;
  std::vector<float> scales_;
  bool built_ = false;
  std::unique_ptr<DnnlMatMul> fast_;
};

template <class K>
void add_both_flavors(KernelRegistry& registry, BuiltinOp op) {
  registry.add(op, Domain::kPlain, Flavor::kFast, [] { return std::make_unique<K>(Flavor::kFast); });
  registry.add(op, Domain::kPlain, Flavor::kReference,
               [] { return std::make_unique<K>(Flavor::kReference); });
}

#undef QS_TRY

}  // namespace

void register_matmul(KernelRegistry& registry) {
  add_both_flavors<FullyConnectedKernel>(registry, BuiltinOp::FULLY_CONNECTED);
  add_both_flavors<BatchMatMulKernel>(registry, BuiltinOp::BATCH_MATMUL);
}

}  // namespace qs::runtime::kernels
