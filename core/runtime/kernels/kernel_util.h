#pragma once
// Helpers shared by kernel files: decoded options, type checks, fused
// activations. Includes the full generated schema (for the option tables);
// include it only from kernel .cpp files.

#include <algorithm>
#include <cmath>
#include <limits>
#include <span>

#include "format/op_options.h"
#include "runtime/kernel.h"

namespace qs::runtime::kernels {

using format::TensorType;
namespace tfl = qs::tfl;

// The op's options as `T`, or a default-constructed `T` when the op carries
// none (older converters omit options equal to their defaults).
template <class T>
const T& options_or_default(const OpContext& ctx) {
  static const T kDefault{};
  const T* found = format::options_as<T>(ctx.op());
  return found != nullptr ? *found : kDefault;
}

// Fails unless input `i` exists.
Result<const Tensor*> required_input(const OpContext& ctx, int i);
// Fails unless `t` has `type`, naming the tensor and both types.
Status expect_type(const OpContext& ctx, const Tensor& t, TensorType type);
// Fails unless `t` has rank `rank`.
Status expect_rank(const OpContext& ctx, const Tensor& t, int rank);

// Clamp bounds of a fused activation (NONE gives the infinite interval);
// SIGN_BIT and TANH are not clamps: `supported` is false for them.
struct ActivationRange {
  float low = -std::numeric_limits<float>::infinity();
  float high = std::numeric_limits<float>::infinity();
  bool supported = true;
};
ActivationRange activation_range(tfl::ActivationFunctionType fn);
// Fails for fused activations that are not clamps.
Status expect_clamp_activation(const OpContext& ctx, tfl::ActivationFunctionType fn);

inline void clamp_in_place(std::span<float> values, ActivationRange range) {
  if (range.low == -std::numeric_limits<float>::infinity() &&
      range.high == std::numeric_limits<float>::infinity()) {
    return;
  }
  for (float& v : values) v = std::min(std::max(v, range.low), range.high);
}

// A dimension index that may be negative (counted from the end), checked
// against `rank`.
Result<int> normalize_axis(const OpContext& ctx, int64_t axis, int rank);

// Reads a constant or computed int32/int64 tensor as int64 values.
Result<std::vector<int64_t>> read_index_values(const OpContext& ctx, const Tensor& t);

}  // namespace qs::runtime::kernels
