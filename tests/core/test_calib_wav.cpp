// The WAV reader. Files are assembled here chunk by chunk from the RIFF/WAVE
// layout (Microsoft's "Multimedia Programming Interface and Data
// Specifications 1.0" and the WAVE_FORMAT_EXTENSIBLE note), so expected
// samples are the ones written.

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "calib/wav.h"
#include "calib_test_util.h"
#include "support/corpus.h"
#include "support/temp_dir.h"

namespace qs::calib {
namespace {

using test_util::Bytes;
using test_util::put16;
using test_util::put32;

Bytes chunk(const std::string& id, const Bytes& body, uint32_t declared) {
  Bytes b(id.begin(), id.end());
  put32(b, declared);
  b.insert(b.end(), body.begin(), body.end());
  if (body.size() % 2 == 1) b.push_back(0);
  return b;
}
Bytes chunk(const std::string& id, const Bytes& body) {
  return chunk(id, body, static_cast<uint32_t>(body.size()));
}

struct Fmt {
  uint16_t tag = 1;
  uint16_t channels = 1;
  uint32_t rate = 16000;
  uint16_t bits = 16;
  uint16_t sub_tag = 1;  // for tag 0xFFFE
};

Bytes fmt_chunk(const Fmt& f) {
  Bytes b;
  const uint16_t align = static_cast<uint16_t>(f.channels * f.bits / 8);
  put16(b, f.tag);
  put16(b, f.channels);
  put32(b, f.rate);
  put32(b, f.rate * align);
  put16(b, align);
  put16(b, f.bits);
  if (f.tag == 0xFFFE) {
    put16(b, 22);      // cbSize
    put16(b, f.bits);  // valid bits
    put32(b, 0);       // channel mask
    put32(b, f.sub_tag);
    b.insert(b.end(), {0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71});
  }
  return chunk("fmt ", b);
}

Bytes samples_bytes(const std::vector<int16_t>& s) {
  Bytes b;
  for (int16_t v : s) put16(b, static_cast<uint16_t>(v));
  return b;
}

Bytes riff(const std::vector<Bytes>& chunks) {
  Bytes body{'W', 'A', 'V', 'E'};
  for (const auto& c : chunks) body.insert(body.end(), c.begin(), c.end());
  Bytes b{'R', 'I', 'F', 'F'};
  put32(b, static_cast<uint32_t>(body.size()));
  b.insert(b.end(), body.begin(), body.end());
  return b;
}

Result<WavClip> parse(const Bytes& b) {
  return parse_wav(std::span(reinterpret_cast<const std::byte*>(b.data()), b.size()), "t.wav");
}

const std::vector<int16_t> kSamples{0, 1, -1, 32767, -32768, 1234};

TEST(CalibWav, ReadsMono16BitPcm) {
  auto clip = parse(riff({fmt_chunk({}), chunk("data", samples_bytes(kSamples))}));
  ASSERT_TRUE(clip) << clip.error().message;
  EXPECT_EQ(clip->sample_rate, 16000);
  EXPECT_EQ(clip->channels, 1);
  EXPECT_EQ(clip->samples, kSamples);
}

TEST(CalibWav, KeepsTheFirstChannel) {
  // Frames (L, R) = (k, -100 - k).
  std::vector<int16_t> interleaved;
  for (int16_t k = 0; k < 5; ++k) interleaved.insert(interleaved.end(), {k, static_cast<int16_t>(-100 - k)});
  Fmt f;
  f.channels = 2;
  f.rate = 44100;
  auto clip = parse(riff({fmt_chunk(f), chunk("data", samples_bytes(interleaved))}));
  ASSERT_TRUE(clip) << clip.error().message;
  EXPECT_EQ(clip->channels, 2);
  EXPECT_EQ(clip->sample_rate, 44100);
  EXPECT_EQ(clip->samples, (std::vector<int16_t>{0, 1, 2, 3, 4}));
}

TEST(CalibWav, SkipsUnknownChunksAndTheirPadding) {
  // A 3-byte LIST (padded to 4) before fmt, a 1-byte odd chunk between fmt and data.
  auto clip = parse(riff({chunk("LIST", {'a', 'b', 'c'}), fmt_chunk({}), chunk("junk", {9}),
                          chunk("data", samples_bytes(kSamples))}));
  ASSERT_TRUE(clip) << clip.error().message;
  EXPECT_EQ(clip->samples, kSamples);
}

TEST(CalibWav, ReadsExtensiblePcm) {
  Fmt f;
  f.tag = 0xFFFE;
  f.channels = 3;
  std::vector<int16_t> frames{7, 8, 9, -7, -8, -9};
  auto clip = parse(riff({fmt_chunk(f), chunk("data", samples_bytes(frames))}));
  ASSERT_TRUE(clip) << clip.error().message;
  EXPECT_EQ(clip->samples, (std::vector<int16_t>{7, -7}));
}

void expect_error(const Bytes& file, const std::string& part) {
  auto clip = parse(file);
  ASSERT_FALSE(clip) << "expected: " << part;
  EXPECT_EQ(clip.error().message.rfind("t.wav: ", 0), 0u) << clip.error().message;
  EXPECT_NE(clip.error().message.find(part), std::string::npos) << clip.error().message;
}

TEST(CalibWav, RefusesWhatIsNot16BitPcm) {
  Fmt eight;
  eight.bits = 8;
  expect_error(riff({fmt_chunk(eight), chunk("data", {1, 2, 3, 4})}), "8-bit samples; only 16-bit PCM");
  Fmt f32;
  f32.tag = 3;
  f32.bits = 32;
  expect_error(riff({fmt_chunk(f32), chunk("data", Bytes(8, 0))}), "IEEE float");
  Fmt ext_float;
  ext_float.tag = 0xFFFE;
  ext_float.sub_tag = 3;
  ext_float.bits = 32;
  expect_error(riff({fmt_chunk(ext_float), chunk("data", Bytes(8, 0))}), "IEEE float");
  Fmt alaw;
  alaw.tag = 6;
  expect_error(riff({fmt_chunk(alaw), chunk("data", Bytes(8, 0))}), "format tag 6 is not PCM");
}

TEST(CalibWav, RefusesTruncatedAndMalformedFiles) {
  // data declares 100 bytes, 12 follow.
  expect_error(riff({fmt_chunk({}), chunk("data", samples_bytes(kSamples), 100)}), "truncated");
  expect_error(riff({fmt_chunk({})}), "truncated: no 'data' chunk");
  expect_error(riff({chunk("data", samples_bytes(kSamples))}), "no 'fmt ' chunk");
  // Three bytes of 2-byte frames.
  expect_error(riff({fmt_chunk({}), chunk("data", {1, 2, 3})}), "not a whole number of 2-byte frames");
  expect_error(Bytes{'R', 'I', 'F', 'X', 0, 0, 0, 0, 'W', 'A', 'V', 'E'}, "not a RIFF/WAVE file");
  expect_error(Bytes{'R', 'I', 'F', 'F'}, "not a RIFF/WAVE file");
}

TEST(CalibWav, ReadWavNamesTheFile) {
  test::TempDir dir;
  Fmt eight;
  eight.bits = 8;
  const Bytes b = riff({fmt_chunk(eight), chunk("data", {1, 2})});
  test_util::write_file(dir / "x.wav", b);
  auto clip = read_wav(dir / "x.wav");
  ASSERT_FALSE(clip);
  EXPECT_EQ(clip.error().message.rfind((dir / "x.wav").string() + ": 8-bit", 0), 0u) << clip.error().message;
  EXPECT_FALSE(read_wav(dir / "missing.wav"));
}

TEST(CalibWav, RealSpeechCommandsClip) {
  QS_REQUIRE_CORPUS();
  // DATA_CATALOG.tsv: 16 kHz mono 16-bit, 1 s (32044 bytes = 44 of header + 32000 of samples).
  auto clip = read_wav(test::shared_dir() / "data" / "yes_1000ms.wav");
  ASSERT_TRUE(clip) << clip.error().message;
  EXPECT_EQ(clip->sample_rate, 16000);
  EXPECT_EQ(clip->channels, 1);
  EXPECT_EQ(clip->samples.size(), 16000u);
}

}  // namespace
}  // namespace qs::calib
