// Range methods against distributions whose answers are known in closed
// form or from the literature:
//  - uniform: a full-range 8-bit grid has SQNR 20·log10(255) = 48.13 dB,
//    16-bit symmetric 20·log10(2·32767) = 96.33 dB (noise step²/12);
//  - Gaussian: the 99.999th percentile is 4.2649σ; the MSE-optimal clipping
//    of a uniform 8-bit quantiser is 3.92σ (Banner et al., "ACIQ", table 1);
//  - Laplace: the p-quantile is −b·ln(2(1 − p)), 10.82b for p = 0.99999;
//    the MSE-optimal 8-bit clipping is 9.89b (ACIQ).

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "calib/range_methods.h"

namespace qs::calib {
namespace {

TensorStatistics statistics_of(const std::vector<float>& v, size_t batch = 65536) {
  TensorStatistics s;
  for (size_t i = 0; i < v.size(); i += batch) s.add(std::span(v).subspan(i, std::min(batch, v.size() - i)));
  return s;
}

std::vector<float> uniform(size_t n, float lo, float hi, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> d(lo, hi);
  std::vector<float> v(n);
  for (float& x : v) x = d(rng);
  return v;
}

std::vector<float> gaussian(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> d(0.0f, 1.0f);
  std::vector<float> v(n);
  for (float& x : v) x = d(rng);
  return v;
}

std::vector<float> laplace(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::exponential_distribution<float> e(1.0f);
  std::bernoulli_distribution sign(0.5);
  std::vector<float> v(n);
  for (float& x : v) x = sign(rng) ? e(rng) : -e(rng);
  return v;
}

TEST(CalibGrid, FollowsTflitesInt8AndInt16Rules) {
  // [-1, 3]: scale 4/255, zero point round(-128 + 1/(4/255)) = round(-64.25) = -64.
  const QuantGrid g = make_grid(-1, 3, Bits::kInt8);
  EXPECT_DOUBLE_EQ(g.scale, 4.0 / 255.0);
  EXPECT_EQ(g.zero_point, -64);
  // A positive-only range is widened to contain 0: zero point -128.
  const QuantGrid p = make_grid(0.5, 6, Bits::kInt8);
  EXPECT_DOUBLE_EQ(p.scale, 6.0 / 255.0);
  EXPECT_EQ(p.zero_point, -128);
  EXPECT_DOUBLE_EQ(p.lo(), 0.0);
  const QuantGrid s = make_grid(-2, 5, Bits::kInt16);
  EXPECT_DOUBLE_EQ(s.scale, 5.0 / 32767.0);
  EXPECT_EQ(s.zero_point, 0);
}

TEST(CalibRangeMethods, UniformFullRangeHasTheTextbookSqnr) {
  const auto s = statistics_of(uniform(2000000, -1.0f, 1.0f, 1));
  const RangeChoice r8 = choose_range(s, RangeMethod::kMinMax, Bits::kInt8);
  EXPECT_NEAR(r8.lo, -1.0, 1e-5);
  EXPECT_NEAR(r8.hi, 1.0, 1e-5);
  // TFLite's zero point for [-1, 1] is round(-0.5): the grid is shifted by
  // half a step to one side, so the extremes on that side lie outside it,
  // but by less than half a step: they round to its end with no more error
  // than rounding inside, and do not count as clipped.
  const double outside = std::max(0.0, r8.grid.lo() - s.min) + std::max(0.0, s.max - r8.grid.hi());
  EXPECT_GT(outside, 0.0);
  EXPECT_LE(outside, r8.grid.scale / 2 * (1 + 1e-6));
  EXPECT_EQ(r8.clipped, 0.0);
  EXPECT_NEAR(r8.sqnr_db, 20 * std::log10(255.0), 0.1);
  const RangeChoice r16 = choose_range(s, RangeMethod::kMinMax, Bits::kInt16);
  EXPECT_NEAR(r16.sqnr_db, 20 * std::log10(2 * 32767.0), 0.1);
  // Nothing to clip: MSE and entropy keep (nearly) the whole range.
  EXPECT_GT(choose_range(s, RangeMethod::kMse, Bits::kInt8).hi, 0.97);
  EXPECT_GT(choose_range(s, RangeMethod::kEntropy, Bits::kInt8).hi, 0.9);
  // Percentile 99.999: the 0.001% tails of U(-1, 1) start at ±0.99998.
  const RangeChoice p = choose_range(s, RangeMethod::kPercentile, Bits::kInt8);
  EXPECT_NEAR(p.hi, 0.99998, 1e-3);
  EXPECT_NEAR(p.lo, -0.99998, 1e-3);
}

TEST(CalibRangeMethods, GaussianPercentileAndMseMatchTheory) {
  const auto s = statistics_of(gaussian(4000000, 2));
  MethodOptions symmetric;
  symmetric.symmetric_percentile = true;
  const RangeChoice p = choose_range(s, RangeMethod::kPercentile, Bits::kInt8);
  EXPECT_NEAR(p.hi, 4.265, 0.2);
  EXPECT_NEAR(p.lo, -4.265, 0.2);
  // |x| above its 99.999th percentile: two tails of 0.0005% each, at 4.417σ.
  EXPECT_NEAR(choose_range(s, RangeMethod::kPercentile, Bits::kInt8, symmetric).hi, 4.417, 0.2);
  EXPECT_NEAR(p.clipped, 2e-5, 1e-5);
  const RangeChoice mse = choose_range(s, RangeMethod::kMse, Bits::kInt8);
  EXPECT_NEAR(mse.hi, 3.92, 0.3);
  EXPECT_NEAR(mse.lo, -3.92, 0.3);
  // MSE minimises the very error SQNR measures: nothing beats it.
  for (RangeMethod m : kAllMethods) {
    EXPECT_LE(choose_range(s, m, Bits::kInt8).sqnr_db, mse.sqnr_db + 0.05) << method_name(m);
  }
  // 16 bits: the step is so fine that clipping costs more than it saves.
  const RangeChoice mse16 = choose_range(s, RangeMethod::kMse, Bits::kInt16);
  EXPECT_GT(mse16.hi, 0.8 * s.max);
}

TEST(CalibRangeMethods, LaplacePercentileAndMseMatchTheory) {
  const auto s = statistics_of(laplace(4000000, 3));
  const RangeChoice p = choose_range(s, RangeMethod::kPercentile, Bits::kInt8);
  EXPECT_NEAR(p.hi, 10.82, 0.8);
  EXPECT_NEAR(p.lo, -10.82, 0.8);
  const RangeChoice mse = choose_range(s, RangeMethod::kMse, Bits::kInt8);
  EXPECT_NEAR(mse.hi, 9.89, 1.0);
  EXPECT_NEAR(mse.lo, -9.89, 1.0);
}

// The SQNR of really quantising `v` onto `g` and back, with TFLite's
// round-half-away-from-zero and saturation.
double actual_sqnr(const std::vector<float>& v, const QuantGrid& g) {
  double signal = 0, noise = 0;
  for (float x : v) {
    const double q = std::clamp<double>(std::round(x / g.scale) + g.zero_point, g.qmin, g.qmax);
    const double back = (q - g.zero_point) * g.scale;
    signal += double(x) * x;
    noise += (back - x) * (back - x);
  }
  return 10 * std::log10(signal / noise);
}

TEST(CalibRangeMethods, LaplaceWithOutliersPredictionsMatchRealQuantisation) {
  auto v = laplace(2000000, 5);
  for (int i = 0; i < 5; ++i) {
    v.push_back(100.0f);
    v.push_back(-100.0f);
  }
  const auto s = statistics_of(v);
  const RangeChoice minmax = choose_range(s, RangeMethod::kMinMax, Bits::kInt8);
  EXPECT_EQ(minmax.hi, 100.0);
  EXPECT_EQ(minmax.lo, -100.0);
  // The percentile ignores 10 values in 2 million.
  const RangeChoice p = choose_range(s, RangeMethod::kPercentile, Bits::kInt8);
  EXPECT_NEAR(p.hi, 10.82, 0.8);
  const RangeChoice kl = choose_range(s, RangeMethod::kEntropy, Bits::kInt8);
  EXPECT_GT(kl.hi, 4.0);
  EXPECT_LT(kl.hi, 30.0);
  const RangeChoice mse = choose_range(s, RangeMethod::kMse, Bits::kInt8);
  EXPECT_LT(mse.hi, 60.0);  // the outliers are clipped ...
  EXPECT_GT(mse.hi, 12.0);  // ... but they weigh enough to keep more than the Laplace optimum
  // Predicted SQNR agrees with what quantising the data really gives, and
  // the MSE range is the best of all in reality too.
  const double best = actual_sqnr(v, mse.grid);
  for (RangeMethod m : kAllMethods) {
    const RangeChoice r = choose_range(s, m, Bits::kInt8);
    const double real = actual_sqnr(v, r.grid);
    EXPECT_NEAR(r.sqnr_db, real, 0.5) << method_name(m);
    EXPECT_LE(real, best + 0.1) << method_name(m);
  }
  EXPECT_GT(best, actual_sqnr(v, minmax.grid) + 1);
}

TEST(CalibRangeMethods, ReluOutputsKeepTheirZerosExact) {
  // Half exact zeros, half |N(0,1)|: zeros are representable, so they add no
  // noise, and the range starts at 0.
  auto v = gaussian(1000000, 4);
  for (float& x : v) x = std::max(0.0f, x);
  const auto s = statistics_of(v);
  EXPECT_NEAR(static_cast<double>(s.zeros) / static_cast<double>(s.count), 0.5, 0.01);
  const RangeChoice r = choose_range(s, RangeMethod::kMinMax, Bits::kInt8);
  EXPECT_EQ(r.lo, 0.0);
  EXPECT_EQ(r.grid.zero_point, -128);
  // Noise only on the non-zero half: step²/12 · 0.5; signal E[x²] = 0.5.
  const double step = s.max / 255.0;
  EXPECT_NEAR(r.sqnr_db, 10 * std::log10(0.5 / (0.5 * step * step / 12)), 0.2);
  EXPECT_EQ(choose_range(s, RangeMethod::kEntropy, Bits::kInt8).lo, 0.0);
}

TEST(CalibRangeMethods, MovingAverageUsesTheRecordedAverages) {
  TensorStatistics s;
  for (int i = 0; i < 50; ++i) {
    std::vector<float> batch = {-1.0f, 1.0f};
    if (i == 0) batch.push_back(40.0f);  // one early outlier
    s.add(batch);
  }
  const RangeChoice r = choose_range(s, RangeMethod::kMovingAverage, Bits::kInt8);
  // 40 then 49 updates of 1: 1 + 39·0.95^49.
  EXPECT_NEAR(r.hi, 1 + 39 * std::pow(0.95, 49), 1e-9);
  EXPECT_NEAR(r.lo, -1.0, 1e-12);
  EXPECT_GT(r.clipped, 0);
}

TEST(CalibRangeMethods, NamesRoundTrip) {
  for (RangeMethod m : kAllMethods) EXPECT_EQ(parse_method(method_name(m)), m);
  EXPECT_EQ(parse_method("kl"), RangeMethod::kEntropy);
  EXPECT_FALSE(parse_method("median"));
}

TEST(CalibRangeMethods, EmptyStatisticsGiveAnEmptyRange) {
  const TensorStatistics s;
  const RangeChoice r = choose_range(s, RangeMethod::kMse, Bits::kInt8);
  EXPECT_EQ(r.lo, 0.0);
  EXPECT_EQ(r.hi, 0.0);
}

}  // namespace
}  // namespace qs::calib
