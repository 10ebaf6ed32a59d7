#pragma once
// The inner loop of statistics collection: one read of a block of values
// yields their min, max, sums, zeros and non-finite count and the histogram
// bin of every non-zero value. Calibration looks at every activation of
// every sample, so this loop costs as much as the model's convolutions
// unless it reads each value once and uses the CPU's full vector width
// (AVX-512 where present, through run-time dispatch: the build itself is
// portable x86-64).
//
// Exact zeros get no bin index: they are counted, and the histogram adds
// them to the bin of 0 in one step (half of a ReLU's output is zero, and a
// run of increments of one counter chains through one memory location).

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>

namespace qs::calib {

inline constexpr size_t kScanBlock = 512;
// Index buffers hold kScanBlock + kScanSlack entries (vector stores may
// write a full vector past the last kept index).
inline constexpr size_t kScanSlack = 16;

// bin(x) = floor(clamp(x · scale, lo, hi)) − origin, with scale = 2^−exponent,
// lo = origin and hi = origin + bins − 1: the grid index of x, counted from
// the window's first bin and clamped to it. Every step is exact in float
// (scaling by a power of two, clamping, and floor of values below 2^24,
// calib/histogram.h), so a value gets the same grid bin whatever window the
// histogram has grown to: histograms built in different orders (workers,
// shards) agree bin for bin.
struct BinWindow {
  float scale = 1;
  float lo = 0;
  float hi = 0;
  int32_t origin = 0;
};

inline int32_t bin_index(float x, const BinWindow& w) {
  const float t = std::min(std::max(x * w.scale, w.lo), w.hi);
  return static_cast<int32_t>(std::floor(t)) - w.origin;
}

struct BlockScan {
  float min = 0;
  float max = 0;
  double s1 = 0;  // Σ (x − shift)
  double s2 = 0;  // Σ (x − shift)²
  uint32_t zeros = 0;
  uint32_t nonfinite = 0;
  size_t indices = 0;  // bin indices written (one per finite non-zero value)
};

// Scans n ≤ kScanBlock values. Bin indices of non-finite values are
// meaningless; callers redo such blocks.
BlockScan scan_block(const float* x, size_t n, float shift, const BinWindow& window, int32_t* index);

// Bin indices of the non-zero values only, for a block scanned under a
// window that did not cover it. Returns how many were written.
size_t bin_block(const float* x, size_t n, const BinWindow& window, int32_t* index);

}  // namespace qs::calib
