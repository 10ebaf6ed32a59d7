// CONV_2D, DEPTHWISE_CONV_2D, TRANSPOSE_CONV, MAX_POOL_2D, AVERAGE_POOL_2D,
// L2_POOL_2D on NHWC float tensors.
//
// Fast flavour: oneDNN primitives built in prepare (weights reordered once
// when constant), run on the calling thread; when oneDNN declines a shape
// the reference loops run instead. Reference flavour: the loops of
// reference_conv.h. Hybrid CONV_2D / DEPTHWISE_CONV_2D (float input, int8
// weights) use hybrid_ops.h in both flavours.

#include <algorithm>
#include <limits>
#include <memory>

#include "runtime/kernels/conv_activation.h"
#include "runtime/kernels/conv_geometry.h"
#include "runtime/kernels/dnnl_primitives.h"
#include "runtime/kernels/hybrid_ops.h"
#include "runtime/kernels/hybrid_weights.h"
#include "runtime/kernels/kernel_util.h"
#include "runtime/kernels/kernels.h"
#include "runtime/kernels/reference_conv.h"

namespace qs::runtime::kernels {
namespace {

using format::BuiltinOp;
using reference::PoolKind;

// Tensor positions.
constexpr int kConvInput = 0;
constexpr int kConvFilter = 1;
constexpr int kConvBias = 2;
constexpr int kTransposeOutputShape = 0;
constexpr int kTransposeFilter = 1;
constexpr int kTransposeInput = 2;
constexpr int kTransposeBias = 3;
constexpr int kPoolInput = 0;
constexpr int kOutput = 0;

#define QS_TRY(expr)                             \
  do {                                           \
    if (auto qs_status_ = (expr); !qs_status_) { \
      return tl::unexpected(qs_status_.error()); \
    }                                            \
  } while (false)

PaddingKind padding_kind(tfl::Padding p) {
  return p == tfl::Padding::VALID ? PaddingKind::kValid : PaddingKind::kSame;
}

// The options every windowed op shares, from whichever options table it has.
struct WindowOptions {
  PaddingKind padding = PaddingKind::kSame;
  int stride_h = 0;
  int stride_w = 0;
  int dilation_h = 1;
  int dilation_w = 1;
  tfl::ActivationFunctionType activation = tfl::ActivationFunctionType::NONE;
};

WindowOptions conv_options(const OpContext& ctx, ConvKind kind) {
  if (kind == ConvKind::kDepthwise) {
    // depth_multiplier is not read: like TFLite's float kernel, we derive it
    // from the shapes (filter channels / input channels).
    const auto& o = options_or_default<tfl::DepthwiseConv2DOptionsT>(ctx);
    return {padding_kind(o.padding), o.stride_h,          o.stride_w,
            o.dilation_h_factor,     o.dilation_w_factor, o.fused_activation_function};
  }
  const auto& o = options_or_default<tfl::Conv2DOptionsT>(ctx);
  return {padding_kind(o.padding), o.stride_h,          o.stride_w,
          o.dilation_h_factor,     o.dilation_w_factor, o.fused_activation_function};
}

Status check_window(const OpContext& ctx, const WindowOptions& o) {
  if (o.stride_h <= 0 || o.stride_w <= 0) {
    return ctx.error(
        cat("strides must be positive, are ", o.stride_h, " (height) and ", o.stride_w, " (width)"));
  }
  if (o.dilation_h <= 0 || o.dilation_w <= 0) {
    return ctx.error(cat("dilation factors must be positive, are ", o.dilation_h, " (height) and ",
                         o.dilation_w, " (width)"));
  }
  return expect_clamp_activation(ctx, o.activation);
}

Status check_axes(const OpContext& ctx, const Tensor& input, const ConvGeometry& g) {
  if (g.h.filter <= 0 || g.w.filter <= 0) {
    return ctx.error(cat("the window is ", g.h.filter, "x", g.w.filter, ", must be at least 1x1"));
  }
  if (g.h.out < 0 || g.w.out < 0) {
    return ctx.error(cat("the window (", g.h.effective_filter(), "x", g.w.effective_filter(),
                         " after dilation) is larger than input ", input.index, " '", input.name,
                         "' of shape ", format::shape_string(input.shape), " with VALID padding"));
  }
  return {};
}

Status expect_one_float_output(const OpContext& ctx) {
  if (ctx.output_count() != 1) return ctx.error(cat("has ", ctx.output_count(), " outputs, expected 1"));
  return expect_type(ctx, ctx.output(kOutput), TensorType::FLOAT32);
}

Status check_bias(const OpContext& ctx, const Tensor* bias, int channels) {
  if (bias == nullptr) return {};
  QS_TRY(expect_type(ctx, *bias, TensorType::FLOAT32));
  if (bias->elements() != channels) {
    return ctx.error(cat("bias ", bias->index, " '", bias->name, "' has shape ",
                         format::shape_string(bias->shape), ", expected ", channels,
                         " values (one per output channel)"));
  }
  return {};
}

const float* float_data(const Tensor* t) { return t != nullptr ? t->values<float>().data() : nullptr; }

Status from_dnnl(const OpContext& ctx, Status s) {
  if (s) return s;
  return ctx.error(s.error().message);
}

// A oneDNN convolution kept across prepares and rebuilt only when the
// geometry changes (a resized input).
struct CachedConvolution {
  std::unique_ptr<DnnlConvolution> primitive;
  ConvGeometry geometry;
  bool has_bias = false;
  bool built = false;             // tried (primitive may be null: oneDNN declined)
  bool weights_constant = false;  // reordered once at build time

