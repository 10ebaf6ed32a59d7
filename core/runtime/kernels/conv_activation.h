#pragma once
// Fused-activation bounds of TFLite's float CONV/DEPTHWISE/TRANSPOSE_CONV,
// pools and FULLY_CONNECTED (CalculateActivationRange in TFLite's
// kernel_util.h): like activation_range(), but "no bound" is the finite
// float range, so a sum that overflows to +-inf comes out as +-max, as in
// TFLite. NaN passes through the reference clamps.

#include <cmath>
#include <limits>

#include "runtime/kernels/kernel_util.h"

namespace qs::runtime::kernels {

inline ActivationRange tflite_activation_range(tfl::ActivationFunctionType fn) {
  ActivationRange r = activation_range(fn);
  if (std::isinf(r.low)) r.low = std::numeric_limits<float>::lowest();
  if (std::isinf(r.high)) r.high = std::numeric_limits<float>::max();
  return r;
}

}  // namespace qs::runtime::kernels
