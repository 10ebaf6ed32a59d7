#include "inspect/tensor_stats.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>

namespace qs::inspect {

// Data is little-endian in the file and read here with plain loads.
static_assert(std::endian::native == std::endian::little,
              "tensor_stats reads little-endian data with native loads");

namespace {

using format::TensorType;

constexpr double kInf = std::numeric_limits<double>::infinity();
// Elements decoded at a time: two buffers of doubles stay in L1/L2.
constexpr size_t kChunk = 2048;

// Lookup tables for the small float formats, built once (thread-safe).
const std::array<float, 65536>& half_table() {
  static const auto table = [] {
    std::array<float, 65536> t{};
    for (uint32_t i = 0; i < t.size(); ++i) t[i] = half_to_float(static_cast<uint16_t>(i));
    return t;
  }();
  return table;
}

const std::array<float, 256>& e4m3_table() {
  static const auto table = [] {
    std::array<float, 256> t{};
    for (uint32_t i = 0; i < t.size(); ++i) t[i] = float8_e4m3fn_to_float(static_cast<uint8_t>(i));
    return t;
  }();
  return table;
}

const std::array<float, 256>& e5m2_table() {
  static const auto table = [] {
    std::array<float, 256> t{};
    for (uint32_t i = 0; i < t.size(); ++i) t[i] = float8_e5m2_to_float(static_cast<uint8_t>(i));
    return t;
  }();
  return table;
}

template <class T>
void decode_plain(const uint8_t* bytes, uint64_t first, double* out, size_t n) {
  const uint8_t* p = bytes + first * sizeof(T);
  for (size_t i = 0; i < n; ++i) {
    T value;
    std::memcpy(&value, p + i * sizeof(T), sizeof(T));
    out[i] = static_cast<double>(value);
  }
}

template <size_t N>
void decode_table8(const std::array<float, N>& table, const uint8_t* bytes, uint64_t first, double* out,
                   size_t n) {
  const uint8_t* p = bytes + first;
  for (size_t i = 0; i < n; ++i) out[i] = static_cast<double>(table[p[i]]);
}

void decode_half(const uint8_t* bytes, uint64_t first, double* out, size_t n) {
  const auto& table = half_table();
  const uint8_t* p = bytes + first * 2;
  for (size_t i = 0; i < n; ++i) {
    uint16_t h;
    std::memcpy(&h, p + i * 2, 2);
    out[i] = static_cast<double>(table[h]);
  }
}

void decode_bfloat16(const uint8_t* bytes, uint64_t first, double* out, size_t n) {
  const uint8_t* p = bytes + first * 2;
  for (size_t i = 0; i < n; ++i) {
    uint16_t h;
    std::memcpy(&h, p + i * 2, 2);
    out[i] = static_cast<double>(bfloat16_to_float(h));
  }
}

// Sub-byte integers: `per_byte` elements of `bits` bits, lowest bits first.
void decode_packed(const uint8_t* bytes, uint64_t first, double* out, size_t n, unsigned bits, bool is_signed) {
  const unsigned per_byte = 8 / bits;
  const unsigned mask = (1u << bits) - 1u;
  const unsigned shift_back = 32 - bits;
  for (size_t i = 0; i < n; ++i) {
    const uint64_t e = first + i;
    const unsigned raw = (static_cast<unsigned>(bytes[e / per_byte]) >> ((e % per_byte) * bits)) & mask;
    if (is_signed) {
      // Move the field's sign bit to bit 31, then shift back arithmetically.
      out[i] = static_cast<double>(static_cast<int32_t>(raw << shift_back) >> shift_back);
    } else {
      out[i] = static_cast<double>(raw);
    }
  }
}

void decode_bool(const uint8_t* bytes, uint64_t first, double* out, size_t n) {
  const uint8_t* p = bytes + first;
  for (size_t i = 0; i < n; ++i) out[i] = p[i] != 0 ? 1.0 : 0.0;
}

// Assumes the type is numeric and the range inside `data` (checked by callers).
void decode_unchecked(TensorType type, const uint8_t* bytes, uint64_t first, double* out, size_t n) {
  switch (type) {
    case TensorType::FLOAT32: return decode_plain<float>(bytes, first, out, n);
    case TensorType::FLOAT64: return decode_plain<double>(bytes, first, out, n);
    case TensorType::FLOAT16: return decode_half(bytes, first, out, n);
    case TensorType::BFLOAT16: return decode_bfloat16(bytes, first, out, n);
    case TensorType::FLOAT8_E4M3FN: return decode_table8(e4m3_table(), bytes, first, out, n);
    case TensorType::FLOAT8_E5M2: return decode_table8(e5m2_table(), bytes, first, out, n);
    case TensorType::INT8: return decode_plain<int8_t>(bytes, first, out, n);
    case TensorType::UINT8: return decode_plain<uint8_t>(bytes, first, out, n);
    case TensorType::INT16: return decode_plain<int16_t>(bytes, first, out, n);
    case TensorType::UINT16: return decode_plain<uint16_t>(bytes, first, out, n);
    case TensorType::INT32: return decode_plain<int32_t>(bytes, first, out, n);
    case TensorType::UINT32: return decode_plain<uint32_t>(bytes, first, out, n);
    case TensorType::INT64: return decode_plain<int64_t>(bytes, first, out, n);
    case TensorType::UINT64: return decode_plain<uint64_t>(bytes, first, out, n);
    case TensorType::BOOL: return decode_bool(bytes, first, out, n);
    case TensorType::INT4: return decode_packed(bytes, first, out, n, 4, true);
    case TensorType::UINT4: return decode_packed(bytes, first, out, n, 4, false);
    case TensorType::INT2: return decode_packed(bytes, first, out, n, 2, true);
    default: return;
  }
}

bool is_nonfinite(double x) { return (x - x) != 0.0; }  // NaN or ±inf; no library call

// Pass 1: range, sum, zeros and non-finite counts.
struct RangeAcc {
  double min = kInf;
  double max = -kInf;
  double sum = 0;
  uint64_t count = 0;
  uint64_t finite = 0;
  uint64_t zeros = 0;
  uint64_t nan = 0;
  uint64_t pos_inf = 0;
  uint64_t neg_inf = 0;
};

void accumulate_careful(const double* v, size_t n, RangeAcc& a) {
  for (size_t i = 0; i < n; ++i) {
    const double x = v[i];
    if (std::isnan(x)) {
      ++a.nan;
    } else if (std::isinf(x)) {
      ++(x > 0 ? a.pos_inf : a.neg_inf);
    } else {
      a.min = std::min(a.min, x);
      a.max = std::max(a.max, x);
      a.sum += x;
      ++a.finite;
      a.zeros += x == 0.0 ? 1 : 0;
    }
  }
  a.count += n;
}

// Two independent chains of each accumulator, spelled out so that even -O2
// keeps them in registers (paired in vector registers) without
// reassociating floating-point sums. A chunk that holds any NaN or infinity
// is redone the careful way.
void accumulate_range(const double* v, size_t n, RangeAcc& a) {
  double mn0 = kInf, mn1 = kInf;
  double mx0 = -kInf, mx1 = -kInf;
  double s0 = 0, s1 = 0;
  // Counted in doubles: exact far beyond any chunk, and it keeps the loop
  // in one register file.
  double z0 = 0, z1 = 0;
  double bad0 = 0, bad1 = 0;
  size_t i = 0;
  for (; i + 2 <= n; i += 2) {
    const double x0 = v[i], x1 = v[i + 1];
    mn0 = x0 < mn0 ? x0 : mn0;
    mn1 = x1 < mn1 ? x1 : mn1;
    mx0 = x0 > mx0 ? x0 : mx0;
    mx1 = x1 > mx1 ? x1 : mx1;
    s0 += x0;
    s1 += x1;
    z0 += x0 == 0.0 ? 1.0 : 0.0;
    z1 += x1 == 0.0 ? 1.0 : 0.0;
    // x - x is 0 for finite x and NaN otherwise: summing it keeps a NaN.
    bad0 += x0 - x0;
    bad1 += x1 - x1;
  }
  if (i < n) {
    const double x = v[i];
    mn0 = x < mn0 ? x : mn0;
    mx0 = x > mx0 ? x : mx0;
    s0 += x;
    z0 += x == 0.0 ? 1.0 : 0.0;
    bad0 += x - x;
  }
  if (bad0 + bad1 != 0.0) {  // NaN compares unequal to everything
    accumulate_careful(v, n, a);
    return;
  }
  a.min = std::min({a.min, mn0, mn1});
  a.max = std::max({a.max, mx0, mx1});
  a.zeros += static_cast<uint64_t>(z0 + z1);
  a.sum += s0 + s1;
  a.count += n;
  a.finite += n;
}

// Where the histogram bins go, fixed after pass 1.
struct BinSpec {
  double lo = 0;
  double width = 0;
  double inv_width = 0;  // 0 when width is 0: everything lands in bin 0
  size_t bins = 0;
};

// Equal bins over [min, max].
BinSpec float_bins(double min, double max, size_t bins) {
  BinSpec b;
  if (!(min <= max)) return b;  // no finite values
  b.lo = min;
  b.width = (max - min) / static_cast<double>(bins);
  if (b.width > 0 && std::isfinite(b.width)) {
    b.bins = bins;
    b.inv_width = 1.0 / b.width;
  } else {
    b.bins = 1;
    b.width = 0;
  }
  return b;
}

// Bins of a whole number of integers each, edges half-way between them, so
// no bin holds one more distinct value than its neighbour (a comb pattern).
BinSpec integer_bins(double min, double max, size_t bins) {
  BinSpec b;
  if (!(min <= max)) return b;
  const double span = max - min + 1;  // distinct values in [min, max]
  const double per_bin = std::max(1.0, std::ceil(span / static_cast<double>(bins)));
  b.lo = min - 0.5;
  b.width = per_bin;
  b.inv_width = 1.0 / per_bin;
  b.bins = static_cast<size_t>(std::ceil(span / per_bin));
  b.bins = std::clamp<size_t>(b.bins, 1, bins);
  return b;
}

// Pass 2: squared deviations from the mean, and the histogram.
struct SpreadAcc {
  double sum_sq = 0;
  std::vector<uint64_t> counts;  // bins
  // Streaming path: four interleaved copies of the histogram, so runs of
  // equal bins do not wait on each other's increments. Folded into
  // `counts` by finish_spread().
  std::vector<uint64_t> lanes;