  // Builds (or keeps) the primitive; reorders constant weights now.
  Status ensure(const OpContext& ctx, ConvKind kind, const ConvGeometry& g, const Tensor& filter, bool bias,
                ActivationRange act) {
    if (built && geometry == g && has_bias == bias) return {};
    geometry = g;
    has_bias = bias;
    built = true;
    weights_constant = filter.is_constant();
    auto created = DnnlConvolution::create(kind, g, bias, act);
    primitive = created ? std::move(*created) : nullptr;  // declined: the loops run
    if (primitive != nullptr && weights_constant) {
      return from_dnnl(ctx, primitive->set_weights(filter.values<float>().data()));
    }
    return {};
  }

  bool usable() const { return primitive != nullptr; }

  Status run(const OpContext& ctx, const Tensor& filter, const float* input, const float* bias,
             float* output) {
    if (!weights_constant) QS_TRY(from_dnnl(ctx, primitive->set_weights(filter.values<float>().data())));
    return from_dnnl(ctx, primitive->run(input, bias, output));
  }
};

// ---------------------------------------------------------------------------
// CONV_2D and DEPTHWISE_CONV_2D

class ConvKernel final : public Kernel {
 public:
  ConvKernel(ConvKind kind, Flavor flavor) : kind_(kind), flavor_(flavor) {}

  Status prepare(OpContext& ctx) override {
    auto input = required_input(ctx, kConvInput);
    if (!input) return tl::unexpected(input.error());
    auto filter = required_input(ctx, kConvFilter);
    if (!filter) return tl::unexpected(filter.error());
    const Tensor& in = **input;
    const Tensor& f = **filter;
    const Tensor* bias = ctx.input(kConvBias);
    QS_TRY(expect_type(ctx, in, TensorType::FLOAT32));
    QS_TRY(expect_one_float_output(ctx));
    QS_TRY(expect_rank(ctx, in, 4));
    QS_TRY(expect_rank(ctx, f, 4));
    hybrid_ = is_hybrid(in, f);
    if (!hybrid_) QS_TRY(expect_type(ctx, f, TensorType::FLOAT32));

    const WindowOptions o = conv_options(ctx, kind_);
    QS_TRY(check_window(ctx, o));
    act_ = tflite_activation_range(o.activation);
    auto g = geometry(ctx, in, f, o);
    if (!g) return tl::unexpected(g.error());
    geom_ = *g;
    QS_TRY(check_bias(ctx, bias, geom_.out_channels));
    ctx.set_output_shape(kOutput, {geom_.batch, geom_.h.out, geom_.w.out, geom_.out_channels});

    if (hybrid_) return prepare_hybrid(ctx, f);
    if (flavor_ == Flavor::kFast) return fast_.ensure(ctx, kind_, geom_, f, bias != nullptr, act_);
    return {};
  }

