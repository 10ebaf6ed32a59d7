#include "io/npy.h"

#include <array>
#include <bit>
#include <cstring>
#include <fstream>
#include <limits>
#include <map>

#include "inspect/tensor_stats.h"
#include "io/atomic_file.h"

namespace qs::io {

// Elements are stored little-endian and copied with plain loads and stores.
static_assert(std::endian::native == std::endian::little, "io/npy assumes a little-endian host");

namespace {

using format::TensorType;

constexpr std::array<char, 6> kMagic = {'\x93', 'N', 'U', 'M', 'P', 'Y'};
constexpr size_t kPreludeV1 = 10;  // magic, 2 version bytes, uint16 header length
constexpr size_t kPreludeV2 = 12;  // ... uint32 header length
// numpy >= 1.14 pads so the data starts on a 64-byte boundary.
constexpr size_t kHeaderAlignment = 64;

struct DTypeInfo {
  DType dtype;
  char kind;  // NumPy's kind code: b, i, u, f, c
  size_t size;
  std::string_view descr;
  std::string_view name;
  std::optional<TensorType> tensor_type;
};

constexpr std::array<DTypeInfo, 14> kDTypes = {{
    {DType::kBool, 'b', 1, "|b1", "bool", TensorType::BOOL},
    {DType::kInt8, 'i', 1, "|i1", "int8", TensorType::INT8},
    {DType::kUInt8, 'u', 1, "|u1", "uint8", TensorType::UINT8},
    {DType::kInt16, 'i', 2, "<i2", "int16", TensorType::INT16},
    {DType::kUInt16, 'u', 2, "<u2", "uint16", TensorType::UINT16},
    {DType::kInt32, 'i', 4, "<i4", "int32", TensorType::INT32},
    {DType::kUInt32, 'u', 4, "<u4", "uint32", TensorType::UINT32},
    {DType::kInt64, 'i', 8, "<i8", "int64", TensorType::INT64},
    {DType::kUInt64, 'u', 8, "<u8", "uint64", TensorType::UINT64},
    {DType::kFloat16, 'f', 2, "<f2", "float16", TensorType::FLOAT16},
    {DType::kFloat32, 'f', 4, "<f4", "float32", TensorType::FLOAT32},
    {DType::kFloat64, 'f', 8, "<f8", "float64", TensorType::FLOAT64},
    {DType::kComplex64, 'c', 8, "<c8", "complex64", TensorType::COMPLEX64},
    {DType::kComplex128, 'c', 16, "<c16", "complex128", TensorType::COMPLEX128},
}};

const DTypeInfo& info(DType dtype) {
  for (const auto& d : kDTypes) {
    if (d.dtype == dtype) return d;
  }
  return kDTypes[0];  // unreachable: every enumerator is in the table
}

// The Python literal NumPy writes as the header. Only what np.save emits is
// understood: strings, True/False, integers and tuples of integers.
struct HeaderValue {
  enum class Kind { kString, kBool, kTuple, kOther } kind = Kind::kOther;
  std::string text;
  bool flag = false;
  std::vector<int64_t> ints;
  std::string other;  // first characters of an unsupported value, for messages
};

class HeaderParser {
 public:
  explicit HeaderParser(std::string_view text) : s_(text) {}

  Result<std::map<std::string, HeaderValue>> parse() {
    std::map<std::string, HeaderValue> out;
    skip_space();
    if (!eat('{')) return bad("expected '{'");
    while (true) {
      skip_space();
      if (eat('}')) break;
      auto key = string();
      if (!key) return tl::unexpected(key.error());
      skip_space();
      if (!eat(':')) return bad(cat("expected ':' after '", *key, "'"));
      skip_space();
      auto value = this->value();
      if (!value) return tl::unexpected(value.error());
      if (!out.emplace(*key, std::move(*value)).second) return bad(cat("key '", *key, "' appears twice"));
      skip_space();
      if (eat(',')) continue;
      skip_space();
      if (eat('}')) break;
      return bad("expected ',' or '}'");
    }
    skip_space();
    if (pos_ != s_.size()) return bad("text after the closing '}'");
    return out;
  }