  void reset(size_t bins) {
    counts.assign(bins, 0);
    lanes.clear();
  }
};

constexpr size_t kLanes = 4;

// `all_finite`: pass 1 saw no NaN or infinity anywhere, so no value needs
// checking here.
void accumulate_spread(const double* v, size_t n, double mean, const BinSpec& spec, bool all_finite,
                       SpreadAcc& a) {
  const size_t bins = spec.bins;
  if (bins == 0 || n == 0) return;
  if (a.lanes.empty()) a.lanes.assign(kLanes * bins, 0);
  const double last = static_cast<double>(bins - 1);
  const double lo = spec.lo, inv = spec.inv_width;

  if (!all_finite) {
    double ss = 0;
    for (size_t i = 0; i < n; ++i) {
      const double x = v[i];
      if (is_nonfinite(x)) continue;
      const double d = x - mean;
      ss += d * d;
      ++a.lanes[static_cast<size_t>(std::clamp((x - lo) * inv, 0.0, last))];
    }
    a.sum_sq += ss;
    return;
  }

  // Bin indices and squares first (four independent chains), then the
  // scatter into four copies of the histogram.
  uint32_t index[kChunk];
  double ss0 = 0, ss1 = 0, ss2 = 0, ss3 = 0;
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    const double x0 = v[i], x1 = v[i + 1], x2 = v[i + 2], x3 = v[i + 3];
    const double d0 = x0 - mean, d1 = x1 - mean, d2 = x2 - mean, d3 = x3 - mean;
    ss0 += d0 * d0;
    ss1 += d1 * d1;
    ss2 += d2 * d2;
    ss3 += d3 * d3;
    index[i] = static_cast<uint32_t>(std::clamp((x0 - lo) * inv, 0.0, last));
    index[i + 1] = static_cast<uint32_t>(std::clamp((x1 - lo) * inv, 0.0, last));
    index[i + 2] = static_cast<uint32_t>(std::clamp((x2 - lo) * inv, 0.0, last));
    index[i + 3] = static_cast<uint32_t>(std::clamp((x3 - lo) * inv, 0.0, last));
  }
  for (; i < n; ++i) {
    const double d = v[i] - mean;
    ss0 += d * d;
    index[i] = static_cast<uint32_t>(std::clamp((v[i] - lo) * inv, 0.0, last));
  }
  uint64_t* l0 = a.lanes.data();
  uint64_t* l1 = l0 + bins;
  uint64_t* l2 = l1 + bins;
  uint64_t* l3 = l2 + bins;
  i = 0;
  for (; i + kLanes <= n; i += kLanes) {
    ++l0[index[i]];
    ++l1[index[i + 1]];
    ++l2[index[i + 2]];
    ++l3[index[i + 3]];
  }
  for (; i < n; ++i) ++l0[index[i]];
  a.sum_sq += (ss0 + ss1) + (ss2 + ss3);
}

ValueStats finish(const RangeAcc& r) {
  ValueStats s;
  s.count = r.count;
  s.finite = r.finite;
  s.nan = r.nan;
  s.pos_inf = r.pos_inf;
  s.neg_inf = r.neg_inf;
  s.zeros = r.zeros;
  if (r.finite > 0) {
    s.min = r.min;
    s.max = r.max;
    s.mean = r.sum / static_cast<double>(r.finite);
    // A mean from rounded sums can drift a hair outside the range.
    s.mean = std::clamp(s.mean, s.min, s.max);
  }
  return s;
}

void finish_spread(ValueStats& s, const SpreadAcc& a, const BinSpec& spec) {
  if (s.finite > 0) s.stddev = std::sqrt(a.sum_sq / static_cast<double>(s.finite));
  s.histogram.lo = spec.lo;
  s.histogram.width = spec.width;
  s.histogram.counts = a.counts;
  if (!a.lanes.empty() && spec.bins > 0)
    for (size_t b = 0; b < a.lanes.size(); ++b) s.histogram.counts[b % spec.bins] += a.lanes[b];
}

// How element positions map to quantization channels: elements come in
// runs of `inner` sharing a channel, and channels repeat every `channels`
// runs. Per-tensor quantization is one channel with one long run.
struct ChannelLayout {
  uint64_t inner = 1;
  size_t channels = 1;
};

template <class Fn>
void for_each_run(const ChannelLayout& layout, uint64_t first, size_t n, Fn&& fn) {
  uint64_t k = first % layout.inner;
  size_t c = static_cast<size_t>((first / layout.inner) % layout.channels);
  size_t i = 0;
  while (i < n) {
    const size_t run = static_cast<size_t>(std::min<uint64_t>(n - i, layout.inner - k));
    fn(i, run, c);
    i += run;
    k = 0;
    if (++c == layout.channels) c = 0;
  }
}

struct Dequant {
  ChannelLayout layout;
  std::vector<double> scale;
  std::vector<double> zero_point;
};

// The dequantization the tensor's parameters describe, or a reason why not.
std::optional<Dequant> plan_dequant(TensorType type, std::span<const int32_t> shape, uint64_t elements,
                                    const format::Quantization& q, std::string& note) {
  if (q.scale.empty()) return std::nullopt;
  if (!is_integer(type)) {
    note = "scales on a " + format::type_name(type) + " tensor: not dequantized";
    return std::nullopt;
  }
  const size_t channels = q.scale.size();
  if (!q.zero_point.empty() && q.zero_point.size() != 1 && q.zero_point.size() != channels) {
    note = cat(channels, " scales but ", q.zero_point.size(), " zero points: not dequantized");
    return std::nullopt;
  }
  Dequant d;
  d.layout.channels = channels;
  d.layout.inner = std::max<uint64_t>(elements, 1);
  if (channels > 1) {
    const int32_t dim = q.quantized_dimension;
    if (dim < 0 || static_cast<size_t>(dim) >= shape.size()) {
      note = cat(channels, " scales along dimension ", dim, ", which a tensor of rank ", shape.size(),
                 " does not have: not dequantized");
      return std::nullopt;
    }
    if (shape[static_cast<size_t>(dim)] < 0 || static_cast<size_t>(shape[static_cast<size_t>(dim)]) != channels) {
      note = cat(channels, " scales, but dimension ", dim, " has ", shape[static_cast<size_t>(dim)],
                 " entries: not dequantized");
      return std::nullopt;
    }
    d.layout.inner = 1;
    for (size_t i = static_cast<size_t>(dim) + 1; i < shape.size(); ++i)
      d.layout.inner *= static_cast<uint64_t>(shape[i]);
    d.layout.inner = std::max<uint64_t>(d.layout.inner, 1);
  }
  d.scale.resize(channels);
  d.zero_point.resize(channels);
  for (size_t c = 0; c < channels; ++c) {
    d.scale[c] = static_cast<double>(q.scale[c]);
    d.zero_point[c] = q.zero_point.empty() ? 0.0
                      : q.zero_point.size() == 1 ? static_cast<double>(q.zero_point[0])
                                                 : static_cast<double>(q.zero_point[c]);
  }
  return d;
}

size_t bin_of(const BinSpec& spec, double x) {
  const double t = std::clamp((x - spec.lo) * spec.inv_width, 0.0, static_cast<double>(spec.bins - 1));
  return static_cast<size_t>(t);
}

// (value, how many times) accumulation, for the counting path below.
void add_weighted(RangeAcc& a, double x, uint64_t w) {
  a.count += w;
  if (std::isnan(x)) {
    a.nan += w;
  } else if (std::isinf(x)) {
    (x > 0 ? a.pos_inf : a.neg_inf) += w;
  } else {
    a.min = std::min(a.min, x);
    a.max = std::max(a.max, x);
    a.sum += x * static_cast<double>(w);
    a.finite += w;
    if (x == 0.0) a.zeros += w;
  }
}

void spread_weighted(SpreadAcc& a, const BinSpec& spec, double mean, double x, uint64_t w) {
  if (is_nonfinite(x) || spec.bins == 0) return;
  const double d = x - mean;
  a.sum_sq += d * d * static_cast<double>(w);
  a.counts[bin_of(spec, x)] += w;
}

// The small integer types have few distinct codes: 256 for the byte types,
// 16 for 4-bit, 4 for 2-bit; 0 for the others.
size_t code_count(TensorType type) {
  switch (type) {
    case TensorType::INT8:
    case TensorType::UINT8:
    case TensorType::BOOL:
      return 256;
    case TensorType::INT4:
    case TensorType::UINT4:
      return 16;
    case TensorType::INT2:
      return 4;
    default:
      return 0;
  }
}

double code_value(TensorType type, unsigned code) {
  switch (type) {
    case TensorType::INT8: return static_cast<double>(static_cast<int8_t>(static_cast<uint8_t>(code)));
    case TensorType::BOOL: return code != 0 ? 1.0 : 0.0;
    case TensorType::INT4: return static_cast<double>(static_cast<int32_t>(code << 28) >> 28);
    case TensorType::INT2: return static_cast<double>(static_cast<int32_t>(code << 30) >> 30);
    default: return static_cast<double>(code);
  }
}

// Counting tables beyond this many entries (channels × codes) cost more
// memory than they save time; such tensors take the streaming path.
constexpr size_t kMaxCountTable = size_t{1} << 22;

bool can_count(TensorType type, uint64_t elements, const std::optional<Dequant>& dq) {
  const size_t codes = code_count(type);
  if (codes == 0 || elements >= (uint64_t{1} << 32)) return false;  // uint32 counters
  const size_t channels = dq ? dq->layout.channels : 1;
  return channels <= kMaxCountTable / codes;
}

// Small integer types: one pass counts how often each code occurs in each
// channel; every figure (exact sums, histograms, channel ranges) then comes
// from the table, whatever the tensor's size.
void count_stats(TensorType type, const uint8_t* bytes, uint64_t n, const std::optional<Dequant>& dq,
                 size_t bins, TensorStats& stats) {
  const size_t codes = code_count(type);
  const ChannelLayout layout = dq ? dq->layout : ChannelLayout{std::max<uint64_t>(n, 1), 1};
  std::vector<uint32_t> table(layout.channels * codes, 0);
  uint32_t* const t0 = table.data();

  if (codes == 256 && layout.inner == 1 && layout.channels > 1) {
    // Channels along the last dimension: consecutive bytes, consecutive channels.
    size_t c = 0;
    for (uint64_t i = 0; i < n; ++i) {
      ++t0[c * 256 + bytes[i]];
      if (++c == layout.channels) c = 0;
    }
  } else if (codes == 256) {
    for_each_run(layout, 0, static_cast<size_t>(n), [&](size_t at, size_t run, size_t c) {
      uint32_t* t = t0 + c * 256;
      const uint8_t* p = bytes + at;
      for (size_t i = 0; i < run; ++i) ++t[p[i]];
    });
  } else {
    const unsigned bits = codes == 16 ? 4 : 2;
    const unsigned per_byte = 8 / bits;
    const unsigned mask = static_cast<unsigned>(codes - 1);
    std::vector<uint8_t> unpacked(kChunk);
    for (uint64_t first = 0; first < n; first += kChunk) {
      const size_t count = static_cast<size_t>(std::min<uint64_t>(kChunk, n - first));
      for (size_t i = 0; i < count; ++i) {
        const uint64_t e = first + i;
        unpacked[i] = static_cast<uint8_t>((bytes[e / per_byte] >> ((e % per_byte) * bits)) & mask);
      }
      for_each_run(layout, first, count, [&](size_t at, size_t run, size_t c) {
        uint32_t* t = t0 + c * codes;
        for (size_t i = 0; i < run; ++i) ++t[unpacked[at + i]];
      });
    }
  }

  // Stored values: fold the channels together.
  std::vector<uint64_t> totals(codes, 0);
  for (size_t c = 0; c < layout.channels; ++c)
    for (size_t k = 0; k < codes; ++k) totals[k] += t0[c * codes + k];
  RangeAcc raw;
  for (size_t k = 0; k < codes; ++k)
    if (totals[k] != 0) add_weighted(raw, code_value(type, static_cast<unsigned>(k)), totals[k]);
  stats.values = finish(raw);
  const BinSpec raw_bins = integer_bins(stats.values.min, stats.values.max, bins);
  SpreadAcc raw_spread;
  raw_spread.reset(raw_bins.bins);
  for (size_t k = 0; k < codes; ++k)
    if (totals[k] != 0)
      spread_weighted(raw_spread, raw_bins, stats.values.mean, code_value(type, static_cast<unsigned>(k)), totals[k]);
  finish_spread(stats.values, raw_spread, raw_bins);
  if (!dq) return;

  // Real values, channel by channel.
  RangeAcc deq;
  stats.channels.resize(layout.channels);
  for (size_t c = 0; c < layout.channels; ++c) {
    RangeAcc ch;
    const uint32_t* t = t0 + c * codes;
    for (size_t k = 0; k < codes; ++k) {
      if (t[k] == 0) continue;
      const double r = dq->scale[c] * (code_value(type, static_cast<unsigned>(k)) - dq->zero_point[c]);
      add_weighted(ch, r, t[k]);
      add_weighted(deq, r, t[k]);
    }
    ChannelRange& range = stats.channels[c];
    range.count = ch.count;
    if (ch.finite > 0) {
      range.min = ch.min;
      range.max = ch.max;
    }
  }
  stats.dequantized = finish(deq);
  BinSpec deq_bins;
  const double s = dq->scale[0];
  if (layout.channels == 1 && s > 0 && std::isfinite(s)) {
    deq_bins = raw_bins;
    deq_bins.lo = s * (raw_bins.lo - dq->zero_point[0]);
    deq_bins.width = s * raw_bins.width;
    deq_bins.inv_width = deq_bins.width > 0 ? 1.0 / deq_bins.width : 0.0;
  } else {
    deq_bins = float_bins(stats.dequantized->min, stats.dequantized->max, bins);
  }
  SpreadAcc deq_spread;
  deq_spread.reset(deq_bins.bins);
  for (size_t c = 0; c < layout.channels; ++c) {
    const uint32_t* t = t0 + c * codes;
    for (size_t k = 0; k < codes; ++k) {
      if (t[k] == 0) continue;
      const double r = dq->scale[c] * (code_value(type, static_cast<unsigned>(k)) - dq->zero_point[c]);
      spread_weighted(deq_spread, deq_bins, stats.dequantized->mean, r, t[k]);
    }
  }
  finish_spread(*stats.dequantized, deq_spread, deq_bins);
}

}  // namespace

