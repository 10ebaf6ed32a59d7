#pragma once
// Everything calibration keeps about one float tensor, in memory bounded by
// the histogram: exact min/max, count, zeros and non-finite values, mean and
// variance, TFLite's moving-average min/max, and the histogram.
//
// Every part merges exactly (or, for the moving average, as if the merged
// run had seen the other part's updates after its own), so workers keep
// their own and stats files of separate runs combine.

#include <cstdint>
#include <limits>
#include <span>

#include "calib/histogram.h"

namespace qs::calib {

// TFLite's MovingAverageMinMax keeps this much of the old value per update.
inline constexpr double kMovingAverageKeep = 0.95;

// Mean and variance with Chan et al.'s pairwise merge, in double.
struct Moments {
  uint64_t count = 0;
  double mean = 0;
  double m2 = 0;  // sum of squared deviations from the mean

  double variance() const { return count > 0 ? m2 / static_cast<double>(count) : 0; }
  void merge(const Moments& other);
};

// m_1 = x_1, m_n = c·m_(n-1) + (1 − c)·x_n, kept as the first value and the
// zero-started accumulation a_n = c·a_(n-1) + (1 − c)·x_n (a_1 = (1 − c)·x_1)
// so that m_n = a_n + c^n·x_1, and two runs compose exactly: a = c^(n2)·a1 + a2.
struct MovingAverage {
  uint64_t updates = 0;
  double first = 0;
  double accumulated = 0;

  void update(double x);
  double value() const;
  void merge_after(const MovingAverage& later);
};

struct TensorStatistics {
  uint64_t count = 0;      // finite values seen
  uint64_t zeros = 0;      // of which exactly 0 (representable in every scheme)
  uint64_t nonfinite = 0;  // NaN and ±inf, kept out of everything else
  double min = std::numeric_limits<double>::infinity();
  double max = -std::numeric_limits<double>::infinity();
  Moments moments;
  MovingAverage average_min;  // one update per time the tensor is written
  MovingAverage average_max;
  Histogram histogram;

  // One observation of the tensor (a whole sample's worth of its values).
  void add(std::span<const float> values);
  void merge(const TensorStatistics& other);

  double mean() const { return moments.mean; }
  double stddev() const;
  // E[x²], the signal power SQNR is measured against.
  double mean_square() const { return moments.mean * moments.mean + moments.variance(); }
};

}  // namespace qs::calib