  Status eval(OpContext& ctx) override {
    const Tensor& in = *ctx.input(kConvInput);
    const Tensor& f = *ctx.input(kConvFilter);
    const float* bias = float_data(ctx.input(kConvBias));
    Tensor& out = ctx.output(kOutput);
    if (out.elements() == 0) return {};
    const float* x = in.values<float>().data();
    float* y = out.mutable_values<float>().data();
    if (hybrid_) {
      const int8_t* w = f.values<int8_t>().data();
      if (kind_ == ConvKind::kDepthwise) {
        hybrid::depthwise_conv2d(geom_, x, w, scales_, bias, act_, y);
      } else if (hybrid_per_channel_) {
        hybrid::conv2d_per_channel(geom_, x, w, scales_, bias, act_, y);
      } else {
        hybrid::conv2d_per_tensor(geom_, x, w, scales_[0], bias, act_, y);
      }
      return {};
    }
    if (flavor_ == Flavor::kFast && fast_.usable()) return fast_.run(ctx, f, x, bias, y);
    const float* w = f.values<float>().data();
    if (kind_ == ConvKind::kDepthwise) {
      reference::depthwise_conv2d(geom_, x, w, bias, act_, y);
    } else {
      reference::conv2d(geom_, x, w, bias, act_, y);
    }
    return {};
  }

 private:
  Result<ConvGeometry> geometry(const OpContext& ctx, const Tensor& in, const Tensor& f,
                                const WindowOptions& o) const {
    ConvGeometry g;
    g.batch = in.dim(0);
    g.in_channels = in.dim(3);
    const std::string filter_name =
        cat("filter ", f.index, " '", f.name, "' of shape ", format::shape_string(f.shape));
    if (kind_ == ConvKind::kConv) {
      // A filter with fewer input channels than the input is a grouped
      // convolution (TFLite conv.cc: groups = input / filter channels).
      const int filter_in = f.dim(3);
      if (filter_in <= 0 || g.in_channels % filter_in != 0) {
        return ctx.error(cat("input ", in.index, " '", in.name, "' has ", g.in_channels,
                             " channels, not a multiple of ", filter_name, "'s ", filter_in,
                             " input channels"));
      }
      g.groups = g.in_channels / filter_in;
      g.out_channels = f.dim(0);
      if (g.out_channels % g.groups != 0) {
        return ctx.error(cat(filter_name, " has ", g.out_channels, " output channels, not a multiple of the ",
                             g.groups, " groups"));
      }
    } else {
      if (f.dim(0) != 1) return ctx.error(cat(filter_name, " must have 1 as its first dimension"));
      g.out_channels = f.dim(3);
      if (g.in_channels <= 0 || g.out_channels % g.in_channels != 0) {
        return ctx.error(cat(filter_name, " has ", g.out_channels, " channels, not a multiple of input ",
                             in.index, " '", in.name, "''s ", g.in_channels, " channels"));
      }
      g.groups = g.in_channels;
      g.depth_multiplier = g.out_channels / g.in_channels;
    }
    g.h = conv_axis(o.padding, in.dim(1), f.dim(1), o.stride_h, o.dilation_h);
    g.w = conv_axis(o.padding, in.dim(2), f.dim(2), o.stride_w, o.dilation_w);
    QS_TRY(check_axes(ctx, in, g));
    return g;
  }

  Status prepare_hybrid(const OpContext& ctx, const Tensor& f) {
    auto scales = hybrid_weight_scales(ctx, f, kind_ == ConvKind::kDepthwise ? 3 : 0);
    if (!scales) return tl::unexpected(scales.error());
    scales_ = std::move(*scales);
    // TFLite's conv.cc takes the per-channel path only when the scales
    // differ (or the convolution is grouped); equal scales run per tensor.
    hybrid_per_channel_ = geom_.groups != 1 || std::any_of(scales_.begin(), scales_.end(),
                                                           [&](float s) { return s != scales_[0]; });
    // The per-channel kernels index a scale per output channel.
    if (kind_ == ConvKind::kDepthwise || hybrid_per_channel_) {
      if (scales_.size() == 1) scales_.assign(static_cast<size_t>(geom_.out_channels), scales_[0]);
    }
    return {};
  }

  ConvKind kind_;
  Flavor flavor_;
  ConvGeometry geom_;
  ActivationRange act_;
  bool hybrid_ = false;
  bool hybrid_per_channel_ = false;
  std::vector<float> scales_;
  CachedConvolution fast_;
};

// ---------------------------------------------------------------------------
// TRANSPOSE_CONV

class TransposeConvKernel final : public Kernel {
 public:
  explicit TransposeConvKernel(Flavor flavor) : flavor_(flavor) {}

