#include "quant/weights.h"

#include <algorithm>
#include <cmath>

namespace qs::quant {

// Dynamic-range weights go through TFLite's tensor_utils, which multiplies
// by 127 / range; the per-channel path below multiplies by 1 / scale, as
// the converter's per-channel quantizer does. The two can differ in the
// last place, so each follows its own original.
SymmetricInt8 quantize_symmetric(std::span<const float> w) {
  SymmetricInt8 q;
  float range = 0;
  for (float v : w) range = std::max(range, std::abs(v));
  q.values.resize(w.size());
  if (range == 0) return q;  // all zero: values 0, scale 1
  const float inverse = 127.0f / range;
  for (size_t i = 0; i < w.size(); ++i) {
    q.values[i] = static_cast<int8_t>(std::clamp(std::round(w[i] * inverse), -127.0f, 127.0f));
  }
  q.scale = range / 127.0f;
  return q;
}

ChannelLayout ChannelLayout::of(std::span<const int32_t> shape, int axis, size_t elements) {
  ChannelLayout l;
  if (axis < 0 || static_cast<size_t>(axis) >= shape.size() || elements == 0) {
    l.inner = std::max<size_t>(elements, 1);
    return l;
  }
  l.channels = static_cast<size_t>(std::max(shape[static_cast<size_t>(axis)], 1));
  for (size_t d = static_cast<size_t>(axis) + 1; d < shape.size(); ++d)
    l.inner *= static_cast<size_t>(std::max(shape[d], 1));
  l.outer = elements / (l.channels * l.inner);
  return l;
}

std::vector<float> symmetric_scales(std::span<const float> w, const ChannelLayout& layout) {
  std::vector<float> range(layout.channels, 0.0f);
  for (size_t i = 0; i < w.size(); ++i) {
    float& r = range[layout.channel_of(i)];
    r = std::max(r, std::abs(w[i]));
  }
  for (float& r : range) r = r > 0 ? r / 127.0f : 1.0f;
  return range;
}

std::vector<int8_t> quantize_with_scales(std::span<const float> w, const ChannelLayout& layout,
                                         std::span<const float> scales) {
  std::vector<int8_t> q(w.size());
  for (size_t i = 0; i < w.size(); ++i) {
    const float inverse = 1.0f / scales[layout.channel_of(i)];
    q[i] = static_cast<int8_t>(std::clamp(std::round(w[i] * inverse), -127.0f, 127.0f));
  }
  return q;
}

std::vector<int64_t> quantize_affine(std::span<const float> values, double scale, int64_t zero_point,
                                     int64_t qmin, int64_t qmax) {
  std::vector<int64_t> q(values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    const double v = std::round(static_cast<double>(values[i]) / scale) + static_cast<double>(zero_point);
    q[i] = static_cast<int64_t>(std::clamp(v, static_cast<double>(qmin), static_cast<double>(qmax)));
  }
  return q;
}

std::pair<float, float> mse_range(std::span<const float> values, int levels) {
  float lo = 0;
  float hi = 0;
  for (float v : values) {
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  if (hi <= lo) return {lo, hi};
  const auto error_at = [&](double f) {
    const double a = lo * f;
    const double scale = (hi * f - a) / levels;
    const double zp = std::round(-a / scale);
    double e = 0;
    for (float v : values) {
      const double q = std::clamp(std::round(v / scale) + zp, 0.0, static_cast<double>(levels));
      const double d = (q - zp) * scale - v;
      e += d * d;
    }
    return e;
  };
  double best_f = 1;
  double best = error_at(1);
  // 1, 0.93, 0.93², ... down to about 1/100 of the full range.
  for (double f = 0.93; f > 0.01; f *= 0.93) {
    const double e = error_at(f);
    if (e < best) {
      best = e;
      best_f = f;
    }
  }
  return {static_cast<float>(lo * best_f), static_cast<float>(hi * best_f)};
}

}  // namespace qs::quant