// Element decoding -----------------------------------------------------------

float half_to_float(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  uint32_t exponent = (h >> 10) & 0x1Fu;
  uint32_t mantissa = h & 0x3FFu;
  uint32_t bits;
  if (exponent == 0x1F) {
    bits = sign | 0x7F800000u | (mantissa << 13);  // inf, or NaN keeping its payload
  } else if (exponent != 0) {
    bits = sign | ((exponent + 112) << 23) | (mantissa << 13);  // rebias 15 -> 127
  } else if (mantissa == 0) {
    bits = sign;  // ±0
  } else {
    // Subnormal: mantissa · 2^-24. Normalise until the implicit bit shows.
    int32_t e = 1;
    while ((mantissa & 0x400u) == 0) {
      mantissa <<= 1;
      --e;
    }
    mantissa &= 0x3FFu;
    bits = sign | (static_cast<uint32_t>(e + 112) << 23) | (mantissa << 13);
  }
  return std::bit_cast<float>(bits);
}

float bfloat16_to_float(uint16_t bits) { return std::bit_cast<float>(static_cast<uint32_t>(bits) << 16); }

float float8_e4m3fn_to_float(uint8_t bits) {
  const bool negative = (bits & 0x80u) != 0;
  const int exponent = (bits >> 3) & 0xF;
  const int mantissa = bits & 0x7;
  float value;
  if (exponent == 0xF && mantissa == 0x7) {
    value = std::numeric_limits<float>::quiet_NaN();
  } else if (exponent == 0) {
    value = std::ldexp(static_cast<float>(mantissa), -9);  // m/8 · 2^(1-7)
  } else {
    value = std::ldexp(static_cast<float>(8 + mantissa), exponent - 10);  // (1 + m/8) · 2^(e-7)
  }
  return negative ? -value : value;
}

