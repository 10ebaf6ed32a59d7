#pragma once
// The operator versions a quantized model must declare. A runtime picks the
// kernel by (op, version): an int8 CONV_2D left at version 1 asks an older
// runtime for the float kernel and fails or, worse, runs it on int8 data.
// The numbers are TFLite's (tensorflow/lite/tools/versioning/op_version.cc),
// decided from the tensor types around the op, as the official converter
// decides them; only the cases the quantizer can produce are modelled.

#include <cstdint>
#include <optional>

#include "format/model.h"

namespace qs::quant {

// The version TFLite's converter would give `op` with the types it has now;
// nullopt for ops this table does not model (their version is left alone).
std::optional<int32_t> required_version(const format::Subgraph& sg, const format::Operator& op);

// Raises every op's version to what its types require; never lowers one
// (a version above the requirement may be there for another feature).
void raise_op_versions(format::Model& model);

}  // namespace qs::quant
