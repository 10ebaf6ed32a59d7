#pragma once
// WAV audio for calibration: 16-bit PCM in a RIFF/WAVE file.
//
// The layout (Microsoft's RIFF and WAVE specifications): "RIFF", a 32-bit
// little-endian size, "WAVE", then chunks, each a 4-byte id, a 32-bit size
// and the body, padded to an even length. "fmt " gives the format tag
// (1 = PCM, or 0xFFFE = WAVE_FORMAT_EXTENSIBLE whose sub-format GUID then
// carries the tag), the channel count, the sample rate and the bits per
// sample; "data" holds the interleaved frames. Other chunks (LIST, fact,
// cue, ...) are skipped.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace qs::calib {

struct WavClip {
  int sample_rate = 0;           // Hz
  int channels = 0;              // in the file
  std::vector<int16_t> samples;  // the first channel only
};

// `where` names the data in errors ("yes.wav"). Fails on anything but
// 16-bit PCM and on truncated or malformed files.
Result<WavClip> parse_wav(std::span<const std::byte> bytes, std::string_view where);
Result<WavClip> read_wav(const std::filesystem::path& path);

}  // namespace qs::calib
