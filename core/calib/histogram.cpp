#include "calib/histogram.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstring>
#include <utility>

#include "calib/value_scan.h"

namespace qs::calib {
namespace {

constexpr int kBins = Histogram::kBins;
// Grid indices stay below 2^24 in magnitude (see the header), which keeps
// float binning exact up to rounding at bin edges.
constexpr int kMantissaBits = 23;
// Outside this exponent range 2^-exponent is not a normal float; such
// data (everything below ~1e-30 or a range above ~1e30) is binned in
// double precision instead.
constexpr int kFloatPathExponent = 100;
// The width for data that is all one value (all zeros, typically): fine
// enough that later data of any useful size still gets full resolution.
constexpr int kZeroExponent = -60;

int64_t floor_div2(int64_t v) { return v >= 0 ? v / 2 : -((-v + 1) / 2); }

// Grid index of `x` at width 2^e: floor(x / 2^e), exact in double.
int64_t grid_index(double x, int e) { return static_cast<int64_t>(std::floor(std::ldexp(x, -e))); }

// Smallest allowed exponent for data of magnitude up to `magnitude`.
int exponent_floor(double magnitude) {
  if (magnitude == 0) return kZeroExponent;
  return std::ilogb(magnitude) + 1 - kMantissaBits;
}

bool fits(double min, double max, int e) { return grid_index(max, e) - grid_index(min, e) + 1 <= kBins; }

void bin_double(std::span<const float> values, int exponent, int64_t origin, uint64_t* counts) {
  for (float v : values) {
    const int64_t k = grid_index(v, exponent) - origin;
    ++counts[std::clamp<int64_t>(k, 0, kBins - 1)];
  }
}

}  // namespace

double Histogram::bin_width() const { return std::ldexp(1.0, exponent_); }

double Histogram::edge(int i) const { return std::ldexp(static_cast<double>(origin_ + i), exponent_); }

int Histogram::first_occupied() const {
  for (int i = 0; i < kBins; ++i) {
    if (counts_[static_cast<size_t>(i)] != 0) return i;
  }
  return kBins;
}

int Histogram::last_occupied() const {
  for (int i = kBins - 1; i >= 0; --i) {
    if (counts_[static_cast<size_t>(i)] != 0) return i;
  }
  return -1;
}

void Histogram::coarsen() {
  std::vector<uint64_t> merged(kBins, 0);
  const int64_t new_origin = floor_div2(origin_);
  for (int i = 0; i < kBins; ++i) {
    const uint64_t c = counts_[static_cast<size_t>(i)];
    if (c == 0) continue;
    merged[static_cast<size_t>(floor_div2(origin_ + i) - new_origin)] += c;
  }
  counts_ = std::move(merged);
  origin_ = new_origin;
  ++exponent_;
}

void Histogram::slide_to(int64_t new_origin) {
  if (new_origin == origin_) return;
  std::vector<uint64_t> moved(kBins, 0);
  for (int i = 0; i < kBins; ++i) {
    const uint64_t c = counts_[static_cast<size_t>(i)];
    if (c == 0) continue;
    const int64_t j = origin_ + i - new_origin;
    assert(j >= 0 && j < kBins);
    moved[static_cast<size_t>(j)] += c;
  }
  counts_ = std::move(moved);
  origin_ = new_origin;
}

void Histogram::cover(double min, double max) {
  if (counts_.empty()) {
    int e = exponent_floor(std::max(std::abs(min), std::abs(max)));
    if (max > min) e = std::max(e, static_cast<int>(std::ceil(std::log2((max - min) / kBins))));
    while (!fits(min, max, e)) ++e;
    exponent_ = e;
    origin_ = grid_index(min, e);
    counts_.assign(kBins, 0);
    return;
  }
  const int floor_e = exponent_floor(std::max(std::abs(min), std::abs(max)));
  while (exponent_ < floor_e) coarsen();
  for (;;) {
    const int first = first_occupied();
    const int last = last_occupied();
    int64_t lo = grid_index(min, exponent_);
    int64_t hi = grid_index(max, exponent_);
    if (first <= last) {
      lo = std::min(lo, origin_ + first);
      hi = std::max(hi, origin_ + last);
    }
    if (hi - lo + 1 <= kBins) {
      if (lo < origin_) {
        slide_to(lo);
      } else if (hi > origin_ + kBins - 1) {
        slide_to(hi - kBins + 1);
      }
      return;
    }
    coarsen();
  }
}

bool Histogram::covers(float min, float max) const {
  return !counts_.empty() && static_cast<double>(min) >= lo() && static_cast<double>(max) < hi() &&
         exponent_ >= exponent_floor(std::max(std::abs(double(min)), std::abs(double(max))));
}

bool Histogram::has_float_window() const {
  return !counts_.empty() && std::abs(exponent_) <= kFloatPathExponent;
}

BinWindow Histogram::window() const {
  return {std::ldexp(1.0f, -exponent_), static_cast<float>(origin_), static_cast<float>(origin_ + kBins - 1),
          static_cast<int32_t>(origin_)};
}

void Histogram::count(std::span<const int32_t> bins, uint64_t zeros) {
  uint64_t* c = counts_.data();
  for (int32_t b : bins) ++c[b];
  if (zeros > 0) counts_[static_cast<size_t>(-origin_)] += zeros;
  total_ += bins.size() + zeros;
}

void Histogram::add(std::span<const float> values, float min, float max) {
  if (values.empty()) return;
  cover(min, max);
  if (!has_float_window()) {
    bin_double(values, exponent_, origin_, counts_.data());
    total_ += values.size();
    return;
  }
  const BinWindow w = window();
  int32_t index[kScanBlock + kScanSlack];
  for (size_t start = 0; start < values.size(); start += kScanBlock) {
    const size_t n = std::min(kScanBlock, values.size() - start);
    const size_t m = bin_block(values.data() + start, n, w, index);
    count({index, m}, n - m);
  }
}

void Histogram::merge(const Histogram& other) {
  if (other.empty()) return;
  if (empty()) {
    *this = other;
    return;
  }
  Histogram theirs = other;
  while (theirs.exponent_ < exponent_) theirs.coarsen();
  while (exponent_ < theirs.exponent_) coarsen();
  // Make room for their occupied bins, then add bin by bin.
  const double their_lo = theirs.edge(theirs.first_occupied());
  const double their_hi = theirs.edge(theirs.last_occupied());
  cover(their_lo, their_hi);
  while (theirs.exponent_ < exponent_) theirs.coarsen();
  for (int i = 0; i < kBins; ++i) {
    const uint64_t c = theirs.counts_[static_cast<size_t>(i)];
    if (c == 0) continue;
    const int64_t j = theirs.origin_ + i - origin_;
    assert(j >= 0 && j < kBins);
    counts_[static_cast<size_t>(j)] += c;
  }
  total_ += theirs.total_;
}

Histogram Histogram::coarsened_to(int exponent) const {
  Histogram h = *this;
  while (!h.counts_.empty() && h.exponent_ < exponent) h.coarsen();
  return h;
}

Histogram Histogram::restore(int exponent, int64_t origin, std::vector<uint64_t> counts) {
  Histogram h;
  h.exponent_ = exponent;
  h.origin_ = origin;
  h.counts_ = std::move(counts);
  for (uint64_t c : h.counts_) h.total_ += c;
  if (h.total_ == 0) h.counts_.clear();
  return h;
}

double Histogram::count_below(double x) const {
  if (empty() || x <= lo()) return 0;
  if (x >= hi()) return static_cast<double>(total_);
  const double position = (x - lo()) / bin_width();
  const int bin = std::min(static_cast<int>(position), kBins - 1);
  double below = 0;
  for (int i = 0; i < bin; ++i) below += static_cast<double>(counts_[static_cast<size_t>(i)]);
  return below + static_cast<double>(counts_[static_cast<size_t>(bin)]) * (position - bin);
}

double Histogram::quantile(double q) const {
  if (empty()) return 0;
  const double target = std::clamp(q, 0.0, 1.0) * static_cast<double>(total_);
  double below = 0;
  for (int i = 0; i < kBins; ++i) {
    const double c = static_cast<double>(counts_[static_cast<size_t>(i)]);
    if (c > 0 && below + c >= target) return edge(i) + bin_width() * (target - below) / c;
    below += c;
  }
  return hi();
}

void BinTally::add(std::span<const int32_t> bins, uint64_t zeros) {
  uint32_t* t0 = counts_.data();
  uint32_t* t1 = t0 + Histogram::kBins;
  uint32_t* t2 = t1 + Histogram::kBins;
  uint32_t* t3 = t2 + Histogram::kBins;
  const size_t n = bins.size();
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    ++t0[bins[i]];
    ++t1[bins[i + 1]];
    ++t2[bins[i + 2]];
    ++t3[bins[i + 3]];
  }
  for (; i < n; ++i) ++t0[bins[i]];
  zeros_ += zeros;
  pending_ += n;
}

void BinTally::touch(int first, int last) {
  first_ = std::min(first_, first);
  last_ = std::max(last_, last);
}

void BinTally::flush_into(Histogram& h) {
  if (empty()) return;
  uint32_t* t = counts_.data();
  constexpr int kB = Histogram::kBins;
  uint64_t* c = h.counts_.data();
  for (int b = first_; b <= last_; ++b) {
    c[b] += static_cast<uint64_t>(t[b]) + t[b + kB] + t[b + 2 * kB] + t[b + 3 * kB];
    t[b] = t[b + kB] = t[b + 2 * kB] = t[b + 3 * kB] = 0;
  }
  if (zeros_ > 0) c[static_cast<size_t>(-h.origin_)] += zeros_;
  h.total_ += pending_ + zeros_;
  zeros_ = pending_ = 0;
  first_ = kB;
  last_ = -1;
}

}  // namespace qs::calib
