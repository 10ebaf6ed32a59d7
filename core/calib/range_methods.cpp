#include "calib/range_methods.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace qs::calib {
namespace {

constexpr int kBins = Histogram::kBins;
constexpr double kInf = std::numeric_limits<double>::infinity();

// The value distribution the models below work on: the histogram's
// non-zero values, spread evenly within each bin but never beyond the
// observed min and max; exact zeros apart.
class Distribution {
 public:
  explicit Distribution(const TensorStatistics& s) : stats_(s) {
    const Histogram& h = s.histogram;
    if (h.empty()) return;
    counts_.assign(h.counts().begin(), h.counts().end());
    // Zeros sit in the bin of 0; they are handled exactly, not as a spread.
    const auto zero_bin = static_cast<size_t>(std::clamp<int64_t>(-h.origin(), 0, kBins - 1));
    counts_[zero_bin] -= std::min<double>(counts_[zero_bin], static_cast<double>(s.zeros));
    lo_.resize(kBins);
    hi_.resize(kBins);
    prefix_.assign(kBins + 1, 0);
    for (int i = 0; i < kBins; ++i) {
      lo_[static_cast<size_t>(i)] = std::max(h.edge(i), s.min);
      hi_[static_cast<size_t>(i)] = std::min(h.edge(i + 1), s.max);
      prefix_[static_cast<size_t>(i) + 1] = prefix_[static_cast<size_t>(i)] + counts_[static_cast<size_t>(i)];
    }
  }

  bool empty() const { return counts_.empty(); }
  int bins() const { return kBins; }
  double count(int i) const { return counts_[static_cast<size_t>(i)]; }
  double lo(int i) const { return lo_[static_cast<size_t>(i)]; }
  double hi(int i) const { return hi_[static_cast<size_t>(i)]; }
  double zeros() const { return static_cast<double>(stats_.zeros); }
  double total() const { return static_cast<double>(stats_.count); }

  // Non-zero values below x (plus the zeros when 0 < x).
  double below(double x) const {
    double n = x > 0 ? zeros() : 0;
    if (empty()) return n;
    const Histogram& h = stats_.histogram;
    if (x <= h.lo()) return n;
    if (x >= h.hi()) return n + prefix_.back();
    const int i = std::clamp(static_cast<int>((x - h.lo()) / h.bin_width()), 0, kBins - 1);
    n += prefix_[static_cast<size_t>(i)];
    const double a = lo(i), b = hi(i);
    if (x >= b) return n + count(i);
    if (x > a && b > a) n += count(i) * (x - a) / (b - a);
    return n;
  }

  // Values with |x| < t.
  double abs_below(double t) const { return below(t) - below(-t); }

