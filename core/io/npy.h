#pragma once
// NumPy's .npy array files: read and written here without NumPy.
//
// The format (numpy/lib/format.py, "NEP 1"): the magic "\x93NUMPY", a major
// and minor version byte, the header length (uint16 little-endian for 1.0,
// uint32 for 2.0 and 3.0), then the header, a Python dict literal such as
// {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), } padded with
// spaces and ended by '\n' so the data starts on a 64-byte boundary (16 in
// older files), then the elements in C order. 3.0 only allows UTF-8 in the
// header. We accept little-endian (or byte-order-free) numeric and bool
// arrays in C order; big-endian, Fortran-order, object, string and
// structured arrays are rejected with a message naming the file.
//
// Arrays are plain values (name, dtype, shape, bytes) with no tie to the
// runtime; `to_tensor_type` / `from_tensor_type` bridge to the model format.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "format/tensor_type.h"

namespace qs::io {

// The element types we read and write (NumPy's type codes in comments).
enum class DType : uint8_t {
  kBool,        // b1
  kInt8,        // i1
  kUInt8,       // u1
  kInt16,       // i2
  kUInt16,      // u2
  kInt32,       // i4
  kUInt32,      // u4
  kInt64,       // i8
  kUInt64,      // u8
  kFloat16,     // f2
  kFloat32,     // f4
  kFloat64,     // f8
  kComplex64,   // c8: two float32
  kComplex128,  // c16: two float64
};

size_t dtype_size(DType dtype);
// NumPy's descr as we write it: "<f4", "|b1", "|i1", ...
std::string_view dtype_descr(DType dtype);
// NumPy's names: "float32", "int8", "bool", ...
std::string_view dtype_name(DType dtype);

// The model element type with the same bytes, if the format has one.
std::optional<format::TensorType> to_tensor_type(DType dtype);
std::optional<DType> from_tensor_type(format::TensorType type);

struct Array {
  std::string name;  // npz key (member name without ".npy"); empty for a lone .npy
  DType dtype = DType::kFloat32;
  std::vector<int64_t> shape;    // empty: a scalar (one element)
  std::vector<std::byte> data;   // elements in C order, little-endian

  int64_t elements() const;
};

// "[2,3]" (matches format::shape_string).
std::string shape_string(std::span<const int64_t> shape);

// Parses a whole .npy image. `where` names it in errors ("a.npy" or
// "s.npz: member 'x.npy'").
Result<Array> parse_npy(std::span<const std::byte> bytes, std::string_view where);
Result<Array> read_npy(const std::filesystem::path& path);

// The .npy image of `array` (version 1.0, or 2.0 when the header needs it).
// Fails only when the data size does not match dtype x shape.
Result<std::vector<std::byte>> serialize_npy(const Array& array);
// Writes atomically: a temporary file beside `path`, renamed into place.
Status write_npy(const Array& array, const std::filesystem::path& path);

// Converts float16/float32/float64 to float32 or float64 (rounding to
// nearest); the identity for any dtype already equal to `to`. Other pairs
// fail: no silent integer conversions.
Result<Array> convert_float(const Array& array, DType to);

}  // namespace qs::io
