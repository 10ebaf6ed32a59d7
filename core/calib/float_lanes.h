#pragma once
// Sixteen floats processed as one value, with GCC/Clang vector extensions.
// The statistics loops are written against these so they vectorise the same
// way under every compiler and optimisation level (at -O2 GCC 12 leaves
// reductions with several accumulators scalar); each target_clones version
// (calib/simd_dispatch.h) maps them onto its own registers.

#include <cstdint>
#include <cstring>

// Passing 64-byte vectors by value would differ between the SSE2 and
// AVX-512 calling conventions, and GCC warns at every such use. These values
// never cross a call that is not inlined into one clone's loop, so the
// warning is off for the rest of any file that includes this header (a
// push/pop pair would not cover the loops that use it).
#if defined(__clang__)
#pragma clang diagnostic ignored "-Wpsabi"
#elif defined(__GNUC__)
#pragma GCC diagnostic ignored "-Wpsabi"
#endif

namespace qs::calib::lanes {

inline constexpr int kWidth = 16;
using F = float __attribute__((vector_size(kWidth * sizeof(float))));
using I = int32_t __attribute__((vector_size(kWidth * sizeof(int32_t))));

inline F load(const float* p) {
  F v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
inline F splat(float x) { return F{} + x; }
inline I splat_int(int32_t x) { return I{} + x; }
// a where mask is set, else b.
inline F select(I mask, F a, F b) {
  I ai, bi;
  std::memcpy(&ai, &a, sizeof a);
  std::memcpy(&bi, &b, sizeof b);
  const I r = (ai & mask) | (bi & ~mask);
  F out;
  std::memcpy(&out, &r, sizeof out);
  return out;
}
inline F min(F a, F b) { return select(a < b, a, b); }
inline F max(F a, F b) { return select(a > b, a, b); }
// -1 where the lane is finite (neither NaN nor ±inf), from the bits: an
// exponent field of all ones marks both.
inline I finite(F v) {
  I bits;
  std::memcpy(&bits, &v, sizeof v);
  return (bits & 0x7fffffff) < 0x7f800000;
}
// Truncation toward zero, lane by lane (values within int32's range).
inline I to_int(F v) { return __builtin_convertvector(v, I); }
// Rounding down: truncation, minus one where that went up (negatives).
inline I floor_int(F v) {
  const I t = to_int(v);
  return t + (__builtin_convertvector(t, F) > v);  // a true comparison is -1
}

}  // namespace qs::calib::lanes
