#include "calib/source_values.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

namespace qs::calib {
namespace {

using format::TensorType;

template <class T>
Result<std::vector<std::byte>> saturate(std::span<const float> values, float scale, int64_t zero_point,
                                        std::string_view where) {
  constexpr double lo = std::numeric_limits<T>::min();
  constexpr double hi = std::numeric_limits<T>::max();
  std::vector<std::byte> out(values.size() * sizeof(T));
  for (size_t i = 0; i < values.size(); ++i) {
    if (std::isnan(values[i])) return fail(cat(where, ": element ", i, " is NaN"));
    // Float division, as TFLite's reference QUANTIZE does; clamping in
    // double keeps huge values (and infinities) away from the integer cast.
    const double q = std::round(static_cast<double>(values[i] / scale)) + static_cast<double>(zero_point);
    const T v = static_cast<T>(std::clamp(q, lo, hi));
    std::memcpy(out.data() + i * sizeof(T), &v, sizeof(T));
  }
  return out;
}

}  // namespace

bool quantizes(const InputCast& cast) {
  const bool integer =
      cast.type == TensorType::INT8 || cast.type == TensorType::UINT8 || cast.type == TensorType::INT16;
  return integer && cast.scale && *cast.scale > 0 && std::isfinite(*cast.scale);
}

bool accepts_real_values(const InputCast& cast) {
  return cast.type == TensorType::FLOAT32 || cast.type == TensorType::UINT8 || quantizes(cast);
}

Result<std::vector<std::byte>> cast_values(std::span<const float> values, const InputCast& cast,
                                           std::string_view where) {
  if (cast.type == TensorType::FLOAT32) {
    std::vector<std::byte> out(values.size_bytes());
    std::memcpy(out.data(), values.data(), out.size());
    return out;
  }
  const bool q = quantizes(cast);
  const float scale = q ? *cast.scale : 1.0f;
  const int64_t zero_point = q ? cast.zero_point.value_or(0) : 0;
  switch (cast.type) {
    case TensorType::UINT8:
      return saturate<uint8_t>(values, scale, zero_point, where);
    case TensorType::INT8:
      if (q) return saturate<int8_t>(values, scale, zero_point, where);
      break;
    case TensorType::INT16:
      if (q) return saturate<int16_t>(values, scale, zero_point, where);
      break;
    default:
      break;
  }
  const bool integer = cast.type == TensorType::INT8 || cast.type == TensorType::INT16;
  return fail(cat(where, ": real values cannot feed a ", format::type_name(cast.type),
                  integer ? " input without quantization parameters" : " input"));
}

}  // namespace qs::calib
