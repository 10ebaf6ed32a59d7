#pragma once
// Images for calibration: decoding (PNG, JPEG, BMP, ... through Debian's
// libstb, the one image decoder of the project) and the float-plane
// operations preprocessing needs (bilinear resize, centre crop, gray).

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <vector>

#include "common/status.h"

namespace qs::calib {

// Larger images are refused before anything is allocated: a corrupt or
// hostile header must not make us reserve gigabytes.
inline constexpr int kMaxImageSide = 16384;
inline constexpr int64_t kMaxImagePixels = int64_t{1} << 28;

// A decoded image: interleaved 8-bit RGB, rows top to bottom.
struct Image {
  int width = 0;
  int height = 0;
  int channels = 3;
  std::vector<uint8_t> pixels;  // width * height * channels
};

// What the file's header says, read without decoding the pixels.
struct ImageHeader {
  int width = 0;
  int height = 0;
  int channels = 0;  // in the file: 1 gray, 2 gray + alpha, 3 RGB, 4 RGBA
};

// Reads only the header; fails (naming the file) when the format is not
// recognised or the size is beyond the limits above.
Result<ImageHeader> read_image_header(const std::filesystem::path& path);

// Decodes to RGB8 whatever the file holds (gray is replicated, alpha is
// dropped). Errors name the file and give the decoder's reason.
Result<Image> decode_image(const std::filesystem::path& path);

// Interleaved float values, rows top to bottom.
struct FloatImage {
  int width = 0;
  int height = 0;
  int channels = 0;
  std::vector<float> values;  // width * height * channels

  float at(int x, int y, int c) const {
    return values[(static_cast<size_t>(y) * static_cast<size_t>(width) + static_cast<size_t>(x)) *
                      static_cast<size_t>(channels) +
                  static_cast<size_t>(c)];
  }
};

FloatImage to_float(const Image& image);

// Bilinear resampling with half-pixel centres: output pixel d reads source
// position (d + 0.5) * in / out - 0.5, clamped to the image, without
// antialiasing (as TFLite's RESIZE_BILINEAR with half_pixel_centers).
// width and height must be positive.
FloatImage resize_bilinear(const FloatImage& image, int width, int height);

// The centred width x height region (no larger than the image); when the
// margin is odd, the extra column or row is left on the right or bottom.
FloatImage center_crop(const FloatImage& image, int width, int height);

// Scales so that the image covers width x height with its aspect kept (the
// short side fits exactly), then crops the centre.
FloatImage resize_cover(const FloatImage& image, int width, int height);

// One channel from RGB: 0.299 R + 0.587 G + 0.114 B (ITU-R BT.601 luma);
// a one-channel image is returned as is.
FloatImage to_gray(const FloatImage& image);

}  // namespace qs::calib
