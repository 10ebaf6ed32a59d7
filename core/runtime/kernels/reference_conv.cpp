#include "runtime/kernels/reference_conv.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>

namespace qs::runtime::kernels::reference {
namespace {

float clamp(float v, ActivationRange act) { return std::min(std::max(v, act.low), act.high); }

// Row-major NHWC offset.
size_t at(int h_extent, int w_extent, int c_extent, int n, int y, int x, int c) {
  return ((static_cast<size_t>(n) * static_cast<size_t>(h_extent) + static_cast<size_t>(y)) *
              static_cast<size_t>(w_extent) +
          static_cast<size_t>(x)) *
             static_cast<size_t>(c_extent) +
         static_cast<size_t>(c);
}

}  // namespace

void conv2d(const ConvGeometry& g, const float* input, const float* filter, const float* bias,
            ActivationRange act, float* output) {
  const int filter_in = g.in_channels / g.groups;
  const int filters_per_group = g.out_channels / g.groups;
  for (int n = 0; n < g.batch; ++n) {
    for (int oy = 0; oy < g.h.out; ++oy) {
      for (int ox = 0; ox < g.w.out; ++ox) {
        for (int oc = 0; oc < g.out_channels; ++oc) {
          const int group = oc / filters_per_group;
          const int y0 = oy * g.h.stride - g.h.pad_before;
          const int x0 = ox * g.w.stride - g.w.pad_before;
          float total = 0.0f;
          for (int fy = 0; fy < g.h.filter; ++fy) {
            const int iy = y0 + g.h.dilation * fy;
            for (int fx = 0; fx < g.w.filter; ++fx) {
              const int ix = x0 + g.w.dilation * fx;
              if (iy < 0 || iy >= g.h.in || ix < 0 || ix >= g.w.in) continue;
              for (int ic = 0; ic < filter_in; ++ic) {
                total += input[at(g.h.in, g.w.in, g.in_channels, n, iy, ix, ic + group * filter_in)] *
                         filter[at(g.h.filter, g.w.filter, filter_in, oc, fy, fx, ic)];
              }
            }
          }
          const float b = bias != nullptr ? bias[oc] : 0.0f;
          output[at(g.h.out, g.w.out, g.out_channels, n, oy, ox, oc)] = clamp(total + b, act);
        }
      }
    }
  }
}

void depthwise_conv2d(const ConvGeometry& g, const float* input, const float* filter, const float* bias,
                      ActivationRange act, float* output) {
  const int m_count = g.depth_multiplier;
  for (int n = 0; n < g.batch; ++n) {
    for (int oy = 0; oy < g.h.out; ++oy) {
      for (int ox = 0; ox < g.w.out; ++ox) {
        for (int ic = 0; ic < g.in_channels; ++ic) {
          for (int m = 0; m < m_count; ++m) {
            const int oc = m + ic * m_count;
            const int y0 = oy * g.h.stride - g.h.pad_before;
            const int x0 = ox * g.w.stride - g.w.pad_before;
            float total = 0.0f;
            for (int fy = 0; fy < g.h.filter; ++fy) {
              const int iy = y0 + g.h.dilation * fy;
              for (int fx = 0; fx < g.w.filter; ++fx) {
                const int ix = x0 + g.w.dilation * fx;
                if (iy < 0 || iy >= g.h.in || ix < 0 || ix >= g.w.in) continue;
                total += input[at(g.h.in, g.w.in, g.in_channels, n, iy, ix, ic)] *
                         filter[at(g.h.filter, g.w.filter, g.out_channels, 0, fy, fx, oc)];
              }
            }
            const float b = bias != nullptr ? bias[oc] : 0.0f;
            output[at(g.h.out, g.w.out, g.out_channels, n, oy, ox, oc)] = clamp(total + b, act);
          }
        }
      }
    }
  }
}

void transpose_conv2d(const ConvGeometry& g, const float* input, const float* filter, const float* bias,
                      ActivationRange act, float* output) {
  const size_t out_count = static_cast<size_t>(g.output_elements());
  std::fill(output, output + out_count, 0.0f);
  for (int n = 0; n < g.batch; ++n) {
    for (int iy = 0; iy < g.h.in; ++iy) {
      for (int ix = 0; ix < g.w.in; ++ix) {
        for (int ic = 0; ic < g.in_channels; ++ic) {
          const int y0 = iy * g.h.stride - g.h.pad_before;
          const int x0 = ix * g.w.stride - g.w.pad_before;
          const float value = input[at(g.h.in, g.w.in, g.in_channels, n, iy, ix, ic)];
          for (int fy = 0; fy < g.h.filter; ++fy) {
            for (int fx = 0; fx < g.w.filter; ++fx) {
              for (int oc = 0; oc < g.out_channels; ++oc) {
                const int oy = y0 + fy;
                const int ox = x0 + fx;
                if (oy < 0 || oy >= g.h.out || ox < 0 || ox >= g.w.out) continue;
                output[at(g.h.out, g.w.out, g.out_channels, n, oy, ox, oc)] +=
                    value * filter[at(g.h.filter, g.w.filter, g.in_channels, oc, fy, fx, ic)];
              }
            }
          }
        }
      }
    }
  }
  // Bias and activation after the scatter, as TFLite does.
  for (size_t i = 0; i < out_count; ++i) {
    const float b = bias != nullptr ? bias[i % static_cast<size_t>(g.out_channels)] : 0.0f;
    output[i] = clamp(output[i] + b, act);
  }
}

bool pool2d(PoolKind kind, const ConvGeometry& g, const float* input, ActivationRange act, float* output) {
  const int channels = g.in_channels;
  for (int n = 0; n < g.batch; ++n) {
    for (int oy = 0; oy < g.h.out; ++oy) {
      for (int ox = 0; ox < g.w.out; ++ox) {
        for (int c = 0; c < channels; ++c) {
          const int y0 = oy * g.h.stride - g.h.pad_before;
          const int x0 = ox * g.w.stride - g.w.pad_before;
          // The window clipped to the input.
          const int fy_begin = std::max(0, -y0);
          const int fy_end = std::min(g.h.filter, g.h.in - y0);
          const int fx_begin = std::max(0, -x0);
          const int fx_end = std::min(g.w.filter, g.w.in - x0);
          float acc = kind == PoolKind::kMax ? std::numeric_limits<float>::lowest() : 0.0f;
          int count = 0;
          for (int fy = fy_begin; fy < fy_end; ++fy) {
            for (int fx = fx_begin; fx < fx_end; ++fx) {
              const float v = input[at(g.h.in, g.w.in, channels, n, y0 + fy, x0 + fx, c)];
              switch (kind) {
                case PoolKind::kMax:
                  acc = std::max(acc, v);
                  break;
                case PoolKind::kAverage:
                  acc += v;
                  break;
                case PoolKind::kL2:
                  acc += v * v;
                  break;
              }
              ++count;
            }
          }
          if (count == 0 && kind != PoolKind::kMax) return false;
          float result = acc;
          if (kind == PoolKind::kAverage) result = acc / static_cast<float>(count);
          if (kind == PoolKind::kL2) result = std::sqrt(acc / static_cast<float>(count));
          output[at(g.h.out, g.w.out, channels, n, oy, ox, c)] = clamp(result, act);
        }
      }
    }
  }
  return true;
}

}  // namespace qs::runtime::kernels::reference
