#pragma once
// Inputs for the conformance tests: deterministic random arrays, and real
// images from the shared data folder decoded by core/calib (JPEG, PNG, BMP).

#include <cstdint>
#include <filesystem>
#include <string_view>
#include <vector>

#include "calib/image.h"
#include "common/status.h"
#include "format/tensor_type.h"
#include "io/npy.h"
#include "runtime/tensor.h"

namespace qs::conformance {

// A stable 64-bit seed from text (FNV-1a), so a model's inputs are the same
// on every run and machine.
uint64_t seed_from(std::string_view text);

// Uniform random values for a model input:
//   floats            [-1, 1)  (the range normalised activations live in)
//   integers          {0, 1}   (integer inputs are mostly indices, sizes or
//                               flags; 0 and 1 are valid for any non-empty
//                               dimension)
//   bool              {false, true}
// Fails for types without a sensible random value (string, resource, ...).
Result<io::Array> random_array(format::TensorType type, const runtime::Shape& shape, uint64_t seed);

// Images come through core/calib, the project's one decoder and resizer,
// as float pixels 0..255.
using Image = calib::FloatImage;

// Decodes with `channels` channels (1: ITU-R 601 gray, 3: RGB); errors name
// the file.
Result<Image> load_image(const std::filesystem::path& path, int channels);
// Bilinear resampling with half-pixel centres.
using calib::resize_bilinear;
// float32 [1, height, width, channels] with value = pixel * scale + offset.
io::Array image_array(const Image& image, float scale, float offset);

}  // namespace qs::conformance
