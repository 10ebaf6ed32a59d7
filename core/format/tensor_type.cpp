#include "format/tensor_type.h"

#include <limits>

namespace qs::format {

std::string type_name(TensorType type) {
  const char* name = tfl::EnumNameTensorType(type);
  if (name != nullptr && *name != '\0') return name;
  return "TYPE_" + std::to_string(static_cast<int>(type));
}

bool is_known_op(int32_t code) {
  return code >= static_cast<int32_t>(BuiltinOp::MIN) && code <= static_cast<int32_t>(BuiltinOp::MAX);
}

std::string op_name(BuiltinOp op) {
  if (is_known_op(static_cast<int32_t>(op))) {
    const char* name = tfl::EnumNameBuiltinOperator(op);
    if (name != nullptr && *name != '\0') return name;
  }
  return "BUILTIN_" + std::to_string(static_cast<int32_t>(op));
}

std::optional<BuiltinOp> parse_op_name(std::string_view name) {
  for (BuiltinOp op : tfl::EnumValuesBuiltinOperator()) {
    if (op_name(op) == name) return op;
  }
  return std::nullopt;
}

std::optional<uint32_t> type_bits(TensorType type) {
  using T = TensorType;
  switch (type) {
    case T::BOOL:
    case T::UINT8:
    case T::INT8:
    case T::FLOAT8_E4M3FN:
    case T::FLOAT8_E5M2:
      return 8;
    case T::FLOAT16:
    case T::BFLOAT16:
    case T::INT16:
    case T::UINT16:
      return 16;
    case T::FLOAT32:
    case T::INT32:
    case T::UINT32:
      return 32;
    case T::FLOAT64:
    case T::INT64:
    case T::UINT64:
    case T::COMPLEX64:
      return 64;
    case T::COMPLEX128:
      return 128;
    case T::INT4:
    case T::UINT4:
      return 4;
    case T::INT2:
      return 2;
    case T::STRING:
    case T::RESOURCE:
    case T::VARIANT:
      return std::nullopt;
  }
  return std::nullopt;
}

std::optional<uint64_t> dense_byte_size(TensorType type, uint64_t elements) {
  const auto bits = type_bits(type);
  if (!bits) return std::nullopt;
  if (elements > std::numeric_limits<uint64_t>::max() / *bits) return std::nullopt;
  return (elements * *bits + 7) / 8;
}

std::optional<uint64_t> element_count(std::span<const int32_t> shape) {
  uint64_t n = 1;
  for (const int32_t d : shape) {
    if (d < 0) return std::nullopt;
    const auto du = static_cast<uint64_t>(d);
    if (du != 0 && n > std::numeric_limits<uint64_t>::max() / du) return std::nullopt;
    n *= du;
  }
  return n;
}

std::string shape_string(std::span<const int32_t> shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i != 0) s += ',';
    s += std::to_string(shape[i]);
  }
  return s + "]";
}

}  // namespace qs::format
