#pragma once
// TFLite's integer rescaling, exactly: a real multiplier M stored as a
// 32-bit fixed-point mantissa and a power-of-two exponent
// (QuantizeMultiplier), applied with a saturating rounding doubling high
// multiply and a rounding right shift (MultiplyByQuantizedMultiplier, the
// reference kernels' default "double rounding"). The primitives are
// gemmlowp's fixedpoint.h, which TFLite itself uses.

#include <cstdint>
#include <optional>

#include "qs/tfl/tflite_enums_generated.h"

namespace qs::runtime::kernels::integer {

struct Multiplier {
  int32_t mantissa = 0;  // fixed point at bit 31, in [2^30, 2^31) unless 0
  int shift = 0;         // left shift when > 0, right shift when < 0
};

// M = mantissa · 2^(shift − 31); a multiplier below 2^-31 becomes 0.
Multiplier quantize_multiplier(double real);

int32_t multiply_by_quantized_multiplier(int32_t x, const Multiplier& m);

// The clamp bounds of a fused activation (NONE, RELU, RELU6, RELU_N1_TO_1)
// on an output grid: [qmin, qmax] cut to the activation's range.
struct QuantizedRange {
  int32_t low = 0;
  int32_t high = 0;
};
// Fails (nullopt) for activations that are not clamps (TANH, SIGN_BIT).
std::optional<QuantizedRange> activation_range(tfl::ActivationFunctionType fn, float scale, int32_t zero_point,
                                               int32_t qmin, int32_t qmax);

}  // namespace qs::runtime::kernels::integer
