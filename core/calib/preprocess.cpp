#include "calib/preprocess.h"

#include <cmath>
#include <utility>

#include "calib/source_values.h"
#include "inspect/tflite_metadata.h"

namespace qs::calib {
namespace {

using format::TensorType;

// Where the channel, height and width dimensions sit.
struct Dims {
  size_t c = 3;
  size_t h = 1;
  size_t w = 2;
};

Dims dims_of(Layout layout) { return layout == Layout::kNhwc ? Dims{3, 1, 2} : Dims{1, 2, 3}; }

// [1,C,H,W] with a small C and a wide last dimension reads as NCHW; a
// dynamic last dimension is almost surely a spatial one.
Layout default_layout(const std::vector<int32_t>& shape) {
  const bool small_c = shape[1] == 1 || shape[1] == 3;
  return small_c && (shape[3] > 4 || shape[3] == -1) ? Layout::kNchw : Layout::kNhwc;
}

std::string input_text(const ImageInput& input) {
  return cat("input '", input.name, "' ", format::shape_string(input.shape));
}

Result<Layout> resolve_layout(const ImagePreprocess& requested, const ImageInput& input) {
  if (input.shape.size() != 4 || input.shape[0] != 1) {
    return fail(cat(input_text(input), " is not image shaped: images need [1,H,W,C] or [1,C,H,W]"));
  }
  const Layout layout = requested.layout.value_or(default_layout(input.shape));
  const size_t c = dims_of(layout).c;
  if (input.shape[c] != 1 && input.shape[c] != 3) {
    return fail(cat(input_text(input), " is not image shaped: as ", layout == Layout::kNhwc ? "NHWC" : "NCHW",
                    " it has ", input.shape[c], " channels, images give 1 or 3"));
  }
  return layout;
}

Result<int> resolve_side(std::optional<int> given, int32_t dim, const char* what, const ImageInput& input) {
  if (given) {
    if (*given <= 0 || *given > kMaxImageSide) {
      return fail(cat(input_text(input), ": ", what, " ", *given, " is out of range 1..", kMaxImageSide));
    }
    if (dim != -1 && dim != *given) {
      return fail(cat(input_text(input), " has ", what, " ", dim, "; the given ", what, " ", *given,
                      " does not fit"));
    }
    return *given;
  }
  if (dim == -1) return fail(cat(input_text(input), " has a dynamic ", what, ": give the ", what));
  return dim;
}

Result<ChannelOrder> resolve_channels(std::optional<ChannelOrder> given, int32_t channels,
                                      const ImageInput& input) {
  const ChannelOrder order = given.value_or(channels == 1 ? ChannelOrder::kGray : ChannelOrder::kRgb);
  if ((order == ChannelOrder::kGray) != (channels == 1)) {
    return fail(cat(input_text(input), " has ", channels, " channel", channels == 1 ? "" : "s", "; ",
                    order == ChannelOrder::kGray ? "gray gives 1" : "RGB and BGR give 3"));
  }
  return order;
}

InputCast cast_of(const ImageInput& input) { return {input.type, input.scale, input.zero_point}; }

Status check_mapping(const ValueMapping& v, size_t channels, const std::string& origin,
                     const ImageInput& input) {
  const auto bad = [&](const std::string& why) {
    return fail(cat(input_text(input), ": ", origin, " values: ", why));
  };
  if (v.kind == ValueMapping::Kind::kRange) {
    if (!std::isfinite(v.lo) || !std::isfinite(v.hi) || v.lo == v.hi)
      return bad("the range must be finite and not empty");
    return {};
  }
  for (const auto* list : {&v.mean, &v.std}) {
    if (list->size() != 1 && list->size() != channels) {
      const std::string want = channels == 1 ? "1 value" : cat("1 or ", channels, " values");
      return bad(cat("mean and std need ", want, ", given ", list->size()));
    }
    for (float x : *list) {
      if (!std::isfinite(x)) return bad("mean and std must be finite");
    }
  }
  for (float s : v.std) {
    if (s == 0) return bad("std must not be 0");
  }
  return {};
}

// The mapping that feeds a UINT8 input the pixel itself (q = p).
ValueMapping raw_pixels(const ImageInput& input) {
  ValueMapping v;
  if (quantizes(cast_of(input))) {
    const float zp = static_cast<float>(input.zero_point.value_or(0));
    v.lo = (0.0f - zp) * *input.scale;
    v.hi = (255.0f - zp) * *input.scale;
  } else {
    v.lo = 0.0f;
    v.hi = 255.0f;
  }
  return v;
}

Result<std::pair<ValueMapping, std::string>> resolve_values(const ImagePreprocess& requested,
                                                            const ImageInput& input) {
  if (requested.values) return std::pair{*requested.values, std::string("given")};
  // Before metadata: TFLite Support feeds uint8 models the raw pixels and
  // applies the metadata normalisation to float inputs only (for a quantized
  // uint8 input it would land within one step of the pixel anyway).
  if (input.type == TensorType::UINT8)
    return std::pair{raw_pixels(input), std::string("raw pixels (uint8 input)")};
  if (input.metadata_values) return std::pair{*input.metadata_values, std::string("model metadata")};
  return fail(
      cat(input_text(input), " (", format::type_name(input.type),
          ") needs a value mapping: the model has no normalisation metadata, and guessing 0..1 or -1..1 "
          "would skew calibration; give the range or mean/std the model was trained with"));
}

// Value of pixel p in channel c.
struct Affine {
  const ValueMapping& v;
  float operator()(float p, size_t c) const {
    if (v.kind == ValueMapping::Kind::kRange) return v.lo + p * (v.hi - v.lo) / 255.0f;
    const float mean = v.mean.size() == 1 ? v.mean[0] : v.mean[c];
    const float std = v.std.size() == 1 ? v.std[0] : v.std[c];
    return (p - mean) / std;
  }
};

FloatImage sized(const Image& image, const ResolvedPreprocess& p) {
  FloatImage f = to_float(image);
  return p.resize == ResizeMode::kStretch ? resize_bilinear(f, p.width, p.height)
                                          : resize_cover(f, p.width, p.height);
}

FloatImage reordered(FloatImage f, ChannelOrder order) {
  if (order == ChannelOrder::kGray) return to_gray(f);
  if (order == ChannelOrder::kBgr) {
    for (size_t i = 0; i + 2 < f.values.size(); i += 3) std::swap(f.values[i], f.values[i + 2]);
  }
  return f;
}

// Mapped values in the tensor's element order.
std::vector<float> laid_out(const FloatImage& f, const ResolvedPreprocess& p) {
  const Affine map{p.values};
  const auto channels = static_cast<size_t>(f.channels);
  const size_t plane = static_cast<size_t>(f.width) * static_cast<size_t>(f.height);
  std::vector<float> out(f.values.size());
  for (size_t i = 0; i < plane; ++i) {
    for (size_t c = 0; c < channels; ++c) {
      const size_t to = p.layout == Layout::kNhwc ? i * channels + c : c * plane + i;
      out[to] = map(f.values[i * channels + c], c);
    }
  }
  return out;
}

std::string values_text(const ValueMapping& v) {
  if (v.kind == ValueMapping::Kind::kRange) {
    return cat("0..255 -> ", inspect::float_list({v.lo}), "..", inspect::float_list({v.hi}));
  }
  return cat("(p - ", inspect::float_list(v.mean), ") / ", inspect::float_list(v.std));
}

}  // namespace

Result<ResolvedPreprocess> resolve(const ImagePreprocess& requested, const ImageInput& input) {
  if (!accepts_real_values(cast_of(input))) {
    return fail(cat(input_text(input), " is ", format::type_name(input.type),
                    "; images feed FLOAT32 and UINT8 inputs, and INT8/INT16 inputs with quantization"));
  }
  auto layout = resolve_layout(requested, input);
  if (!layout) return tl::unexpected(layout.error());
  const Dims d = dims_of(*layout);
  ResolvedPreprocess p;
  p.layout = *layout;
  p.resize = requested.resize;
  auto width = resolve_side(requested.width, input.shape[d.w], "width", input);
  if (!width) return tl::unexpected(width.error());
  auto height = resolve_side(requested.height, input.shape[d.h], "height", input);
  if (!height) return tl::unexpected(height.error());
  p.width = *width;
  p.height = *height;
  auto channels = resolve_channels(requested.channels, input.shape[d.c], input);
  if (!channels) return tl::unexpected(channels.error());
  p.channels = *channels;
  auto values = resolve_values(requested, input);
  if (!values) return tl::unexpected(values.error());
  std::tie(p.values, p.values_origin) = std::move(*values);
  if (auto st = check_mapping(p.values, static_cast<size_t>(input.shape[d.c]), p.values_origin, input); !st) {
    return tl::unexpected(st.error());
  }
  return p;
}

std::string describe(const ResolvedPreprocess& p) {
  const char* resize = p.resize == ResizeMode::kStretch ? "stretch" : "center-crop";
  const char* channels = p.channels == ChannelOrder::kRgb   ? "RGB"
                         : p.channels == ChannelOrder::kBgr ? "BGR"
                                                            : "gray";
  const char* layout = p.layout == Layout::kNhwc ? "NHWC" : "NCHW";
  return cat(p.width, "x", p.height, " ", resize, ", ", channels, ", ", layout, ", ", values_text(p.values),
             " (", p.values_origin, ")");
}

Result<io::Array> image_to_input(const Image& image, const ResolvedPreprocess& p, const ImageInput& input) {
  if (image.channels != 3 || image.width <= 0 || image.height <= 0) {
    return fail(cat("input '", input.name, "': expected a decoded RGB image, got ", image.width, "x",
                    image.height, " with ", image.channels, " channels"));
  }
  // A hand-made `p` must not index past its mean/std or allocate wildly.
  if (p.width <= 0 || p.height <= 0 || p.width > kMaxImageSide || p.height > kMaxImageSide) {
    return fail(
        cat("input '", input.name, "': preprocessing size ", p.width, "x", p.height, " is out of range"));
  }
  const size_t channels = p.channels == ChannelOrder::kGray ? 1 : 3;
  if (auto st = check_mapping(p.values, channels, p.values_origin, input); !st)
    return tl::unexpected(st.error());
  const FloatImage f = reordered(sized(image, p), p.channels);
  auto bytes = cast_values(laid_out(f, p), cast_of(input), cat("input '", input.name, "'"));
  if (!bytes) return tl::unexpected(bytes.error());
  io::Array a;
  a.name = input.name;
  a.dtype = *io::from_tensor_type(input.type);
  const int64_t c = f.channels;
  a.shape = p.layout == Layout::kNhwc ? std::vector<int64_t>{1, p.height, p.width, c}
                                      : std::vector<int64_t>{1, c, p.height, p.width};
  a.data = std::move(*bytes);
  return a;
}

}  // namespace qs::calib
