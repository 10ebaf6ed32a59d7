// Image resizing kernels (runtime/kernels/image_ops.cpp): TFLite's test
// vectors worked by hand, every option, and the fast bilinear loop against
// the reference one on random images (same arithmetic, same bits).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>

#include "format/op_options.h"
#include "support/kernel_checks.h"

namespace qs {
namespace {

using format::BuiltinOp;
using format::TensorType;
using runtime::Flavor;
using runtime::Shape;
using test::host_tensor;
using test::HostTensor;
using test::OpTest;
using ::testing::HasSubstr;

using Outputs = Result<std::vector<HostTensor>>;

#define ASSERT_RAN(r) ASSERT_TRUE((r).has_value()) << (r).error().message

struct Resize {
  bool align_corners = false;
  bool half_pixel_centers = false;
  bool size_as_input = false;
};

Outputs run_resize(BuiltinOp op, const HostTensor& image, std::vector<int32_t> size, Resize r = {},
                   Flavor flavor = Flavor::kFast) {
  OpTest t;
  const int x = t.input("x", image.type, image.shape);
  const int s =
      r.size_as_input ? t.input("size", TensorType::INT32, {2}) : t.constant<int32_t>("size", {2}, size);
  const int y = t.output("y", image.type);
  if (op == BuiltinOp::RESIZE_BILINEAR) {
    tfl::ResizeBilinearOptionsT o;
    o.align_corners = r.align_corners;
    o.half_pixel_centers = r.half_pixel_centers;
    t.op(op, {x, s}, {y}, format::make_options(o));
  } else {
    tfl::ResizeNearestNeighborOptionsT o;
    o.align_corners = r.align_corners;
    o.half_pixel_centers = r.half_pixel_centers;
    t.op(op, {x, s}, {y}, format::make_options(o));
  }
  std::vector<HostTensor> inputs{image};
  if (r.size_as_input) inputs.push_back(host_tensor<int32_t>({2}, size));
  return t.run(inputs, flavor);
}

void expect_near(const HostTensor& h, const Shape& shape, const std::vector<float>& expected) {
  EXPECT_EQ(h.shape, shape);
  const std::vector<float> got = h.values<float>();
  ASSERT_EQ(got.size(), expected.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], expected[i], 1e-5) << "at " << i;
}

// [[3,6],[9,12]] as a 1x2x2x1 image.
const HostTensor kSquare = host_tensor<float>({1, 2, 2, 1}, {3, 6, 9, 12});

TEST(KernelsImage, BilinearTfliteVectors) {
  // Width 2 -> 3, scale 2/3: x = 0, 2/3, 4/3 (clamped to 1):
  // 3, 3·(1/3) + 6·(2/3) = 5, 6.
  const auto row = run_resize(BuiltinOp::RESIZE_BILINEAR, host_tensor<float>({1, 1, 2, 1}, {3, 6}), {1, 3});
  ASSERT_RAN(row);
  expect_near(row->at(0), {1, 1, 3, 1}, {3, 5, 6});
  // Both axes the same way.
  const auto grid = run_resize(BuiltinOp::RESIZE_BILINEAR, kSquare, {3, 3});
  ASSERT_RAN(grid);
  expect_near(grid->at(0), {1, 3, 3, 1}, {3, 5, 6, 7, 9, 10, 9, 11, 12});
  // align_corners: scale (2−1)/(3−1) = 1/2, the corners stay put.
  Resize corners;
  corners.align_corners = true;
  const auto aligned = run_resize(BuiltinOp::RESIZE_BILINEAR, kSquare, {3, 3}, corners);
  ASSERT_RAN(aligned);
  expect_near(aligned->at(0), {1, 3, 3, 1}, {3, 4.5f, 6, 6, 7.5f, 9, 9, 10.5f, 12});
  // half_pixel_centers: x = (0.5)·2/3 − 0.5 = −1/6 (both neighbours 0),
  // 0.5, 7/6 (both 1): 3, 4.5, 6 per row; rows likewise.
  Resize half;
  half.half_pixel_centers = true;
  const auto centred = run_resize(BuiltinOp::RESIZE_BILINEAR, kSquare, {3, 3}, half);
  ASSERT_RAN(centred);
  expect_near(centred->at(0), {1, 3, 3, 1}, {3, 4.5f, 6, 6, 7.5f, 9, 9, 10.5f, 12});
}

TEST(KernelsImage, BilinearDownscaleKeepsChannelsAndBatches) {
  // 1x4 -> 1x2, two channels: scale 2, samples at x = 0 and 2 exactly.
  const HostTensor x =
      host_tensor<float>({2, 1, 4, 2}, {0, 10, 1, 11, 2, 12, 3, 13, 4, 14, 5, 15, 6, 16, 7, 17});
  const auto out = run_resize(BuiltinOp::RESIZE_BILINEAR, x, {1, 2});
  ASSERT_RAN(out);
  expect_near(out->at(0), {2, 1, 2, 2}, {0, 10, 2, 12, 4, 14, 6, 16});
}

TEST(KernelsImage, BilinearFastMatchesReferenceBitForBit) {
  std::mt19937 rng(17);
  std::uniform_real_distribution<float> dist(-100.0f, 100.0f);
  std::vector<float> values(2 * 5 * 7 * 3);
  for (float& v : values) v = dist(rng);
  const HostTensor image = host_tensor<float>({2, 5, 7, 3}, values);
  for (const std::vector<int32_t>& size : {std::vector<int32_t>{9, 13}, std::vector<int32_t>{3, 4},
                                           std::vector<int32_t>{1, 1}, std::vector<int32_t>{5, 20}}) {
    for (int mode = 0; mode < 3; ++mode) {
      Resize r;
      r.align_corners = mode == 1;
      r.half_pixel_centers = mode == 2;
      const auto fast = run_resize(BuiltinOp::RESIZE_BILINEAR, image, size, r);
      const auto ref = run_resize(BuiltinOp::RESIZE_BILINEAR, image, size, r, Flavor::kReference);
      ASSERT_RAN(fast);
      ASSERT_RAN(ref);
      EXPECT_EQ(fast->at(0).shape, (Shape{2, size[0], size[1], 3}));
      EXPECT_EQ(fast->at(0).values<float>(), ref->at(0).values<float>()) << "mode " << mode;
    }
  }
}

TEST(KernelsImage, BilinearSizeKnownAtRunTimeAndErrors) {
  Resize dynamic;
  dynamic.size_as_input = true;
  const auto out = run_resize(BuiltinOp::RESIZE_BILINEAR, kSquare, {3, 3}, dynamic);
  ASSERT_RAN(out);
  expect_near(out->at(0), {1, 3, 3, 1}, {3, 5, 6, 7, 9, 10, 9, 11, 12});

  Resize both;
  both.align_corners = true;
  both.half_pixel_centers = true;
  const auto bad = run_resize(BuiltinOp::RESIZE_BILINEAR, kSquare, {3, 3}, both);
  ASSERT_FALSE(bad.has_value());
  EXPECT_THAT(bad.error().message, HasSubstr("RESIZE_BILINEAR"));
  EXPECT_THAT(bad.error().message, HasSubstr("cannot both be set"));
  const auto flat = run_resize(BuiltinOp::RESIZE_BILINEAR, host_tensor<float>({2, 2}, {1, 2, 3, 4}), {3, 3});
  ASSERT_FALSE(flat.has_value());
  EXPECT_THAT(flat.error().message, HasSubstr("expected rank 4"));
  const auto zero = run_resize(BuiltinOp::RESIZE_BILINEAR, kSquare, {0, 3});
  ASSERT_FALSE(zero.has_value());
  EXPECT_THAT(zero.error().message, HasSubstr("must be positive"));
}

TEST(KernelsImage, NearestNeighborRoundingRules) {
  // Width and height 2 -> 3, scale 2/3: floor(0, 2/3, 4/3) = 0, 0, 1.
  const auto plain = run_resize(BuiltinOp::RESIZE_NEAREST_NEIGHBOR, kSquare, {3, 3});
  ASSERT_RAN(plain);
  EXPECT_EQ(plain->at(0).values<float>(), (std::vector<float>{3, 3, 6, 3, 3, 6, 9, 9, 12}));
  // align_corners: scale 1/2, round(0, 0.5, 1) = 0, 1, 1 (half away from zero).
  Resize corners;
  corners.align_corners = true;
  const auto aligned = run_resize(BuiltinOp::RESIZE_NEAREST_NEIGHBOR, kSquare, {3, 3}, corners);
  ASSERT_RAN(aligned);
  EXPECT_EQ(aligned->at(0).values<float>(), (std::vector<float>{3, 6, 6, 9, 12, 12, 9, 12, 12}));
  // half_pixel_centers: floor((x + 0.5)·2/3) = floor(1/3, 1, 5/3) = 0, 1, 1.
  Resize half;
  half.half_pixel_centers = true;
  const auto centred = run_resize(BuiltinOp::RESIZE_NEAREST_NEIGHBOR, kSquare, {3, 3}, half);
  ASSERT_RAN(centred);
  EXPECT_EQ(centred->at(0).values<float>(), (std::vector<float>{3, 6, 6, 9, 12, 12, 9, 12, 12}));
}

TEST(KernelsImage, NearestNeighborMovesAnyElementType) {
  // 2x2 int8 image with 2 channels, upscaled 2x: every pixel doubled.
  const HostTensor x = host_tensor<int8_t>({1, 2, 2, 2}, {1, -1, 2, -2, 3, -3, 4, -4});
  const auto out = run_resize(BuiltinOp::RESIZE_NEAREST_NEIGHBOR, x, {4, 4});
  ASSERT_RAN(out);
  EXPECT_EQ(out->at(0).shape, (Shape{1, 4, 4, 2}));
  const std::vector<int8_t> row0{1, -1, 1, -1, 2, -2, 2, -2};
  const std::vector<int8_t> row1{3, -3, 3, -3, 4, -4, 4, -4};
  std::vector<int8_t> expected;
  for (const auto* r : {&row0, &row0, &row1, &row1}) expected.insert(expected.end(), r->begin(), r->end());
  EXPECT_EQ(out->at(0).values<int8_t>(), expected);
  // Bilinear is float-only.
  const auto bad = run_resize(BuiltinOp::RESIZE_BILINEAR, x, {4, 4});
  ASSERT_FALSE(bad.has_value());
  EXPECT_THAT(bad.error().message, HasSubstr("RESIZE_BILINEAR"));
}

}  // namespace
}  // namespace qs
