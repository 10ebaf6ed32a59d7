// RESIZE_BILINEAR and RESIZE_NEAREST_NEIGHBOR on NHWC tensors, with TFLite's
// reference coordinate rules (reference_ops::ResizeBilinear and
// ResizeNearestNeighbor): scale = in/out, or (in−1)/(out−1) with
// align_corners; half_pixel_centers samples at (x + 0.5)·scale − 0.5
// (bilinear) or (x + 0.5)·scale (nearest).

#include <cmath>

#include "runtime/kernels/kernels.h"
#include "runtime/kernels/shape_util.h"

namespace qs::runtime::kernels {
namespace {

constexpr int kInput = 0;
constexpr int kSize = 1;
constexpr int kOutput = 0;

struct ResizeOptions {
  bool align_corners = false;
  bool half_pixel_centers = false;
};

ResizeOptions bilinear_options(const OpContext& ctx) {
  const auto& o = options_or_default<tfl::ResizeBilinearOptionsT>(ctx);
  return {o.align_corners, o.half_pixel_centers};
}

ResizeOptions nearest_options(const OpContext& ctx) {
  const auto& o = options_or_default<tfl::ResizeNearestNeighborOptionsT>(ctx);
  return {o.align_corners, o.half_pixel_centers};
}

float resize_scale(int32_t in, int32_t out, bool align_corners) {
  if (align_corners && out > 1) return static_cast<float>(in - 1) / static_cast<float>(out - 1);
  return static_cast<float>(in) / static_cast<float>(out);
}

Status resize_prepare(OpContext& ctx, bool bilinear) {
  if (auto s = expect_inputs(ctx, 2); !s) return s;
  const Tensor& x = *ctx.input(kInput);
  const Tensor& size_input = *ctx.input(kSize);
  if (auto s = expect_rank(ctx, x, 4); !s) return s;
  if (bilinear) {
    if (auto s = expect_type(ctx, x, TensorType::FLOAT32); !s) return s;
    const ResizeOptions o = bilinear_options(ctx);
    if (o.align_corners && o.half_pixel_centers) {
      return ctx.error("align_corners and half_pixel_centers cannot both be set");
    }
  } else if (auto s = element_bytes(ctx, x); !s) {
    return tl::unexpected(s.error());
  }
  if (auto s = expect_same_type(ctx, ctx.output(kOutput), x); !s) return s;
  if (auto s = expect_type(ctx, size_input, TensorType::INT32); !s) return s;
  if (size_input.rank() != 1 || size_input.dim(0) != 2) {
    return ctx.error(cat(tensor_label(size_input), " has shape ", format::shape_string(size_input.shape),
                         ", expected [2]"));
  }
  if (defer_until_values_known(ctx, {&size_input})) return {};
  const auto size = size_input.values<int32_t>();
  if (size[0] <= 0 || size[1] <= 0) {
    return ctx.error(
        cat("output size ", size[0], "x", size[1], " in ", tensor_label(size_input), " must be positive"));
  }
  ctx.set_output_shape(kOutput, {x.dim(0), size[0], size[1], x.dim(3)});
  return {};
}

// RESIZE_BILINEAR ----------------------------------------------------------------

// Where output coordinate `v` samples the input: the two neighbours and the
// fractional distance from the lower one (TFLite's
// ComputeInterpolationValues; below 0 the neighbours coincide at 0).
struct Sample {
  int32_t lo;
  int32_t hi;
  float frac;  // position − lo
};

Sample bilinear_sample(int32_t v, float scale, bool half_pixel_centers, int32_t in_size) {
  const float pos =
      half_pixel_centers ? (static_cast<float>(v) + 0.5f) * scale - 0.5f : static_cast<float>(v) * scale;
  const auto lo = std::max(static_cast<int32_t>(std::floor(pos)), int32_t{0});
  const auto hi = std::min(static_cast<int32_t>(std::ceil(pos)), in_size - 1);
  return {lo, hi, pos - static_cast<float>(lo)};
}

// The reference's expression, term by term and in its order, so the fast
// loop below (which hoists the weights) gives the same bits:
// v00·(1−dy)·(1−dx) + v10·dy·(1−dx) + v01·(1−dy)·dx + v11·dy·dx, plus the
// reference's rounding offset (0 for floats, which turns −0 into +0).
inline float blend(float v00, float v10, float v01, float v11, float dy, float dx) {
  return v00 * (1 - dy) * (1 - dx) + v10 * dy * (1 - dx) + v01 * (1 - dy) * dx + v11 * dy * dx + 0.0f;
}

Status bilinear_reference(OpContext& ctx) {
  const Tensor& x = *ctx.input(kInput);
  Tensor& out = ctx.output(kOutput);
  const ResizeOptions o = bilinear_options(ctx);
  const int32_t in_h = x.dim(1), in_w = x.dim(2), depth = x.dim(3);
  const int32_t out_h = out.dim(1), out_w = out.dim(2);
  const float scale_y = resize_scale(in_h, out_h, o.align_corners);
  const float scale_x = resize_scale(in_w, out_w, o.align_corners);
  const std::span<const float> in = x.values<float>();
  const std::span<float> dst = out.mutable_values<float>();
  auto at = [&](int64_t b, int64_t y, int64_t xx, int64_t c) {
    return in[static_cast<size_t>(((b * in_h + y) * in_w + xx) * depth + c)];
  };
  size_t i = 0;
  for (int32_t b = 0; b < x.dim(0); ++b) {
    for (int32_t y = 0; y < out_h; ++y) {
      const Sample sy = bilinear_sample(y, scale_y, o.half_pixel_centers, in_h);
      for (int32_t xx = 0; xx < out_w; ++xx) {
        const Sample sx = bilinear_sample(xx, scale_x, o.half_pixel_centers, in_w);
        for (int32_t c = 0; c < depth; ++c) {
          dst[i++] = blend(at(b, sy.lo, sx.lo, c), at(b, sy.hi, sx.lo, c), at(b, sy.lo, sx.hi, c),
                           at(b, sy.hi, sx.hi, c), sy.frac, sx.frac);
        }
      }
    }
  }
  return {};
}

// Same arithmetic; the column samples are computed once, and each output
// pixel blends four contiguous channel rows.
Status bilinear_fast(OpContext& ctx) {
  const Tensor& x = *ctx.input(kInput);
  Tensor& out = ctx.output(kOutput);
  const ResizeOptions o = bilinear_options(ctx);
  const int64_t in_h = x.dim(1), in_w = x.dim(2), depth = x.dim(3);
  const int32_t out_h = out.dim(1), out_w = out.dim(2);
  const float scale_y = resize_scale(x.dim(1), out_h, o.align_corners);
  const float scale_x = resize_scale(x.dim(2), out_w, o.align_corners);
  std::vector<Sample> cols(static_cast<size_t>(out_w));
  for (int32_t xx = 0; xx < out_w; ++xx)
    cols[static_cast<size_t>(xx)] = bilinear_sample(xx, scale_x, o.half_pixel_centers, x.dim(2));
  const float* in = x.values<float>().data();
  float* dst = out.mutable_values<float>().data();
  for (int64_t b = 0; b < x.dim(0); ++b) {
    const float* image = in + b * in_h * in_w * depth;
    for (int32_t y = 0; y < out_h; ++y) {
      const Sample sy = bilinear_sample(y, scale_y, o.half_pixel_centers, x.dim(1));
      const float* row_lo = image + sy.lo * in_w * depth;
      const float* row_hi = image + sy.hi * in_w * depth;
      for (const Sample& sx : cols) {
        const float* p00 = row_lo + sx.lo * depth;
        const float* p10 = row_hi + sx.lo * depth;
        const float* p01 = row_lo + sx.hi * depth;
        const float* p11 = row_hi + sx.hi * depth;
        for (int64_t c = 0; c < depth; ++c) dst[c] = blend(p00[c], p10[c], p01[c], p11[c], sy.frac, sx.frac);
        dst += depth;
      }
    }
  }
  return {};
}

// RESIZE_NEAREST_NEIGHBOR ----------------------------------------------------------

// TFLite's GetNearestNeighbor: round (half away from zero) with
// align_corners, floor otherwise; clamped to the input.
int32_t nearest_index(int32_t v, int32_t in_size, int32_t out_size, const ResizeOptions& o) {
  const float scale = resize_scale(in_size, out_size, o.align_corners);
  const float offset = o.half_pixel_centers ? 0.5f : 0.0f;
  const float pos = (static_cast<float>(v) + offset) * scale;
  int32_t i =
      std::min(static_cast<int32_t>(o.align_corners ? std::round(pos) : std::floor(pos)), in_size - 1);
  if (o.half_pixel_centers) i = std::max(i, int32_t{0});
  return i;
}

Status nearest_eval(OpContext& ctx) {
  const Tensor& x = *ctx.input(kInput);
  Tensor& out = ctx.output(kOutput);
  const ResizeOptions o = nearest_options(ctx);
  const auto pixel = static_cast<size_t>(x.dim(3)) * *element_bytes(ctx, x);
  const int32_t in_h = x.dim(1), in_w = x.dim(2);
  const int32_t out_h = out.dim(1), out_w = out.dim(2);
  std::vector<int32_t> cols(static_cast<size_t>(out_w));
  for (int32_t xx = 0; xx < out_w; ++xx) cols[static_cast<size_t>(xx)] = nearest_index(xx, in_w, out_w, o);
  std::byte* dst = out.data;
  for (int64_t b = 0; b < x.dim(0); ++b) {
    for (int32_t y = 0; y < out_h; ++y) {
      const int64_t iy = nearest_index(y, in_h, out_h, o);
      const std::byte* row = x.data + static_cast<size_t>((b * in_h + iy) * in_w) * pixel;
      for (int32_t ix : cols) {
        copy_bytes(dst, row + static_cast<size_t>(ix) * pixel, pixel);
        dst += pixel;
      }
    }
  }
  return {};
}

}  // namespace

void register_image_ops(KernelRegistry& registry) {
  using format::BuiltinOp;
  auto bilinear_prepare = [](OpContext& ctx) { return resize_prepare(ctx, true); };
  auto nearest_prepare = [](OpContext& ctx) { return resize_prepare(ctx, false); };
  registry.add(BuiltinOp::RESIZE_BILINEAR, Domain::kPlain, Flavor::kFast,
               make_kernel(bilinear_prepare, bilinear_fast));
  registry.add(BuiltinOp::RESIZE_BILINEAR, Domain::kPlain, Flavor::kReference,
               make_kernel(bilinear_prepare, bilinear_reference));
  registry.add(BuiltinOp::RESIZE_NEAREST_NEIGHBOR, Domain::kPlain,
               make_kernel(nearest_prepare, nearest_eval));
}

}  // namespace qs::runtime::kernels
