// The growing histogram and the running statistics (core/calib). Every
// check compares against a brute-force count or formula computed here, on
// values chosen so the bin of each is known exactly (multiples of 1/64).

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <map>
#include <random>
#include <vector>

#include "calib/histogram.h"
#include "calib/tensor_statistics.h"

namespace qs::calib {
namespace {

constexpr int kBins = Histogram::kBins;

// Counts per grid bin of width 2^e, by definition: bin k holds [k·w, (k+1)·w).
std::map<int64_t, uint64_t> brute_force(const std::vector<float>& values, int e) {
  std::map<int64_t, uint64_t> bins;
  for (float v : values) ++bins[static_cast<int64_t>(std::floor(std::ldexp(static_cast<double>(v), -e)))];
  return bins;
}

std::map<int64_t, uint64_t> occupied(const Histogram& h) {
  std::map<int64_t, uint64_t> bins;
  for (int i = 0; i < kBins; ++i) {
    if (h.counts()[static_cast<size_t>(i)] != 0) bins[h.origin() + i] = h.counts()[static_cast<size_t>(i)];
  }
  return bins;
}

void add(Histogram& h, const std::vector<float>& v) {
  float lo = v[0], hi = v[0];
  for (float x : v) lo = std::min(lo, x), hi = std::max(hi, x);
  h.add(v, lo, hi);
}

// Dyadic values (k/64) in [lo, hi]: exactly representable, never on a
// rounding edge of any bin of width ≥ 1/64.
std::vector<float> dyadic(size_t n, double lo, double hi, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int64_t> k(static_cast<int64_t>(lo * 64), static_cast<int64_t>(hi * 64));
  std::vector<float> v(n);
  for (float& x : v) x = static_cast<float>(static_cast<double>(k(rng)) / 64.0);
  return v;
}

TEST(CalibHistogram, FirstBatchUsesAtLeastHalfTheBins) {
  Histogram h;
  const auto v = dyadic(100000, -3, 5, 1);
  add(h, v);
  EXPECT_EQ(h.total(), v.size());
  EXPECT_LE(h.lo(), -3.0);
  EXPECT_GT(h.hi(), 5.0);
  // The span of the data covers at least half the window.
  EXPECT_GE(8.0 / (h.hi() - h.lo()), 0.5) << "window " << h.lo() << ".." << h.hi();
  EXPECT_EQ(occupied(h), brute_force(v, h.exponent()));
}

TEST(CalibHistogram, GrowingKeepsEveryCountInItsBin) {
  // Each batch is wider than the last, on both sides: the window slides and
  // doubles several times.
  Histogram h;
  std::vector<float> all;
  double extent = 0.25;
  for (uint32_t batch = 0; batch < 8; ++batch) {
    const auto v = dyadic(20000, batch % 2 ? -extent : -extent / 3, extent, batch + 10);
    add(h, v);
    all.insert(all.end(), v.begin(), v.end());
    extent *= 2.7;
    ASSERT_EQ(h.total(), all.size());
    // After any growth, the counts are exactly the brute-force counts at
    // the current width: rebinning merged bins and lost nothing.
    ASSERT_EQ(occupied(h), brute_force(all, h.exponent())) << "after batch " << batch;
  }
  // Still a useful resolution: the data spans at least a quarter of the window.
  const auto [lo, hi] = std::minmax_element(all.begin(), all.end());
  EXPECT_GE((*hi - *lo) / (h.hi() - h.lo()), 0.25);
}

TEST(CalibHistogram, MergingHistogramsOfDifferentRangesIsExact) {
  Histogram a, b, c;
  const auto va = dyadic(50000, -1, 1, 3);    // narrow: fine bins
  const auto vb = dyadic(50000, 10, 200, 4);  // wide, far away
  const auto vc = dyadic(50000, -0.5, 0.75, 5);
  add(a, va);
  add(b, vb);
  add(c, vc);
  Histogram merged = a;
  merged.merge(b);
  merged.merge(c);
  std::vector<float> all = va;
  all.insert(all.end(), vb.begin(), vb.end());
  all.insert(all.end(), vc.begin(), vc.end());
  EXPECT_EQ(merged.total(), all.size());
  EXPECT_EQ(occupied(merged), brute_force(all, merged.exponent()));
  // Merging in another order gives the same histogram.
  Histogram other = c;
  other.merge(b);
  other.merge(a);
  EXPECT_EQ(other.exponent(), merged.exponent());
  EXPECT_EQ(occupied(other), occupied(merged));
}

TEST(CalibHistogram, ConstantDataThenRealData) {
  Histogram h;
  const std::vector<float> zeros(1000, 0.0f);
  add(h, zeros);
  EXPECT_EQ(h.total(), 1000u);
  const auto v = dyadic(10000, -2, 2, 6);
  add(h, v);
  std::vector<float> all = zeros;
  all.insert(all.end(), v.begin(), v.end());
  EXPECT_EQ(occupied(h), brute_force(all, h.exponent()));
  EXPECT_GE(4.0 / (h.hi() - h.lo()), 0.25);
}

TEST(CalibHistogram, ExtremeMagnitudesUseTheDoublePath) {
  for (double scale : {1e-35, 1e33}) {
    Histogram h;
    std::vector<float> v;
    for (int k = -500; k <= 500; ++k) v.push_back(static_cast<float>(k * scale));
    add(h, v);
    EXPECT_EQ(h.total(), v.size());
    EXPECT_LE(h.lo(), -500 * scale * (1 + 1e-6));
    EXPECT_GE(h.hi(), 500 * scale * (1 - 1e-6));
    EXPECT_EQ(occupied(h), brute_force(v, h.exponent())) << scale;
  }
}

TEST(CalibHistogram, QuantilesOfAUniformDistribution) {
  Histogram h;
  std::vector<float> v;
  for (int i = 0; i < 100000; ++i) v.push_back(static_cast<float>(i) / 100000.0f * 10.0f);  // [0, 10)
  add(h, v);
  EXPECT_NEAR(h.quantile(0.5), 5.0, 0.01);
  EXPECT_NEAR(h.quantile(0.99), 9.9, 0.01);
  EXPECT_NEAR(h.count_below(2.5), 25000, 20);
}

TEST(CalibHistogram, SavedFormRestoresTheSameHistogram) {
  Histogram h;
  add(h, dyadic(1000, -5, 3, 7));
  const auto counts = h.counts();
  const Histogram back = Histogram::restore(h.exponent(), h.origin(), {counts.begin(), counts.end()});
  EXPECT_EQ(back.total(), h.total());
  EXPECT_EQ(occupied(back), occupied(h));
}

// TensorStatistics -------------------------------------------------------------

TEST(CalibStatistics, MomentsMatchTwoPassFormulasAcrossObservationsAndMerges) {
  std::mt19937 rng(11);
  std::normal_distribution<float> d(1000.0f, 0.5f);  // far from zero: a naive Σx² would cancel
  std::vector<std::vector<float>> batches(6);
  for (auto& b : batches) {
    b.resize(3001);  // not a multiple of the vector width
    for (float& x : b) x = d(rng);
  }
  TensorStatistics one, left, right;
  for (size_t i = 0; i < batches.size(); ++i) {
    one.add(batches[i]);
    (i < 3 ? left : right).add(batches[i]);
  }
  left.merge(right);
  double sum = 0, n = 0;
  double lo = 1e30, hi = -1e30;
  for (const auto& b : batches) {
    for (float x : b) sum += x, n += 1, lo = std::min<double>(lo, x), hi = std::max<double>(hi, x);
  }
  const double mean = sum / n;
  double m2 = 0;
  for (const auto& b : batches) {
    for (float x : b) m2 += (x - mean) * (x - mean);
  }
  for (const TensorStatistics* s : {&one, &left}) {
    EXPECT_EQ(s->count, static_cast<uint64_t>(n));
    EXPECT_EQ(s->min, lo);
    EXPECT_EQ(s->max, hi);
    EXPECT_NEAR(s->mean(), mean, 1e-6);
    EXPECT_NEAR(s->stddev(), std::sqrt(m2 / n), 1e-4 * std::sqrt(m2 / n));
  }
}

TEST(CalibStatistics, MovingAverageFollowsTfliteAndMergesAsOneRun) {
  // TFLite: m_1 = x_1, m_n = 0.95 m_(n-1) + 0.05 x_n, over per-observation extremes.
  const std::vector<std::vector<float>> batches = {{1, 2, 3}, {-4, 0, 8}, {0.5f, 2}, {-1, 10, 3}, {2, 2}};
  double tf_min = 0, tf_max = 0;
  TensorStatistics all, first, second;
  for (size_t i = 0; i < batches.size(); ++i) {
    const auto [lo, hi] = std::minmax_element(batches[i].begin(), batches[i].end());
    tf_min = i == 0 ? *lo : 0.95 * tf_min + 0.05 * *lo;
    tf_max = i == 0 ? *hi : 0.95 * tf_max + 0.05 * *hi;
    all.add(batches[i]);
    (i < 2 ? first : second).add(batches[i]);
  }
  EXPECT_NEAR(all.average_min.value(), tf_min, 1e-12);
  EXPECT_NEAR(all.average_max.value(), tf_max, 1e-12);
  first.merge(second);
  EXPECT_NEAR(first.average_min.value(), tf_min, 1e-12);
  EXPECT_NEAR(first.average_max.value(), tf_max, 1e-12);
}

TEST(CalibStatistics, ZerosAndNonFiniteValuesAreCountedApart) {
  const float inf = std::numeric_limits<float>::infinity();
  const float nan = std::numeric_limits<float>::quiet_NaN();
  std::vector<float> v(1000, 0.0f);
  for (size_t i = 0; i < v.size(); i += 4) v[i] = static_cast<float>(i) / 8.0f;  // v[0] stays 0
  v[13] = nan;
  v[600] = inf;
  v[999] = -inf;
  TensorStatistics s;
  s.add(v);
  EXPECT_EQ(s.nonfinite, 3u);
  EXPECT_EQ(s.count, 997u);
  // Non-zero finite values: the multiples of 4 from 4 to 996 (249) but for
  // v[600], now inf: 248. Everything else finite is 0.
  EXPECT_EQ(s.zeros, 997u - 248u);
  EXPECT_EQ(s.min, 0.0);
  EXPECT_EQ(s.max, 996.0 / 8.0);
  EXPECT_EQ(s.histogram.total(), 997u);
  EXPECT_TRUE(std::isfinite(s.mean()));
}

// Large observations count through a BinTally, small ones straight into the
// histogram; fed the same values in the same order, both must give the same
// bins (and leave nothing behind for the next tensor).
TEST(CalibStatistics, TalliedAndDirectCountingAgreeBinForBin) {
  std::mt19937 rng(11);
  std::normal_distribution<float> g(0.5f, 2.0f);
  std::vector<std::vector<float>> observations;
  for (size_t n : {50000u, 8192u, 100000u, 20000u}) {
    std::vector<float> v(n);
    // Half ReLU-like zeros, runs of equal values, and a growing range.
    for (size_t i = 0; i < n; ++i)
      v[i] = std::max(0.0f, g(rng)) * static_cast<float>(observations.size() + 1);
    for (size_t i = 0; i + 64 < n; i += 997) std::fill_n(v.begin() + static_cast<ptrdiff_t>(i), 64, 6.0f);
    observations.push_back(std::move(v));
  }
  TensorStatistics tallied, direct;
  for (const auto& v : observations) {
    tallied.add(v);
    // The same blocks, in pieces below the tally threshold.
    for (size_t start = 0; start < v.size(); start += 2048) {
      direct.add({v.data() + start, std::min<size_t>(2048, v.size() - start)});
    }
  }
  EXPECT_EQ(tallied.count, direct.count);
  EXPECT_EQ(tallied.zeros, direct.zeros);
  EXPECT_EQ(tallied.histogram.total(), tallied.count);
  ASSERT_EQ(tallied.histogram.exponent(), direct.histogram.exponent());
  EXPECT_EQ(occupied(tallied.histogram), occupied(direct.histogram));
  uint64_t sum = 0;
  for (uint64_t c : tallied.histogram.counts()) sum += c;
  EXPECT_EQ(sum, tallied.count);
  // A second tensor after the first starts from a clean tally.
  TensorStatistics next;
  next.add(observations[0]);
  TensorStatistics next_direct;
  for (size_t start = 0; start < observations[0].size(); start += 2048) {
    next_direct.add({observations[0].data() + start, std::min<size_t>(2048, observations[0].size() - start)});
  }
  EXPECT_EQ(occupied(next.histogram), occupied(next_direct.histogram));
}

TEST(CalibStatistics, NonFiniteValuesInALargeObservation) {
  std::vector<float> v(10000);
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<float>(i % 7) - 2.0f;
  v[4321] = std::numeric_limits<float>::quiet_NaN();
  v[17] = std::numeric_limits<float>::infinity();
  TensorStatistics s;
  s.add(v);
  EXPECT_EQ(s.nonfinite, 2u);
  EXPECT_EQ(s.count, 9998u);
  EXPECT_EQ(s.histogram.total(), 9998u);
  EXPECT_EQ(s.min, -2.0);
  EXPECT_EQ(s.max, 4.0);
  // i % 7 == 2 gives 0: indices 2, 9, ..., 9998 (1429 of them), one of
  // which (4321) is now NaN.
  EXPECT_EQ(s.zeros, 1428u);
}

// A value's bin must not depend on the window the histogram had when the
// value arrived: the same data in another order (another worker count,
// other shards) gives the same bins. Arbitrary floats, so many lie within
// rounding of some bin edge.
TEST(CalibStatistics, BinsDoNotDependOnTheOrderValuesArriveIn) {
  std::mt19937 rng(5);
  std::normal_distribution<float> g(0.0f, 1.0f);
  std::vector<std::vector<float>> parts;
  for (float scale : {0.01f, 1.0f, 30.0f, 0.5f, 300.0f}) {
    std::vector<float> v(6000);
    for (float& x : v) x = g(rng) * scale + 0.37f * scale;
    parts.push_back(std::move(v));
  }
  TensorStatistics forward, backward;
  for (const auto& v : parts) forward.add(v);
  for (auto it = parts.rbegin(); it != parts.rend(); ++it) backward.add(*it);
  const int e = std::max(forward.histogram.exponent(), backward.histogram.exponent());
  EXPECT_EQ(occupied(forward.histogram.coarsened_to(e)), occupied(backward.histogram.coarsened_to(e)));
}

}  // namespace
}  // namespace qs::calib
