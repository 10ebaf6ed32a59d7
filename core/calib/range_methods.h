#pragma once
// Ranges a quantizer could give a tensor, computed from its statistics, and
// what each would cost.
//
//   kMinMax         [min, max] of everything seen (TFLite's default).
//   kMovingAverage  TFLite's MovingAverageMinMax: per-observation min and
//                   max averaged with 0.95 kept per update.
//   kPercentile     the p-th and (100 − p)-th percentiles (default 99.999,
//                   ONNX Runtime's default), or [−t, t] with t the p-th
//                   percentile of |x| when symmetric.
//   kEntropy        TensorRT's KL-divergence calibration: the threshold t
//                   whose 2048-bin |x| distribution, clipped at t and
//                   requantised to 128 levels (8 bit), loses the least
//                   information; range [−t, t], cut to the data's side(s).
//                   Unlike TensorRT, exact zeros are left out of the
//                   distributions (see range_methods.cpp).
//   kMse            the range that minimises the expected squared error of
//                   rounding (step²/12 per value inside) plus clipping.
//
// Every method reports, for int8 (asymmetric, zero point nudged so 0.0 is
// exact, as TFLite does) and int16 (symmetric, zero point 0, as 16x8 does):
// the range, the fraction of values clipped (more than half a step outside
// the representable interval: nearer ones round to its end with no more
// error than rounding inside it) and the expected
// signal-to-quantisation-noise ratio. Exact zeros are
// counted apart (they are representable on every grid and contribute no
// error), everything else is modelled from the histogram.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "calib/tensor_statistics.h"

namespace qs::calib {

enum class RangeMethod { kMinMax, kMovingAverage, kPercentile, kEntropy, kMse };

std::string_view method_name(RangeMethod method);  // "minmax", "moving-average", ...
std::optional<RangeMethod> parse_method(std::string_view name);
inline constexpr RangeMethod kAllMethods[] = {RangeMethod::kMinMax, RangeMethod::kMovingAverage,
                                              RangeMethod::kPercentile, RangeMethod::kEntropy,
                                              RangeMethod::kMse};

struct MethodOptions {
  double percentile = 99.999;
  bool symmetric_percentile = false;
};

enum class Bits { kInt8, kInt16 };

// The integer grid a range becomes, with TFLite's rules.
struct QuantGrid {
  double scale = 0;
  int64_t zero_point = 0;
  int64_t qmin = 0;
  int64_t qmax = 0;
  double lo() const { return scale * static_cast<double>(qmin - zero_point); }
  double hi() const { return scale * static_cast<double>(qmax - zero_point); }
};
// int8: the range is widened to contain 0, scale = (hi − lo) / 255, zero
// point round(−128 − lo / scale) clamped to [−128, 127]. int16: scale =
// max(|lo|, |hi|) / 32767, zero point 0. A zero-width range gets scale 1
// (the value is 0) or |value| / qmax, as TFLite's converter does.
QuantGrid make_grid(double lo, double hi, Bits bits);

struct RangeChoice {
  double lo = 0;
  double hi = 0;
  QuantGrid grid;
  double clipped = 0;  // fraction of finite values more than half a step outside the grid
  double sqnr_db = 0;  // 10 log10(E[x²] / E[error²]); +inf when nothing is lost
};

// Expected error of quantising the tensor onto `grid`.
RangeChoice evaluate(const TensorStatistics& stats, double lo, double hi, Bits bits);

RangeChoice choose_range(const TensorStatistics& stats, RangeMethod method, Bits bits,
                         const MethodOptions& options = {});

}  // namespace qs::calib