 private:
  tl::unexpected<Error> bad(const std::string& what) const {
    return fail(cat("header is not a valid NumPy header (", what, " at character ", pos_, ")"));
  }
  void skip_space() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\n' || s_[pos_] == '\t' || s_[pos_] == '\r')) ++pos_;
  }
  bool eat(char c) {
    if (pos_ < s_.size() && s_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  bool eat_word(std::string_view w) {
    if (s_.substr(pos_, w.size()) == w) {
      pos_ += w.size();
      return true;
    }
    return false;
  }

  Result<std::string> string() {
    if (pos_ >= s_.size() || (s_[pos_] != '\'' && s_[pos_] != '"')) return bad("expected a quoted string");
    const char quote = s_[pos_++];
    std::string out;
    while (pos_ < s_.size() && s_[pos_] != quote) {
      if (s_[pos_] == '\\') return bad("escape sequences are not expected in a NumPy header");
      out += s_[pos_++];
    }
    if (!eat(quote)) return bad("unterminated string");
    return out;
  }

  Result<int64_t> integer() {
    const size_t start = pos_;
    int64_t v = 0;
    while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') {
      const int digit = s_[pos_] - '0';
      if (v > (std::numeric_limits<int64_t>::max() - digit) / 10) return bad("dimension too large");
      v = v * 10 + digit;
      ++pos_;
    }
    if (pos_ == start) return bad("expected a non-negative integer");
    eat('L');  // Python 2 wrote long integers as "3L"
    return v;
  }

  Result<HeaderValue> value() {
    HeaderValue v;
    if (pos_ < s_.size() && (s_[pos_] == '\'' || s_[pos_] == '"')) {
      auto text = string();
      if (!text) return tl::unexpected(text.error());
      v.kind = HeaderValue::Kind::kString;
      v.text = std::move(*text);
      return v;
    }
    if (eat_word("True")) {
      v.kind = HeaderValue::Kind::kBool;
      v.flag = true;
      return v;
    }
    if (eat_word("False")) {
      v.kind = HeaderValue::Kind::kBool;
      return v;
    }
    if (eat('(')) {
      v.kind = HeaderValue::Kind::kTuple;
      skip_space();
      if (eat(')')) return v;
      while (true) {
        skip_space();
        auto n = integer();
        if (!n) return tl::unexpected(n.error());
        v.ints.push_back(*n);
        skip_space();
        if (eat(')')) return v;
        if (!eat(',')) return bad("expected ',' or ')' in the shape");
        skip_space();
        if (eat(')')) return v;  // "(3,)"
      }
    }
    // Anything else (a list: a structured dtype; a dict; ...): remember how
    // it starts and skip to the next top-level ',' or '}'.
    v.kind = HeaderValue::Kind::kOther;
    int depth = 0;
    const size_t start = pos_;
    while (pos_ < s_.size()) {
      const char c = s_[pos_];
      if (c == '[' || c == '(' || c == '{') ++depth;
      if (c == ']' || c == ')' || c == '}') {
        if (depth == 0) break;
        --depth;
      }
      if (c == ',' && depth == 0) break;
      ++pos_;
    }
    v.other = std::string(s_.substr(start, std::min<size_t>(pos_ - start, 40)));
    return v;
  }

  std::string_view s_;
  size_t pos_ = 0;
};

// Maps a descr string to a dtype, or explains why it can't be read.
Result<DType> parse_descr(const std::string& descr) {
  if (descr.size() < 2) return fail(cat("unsupported dtype '", descr, "'"));
  const char order = descr[0];
  std::string code = descr.substr(1);
  if (order != '<' && order != '|' && order != '=') {
    if (order == '>') return fail(cat("big-endian arrays are not supported (dtype '", descr, "'); save with little-endian data"));
    code = descr;  // "b1" without a byte-order character
  }
  if (code == "O" || code.rfind("O", 0) == 0) {
    return fail(cat("object arrays are not supported (dtype '", descr, "': pickled Python objects)"));
  }
  for (const auto& d : kDTypes) {
    if (d.descr.substr(1) == code || (code.size() == 1 && code[0] == '?' && d.dtype == DType::kBool)) {
      // Multi-byte types need a byte order; '|' only fits one-byte types.
      if (order == '|' && d.size > 1) break;
      return d.dtype;
    }
  }
  switch (code.empty() ? '\0' : code[0]) {
    case 'U':
    case 'S':
    case 'a':
      return fail(cat("string arrays are not supported (dtype '", descr, "')"));
    case 'M':
    case 'm':
      return fail(cat("date/time arrays are not supported (dtype '", descr, "')"));
    case 'V':
      return fail(cat("raw void arrays are not supported (dtype '", descr, "')"));
    default:
      return fail(cat("unsupported dtype '", descr, "'"));
  }
}

// Element count of `shape`, or nothing on overflow.
std::optional<int64_t> checked_elements(std::span<const int64_t> shape) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0) return std::nullopt;
    if (d != 0 && n > std::numeric_limits<int64_t>::max() / d) return std::nullopt;
    n *= d;
  }
  return n;
}

