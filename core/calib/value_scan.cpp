#include "calib/value_scan.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "calib/float_lanes.h"
#include "calib/simd_dispatch.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define QS_HAVE_AVX512_TARGET 1
#else
#define QS_HAVE_AVX512_TARGET 0
#endif

namespace qs::calib {
namespace {

// The scalar remainder of a block (fewer than 16 values).
void scan_tail(const float* x, size_t n, float shift, const BinWindow& w, int32_t* index, BlockScan& s) {
  for (size_t i = 0; i < n; ++i) {
    const float v = x[i];
    if (!std::isfinite(v)) {
      ++s.nonfinite;
      continue;
    }
    s.min = std::min(s.min, v);
    s.max = std::max(s.max, v);
    const float d = v - shift;
    s.s1 += d;
    s.s2 += static_cast<double>(d) * d;
    if (v == 0.0f) {
      ++s.zeros;
      continue;
    }
    index[s.indices++] = bin_index(v, w);
  }
}

#if QS_HAVE_AVX512_TARGET
// GCC 12 reports its own intrinsics' "undefined" operands as maybe
// uninitialized once they are inlined here.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif

// The bin of each of 16 values under a window (as bin_index() does one).
struct Avx512Window {
  __m512 scale, lo, hi;
  __m512i origin;
};

__attribute__((target("avx512f"))) inline Avx512Window avx512_window(const BinWindow& w) {
  return {_mm512_set1_ps(w.scale), _mm512_set1_ps(w.lo), _mm512_set1_ps(w.hi), _mm512_set1_epi32(w.origin)};
}

__attribute__((target("avx512f"), always_inline)) inline __m512i avx512_bins(__m512 v,
                                                                             const Avx512Window& w) {
  const __m512 t = _mm512_min_ps(_mm512_max_ps(_mm512_mul_ps(v, w.scale), w.lo), w.hi);
  return _mm512_sub_epi32(_mm512_cvt_roundps_epi32(t, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC), w.origin);
}

// AVX-512: zeros leave the index stream through a compress. The loop does
// not look for NaN or infinities: any of them makes the running sum
// non-finite, and only then is the block counted again value by value (the
// caller redoes such blocks without them). Zeros are what the compress
// dropped.
__attribute__((target("avx512f"))) BlockScan scan_avx512(const float* x, size_t n, float shift,
                                                         const BinWindow& w, int32_t* index) {
  const Avx512Window bins = avx512_window(w);
  const __m512 zero = _mm512_setzero_ps();
  const __m512 sh = _mm512_set1_ps(shift);
  __m512 lo = _mm512_set1_ps(INFINITY), hi = _mm512_set1_ps(-INFINITY), a1 = zero, a2 = zero;
  size_t m = 0;
  const size_t full = n - n % 16;
  for (size_t i = 0; i < full; i += 16) {
    const __m512 v = _mm512_loadu_ps(x + i);
    lo = _mm512_min_ps(lo, v);
    hi = _mm512_max_ps(hi, v);
    const __m512 d = _mm512_sub_ps(v, sh);
    a1 = _mm512_add_ps(a1, d);
    a2 = _mm512_add_ps(a2, _mm512_mul_ps(d, d));
    const __mmask16 nonzero = _mm512_cmp_ps_mask(v, zero, _CMP_NEQ_UQ);
    _mm512_storeu_si512(index + m, _mm512_maskz_compress_epi32(nonzero, avx512_bins(v, bins)));
    m += static_cast<size_t>(__builtin_popcount(nonzero));
  }
  BlockScan s;
  s.min = _mm512_reduce_min_ps(lo);
  s.max = _mm512_reduce_max_ps(hi);
  alignas(64) float p1[16], p2[16];
  _mm512_store_ps(p1, a1);
  _mm512_store_ps(p2, a2);
  for (int l = 0; l < 16; ++l) {
    s.s1 += p1[l];
    s.s2 += p2[l];
  }
  if (!std::isfinite(s.s1) || !std::isfinite(s.s2)) {
    for (size_t i = 0; i < full; ++i) s.nonfinite += std::isfinite(x[i]) ? 0 : 1;
  }
  s.zeros = static_cast<uint32_t>(full - m);  // NaN and infinities compare unequal to 0
  s.indices = m;
  scan_tail(x + full, n - full, shift, w, index, s);
  // GCC leaves the upper halves dirty when returning to code built for
  // plain x86-64; the SSE code after the call would then pay for it.
  _mm256_zeroupper();
  return s;
}

__attribute__((target("avx512f"))) size_t bin_avx512(const float* x, size_t n, const BinWindow& w,
                                                     int32_t* index) {
  const Avx512Window bins = avx512_window(w);
  const __m512 zero = _mm512_setzero_ps();
  size_t m = 0;
  const size_t full = n - n % 16;
  for (size_t i = 0; i < full; i += 16) {
    const __m512 v = _mm512_loadu_ps(x + i);
    const __mmask16 nonzero = _mm512_cmp_ps_mask(v, zero, _CMP_NEQ_UQ);
    _mm512_storeu_si512(index + m, _mm512_maskz_compress_epi32(nonzero, avx512_bins(v, bins)));
    m += static_cast<size_t>(__builtin_popcount(nonzero));
  }
  for (size_t i = full; i < n; ++i) {
    if (x[i] != 0.0f) index[m++] = bin_index(x[i], w);
  }
  _mm256_zeroupper();
  return m;
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
#endif

// Elsewhere: 16-float lanes, and zeros dropped by a scalar pass over the
// indices (marked −1 by the vector loop).
QS_SIMD_CLONES
BlockScan scan_lanes(const float* x, size_t n, float shift, const BinWindow& w, int32_t* index) {
  using lanes::F;
  using lanes::I;
  constexpr size_t kW = lanes::kWidth;
  const F scale = lanes::splat(w.scale), grid_lo = lanes::splat(w.lo), grid_hi = lanes::splat(w.hi);
  const I origin = lanes::splat_int(w.origin);
  const F sh = lanes::splat(shift);
  F lo = lanes::splat(INFINITY), hi = lanes::splat(-INFINITY), a1{}, a2{};
  I zeros{}, bad{};
  const size_t full = n - n % kW;
  for (size_t i = 0; i < full; i += kW) {
    const F v = lanes::load(x + i);
    const I finite = lanes::finite(v);
    lo = lanes::select(finite, lanes::min(v, lo), lo);
    hi = lanes::select(finite, lanes::max(v, hi), hi);
    const F d = lanes::select(finite, v - sh, F{});
    a1 += d;
    a2 += d * d;
    const I is_zero = (v == F{});
    zeros -= is_zero;  // a true comparison is -1
    bad -= ~finite;
    const F t = lanes::min(lanes::max(v * scale, grid_lo), grid_hi);
    const I k = (lanes::floor_int(t) - origin) | is_zero;  // -1 marks a zero
    std::memcpy(index + i, &k, sizeof k);
  }
  BlockScan s;
  s.min = INFINITY;
  s.max = -INFINITY;
  for (size_t l = 0; l < kW; ++l) {
    s.min = std::min(s.min, lo[l]);
    s.max = std::max(s.max, hi[l]);
    s.s1 += a1[l];
    s.s2 += a2[l];
    s.zeros += static_cast<uint32_t>(zeros[l]);
    s.nonfinite += static_cast<uint32_t>(bad[l]);
  }
  size_t m = 0;
  for (size_t i = 0; i < full; ++i) {
    index[m] = index[i];
    m += index[i] >= 0 ? 1 : 0;
  }
  s.indices = m;
  scan_tail(x + full, n - full, shift, w, index, s);
  return s;
}

#if QS_HAVE_AVX512_TARGET
bool have_avx512() {
  static const bool yes = __builtin_cpu_supports("avx512f");
  return yes;
}
#endif

}  // namespace

BlockScan scan_block(const float* x, size_t n, float shift, const BinWindow& window, int32_t* index) {
#if QS_HAVE_AVX512_TARGET
  if (have_avx512()) return scan_avx512(x, n, shift, window, index);
#endif
  return scan_lanes(x, n, shift, window, index);
}

size_t bin_block(const float* x, size_t n, const BinWindow& window, int32_t* index) {
#if QS_HAVE_AVX512_TARGET
  if (have_avx512()) return bin_avx512(x, n, window, index);
#endif
  // Rare (the window grew): the statistics are recomputed and dropped.
  return scan_lanes(x, n, 0.0f, window, index).indices;
}

}  // namespace qs::calib
