#include "calib/image.h"

// Debian's libstb ships stb_image compiled into libstb.so (with Debian's
// security fixes) and asks users to link it rather than compile their own
// copy, so no STB_IMAGE_IMPLEMENTATION here. Its failure reason is
// thread-local, and we never touch its global flags (vertical flip,
// iPhone PNG handling), so concurrent decodes are safe.
#include <stb_image.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <string>

#include "calib/source_files.h"

namespace qs::calib {
namespace {

Status check_size(const std::filesystem::path& path, int width, int height) {
  if (width <= 0 || height <= 0)
    return fail(cat(path.string(), ": image has no pixels (", width, "x", height, ")"));
  if (width > kMaxImageSide || height > kMaxImageSide || int64_t{width} * int64_t{height} > kMaxImagePixels) {
    return fail(cat(path.string(), ": image is ", width, "x", height, ", beyond the limit of ", kMaxImageSide,
                    " px a side and ", kMaxImagePixels, " pixels"));
  }
  return {};
}

std::string reason() {
  const char* r = stbi_failure_reason();
  return r != nullptr ? r : "unknown error";
}

// For one axis of a resize: the two source indices every output index
// blends, and the weight of the second.
struct Taps {
  std::vector<int> lo;
  std::vector<int> hi;
  std::vector<float> frac;
};

Taps bilinear_taps(int in, int out) {
  Taps t;
  t.lo.resize(static_cast<size_t>(out));
  t.hi.resize(static_cast<size_t>(out));
  t.frac.resize(static_cast<size_t>(out));
  const double ratio = static_cast<double>(in) / static_cast<double>(out);
  for (int d = 0; d < out; ++d) {
    const double s = std::clamp((d + 0.5) * ratio - 0.5, 0.0, static_cast<double>(in - 1));
    const int lo = static_cast<int>(std::floor(s));
    const auto i = static_cast<size_t>(d);
    t.lo[i] = lo;
    t.hi[i] = std::min(lo + 1, in - 1);
    t.frac[i] = static_cast<float>(s - lo);
  }
  return t;
}

FloatImage blank(int width, int height, int channels) {
  FloatImage out;
  out.width = width;
  out.height = height;
  out.channels = channels;
  out.values.resize(static_cast<size_t>(width) * static_cast<size_t>(height) * static_cast<size_t>(channels));
  return out;
}

}  // namespace

Result<ImageHeader> read_image_header(const std::filesystem::path& path) {
  ImageHeader h;
  if (stbi_info(path.c_str(), &h.width, &h.height, &h.channels) == 0) {
    return fail(cat(path.string(), ": cannot read image header: ", reason()));
  }
  if (auto st = check_size(path, h.width, h.height); !st) return tl::unexpected(st.error());
  return h;
}

Result<Image> decode_image(const std::filesystem::path& path) {
  auto bytes = read_whole_file(path);
  if (!bytes) return tl::unexpected(bytes.error());
  // stb_image takes the length as an int.
  if (bytes->size() > static_cast<size_t>(std::numeric_limits<int>::max())) {
    return fail(cat(path.string(), ": file is too large for an image (", bytes->size(), " bytes)"));
  }
  const auto* data = reinterpret_cast<const stbi_uc*>(bytes->data());
  const int length = static_cast<int>(bytes->size());
  int width = 0;
  int height = 0;
  int channels = 0;
  if (stbi_info_from_memory(data, length, &width, &height, &channels) == 0) {
    return fail(cat(path.string(), ": cannot decode image: ", reason()));
  }
  if (auto st = check_size(path, width, height); !st) return tl::unexpected(st.error());
  std::unique_ptr<stbi_uc, void (*)(void*)> pixels(
      stbi_load_from_memory(data, length, &width, &height, &channels, 3), stbi_image_free);
  if (!pixels) return fail(cat(path.string(), ": cannot decode image: ", reason()));
  Image img;
  img.width = width;
  img.height = height;
  img.channels = 3;
  img.pixels.assign(pixels.get(),
                    pixels.get() + static_cast<size_t>(width) * static_cast<size_t>(height) * 3);
  return img;
}

FloatImage to_float(const Image& image) {
  FloatImage out = blank(image.width, image.height, image.channels);
  std::transform(image.pixels.begin(), image.pixels.end(), out.values.begin(),
                 [](uint8_t p) { return static_cast<float>(p); });
  return out;
}

FloatImage resize_bilinear(const FloatImage& image, int width, int height) {
  if (image.width == width && image.height == height) return image;
  const Taps tx = bilinear_taps(image.width, width);
  const Taps ty = bilinear_taps(image.height, height);
  FloatImage out = blank(width, height, image.channels);
  float* dst = out.values.data();
  for (size_t y = 0; y < static_cast<size_t>(height); ++y) {
    const float fy = ty.frac[y];
    for (size_t x = 0; x < static_cast<size_t>(width); ++x) {
      const float fx = tx.frac[x];
      for (int c = 0; c < image.channels; ++c) {
        const float top = image.at(tx.lo[x], ty.lo[y], c) * (1 - fx) + image.at(tx.hi[x], ty.lo[y], c) * fx;
        const float bottom =
            image.at(tx.lo[x], ty.hi[y], c) * (1 - fx) + image.at(tx.hi[x], ty.hi[y], c) * fx;
        *dst++ = top * (1 - fy) + bottom * fy;
      }
    }
  }
  return out;
}

FloatImage center_crop(const FloatImage& image, int width, int height) {
  width = std::min(width, image.width);
  height = std::min(height, image.height);
  const int x0 = (image.width - width) / 2;
  const int y0 = (image.height - height) / 2;
  FloatImage out = blank(width, height, image.channels);
  const size_t row = static_cast<size_t>(width) * static_cast<size_t>(image.channels);
  for (int y = 0; y < height; ++y) {
    const float* src = &image.values[(static_cast<size_t>(y0 + y) * static_cast<size_t>(image.width) +
                                      static_cast<size_t>(x0)) *
                                     static_cast<size_t>(image.channels)];
    std::copy(src, src + row, out.values.begin() + static_cast<std::ptrdiff_t>(static_cast<size_t>(y) * row));
  }
  return out;
}

FloatImage resize_cover(const FloatImage& image, int width, int height) {
  const double scale =
      std::max(static_cast<double>(width) / image.width, static_cast<double>(height) / image.height);
  // Rounding may land a side one short of the target; the crop needs it whole.
  const int w = std::max(width, static_cast<int>(std::lround(image.width * scale)));
  const int h = std::max(height, static_cast<int>(std::lround(image.height * scale)));
  return center_crop(resize_bilinear(image, w, h), width, height);
}

FloatImage to_gray(const FloatImage& image) {
  if (image.channels == 1) return image;
  FloatImage out = blank(image.width, image.height, 1);
  const size_t n = out.values.size();
  for (size_t i = 0; i < n; ++i) {
    const float* p = &image.values[i * 3];
    out.values[i] = 0.299f * p[0] + 0.587f * p[1] + 0.114f * p[2];
  }
  return out;
}

}  // namespace qs::calib
