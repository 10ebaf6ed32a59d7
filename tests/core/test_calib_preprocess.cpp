// Image preprocessing: resolve() fills the defaults from the input and
// refuses what cannot work; image_to_input() runs the pipeline. Images are
// built in memory with chosen pixels; every expected value is worked out
// from the documented formulas.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "calib/preprocess.h"
#include "calib_test_util.h"

namespace qs::calib {
namespace {

using format::TensorType;

ImageInput input(std::vector<int32_t> shape, TensorType type = TensorType::FLOAT32) {
  ImageInput in;
  in.name = "image";
  in.type = type;
  in.shape = std::move(shape);
  return in;
}

ValueMapping range(float lo, float hi) {
  ValueMapping v;
  v.lo = lo;
  v.hi = hi;
  return v;
}

ValueMapping mean_std(std::vector<float> mean, std::vector<float> std) {
  ValueMapping v;
  v.kind = ValueMapping::Kind::kMeanStd;
  v.mean = std::move(mean);
  v.std = std::move(std);
  return v;
}

ImagePreprocess given(ValueMapping v) {
  ImagePreprocess p;
  p.values = std::move(v);
  return p;
}

Image rgb(int width, int height, std::vector<uint8_t> pixels) {
  Image img;
  img.width = width;
  img.height = height;
  img.pixels = std::move(pixels);
  return img;
}

using test_util::values;

// Resolves and runs; fails the test on an error.
io::Array run(const Image& img, const ImagePreprocess& request, const ImageInput& in) {
  auto p = resolve(request, in);
  EXPECT_TRUE(p) << p.error().message;
  if (!p) return {};
  auto a = image_to_input(img, *p, in);
  EXPECT_TRUE(a) << a.error().message;
  return a ? *a : io::Array{};
}

void expect_refused(const ImagePreprocess& request, const ImageInput& in, const std::string& part) {
  auto p = resolve(request, in);
  ASSERT_FALSE(p) << "expected: " << part;
  EXPECT_NE(p.error().message.find("input 'image'"), std::string::npos) << p.error().message;
  EXPECT_NE(p.error().message.find(part), std::string::npos) << p.error().message;
}

// 2x1: (10, 20, 30), (200, 100, 0).
const Image kTwo = rgb(2, 1, {10, 20, 30, 200, 100, 0});

// ---------------------------------------------------------------- resolve

TEST(CalibPreprocess, DefaultsComeFromTheInput) {
  ImageInput in = input({1, 224, 160, 3});
  in.metadata_values = mean_std({127.5f}, {127.5f});
  auto p = resolve({}, in);
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->width, 160);
  EXPECT_EQ(p->height, 224);
  EXPECT_EQ(p->channels, ChannelOrder::kRgb);
  EXPECT_EQ(p->layout, Layout::kNhwc);
  EXPECT_EQ(p->resize, ResizeMode::kStretch);
  EXPECT_EQ(p->values.kind, ValueMapping::Kind::kMeanStd);
  EXPECT_EQ(p->values_origin, "model metadata");
  EXPECT_EQ(describe(*p), "160x224 stretch, RGB, NHWC, (p - 127.5) / 127.5 (model metadata)");

  auto gray = resolve(given(range(0, 1)), input({1, 28, 28, 1}));
  ASSERT_TRUE(gray) << gray.error().message;
  EXPECT_EQ(gray->channels, ChannelOrder::kGray);
  EXPECT_EQ(describe(*gray), "28x28 stretch, gray, NHWC, 0..255 -> 0..1 (given)");
}

TEST(CalibPreprocess, GivenValuesWinOverMetadata) {
  ImageInput in = input({1, 4, 4, 3});
  in.metadata_values = mean_std({0}, {1});
  auto p = resolve(given(range(-1, 1)), in);
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->values_origin, "given");
  EXPECT_EQ(describe(*p), "4x4 stretch, RGB, NHWC, 0..255 -> -1..1 (given)");
}

