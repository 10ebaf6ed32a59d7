#include "conformance/sample_inputs.h"

#include <cstring>
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
    case TensorType::FLOAT32:
      fill<float>(a, n, rng, true);
      break;
    case TensorType::FLOAT64:
      fill<double>(a, n, rng, true);
      break;
    case TensorType::INT8:
      fill<int8_t>(a, n, rng, false);
      break;
    case TensorType::UINT8:
      fill<uint8_t>(a, n, rng, false);
      break;
    case TensorType::BOOL:
      fill<uint8_t>(a, n, rng, false);
      break;
    case TensorType::INT16:
      fill<int16_t>(a, n, rng, false);
      break;
    case TensorType::UINT16:
      fill<uint16_t>(a, n, rng, false);
      break;
    case TensorType::INT32:
      fill<int32_t>(a, n, rng, false);
      break;
    case TensorType::UINT32:
      fill<uint32_t>(a, n, rng, false);
      break;
    case TensorType::INT64:
      fill<int64_t>(a, n, rng, false);
      break;
    case TensorType::UINT64:
      fill<uint64_t>(a, n, rng, false);
      break;
    default:
      return fail(cat("no random values for ", format::type_name(type), " inputs"));
  }
  return a;
}

Result<Image> load_image(const std::filesystem::path& path, int channels) {
  if (channels != 1 && channels != 3) {
    return fail(cat(path.string(), ": cannot load an image with ", channels, " channels"));
  }
  auto img = calib::decode_image(path);
  if (!img) return tl::unexpected(img.error());
  const Image rgb = calib::to_float(*img);
  return channels == 1 ? calib::to_gray(rgb) : rgb;
}

io::Array image_array(const Image& image, float scale, float offset) {
  io::Array a;
  a.dtype = io::DType::kFloat32;
  a.shape = {1, image.height, image.width, image.channels};
  a.data.resize(image.values.size() * sizeof(float));
  for (size_t i = 0; i < image.values.size(); ++i) {
    const float v = image.values[i] * scale + offset;
    std::memcpy(a.data.data() + i * sizeof(float), &v, sizeof(float));
  }
  return a;
}

}  // namespace qs::conformance
