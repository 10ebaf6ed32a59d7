#pragma once
// Element types and op codes of the TFLite format, with the facts about them
// every module needs (names, sizes). The enums are the generated ones, from
// the small enums-only part of our schema.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "qs/tfl/tflite_enums_generated.h"

namespace qs::format {

using TensorType = tfl::TensorType;
using BuiltinOp = tfl::BuiltinOperator;

// "FLOAT32", "INT8", ...; "TYPE_<n>" for values this build does not know.
std::string type_name(TensorType type);
// "CONV_2D", ...; "BUILTIN_<n>" for codes newer than this build.
std::string op_name(BuiltinOp op);
// The inverse of op_name for the ops this build knows ("CONV_2D" -> CONV_2D).
std::optional<BuiltinOp> parse_op_name(std::string_view name);
bool is_known_op(int32_t code);

// Bits per element, or nothing for variable-size types (STRING, RESOURCE,
// VARIANT) and unknown values.
std::optional<uint32_t> type_bits(TensorType type);

// Bytes a dense tensor of `elements` values occupies (sub-byte types are
// packed, rounded up to whole bytes); nothing when the size is not fixed or
// would overflow.
std::optional<uint64_t> dense_byte_size(TensorType type, uint64_t elements);

// Product of the dimensions; nothing if a dimension is negative or the
// product overflows 64 bits. An empty shape is a scalar: one element.
std::optional<uint64_t> element_count(std::span<const int32_t> shape);

// "[1,224,224,3]".
std::string shape_string(std::span<const int32_t> shape);

}  // namespace qs::format
