#pragma once
// `float16` mode: every float32 constant an op reads is stored as float16
// and turned back into float32 by a DEQUANTIZE op in front of its readers,
// as TFLite's converter does with supported_types = [tf.float16]. Half the
// weight bytes; runtimes with float16 kernels may skip the DEQUANTIZE.
//
// The tensor keeps its index (and so every reader, signature and stats-file
// key stays valid) as the DEQUANTIZE output, renamed "<name>_dequantize";
// the float16 constant is a new tensor with the original name. A constant
// with values beyond float16's range (±65504) would turn into infinities:
// it stays float32, with a warning naming it.

#include <string>

#include "common/status.h"
#include "format/model.h"
#include "quant/model_edit.h"

namespace qs::quant {

// `tool` goes into the model's "quantscope" metadata entry with the mode.
Result<QuantizedModel> to_float16(const format::Model& model, const std::string& tool);

// Round to nearest even, as every float16 conversion in TFLite does;
// overflow gives ±inf (callers check the range first).
uint16_t float_to_half(float value);

}  // namespace qs::quant
