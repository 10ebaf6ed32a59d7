// NumPy .npz archives: the real MLPerf Tiny calibration set (written by
// numpy.savez_compressed), round trips in both compressions, atomic writes,
// and broken archives.
//
// Facts about calibration_samples.npz were read with Python's zipfile and
// struct modules (NumPy is not installed here):
//   z = zipfile.ZipFile('calibration_samples.npz')
//   [(i.filename, i.compress_type) for i in z.infolist()]
//     -> [('specs.npy', 8), ('labels.npy', 8)]         (8 = deflate)
//   header of specs.npy: {'descr': '<f8', 'fortran_order': False, 'shape': (45, 30, 1, 40), }
//   d = struct.unpack('<54000d', z.read('specs.npy')[128:])
//     first non-zero: d[402] = 0.0617375373840332; max 0.9437658786773682;
//     sum 16883.896003842354
//   labels: 15 x 2.0, then 15 x 0.0, then 15 x 1.0
// Archives with hand-made members are written by a tiny stored-zip writer
// below (PKWARE APPNOTE 4.3: local headers, central directory, end record),
// independent of libzip.

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <string>
#include <vector>

#include "io/npz.h"
#include "support/arrays.h"
#include "support/corpus.h"
#include "support/temp_dir.h"

namespace qs::io {
namespace {

using test::values;

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void spit(const std::filesystem::path& p, const std::string& bytes) {
  std::ofstream out(p, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

uint32_t crc32(const std::string& data) {
  // Bitwise CRC-32 (polynomial 0xEDB88320, as zip uses).
  uint32_t crc = 0xFFFFFFFFu;
  for (unsigned char c : data) {
    crc ^= c;
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

void put16(std::string& s, uint32_t v) {
  s += static_cast<char>(v & 0xFF);
  s += static_cast<char>((v >> 8) & 0xFF);
}
void put32(std::string& s, uint32_t v) {
  put16(s, v & 0xFFFF);
  put16(s, v >> 16);
}

// A zip of stored members, written by hand.
std::string stored_zip(const std::vector<std::pair<std::string, std::string>>& members) {
  std::string out;
  std::string central;
  for (const auto& [name, data] : members) {
    const auto offset = static_cast<uint32_t>(out.size());
    const uint32_t crc = crc32(data);
    const auto size = static_cast<uint32_t>(data.size());
    std::string local;
    put32(local, 0x04034b50);
    put16(local, 20);    // version needed
    put16(local, 0);     // flags
    put16(local, 0);     // method: stored
    put16(local, 0);     // time
    put16(local, 0x21);  // date: 1980-01-01
    put32(local, crc);
    put32(local, size);
    put32(local, size);
    put16(local, static_cast<uint32_t>(name.size()));
    put16(local, 0);
    out += local + name + data;
    put32(central, 0x02014b50);
    put16(central, 20);  // version made by
    put16(central, 20);
    put16(central, 0);
    put16(central, 0);
    put16(central, 0);
    put16(central, 0x21);
    put32(central, crc);
    put32(central, size);
    put32(central, size);
    put16(central, static_cast<uint32_t>(name.size()));
    put16(central, 0);  // extra
    put16(central, 0);  // comment
    put16(central, 0);  // disk
    put16(central, 0);  // internal attributes
    put32(central, 0);  // external attributes
    put32(central, offset);
    central += name;
  }
  const auto cd_offset = static_cast<uint32_t>(out.size());
  out += central;
  put32(out, 0x06054b50);
  put16(out, 0);
  put16(out, 0);
  put16(out, static_cast<uint32_t>(members.size()));
  put16(out, static_cast<uint32_t>(members.size()));
  put32(out, static_cast<uint32_t>(central.size()));
  put32(out, cd_offset);
  put16(out, 0);
  return out;
}

std::string npy_image(const Array& a) {
  auto image = serialize_npy(a);
  EXPECT_TRUE(image);
  return image ? std::string(reinterpret_cast<const char*>(image->data()), image->size()) : std::string();
}

size_t file_count(const std::filesystem::path& dir) {
  return static_cast<size_t>(std::distance(std::filesystem::directory_iterator(dir), {}));
}

TEST(Npz, ReadsTheMlperfCalibrationSet) {
  QS_REQUIRE_CORPUS();
  auto arrays = read_npz(test::shared_dir() / "data" / "calibration_samples.npz");
  ASSERT_TRUE(arrays) << arrays.error().message;
  ASSERT_EQ(arrays->size(), 2u);
  const Array& specs = (*arrays)[0];
  const Array& labels = (*arrays)[1];
  EXPECT_EQ(specs.name, "specs");
  EXPECT_EQ(labels.name, "labels");
  EXPECT_EQ(specs.dtype, DType::kFloat64);
  EXPECT_EQ(specs.shape, (std::vector<int64_t>{45, 30, 1, 40}));
  const auto s = values<double>(specs);
  ASSERT_EQ(s.size(), 54000u);
  EXPECT_EQ(std::find_if(s.begin(), s.end(), [](double x) { return x != 0.0; }) - s.begin(), 402);
  EXPECT_EQ(s[402], 0.0617375373840332);
  EXPECT_EQ(*std::max_element(s.begin(), s.end()), 0.9437658786773682);
  EXPECT_NEAR(std::accumulate(s.begin(), s.end(), 0.0), 16883.896003842354, 1e-6);
  EXPECT_EQ(labels.shape, (std::vector<int64_t>{45}));
  const auto l = values<double>(labels);
  ASSERT_EQ(l.size(), 45u);
  for (size_t i = 0; i < 45; ++i) EXPECT_EQ(l[i], i < 15 ? 2.0 : (i < 30 ? 0.0 : 1.0)) << i;
}

TEST(Npz, RoundTripsStoredAndDeflated) {
  test::TempDir dir;
  const std::vector<Array> arrays = {
      test::array<float>("x", DType::kFloat32, {2, 2}, {1.f, 2.f, 3.f, 4.f}),
      test::array<int32_t>("serving_default_x:0", DType::kInt32, {3}, {7, 8, 9}),
      test::array<uint8_t>("a/b", DType::kBool, {}, {1}),
      test::array<double>("zeros", DType::kFloat64, {1000}, std::vector<double>(1000, 0.0)),
  };
  for (auto compression : {ZipCompression::kStored, ZipCompression::kDeflate}) {
    const auto path = dir / (compression == ZipCompression::kStored ? "s.npz" : "d.npz");
    ASSERT_TRUE(write_npz(path, arrays, compression));
    // First local header (APPNOTE 4.3.7): signature, method at offset 8
    // (0 stored, 8 deflate), name length at 26, name at 30.
    const std::string raw = slurp(path);
    ASSERT_GT(raw.size(), 31u);
    EXPECT_EQ(raw.substr(0, 4), std::string("PK\x03\x04", 4));
    EXPECT_EQ(static_cast<unsigned char>(raw[8]), compression == ZipCompression::kStored ? 0 : 8);
    EXPECT_EQ(raw.substr(30, 5), "x.npy");
    auto back = read_npz(path);
    ASSERT_TRUE(back) << back.error().message;
    ASSERT_EQ(back->size(), arrays.size());
    for (size_t i = 0; i < arrays.size(); ++i) {
      EXPECT_EQ((*back)[i].name, arrays[i].name);
      EXPECT_EQ((*back)[i].dtype, arrays[i].dtype);
      EXPECT_EQ((*back)[i].shape, arrays[i].shape);
      EXPECT_EQ((*back)[i].data, arrays[i].data);
    }
    if (compression == ZipCompression::kDeflate) {
      EXPECT_LT(raw.size(), 2000u);  // 8000 zero bytes deflate to almost nothing
    }
  }
  EXPECT_EQ(file_count(dir.path()), 2u);  // no temporary files left
}

TEST(Npz, ReadsArchivesWrittenByAnotherZipWriter) {
  test::TempDir dir;
  const auto path = dir / "hand.npz";
  spit(path, stored_zip({{"arr_0.npy", npy_image(test::array<int16_t>("", DType::kInt16, {2}, {-3, 4}))},
                         {"b.npy", npy_image(test::array<float>("", DType::kFloat32, {1}, {0.5f}))}}));
  auto arrays = read_npz(path);
  ASSERT_TRUE(arrays) << arrays.error().message;
  ASSERT_EQ(arrays->size(), 2u);
  EXPECT_EQ((*arrays)[0].name, "arr_0");
  EXPECT_EQ(values<int16_t>((*arrays)[0]), (std::vector<int16_t>{-3, 4}));
  EXPECT_EQ((*arrays)[1].name, "b");
  EXPECT_EQ(values<float>((*arrays)[1]), (std::vector<float>{0.5f}));
}

TEST(Npz, EmptyArchiveIsTheBareEndRecord) {
  // numpy.savez(f) with no arrays writes only the 22-byte end record.
  test::TempDir dir;
  const auto path = dir / "empty.npz";
  ASSERT_TRUE(write_npz(path, {}));
  EXPECT_EQ(slurp(path), std::string("PK\x05\x06", 4) + std::string(18, '\0'));
  auto back = read_npz(path);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_TRUE(back->empty());
}

TEST(Npz, FailedWriteLeavesTheOldFileUntouched) {
  test::TempDir dir;
  const auto path = dir / "out.npz";
  const std::vector<Array> first = {test::array<float>("a", DType::kFloat32, {1}, {1.f})};
  ASSERT_TRUE(write_npz(path, first));
  const std::string before = slurp(path);
  // Two members with one name, and data that does not fit its shape: both
  // refused before anything replaces the file.
  const std::vector<Array> dup = {test::array<float>("a", DType::kFloat32, {1}, {2.f}),
                                  test::array<float>("a", DType::kFloat32, {1}, {3.f})};
  auto s1 = write_npz(path, dup);
  ASSERT_FALSE(s1);
  EXPECT_NE(s1.error().message.find("two arrays are named 'a'"), std::string::npos) << s1.error().message;
  Array bad = test::array<float>("b", DType::kFloat32, {4}, {1.f});
  auto s2 = write_npz(path, std::vector<Array>{bad});
  ASSERT_FALSE(s2);
  EXPECT_NE(s2.error().message.find("out.npz"), std::string::npos) << s2.error().message;
  auto s3 = write_npz(path, std::vector<Array>{test::array<float>("", DType::kFloat32, {1}, {1.f})});
  ASSERT_FALSE(s3);
  EXPECT_EQ(slurp(path), before);
  EXPECT_EQ(file_count(dir.path()), 1u);
  // A successful write replaces the whole file.
  const std::vector<Array> second = {test::array<int8_t>("c", DType::kInt8, {2}, {1, 2})};
  ASSERT_TRUE(write_npz(path, second));
  auto back = read_npz(path);
  ASSERT_TRUE(back);
  ASSERT_EQ(back->size(), 1u);
  EXPECT_EQ((*back)[0].name, "c");
  EXPECT_EQ(file_count(dir.path()), 1u);
}

TEST(Npz, WriteIntoMissingFolderFailsNamingThePath) {
  test::TempDir dir;
  auto s = write_npz(dir / "nope" / "o.npz",
                     std::vector<Array>{test::array<float>("a", DType::kFloat32, {1}, {1.f})});
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("o.npz"), std::string::npos) << s.error().message;
}

void expect_error(const Result<std::vector<Array>>& r, const std::vector<std::string>& parts) {
  ASSERT_FALSE(r) << "expected an error containing " << parts.front();
  for (const auto& p : parts) EXPECT_NE(r.error().message.find(p), std::string::npos) << r.error().message;
}

TEST(Npz, RefusesBrokenArchivesNamingFileAndMember) {
  test::TempDir dir;
  const std::string good = npy_image(test::array<float>("", DType::kFloat32, {2}, {1.f, 2.f}));

  spit(dir / "plain.npz", "this is not a zip file at all, just text");
  expect_error(read_npz(dir / "plain.npz"), {"plain.npz", "not a .npz"});

  expect_error(read_npz(dir / "absent.npz"), {"absent.npz"});

  spit(dir / "other.npz", stored_zip({{"notes.txt", "hello"}}));
  expect_error(read_npz(dir / "other.npz"), {"other.npz", "member 'notes.txt'", "not a .npy"});

  spit(dir / "cut.npz", stored_zip({{"x.npy", good.substr(0, good.size() - 4)}}));
  expect_error(read_npz(dir / "cut.npz"), {"cut.npz", "member 'x.npy'", "truncated"});

  std::string big_endian = good;
  big_endian.replace(big_endian.find("<f4"), 3, ">f4");
  spit(dir / "be.npz", stored_zip({{"ok.npy", good}, {"be.npy", big_endian}}));
  expect_error(read_npz(dir / "be.npz"), {"be.npz", "member 'be.npy'", "big-endian"});

  // A flipped data byte: the stored CRC no longer matches.
  std::string zip = stored_zip({{"x.npy", good}});
  zip[30 + 5 + good.size() - 1] ^= 0x40;
  spit(dir / "crc.npz", zip);
  expect_error(read_npz(dir / "crc.npz"), {"crc.npz", "member 'x.npy'"});

  // The archive cut in half: its directory is gone.
  spit(dir / "half.npz", zip.substr(0, zip.size() / 2));
  expect_error(read_npz(dir / "half.npz"), {"half.npz"});
}

TEST(Npz, CorruptDeflateStreamIsReported) {
  QS_REQUIRE_CORPUS();
  test::TempDir dir;
  std::string raw = slurp(test::shared_dir() / "data" / "calibration_samples.npz");
  // specs.npy's deflate stream starts at byte 59 (30-byte local header,
  // 9-byte name, 20-byte zip64 extra field) and is 181908 bytes long;
  // inverting 64 bytes inside it breaks the stream or its CRC.
  for (size_t i = 5000; i < 5064; ++i) raw[i] = static_cast<char>(~raw[i]);
  spit(dir / "damaged.npz", raw);
  expect_error(read_npz(dir / "damaged.npz"), {"damaged.npz", "member 'specs.npy'", "corrupt"});
}

}  // namespace
}  // namespace qs::io
