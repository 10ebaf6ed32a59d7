#pragma once
// How an image becomes a model input, explicitly: every choice is a field,
// every default is resolved against the model input before anything runs,
// and the resolved form is what reports and stats files record.
//
//   decoded RGB8 image
//     -> resize to width x height (bilinear, half-pixel centres, float result;
//        kStretch ignores aspect, kCenterCrop scales the short side to fit and
//        crops the centre)
//     -> channels (RGB, BGR, or gray = 0.299 R + 0.587 G + 0.114 B, ITU-R 601)
//     -> values: pixel p in 0..255 maps to lo + p * (hi - lo) / 255 (kRange),
//        or to (p - mean[c]) / std[c] (kMeanStd; one value serves every channel)
//     -> layout NHWC or NCHW, batch 1
//     -> cast to the input's type: FLOAT32 as is; INT8/UINT8/INT16 inputs with
//        quantization parameters get round(v / scale) + zero_point, saturated;
//        UINT8 inputs without quantization take round(v) saturated (the raw
//        0..255 pixel when the mapping is the identity range 0:255).

#include <optional>
#include <string>
#include <vector>

#include "calib/image.h"
#include "common/status.h"
#include "format/tensor_type.h"
#include "io/npy.h"

namespace qs::calib {

enum class ResizeMode { kStretch, kCenterCrop };
enum class ChannelOrder { kRgb, kBgr, kGray };
enum class Layout { kNhwc, kNchw };

struct ValueMapping {
  enum class Kind { kRange, kMeanStd } kind = Kind::kRange;
  float lo = 0.0f;  // kRange
  float hi = 1.0f;
  // kMeanStd: 1 or channel-count values each; mean[c] and std[c] apply to
  // channel c of the tensor, i.e. after reordering (B first for BGR).
  std::vector<float> mean;
  std::vector<float> std;
};

// What the user asked for; unset fields take defaults from the input.
struct ImagePreprocess {
  std::optional<int> width;  // default: the input's spatial size
  std::optional<int> height;
  ResizeMode resize = ResizeMode::kStretch;
  std::optional<ChannelOrder> channels;  // default: gray for 1 channel, RGB for 3
  std::optional<Layout> layout;          // default: NCHW when [1,C,H,W] with C in {1,3} and W > 4, else NHWC
  std::optional<ValueMapping> values;    // default: the model's metadata normalisation (see resolve())
};

// Everything decided, for one model input.
struct ResolvedPreprocess {
  int width = 0;
  int height = 0;
  ResizeMode resize = ResizeMode::kStretch;
  ChannelOrder channels = ChannelOrder::kRgb;
  Layout layout = Layout::kNhwc;
  ValueMapping values;
  std::string values_origin;  // "given", "model metadata", "raw pixels (uint8 input)"
};

// The image-relevant facts about one model input.
struct ImageInput {
  std::string name;
  format::TensorType type = format::TensorType::FLOAT32;
  std::vector<int32_t> shape;  // batch 1; -1 for a dimension fixed at run time
  // Per-tensor quantization of the input, when it has one.
  std::optional<float> scale;
  std::optional<int64_t> zero_point;
  // Normalisation from the model's TFLite Metadata for this input, if any.
  std::optional<ValueMapping> metadata_values;
};

// Fills every default. Fails (naming the input) when the input is not image
// shaped (rank 4, 1 or 3 channels), when channels disagree with the input,
// or when a FLOAT32 input has neither a given mapping nor metadata: a silent
// 0..1 guess ruins calibration, so we ask instead.
// Also fails when a given width or height differs from a fixed input size,
// when a dynamic (-1) spatial size is not given, for element types images
// cannot feed (anything but FLOAT32, UINT8, and INT8/INT16 with
// quantization), and for INT8/INT16 inputs without a given mapping or
// metadata (the same reason as FLOAT32). A UINT8 input without a given
// mapping takes the raw pixels, q = p (through its quantization when it has
// one), whatever its metadata says: TFLite Support applies the metadata
// normalisation to float inputs only.
Result<ResolvedPreprocess> resolve(const ImagePreprocess& requested, const ImageInput& input);

// One line for reports: "224x224 stretch, RGB, NHWC, 0..255 -> -1..1 (given)".
std::string describe(const ResolvedPreprocess& p);

// Runs the pipeline above on a decoded image: an array of the input's
// element type and shape [1,H,W,C] or [1,C,H,W], named after the input.
// `p` must come from resolve() for this `input`.
Result<io::Array> image_to_input(const Image& image, const ResolvedPreprocess& p, const ImageInput& input);

}  // namespace qs::calib
