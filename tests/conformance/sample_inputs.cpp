#include "conformance/sample_inputs.h"

#include <stb_image.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <random>

namespace qs::conformance {
namespace {

using format::TensorType;

// Uniform [0, 1) from the top 24 bits: exact in float, the same everywhere
// (std::uniform_real_distribution's algorithm is up to the library).
float unit(std::mt19937_64& rng) { return static_cast<float>(rng() >> 40) * (1.0f / 16777216.0f); }

template <class T>
void fill(io::Array& a, size_t n, std::mt19937_64& rng, bool as_float) {
  a.data.resize(n * sizeof(T));
  for (size_t i = 0; i < n; ++i) {
    T v;
    if (as_float) {
      v = static_cast<T>(unit(rng) * 2.0f - 1.0f);
    } else {
      v = static_cast<T>(rng() & 1u);
    }
    std::memcpy(a.data.data() + i * sizeof(T), &v, sizeof(T));
  }
}

}  // namespace

uint64_t seed_from(std::string_view text) {
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

Result<io::Array> random_array(format::TensorType type, const runtime::Shape& shape, uint64_t seed) {
  const auto dtype = io::from_tensor_type(type);
  if (!dtype) return fail(cat("no random values for ", format::type_name(type), " inputs"));
  io::Array a;
  a.dtype = *dtype;
  a.shape.assign(shape.begin(), shape.end());
  const auto n = static_cast<size_t>(a.elements());
  std::mt19937_64 rng(seed);
  switch (type) {
    case TensorType::FLOAT32: fill<float>(a, n, rng, true); break;
    case TensorType::FLOAT64: fill<double>(a, n, rng, true); break;
    case TensorType::INT8: fill<int8_t>(a, n, rng, false); break;
    case TensorType::UINT8: fill<uint8_t>(a, n, rng, false); break;
    case TensorType::BOOL: fill<uint8_t>(a, n, rng, false); break;
    case TensorType::INT16: fill<int16_t>(a, n, rng, false); break;
    case TensorType::UINT16: fill<uint16_t>(a, n, rng, false); break;
    case TensorType::INT32: fill<int32_t>(a, n, rng, false); break;
    case TensorType::UINT32: fill<uint32_t>(a, n, rng, false); break;
    case TensorType::INT64: fill<int64_t>(a, n, rng, false); break;
    case TensorType::UINT64: fill<uint64_t>(a, n, rng, false); break;
    default: return fail(cat("no random values for ", format::type_name(type), " inputs"));
  }
  return a;
}

Result<Image> load_image(const std::filesystem::path& path, int channels) {
  int w = 0;
  int h = 0;
  int in_channels = 0;
  std::unique_ptr<stbi_uc, void (*)(void*)> pixels(stbi_load(path.c_str(), &w, &h, &in_channels, channels),
                                                   stbi_image_free);
  if (!pixels) return fail(cat(path.string(), ": cannot decode image: ", stbi_failure_reason()));
  Image img;
  img.width = w;
  img.height = h;
  img.channels = channels;
  const size_t n = static_cast<size_t>(w) * static_cast<size_t>(h) * static_cast<size_t>(channels);
  img.pixels.assign(pixels.get(), pixels.get() + n);
  return img;
}

Image resize_bilinear(const Image& image, int width, int height) {
  if (image.width == width && image.height == height) return image;
  Image out;
  out.width = width;
  out.height = height;
  out.channels = image.channels;
  out.pixels.resize(static_cast<size_t>(width) * static_cast<size_t>(height) * static_cast<size_t>(image.channels));
  const auto source = [](int dst, int in, int n_out, int* lo, int* hi, float* frac) {
    const float s = (static_cast<float>(dst) + 0.5f) * static_cast<float>(in) / static_cast<float>(n_out) - 0.5f;
    const float clamped = std::clamp(s, 0.0f, static_cast<float>(in - 1));
    *lo = static_cast<int>(std::floor(clamped));
    *hi = std::min(*lo + 1, in - 1);
    *frac = clamped - static_cast<float>(*lo);
  };
  const auto at = [&](int x, int y, int c) {
    return static_cast<float>(image.pixels[(static_cast<size_t>(y) * static_cast<size_t>(image.width) +
                                            static_cast<size_t>(x)) * static_cast<size_t>(image.channels) +
                                           static_cast<size_t>(c)]);
  };
  for (int y = 0; y < height; ++y) {
    int y0, y1;
    float fy;
    source(y, image.height, height, &y0, &y1, &fy);
    for (int x = 0; x < width; ++x) {
      int x0, x1;
      float fx;
      source(x, image.width, width, &x0, &x1, &fx);
      for (int c = 0; c < image.channels; ++c) {
        const float top = at(x0, y0, c) * (1 - fx) + at(x1, y0, c) * fx;
        const float bottom = at(x0, y1, c) * (1 - fx) + at(x1, y1, c) * fx;
        const float v = top * (1 - fy) + bottom * fy;
        out.pixels[(static_cast<size_t>(y) * static_cast<size_t>(width) + static_cast<size_t>(x)) *
                       static_cast<size_t>(image.channels) +
                   static_cast<size_t>(c)] = static_cast<uint8_t>(std::clamp(std::lround(v), 0L, 255L));
      }
    }
  }
  return out;
}

io::Array image_array(const Image& image, float scale, float offset) {
  io::Array a;
  a.dtype = io::DType::kFloat32;
  a.shape = {1, image.height, image.width, image.channels};
  a.data.resize(image.pixels.size() * sizeof(float));
  for (size_t i = 0; i < image.pixels.size(); ++i) {
    const float v = static_cast<float>(image.pixels[i]) * scale + offset;
    std::memcpy(a.data.data() + i * sizeof(float), &v, sizeof(float));
  }
  return a;
}

}  // namespace qs::conformance