TEST(CalibPreprocess, LayoutDefaultFollowsTheShape) {
  const auto layout = [](std::vector<int32_t> shape) {
    auto p = resolve(given(range(0, 1)), input(std::move(shape)));
    EXPECT_TRUE(p) << p.error().message;
    return p ? p->layout : Layout::kNhwc;
  };
  EXPECT_EQ(layout({1, 3, 224, 224}), Layout::kNchw);
  EXPECT_EQ(layout({1, 1, 28, 28}), Layout::kNchw);
  EXPECT_EQ(layout({1, 28, 28, 1}), Layout::kNhwc);
  EXPECT_EQ(layout({1, 3, 3, 3}), Layout::kNhwc);  // W = 3 is not > 4
  EXPECT_EQ(layout({1, 1, 1, 3}), Layout::kNhwc);
}

TEST(CalibPreprocess, RefusesFloatInputsWithoutAMapping) {
  expect_refused({}, input({1, 8, 8, 3}), "needs a value mapping");
  ImageInput quantized = input({1, 8, 8, 3}, TensorType::INT8);
  quantized.scale = 0.01f;
  quantized.zero_point = 0;
  expect_refused({}, quantized, "needs a value mapping");
}

TEST(CalibPreprocess, RefusesWhatIsNotAnImage) {
  const ImagePreprocess ok = given(range(0, 1));
  expect_refused(ok, input({1, 28, 28}), "not image shaped");
  expect_refused(ok, input({1, 8, 8, 4}), "not image shaped");
  expect_refused(ok, input({2, 8, 8, 3}), "not image shaped");
  ImagePreprocess nchw = ok;
  nchw.layout = Layout::kNchw;
  expect_refused(nchw, input({1, 8, 8, 3}), "8 channels");
  expect_refused(ok, input({1, 8, 8, 3}, TensorType::INT32), "is INT32");
  expect_refused(ok, input({1, 8, 8, 3}, TensorType::INT8), "is INT8");  // no quantization
}

TEST(CalibPreprocess, RefusesChannelsAndSizesThatDisagree) {
  ImagePreprocess gray = given(range(0, 1));
  gray.channels = ChannelOrder::kGray;
  expect_refused(gray, input({1, 8, 8, 3}), "has 3 channels");
  ImagePreprocess bgr = given(range(0, 1));
  bgr.channels = ChannelOrder::kBgr;
  expect_refused(bgr, input({1, 8, 8, 1}), "has 1 channel");
  ImagePreprocess wide = given(range(0, 1));
  wide.width = 10;
  expect_refused(wide, input({1, 8, 8, 3}), "has width 8");
  expect_refused(given(range(0, 1)), input({1, -1, -1, 3}), "dynamic width");
}

TEST(CalibPreprocess, RefusesBadMappings) {
  expect_refused(given(mean_std({1, 2}, {1})), input({1, 8, 8, 3}), "need 1 or 3 values, given 2");
  expect_refused(given(mean_std({1, 2, 3}, {1})), input({1, 8, 8, 1}), "need 1 value, given 3");
  expect_refused(given(mean_std({0}, {0})), input({1, 8, 8, 3}), "std must not be 0");
  expect_refused(given(range(3, 3)), input({1, 8, 8, 3}), "not empty");
  ImageInput in = input({1, 8, 8, 1});
  in.metadata_values = mean_std({1, 2, 3}, {1, 1, 1});
  expect_refused({}, in, "model metadata values");
}

TEST(CalibPreprocess, DynamicSpatialSizeTakesTheGivenOne) {
  ImagePreprocess p = given(range(0, 1));
  p.width = 3;
  p.height = 1;
  const io::Array a = run(rgb(3, 1, std::vector<uint8_t>(9, 51)), p, input({1, -1, -1, 3}));
  EXPECT_EQ(a.shape, (std::vector<int64_t>{1, 1, 3, 3}));
  for (float v : values<float>(a)) EXPECT_FLOAT_EQ(v, 0.2f);  // 51 / 255
}

// ------------------------------------------------------------- the pipeline

