// DEQUANTIZE (to FLOAT32, in float models: float16 and integer weights) and
// QUANTIZE (FLOAT32 to a quantized integer tensor).
//
//   dequantize: real = scale · (q − zero_point)
//   quantize:   q = clamp(round(real / scale) + zero_point, type range)
//
// with one (scale, zero point) per tensor, or one per index of
// `quantized_dimension` (per channel). QUANTIZE divides in float and rounds
// half away from zero, as TFLite's AffineQuantize / PerChannelQuantize
// (TfLiteRound is std::round). Requantizing an integer tensor to another
// scale is a quantized kernel's job, not done here.

#include <array>
#include <cmath>
#include <limits>

#include "inspect/tensor_stats.h"
#include "runtime/kernels/kernel_util.h"
#include "runtime/kernels/kernels.h"

namespace qs::runtime::kernels {
namespace {

using format::BuiltinOp;

constexpr int kInput = 0;
constexpr int kOutput = 0;

Status expect_counts(const OpContext& ctx) {
  if (ctx.input_count() != 1 || ctx.input(kInput) == nullptr) {
    return ctx.error(cat("expects 1 input, has ", ctx.input_count()));
  }
  if (ctx.output_count() != 1) return ctx.error(cat("expects 1 output, has ", ctx.output_count()));
  return {};
}

std::string label(const Tensor& t) { return cat("tensor ", t.index, " '", t.name, "'"); }

// A tensor's scales and zero points, one per channel along its quantized
// dimension (a single channel when quantized per tensor). Element i belongs
// to channel (i / inner) % channels.
struct ChannelParams {
  std::vector<float> scale;
  std::vector<int64_t> zero_point;
  int64_t inner = 1;
  int64_t channels = 1;

