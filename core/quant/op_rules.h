#pragma once
// How each op is quantized in the full-integer modes (int8, int16x8, uint8):
// which operands are weights and bias, the per-channel axis, which operand
// carries the data, how the output's parameters are found, and which integer
// schemes TFLite has a kernel for. The rules are those of TFLite's
// quantization spec and its converter (tensorflow.org "quantization_spec");
// an op without a rule, or without a kernel for the scheme, stays float.

#include <cstdint>
#include <optional>
#include <string_view>

#include "format/tensor_type.h"

namespace qs::quant {

enum class IntegerScheme { kInt8, kInt16x8, kUint8 };
std::string_view scheme_name(IntegerScheme scheme);  // "int8", "int16x8", "uint8"

enum class OutputRule {
  kOwnRange,     // from the output's own range (the kernel rescales)
  kSameAsInput,  // the data operand's parameters (the kernel moves bytes)
  kShared,       // every data operand is requantized to the output's parameters
  kFixed,        // fixed by the kernel (SOFTMAX, LOGISTIC, TANH, ...)
  kNone,         // the outputs are not real values (ARG_MAX's indices, EQUAL's booleans)
};

struct FixedParams {
  double scale = 0;
  int64_t zero_point = 0;
};

struct OpRule {
  OutputRule output = OutputRule::kOwnRange;
  int data_input = 0;  // the operand whose parameters kSameAsInput copies
  // Weighted ops: the constant filter, its per-channel axis, the bias slot.
  int weight_input = -1;
  int weight_axis = 0;
  int bias_input = -1;
  bool int8 = true;
  bool int16 = false;
  bool uint8 = false;

  bool weighted() const { return weight_input >= 0; }
  bool supports(IntegerScheme scheme) const;
};

// The rule for `op`, or nullopt when the quantizer keeps it float.
std::optional<OpRule> op_rule(format::BuiltinOp op);

// The output parameters a kFixed op must have under `scheme`.
FixedParams fixed_output(format::BuiltinOp op, IntegerScheme scheme);

}  // namespace qs::quant
