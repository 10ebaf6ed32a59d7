#pragma once
// What every subcommand shares: exit codes, the two kinds of error line, and
// parsers for option values.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "io/npy.h"

namespace qs::cli {

inline constexpr int kExitBadInput = 1;
inline constexpr int kExitUsage = 2;

// "quantscope-cli COMMAND: MESSAGE" on stderr; returns kExitUsage.
int usage_error(const std::string& command, const std::string& message);
// "error: MESSAGE" on stderr; returns kExitBadInput.
int input_error(const std::string& message);

std::optional<float> parse_float(const std::string& text);
// "1,2.5,3" (no spaces).
std::optional<std::vector<float>> parse_float_list(const std::string& text);
// "200,128" or "200x128": positive dimensions.
std::optional<std::vector<int64_t>> parse_shape(const std::string& text);
// NumPy's names: "float32", "int8", ...
std::optional<io::DType> parse_dtype(const std::string& text);

std::string format_fixed(double value, int decimals);
// "42 s", "3 min 5 s", "1 h 02 min".
std::string format_duration(double seconds);

}  // namespace qs::cli
