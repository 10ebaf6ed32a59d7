#include "calib/tensor_statistics.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "calib/value_scan.h"

namespace qs::calib {
namespace {

// What one observation adds, before it is merged in.
struct Observation {
  float min = std::numeric_limits<float>::infinity();
  float max = -std::numeric_limits<float>::infinity();
  uint64_t count = 0;
  uint64_t zeros = 0;
  uint64_t nonfinite = 0;
  double s1 = 0;
  double s2 = 0;

  void add(const BlockScan& b, size_t n) {
    min = std::min(min, b.min);
    max = std::max(max, b.max);
    count += n - b.nonfinite;
    zeros += b.zeros;
    nonfinite += b.nonfinite;
    s1 += b.s1;
    s2 += b.s2;
  }
};

// Below this many values per observation, counting straight into the
// histogram is cheaper than clearing the tally's bins afterwards.
constexpr size_t kTallyMin = 4096;

// A block holding NaN or ±inf: its finite values, packed.
size_t finite_values(const float* x, size_t n, float* out) {
  size_t m = 0;
  for (size_t i = 0; i < n; ++i) {
    if (std::isfinite(x[i])) out[m++] = x[i];
  }
  return m;
}

}  // namespace

void Moments::merge(const Moments& other) {
  if (other.count == 0) return;
  if (count == 0) {
    *this = other;
    return;
  }
  const double n1 = static_cast<double>(count);
  const double n2 = static_cast<double>(other.count);
  const double n = n1 + n2;
  const double delta = other.mean - mean;
  mean += delta * n2 / n;
  m2 += other.m2 + delta * delta * n1 * n2 / n;
  count += other.count;
}

void MovingAverage::update(double x) {
  if (updates == 0) first = x;
  accumulated = kMovingAverageKeep * accumulated + (1 - kMovingAverageKeep) * x;
  ++updates;
}

double MovingAverage::value() const {
  if (updates == 0) return 0;
  return accumulated + std::pow(kMovingAverageKeep, static_cast<double>(updates)) * first;
}

void MovingAverage::merge_after(const MovingAverage& later) {
  if (later.updates == 0) return;
  if (updates == 0) {
    *this = later;
    return;
  }
  accumulated =
      std::pow(kMovingAverageKeep, static_cast<double>(later.updates)) * accumulated + later.accumulated;
  updates += later.updates;
}

void TensorStatistics::add(std::span<const float> values) {
  if (values.empty()) return;
  // Sums are taken relative to the first value so the variance does not
  // cancel catastrophically for data far from zero.
  const float shift = std::isfinite(values[0]) ? values[0] : 0.0f;
  Observation seen;
  int32_t index[kScanBlock + kScanSlack];
  float finite[kScanBlock];
  static thread_local BinTally tally;
  const bool tallied = values.size() >= kTallyMin;
  for (size_t start = 0; start < values.size(); start += kScanBlock) {
    const float* x = values.data() + start;
    size_t n = std::min(kScanBlock, values.size() - start);
    BlockScan b =
        scan_block(x, n, shift, histogram.has_float_window() ? histogram.window() : BinWindow{}, index);
    if (b.nonfinite > 0) {
      // Rare: keep NaN/inf out of every other statistic.
      const uint32_t bad = b.nonfinite;
      const size_t total = n;
      n = finite_values(x, n, finite);
      x = finite;
      b = scan_block(x, n, shift, histogram.has_float_window() ? histogram.window() : BinWindow{}, index);
      b.nonfinite = bad;
      seen.add(b, total);
    } else {
      seen.add(b, n);
    }
    if (n == 0) continue;
    if (!histogram.covers(b.min, b.max) || !histogram.has_float_window()) {
      // The data left the window (early samples, mostly): grow it and bin
      // this block again.
      tally.flush_into(histogram);
      histogram.cover(b.min, b.max);
      if (!histogram.has_float_window()) {
        histogram.add({x, n}, b.min, b.max);
        continue;
      }
      b.indices = bin_block(x, n, histogram.window(), index);
    }
    if (tallied) {
      tally.add({index, b.indices}, n - b.indices);
      if (b.indices > 0) {
        // Bins are monotone in the value: every index of the block lies
        // between those of its min and max.
        const BinWindow w = histogram.window();
        tally.touch(bin_index(b.min, w), bin_index(b.max, w));
      }
    } else {
      histogram.count({index, b.indices}, n - b.indices);
    }
  }
  tally.flush_into(histogram);
  nonfinite += seen.nonfinite;
  if (seen.count == 0) return;
  const auto n = static_cast<double>(seen.count);
  Moments batch;
  batch.count = seen.count;
  batch.mean = shift + seen.s1 / n;
  batch.m2 = std::max(0.0, seen.s2 - seen.s1 * seen.s1 / n);
  moments.merge(batch);
  count += seen.count;
  zeros += seen.zeros;
  min = std::min(min, static_cast<double>(seen.min));
  max = std::max(max, static_cast<double>(seen.max));
  average_min.update(seen.min);
  average_max.update(seen.max);
}

void TensorStatistics::merge(const TensorStatistics& other) {
  count += other.count;
  zeros += other.zeros;
  nonfinite += other.nonfinite;
  min = std::min(min, other.min);
  max = std::max(max, other.max);
  moments.merge(other.moments);
  average_min.merge_after(other.average_min);
  average_max.merge_after(other.average_max);
  histogram.merge(other.histogram);
}

double TensorStatistics::stddev() const { return std::sqrt(moments.variance()); }

}  // namespace qs::calib
