#pragma once
// Statistics of a constant tensor's data: the stored values decoded to
// numbers (any numeric element type, including half floats and packed 4-bit
// integers), their range, mean, spread and histogram, and for quantized
// tensors the same for the real values they stand for
// (real = scale · (q − zero_point), per channel along quantized_dimension),
// with each channel's range.
//
// Everything streams over the data in small chunks (two passes: range and
// sums, then spread and histogram), so a tensor of hundreds of millions of
// elements needs no decoded copy. Safe to call from any thread.

#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/status.h"
#include "format/model.h"
#include "format/tensor_type.h"

namespace qs::inspect {

// Element decoding -----------------------------------------------------------

// IEEE 754 binary16, exactly (subnormals, infinities and NaN included).
float half_to_float(uint16_t bits);
// bfloat16: the top half of a float32.
float bfloat16_to_float(uint16_t bits);
// OCP 8-bit floats: E4M3FN (no infinities, 0x7F/0xFF are NaN) and E5M2.
float float8_e4m3fn_to_float(uint8_t bits);
float float8_e5m2_to_float(uint8_t bits);

// True for the element types whose values decode to one real number each:
// every float and integer type and BOOL; false for STRING, RESOURCE, VARIANT
// and the complex types.
bool is_numeric(format::TensorType type);
// True for the integer types a quantized tensor can store.
bool is_integer(format::TensorType type);

// Decodes elements [first, first + out.size()) of dense data of `type`.
// Sub-byte types are packed little end first (INT4: low nibble is the even
// element, sign-extended). 64-bit integers beyond 2^53 round to the nearest
// double. Fails for non-numeric types or when `data` is too short.
Status decode_elements(format::TensorType type, std::span<const uint8_t> data, uint64_t first,
                       std::span<double> out);
// All `count` elements; for tests and small tensors.
Result<std::vector<double>> decode_all(format::TensorType type, std::span<const uint8_t> data,
                                       uint64_t count);

// Statistics -----------------------------------------------------------------

// Equal-width bins: bin i covers [lo + i·width, lo + (i+1)·width); the last
// bin also holds its right edge. When every value is the same, there is one
// bin of width 0 at that value. For integer data the edges fall half-way
// between integers, so each bin holds the same number of distinct values.
struct Histogram {
  double lo = 0;
  double width = 0;
  std::vector<uint64_t> counts;

  size_t bins() const { return counts.size(); }
  double bin_lo(size_t i) const { return lo + static_cast<double>(i) * width; }
  double bin_hi(size_t i) const { return lo + static_cast<double>(i + 1) * width; }
  double hi() const { return bin_lo(counts.size()); }
};

struct ValueStats {
  uint64_t count = 0;   // elements looked at
  uint64_t finite = 0;  // of which finite; the figures below are over these
  uint64_t nan = 0;
  uint64_t pos_inf = 0;
  uint64_t neg_inf = 0;
  uint64_t zeros = 0;   // values equal to 0 (either sign)
  double min = std::numeric_limits<double>::quiet_NaN();
  double max = std::numeric_limits<double>::quiet_NaN();
  double mean = std::numeric_limits<double>::quiet_NaN();
  double stddev = std::numeric_limits<double>::quiet_NaN();  // population (divides by `finite`)
  Histogram histogram;

  uint64_t inf() const { return pos_inf + neg_inf; }
  // Share of all elements (finite or not) that are zero; 0 for no elements.
  double zero_fraction() const {
    return count == 0 ? 0.0 : static_cast<double>(zeros) / static_cast<double>(count);
  }
};

// One quantization channel (the whole tensor when quantized per tensor).
struct ChannelRange {
  uint64_t count = 0;  // elements in the channel
  double min = std::numeric_limits<double>::quiet_NaN();  // of the dequantized values
  double max = std::numeric_limits<double>::quiet_NaN();
  float scale = 0;
  int64_t zero_point = 0;
};

struct TensorStats {
  format::TensorType type = format::TensorType::FLOAT32;
  uint64_t elements = 0;
  bool sparse = false;  // stats are over the stored (non-zero pattern) values only
  ValueStats values;    // the stored values (the integers, for a quantized tensor)

  // Set when the tensor is an integer tensor with scales that fit its shape.
  std::optional<ValueStats> dequantized;
  int32_t quantized_dimension = -1;    // -1: one scale for the whole tensor
  std::vector<ChannelRange> channels;  // one per scale, when dequantized

  // Why something was left out (e.g. "3 scales, but dimension 0 has 8
  // entries: not dequantized"), or empty.
  std::string note;
};

struct StatsOptions {
  size_t bins = 128;        // at least 1
  bool dequantize = true;   // also compute the real values' stats
};

// Statistics of dense `data` holding a tensor of `type` and `shape`.
// Errors: a non-numeric type, a shape with no fixed element count, or fewer
// bytes than the shape needs (extra bytes are ignored, with a note).
Result<TensorStats> compute_stats(format::TensorType type, std::span<const int32_t> shape,
                                  std::span<const uint8_t> data,
                                  const std::optional<format::Quantization>& quantization,
                                  const StatsOptions& options = {});
// The same for a tensor of `model`, from its constant data (an error when it
// has none). A sparse tensor's stored values are summarised as a flat list.
Result<TensorStats> compute_stats(const format::Model& model, const format::Tensor& tensor,
                                  const StatsOptions& options = {});

}  // namespace qs::inspect
