// NumPy .npy files: real files written by NumPy (shared/data), round trips,
// the header versions, and every kind of file we refuse.
//
// Facts about the shared files were read with Python's standard library
// (struct on the raw bytes; NumPy is not installed here), e.g.
//   b = open('dtln_input_int8.npy','rb').read(); struct.unpack('<257b', b[128:])

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <string>
#include <vector>

#include "io/npy.h"
#include "support/corpus.h"
#include "support/temp_dir.h"

namespace qs::io {
namespace {

std::vector<std::byte> bytes_of(const std::string& s) {
  std::vector<std::byte> out(s.size());
  std::memcpy(out.data(), s.data(), s.size());
  return out;
}

// A version 1.0 file with `header` (padded by us to 64 bytes as NumPy does)
// followed by `data`.
std::vector<std::byte> npy_v1(std::string header, const std::string& data) {
  while ((10 + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::string file = "\x93NUMPY";
  file += '\x01';
  file += '\x00';
  file += static_cast<char>(header.size() & 0xFF);
  file += static_cast<char>(header.size() >> 8);
  return bytes_of(file + header + data);
}

std::vector<std::byte> read_all(const std::filesystem::path& p) {
  const auto raw = test::read_file(p);
  std::vector<std::byte> out(raw.size());
  std::memcpy(out.data(), raw.data(), raw.size());
  return out;
}

template <class T>
std::vector<T> values(const Array& a) {
  std::vector<T> out(a.data.size() / sizeof(T));
  if (!out.empty()) std::memcpy(out.data(), a.data.data(), out.size() * sizeof(T));
  return out;
}

template <class T>
Array make(DType dtype, std::vector<int64_t> shape, const std::vector<T>& v) {
  Array a;
  a.dtype = dtype;
  a.shape = std::move(shape);
  a.data.resize(v.size() * sizeof(T));
  if (!v.empty()) std::memcpy(a.data.data(), v.data(), a.data.size());
  return a;
}

TEST(Npy, ReadsNumpyInt8File) {
  QS_REQUIRE_CORPUS();
  // dtln_input_int8.npy: header "{'descr': '|i1', 'fortran_order': False,
  // 'shape': (1, 1, 257), }", 257 data bytes; struct.unpack('<257b')
  // starts (-127, -126, -115, -82, -90) and sums to -32039.
  auto a = read_npy(test::shared_dir() / "data" / "dtln_input_int8.npy");
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_EQ(a->dtype, DType::kInt8);
  EXPECT_EQ(a->shape, (std::vector<int64_t>{1, 1, 257}));
  const auto v = values<int8_t>(*a);
  ASSERT_EQ(v.size(), 257u);
  EXPECT_EQ((std::vector<int8_t>(v.begin(), v.begin() + 5)), (std::vector<int8_t>{-127, -126, -115, -82, -90}));
  EXPECT_EQ(std::accumulate(v.begin(), v.end(), 0), -32039);
  EXPECT_EQ(to_tensor_type(a->dtype), format::TensorType::INT8);
}

TEST(Npy, ReadsNumpyInt64File) {
  QS_REQUIRE_CORPUS();
  // tiny_ic_calibration_samples_idxs.npy: '<i8', shape (500,);
  // struct.unpack('<500q') gives first 5802, last 7947, min 18, max 9950,
  // sum 2486472.
  auto a = read_npy(test::shared_dir() / "data" / "tiny_ic_calibration_samples_idxs.npy");
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_EQ(a->dtype, DType::kInt64);
  EXPECT_EQ(a->shape, (std::vector<int64_t>{500}));
  const auto v = values<int64_t>(*a);
  ASSERT_EQ(v.size(), 500u);
  EXPECT_EQ(v.front(), 5802);
  EXPECT_EQ(v.back(), 7947);
  EXPECT_EQ(*std::min_element(v.begin(), v.end()), 18);
  EXPECT_EQ(*std::max_element(v.begin(), v.end()), 9950);
  EXPECT_EQ(std::accumulate(v.begin(), v.end(), int64_t{0}), 2486472);
}

TEST(Npy, WritesTheSameBytesAsNumpy) {
  QS_REQUIRE_CORPUS();
  // NumPy wrote these files; serialising what we read must reproduce them
  // byte for byte (header text, padding to 64 bytes, data).
  for (const char* name : {"dtln_input_int8.npy", "network_tester_expected_int8.npy",
                           "tiny_ic_calibration_samples_idxs.npy"}) {
    const auto path = test::shared_dir() / "data" / name;
    auto a = read_npy(path);
    ASSERT_TRUE(a) << a.error().message;
    auto image = serialize_npy(*a);
    ASSERT_TRUE(image) << image.error().message;
    EXPECT_EQ(*image, read_all(path)) << name;
  }
}

TEST(Npy, RoundTripsEveryDtypeAndShape) {
  test::TempDir dir;
  const std::vector<Array> arrays = {
      make<float>(DType::kFloat32, {2, 3}, {1.5f, -2.f, 0.f, 3.25f, 1e-30f, -7.f}),
      make<double>(DType::kFloat64, {}, {3.141592653589793}),  // scalar
      make<uint16_t>(DType::kFloat16, {2}, {0x3C00, 0xC000}),
      make<int8_t>(DType::kInt8, {1, 1, 4}, {-128, -1, 0, 127}),
      make<uint8_t>(DType::kUInt8, {4}, {0, 1, 128, 255}),
      make<int16_t>(DType::kInt16, {2}, {-32768, 32767}),
      make<uint16_t>(DType::kUInt16, {1}, {65535}),
      make<int32_t>(DType::kInt32, {3}, {-5, 0, 2147483647}),
      make<uint32_t>(DType::kUInt32, {1}, {4000000000u}),
      make<int64_t>(DType::kInt64, {2}, {-9000000000000LL, 1}),
      make<uint64_t>(DType::kUInt64, {1}, {18000000000000000000ull}),
      make<uint8_t>(DType::kBool, {2, 2}, {1, 0, 0, 1}),
      make<float>(DType::kComplex64, {1}, {1.f, -1.f}),
      make<double>(DType::kComplex128, {1}, {2.0, 0.5}),
      make<float>(DType::kFloat32, {0, 5}, {}),  // no elements
  };
  for (size_t i = 0; i < arrays.size(); ++i) {
    const auto path = dir / ("a" + std::to_string(i) + ".npy");
    ASSERT_TRUE(write_npy(arrays[i], path));
    const auto raw = read_all(path);
    // The data starts on a 64-byte boundary (header padded like NumPy's).
    EXPECT_EQ((raw.size() - arrays[i].data.size()) % 64, 0u) << i;
    auto back = read_npy(path);
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(back->dtype, arrays[i].dtype) << i;
    EXPECT_EQ(back->shape, arrays[i].shape) << i;
    EXPECT_EQ(back->data, arrays[i].data) << i;
  }
  // Only the target remains: no temporary files left behind.
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()), {}),
            static_cast<std::ptrdiff_t>(arrays.size()));
}

TEST(Npy, HeaderTextMatchesNumpyConventions) {
  // 1-D shapes carry a trailing comma, scalars are "()", descr of one-byte
  // types uses '|' (numpy.lib.format.dtype_to_descr). With the 10-byte
  // prelude and the final '\n' these headers pad (spaces) to 128 bytes.
  const std::string dict1 = "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }";
  auto one_d = serialize_npy(make<float>(DType::kFloat32, {3}, {1, 2, 3}));
  ASSERT_TRUE(one_d);
  ASSERT_EQ(one_d->size(), 128u + 12u);
  const std::string head1(reinterpret_cast<const char*>(one_d->data()), 128);
  EXPECT_EQ(head1.substr(10, dict1.size()), dict1) << head1;
  EXPECT_EQ(head1.find_first_not_of(' ', 10 + dict1.size()), 127u);
  EXPECT_EQ(head1[127], '\n');
  const std::string dict2 = "{'descr': '|b1', 'fortran_order': False, 'shape': (), }";
  auto scalar = serialize_npy(make<uint8_t>(DType::kBool, {}, {1}));
  ASSERT_TRUE(scalar);
  const std::string head2(reinterpret_cast<const char*>(scalar->data()), 128);
  EXPECT_EQ(head2.substr(10, dict2.size()), dict2) << head2;
  EXPECT_EQ(head2.find_first_not_of(' ', 10 + dict2.size()), 127u);
}

TEST(Npy, ReadsVersion2And3Headers) {
  // Same header, 4-byte length field; version 3.0 differs only by allowing
  // UTF-8 in the header.
  for (char major : {'\x02', '\x03'}) {
    std::string header = "{'descr': '<i2', 'fortran_order': False, 'shape': (2,), }";
    while ((12 + header.size() + 1) % 64 != 0) header += ' ';
    header += '\n';
    std::string file = "\x93NUMPY";
    file += major;
    file += '\x00';
    file += static_cast<char>(header.size());
    file += std::string(3, '\0');
    file += header;
    file += std::string("\x01\x00\xff\xff", 4);  // int16 1, -1
    auto a = parse_npy(bytes_of(file), "v.npy");
    ASSERT_TRUE(a) << a.error().message;
    EXPECT_EQ(a->dtype, DType::kInt16);
    EXPECT_EQ(values<int16_t>(*a), (std::vector<int16_t>{1, -1}));
  }
}

TEST(Npy, AcceptsPython2AndOneDimensionalFortranHeaders) {
  // Python 2 wrote long integers as "3L"; a 1-D array is the same in either
  // order, so fortran_order True is harmless there.
  auto a = parse_npy(npy_v1("{'descr': '<u2', 'fortran_order': True, 'shape': (2L,), }", std::string("\x01\x00\x02\x00", 4)),
                     "py2.npy");
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_EQ(a->shape, (std::vector<int64_t>{2}));
  EXPECT_EQ(values<uint16_t>(*a), (std::vector<uint16_t>{1, 2}));
}

struct BadCase {
  const char* what;
  std::vector<std::byte> file;
  const char* expected;  // part of the message
};

TEST(Npy, RefusesUnsupportedAndBrokenFilesNamingTheFile) {
  const std::string f4 = std::string(8, '\0');  // two float32 zeros
  const std::vector<BadCase> cases = {
      {"big-endian", npy_v1("{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", f4), "big-endian"},
      {"fortran", npy_v1("{'descr': '<f4', 'fortran_order': True, 'shape': (1, 2), }", f4), "Fortran-order"},
      {"object", npy_v1("{'descr': '|O', 'fortran_order': False, 'shape': (1,), }", f4), "object arrays"},
      {"structured", npy_v1("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }", f4),
       "structured arrays"},
      {"string", npy_v1("{'descr': '<U3', 'fortran_order': False, 'shape': (1,), }", std::string(12, 'a')),
       "string arrays"},
      {"truncated data", npy_v1("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", f4),
       "needs 12 bytes of data, found 8"},
      {"trailing data", npy_v1("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", f4),
       "4 unexpected bytes after the data"},
      {"missing key", npy_v1("{'descr': '<f4', 'shape': (2,), }", f4), "lacks the key 'fortran_order'"},
      {"extra key", npy_v1("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'x': 1, }", f4),
       "unexpected key 'x'"},
      {"negative dim", npy_v1("{'descr': '<f4', 'fortran_order': False, 'shape': (-2,), }", f4),
       "non-negative integer"},
      {"bad magic", bytes_of("PK\x03\x04 not an npy file at all"), "magic"},
      {"too short", bytes_of("\x93NUM"), "too short"},
      {"version 9", bytes_of(std::string("\x93NUMPY\x09\x00\x10\x00", 10) + std::string(16, ' ')),
       "version 9.0"},
      {"header cut", bytes_of(std::string("\x93NUMPY\x01\x00\x40\x00{'descr'", 17)), "header claims 64 bytes"},
  };
  for (const auto& c : cases) {
    auto a = parse_npy(c.file, "some/file.npy");
    ASSERT_FALSE(a) << c.what;
    EXPECT_EQ(a.error().message.rfind("some/file.npy: ", 0), 0u) << c.what << ": " << a.error().message;
    EXPECT_NE(a.error().message.find(c.expected), std::string::npos) << c.what << ": " << a.error().message;
  }
}

TEST(Npy, ReadErrorsNameThePath) {
  test::TempDir dir;
  auto missing = read_npy(dir / "absent.npy");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("absent.npy"), std::string::npos);
  auto bad_dir = write_npy(make<float>(DType::kFloat32, {1}, {1.f}), dir / "no" / "such" / "x.npy");
  ASSERT_FALSE(bad_dir);
  EXPECT_NE(bad_dir.error().message.find("x.npy"), std::string::npos);
}

