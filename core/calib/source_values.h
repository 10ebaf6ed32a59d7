#pragma once
// Private to core/calib: real values to a model input's element type, the
// one rule images and float arrays share.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "format/tensor_type.h"

namespace qs::calib {

// How values become elements of one input.
struct InputCast {
  format::TensorType type = format::TensorType::FLOAT32;
  std::optional<float> scale;  // per-tensor quantization
  std::optional<int64_t> zero_point;
};

// True when real values can feed the input: FLOAT32, UINT8, or INT8/INT16
// with a positive scale.
bool accepts_real_values(const InputCast& cast);
// True when the input is an integer type fed by quantizing real values.
bool quantizes(const InputCast& cast);

// FLOAT32: as is. Quantized INT8/UINT8/INT16: round(v / scale) +
// zero_point, saturated (rounding half away from zero, as TFLite's
// QUANTIZE). UINT8 without quantization: round(v), saturated. Fails for a
// NaN (naming `where` and the element) or a type accepts_real_values()
// refuses.
Result<std::vector<std::byte>> cast_values(std::span<const float> values, const InputCast& cast,
                                           std::string_view where);

}  // namespace qs::calib
