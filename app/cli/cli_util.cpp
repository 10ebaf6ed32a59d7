#include "cli/cli_util.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace qs::cli {

int usage_error(const std::string& command, const std::string& message) {
  std::fprintf(stderr, "quantscope-cli %s: %s\n", command.c_str(), message.c_str());
  return kExitUsage;
}

int input_error(const std::string& message) {
  std::fprintf(stderr, "error: %s\n", message.c_str());
  return kExitBadInput;
}

std::optional<float> parse_float(const std::string& text) {
  if (text.empty()) return std::nullopt;
  char* end = nullptr;
  const float v = std::strtof(text.c_str(), &end);
  if (end != text.c_str() + text.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

std::optional<std::vector<float>> parse_float_list(const std::string& text) {
  std::vector<float> out;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t comma = text.find(',', start);
    const auto v =
        parse_float(text.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (!v) return std::nullopt;
    out.push_back(*v);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

std::optional<std::vector<int64_t>> parse_shape(const std::string& text) {
  std::vector<int64_t> out;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t sep = text.find_first_of(",x", start);
    const std::string part = text.substr(start, sep == std::string::npos ? std::string::npos : sep - start);
    char* end = nullptr;
    const long long v = std::strtoll(part.c_str(), &end, 10);
    if (part.empty() || end != part.c_str() + part.size() || v <= 0) return std::nullopt;
    out.push_back(v);
    if (sep == std::string::npos) break;
    start = sep + 1;
  }
  return out;
}

std::optional<io::DType> parse_dtype(const std::string& text) {
  for (auto d : {io::DType::kBool, io::DType::kInt8, io::DType::kUInt8, io::DType::kInt16, io::DType::kUInt16,
                 io::DType::kInt32, io::DType::kUInt32, io::DType::kInt64, io::DType::kUInt64,
                 io::DType::kFloat16, io::DType::kFloat32, io::DType::kFloat64}) {
    if (io::dtype_name(d) == text) return d;
  }
  return std::nullopt;
}

std::string format_fixed(double value, int decimals) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
  return buffer;
}

std::string format_duration(double seconds) {
  const auto s = static_cast<long long>(std::llround(std::max(0.0, seconds)));
  char buffer[64];
  if (s < 60) {
    std::snprintf(buffer, sizeof buffer, "%lld s", s);
  } else if (s < 3600) {
    std::snprintf(buffer, sizeof buffer, "%lld min %lld s", s / 60, s % 60);
  } else {
    std::snprintf(buffer, sizeof buffer, "%lld h %02lld min", s / 3600, (s % 3600) / 60);
  }
  return buffer;
}

}  // namespace qs::cli