TEST(Npy, SerialiseRefusesDataThatDoesNotFitTheShape) {
  Array a = make<float>(DType::kFloat32, {2, 2}, {1.f, 2.f, 3.f});
  a.name = "w";
  auto image = serialize_npy(a);
  ASSERT_FALSE(image);
  EXPECT_NE(image.error().message.find("'w'"), std::string::npos);
}

TEST(Npy, MapsDtypesToTensorTypes) {
  EXPECT_EQ(to_tensor_type(DType::kFloat32), format::TensorType::FLOAT32);
  EXPECT_EQ(to_tensor_type(DType::kFloat16), format::TensorType::FLOAT16);
  EXPECT_EQ(to_tensor_type(DType::kFloat64), format::TensorType::FLOAT64);
  EXPECT_EQ(to_tensor_type(DType::kBool), format::TensorType::BOOL);
  EXPECT_EQ(to_tensor_type(DType::kUInt8), format::TensorType::UINT8);
  EXPECT_EQ(to_tensor_type(DType::kInt64), format::TensorType::INT64);
  EXPECT_EQ(to_tensor_type(DType::kUInt16), format::TensorType::UINT16);
  EXPECT_EQ(from_tensor_type(format::TensorType::INT32), DType::kInt32);
  EXPECT_EQ(from_tensor_type(format::TensorType::COMPLEX64), DType::kComplex64);
  EXPECT_EQ(from_tensor_type(format::TensorType::STRING), std::nullopt);
  EXPECT_EQ(from_tensor_type(format::TensorType::INT4), std::nullopt);
  EXPECT_EQ(dtype_size(DType::kComplex128), 16u);
  EXPECT_EQ(dtype_descr(DType::kInt8), "|i1");
  EXPECT_EQ(dtype_name(DType::kFloat16), "float16");
}