float float8_e5m2_to_float(uint8_t bits) {
  // E5M2 is the top byte of an IEEE half.
  return half_to_float(static_cast<uint16_t>(static_cast<uint16_t>(bits) << 8));
}

bool is_numeric(TensorType type) {
  switch (type) {
    case TensorType::STRING:
    case TensorType::RESOURCE:
    case TensorType::VARIANT:
    case TensorType::COMPLEX64:
    case TensorType::COMPLEX128:
      return false;
    default:
      return format::type_bits(type).has_value();
  }
}

bool is_integer(TensorType type) {
  switch (type) {
    case TensorType::INT8:
    case TensorType::UINT8:
    case TensorType::INT16:
    case TensorType::UINT16:
    case TensorType::INT32:
    case TensorType::UINT32:
    case TensorType::INT64:
    case TensorType::UINT64:
    case TensorType::INT4:
    case TensorType::UINT4:
    case TensorType::INT2:
      return true;
    default:
      return false;
  }
}

namespace {

Status check_decodable(TensorType type, std::span<const uint8_t> data, uint64_t end) {
  if (!is_numeric(type)) return fail(format::type_name(type) + " elements are not numbers");
  const auto needed = format::dense_byte_size(type, end);
  if (!needed) return fail(cat(end, " elements of ", format::type_name(type), " overflow a byte count"));
  if (data.size() < *needed)
    return fail(cat(end, " ", format::type_name(type), " elements need ", *needed, " bytes, the data has ",
                    data.size()));
  return {};
}

}  // namespace

