// FULLY_CONNECTED on int8 and uint8 tensors, as TFLite's reference
// kernels compute it (reference_integer_ops::FullyConnected for int8 with
// per-tensor or per-channel filters, reference_ops::FullyConnected for
// uint8): int32 accumulation of (x − x_zp)(w − w_zp) plus the int32 bias,
// rescaled by s_x·s_w/s_y with TFLite's fixed-point multiplier, plus y_zp,
// clamped to the fused activation. Bit for bit the reference; XNNPACK
// (LiteRT.js) rounds through float and may differ by a few steps.

#include <algorithm>
#include <vector>

#include "format/op_options.h"
#include "runtime/kernels/integer_math.h"
#include "runtime/kernels/kernel_util.h"
#include "runtime/kernels/kernels.h"

namespace qs::runtime::kernels {
namespace {

using format::BuiltinOp;

constexpr int kInput = 0;
constexpr int kWeights = 1;
constexpr int kBias = 2;
constexpr int kOutput = 0;

std::string label(const Tensor& t) { return cat("tensor ", t.index, " '", t.name, "'"); }

Result<float> single_scale(const OpContext& ctx, const Tensor& t, int64_t* zero_point) {
  const format::Quantization* q = t.quantization;
  if (q == nullptr || q->scale.size() != 1) return ctx.error(cat(label(t), " needs one quantization scale"));
  *zero_point = q->zero_point.empty() ? 0 : q->zero_point[0];
  return q->scale[0];
}

class IntegerFullyConnected final : public Kernel {
 public:
  Status prepare(OpContext& ctx) override {
    auto input = required_input(ctx, kInput);
    if (!input) return tl::unexpected(input.error());
    auto weights = required_input(ctx, kWeights);
    if (!weights) return tl::unexpected(weights.error());
    const Tensor& x = **input;
    const Tensor& w = **weights;
    const Tensor* bias = ctx.input(kBias);
    if (ctx.output_count() != 1) return ctx.error(cat("has ", ctx.output_count(), " outputs, expected 1"));
    Tensor& y = ctx.output(kOutput);
    uint8_ = x.type == TensorType::UINT8;
    if (x.type != TensorType::INT8 && !uint8_) {
      return ctx.error(cat(label(x), " is ", format::type_name(x.type), "; this kernel takes INT8 or UINT8"));
    }
    if (auto s = expect_type(ctx, w, x.type); !s) return s;
    if (auto s = expect_type(ctx, y, x.type); !s) return s;
    if (auto s = expect_rank(ctx, w, 2); !s) return s;
    if (bias != nullptr) {
      if (auto s = expect_type(ctx, *bias, TensorType::INT32); !s) return s;
    }
    const auto& o = options_or_default<tfl::FullyConnectedOptionsT>(ctx);
    if (o.weights_format != tfl::FullyConnectedOptionsWeightsFormat::DEFAULT)
      return ctx.error("only the default weights format is supported");

    units_ = w.dim(0);
    features_ = w.dim(1);
    if (bias != nullptr && bias->elements() != units_)
      return ctx.error(cat("bias ", label(*bias), " has ", bias->elements(), " values, expected ", units_));
    if (features_ <= 0 || x.elements() % features_ != 0)
      return ctx.error(cat(label(x), " does not divide into rows of ", features_, " features"));
    batches_ = static_cast<int>(x.elements() / features_);
    Shape shape{batches_, units_};
    if (o.keep_num_dims) {
      shape = x.shape;
      shape.back() = units_;
    }
    ctx.set_output_shape(kOutput, std::move(shape));

    int64_t zp = 0;
    auto s_x = single_scale(ctx, x, &zp);
    if (!s_x) return tl::unexpected(s_x.error());
    x_offset_ = static_cast<int32_t>(-zp);
    auto s_y = single_scale(ctx, y, &zp);
    if (!s_y) return tl::unexpected(s_y.error());
    y_offset_ = static_cast<int32_t>(zp);
    const format::Quantization* wq = w.quantization;
    if (wq == nullptr || wq->scale.empty()) return ctx.error(cat(label(w), " has no quantization scale"));
    if (wq->scale.size() != 1 && static_cast<int>(wq->scale.size()) != units_)
      return ctx.error(cat(label(w), " has ", wq->scale.size(), " scales for ", units_, " output units"));
    if (uint8_ && wq->scale.size() != 1) return ctx.error("uint8 filters have one scale");
    w_offset_ = static_cast<int32_t>(wq->zero_point.empty() ? 0 : -wq->zero_point[0]);
    if (!uint8_) {
      for (int64_t z : wq->zero_point)
        if (z != 0) return ctx.error(cat(label(w), ": int8 filters need zero point 0, has ", z));
    }
    multipliers_.clear();
    for (float s_w : wq->scale) {
      multipliers_.push_back(
          integer::quantize_multiplier(static_cast<double>(*s_x) * static_cast<double>(s_w) / *s_y));
    }
    const int32_t qmin = uint8_ ? 0 : -128;
    const int32_t qmax = uint8_ ? 255 : 127;
    const auto range = integer::activation_range(o.fused_activation_function, *s_y, y_offset_, qmin, qmax);
    if (!range) return ctx.error("the fused activation is not a clamp");
    range_ = *range;
    return {};
  }

  Status eval(OpContext& ctx) override {
    const Tensor& x = *ctx.input(kInput);
    const Tensor& w = *ctx.input(kWeights);
    const Tensor* bias_t = ctx.input(kBias);
    const int32_t* bias = bias_t != nullptr ? bias_t->values<int32_t>().data() : nullptr;
    Tensor& y = ctx.output(kOutput);
    if (uint8_) {
      run(x.values<uint8_t>().data(), w.values<uint8_t>().data(), bias, y.mutable_values<uint8_t>().data());
    } else {
      run(x.values<int8_t>().data(), w.values<int8_t>().data(), bias, y.mutable_values<int8_t>().data());
    }
    return {};
  }

 private:
  template <class T>
  void run(const T* x, const T* w, const int32_t* bias, T* y) const {
    for (int b = 0; b < batches_; ++b) {
      const T* row = x + static_cast<size_t>(b) * static_cast<size_t>(features_);
      for (int u = 0; u < units_; ++u) {
        const T* filter = w + static_cast<size_t>(u) * static_cast<size_t>(features_);
        int32_t acc = 0;
        for (int k = 0; k < features_; ++k) {
          acc += (static_cast<int32_t>(row[k]) + x_offset_) * (static_cast<int32_t>(filter[k]) + w_offset_);
        }
        if (bias != nullptr) acc += bias[u];
        const auto& m = multipliers_[multipliers_.size() == 1 ? 0 : static_cast<size_t>(u)];
        int32_t out = integer::multiply_by_quantized_multiplier(acc, m) + y_offset_;
        out = std::clamp(out, range_.low, range_.high);
        y[static_cast<size_t>(b) * static_cast<size_t>(units_) + static_cast<size_t>(u)] = static_cast<T>(out);
      }
    }
  }

  bool uint8_ = false;
  int batches_ = 0;
  int units_ = 0;
  int features_ = 0;
  int32_t x_offset_ = 0;
  int32_t w_offset_ = 0;
  int32_t y_offset_ = 0;
  std::vector<integer::Multiplier> multipliers_;
  integer::QuantizedRange range_;
};

}  // namespace

void register_integer_matmul(KernelRegistry& registry) {
  registry.add(BuiltinOp::FULLY_CONNECTED, Domain::kQuantized,
               [] { return std::make_unique<IntegerFullyConnected>(); });
}

}  // namespace qs::runtime::kernels
