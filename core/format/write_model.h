#pragma once
// Model -> .tflite. The output is a single FlatBuffer unless the constant
// data would push it past FlatBuffers' 2 GB limit; then buffers (and large
// custom options) go after the FlatBuffer, 64-byte aligned, located by
// Buffer.offset/size from the start of the file, as TFLite expects.

#include <cstdint>
#include <filesystem>
#include <vector>

#include "common/status.h"
#include "format/model.h"

namespace qs::format {

struct WriteOptions {
  // Constant data above this many bytes in total moves out of the
  // FlatBuffer. Lower it in tests to exercise the large-model layout.
  uint64_t inline_data_limit = (uint64_t{1} << 31) - (uint64_t{1} << 27);
};

// The whole file in memory.
Result<std::vector<uint8_t>> serialize(const Model& model, const WriteOptions& options = {});

// Writes to a temporary file next to `path`, then renames it into place, so
// a failure never leaves a partial file and readers never see one.
Status write_file(const Model& model, const std::filesystem::path& path, const WriteOptions& options = {});

}  // namespace qs::format