 private:
  const TensorStatistics& stats_;
  std::vector<double> counts_;
  std::vector<double> lo_, hi_;
  std::vector<double> prefix_;
};

// ∫ (x − edge)² over [a, b] for a uniform density of `mass` spread on
// [a0, b0] ⊇ [a, b], with edge outside [a, b].
double clip_error(double mass, double a0, double b0, double a, double b, double edge) {
  if (b <= a) return 0;
  if (b0 <= a0) return mass * (a0 - edge) * (a0 - edge);
  const double cube = (std::pow(b - edge, 3) - std::pow(a - edge, 3)) / 3.0;
  return mass * std::abs(cube) / (b0 - a0);
}

struct Error {
  double squared = 0;  // Σ error² over all values
  // Values farther than half a step outside the grid: nearer ones round to
  // its end with no more error than rounding inside it (the nudged int8 grid
  // may end a hair below the maximum it was made for).
  double clipped = 0;
};

Error expected_error(const Distribution& d, const QuantGrid& g) {
  Error e;
  const double gl = g.lo(), gh = g.hi();
  const double step2 = g.scale * g.scale / 12.0;
  const double cl = gl - g.scale / 2, ch = gh + g.scale / 2;  // clipping starts here
  for (int i = 0; i < d.bins(); ++i) {
    const double c = d.count(i);
    if (c <= 0) continue;
    const double a = d.lo(i), b = d.hi(i);
    if (b <= a) {  // all of the bin's mass at one value
      if (a > gh || a < gl) {
        e.squared += c * (a > gh ? (a - gh) * (a - gh) : (gl - a) * (gl - a));
        if (a > ch || a < cl) e.clipped += c;
      } else {
        e.squared += c * step2;
      }
      continue;
    }
    const double width = b - a;
    const double in = std::max(0.0, std::min(b, gh) - std::max(a, gl));
    e.squared += c * in / width * step2;
    if (b > gh) {
      const double from = std::max(a, gh);
      e.squared += clip_error(c, a, b, from, b, gh);
      if (b > ch) e.clipped += c * (b - std::max(a, ch)) / width;
    }
    if (a < gl) {
      const double to = std::min(b, gl);
      e.squared += clip_error(c, a, b, a, to, gl);
      if (a < cl) e.clipped += c * (std::min(b, cl) - a) / width;
    }
  }
  return e;
}

RangeChoice finish(const TensorStatistics& s, const Distribution& d, double lo, double hi, Bits bits) {
  RangeChoice r;
  r.lo = lo;
  r.hi = hi;
  r.grid = make_grid(lo, hi, bits);
  if (s.count == 0) return r;
  const Error e = expected_error(d, r.grid);
  r.clipped = e.clipped / d.total();
  const double noise = e.squared / d.total();
  const double signal = s.mean_square();
  r.sqnr_db = noise > 0 ? 10.0 * std::log10(signal / noise) : kInf;
  return r;
}

// t with a fraction q of |x| below it, by bisection on the monotone count.
double abs_quantile(const Distribution& d, double q, double magnitude) {
  const double target = q * d.total();
  double lo = 0, hi = magnitude;
  for (int it = 0; it < 80 && hi - lo > magnitude * 1e-12; ++it) {
    const double mid = 0.5 * (lo + hi);
    (d.abs_below(mid) < target ? lo : hi) = mid;
  }
  return hi;
}

// x with a fraction q of the values below it.
double quantile(const Distribution& d, double q, double lo, double hi) {
  const double target = q * d.total();
  // Inside the spike of exact zeros the answer is 0 itself.
  const double negatives = d.below(0);
  if (target > negatives && target <= negatives + d.zeros()) return 0;
  for (int it = 0; it < 100 && hi - lo > (std::abs(lo) + std::abs(hi)) * 1e-13; ++it) {
    const double mid = 0.5 * (lo + hi);
    (d.below(mid) < target ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

// ONNX Runtime's and TensorRT's smoothing: zero bins get eps, taken evenly
// from the non-zero ones, so the divergence stays finite.
bool smooth(std::vector<double>& p) {
  constexpr double kEps = 1e-4;
  size_t zeros = 0;
  for (double v : p) zeros += v == 0 ? 1 : 0;
  const size_t nonzeros = p.size() - zeros;
  if (nonzeros == 0) return false;
  const double take = kEps * static_cast<double>(zeros) / static_cast<double>(nonzeros);
  for (double& v : p) v += v == 0 ? kEps : -take;
  return true;
}

double kl_divergence(std::vector<double> p, std::vector<double> q) {
  double sp = 0, sq = 0;
  for (double v : p) sp += v;
  for (double v : q) sq += v;
  if (sp <= 0 || sq <= 0) return kInf;
  for (double& v : p) v /= sp;
  for (double& v : q) v /= sq;
  if (!smooth(p) || !smooth(q)) return kInf;
  double kl = 0;
  for (size_t i = 0; i < p.size(); ++i) {
    if (p[i] > 0 && q[i] > 0) kl += p[i] * std::log(p[i] / q[i]);
  }
  return kl;
}

// TensorRT's entropy calibration on the |x| histogram.
double entropy_threshold(const Distribution& d, double magnitude, int target_bins) {
  constexpr int kAbsBins = 2048;
  if (target_bins >= kAbsBins || magnitude <= 0) return magnitude;
  std::vector<double> hist(kAbsBins);
  const double width = magnitude / kAbsBins;
  // Exact zeros are left out: they are represented exactly whatever the
  // threshold, and a ReLU's spike at 0 would otherwise dominate both
  // distributions and pull the threshold down to the first 128 bins (with
  // 70% zeros, to an SQNR near 0 dB). TensorRT keeps them.
  double previous = 0;
  for (int j = 0; j < kAbsBins; ++j) {
    const double next = (j + 1 == kAbsBins ? d.total() : d.abs_below(width * (j + 1))) - d.zeros();
    hist[static_cast<size_t>(j)] = std::max(0.0, next - previous);
    previous = next;
  }
  std::vector<double> suffix(kAbsBins + 1, 0);
  for (int j = kAbsBins - 1; j >= 0; --j)
    suffix[static_cast<size_t>(j)] = suffix[static_cast<size_t>(j) + 1] + hist[static_cast<size_t>(j)];
  double best = kInf;
  int best_i = kAbsBins;
  for (int i = target_bins; i <= kAbsBins; ++i) {
    const auto n = static_cast<size_t>(i);
    std::vector<double> p(hist.begin(), hist.begin() + i);
    p[n - 1] += suffix[n];
    // The candidate: the first i bins merged into target_bins levels, each
    // level's mass spread back over its non-empty bins.
    std::vector<double> q(n, 0);
    const size_t merged = n / static_cast<size_t>(target_bins);
    for (int j = 0; j < target_bins; ++j) {
      const size_t start = static_cast<size_t>(j) * merged;
      const size_t stop = j + 1 == target_bins ? n : start + merged;
      double mass = 0;
      size_t nonempty = 0;
      for (size_t k = start; k < stop; ++k) {
        mass += hist[k];
        nonempty += hist[k] != 0 ? 1 : 0;
      }
      if (nonempty == 0) continue;
      for (size_t k = start; k < stop; ++k) {
        if (hist[k] != 0) q[k] = mass / static_cast<double>(nonempty);
      }
    }
    const double kl = kl_divergence(std::move(p), std::move(q));
    if (kl < best) {
      best = kl;
      best_i = i;
    }
  }
  return width * best_i;
}

// Coordinate descent over the two ends on a 200-step grid of each side's
// extent (0.5% resolution), three rounds.
std::pair<double, double> mse_range(const TensorStatistics& s, const Distribution& d, Bits bits) {
  constexpr int kSteps = 200;
  auto error = [&](double lo, double hi) { return expected_error(d, make_grid(lo, hi, bits)).squared; };
  if (bits == Bits::kInt16) {
    const double m = std::max(std::abs(s.min), std::abs(s.max));
    double best_t = m, best = error(-m, m);
    for (int k = 1; k < kSteps; ++k) {
      const double t = m * k / kSteps;
      const double e = error(-t, t);
      if (e < best) best = e, best_t = t;
    }
    return {std::max(s.min, -best_t), std::min(s.max, best_t)};
  }
  double lo = s.min, hi = s.max;
  double best = error(lo, hi);
  for (int round = 0; round < 3; ++round) {
    if (s.max > 0) {
      for (int k = 1; k <= kSteps; ++k) {
        const double h = s.max * k / kSteps;
        const double e = error(lo, h);
        if (e < best) best = e, hi = h;
      }
    }
    if (s.min < 0) {
      for (int k = 1; k <= kSteps; ++k) {
        const double l = s.min * k / kSteps;
        const double e = error(l, hi);
        if (e < best) best = e, lo = l;
      }
    }
  }
  return {lo, hi};
}

}  // namespace

std::string_view method_name(RangeMethod method) {
  switch (method) {
    case RangeMethod::kMinMax:
      return "minmax";
    case RangeMethod::kMovingAverage:
      return "moving-average";
    case RangeMethod::kPercentile:
      return "percentile";
    case RangeMethod::kEntropy:
      return "entropy";
    case RangeMethod::kMse:
      return "mse";
  }
  return "?";
}

std::optional<RangeMethod> parse_method(std::string_view name) {
  for (RangeMethod m : kAllMethods) {
    if (method_name(m) == name) return m;
  }
  if (name == "kl") return RangeMethod::kEntropy;
  return std::nullopt;
}

QuantGrid make_grid(double lo, double hi, Bits bits) {
  QuantGrid g;
  if (bits == Bits::kInt16) {
    g.qmin = -32767;
    g.qmax = 32767;
    const double m = std::max(std::abs(lo), std::abs(hi));
    g.scale = m > 0 ? m / 32767.0 : 1.0;
    return g;
  }
  g.qmin = -128;
  g.qmax = 127;
  lo = std::min(lo, 0.0);
  hi = std::max(hi, 0.0);
  if (hi <= lo) {
    g.scale = 1.0;
    g.zero_point = 0;
    return g;
  }
  g.scale = (hi - lo) / 255.0;
  const double zp = static_cast<double>(g.qmin) - lo / g.scale;
  g.zero_point = std::clamp<int64_t>(std::llround(zp), g.qmin, g.qmax);
  return g;
}

RangeChoice evaluate(const TensorStatistics& stats, double lo, double hi, Bits bits) {
  const Distribution d(stats);
  return finish(stats, d, lo, hi, bits);
}

RangeChoice choose_range(const TensorStatistics& s, RangeMethod method, Bits bits,
                         const MethodOptions& options) {
  const Distribution d(s);
  if (s.count == 0) return finish(s, d, 0, 0, bits);
  const double magnitude = std::max(std::abs(s.min), std::abs(s.max));
  switch (method) {
    case RangeMethod::kMinMax:
      return finish(s, d, s.min, s.max, bits);
    case RangeMethod::kMovingAverage:
      return finish(s, d, s.average_min.value(), s.average_max.value(), bits);
    case RangeMethod::kPercentile: {
      const double p = std::clamp(options.percentile, 50.0, 100.0) / 100.0;
      if (options.symmetric_percentile) {
        const double t = abs_quantile(d, p, magnitude);
        return finish(s, d, -t, t, bits);
      }
      const double lo = std::max(s.min, quantile(d, 1.0 - p, s.min, s.max));
      const double hi = std::min(s.max, quantile(d, p, s.min, s.max));
      return finish(s, d, lo, hi, bits);
    }
    case RangeMethod::kEntropy: {
      const double t = entropy_threshold(d, magnitude, bits == Bits::kInt8 ? 128 : 32768);
      return finish(s, d, std::max(s.min, -t), std::min(s.max, t), bits);
    }
    case RangeMethod::kMse: {
      const auto [lo, hi] = mse_range(s, d, bits);
      return finish(s, d, lo, hi, bits);
    }
  }
  return finish(s, d, s.min, s.max, bits);
}

}  // namespace qs::calib
