#pragma once
// `dynamic` mode (dynamic-range quantization, TFLite's Optimize.DEFAULT with
// no representative data): constant weights with at least `min_elements`
// values become int8, symmetric (zero point 0, [-127, 127]); the op then
// runs a hybrid kernel that quantizes its float input on the fly, and
// activations stay float.
//
// Which weights, how, and the op version written (quant/op_versions: TFLite's op_version.cc
// for a hybrid op), as the official converter does:
//   FULLY_CONNECTED    per tensor; version 3 (5 with keep_num_dims, 9 with
//                      asymmetric_quantize_inputs)
//   CONV_2D            per output channel (axis 0); version 5 (6 grouped)
//   DEPTHWISE_CONV_2D  per channel (axis 3); version 6
//   BATCH_MATMUL       a constant right-hand side, per tensor; version 1
// Weights of other ops (LSTM, SVDF, ... not yet: no runtime here runs their
// hybrid kernels to check them) stay float32 and the plan says why.

#include <string>
#include <vector>

#include "common/status.h"
#include "format/model.h"
#include "quant/model_edit.h"
#include "quant/weights.h"

namespace qs::quant {

struct DynamicOptions {
  size_t min_elements = 1024;
  std::string tool = "quantscope";
};

Result<QuantizedModel> to_dynamic_range(const format::Model& model, const DynamicOptions& options = {});

}  // namespace qs::quant
