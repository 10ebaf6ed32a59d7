#include "calib/wav.h"

#include <array>
#include <cstring>
#include <optional>
#include <string>

#include "calib/source_files.h"

namespace qs::calib {
namespace {

constexpr uint16_t kFormatPcm = 1;
constexpr uint16_t kFormatFloat = 3;
constexpr uint16_t kFormatExtensible = 0xFFFE;
// The sub-format GUID of WAVE_FORMAT_EXTENSIBLE after its first four bytes
// (which hold the format tag): {xxxxxxxx-0000-0010-8000-00aa00389b71}.
constexpr std::array<uint8_t, 12> kGuidTail = {0x00, 0x00, 0x10, 0x00, 0x80, 0x00,
                                               0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71};

uint16_t u16(std::span<const std::byte> b, size_t at) {
  return static_cast<uint16_t>(std::to_integer<uint16_t>(b[at]) | std::to_integer<uint16_t>(b[at + 1]) << 8);
}

uint32_t u32(std::span<const std::byte> b, size_t at) {
  return static_cast<uint32_t>(u16(b, at)) | static_cast<uint32_t>(u16(b, at + 2)) << 16;
}

bool id_is(std::span<const std::byte> b, size_t at, std::string_view id) {
  return std::memcmp(&b[at], id.data(), 4) == 0;
}

std::string id_text(std::span<const std::byte> b, size_t at) {
  std::string s(4, ' ');
  for (size_t i = 0; i < 4; ++i) {
    const char c = std::to_integer<char>(b[at + i]);
    s[i] = (c >= 0x20 && c < 0x7F) ? c : '?';
  }
  return s;
}

struct Format {
  uint16_t tag = 0;
  uint16_t channels = 0;
  uint32_t sample_rate = 0;
  uint16_t block_align = 0;
  uint16_t bits = 0;
};

Result<Format> parse_fmt(std::span<const std::byte> body, std::string_view where) {
  if (body.size() < 16)
    return fail(cat(where, ": 'fmt ' chunk is ", body.size(), " bytes, needs at least 16"));
  Format f;
  f.tag = u16(body, 0);
  f.channels = u16(body, 2);
  f.sample_rate = u32(body, 4);
  f.block_align = u16(body, 12);
  f.bits = u16(body, 14);
  if (f.tag == kFormatExtensible) {
    if (body.size() < 40)
      return fail(cat(where, ": extensible 'fmt ' chunk is ", body.size(), " bytes, needs 40"));
    if (std::memcmp(&body[28], kGuidTail.data(), kGuidTail.size()) != 0) {
      return fail(cat(where, ": unknown WAVE_FORMAT_EXTENSIBLE sub-format; only 16-bit PCM is read"));
    }
    f.tag = static_cast<uint16_t>(u32(body, 24));
  }
  return f;
}

Status check_format(const Format& f, std::string_view where) {
  if (f.tag == kFormatFloat) return fail(cat(where, ": IEEE float samples; only 16-bit PCM is read"));
  if (f.tag != kFormatPcm)
    return fail(cat(where, ": format tag ", f.tag, " is not PCM; only 16-bit PCM is read"));
  if (f.bits != 16) return fail(cat(where, ": ", f.bits, "-bit samples; only 16-bit PCM is read"));
  if (f.channels == 0) return fail(cat(where, ": 'fmt ' says 0 channels"));
  if (f.sample_rate == 0 || f.sample_rate > 0x7FFFFFFFu) {
    return fail(cat(where, ": 'fmt ' gives an invalid sample rate of ", f.sample_rate, " Hz"));
  }
  if (f.block_align != f.channels * 2) {
    return fail(
        cat(where, ": block align ", f.block_align, " does not match ", f.channels, " channels of 16 bits"));
  }
  return {};
}

// The bodies of the chunks we need, found by walking the chunk list.
struct Chunks {
  std::optional<std::span<const std::byte>> fmt;
  std::optional<std::span<const std::byte>> data;
};

Result<Chunks> find_chunks(std::span<const std::byte> bytes, std::string_view where) {
  if (bytes.size() < 12 || !id_is(bytes, 0, "RIFF") || !id_is(bytes, 8, "WAVE")) {
    return fail(cat(where, ": not a RIFF/WAVE file"));
  }
  Chunks found;
  size_t at = 12;
  while (at + 8 <= bytes.size() && !(found.fmt && found.data)) {
    const std::string id = id_text(bytes, at);
    const uint32_t size = u32(bytes, at + 4);
    const size_t body = at + 8;
    if (size > bytes.size() - body) {
      return fail(cat(where, ": truncated: chunk '", id, "' declares ", size, " bytes, ", bytes.size() - body,
                      " remain"));
    }
    const auto span = bytes.subspan(body, size);
    if (id == "fmt ") found.fmt = span;
    if (id == "data") found.data = span;
    // Chunk bodies are padded to an even length.
    at = body + size + (size & 1u);
  }
  if (!found.fmt) return fail(cat(where, ": no 'fmt ' chunk"));
  if (!found.data) return fail(cat(where, ": truncated: no 'data' chunk"));
  return found;
}

}  // namespace

Result<WavClip> parse_wav(std::span<const std::byte> bytes, std::string_view where) {
  auto chunks = find_chunks(bytes, where);
  if (!chunks) return tl::unexpected(chunks.error());
  auto format = parse_fmt(*chunks->fmt, where);
  if (!format) return tl::unexpected(format.error());
  if (auto st = check_format(*format, where); !st) return tl::unexpected(st.error());
  const std::span<const std::byte> data = *chunks->data;
  if (data.size() % format->block_align != 0) {
    return fail(cat(where, ": truncated: 'data' holds ", data.size(), " bytes, not a whole number of ",
                    format->block_align, "-byte frames"));
  }
  WavClip clip;
  clip.sample_rate = static_cast<int>(format->sample_rate);
  clip.channels = format->channels;
  const size_t frames = data.size() / format->block_align;
  clip.samples.resize(frames);
  for (size_t i = 0; i < frames; ++i)
    clip.samples[i] = static_cast<int16_t>(u16(data, i * format->block_align));
  return clip;
}

Result<WavClip> read_wav(const std::filesystem::path& path) {
  auto bytes = read_whole_file(path);
  if (!bytes) return tl::unexpected(bytes.error());
  return parse_wav(*bytes, path.string());
}

}  // namespace qs::calib