TEST(CalibPreprocess, RangeMapsEveryPixel) {
  const io::Array a = run(kTwo, given(range(-1, 1)), input({1, 1, 2, 3}));
  EXPECT_EQ(a.name, "image");
  EXPECT_EQ(a.dtype, io::DType::kFloat32);
  EXPECT_EQ(a.shape, (std::vector<int64_t>{1, 1, 2, 3}));
  const std::vector<uint8_t> p{10, 20, 30, 200, 100, 0};
  const auto v = values<float>(a);
  ASSERT_EQ(v.size(), 6u);
  for (size_t i = 0; i < 6; ++i) EXPECT_NEAR(v[i], -1 + p[i] * 2.0 / 255, 1e-6) << i;
}

TEST(CalibPreprocess, MeanStdPerChannelAppliesAfterReordering) {
  ImagePreprocess request = given(mean_std({1, 2, 3}, {2, 4, 8}));
  request.channels = ChannelOrder::kBgr;
  const auto v = values<float>(run(kTwo, request, input({1, 1, 2, 3})));
  // Pixel 0 as BGR is (30, 20, 10); channel 0 (B) takes mean 1, std 2.
  const std::vector<float> want{(30 - 1) / 2.f, (20 - 2) / 4.f,  (10 - 3) / 8.f,
                                (0 - 1) / 2.f,  (100 - 2) / 4.f, (200 - 3) / 8.f};
  ASSERT_EQ(v.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) EXPECT_FLOAT_EQ(v[i], want[i]) << i;
}

TEST(CalibPreprocess, GrayAndNchw) {
  const auto gray = values<float>(run(kTwo, given(range(0, 255)), input({1, 1, 2, 1})));
  ASSERT_EQ(gray.size(), 2u);
  EXPECT_NEAR(gray[0], 0.299 * 10 + 0.587 * 20 + 0.114 * 30, 1e-3);
  EXPECT_NEAR(gray[1], 0.299 * 200 + 0.587 * 100, 1e-3);

  // W = 2 is not > 4, so [1,3,1,2] reads as NHWC (2 channels) unless NCHW is given.
  expect_refused(given(range(0, 255)), input({1, 3, 1, 2}), "not image shaped");
  ImagePreprocess nchw = given(range(0, 255));
  nchw.layout = Layout::kNchw;
  const io::Array a = run(kTwo, nchw, input({1, 3, 1, 2}));
  EXPECT_EQ(a.shape, (std::vector<int64_t>{1, 3, 1, 2}));
  const auto v = values<float>(a);
  EXPECT_EQ(v, (std::vector<float>{10, 200, 20, 100, 30, 0}));
}

TEST(CalibPreprocess, StretchAndCenterCropResize) {
  // 4x2, channel value = 10 x + y (all three channels alike).
  std::vector<uint8_t> px;
  for (int y = 0; y < 2; ++y) {
    for (int x = 0; x < 4; ++x) px.insert(px.end(), 3, static_cast<uint8_t>(10 * x + y));
  }
  const Image img = rgb(4, 2, px);
  // Stretch to 2x1: each output is the mean of a 2x2 block: x (0,10)->5 (20,30)->25, y (0,1)->0.5.
  const auto stretch = values<float>(run(img, given(range(0, 255)), input({1, 1, 2, 3})));
  EXPECT_EQ(stretch, (std::vector<float>{5.5f, 5.5f, 5.5f, 25.5f, 25.5f, 25.5f}));
  // Centre crop to 2x2: scale 1 (height fits), columns 1 and 2.
  ImagePreprocess crop = given(range(0, 255));
  crop.resize = ResizeMode::kCenterCrop;
  const auto cropped = values<float>(run(img, crop, input({1, 2, 2, 1})));
  EXPECT_EQ(cropped.size(), 4u);
  EXPECT_NEAR(cropped[0], 10, 1e-3);
  EXPECT_NEAR(cropped[1], 20, 1e-3);
  EXPECT_NEAR(cropped[2], 11, 1e-3);
  EXPECT_NEAR(cropped[3], 21, 1e-3);
}