uint16_t load_u16(const std::byte* p) {
  return static_cast<uint16_t>(std::to_integer<uint16_t>(p[0]) | (std::to_integer<uint16_t>(p[1]) << 8));
}
uint32_t load_u32(const std::byte* p) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | std::to_integer<uint32_t>(p[i]);
  return v;
}

std::string header_text(const Array& array) {
  std::string shape = "(";
  for (size_t i = 0; i < array.shape.size(); ++i) {
    if (i > 0) shape += ", ";
    shape += std::to_string(array.shape[i]);
  }
  if (array.shape.size() == 1) shape += ",";
  shape += ")";
  return cat("{'descr': '", dtype_descr(array.dtype), "', 'fortran_order': False, 'shape': ", shape, ", }");
}

template <class From, class To>
void convert_all(const std::vector<std::byte>& in, std::vector<std::byte>& out, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    From f;
    std::memcpy(&f, in.data() + i * sizeof(From), sizeof(From));
    const To t = static_cast<To>(f);
    std::memcpy(out.data() + i * sizeof(To), &t, sizeof(To));
  }
}

}  // namespace

size_t dtype_size(DType dtype) { return info(dtype).size; }
std::string_view dtype_descr(DType dtype) { return info(dtype).descr; }
std::string_view dtype_name(DType dtype) { return info(dtype).name; }
std::optional<format::TensorType> to_tensor_type(DType dtype) { return info(dtype).tensor_type; }

std::optional<DType> from_tensor_type(format::TensorType type) {
  for (const auto& d : kDTypes) {
    if (d.tensor_type == type) return d.dtype;
  }
  return std::nullopt;
}

int64_t Array::elements() const { return checked_elements(shape).value_or(0); }

std::string shape_string(std::span<const int64_t> shape) {
  std::string out = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) out += ",";
    out += std::to_string(shape[i]);
  }
  return out + "]";
}

