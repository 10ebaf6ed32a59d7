// inspect/tensor_stats: element decoding of every numeric type and the
// statistics, on hand-made data whose answers are known by construction,
// then on real corpus models (quantized weights against their float peers
// and their recorded ranges).

#include <gtest/gtest.h>

#include <algorithm>
#include <ctime>
#include <cmath>
#include <cstring>
#include <iostream>
#include <limits>
#include <numeric>
#include <random>
#include <vector>

#include "format/model_file.h"
#include "inspect/tensor_stats.h"
#include "support/corpus.h"

namespace qs::inspect {
namespace {

using format::Quantization;
using format::TensorType;

constexpr double kInf = std::numeric_limits<double>::infinity();

template <class T>
std::vector<uint8_t> bytes_of(const std::vector<T>& values) {
  std::vector<uint8_t> out(values.size() * sizeof(T));
  if (!values.empty()) std::memcpy(out.data(), values.data(), out.size());
  return out;
}

std::vector<double> decode(TensorType type, const std::vector<uint8_t>& data, uint64_t count) {
  auto values = decode_all(type, data, count);
  EXPECT_TRUE(values.has_value()) << (values ? "" : values.error().message);
  return values ? *values : std::vector<double>{};
}

Quantization per_tensor(float scale, int64_t zero_point) {
  Quantization q;
  q.scale = {scale};
  q.zero_point = {zero_point};
  return q;
}

Quantization per_channel(std::vector<float> scales, std::vector<int64_t> zero_points, int32_t dim) {
  Quantization q;
  q.scale = std::move(scales);
  q.zero_point = std::move(zero_points);
  q.quantized_dimension = dim;
  return q;
}

TensorStats stats_of(TensorType type, std::vector<int32_t> shape, const std::vector<uint8_t>& data,
                     const std::optional<Quantization>& q = std::nullopt, size_t bins = 128) {
  StatsOptions options;
  options.bins = bins;
  auto s = compute_stats(type, shape, data, q, options);
  EXPECT_TRUE(s.has_value()) << (s ? "" : s.error().message);
  return s ? *s : TensorStats{};
}

uint64_t total(const Histogram& h) { return std::accumulate(h.counts.begin(), h.counts.end(), uint64_t{0}); }

// Element decoding -----------------------------------------------------------

TEST(TensorStatsDecode, HalfFloatKnownPatterns) {
  EXPECT_EQ(half_to_float(0x0000), 0.0f);
  EXPECT_FALSE(std::signbit(half_to_float(0x0000)));
  EXPECT_EQ(half_to_float(0x8000), 0.0f);
  EXPECT_TRUE(std::signbit(half_to_float(0x8000)));
  EXPECT_EQ(half_to_float(0x3C00), 1.0f);
  EXPECT_EQ(half_to_float(0xBC00), -1.0f);
  EXPECT_EQ(half_to_float(0xC000), -2.0f);
  EXPECT_EQ(half_to_float(0x3800), 0.5f);
  EXPECT_EQ(half_to_float(0x3555), 0.333251953125f);  // nearest half to 1/3
  EXPECT_EQ(half_to_float(0x3BFF), 0.99951171875f);   // largest below 1
  EXPECT_EQ(half_to_float(0x3C01), 1.0009765625f);    // smallest above 1
  EXPECT_EQ(half_to_float(0x7BFF), 65504.0f);         // largest finite
  EXPECT_EQ(half_to_float(0xFBFF), -65504.0f);
  EXPECT_EQ(half_to_float(0x0400), std::ldexp(1.0f, -14));  // smallest normal
  // Subnormals: m · 2^-24.
  EXPECT_EQ(half_to_float(0x0001), std::ldexp(1.0f, -24));
  EXPECT_EQ(half_to_float(0x8001), -std::ldexp(1.0f, -24));
  EXPECT_EQ(half_to_float(0x0002), std::ldexp(1.0f, -23));
  EXPECT_EQ(half_to_float(0x0200), std::ldexp(1.0f, -15));
  EXPECT_EQ(half_to_float(0x03FF), std::ldexp(1023.0f, -24));  // largest subnormal
  EXPECT_EQ(half_to_float(0x7C00), std::numeric_limits<float>::infinity());
  EXPECT_EQ(half_to_float(0xFC00), -std::numeric_limits<float>::infinity());
  EXPECT_TRUE(std::isnan(half_to_float(0x7E00)));
  EXPECT_TRUE(std::isnan(half_to_float(0x7C01)));
  EXPECT_TRUE(std::isnan(half_to_float(0xFE00)));
}

TEST(TensorStatsDecode, HalfFloatEveryPatternMatchesTheDefinition) {
  for (uint32_t bits = 0; bits < 65536; ++bits) {
    const uint32_t sign = bits >> 15, exponent = (bits >> 10) & 0x1F, mantissa = bits & 0x3FF;
    const float got = half_to_float(static_cast<uint16_t>(bits));
    if (exponent == 31) {
      if (mantissa == 0) {
        EXPECT_TRUE(std::isinf(got)) << bits;
      } else {
        EXPECT_TRUE(std::isnan(got)) << bits;
      }
      continue;
    }
    const double magnitude = exponent == 0 ? std::ldexp(static_cast<double>(mantissa), -24)
                                           : std::ldexp(1.0 + mantissa / 1024.0, static_cast<int>(exponent) - 15);
    const double expected = sign != 0 ? -magnitude : magnitude;
    ASSERT_EQ(static_cast<double>(got), expected) << "bits 0x" << std::hex << bits;
    ASSERT_EQ(std::signbit(got), sign != 0) << bits;
  }
}

TEST(TensorStatsDecode, BFloat16AndFloat8) {
  EXPECT_EQ(bfloat16_to_float(0x3F80), 1.0f);
  EXPECT_EQ(bfloat16_to_float(0xC040), -3.0f);
  EXPECT_EQ(bfloat16_to_float(0x3E80), 0.25f);
  EXPECT_EQ(bfloat16_to_float(0x7F80), std::numeric_limits<float>::infinity());
  EXPECT_TRUE(std::isnan(bfloat16_to_float(0x7FC0)));
  EXPECT_EQ(bfloat16_to_float(0x0001), std::ldexp(1.0f, -133));  // subnormal, as in float32

  // E4M3FN: bias 7, no infinities, S.1111.111 is NaN, max 448.
  EXPECT_EQ(float8_e4m3fn_to_float(0x38), 1.0f);
  EXPECT_EQ(float8_e4m3fn_to_float(0xB8), -1.0f);
  EXPECT_EQ(float8_e4m3fn_to_float(0x7E), 448.0f);
  EXPECT_TRUE(std::isnan(float8_e4m3fn_to_float(0x7F)));
  EXPECT_TRUE(std::isnan(float8_e4m3fn_to_float(0xFF)));
  EXPECT_EQ(float8_e4m3fn_to_float(0x78), 256.0f);  // exponent 15 is finite here
  EXPECT_EQ(float8_e4m3fn_to_float(0x08), std::ldexp(1.0f, -6));
  EXPECT_EQ(float8_e4m3fn_to_float(0x01), std::ldexp(1.0f, -9));  // smallest subnormal
  // E5M2: IEEE-like, bias 15.
  EXPECT_EQ(float8_e5m2_to_float(0x3C), 1.0f);
  EXPECT_EQ(float8_e5m2_to_float(0x7B), 57344.0f);
  EXPECT_EQ(float8_e5m2_to_float(0x7C), std::numeric_limits<float>::infinity());
  EXPECT_TRUE(std::isnan(float8_e5m2_to_float(0x7D)));
  EXPECT_EQ(float8_e5m2_to_float(0x01), std::ldexp(1.0f, -16));
}

TEST(TensorStatsDecode, HalfTensorsDecodeThroughTheTable) {
  const std::vector<uint16_t> halves{0x3C00, 0x0001, 0xFC00, 0x7E00, 0xC500};
  const auto v = decode(TensorType::FLOAT16, bytes_of(halves), halves.size());
  ASSERT_EQ(v.size(), 5U);
  EXPECT_EQ(v[0], 1.0);
  EXPECT_EQ(v[1], std::ldexp(1.0, -24));
  EXPECT_EQ(v[2], -kInf);
  EXPECT_TRUE(std::isnan(v[3]));
  EXPECT_EQ(v[4], -5.0);
}

TEST(TensorStatsDecode, Int4IsPackedLowNibbleFirstAndSignExtended) {
  // 0x21: 1, 2; 0xF8: -8, -1; 0x7E: -2, 7.
  const std::vector<uint8_t> packed{0x21, 0xF8, 0x7E};
  EXPECT_EQ(decode(TensorType::INT4, packed, 6), (std::vector<double>{1, 2, -8, -1, -2, 7}));
  EXPECT_EQ(decode(TensorType::UINT4, packed, 6), (std::vector<double>{1, 2, 8, 15, 14, 7}));
  // An odd count uses the low nibble of the last byte only.
  EXPECT_EQ(decode(TensorType::INT4, packed, 5), (std::vector<double>{1, 2, -8, -1, -2}));
  // From an odd element onwards.
  std::vector<double> out(3);
  ASSERT_TRUE(decode_elements(TensorType::INT4, packed, 1, out));
  EXPECT_EQ(out, (std::vector<double>{2, -8, -1}));
  // INT2: four per byte, low bits first: 0b11'10'01'00 -> 0, 1, -2, -1.
  EXPECT_EQ(decode(TensorType::INT2, {0xE4}, 4), (std::vector<double>{0, 1, -2, -1}));
  // Too short: 7 INT4 elements need 4 bytes.
  EXPECT_FALSE(decode_all(TensorType::INT4, packed, 7).has_value());
}

TEST(TensorStatsDecode, EveryByteAlignedType) {
  EXPECT_EQ(decode(TensorType::INT8, bytes_of<int8_t>({-128, -1, 0, 127}), 4), (std::vector<double>{-128, -1, 0, 127}));
  EXPECT_EQ(decode(TensorType::UINT8, bytes_of<uint8_t>({0, 128, 255}), 3), (std::vector<double>{0, 128, 255}));
  EXPECT_EQ(decode(TensorType::INT16, bytes_of<int16_t>({-32768, 32767}), 2), (std::vector<double>{-32768, 32767}));
  EXPECT_EQ(decode(TensorType::UINT16, bytes_of<uint16_t>({65535, 1}), 2), (std::vector<double>{65535, 1}));
  EXPECT_EQ(decode(TensorType::INT32, bytes_of<int32_t>({-2147483647 - 1, 5}), 2),
            (std::vector<double>{-2147483648.0, 5}));
  EXPECT_EQ(decode(TensorType::UINT32, bytes_of<uint32_t>({4294967295u}), 1), (std::vector<double>{4294967295.0}));
  EXPECT_EQ(decode(TensorType::INT64, bytes_of<int64_t>({-(int64_t{1} << 53), 7}), 2),
            (std::vector<double>{-9007199254740992.0, 7}));
  EXPECT_EQ(decode(TensorType::UINT64, bytes_of<uint64_t>({uint64_t{1} << 60}), 1),
            (std::vector<double>{std::ldexp(1.0, 60)}));
  EXPECT_EQ(decode(TensorType::FLOAT32, bytes_of<float>({1.5f, -0.25f}), 2), (std::vector<double>{1.5, -0.25}));
  EXPECT_EQ(decode(TensorType::FLOAT64, bytes_of<double>({1e300, -2.5}), 2), (std::vector<double>{1e300, -2.5}));
  EXPECT_EQ(decode(TensorType::BOOL, bytes_of<uint8_t>({0, 1, 2}), 3), (std::vector<double>{0, 1, 1}));
  EXPECT_EQ(decode(TensorType::BFLOAT16, bytes_of<uint16_t>({0x4040}), 1), (std::vector<double>{3.0}));
}

TEST(TensorStatsDecode, NonNumericTypesAreErrors) {
  const std::vector<uint8_t> data(64, 0);
  for (const auto type : {TensorType::STRING, TensorType::RESOURCE, TensorType::VARIANT, TensorType::COMPLEX64,
                          TensorType::COMPLEX128}) {
    EXPECT_FALSE(is_numeric(type)) << format::type_name(type);
    const auto values = decode_all(type, data, 2);
    ASSERT_FALSE(values.has_value()) << format::type_name(type);
    EXPECT_NE(values.error().message.find("not numbers"), std::string::npos) << values.error().message;
    EXPECT_FALSE(compute_stats(type, std::vector<int32_t>{2}, data, std::nullopt).has_value());
  }
  EXPECT_FALSE(decode_all(TensorType::FLOAT32, data, 17).has_value());  // 68 bytes needed
  EXPECT_FALSE(compute_stats(TensorType::FLOAT32, std::vector<int32_t>{4, 5}, data, std::nullopt).has_value());
  EXPECT_FALSE(compute_stats(TensorType::FLOAT32, std::vector<int32_t>{-1, 4}, data, std::nullopt).has_value());
}

// Statistics -----------------------------------------------------------------

TEST(TensorStats, FloatFiguresAndNonFiniteCounts) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const std::vector<float> values{1, 2, 3, 4, static_cast<float>(nan), static_cast<float>(kInf),
                                  static_cast<float>(-kInf), 0, -0.0f};
  const auto s = stats_of(TensorType::FLOAT32, {3, 3}, bytes_of(values), std::nullopt, 4);
  EXPECT_EQ(s.elements, 9U);
  EXPECT_EQ(s.values.count, 9U);
  EXPECT_EQ(s.values.finite, 6U);
  EXPECT_EQ(s.values.nan, 1U);
  EXPECT_EQ(s.values.pos_inf, 1U);
  EXPECT_EQ(s.values.neg_inf, 1U);
  EXPECT_EQ(s.values.inf(), 2U);
  EXPECT_EQ(s.values.zeros, 2U);
  EXPECT_DOUBLE_EQ(s.values.zero_fraction(), 2.0 / 9.0);
  EXPECT_EQ(s.values.min, 0.0);
  EXPECT_EQ(s.values.max, 4.0);
  EXPECT_DOUBLE_EQ(s.values.mean, 10.0 / 6.0);
  // Population std of {0,0,1,2,3,4}: mean 5/3, E[x²] = 30/6 = 5.
  EXPECT_NEAR(s.values.stddev, std::sqrt(5.0 - 25.0 / 9.0), 1e-12);
  // Four bins over [0, 4]: {0,0}, {1}, {2}, {3,4} (the last bin keeps its edge).
  EXPECT_EQ(s.values.histogram.lo, 0.0);
  EXPECT_EQ(s.values.histogram.width, 1.0);
  EXPECT_EQ(s.values.histogram.counts, (std::vector<uint64_t>{2, 1, 1, 2}));
  EXPECT_EQ(s.values.histogram.hi(), 4.0);
  EXPECT_FALSE(s.dequantized.has_value());
}

TEST(TensorStats, ManyChunksMatchAPlainComputation) {
  // Crosses the streaming chunk size several times, with one NaN in the
  // middle so one chunk takes the careful path.
  std::mt19937 rng(7);
  std::normal_distribution<float> normal(0.5f, 2.0f);
  std::vector<float> values(10'007);
  for (auto& v : values) v = normal(rng);
  values[4100] = std::numeric_limits<float>::quiet_NaN();
  values[9000] = 0.0f;
  const auto s = stats_of(TensorType::FLOAT32, {static_cast<int32_t>(values.size())}, bytes_of(values), std::nullopt, 50);

  double mn = kInf, mx = -kInf, sum = 0;
  size_t finite = 0;
  for (const float v : values) {
    if (std::isnan(v)) continue;
    mn = std::min(mn, static_cast<double>(v));
    mx = std::max(mx, static_cast<double>(v));
    sum += v;
    ++finite;
  }
  const double mean = sum / static_cast<double>(finite);
  double ss = 0;
  std::vector<uint64_t> hist(50, 0);
  for (const float v : values) {
    if (std::isnan(v)) continue;
    ss += (v - mean) * (v - mean);
    const auto bin = std::min<size_t>(49, static_cast<size_t>((v - mn) / ((mx - mn) / 50)));
    ++hist[bin];
  }
  EXPECT_EQ(s.values.finite, finite);
  EXPECT_EQ(s.values.nan, 1U);
  EXPECT_EQ(s.values.zeros, 1U);
  EXPECT_EQ(s.values.min, mn);
  EXPECT_EQ(s.values.max, mx);
  EXPECT_NEAR(s.values.mean, mean, 1e-12);
  EXPECT_NEAR(s.values.stddev, std::sqrt(ss / static_cast<double>(finite)), 1e-9);
  EXPECT_EQ(total(s.values.histogram), finite);
  // Values right on a bin edge may round either way; nearly all agree.
  uint64_t differ = 0;
  for (size_t b = 0; b < 50; ++b) differ += static_cast<uint64_t>(std::llabs(static_cast<long long>(hist[b]) - static_cast<long long>(s.values.histogram.counts[b])));
  EXPECT_LE(differ, 2U);
}

TEST(TensorStats, IntegerHistogramsHaveWholeValuesPerBin) {
  std::vector<int8_t> all(256);
  for (int i = 0; i < 256; ++i) all[static_cast<size_t>(i)] = static_cast<int8_t>(i - 128);
  const auto data = bytes_of(all);

  auto s = stats_of(TensorType::INT8, {256}, data, std::nullopt, 128);
  EXPECT_EQ(s.values.min, -128);
  EXPECT_EQ(s.values.max, 127);
  EXPECT_EQ(s.values.mean, -0.5);
  EXPECT_EQ(s.values.zeros, 1U);
  ASSERT_EQ(s.values.histogram.bins(), 128U);
  EXPECT_EQ(s.values.histogram.lo, -128.5);
  EXPECT_EQ(s.values.histogram.width, 2.0);
  for (const auto c : s.values.histogram.counts) EXPECT_EQ(c, 2U);  // no comb

  s = stats_of(TensorType::INT8, {256}, data, std::nullopt, 1000);
  ASSERT_EQ(s.values.histogram.bins(), 256U);  // never more bins than values
  EXPECT_EQ(s.values.histogram.width, 1.0);
  for (const auto c : s.values.histogram.counts) EXPECT_EQ(c, 1U);

  // A narrow range: 3 distinct values, 3 bins of width 1.
  s = stats_of(TensorType::INT32, {4}, bytes_of<int32_t>({5, 6, 7, 7}));
  EXPECT_EQ(s.values.histogram.lo, 4.5);
  EXPECT_EQ(s.values.histogram.counts, (std::vector<uint64_t>{1, 1, 2}));

  // All equal: one bin of width 0.
  s = stats_of(TensorType::FLOAT32, {3}, bytes_of<float>({2.5f, 2.5f, 2.5f}));
  EXPECT_EQ(s.values.histogram.counts, (std::vector<uint64_t>{3}));
  EXPECT_EQ(s.values.histogram.width, 0.0);
  EXPECT_EQ(s.values.stddev, 0.0);
}

TEST(TensorStats, EmptyTensor) {
  const auto s = stats_of(TensorType::FLOAT32, {0, 4}, {});
  EXPECT_EQ(s.elements, 0U);
  EXPECT_EQ(s.values.count, 0U);
  EXPECT_TRUE(std::isnan(s.values.min));
  EXPECT_TRUE(s.values.histogram.counts.empty());
  EXPECT_EQ(s.values.zero_fraction(), 0.0);
}

TEST(TensorStats, PerTensorDequantization) {
  // UINT8 with scale 0.5, zero point 128: 0 -> -64, 128 -> 0, 255 -> 63.5.
  const auto s = stats_of(TensorType::UINT8, {3}, bytes_of<uint8_t>({0, 128, 255}), per_tensor(0.5f, 128));
  ASSERT_TRUE(s.dequantized.has_value());
  EXPECT_EQ(s.values.min, 0);
  EXPECT_EQ(s.values.max, 255);
  EXPECT_EQ(s.dequantized->min, -64.0);
  EXPECT_EQ(s.dequantized->max, 63.5);
  EXPECT_DOUBLE_EQ(s.dequantized->mean, -0.5 / 3.0);
  EXPECT_EQ(s.dequantized->zeros, 1U);
  EXPECT_EQ(s.values.zeros, 1U);  // the stored 0, which means -64
  EXPECT_EQ(s.quantized_dimension, -1);
  ASSERT_EQ(s.channels.size(), 1U);
  EXPECT_EQ(s.channels[0].min, -64.0);
  EXPECT_EQ(s.channels[0].max, 63.5);
  EXPECT_EQ(s.channels[0].scale, 0.5f);
  EXPECT_EQ(s.channels[0].zero_point, 128);
  EXPECT_EQ(s.channels[0].count, 3U);
  // The real histogram is the integer one, scaled: same counts.
  EXPECT_EQ(s.dequantized->histogram.counts, s.values.histogram.counts);
  EXPECT_DOUBLE_EQ(s.dequantized->histogram.lo, 0.5 * (s.values.histogram.lo - 128));
  EXPECT_DOUBLE_EQ(s.dequantized->histogram.width, 0.5 * s.values.histogram.width);
  EXPECT_EQ(total(s.dequantized->histogram), 3U);
}

TEST(TensorStats, PerChannelDequantizationAlongEachDimension) {
  // Channel 0 (scale 0.5, zp 0): q 1,2,3 -> 0.5,1,1.5.
  // Channel 1 (scale 2, zp 1): q -1,-2,-3 -> -4,-6,-8.
  const auto check = [](const TensorStats& s) {
    ASSERT_TRUE(s.dequantized.has_value()) << s.note;
    ASSERT_EQ(s.channels.size(), 2U);
    EXPECT_EQ(s.channels[0].min, 0.5);
    EXPECT_EQ(s.channels[0].max, 1.5);
    EXPECT_EQ(s.channels[0].count, 3U);
    EXPECT_EQ(s.channels[0].scale, 0.5f);
    EXPECT_EQ(s.channels[0].zero_point, 0);
    EXPECT_EQ(s.channels[1].min, -8.0);
    EXPECT_EQ(s.channels[1].max, -4.0);
    EXPECT_EQ(s.channels[1].scale, 2.0f);
    EXPECT_EQ(s.channels[1].zero_point, 1);
    EXPECT_EQ(s.dequantized->min, -8.0);
    EXPECT_EQ(s.dequantized->max, 1.5);
    EXPECT_DOUBLE_EQ(s.dequantized->mean, (3.0 - 18.0) / 6.0);
    EXPECT_EQ(total(s.dequantized->histogram), 6U);
  };
  const auto q0 = per_channel({0.5f, 2.0f}, {0, 1}, 0);
  const auto q1 = per_channel({0.5f, 2.0f}, {0, 1}, 1);
  // Dimension 0 of [2,3]: channels are rows.
  auto s = stats_of(TensorType::INT8, {2, 3}, bytes_of<int8_t>({1, 2, 3, -1, -2, -3}), q0);
  EXPECT_EQ(s.quantized_dimension, 0);
  check(s);
  // Dimension 1 of [3,2]: channels alternate.
  s = stats_of(TensorType::INT8, {3, 2}, bytes_of<int8_t>({1, -1, 2, -2, 3, -3}), q1);
  EXPECT_EQ(s.quantized_dimension, 1);
  check(s);
  // The streaming path (INT16) agrees with the counting path (INT8).
  check(stats_of(TensorType::INT16, {2, 3}, bytes_of<int16_t>({1, 2, 3, -1, -2, -3}), q0));
  check(stats_of(TensorType::INT32, {3, 2}, bytes_of<int32_t>({1, -1, 2, -2, 3, -3}), q1));
  // INT4, packed: 1,-1 | 2,-2 | 3,-3 along dimension 1.
  check(stats_of(TensorType::INT4, {3, 2}, {0xF1, 0xE2, 0xD3}, q1));
}

TEST(TensorStats, PerChannelAlongAMiddleDimension) {
  // Shape [2,3,2], channels along dimension 1: element (o, c, k) has value
  // 10·c + k + o and channel c has scale c + 1.
  std::vector<int16_t> values;
  for (int o = 0; o < 2; ++o)
    for (int c = 0; c < 3; ++c)
      for (int k = 0; k < 2; ++k) values.push_back(static_cast<int16_t>(10 * c + k + o));
  const auto q = per_channel({1, 2, 3}, {0, 0, 0}, 1);
  const auto s = stats_of(TensorType::INT16, {2, 3, 2}, bytes_of(values), q);
  ASSERT_EQ(s.channels.size(), 3U);
  for (size_t c = 0; c < 3; ++c) {
    const double scale = static_cast<double>(c + 1);
    EXPECT_EQ(s.channels[c].count, 4U);
    EXPECT_EQ(s.channels[c].min, scale * (10.0 * static_cast<double>(c))) << c;
    EXPECT_EQ(s.channels[c].max, scale * (10.0 * static_cast<double>(c) + 2)) << c;
  }
}

TEST(TensorStats, CountingAndStreamingPathsAgree) {
  // The same random int8 values as INT8 (counted) and INT16 (streamed),
  // per channel along either dimension.
  std::mt19937 rng(3);
  std::uniform_int_distribution<int> dist(-128, 127);
  std::vector<int8_t> v8(7 * 300);
  std::vector<int16_t> v16(v8.size());
  for (size_t i = 0; i < v8.size(); ++i) v16[i] = v8[i] = static_cast<int8_t>(dist(rng));
  for (const int32_t dim : {0, 1}) {
    const std::vector<int32_t> shape = dim == 0 ? std::vector<int32_t>{7, 300} : std::vector<int32_t>{300, 7};
    std::vector<float> scales;
    std::vector<int64_t> zps;
    for (int c = 0; c < 7; ++c) {
      scales.push_back(0.01f * static_cast<float>(c + 1));
      zps.push_back(c - 3);
    }
    const auto q = per_channel(scales, zps, dim);
    const auto a = stats_of(TensorType::INT8, shape, bytes_of(v8), q, 64);
    const auto b = stats_of(TensorType::INT16, shape, bytes_of(v16), q, 64);
    ASSERT_TRUE(a.dequantized && b.dequantized);
    EXPECT_EQ(a.values.min, b.values.min);
    EXPECT_EQ(a.values.max, b.values.max);
    EXPECT_DOUBLE_EQ(a.values.mean, b.values.mean);
    EXPECT_NEAR(a.values.stddev, b.values.stddev, 1e-9);
    EXPECT_EQ(a.values.zeros, b.values.zeros);
    EXPECT_EQ(a.values.histogram.counts, b.values.histogram.counts);
    EXPECT_DOUBLE_EQ(a.dequantized->min, b.dequantized->min);
    EXPECT_DOUBLE_EQ(a.dequantized->max, b.dequantized->max);
    EXPECT_NEAR(a.dequantized->mean, b.dequantized->mean, 1e-12);
    EXPECT_NEAR(a.dequantized->stddev, b.dequantized->stddev, 1e-9);
    EXPECT_EQ(a.dequantized->zeros, b.dequantized->zeros);
    EXPECT_EQ(total(a.dequantized->histogram), total(b.dequantized->histogram));
    ASSERT_EQ(a.channels.size(), b.channels.size());
    for (size_t c = 0; c < a.channels.size(); ++c) {
      EXPECT_EQ(a.channels[c].min, b.channels[c].min);
      EXPECT_EQ(a.channels[c].max, b.channels[c].max);
      EXPECT_EQ(a.channels[c].count, b.channels[c].count);
    }
  }
}

TEST(TensorStats, ParametersThatDoNotFitAreReportedNotApplied) {
  const auto data = bytes_of<int8_t>({1, 2, 3, 4, 5, 6});
  // 3 scales along dimension 0, which has 2 entries.
  auto s = stats_of(TensorType::INT8, {2, 3}, data, per_channel({1, 1, 1}, {0, 0, 0}, 0));
  EXPECT_FALSE(s.dequantized.has_value());
  EXPECT_NE(s.note.find("dimension 0 has 2"), std::string::npos) << s.note;
  EXPECT_EQ(s.values.max, 6);  // the stored values are still summarised
  // A dimension the tensor does not have.
  s = stats_of(TensorType::INT8, {2, 3}, data, per_channel({1, 1}, {0, 0}, 5));
  EXPECT_FALSE(s.dequantized.has_value());
  EXPECT_FALSE(s.note.empty());
  // Scales on a float tensor.
  s = stats_of(TensorType::FLOAT32, {2}, bytes_of<float>({1, 2}), per_tensor(0.1f, 0));
  EXPECT_FALSE(s.dequantized.has_value());
  EXPECT_NE(s.note.find("FLOAT32"), std::string::npos) << s.note;
  // Calibration ranges only (no scales): nothing to dequantize, no note.
  Quantization range;
  range.min = {-1};
  range.max = {1};
  s = stats_of(TensorType::FLOAT32, {2}, bytes_of<float>({1, 2}), range);
  EXPECT_FALSE(s.dequantized.has_value());
  EXPECT_TRUE(s.note.empty());
  // Missing zero points mean 0.
  Quantization no_zp;
  no_zp.scale = {2};
  s = stats_of(TensorType::INT8, {2}, bytes_of<int8_t>({-1, 3}), no_zp);
  ASSERT_TRUE(s.dequantized.has_value());
  EXPECT_EQ(s.dequantized->min, -2);
  EXPECT_EQ(s.dequantized->max, 6);
  // Extra bytes are ignored, with a note.
  s = stats_of(TensorType::INT8, {2}, data);
  EXPECT_EQ(s.values.count, 2U);
  EXPECT_NE(s.note.find("4 bytes more"), std::string::npos) << s.note;
}

TEST(TensorStats, TenMillionElementsStayFast) {
  // The GUI computes these off its thread above 1 M elements; they must
  // still take well under 100 ms in an optimised build (the bound here is
  // loose for debug builds and busy CI machines; the time is printed).
  constexpr int32_t kChannels = 1000, kPerChannel = 10'000;
  // A cheap generator: making 10 M normal samples would take longer than
  // everything measured here.
  uint64_t state = 11;
  const auto next = [&state] {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<uint32_t>(state >> 32);
  };
  std::vector<uint8_t> int8_data(static_cast<size_t>(kChannels) * kPerChannel);
  for (auto& b : int8_data) b = static_cast<uint8_t>(next() >> 24);
  std::vector<float> scales(kChannels, 0.01f);
  std::vector<int64_t> zps(kChannels, 0);
  // Uniform on [-√3, √3]: standard deviation 1.
  std::vector<float> floats(int8_data.size());
  for (auto& f : floats) f = static_cast<float>((next() * 0x1p-32 * 2.0 - 1.0) * std::sqrt(3.0));
  const auto float_data = bytes_of(floats);

  // Processor time of this (single-threaded) test: other jobs on the
  // machine do not count against it.
  const auto time = [](auto&& fn) {
    const std::clock_t t0 = std::clock();
    fn();
    return 1000.0 * static_cast<double>(std::clock() - t0) / CLOCKS_PER_SEC;
  };
  const double int8_ms = time([&] {
    const auto s = stats_of(TensorType::INT8, {kChannels, kPerChannel}, int8_data, per_channel(scales, zps, 0));
    EXPECT_EQ(s.channels.size(), static_cast<size_t>(kChannels));
  });
  const double int8_last_ms = time([&] {
    const auto s = stats_of(TensorType::INT8, {kPerChannel, kChannels}, int8_data, per_channel(scales, zps, 1));
    EXPECT_EQ(total(s.dequantized->histogram), int8_data.size());
  });
  const double float_ms = time([&] {
    const auto s = stats_of(TensorType::FLOAT32, {kChannels, kPerChannel}, float_data);
    EXPECT_NEAR(s.values.stddev, 1.0, 0.01);
  });
  std::cout << "10M elements (CPU time): INT8 per-channel (dim 0) " << int8_ms << " ms, (last dim) "
            << int8_last_ms << " ms, FLOAT32 " << float_ms << " ms\n";
  EXPECT_LT(int8_ms, 1000.0);
  EXPECT_LT(int8_last_ms, 1000.0);
  EXPECT_LT(float_ms, 1000.0);
}

// Corpus ---------------------------------------------------------------------

format::Model open_model(const std::string& name) {
  auto file = format::ModelFile::open(qs::test::corpus_model(name));
  if (!file) throw std::runtime_error(file.error().message);
  return file->to_model();
}

TEST(TensorStatsCorpus, WeightOnlyQuantizedMnistMatchesItsFloatPeer) {
  QS_REQUIRE_CORPUS();
  // CATALOG.tsv: mnist_quantized.tflite holds the weights of
  // conv_fc_mnist.tflite, quantized per channel (verified same weights).
  const auto quant = open_model("mnist_quantized.tflite");
  const auto fp = open_model("conv_fc_mnist.tflite");
  const auto& qsg = quant.subgraphs[0];
  const auto& fsg = fp.subgraphs[0];
  int compared = 0;
  for (const auto& qt : qsg.tensors) {
    if (qt.type != TensorType::INT8 || quant.tensor_data(qt).empty()) continue;
    // The peer has the same name (the weight-only model adds DEQUANTIZE
    // outputs, so indices differ).
    const auto peer = std::find_if(fsg.tensors.begin(), fsg.tensors.end(),
                                   [&](const format::Tensor& t) { return t.name == qt.name; });
    ASSERT_NE(peer, fsg.tensors.end()) << qt.name;
    ASSERT_EQ(peer->type, TensorType::FLOAT32);
    ASSERT_EQ(qt.shape, peer->shape);
    const auto s = compute_stats(quant, qt);
    ASSERT_TRUE(s.has_value()) << s.error().message;
    ASSERT_TRUE(s->dequantized.has_value()) << s->note;
    ASSERT_EQ(s->quantized_dimension, 0);
    ASSERT_EQ(s->channels.size(), static_cast<size_t>(qt.shape[0]));
    // Float per-channel ranges (channels along dimension 0).
    const auto values = decode_all(TensorType::FLOAT32, fp.tensor_data(*peer), *format::element_count(peer->shape));
    ASSERT_TRUE(values.has_value());
    const size_t per = values->size() / s->channels.size();
    for (size_t c = 0; c < s->channels.size(); ++c) {
      const auto first = values->begin() + static_cast<ptrdiff_t>(c * per);
      const auto [lo, hi] = std::minmax_element(first, first + static_cast<ptrdiff_t>(per));
      const double half_step = s->channels[c].scale / 2.0 + 1e-7;
      EXPECT_NEAR(s->channels[c].min, *lo, half_step) << qt.name << " channel " << c;
      EXPECT_NEAR(s->channels[c].max, *hi, half_step) << qt.name << " channel " << c;
      EXPECT_EQ(s->channels[c].count, per);
    }
    const auto fs = compute_stats(fp, *peer);
    ASSERT_TRUE(fs.has_value());
    EXPECT_NEAR(s->dequantized->mean, fs->values.mean, 1e-3) << qt.name;
    EXPECT_NEAR(s->dequantized->stddev, fs->values.stddev, 1e-3) << qt.name;
    ++compared;
  }
  EXPECT_EQ(compared, 3);  // the two FC weights and the conv filter
}

TEST(TensorStatsCorpus, QuantizedWeightsDequantizeWithinTheirRecordedRange) {
  QS_REQUIRE_CORPUS();
  // The quantizer recorded each tensor's float range next to its scale.
  const auto model = open_model("lstm_quantized.bin");
  int checked = 0;
  for (const auto& t : model.subgraphs[0].tensors) {
    if (model.tensor_data(t).empty() || !t.quantization || t.quantization->scale.size() != 1 ||
        t.quantization->min.size() != 1 || t.quantization->max.size() != 1)
      continue;
    const auto s = compute_stats(model, t);
    ASSERT_TRUE(s.has_value()) << s.error().message;
    ASSERT_TRUE(s->dequantized.has_value()) << t.name;
    // Half a step, plus float32 rounding of the recorded range itself.
    const double slack = t.quantization->scale[0] / 2.0 +
                         1e-6 * std::max(std::abs(t.quantization->min[0]), std::abs(t.quantization->max[0]));
    EXPECT_GE(s->dequantized->min, t.quantization->min[0] - slack) << t.name;
    EXPECT_LE(s->dequantized->max, t.quantization->max[0] + slack) << t.name;
    EXPECT_LE(s->dequantized->min, s->dequantized->max);
    ++checked;
  }
  EXPECT_GE(checked, 10);
}

TEST(TensorStatsCorpus, EveryConstantOfMobilenetSummarises) {
  QS_REQUIRE_CORPUS();
  const auto model = open_model("mobilenet_v1_0.25_128_quant.tflite");
  int with_data = 0;
  for (const auto& t : model.subgraphs[0].tensors) {
    if (model.tensor_data(t).empty()) {
      EXPECT_FALSE(compute_stats(model, t).has_value());
      continue;
    }
    const auto s = compute_stats(model, t);
    ASSERT_TRUE(s.has_value()) << t.name << ": " << s.error().message;
    EXPECT_EQ(s->values.count, *format::element_count(t.shape));
    EXPECT_EQ(total(s->values.histogram), s->values.finite) << t.name;
    if (t.quantization && t.quantization->has_scale()) {
      ASSERT_TRUE(s->dequantized.has_value()) << t.name;
      // UINT8 weights: every real value lies on the grid scale·(0..255 − zp).
      const double scale = t.quantization->scale[0];
      const double zp = static_cast<double>(t.quantization->zero_point[0]);
      if (t.type == TensorType::UINT8) {
        EXPECT_GE(s->dequantized->min, scale * (0 - zp) - 1e-9) << t.name;
        EXPECT_LE(s->dequantized->max, scale * (255 - zp) + 1e-9) << t.name;
      }
      EXPECT_NEAR(s->dequantized->min, scale * (s->values.min - zp), 1e-9) << t.name;
      EXPECT_NEAR(s->dequantized->max, scale * (s->values.max - zp), 1e-9) << t.name;
    }
    ++with_data;
  }
  EXPECT_EQ(with_data, 29 + 28);  // `info`: 29 INT32 + 28 UINT8 constant tensors
}

TEST(TensorStatsCorpus, HalfFloatWeightsAreFinite) {
  QS_REQUIRE_CORPUS();
  const auto model = open_model("face_detection_short_range.tflite");
  int halves = 0, spread = 0;
  for (const auto& t : model.subgraphs[0].tensors) {
    if (t.type != TensorType::FLOAT16) continue;
    const auto s = compute_stats(model, t);
    ASSERT_TRUE(s.has_value()) << s.error().message;
    EXPECT_EQ(s->values.finite, s->values.count) << t.name;
    EXPECT_LE(std::abs(s->values.min), 65504.0);
    EXPECT_LE(std::abs(s->values.max), 65504.0);
    EXPECT_EQ(total(s->values.histogram), s->values.count);
    ++halves;
    // Filters vary; some biases are all zero.
    if (s->values.stddev > 0) ++spread;
  }
  EXPECT_EQ(halves, 74);  // CATALOG.tsv: FLOAT16:74
  EXPECT_GE(spread, 37);
}

}  // namespace
}  // namespace qs::inspect
