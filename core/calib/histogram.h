#pragma once
// A 2048-bin histogram of float values whose range grows with the data and
// never loses a count.
//
// The bins sit on a fixed grid: bin width w = 2^exponent, and bin k of the
// grid covers [k·w, (k+1)·w). The histogram holds a window of kBins
// consecutive grid bins starting at `origin`. When data falls outside the
// window it first slides (if the occupied bins allow), otherwise the width
// doubles: grid bins 2j and 2j+1 merge exactly into bin j of the coarser
// grid. Because every histogram lives on the same family of grids, two
// histograms merge exactly too: the finer one is coarsened to the other's
// width, then the counts add. No count is ever split between bins, so
// rebinning and merging are exact; the only loss is resolution, and the
// window always spans at least a quarter of its bins with data once
// it has grown (half right after the first batch).
//
// Bins narrower than a float's spacing would hold nothing distinct, so the
// width never drops below 2^-23 of the largest magnitude seen: grid indices
// then stay below 2^24, and binning in float arithmetic (scale by a power of
// two, clamp, floor, calib/value_scan.h) is exact: a value's grid bin does
// not depend on the window the histogram has at the time.

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "calib/value_scan.h"

namespace qs::calib {

class BinTally;

class Histogram {
 public:
  static constexpr int kBins = 2048;

  bool empty() const { return total_ == 0; }
  uint64_t total() const { return total_; }
  int exponent() const { return exponent_; }
  int64_t origin() const { return origin_; }
  double bin_width() const;
  // Lower edge of bin i of the window (i may be kBins: the upper edge).
  double edge(int i) const;
  double lo() const { return edge(0); }
  double hi() const { return edge(kBins); }
  // kBins counts (empty before the first value).
  std::span<const uint64_t> counts() const {
    return counts_.empty() ? std::span<const uint64_t>() : std::span<const uint64_t>(counts_.data(), kBins);
  }

  // Adds finite values whose minimum and maximum the caller knows (from
  // the same pass that feeds running statistics). Non-finite values must
  // not be passed.
  void add(std::span<const float> values, float min, float max);
  // The fused path (calib/value_scan.h): whether the window holds [min, max]
  // at an allowed width, the window in float arithmetic (when
  // has_float_window()), and counting bin indices computed under it plus
  // `zeros` exact zeros.
  bool covers(float min, float max) const;
  bool has_float_window() const;
  BinWindow window() const;
  void count(std::span<const int32_t> bins, uint64_t zeros);
  // Grows the window to hold [min, max] (what add() does first).
  void cover(double min, double max);

  // This histogram at the coarser width 2^exponent (≥ exponent()): what it
  // would hold had it grown that far. Exact.
  Histogram coarsened_to(int exponent) const;

  // Adds every count of `other`.
  void merge(const Histogram& other);

  // Restores a saved histogram (stats files); counts.size() must be kBins.
  static Histogram restore(int exponent, int64_t origin, std::vector<uint64_t> counts);

  // Number of values below `x`, interpolating linearly inside its bin.
  double count_below(double x) const;
  // The value below which a fraction `q` (0..1) of the counts lies.
  double quantile(double q) const;

 private:
  friend class BinTally;
  void coarsen();
  void slide_to(int64_t new_origin);
  int first_occupied() const;
  int last_occupied() const;

  int exponent_ = 0;
  int64_t origin_ = 0;
  uint64_t total_ = 0;
  std::vector<uint64_t> counts_;  // kBins entries (+ scratch) once anything was added
};

// Bin indices counted into four interleaved tables, then added to a
// histogram in one pass over the bins they can have reached. Smooth
// activations and saturated ReLU6 outputs put long runs of values into one
// bin; counted into a single table, each increment waits for the store of
// the previous one to the same counter (about 3x slower on such data here),
// while four tables keep four increments in flight. 32 KiB: one per thread,
// reused for every tensor.
class BinTally {
 public:
  // Indices computed under the window of the histogram this is flushed into.
  void add(std::span<const int32_t> bins, uint64_t zeros);
  // Bins [first, last] may have been counted (from a block's min and max).
  void touch(int first, int last);
  bool empty() const { return last_ < first_ && zeros_ == 0; }
  // Adds the tallied counts to `h` and clears the tally. The window must not
  // have changed since the indices were computed.
  void flush_into(Histogram& h);

 private:
  static constexpr int kTables = 4;
  std::array<uint32_t, kTables * Histogram::kBins> counts_{};
  uint64_t zeros_ = 0;
  uint64_t pending_ = 0;
  int first_ = Histogram::kBins;
  int last_ = -1;
};

}  // namespace qs::calib