Result<Array> parse_npy(std::span<const std::byte> bytes, std::string_view where) {
  const auto error = [&](const std::string& what) { return fail(cat(where, ": ", what)); };
  if (bytes.size() < kPreludeV1 || std::memcmp(bytes.data(), kMagic.data(), kMagic.size()) != 0) {
    return error(bytes.size() < kMagic.size() ? "not a NumPy .npy file (too short)"
                                              : "not a NumPy .npy file (the magic \"\\x93NUMPY\" is missing)");
  }
  const int major = std::to_integer<int>(bytes[6]);
  const int minor = std::to_integer<int>(bytes[7]);
  size_t prelude = 0;
  size_t header_len = 0;
  if (major == 1) {
    prelude = kPreludeV1;
    header_len = load_u16(bytes.data() + 8);
  } else if (major == 2 || major == 3) {
    if (bytes.size() < kPreludeV2) return error("truncated file: the header length is cut off");
    prelude = kPreludeV2;
    header_len = load_u32(bytes.data() + 8);
  } else {
    return error(cat("unsupported .npy format version ", major, ".", minor, " (known: 1.0, 2.0, 3.0)"));
  }
  if (bytes.size() - prelude < header_len) {
    return error(cat("truncated file: the header claims ", header_len, " bytes but only ", bytes.size() - prelude,
                     " follow"));
  }
  const std::string_view text(reinterpret_cast<const char*>(bytes.data() + prelude), header_len);
  // Versions 1 and 2 promise latin-1; our parser only needs ASCII either way.
  auto dict = HeaderParser(text).parse();
  if (!dict) return error(dict.error().message);
  for (const auto& [key, value] : *dict) {
    if (key != "descr" && key != "fortran_order" && key != "shape") return error(cat("header has an unexpected key '", key, "'"));
  }
  for (const char* key : {"descr", "fortran_order", "shape"}) {
    if (!dict->count(key)) return error(cat("header lacks the key '", key, "'"));
  }
  const HeaderValue& descr = dict->at("descr");
  if (descr.kind != HeaderValue::Kind::kString) {
    if (descr.other.rfind("[", 0) == 0) return error("structured arrays (a dtype with fields) are not supported");
    return error(cat("header 'descr' is not a string ('", descr.other, "')"));
  }
  auto dtype = parse_descr(descr.text);
  if (!dtype) return error(dtype.error().message);
  const HeaderValue& fortran = dict->at("fortran_order");
  if (fortran.kind != HeaderValue::Kind::kBool) return error("header 'fortran_order' is not True or False");
  const HeaderValue& shape = dict->at("shape");
  if (shape.kind != HeaderValue::Kind::kTuple) return error("header 'shape' is not a tuple of integers");
  if (fortran.flag && shape.ints.size() > 1) {
    // A 0-D or 1-D array is the same in both orders; NumPy writes those
    // with False anyway, so only a real transposed layout is refused.
    return error("Fortran-order (column-major) arrays are not supported; save a C-contiguous array "
                 "(numpy.ascontiguousarray)");
  }
  const auto count = checked_elements(shape.ints);
  const size_t item = dtype_size(*dtype);
  if (!count || static_cast<uint64_t>(*count) > std::numeric_limits<uint64_t>::max() / item) {
    return error(cat("shape ", shape_string(shape.ints), " is too large"));
  }
  const uint64_t need = static_cast<uint64_t>(*count) * item;
  const uint64_t have = bytes.size() - prelude - header_len;
  if (have < need) {
    return error(cat("truncated file: shape ", shape_string(shape.ints), " ", dtype_name(*dtype), " needs ", need,
                     " bytes of data, found ", have));
  }
  if (have > need) {
    return error(cat("corrupt file: ", have - need, " unexpected bytes after the data of shape ",
                     shape_string(shape.ints), " ", dtype_name(*dtype)));
  }
  Array out;
  out.dtype = *dtype;
  out.shape = shape.ints;
  const auto* first = bytes.data() + prelude + header_len;
  out.data.assign(first, first + need);
  return out;
}

Result<Array> read_npy(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(cat(path.string(), ": cannot open: ", std::strerror(errno)));
  std::vector<std::byte> bytes;
  in.seekg(0, std::ios::end);
  const auto size = in.tellg();
  if (size < 0) return fail(cat(path.string(), ": cannot read"));
  in.seekg(0, std::ios::beg);
  bytes.resize(static_cast<size_t>(size));
  if (!in.read(reinterpret_cast<char*>(bytes.data()), size)) return fail(cat(path.string(), ": read failed"));
  return parse_npy(bytes, path.string());
}