  size_t channel_of(int64_t i) const {
    return channels == 1 ? 0 : static_cast<size_t>((i / inner) % channels);
  }
};

Result<ChannelParams> channel_params(const OpContext& ctx, const Tensor& t) {
  const format::Quantization* q = t.quantization;
  if (q == nullptr || q->scale.empty()) return ctx.error(cat(label(t), " has no quantization scale"));
  ChannelParams p;
  p.scale = q->scale;
  if (q->per_channel()) {
    const int32_t dim = q->quantized_dimension;
    if (dim < 0 || dim >= t.rank()) {
      return ctx.error(
          cat(label(t), " of shape ", format::shape_string(t.shape), " is quantized along dimension ", dim));
    }
    if (t.dim(dim) != static_cast<int32_t>(q->scale.size())) {
      return ctx.error(
          cat(label(t), " has ", q->scale.size(), " scales for dimension ", dim, " of size ", t.dim(dim)));
    }
    p.channels = t.dim(dim);
    for (int d = dim + 1; d < t.rank(); ++d) p.inner *= t.dim(d);
  }
  const size_t n = p.scale.size();
  if (q->zero_point.size() == n) {
    p.zero_point = q->zero_point;
  } else if (q->zero_point.size() <= 1) {
    // One zero point for every channel (TFLite repeats the first); none
    // means 0.
    p.zero_point.assign(n, q->zero_point.empty() ? 0 : q->zero_point[0]);
  } else {
    return ctx.error(cat(label(t), " has ", n, " scales but ", q->zero_point.size(), " zero points"));
  }
  return p;
}

// DEQUANTIZE -------------------------------------------------------------------

bool is_float_storage(TensorType type) { return type == TensorType::FLOAT16 || type == TensorType::BFLOAT16; }

bool is_integer_storage(TensorType type) {
  switch (type) {
    case TensorType::INT8:
    case TensorType::UINT8:
    case TensorType::INT16:
    case TensorType::UINT16:
    case TensorType::INT4:
    case TensorType::UINT4:
    case TensorType::INT2:
      return true;
    default:
      return false;
  }
}

Status prepare_dequantize(OpContext& ctx) {
  if (auto s = expect_counts(ctx); !s) return s;
  const Tensor& x = *ctx.input(kInput);
  if (!is_float_storage(x.type) && !is_integer_storage(x.type)) {
    return ctx.error(cat(label(x), " is ", format::type_name(x.type),
                         "; supported: FLOAT16, BFLOAT16, INT8, UINT8, INT16, UINT16, INT4, UINT4, INT2"));
  }
  if (is_integer_storage(x.type)) {
    if (auto p = channel_params(ctx, x); !p) return tl::unexpected(p.error());
  }
  if (auto s = expect_type(ctx, ctx.output(kOutput), TensorType::FLOAT32); !s) return s;
  ctx.set_output_shape(kOutput, x.shape);
  return {};
}

// Decodes the stored elements in chunks (inspect's decoder knows every
// storage type, packed 4- and 2-bit integers included) and applies the
// channel's scale and zero point in float, as TFLite does. Integer codes
// are exact in float, so the product is TFLite's to the last bit.
Status eval_dequantize(OpContext& ctx) {
  const Tensor& x = *ctx.input(kInput);
  float* out = ctx.output(kOutput).mutable_values<float>().data();
  const bool integer = is_integer_storage(x.type);
  ChannelParams p;
  if (integer) {
    auto params = channel_params(ctx, x);
    if (!params) return tl::unexpected(params.error());
    p = std::move(*params);
  }
  const std::span<const uint8_t> bytes(reinterpret_cast<const uint8_t*>(x.data), x.bytes);
  constexpr size_t kChunk = 512;
  std::array<double, kChunk> decoded{};
  const auto n = static_cast<uint64_t>(x.elements());
  for (uint64_t first = 0; first < n; first += kChunk) {
    const size_t count = static_cast<size_t>(std::min<uint64_t>(kChunk, n - first));
    if (auto s = inspect::decode_elements(x.type, bytes, first, std::span<double>(decoded.data(), count));
        !s) {
      return ctx.error(cat(label(x), ": ", s.error().message));
    }
    for (size_t k = 0; k < count; ++k) {
      const auto i = static_cast<int64_t>(first + k);
      if (integer) {
        const size_t c = p.channel_of(i);
        const auto code = static_cast<int64_t>(decoded[k]);
        out[i] = p.scale[c] * static_cast<float>(code - p.zero_point[c]);
      } else {
        out[i] = static_cast<float>(decoded[k]);
      }
    }
  }
  return {};
}

// QUANTIZE ------------------------------------------------------------------------

template <class T>
T quantize_value(float real, float scale, int64_t zero_point) {
  constexpr auto kLow = static_cast<double>(std::numeric_limits<T>::lowest());
  constexpr auto kHigh = static_cast<double>(std::numeric_limits<T>::max());
  // NaN becomes the lowest code, as TFLite's float-to-int32 conversion
  // gives on x86; values beyond int32 saturate here (TFLite leaves those
  // undefined).
  const float rounded = std::round(real / scale);
  if (std::isnan(rounded)) return std::numeric_limits<T>::lowest();
  const double q = static_cast<double>(rounded) + static_cast<double>(zero_point);
  return static_cast<T>(std::min(std::max(q, kLow), kHigh));
}

template <class T>
void quantize_all(const float* in, T* out, int64_t n, const ChannelParams& p) {
  if (p.channels == 1) {
    const float scale = p.scale[0];
    const int64_t zero_point = p.zero_point[0];
    for (int64_t i = 0; i < n; ++i) out[i] = quantize_value<T>(in[i], scale, zero_point);
    return;
  }
  for (int64_t i = 0; i < n; ++i) {
    const size_t c = p.channel_of(i);
    out[i] = quantize_value<T>(in[i], p.scale[c], p.zero_point[c]);
  }
}

Status prepare_quantize(OpContext& ctx) {
  if (auto s = expect_counts(ctx); !s) return s;
  const Tensor& x = *ctx.input(kInput);
  Tensor& y = ctx.output(kOutput);
  if (x.type != TensorType::FLOAT32) {
    return ctx.error(cat(label(x), " is ", format::type_name(x.type),
                         "; only FLOAT32 input is supported (requantizing integers is not)"));
  }
  if (y.type != TensorType::INT8 && y.type != TensorType::UINT8 && y.type != TensorType::INT16) {
    return ctx.error(cat(label(y), " is ", format::type_name(y.type), "; supported: INT8, UINT8, INT16"));
  }
  ctx.set_output_shape(kOutput, x.shape);
  if (auto p = channel_params(ctx, y); !p) return tl::unexpected(p.error());
  return {};
}

Status eval_quantize(OpContext& ctx) {
  const Tensor& x = *ctx.input(kInput);
  Tensor& y = ctx.output(kOutput);
  auto p = channel_params(ctx, y);
  if (!p) return tl::unexpected(p.error());
  const float* in = x.values<float>().data();
  const int64_t n = x.elements();
  switch (y.type) {
    case TensorType::INT8:
      quantize_all(in, y.mutable_values<int8_t>().data(), n, *p);
      break;
    case TensorType::UINT8:
      quantize_all(in, y.mutable_values<uint8_t>().data(), n, *p);
      break;
    case TensorType::INT16:
      quantize_all(in, y.mutable_values<int16_t>().data(), n, *p);
      break;
    default:
      return ctx.error(cat(label(y), " is ", format::type_name(y.type), "; supported: INT8, UINT8, INT16"));
  }
  return {};
}

}  // namespace

void register_quantization(KernelRegistry& registry) {
  registry.add(BuiltinOp::DEQUANTIZE, Domain::kPlain, make_kernel(prepare_dequantize, eval_dequantize));
  // QUANTIZE's output is a quantized tensor, so the interpreter looks for it
  // among quantized kernels.
  registry.add(BuiltinOp::QUANTIZE, Domain::kQuantized, make_kernel(prepare_quantize, eval_quantize));
}

}  // namespace qs::runtime::kernels