TEST(CalibPreprocess, QuantizedInputsRoundAndSaturate) {
  // v = p (range 0..255); int8 scale 0.5, zero point -10: q = 2p - 10, saturated at 127.
  ImageInput in = input({1, 1, 3, 1}, TensorType::INT8);
  in.scale = 0.5f;
  in.zero_point = -10;
  const Image img = rgb(3, 1, {0, 0, 0, 50, 50, 50, 100, 100, 100});
  const io::Array a = run(img, given(range(0, 255)), in);
  EXPECT_EQ(a.dtype, io::DType::kInt8);
  EXPECT_EQ(values<int8_t>(a), (std::vector<int8_t>{-10, 90, 127}));

  // int16 scale 0.25, zero point 0, v = -1..1: p = 0 -> -4, p = 255 -> 4, p = 50 -> round(-0.6078 * 4) = -2.
  ImageInput i16 = input({1, 1, 3, 1}, TensorType::INT16);
  i16.scale = 0.25f;
  i16.zero_point = 0;
  const Image ends = rgb(3, 1, {0, 0, 0, 255, 255, 255, 50, 50, 50});
  EXPECT_EQ(values<int16_t>(run(ends, given(range(-1, 1)), i16)), (std::vector<int16_t>{-4, 4, -2}));
}

TEST(CalibPreprocess, Uint8InputsTakeRawPixelsByDefault) {
  const Image img = rgb(2, 1, {0, 1, 2, 127, 128, 255});
  ImageInput plain = input({1, 1, 2, 3}, TensorType::UINT8);
  auto p = resolve({}, plain);
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->values_origin, "raw pixels (uint8 input)");
  EXPECT_EQ(values<uint8_t>(run(img, {}, plain)), img.pixels);

  // Legacy quantized uint8 (mobilenet_v1_0.25_224_quant: scale 1/128, zero point 128): still q = p.
  ImageInput quant = plain;
  quant.scale = 0.0078125f;
  quant.zero_point = 128;
  auto pq = resolve({}, quant);
  ASSERT_TRUE(pq) << pq.error().message;
  EXPECT_EQ(describe(*pq), "2x1 stretch, RGB, NHWC, 0..255 -> -1..0.9921875 (raw pixels (uint8 input))");
  EXPECT_EQ(values<uint8_t>(run(img, {}, quant)), img.pixels);

  // Normalisation metadata (as that model carries) does not change it:
  // (p - 127.5) / 127.5 quantized would give 175 for 174.
  quant.metadata_values = mean_std({127.5f}, {127.5f});
  auto pm = resolve({}, quant);
  ASSERT_TRUE(pm) << pm.error().message;
  EXPECT_EQ(pm->values_origin, "raw pixels (uint8 input)");
  const Image mid = rgb(2, 1, std::vector<uint8_t>(6, 174));
  EXPECT_EQ(values<uint8_t>(run(mid, {}, quant)), mid.pixels);
}

TEST(CalibPreprocess, HandMadeSettingsAreCheckedToo) {
  ResolvedPreprocess p;
  p.width = 2;
  p.height = 1;
  p.values = mean_std({1, 2}, {1});
  EXPECT_FALSE(image_to_input(kTwo, p, input({1, 1, 2, 3})));
  p.values = range(0, 1);
  p.width = -3;
  EXPECT_FALSE(image_to_input(kTwo, p, input({1, 1, 2, 3})));
}

TEST(CalibPreprocess, DescribeNamesEveryChoice) {
  ImagePreprocess request = given(mean_std({0.5f, 1, 2}, {3}));
  request.resize = ResizeMode::kCenterCrop;
  request.channels = ChannelOrder::kBgr;
  request.layout = Layout::kNchw;
  auto p = resolve(request, input({1, 3, 8, 8}));
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(describe(*p), "8x8 center-crop, BGR, NCHW, (p - [0.5, 1, 2]) / 3 (given)");
}

}  // namespace
}  // namespace qs::calib
