#pragma once
// Operators as text, the way a reader wants them: builtin options decoded
// field by field (enum values by name), FlexBuffer custom options as
// key/value pairs, and the names of an op's input and output slots
// ("filter", "bias" for CONV_2D). Plain C++ over qs_core: no Qt here, so the
// CLI can use it too.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "format/model.h"

namespace qs::widgets {

struct OptionField {
  std::string name;   // as in the schema: "stride_w", "fused_activation_function"
  std::string value;  // "2", "SAME", "RELU6", "[1, 2]", "true"
  // Subgraphs the field names (WHILE's body, IF's branches, ...).
  std::vector<int32_t> subgraphs;
};

struct DecodedOptions {
  // The options table: "Conv2DOptions"; empty when the op carries none.
  std::string type;
  // True when `fields` lists every field of the table (an empty table has
  // none). False for tables this build cannot decode field by field: then
  // `field_count` still says how many fields carry a value in the file.
  bool decoded = false;
  size_t field_count = 0;
  std::vector<OptionField> fields;

  // "Conv2DOptions", "PadOptions (no fields)",
  // "NewOptions (3 fields, not decoded)", or "" when there are none.
  std::string summary() const;
};

// The builtin options of `op`, from whichever union carries them (both, in
// the unlikely case the op has both: type "A + B", fields of A then B).
DecodedOptions decode_options(const format::Operator& op);

// The value of the options field `name` ("" when the op has no such field).
std::string option_value(const format::Operator& op, const std::string& name);

// "RELU6" when the op fuses an activation; "" when it has none (NONE) or no
// such option.
std::string fused_activation(const format::Operator& op);

// Custom options in FlexBuffers format, decoded: one field per key of a
// map, or a single "value" field for any other root. Empty when there are
// none or they are not a valid FlexBuffer.
std::vector<OptionField> decode_custom_options(const format::Operator& op);

// The slot name of input (output) `slot` of an op with `count` inputs
// (outputs): "input", "filter", "bias" for CONV_2D, "values[2]" for the third
// input of CONCATENATION, "input 5" where the slot has no known name.
std::string input_slot_name(format::BuiltinOp op, size_t slot, size_t count);
std::string output_slot_name(format::BuiltinOp op, size_t slot, size_t count);

// The op's display name: "CONV_2D", or "CUSTOM:<custom code>".
std::string op_display_name(const format::OpCode& code);

}  // namespace qs::widgets