Status decode_elements(TensorType type, std::span<const uint8_t> data, uint64_t first, std::span<double> out) {
  if (first > std::numeric_limits<uint64_t>::max() - out.size()) return fail("element range overflows");
  if (auto ok = check_decodable(type, data, first + out.size()); !ok) return ok;
  decode_unchecked(type, data.data(), first, out.data(), out.size());
  return {};
}

Result<std::vector<double>> decode_all(TensorType type, std::span<const uint8_t> data, uint64_t count) {
  if (auto ok = check_decodable(type, data, count); !ok) return tl::unexpected(ok.error());
  std::vector<double> out(static_cast<size_t>(count));
  decode_unchecked(type, data.data(), 0, out.data(), out.size());
  return out;
}

// Statistics -----------------------------------------------------------------

Result<TensorStats> compute_stats(TensorType type, std::span<const int32_t> shape, std::span<const uint8_t> data,
                                  const std::optional<format::Quantization>& quantization,
                                  const StatsOptions& options) {
  const auto elements = format::element_count(shape);
  if (!elements) return fail("shape " + format::shape_string(shape) + " has no fixed element count");
  if (auto ok = check_decodable(type, data, *elements); !ok) return tl::unexpected(ok.error());
  const size_t bins = std::max<size_t>(options.bins, 1);

  TensorStats stats;
  stats.type = type;
  stats.elements = *elements;
  if (const auto needed = format::dense_byte_size(type, *elements); needed && data.size() > *needed)
    stats.note = cat("the buffer has ", data.size() - *needed, " bytes more than the shape needs; ignored");

  std::optional<Dequant> dq;
  if (options.dequantize && quantization) {
    std::string why;
    dq = plan_dequant(type, shape, *elements, *quantization, why);
    if (!why.empty()) stats.note = stats.note.empty() ? why : stats.note + "; " + why;
  }

  const uint64_t n = *elements;
  const uint8_t* bytes = data.data();
  auto finish_channels = [&] {
    if (!dq) return;
    stats.quantized_dimension = dq->layout.channels > 1 ? quantization->quantized_dimension : -1;
    for (size_t c = 0; c < dq->layout.channels; ++c) {
      stats.channels[c].scale = quantization->scale[c];
      stats.channels[c].zero_point = static_cast<int64_t>(dq->zero_point[c]);
    }
  };
  if (can_count(type, n, dq)) {
    count_stats(type, bytes, n, dq, bins, stats);
    finish_channels();
    return stats;
  }

  std::vector<double> v(kChunk), r(dq ? kChunk : 0);

  // Pass 1: ranges and sums, per channel too.
  RangeAcc raw_acc, deq_acc;
  std::vector<double> ch_min, ch_max;
  std::vector<uint64_t> ch_count;
  if (dq) {
    ch_min.assign(dq->layout.channels, kInf);
    ch_max.assign(dq->layout.channels, -kInf);
    ch_count.assign(dq->layout.channels, 0);
  }
  auto dequantize_chunk = [&](uint64_t first, size_t count, bool per_channel_ranges) {
    for_each_run(dq->layout, first, count, [&](size_t at, size_t run, size_t c) {
      const double s = dq->scale[c], z = dq->zero_point[c];
      const double* in = v.data() + at;
      double* out = r.data() + at;
      for (size_t i = 0; i < run; ++i) out[i] = s * (in[i] - z);
      if (per_channel_ranges) {
        double lo = ch_min[c], hi = ch_max[c];
        for (size_t i = 0; i < run; ++i) {
          lo = out[i] < lo ? out[i] : lo;
          hi = out[i] > hi ? out[i] : hi;
        }
        ch_min[c] = lo;
        ch_max[c] = hi;
        ch_count[c] += run;
      }
    });
  };
  for (uint64_t first = 0; first < n; first += kChunk) {
    const size_t count = static_cast<size_t>(std::min<uint64_t>(kChunk, n - first));
    decode_unchecked(type, bytes, first, v.data(), count);
    accumulate_range(v.data(), count, raw_acc);
    if (dq) {
      dequantize_chunk(first, count, true);
      accumulate_range(r.data(), count, deq_acc);
    }
  }
  stats.values = finish(raw_acc);
  const bool integral = is_integer(type) || type == TensorType::BOOL;
  const BinSpec raw_bins = integral ? integer_bins(stats.values.min, stats.values.max, bins)
                                    : float_bins(stats.values.min, stats.values.max, bins);
  BinSpec deq_bins;
  if (dq) {
    stats.dequantized = finish(deq_acc);
    const double s = dq->scale[0];
    if (dq->layout.channels == 1 && s > 0 && std::isfinite(s)) {
      // One grid for the whole tensor: the integer bins, scaled.
      deq_bins = raw_bins;
      deq_bins.lo = s * (raw_bins.lo - dq->zero_point[0]);
      deq_bins.width = s * raw_bins.width;
      deq_bins.inv_width = deq_bins.width > 0 ? 1.0 / deq_bins.width : 0.0;
    } else {
      deq_bins = float_bins(stats.dequantized->min, stats.dequantized->max, bins);
    }
  }

  // Pass 2: spread and histograms.
  SpreadAcc raw_spread, deq_spread;
  raw_spread.reset(raw_bins.bins);
  deq_spread.reset(deq_bins.bins);
  const bool raw_finite = stats.values.finite == stats.values.count;
  const bool deq_finite = dq && stats.dequantized->finite == stats.dequantized->count;
  if (n > 0 && (raw_bins.bins > 0 || deq_bins.bins > 0)) {
    for (uint64_t first = 0; first < n; first += kChunk) {
      const size_t count = static_cast<size_t>(std::min<uint64_t>(kChunk, n - first));
      decode_unchecked(type, bytes, first, v.data(), count);
      accumulate_spread(v.data(), count, stats.values.mean, raw_bins, raw_finite, raw_spread);
      if (dq) {
        dequantize_chunk(first, count, false);
        accumulate_spread(r.data(), count, stats.dequantized->mean, deq_bins, deq_finite, deq_spread);
      }
    }
  }
  finish_spread(stats.values, raw_spread, raw_bins);
  if (dq) {
    finish_spread(*stats.dequantized, deq_spread, deq_bins);
    stats.channels.resize(dq->layout.channels);
    for (size_t c = 0; c < dq->layout.channels; ++c) {
      ChannelRange& ch = stats.channels[c];
      ch.count = ch_count[c];
      if (ch.count > 0 && ch_min[c] <= ch_max[c]) {
        ch.min = ch_min[c];
        ch.max = ch_max[c];
      }
    }
    finish_channels();
  }
  return stats;
}

