#include "runtime/kernels/hybrid_ops.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstring>
#include <limits>
#include <vector>

namespace qs::runtime::kernels::hybrid {
namespace {

float clamp(float v, ActivationRange act) { return std::min(std::max(v, act.low), act.high); }

size_t at(int h_extent, int w_extent, int c_extent, int n, int y, int x, int c) {
  return ((static_cast<size_t>(n) * static_cast<size_t>(h_extent) + static_cast<size_t>(y)) *
              static_cast<size_t>(w_extent) +
          static_cast<size_t>(x)) *
             static_cast<size_t>(c_extent) +
         static_cast<size_t>(c);
}

// round(v) (half away from zero) clamped to [lo, hi]. TFLite rounds, casts
// to int32, then clamps; clamping first gives the same integers for every
// finite v without an out-of-range cast (inf, NaN: the clamp bounds).
int32_t clamp_round(float v, int32_t lo, int32_t hi) {
  const float r = std::round(v);
  if (!(r >= static_cast<float>(lo))) return lo;
  if (r > static_cast<float>(hi)) return hi;
  return static_cast<int32_t>(r);
}

// float -> int32 truncating toward zero as TFLite's implicit conversion
// does, saturating where that conversion would be out of range.
int32_t clamp_trunc(float v) {
  if (!(v > -2147483648.0f)) return std::numeric_limits<int32_t>::min();
  if (v >= 2147483648.0f) return std::numeric_limits<int32_t>::max();
  return static_cast<int32_t>(v);
}

size_t image_size(const ConvGeometry& g) {
  return static_cast<size_t>(g.h.in) * static_cast<size_t>(g.w.in) * static_cast<size_t>(g.in_channels);
}

// One image quantized to int8, with the parameters to undo it.
struct QuantizedImage {
  std::vector<int8_t> values;
  float scale = 1.0f;
  int32_t zero_point = 0;
};

QuantizedImage quantize_image(const ConvGeometry& g, const float* input, int n, bool asymmetric) {
  QuantizedImage q;
  const size_t size = image_size(g);
  q.values.resize(size);
  const std::span<const float> image(input + static_cast<size_t>(n) * size, size);
  if (asymmetric) {
    const AsymmetricParams p = asymmetric_quantize(image, q.values.data());
    q.scale = p.scale;
    q.zero_point = p.zero_point;
  } else {
    q.scale = symmetric_quantize(image, q.values.data());
  }
  return q;
}

// Integer sums are int32 in TFLite and wrap on x86 when a huge reduction
// overflows; we sum in 64 bits (no undefined behaviour) and wrap the same
// way at the end (C++20 conversions to int32 are modular).
int32_t wrap(int64_t v) { return static_cast<int32_t>(v); }

// Integer sum over the filter taps inside the image of filter * (q - zero
// point); taps in the padding contribute nothing (the real value 0).
int32_t conv_sum(const ConvGeometry& g, const QuantizedImage& q, const int8_t* filter, int oy, int ox,
                 int oc) {
  const int filter_in = g.in_channels / g.groups;
  const int group = oc / (g.out_channels / g.groups);
  const int y0 = oy * g.h.stride - g.h.pad_before;
  const int x0 = ox * g.w.stride - g.w.pad_before;
  int64_t acc = 0;
  for (int fy = 0; fy < g.h.filter; ++fy) {
    const int iy = y0 + g.h.dilation * fy;
    for (int fx = 0; fx < g.w.filter; ++fx) {
      const int ix = x0 + g.w.dilation * fx;
      if (iy < 0 || iy >= g.h.in || ix < 0 || ix >= g.w.in) continue;
      for (int ic = 0; ic < filter_in; ++ic) {
        const int32_t v = q.values[at(g.h.in, g.w.in, g.in_channels, 0, iy, ix, ic + group * filter_in)];
        const int32_t w = filter[at(g.h.filter, g.w.filter, filter_in, oc, fy, fx, ic)];
        acc += w * (v - q.zero_point);
      }
    }
  }
  return wrap(acc);
}

}  // namespace

float symmetric_quantize(std::span<const float> values, int8_t* quantized) {
  if (values.empty()) return 1.0f;
  const auto [lo, hi] = std::minmax_element(values.begin(), values.end());
  constexpr int32_t kScale = 127;
  const float range = std::max(std::abs(*lo), std::abs(*hi));
  if (range == 0.0f) {
    std::memset(quantized, 0, values.size());
    return 1.0f;
  }
  const float inverse = static_cast<float>(kScale) / range;
  for (size_t i = 0; i < values.size(); ++i) {
    quantized[i] = static_cast<int8_t>(clamp_round(values[i] * inverse, -kScale, kScale));
  }
  return range / static_cast<float>(kScale);
}

AsymmetricParams asymmetric_quantize(std::span<const float> values, int8_t* quantized) {
  constexpr int32_t kMin = -128;
  constexpr int32_t kMax = 127;
  AsymmetricParams p;
  if (values.empty()) return p;
  const auto [lo, hi] = std::minmax_element(values.begin(), values.end());
  // The range always contains 0, so that 0.0 is exactly representable.
  const double rmin = static_cast<double>(std::min(0.0f, *lo));
  const double rmax = static_cast<double>(std::max(0.0f, *hi));
  if (rmin == rmax) {
    std::memset(quantized, 0, values.size());
    return p;
  }
  const double qmin = kMin;
  const double qmax = kMax;
  const double scale = (rmax - rmin) / (qmax - qmin);
  const double zp_from_min = qmin - rmin / scale;
  const double zp_from_max = qmax - rmax / scale;
  const double zp_from_min_error = std::abs(qmin) + std::abs(rmin / scale);
  const double zp_from_max_error = std::abs(qmax) + std::abs(rmax / scale);
  const double zp = zp_from_min_error < zp_from_max_error ? zp_from_min : zp_from_max;
  int32_t nudged = 0;
  if (zp <= qmin) {
    nudged = kMin;
  } else if (zp >= qmax) {
    nudged = kMax;
  } else if (!std::isnan(zp)) {  // NaN only from an inf input
    nudged = static_cast<int32_t>(std::round(zp));
  }
  p.scale = static_cast<float>(scale);
  p.zero_point = nudged;
  const float inverse = 1.0f / p.scale;
  for (size_t i = 0; i < values.size(); ++i) {
    quantized[i] =
        static_cast<int8_t>(clamp_round(static_cast<float>(nudged) + values[i] * inverse, kMin, kMax));
  }
  return p;
}

void apply_activation(tfl::ActivationFunctionType fn, std::span<float> values) {
  using A = tfl::ActivationFunctionType;
  switch (fn) {
    case A::TANH:
      for (float& v : values) v = std::tanh(v);
      return;
    case A::SIGN_BIT:
      for (float& v : values) v = std::signbit(v) ? 1.0f : 0.0f;
      return;
    default:
      clamp_in_place(values, activation_range(fn));
      return;
  }
}

void fully_connected(int batches, int in_features, int out_features, const float* input,
                     const int8_t* weights, std::span<const float> scales, const float* bias,
                     bool asymmetric_inputs, tfl::ActivationFunctionType activation, float* output) {
  const size_t in = static_cast<size_t>(in_features);
  const size_t out = static_cast<size_t>(out_features);
  const bool per_channel = scales.size() > 1;
  std::vector<int32_t> row_sums(out, 0);
  if (asymmetric_inputs) {
    for (size_t o = 0; o < out; ++o) {
      int64_t sum = 0;
      for (size_t i = 0; i < in; ++i) sum += weights[o * in + i];
      row_sums[o] = wrap(sum);
    }
  }
  std::vector<int8_t> q(in);
  for (size_t b = 0; b < static_cast<size_t>(batches); ++b) {
    const std::span<const float> row(input + b * in, in);
    float row_scale = 1.0f;
    int32_t zero_point = 0;
    if (asymmetric_inputs) {
      const AsymmetricParams p = asymmetric_quantize(row, q.data());
      row_scale = p.scale;
      zero_point = p.zero_point;
    } else {
      row_scale = symmetric_quantize(row, q.data());
    }
    // Per tensor, TFLite folds the filter scale into the row's factor first.
    if (!per_channel) row_scale *= scales[0];
    float* y = output + b * out;
    for (size_t o = 0; o < out; ++o) {
      int64_t sum = 0;
      for (size_t i = 0; i < in; ++i) sum += static_cast<int32_t>(weights[o * in + i]) * q[i];
      const int32_t dot = wrap(wrap(sum) - int64_t{row_sums[o]} * zero_point);
      const float scale = per_channel ? row_scale * scales[o] : row_scale;
      y[o] = (bias != nullptr ? bias[o] : 0.0f) + static_cast<float>(dot) * scale;
    }
  }
  apply_activation(activation, std::span<float>(output, static_cast<size_t>(batches) * out));
}

void conv2d_per_tensor(const ConvGeometry& g, const float* input, const int8_t* filter, float filter_scale,
                       const float* bias, ActivationRange act, float* output) {
  for (int n = 0; n < g.batch; ++n) {
    const QuantizedImage q = quantize_image(g, input, n, /*asymmetric=*/false);
    const float scale = q.scale * filter_scale;
    for (int oy = 0; oy < g.h.out; ++oy) {
      for (int ox = 0; ox < g.w.out; ++ox) {
        for (int oc = 0; oc < g.out_channels; ++oc) {
          const float value = static_cast<float>(conv_sum(g, q, filter, oy, ox, oc)) * scale;
          const float b = bias != nullptr ? bias[oc] : 0.0f;
          output[at(g.h.out, g.w.out, g.out_channels, n, oy, ox, oc)] = clamp(value + b, act);
        }
      }
    }
  }
}

void conv2d_per_channel(const ConvGeometry& g, const float* input, const int8_t* filter,
                        std::span<const float> scales, const float* bias, ActivationRange act,
                        float* output) {
  for (int n = 0; n < g.batch; ++n) {
    const QuantizedImage q = quantize_image(g, input, n, /*asymmetric=*/true);
    for (int oy = 0; oy < g.h.out; ++oy) {
      for (int ox = 0; ox < g.w.out; ++ox) {
        for (int oc = 0; oc < g.out_channels; ++oc) {
          // TFLite's order: (sum * channel scale) * input scale.
          float value = static_cast<float>(conv_sum(g, q, filter, oy, ox, oc)) *
                        scales[static_cast<size_t>(oc)] * q.scale;
          if (bias != nullptr) value += bias[oc];
          output[at(g.h.out, g.w.out, g.out_channels, n, oy, ox, oc)] = clamp(value, act);
        }
      }
    }
  }
}

void depthwise_conv2d(const ConvGeometry& g, const float* input, const int8_t* filter,
                      std::span<const float> scales, const float* bias, ActivationRange act, float* output) {
  for (int n = 0; n < g.batch; ++n) {
    const QuantizedImage q = quantize_image(g, input, n, /*asymmetric=*/true);
    for (int oy = 0; oy < g.h.out; ++oy) {
      for (int ox = 0; ox < g.w.out; ++ox) {
        for (int ic = 0; ic < g.in_channels; ++ic) {
          for (int m = 0; m < g.depth_multiplier; ++m) {
            const int oc = m + ic * g.depth_multiplier;
            const int y0 = oy * g.h.stride - g.h.pad_before;
            const int x0 = ox * g.w.stride - g.w.pad_before;
            int64_t acc = 0;
            for (int fy = 0; fy < g.h.filter; ++fy) {
              const int iy = y0 + g.h.dilation * fy;
              for (int fx = 0; fx < g.w.filter; ++fx) {
                const int ix = x0 + g.w.dilation * fx;
                if (iy < 0 || iy >= g.h.in || ix < 0 || ix >= g.w.in) continue;
                const int32_t v = q.values[at(g.h.in, g.w.in, g.in_channels, 0, iy, ix, ic)];
                const int32_t w = filter[at(g.h.filter, g.w.filter, g.out_channels, 0, fy, fx, oc)];
                acc += w * (v - q.zero_point);
              }
            }
            // TFLite's order here: sum * (channel scale * input scale).
            float value = static_cast<float>(wrap(acc)) * (scales[static_cast<size_t>(oc)] * q.scale);
            if (bias != nullptr) value += bias[oc];
            output[at(g.h.out, g.w.out, g.out_channels, n, oy, ox, oc)] = clamp(value, act);
          }
        }
      }
    }
  }
}

void batch_matmul(const reference::BatchMatMulShape& s, const float* lhs, const int8_t* rhs,
                  std::span<const float> scales, bool asymmetric_inputs, float* output) {
  const size_t rows = static_cast<size_t>(s.rows());
  const size_t depth = static_cast<size_t>(s.depth());
  const size_t cols = static_cast<size_t>(s.cols());
  const size_t lhs_count =
      static_cast<size_t>(s.lhs[0]) * static_cast<size_t>(s.lhs[1]) * static_cast<size_t>(s.lhs[2]);
  const size_t rhs_count =
      static_cast<size_t>(s.rhs[0]) * static_cast<size_t>(s.rhs[1]) * static_cast<size_t>(s.rhs[2]);
  const bool per_channel = scales.size() > 1;

  // Every lhs row (after adj_x) quantized on its own.
  std::vector<int8_t> q(lhs_count * rows * depth);
  std::vector<float> row_scale(lhs_count * rows);
  std::vector<int32_t> zero_point(lhs_count * rows, 0);
  std::vector<float> row(depth);
  for (size_t m = 0; m < lhs_count; ++m) {
    const float* matrix = lhs + m * rows * depth;
    for (size_t r = 0; r < rows; ++r) {
      for (size_t k = 0; k < depth; ++k) row[k] = s.adj_x ? matrix[k * rows + r] : matrix[r * depth + k];
      int8_t* qrow = q.data() + (m * rows + r) * depth;
      const size_t at_row = m * rows + r;
      if (asymmetric_inputs) {
        const AsymmetricParams p = asymmetric_quantize(row, qrow);
        row_scale[at_row] = p.scale;
        zero_point[at_row] = p.zero_point;
      } else {
        row_scale[at_row] = symmetric_quantize(row, qrow);
      }
      if (!per_channel) row_scale[at_row] *= scales[0];
    }
  }
  // Element (k, c) of rhs' for matrix `m`.
  auto rhs_at = [&](size_t m, size_t k, size_t c) -> int32_t {
    const int8_t* matrix = rhs + m * depth * cols;
    return s.adj_y ? matrix[c * depth + k] : matrix[k * cols + c];
  };
  std::vector<int32_t> col_sums(rhs_count * cols, 0);
  for (size_t m = 0; m < rhs_count; ++m) {
    for (size_t c = 0; c < cols; ++c) {
      int64_t sum = 0;
      for (size_t k = 0; k < depth; ++k) sum += rhs_at(m, k, c);
      col_sums[m * cols + c] = wrap(sum);
    }
  }
  // Index of the lhs / rhs matrix for broadcast batch (b0, b1, b2).
  auto matrix_index = [](const std::array<int32_t, 5>& d, int b0, int b1, int b2) {
    const size_t i0 = d[0] == 1 ? 0 : static_cast<size_t>(b0);
    const size_t i1 = d[1] == 1 ? 0 : static_cast<size_t>(b1);
    const size_t i2 = d[2] == 1 ? 0 : static_cast<size_t>(b2);
    return (i0 * static_cast<size_t>(d[1]) + i1) * static_cast<size_t>(d[2]) + i2;
  };
  float* out = output;
  for (int b0 = 0; b0 < s.batch(0); ++b0) {
    for (int b1 = 0; b1 < s.batch(1); ++b1) {
      for (int b2 = 0; b2 < s.batch(2); ++b2) {
        const size_t lm = matrix_index(s.lhs, b0, b1, b2);
        const size_t rm = matrix_index(s.rhs, b0, b1, b2);
        for (size_t r = 0; r < rows; ++r) {
          const int8_t* qrow = q.data() + (lm * rows + r) * depth;
          const float input_scale = row_scale[lm * rows + r];
          const auto offset = static_cast<float>(zero_point[lm * rows + r]);
          for (size_t c = 0; c < cols; ++c) {
            int64_t sum = 0;
            for (size_t k = 0; k < depth; ++k) sum += rhs_at(rm, k, c) * qrow[k];
            // TFLite subtracts the zero point's share in float (and always,
            // even when it is 0), truncating back to int32.
            const int32_t total = clamp_trunc(static_cast<float>(wrap(sum)) -
                                              static_cast<float>(col_sums[rm * cols + c]) * offset);
            const float scale = per_channel ? input_scale * scales[c] : input_scale;
            out[r * cols + c] = scale * static_cast<float>(total);
          }
        }
        out += rows * cols;
      }
    }
  }
}

}  // namespace qs::runtime::kernels::hybrid