  Status prepare(OpContext& ctx) override {
    auto shape_input = required_input(ctx, kTransposeOutputShape);
    if (!shape_input) return tl::unexpected(shape_input.error());
    auto filter = required_input(ctx, kTransposeFilter);
    if (!filter) return tl::unexpected(filter.error());
    auto input = required_input(ctx, kTransposeInput);
    if (!input) return tl::unexpected(input.error());
    const Tensor& shape_t = **shape_input;
    const Tensor& f = **filter;
    const Tensor& in = **input;
    const Tensor* bias = ctx.input(kTransposeBias);
    QS_TRY(expect_type(ctx, in, TensorType::FLOAT32));
    QS_TRY(expect_one_float_output(ctx));
    if (f.type == TensorType::INT8) {
      return ctx.error(
          cat("filter ", f.index, " '", f.name, "' is INT8: hybrid TRANSPOSE_CONV is not supported"));
    }
    QS_TRY(expect_type(ctx, f, TensorType::FLOAT32));
    QS_TRY(expect_type(ctx, shape_t, TensorType::INT32));
    QS_TRY(expect_rank(ctx, shape_t, 1));
    QS_TRY(expect_rank(ctx, in, 4));
    QS_TRY(expect_rank(ctx, f, 4));
    if (shape_t.elements() != 4) {
      return ctx.error(cat("output shape ", shape_t.index, " '", shape_t.name, "' has ", shape_t.elements(),
                           " values, expected 4"));
    }
    if (in.dim(3) != f.dim(3)) {
      return ctx.error(cat("input ", in.index, " '", in.name, "' has ", in.dim(3), " channels but filter ",
                           f.index, " '", f.name, "' of shape ", format::shape_string(f.shape), " expects ",
                           f.dim(3)));
    }
    QS_TRY(check_bias(ctx, bias, f.dim(0)));
    const auto& o = options_or_default<tfl::TransposeConvOptionsT>(ctx);
    const WindowOptions window{padding_kind(o.padding),    o.stride_h, o.stride_w, 1, 1,
                               o.fused_activation_function};
    QS_TRY(check_window(ctx, window));
    act_ = tflite_activation_range(o.fused_activation_function);

    // The output shape is data: with a computed shape tensor it is known
    // only when running.
    if (!ctx.values_known(shape_t)) {
      ctx.mark_output_dynamic(kOutput);
      return {};
    }
    const std::span<const int32_t> s = shape_t.values<int32_t>();
    const Shape out_shape(s.begin(), s.end());
    if (out_shape[0] != in.dim(0) || out_shape[3] != f.dim(0) || out_shape[1] < 0 || out_shape[2] < 0) {
      return ctx.error(cat("output shape ", format::shape_string(out_shape), " does not fit input ", in.index,
                           " '", in.name, "' ", format::shape_string(in.shape), " and filter ", f.index, " '",
                           f.name, "' ", format::shape_string(f.shape), " (batch and channels must match)"));
    }
    if (f.dim(1) <= 0 || f.dim(2) <= 0) return ctx.error("the filter must be at least 1x1");
    // The scatter's positions (input index * stride + filter tap) must fit
    // an int.
    for (int axis = 1; axis <= 2; ++axis) {
      const int stride = axis == 1 ? window.stride_h : window.stride_w;
      if ((int64_t{in.dim(axis)} - 1) * stride + f.dim(axis) > std::numeric_limits<int>::max()) {
        return ctx.error(cat("stride ", stride, " is too large for input ", in.index, " '", in.name, "' ",
                             format::shape_string(in.shape)));
      }
    }
    ConvGeometry g;
    g.batch = in.dim(0);
    g.in_channels = in.dim(3);
    g.out_channels = f.dim(0);
    g.h = transpose_conv_axis(window.padding, in.dim(1), f.dim(1), window.stride_h, out_shape[1]);
    g.w = transpose_conv_axis(window.padding, in.dim(2), f.dim(2), window.stride_w, out_shape[2]);
    geom_ = g;
    ctx.set_output_shape(kOutput, out_shape);
    if (flavor_ == Flavor::kFast)
      return fast_.ensure(ctx, ConvKind::kTranspose, geom_, f, bias != nullptr, act_);
    return {};
  }

  Status eval(OpContext& ctx) override {
    const Tensor& f = *ctx.input(kTransposeFilter);
    const float* x = ctx.input(kTransposeInput)->values<float>().data();
    const float* bias = float_data(ctx.input(kTransposeBias));
    Tensor& out = ctx.output(kOutput);
    if (out.elements() == 0) return {};
    float* y = out.mutable_values<float>().data();
    if (flavor_ == Flavor::kFast && fast_.usable()) return fast_.run(ctx, f, x, bias, y);
    reference::transpose_conv2d(geom_, x, f.values<float>().data(), bias, act_, y);
    return {};
  }

