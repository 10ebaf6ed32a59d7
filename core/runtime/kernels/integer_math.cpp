#include "runtime/kernels/integer_math.h"

#include <gemmlowp/fixedpoint/fixedpoint.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace qs::runtime::kernels::integer {

Multiplier quantize_multiplier(double real) {
  if (real == 0.0) return {};
  int shift = 0;
  const double q = std::frexp(real, &shift);  // real = q · 2^shift, q in [0.5, 1)
  auto fixed = static_cast<int64_t>(std::round(q * static_cast<double>(int64_t{1} << 31)));
  if (fixed == (int64_t{1} << 31)) {
    fixed /= 2;
    ++shift;
  }
  if (shift < -31) return {};  // too small to represent: TFLite flushes it to 0
  return {static_cast<int32_t>(fixed), shift};
}

int32_t multiply_by_quantized_multiplier(int32_t x, const Multiplier& m) {
  const int left = m.shift > 0 ? m.shift : 0;
  const int right = m.shift > 0 ? 0 : -m.shift;
  return gemmlowp::RoundingDivideByPOT(
      gemmlowp::SaturatingRoundingDoublingHighMul(static_cast<int32_t>(x * (int64_t{1} << left)), m.mantissa),
      right);
}

std::optional<QuantizedRange> activation_range(tfl::ActivationFunctionType fn, float scale, int32_t zero_point,
                                               int32_t qmin, int32_t qmax) {
  const auto q = [&](float real) { return zero_point + static_cast<int32_t>(std::round(real / scale)); };
  using A = tfl::ActivationFunctionType;
  switch (fn) {
    case A::NONE:
      return QuantizedRange{qmin, qmax};
    case A::RELU:
      return QuantizedRange{std::max(qmin, q(0.0f)), qmax};
    case A::RELU6:
      return QuantizedRange{std::max(qmin, q(0.0f)), std::min(qmax, q(6.0f))};
    case A::RELU_N1_TO_1:
      return QuantizedRange{std::max(qmin, q(-1.0f)), std::min(qmax, q(1.0f))};
    default:
      return std::nullopt;
  }
}

}  // namespace qs::runtime::kernels::integer
