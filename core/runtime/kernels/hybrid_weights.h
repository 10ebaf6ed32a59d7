#pragma once
// Checks shared by the hybrid kernels on their int8 weight tensor.

#include <vector>

#include "runtime/kernels/kernel_util.h"

namespace qs::runtime::kernels {

// Whether `input` float32 with `weights` int8 makes the op hybrid.
inline bool is_hybrid(const Tensor& input, const Tensor& weights) {
  return input.type == TensorType::FLOAT32 && weights.type == TensorType::INT8;
}

// The weights' scales: one (per tensor) or one per index of `channel_axis`
// (which must be the quantized dimension). Zero points must all be 0: the
// hybrid kernels treat the weights as symmetric.
Result<std::vector<float>> hybrid_weight_scales(const OpContext& ctx, const Tensor& weights,
                                                int channel_axis);

}  // namespace qs::runtime::kernels