Result<std::vector<std::byte>> serialize_npy(const Array& array) {
  const auto count = checked_elements(array.shape);
  if (!count || static_cast<uint64_t>(*count) * dtype_size(array.dtype) != array.data.size()) {
    return fail(cat("array '", array.name, "': ", array.data.size(), " bytes of data do not make shape ",
                    shape_string(array.shape), " ", dtype_name(array.dtype)));
  }
  std::string header = header_text(array);
  // Version 1.0 stores the header length in 16 bits; larger headers (very
  // high ranks) need 2.0, as NumPy itself decides.
  const bool v2 = header.size() + 1 + kPreludeV1 + kHeaderAlignment > 0xFFFF;
  const size_t prelude = v2 ? kPreludeV2 : kPreludeV1;
  const size_t unpadded = prelude + header.size() + 1;  // + '\n'
  header.append((kHeaderAlignment - unpadded % kHeaderAlignment) % kHeaderAlignment, ' ');
  header += '\n';
  std::vector<std::byte> out(prelude + header.size() + array.data.size());
  std::memcpy(out.data(), kMagic.data(), kMagic.size());
  out[6] = std::byte{static_cast<uint8_t>(v2 ? 2 : 1)};
  out[7] = std::byte{0};
  const uint32_t len = static_cast<uint32_t>(header.size());
  for (size_t i = 0; i < (v2 ? 4u : 2u); ++i) out[8 + i] = std::byte{static_cast<uint8_t>(len >> (8 * i))};
  std::memcpy(out.data() + prelude, header.data(), header.size());
  if (!array.data.empty()) std::memcpy(out.data() + prelude + header.size(), array.data.data(), array.data.size());
  return out;
}

Status write_npy(const Array& array, const std::filesystem::path& path) {
  auto bytes = serialize_npy(array);
  if (!bytes) return tl::unexpected(with_context(path.string(), bytes.error()));
  return write_file_atomically(path, *bytes);
}

Result<Array> convert_float(const Array& array, DType to) {
  if (array.dtype == to) return array;
  const auto is_float = [](DType d) { return d == DType::kFloat16 || d == DType::kFloat32 || d == DType::kFloat64; };
  if (!is_float(array.dtype) || (to != DType::kFloat32 && to != DType::kFloat64)) {
    return fail(cat("cannot convert ", dtype_name(array.dtype), " to ", dtype_name(to),
                    " (only float16/float32/float64 to float32/float64)"));
  }
  const size_t n = static_cast<size_t>(array.elements());
  if (array.data.size() != n * dtype_size(array.dtype)) return fail(cat("array '", array.name, "': data size does not match its shape"));
  Array out;
  out.name = array.name;
  out.dtype = to;
  out.shape = array.shape;
  out.data.resize(n * dtype_size(to));
  // Through float32 for half values: exact, since every half is a float.
  const auto read_f32 = [&](size_t i) -> double {
    if (array.dtype == DType::kFloat16) {
      uint16_t h;
      std::memcpy(&h, array.data.data() + 2 * i, 2);
      return inspect::half_to_float(h);
    }
    if (array.dtype == DType::kFloat32) {
      float f;
      std::memcpy(&f, array.data.data() + 4 * i, 4);
      return f;
    }
    double d;
    std::memcpy(&d, array.data.data() + 8 * i, 8);
    return d;
  };
  if (to == DType::kFloat32) {
    if (array.dtype == DType::kFloat64) {
      convert_all<double, float>(array.data, out.data, n);
    } else {
      for (size_t i = 0; i < n; ++i) {
        const float f = static_cast<float>(read_f32(i));
        std::memcpy(out.data.data() + 4 * i, &f, 4);
      }
    }
  } else {
    for (size_t i = 0; i < n; ++i) {
      const double d = read_f32(i);
      std::memcpy(out.data.data() + 8 * i, &d, 8);
    }
  }
  return out;
}

}  // namespace qs::io