 private:
  Flavor flavor_;
  ConvGeometry geom_;
  ActivationRange act_;
  CachedConvolution fast_;
};

// ---------------------------------------------------------------------------
// Pools

class PoolKernel final : public Kernel {
 public:
  PoolKernel(PoolKind kind, Flavor flavor) : kind_(kind), flavor_(flavor) {}

  Status prepare(OpContext& ctx) override {
    auto input = required_input(ctx, kPoolInput);
    if (!input) return tl::unexpected(input.error());
    const Tensor& in = **input;
    QS_TRY(expect_type(ctx, in, TensorType::FLOAT32));
    QS_TRY(expect_one_float_output(ctx));
    QS_TRY(expect_rank(ctx, in, 4));
    const auto& o = options_or_default<tfl::Pool2DOptionsT>(ctx);
    const WindowOptions window{padding_kind(o.padding),    o.stride_h, o.stride_w, 1, 1,
                               o.fused_activation_function};
    QS_TRY(check_window(ctx, window));
    act_ = tflite_activation_range(o.fused_activation_function);
    ConvGeometry g;
    g.batch = in.dim(0);
    g.in_channels = g.out_channels = in.dim(3);
    g.groups = g.in_channels;
    g.h = conv_axis(window.padding, in.dim(1), o.filter_height, o.stride_h, 1);
    g.w = conv_axis(window.padding, in.dim(2), o.filter_width, o.stride_w, 1);
    QS_TRY(check_axes(ctx, in, g));
    ctx.set_output_shape(kOutput, {g.batch, g.h.out, g.w.out, g.out_channels});
    if (flavor_ == Flavor::kFast && kind_ != PoolKind::kL2 && !(built_ && g == geom_)) {
      auto created = DnnlPooling::create(kind_, g);
      dnnl_ = created ? std::move(*created) : nullptr;
      built_ = true;
    }
    geom_ = g;
    return {};
  }

  Status eval(OpContext& ctx) override {
    const float* x = ctx.input(kPoolInput)->values<float>().data();
    Tensor& out = ctx.output(kOutput);
    if (out.elements() == 0) return {};
    const std::span<float> y = out.mutable_values<float>();
    if (flavor_ == Flavor::kFast && dnnl_ != nullptr) {
      QS_TRY(from_dnnl(ctx, dnnl_->run(x, y.data())));
      clamp_in_place(y, act_);
      return {};
    }
    if (!reference::pool2d(kind_, geom_, x, act_, y.data())) {
      return ctx.error("a pooling window lies entirely in the padding");
    }
    return {};
  }

 private:
  PoolKind kind_;
  Flavor flavor_;
  ConvGeometry geom_;
  ActivationRange act_;
  bool built_ = false;
  std::unique_ptr<DnnlPooling> dnnl_;
};

template <class K, class... Args>
void add_both_flavors(KernelRegistry& registry, BuiltinOp op, Args... args) {
  registry.add(op, Domain::kPlain, Flavor::kFast,
               [=] { return std::make_unique<K>(args..., Flavor::kFast); });
  registry.add(op, Domain::kPlain, Flavor::kReference,
               [=] { return std::make_unique<K>(args..., Flavor::kReference); });
}

#undef QS_TRY

}  // namespace

void register_convolutions(KernelRegistry& registry) {
  add_both_flavors<ConvKernel>(registry, BuiltinOp::CONV_2D, ConvKind::kConv);
  add_both_flavors<ConvKernel>(registry, BuiltinOp::DEPTHWISE_CONV_2D, ConvKind::kDepthwise);
  add_both_flavors<TransposeConvKernel>(registry, BuiltinOp::TRANSPOSE_CONV);
  add_both_flavors<PoolKernel>(registry, BuiltinOp::MAX_POOL_2D, PoolKind::kMax);
  add_both_flavors<PoolKernel>(registry, BuiltinOp::AVERAGE_POOL_2D, PoolKind::kAverage);
  // L2 pooling has no oneDNN primitive: its loops serve both flavours.
  registry.add(BuiltinOp::L2_POOL_2D, Domain::kPlain,
               [] { return std::make_unique<PoolKernel>(PoolKind::kL2, Flavor::kReference); });
}

}  // namespace qs::runtime::kernels
