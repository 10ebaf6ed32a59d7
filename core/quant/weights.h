#pragma once
// Constant tensors turned into integers: symmetric int8 weights (one scale
// per tensor or per channel), asymmetric constants on an activation grid,
// and biases at the scale their op's accumulator has.

#include <cstdint>
#include <span>
#include <utility>
#include <vector>

namespace qs::quant {

// TFLite's symmetric int8 quantization of a weight tensor (one scale):
// range = max |w|, q = round(w · 127 / range) in [-127, 127], scale =
// range / 127; an all-zero tensor gets scale 1.
struct SymmetricInt8 {
  std::vector<int8_t> values;
  float scale = 1;
};
SymmetricInt8 quantize_symmetric(std::span<const float> weights);

// A row-major tensor seen as channels along one axis: channel c is every
// element whose coordinate on the axis is c.
struct ChannelLayout {
  size_t channels = 1;
  size_t inner = 1;  // elements after the axis (one contiguous run per channel)
  size_t outer = 1;  // runs per channel
  // axis < 0: the whole tensor is one channel.
  static ChannelLayout of(std::span<const int32_t> shape, int axis, size_t elements);
  size_t channel_of(size_t index) const { return (index / inner) % channels; }
};

// max |w| / 127 per channel (1 for an all-zero channel).
std::vector<float> symmetric_scales(std::span<const float> weights, const ChannelLayout& layout);
// round(w / scale[channel]) clamped to [-127, 127].
std::vector<int8_t> quantize_with_scales(std::span<const float> weights, const ChannelLayout& layout,
                                         std::span<const float> scales);

// real = scale · (q − zero_point), q clamped to [qmin, qmax].
std::vector<int64_t> quantize_affine(std::span<const float> values, double scale, int64_t zero_point,
                                     int64_t qmin, int64_t qmax);

// The range [lo, hi] (containing 0) whose asymmetric grid of `levels`
// steps gives the least squared error over `values`: [min, max] shrunk by
// the best of a geometric series of factors. For per-tensor weights, where
// one outlier channel would otherwise leave the others a handful of steps.
std::pair<float, float> mse_range(std::span<const float> values, int levels);

}  // namespace qs::quant