Result<TensorStats> compute_stats(const format::Model& model, const format::Tensor& tensor,
                                  const StatsOptions& options) {
  const auto data = model.tensor_data(tensor);
  if (data.empty()) return fail("tensor '" + tensor.name + "' has no constant data");
  if (!tensor.sparsity) return compute_stats(tensor.type, tensor.shape, data, tensor.quantization, options);

  // Sparse: the buffer holds only the stored values, in traversal order.
  const auto bits = format::type_bits(tensor.type);
  if (!bits || !is_numeric(tensor.type))
    return fail(format::type_name(tensor.type) + " elements are not numbers");
  const uint64_t stored = static_cast<uint64_t>(data.size()) * 8 / *bits;
  if (stored > static_cast<uint64_t>(std::numeric_limits<int32_t>::max()))
    return fail("sparse tensor '" + tensor.name + "' stores too many values to summarise");
  const std::vector<int32_t> flat{static_cast<int32_t>(stored)};
  std::optional<format::Quantization> q = tensor.quantization;
  std::string note = "sparse: statistics of the " + std::to_string(stored) + " stored values";
  if (q && q->per_channel()) {
    q.reset();
    note += "; per-channel scales not applied to sparse storage";
  }
  auto stats = compute_stats(tensor.type, flat, data, q, options);
  if (!stats) return stats;
  stats->sparse = true;
  stats->note = stats->note.empty() ? note : note + "; " + stats->note;
  return stats;
}

}  // namespace qs::inspect
