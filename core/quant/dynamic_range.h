#pragma once
// `dynamic` mode (dynamic-range quantization, TFLite's Optimize.DEFAULT with
// no representative data): constant weights with at least `min_elements`
// values become int8, symmetric (zero point 0, [-127, 127]); the op then
// runs a hybrid kernel that quantizes its float input on the fly, and
// activations stay float.
//
// So far for FULLY_CONNECTED, per tensor, as the official converter writes
// it (e.g. model_ToyCar_quant.tflite): version 3 (5 with keep_num_dims),
// asymmetric_quantize_inputs left as it is. Weights of other ops stay
// float32 and the plan says why.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "common/status.h"
#include "format/model.h"
#include "quant/model_edit.h"

namespace qs::quant {

struct DynamicOptions {
  size_t min_elements = 1024;
  std::string tool = "quantscope";
};

Result<QuantizedModel> to_dynamic_range(const format::Model& model, const DynamicOptions& options = {});

// TFLite's symmetric int8 quantization of a weight tensor (one scale):
// range = max |w|, q = round(w · 127 / range) in [-127, 127], scale =
// range / 127; an all-zero tensor gets scale 1.
struct SymmetricInt8 {
  std::vector<int8_t> values;
  float scale = 1;
};
SymmetricInt8 quantize_symmetric(std::span<const float> weights);

}  // namespace qs::quant
