// TFLite's integer rescaling (runtime/kernels/integer_math), against values
// worked out by hand from its definition: M = mantissa · 2^(shift − 31)
// with the mantissa in [2^30, 2^31); the doubling high multiply rounds half
// up (toward +inf), the rounding shift rounds half away from zero.

#include <gtest/gtest.h>

#include <cmath>

#include "runtime/kernels/integer_math.h"

namespace qs::runtime::kernels::integer {
namespace {

TEST(IntegerMath, QuantizeMultiplierSplitsIntoMantissaAndShift) {
  const auto half = quantize_multiplier(0.5);
  EXPECT_EQ(half.mantissa, 1 << 30);
  EXPECT_EQ(half.shift, 0);
  const auto one = quantize_multiplier(1.0);
  EXPECT_EQ(one.mantissa, 1 << 30);
  EXPECT_EQ(one.shift, 1);
  const auto tenth = quantize_multiplier(0.1);  // 0.8 · 2^-3
  EXPECT_EQ(tenth.shift, -3);
  EXPECT_EQ(tenth.mantissa, static_cast<int32_t>(std::llround(0.8 * 2147483648.0)));
  // A mantissa that rounds up to 2^31 moves to the next power of two.
  const auto almost = quantize_multiplier(std::nextafter(1.0, 0.0));
  EXPECT_EQ(almost.mantissa, 1 << 30);
  EXPECT_EQ(almost.shift, 1);
  EXPECT_EQ(quantize_multiplier(0.0).mantissa, 0);
  EXPECT_EQ(quantize_multiplier(1e-12).mantissa, 0);  // below 2^-31: flushed
}

TEST(IntegerMath, MultiplyRoundsAsTfliteDoes) {
  const auto half = quantize_multiplier(0.5);
  // x · 0.5 through the high multiply alone: ties go up.
  EXPECT_EQ(multiply_by_quantized_multiplier(3, half), 2);
  EXPECT_EQ(multiply_by_quantized_multiplier(-3, half), -1);
  EXPECT_EQ(multiply_by_quantized_multiplier(4, half), 2);
  // x · 0.25: mantissa 2^30, shift -1: the high multiply gives x/2 exactly
  // for even x, then the shift rounds half away from zero.
  const auto quarter = quantize_multiplier(0.25);
  EXPECT_EQ(multiply_by_quantized_multiplier(6, quarter), 2);    // 1.5 -> 2
  EXPECT_EQ(multiply_by_quantized_multiplier(-6, quarter), -2);  // -1.5 -> -2
  EXPECT_EQ(multiply_by_quantized_multiplier(10, quarter), 3);   // 2.5 -> 3
  // Left shifts for multipliers of 1 and more.
  EXPECT_EQ(multiply_by_quantized_multiplier(7, quantize_multiplier(3.0)), 21);
  // A general multiplier stays within one step of the real product.
  const auto m = quantize_multiplier(0.0123456);
  for (int32_t x : {1000, -1000, 123456, -98765, 2000000}) {
    EXPECT_NEAR(multiply_by_quantized_multiplier(x, m), x * 0.0123456, 0.5 + 1e-6) << x;
  }
}

TEST(IntegerMath, ActivationRangesOnTheOutputGrid) {
  using A = tfl::ActivationFunctionType;
  const auto none = activation_range(A::NONE, 0.1f, -10, -128, 127);
  ASSERT_TRUE(none);
  EXPECT_EQ(none->low, -128);
  EXPECT_EQ(none->high, 127);
  const auto relu6 = activation_range(A::RELU6, 0.1f, -10, -128, 127);
  ASSERT_TRUE(relu6);
  EXPECT_EQ(relu6->low, -10);  // real 0
  EXPECT_EQ(relu6->high, 50);  // real 6
  EXPECT_FALSE(activation_range(A::TANH, 0.1f, 0, -128, 127));
}

}  // namespace
}  // namespace qs::runtime::kernels::integer
