#pragma once
// How the conformance tests decide that two outputs agree.
//
// Float outputs (float16/32/64), `ours` against the reference `theirs`:
//   1. Non-finite values must match position by position: NaN where the
//      reference has NaN, the same infinity where it has one.
//   2. Over the finite positions,
//        error = max_i |ours_i - theirs_i| / max(max_i |theirs_i|, kScaleFloor)
//      i.e. the worst absolute difference relative to the output's own
//      magnitude (not per element, so values near zero in an output whose
//      other values are large don't inflate it), and it must be <= tolerance.
//      kScaleFloor keeps an all-zero (or nearly) output from turning rounding
//      noise into a huge ratio: there, up to tolerance x 1e-3 absolute passes.
// Integer and bool outputs must be equal element for element.
// Shapes must be equal (element counts at least, when the reference could
// not tell its shape).

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "io/npy.h"

namespace qs::conformance {

inline constexpr double kScaleFloor = 1e-3;

struct Comparison {
  bool agree = false;
  double error = 0.0;      // the metric above (0 for exact types)
  size_t mismatches = 0;   // elements beyond tolerance / unequal / NaN-pattern breaks
  std::string detail;      // first problem, for the report
};

// `theirs_shape_known` false: only the element count of `theirs` is checked.
Comparison compare_arrays(const io::Array& ours, const io::Array& theirs, double tolerance,
                          bool theirs_shape_known = true);

}  // namespace qs::conformance
