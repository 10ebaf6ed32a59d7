#include "conformance/compare.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <sstream>

#include "inspect/tensor_stats.h"

namespace qs::conformance {
namespace {

bool is_float(io::DType d) {
  return d == io::DType::kFloat16 || d == io::DType::kFloat32 || d == io::DType::kFloat64;
}

std::vector<double> as_doubles(const io::Array& a) {
  const size_t n = static_cast<size_t>(a.elements());
  std::vector<double> out(n);
  for (size_t i = 0; i < n; ++i) {
    switch (a.dtype) {
      case io::DType::kFloat16: {
        uint16_t h;
        std::memcpy(&h, a.data.data() + 2 * i, 2);
        out[i] = inspect::half_to_float(h);
        break;
      }
      case io::DType::kFloat32: {
        float f;
        std::memcpy(&f, a.data.data() + 4 * i, 4);
        out[i] = f;
        break;
      }
      default: {
        double d;
        std::memcpy(&d, a.data.data() + 8 * i, 8);
        out[i] = d;
      }
    }
  }
  return out;
}

// Flat position -> "[i,j,k]" for messages.
std::string index_string(size_t flat, const std::vector<int64_t>& shape) {
  std::vector<int64_t> idx(shape.size());
  for (size_t d = shape.size(); d-- > 0;) {
    const auto extent = static_cast<size_t>(std::max<int64_t>(shape[d], 1));
    idx[d] = static_cast<int64_t>(flat % extent);
    flat /= extent;
  }
  return io::shape_string(idx);
}

}  // namespace

Comparison compare_arrays(const io::Array& ours, const io::Array& theirs, double tolerance, bool theirs_shape_known) {
  Comparison c;
  if (ours.dtype != theirs.dtype) {
    c.detail = cat("dtype ", io::dtype_name(ours.dtype), " vs ", io::dtype_name(theirs.dtype));
    c.mismatches = 1;
    return c;
  }
  if (theirs_shape_known ? ours.shape != theirs.shape : ours.elements() != theirs.elements()) {
    c.detail = cat("shape ", io::shape_string(ours.shape), " vs ", io::shape_string(theirs.shape));
    c.mismatches = 1;
    return c;
  }
  if (ours.data.size() != theirs.data.size()) {
    c.detail = cat("data size ", ours.data.size(), " vs ", theirs.data.size());
    c.mismatches = 1;
    return c;
  }
  if (!is_float(ours.dtype)) {
    const size_t item = io::dtype_size(ours.dtype);
    for (size_t i = 0; i * item < ours.data.size(); ++i) {
      if (std::memcmp(ours.data.data() + i * item, theirs.data.data() + i * item, item) != 0) {
        if (c.mismatches++ == 0) c.detail = cat("first difference at ", index_string(i, ours.shape));
      }
    }
    c.agree = c.mismatches == 0;
    return c;
  }
  const auto a = as_doubles(ours);
  const auto b = as_doubles(theirs);
  double scale = 0.0;
  for (double v : b) {
    if (std::isfinite(v)) scale = std::max(scale, std::abs(v));
  }
  scale = std::max(scale, kScaleFloor);
  double worst = 0.0;
  size_t worst_at = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    if (!std::isfinite(b[i]) || !std::isfinite(a[i])) {
      const bool same = (std::isnan(a[i]) && std::isnan(b[i])) || a[i] == b[i];
      if (!same && c.mismatches++ == 0) {
        c.detail = cat("at ", index_string(i, ours.shape), ": ours ", a[i], ", reference ", b[i]);
      }
      continue;
    }
    const double e = std::abs(a[i] - b[i]) / scale;
    if (e > tolerance) ++c.mismatches;
    if (e > worst) {
      worst = e;
      worst_at = i;
    }
  }
  c.error = worst;
  if (c.detail.empty() && worst > tolerance) {
    std::ostringstream s;
    s.precision(9);
    s << "worst at " << index_string(worst_at, ours.shape) << ": ours " << a[worst_at] << ", reference "
      << b[worst_at] << " (output scale " << scale << ")";
    c.detail = s.str();
  }
  c.agree = c.mismatches == 0;
  return c;
}

}  // namespace qs::conformance
