#pragma once
// Private to core/calib: array data (.npy, .npz members, raw files, WAV
// clips) cut into samples of one model input.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "calib/sample_set.h"
#include "calib/wav.h"
#include "common/status.h"
#include "io/npy.h"

namespace qs::calib {

// Consecutive samples cut from one array already in the input's element
// type: sample j is `rows_per_sample` rows starting at row j * hop.
struct SampleRun {
  std::shared_ptr<const io::Array> array;
  std::vector<int64_t> sample_shape;
  size_t row_bytes = 0;
  int64_t rows_per_sample = 1;
  int64_t hop = 1;
  size_t count = 0;
  std::string where;  // "x.npy", "s.npz: 'x'"
  enum class Label { kIndex, kRows, kAudio } label = Label::kIndex;

  // Facts for the summary.
  std::string conversion;  // "float64 converted to float32"; empty: none
  std::string window;      // "window 5 hop 1 over float32 [200,128]"; empty: none
  bool zero_padded = false;
  bool tail_dropped = false;

  io::Array sample(size_t j, const std::string& name) const;
  std::string describe(size_t j) const;
};

// The input's shape signature: its declared shape when it has none (or a
// malformed one of another rank).
std::vector<int32_t> signature_of(const InputInfo& in);

// Checks `shape` and `dtype` against the input without touching data: what
// array_samples() would accept.
Status check_array_fits(const std::vector<int64_t>& shape, io::DType dtype, const InputInfo& input,
                        const Window& window, const std::string& where);

// The samples of `input` in `array` ([N] + shape[1:], the input's shape, or
// windows over rows), converted to the input's element type.
Result<SampleRun> array_samples(io::Array array, const InputInfo& input, const Window& window,
                                std::string where);

// A raw file as an array of the declared (or default) dtype and shape.
Result<io::Array> read_raw(const std::filesystem::path& path, const InputInfo& input, const RawSpec& raw,
                           const Window& window);

// A clip cut into windows of the input's size (or the given window);
// FLOAT32 inputs get sample / 32768, INT16 inputs the samples themselves.
Result<SampleRun> wav_samples(const WavClip& clip, const InputInfo& input, const Window& window,
                              std::string where);

}  // namespace qs::calib
