#pragma once
// The format's rules beyond what the FlatBuffers verifier checks: every index
// in range, constant data consistent with shape and type, out-of-FlatBuffer
// data inside the file, operators free of cycles. Runs on a verified root.

#include <cstdint>
#include <span>

#include "common/status.h"

namespace qs::tfl {
struct Model;
}

namespace qs::format {

// Real builtin code of an OperatorCode: files written before code 127
// existed only fill `deprecated_builtin_code`; newer ones put the real value
// in `builtin_code` (and 127 in the old field), so the larger one wins.
int32_t resolved_builtin_code(int8_t deprecated_code, int32_t builtin_code);

// The message names the element at fault; the caller adds the file name.
Status validate_model(const tfl::Model& model, std::span<const uint8_t> file);

}  // namespace qs::format