TEST(Npy, ConvertsFloatsOnly) {
  // 0x3C00 is 1.0 and 0xC000 is -2.0 in IEEE half precision; 0.1 as a
  // double rounds to the float 0.100000001490116...
  auto half = convert_float(make<uint16_t>(DType::kFloat16, {2}, {0x3C00, 0xC000}), DType::kFloat32);
  ASSERT_TRUE(half);
  EXPECT_EQ(values<float>(*half), (std::vector<float>{1.f, -2.f}));
  auto dbl = convert_float(make<double>(DType::kFloat64, {1, 2}, {0.1, -1e300}), DType::kFloat32);
  ASSERT_TRUE(dbl);
  EXPECT_EQ(dbl->shape, (std::vector<int64_t>{1, 2}));
  const auto f = values<float>(*dbl);
  EXPECT_EQ(f[0], 0.1f);
  EXPECT_TRUE(std::isinf(f[1]) && f[1] < 0);
  auto up = convert_float(make<float>(DType::kFloat32, {1}, {0.1f}), DType::kFloat64);
  ASSERT_TRUE(up);
  EXPECT_EQ(values<double>(*up)[0], static_cast<double>(0.1f));
  auto same = convert_float(make<int32_t>(DType::kInt32, {1}, {7}), DType::kInt32);
  ASSERT_TRUE(same);  // identity
  auto refused = convert_float(make<int32_t>(DType::kInt32, {1}, {7}), DType::kFloat32);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("int32"), std::string::npos);
}

}  // namespace
}  // namespace qs::io
