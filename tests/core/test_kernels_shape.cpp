// Shape and data-movement kernels (runtime/kernels/shape_*.cpp, slice_*.cpp):
// each op on hand-computed cases (the arithmetic in the comments), its
// options, shapes computed at run time, and errors that name the op. Larger
// random cases compare against naive index formulas written here.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <numeric>
#include <random>

#include "format/model_file.h"
#include "format/op_options.h"
#include "runtime/kernels/slice_strided.h"
#include "support/corpus.h"
#include "support/kernel_checks.h"

namespace qs {
namespace {

using format::BuiltinOp;
using format::TensorType;
using runtime::Shape;
using test::host_tensor;
using test::HostTensor;
using test::OpTest;
using test::expect_error;
using test::expect_tensor;
using test::random_floats;
using ::testing::HasSubstr;

using Outputs = Result<std::vector<HostTensor>>;

template <class T>
std::vector<T> iota(size_t n, T start = T{}) {
  std::vector<T> v(n);
  std::iota(v.begin(), v.end(), start);
  return v;
}

#define ASSERT_RAN(r) ASSERT_TRUE((r).has_value()) << (r).error().message

// Coordinates of flat index `i` in `shape`, and back.
std::vector<int64_t> unravel(int64_t i, const Shape& shape) {
  std::vector<int64_t> c(shape.size());
  for (size_t k = shape.size(); k-- > 0;) {
    c[k] = i % shape[k];
    i /= shape[k];
  }
  return c;
}

int64_t ravel(const std::vector<int64_t>& c, const Shape& shape) {
  int64_t i = 0;
  for (size_t k = 0; k < shape.size(); ++k) i = i * shape[k] + c[k];
  return i;
}

// RESHAPE, SQUEEZE, EXPAND_DIMS, SHAPE, RANK -----------------------------------

format::OpOptions reshape_options(std::vector<int32_t> shape) {
  tfl::ReshapeOptionsT o;
  o.new_shape = std::move(shape);
  return format::make_options(o);
}

TEST(KernelsShape, ReshapeTakesShapeTensorAndInfersMinusOne) {
  OpTest t;
  const int x = t.input("x", TensorType::FLOAT32, {2, 3, 2});
  const int s = t.constant<int32_t>("shape", {2}, {2, -1});
  const int y = t.output("y", TensorType::FLOAT32);
  t.op(BuiltinOp::RESHAPE, {x, s}, {y}, reshape_options({9, 9}));  // the tensor wins over options
  const auto out = t.run({host_tensor<float>({2, 3, 2}, iota<float>(12))});
  ASSERT_RAN(out);
  expect_tensor<float>(out->at(0), {2, 6}, iota<float>(12));  // 12 / 2 = 6
}

TEST(KernelsShape, ReshapeFromOptionsAndLegacyScalar) {
  OpTest t;
  const int x = t.input("x", TensorType::INT32, {12});
  const int y = t.output("y", TensorType::INT32);
  t.op(BuiltinOp::RESHAPE, {x}, {y}, reshape_options({3, 4}));
  const auto out = t.run({host_tensor<int32_t>({12}, iota<int32_t>(12))});
  ASSERT_RAN(out);
  expect_tensor<int32_t>(out->at(0), {3, 4}, iota<int32_t>(12));

  // Old converters wrote [0] for "a scalar".
  OpTest s;
  const int a = s.input("a", TensorType::FLOAT32, {1, 1});
  const int b = s.output("b", TensorType::FLOAT32);
  s.op(BuiltinOp::RESHAPE, {a}, {b}, reshape_options({0}));
  const auto scalar = s.run({host_tensor<float>({1, 1}, {7.0f})});
  ASSERT_RAN(scalar);
  expect_tensor<float>(scalar->at(0), {}, {7.0f});
}

TEST(KernelsShape, ReshapeWithScalarShapeTensorUsesOptions) {
  // TFLite reads input 1 only when it is a vector; a scalar placeholder
  // leaves the options in charge.
  OpTest t;
  const int x = t.input("x", TensorType::FLOAT32, {12});
  const int s = t.constant<int32_t>("placeholder", {}, {5});
  const int y = t.output("y", TensorType::FLOAT32);
  t.op(BuiltinOp::RESHAPE, {x, s}, {y}, reshape_options({4, 3}));
  const auto out = t.run({host_tensor<float>({12}, iota<float>(12))});
  ASSERT_RAN(out);
  EXPECT_EQ(out->at(0).shape, (Shape{4, 3}));
}

TEST(KernelsShape, ReshapeWithComputedShapeIsDynamic) {
  // y = RESHAPE(w, SHAPE(x)): the shape's values exist only at run time.
  OpTest t;
  const int x = t.input("x", TensorType::FLOAT32, {1, 3, 4}, {-1, 3, 4});
  const int w = t.input("w", TensorType::FLOAT32, {24});
  const int s = t.output("s", TensorType::INT32, {3}, /*internal=*/true);
  const int y = t.output("y", TensorType::FLOAT32, {-1, 3, 4});
  t.op(BuiltinOp::SHAPE, {x}, {s});
  t.op(BuiltinOp::RESHAPE, {w, s}, {y});
  const auto out =
      t.run({host_tensor<float>({2, 3, 4}, iota<float>(24)), host_tensor<float>({24}, iota<float>(24, 1))});
  ASSERT_RAN(out);
  expect_tensor<float>(out->at(0), {2, 3, 4}, iota<float>(24, 1));
}

TEST(KernelsShape, ReshapeOfZeroElements) {
  // [0,3] to [-1,3]: the zero dimension stays (TFLite's rule), not 0/3.
  // The empty tensor comes from an empty SLICE.
  OpTest t;
  const int x = t.input("x", TensorType::FLOAT32, {2, 3});
  const int begin = t.constant<int32_t>("begin", {2}, {0, 0});
  const int size = t.constant<int32_t>("size", {2}, {0, 3});
  const int empty = t.output("empty", TensorType::FLOAT32, {}, /*internal=*/true);
  const int s = t.constant<int32_t>("shape", {2}, {-1, 3});
  const int y = t.output("y", TensorType::FLOAT32);
  t.op(BuiltinOp::SLICE, {x, begin, size}, {empty});
  t.op(BuiltinOp::RESHAPE, {empty, s}, {y});
  const auto out = t.run({host_tensor<float>({2, 3}, iota<float>(6))});
  ASSERT_RAN(out);
  EXPECT_EQ(out->at(0).shape, (Shape{0, 3}));
}

TEST(KernelsShape, ReshapeErrors) {
  for (const std::vector<int32_t>& bad : {std::vector<int32_t>{-1, -1}, std::vector<int32_t>{5, -1}}) {
    OpTest t;
    const int x = t.input("x", TensorType::FLOAT32, {12});
    const int s = t.constant<int32_t>("shape", {2}, bad);
    const int y = t.output("y", TensorType::FLOAT32);
    t.op(BuiltinOp::RESHAPE, {x, s}, {y});
    expect_error(t.run({host_tensor<float>({12}, iota<float>(12))}), "RESHAPE",
                 bad[0] == -1 ? "more than one -1" : "cannot reshape");
  }
}

TEST(KernelsShape, SqueezeAllOrGivenDims) {
  auto run = [](std::vector<int32_t> dims) {
    OpTest t;
    const int x = t.input("x", TensorType::FLOAT32, {1, 3, 1, 2});
    const int y = t.output("y", TensorType::FLOAT32);
    tfl::SqueezeOptionsT o;
    o.squeeze_dims = std::move(dims);
    t.op(BuiltinOp::SQUEEZE, {x}, {y}, format::make_options(o));
    return t.run({host_tensor<float>({1, 3, 1, 2}, iota<float>(6))});
  };
  const auto all = run({});
  ASSERT_RAN(all);
  expect_tensor<float>(all->at(0), {3, 2}, iota<float>(6));
  const auto one = run({-2});  // dimension 2
  ASSERT_RAN(one);
  EXPECT_EQ(one->at(0).shape, (Shape{1, 3, 2}));
  expect_error(run({1}), "SQUEEZE", "not 1");
}

TEST(KernelsShape, ExpandDims) {
  auto run = [](HostTensor axis_value, bool constant = true) {
    OpTest t;
    const int x = t.input("x", TensorType::FLOAT32, {2, 3});
    const int a = constant ? t.constant_bytes("axis", axis_value.type, axis_value.shape, axis_value.bytes)
                           : t.input("axis", axis_value.type, axis_value.shape);
    const int y = t.output("y", TensorType::FLOAT32);
    t.op(BuiltinOp::EXPAND_DIMS, {x, a}, {y});
    std::vector<HostTensor> inputs{host_tensor<float>({2, 3}, iota<float>(6))};
    if (!constant) inputs.push_back(axis_value);
    return t.run(inputs);
  };
  const auto front = run(host_tensor<int32_t>({}, {0}));
  ASSERT_RAN(front);
  expect_tensor<float>(front->at(0), {1, 2, 3}, iota<float>(6));
  const auto back = run(host_tensor<int32_t>({1}, {-1}));  // -1 + 2 + 1 = 2
  ASSERT_RAN(back);
  EXPECT_EQ(back->at(0).shape, (Shape{2, 3, 1}));
  const auto computed = run(host_tensor<int64_t>({}, {1}), /*constant=*/false);
  ASSERT_RAN(computed);
  EXPECT_EQ(computed->at(0).shape, (Shape{2, 1, 3}));
  expect_error(run(host_tensor<int32_t>({}, {4})), "EXPAND_DIMS", "out of range");
}

TEST(KernelsShape, ShapeAndRank) {
  for (TensorType type : {TensorType::INT32, TensorType::INT64}) {
    OpTest t;
    const int x = t.input("x", TensorType::FLOAT32, {2, 3, 4});
    const int s = t.output("s", type);
    const int r = t.output("r", TensorType::INT32);
    t.op(BuiltinOp::SHAPE, {x}, {s});
    t.op(BuiltinOp::RANK, {x}, {r});
    const auto out = t.run({host_tensor<float>({2, 3, 4}, iota<float>(24))});
    ASSERT_RAN(out);
    if (type == TensorType::INT32) {
      expect_tensor<int32_t>(out->at(0), {3}, {2, 3, 4});
    } else {
      expect_tensor<int64_t>(out->at(0), {3}, {2, 3, 4});
    }
    expect_tensor<int32_t>(out->at(1), {}, {3});
  }
  OpTest bad;
  const int x = bad.input("x", TensorType::FLOAT32, {2});
  const int s = bad.output("s", TensorType::FLOAT32);
  bad.op(BuiltinOp::SHAPE, {x}, {s});
  expect_error(bad.run({host_tensor<float>({2}, {1, 2})}), "SHAPE", "INT32 or INT64");
}

// TRANSPOSE, REVERSE_V2 ---------------------------------------------------------

template <class T>
Outputs run_transpose(const Shape& shape, const std::vector<T>& values, const std::vector<int32_t>& perm,
                      bool perm_is_input = false) {
  OpTest t;
  const int x = t.input("x", test::type_of<T>(), shape);
  const int p = perm_is_input ? t.input("perm", TensorType::INT32, {static_cast<int32_t>(perm.size())})
                              : t.constant<int32_t>("perm", {static_cast<int32_t>(perm.size())}, perm);
  const int y = t.output("y", test::type_of<T>());
  t.op(BuiltinOp::TRANSPOSE, {x, p}, {y});
  std::vector<HostTensor> inputs{host_tensor<T>(shape, values)};
  if (perm_is_input) inputs.push_back(host_tensor<int32_t>({static_cast<int32_t>(perm.size())}, perm));
  return t.run(inputs);
}

// out[c] = in[c permuted back]: out coordinate k is in coordinate perm[k].
template <class T>
std::vector<T> naive_transpose(const Shape& shape, const std::vector<T>& in,
                               const std::vector<int32_t>& perm) {
  Shape out_shape;
  for (int32_t p : perm) out_shape.push_back(shape[static_cast<size_t>(p)]);
  std::vector<T> out(in.size());
  for (size_t i = 0; i < out.size(); ++i) {
    const auto oc = unravel(static_cast<int64_t>(i), out_shape);
    std::vector<int64_t> ic(shape.size());
    for (size_t k = 0; k < perm.size(); ++k) ic[static_cast<size_t>(perm[k])] = oc[k];
    out[i] = in[static_cast<size_t>(ravel(ic, shape))];
  }
  return out;
}

TEST(KernelsShape, TransposeMatrix) {
  // [[0,1,2],[3,4,5]]ᵀ = [[0,3],[1,4],[2,5]]
  const auto out = run_transpose<float>({2, 3}, iota<float>(6), {1, 0});
  ASSERT_RAN(out);
  expect_tensor<float>(out->at(0), {3, 2}, {0, 3, 1, 4, 2, 5});
}

TEST(KernelsShape, TransposeMatchesNaiveUpToRank6) {
  struct Case {
    Shape shape;
    std::vector<int32_t> perm;
  };
  const std::vector<Case> cases{
      {{2, 3, 4, 5}, {0, 2, 3, 1}},              // NCHW -> NHWC
      {{2, 3, 4, 5}, {0, 1, 2, 3}},              // identity: one memcpy
      {{2, 3, 4, 5}, {1, 0, 2, 3}},              // inner block stays contiguous
      {{2, 3, 1, 4, 2, 3}, {5, 3, 0, 4, 1, 2}},  // rank 6 with a unit dim
      {{3, 1, 2}, {2, 1, 0}},
  };
  for (const Case& c : cases) {
    const size_t n = static_cast<size_t>(runtime::element_count(c.shape));
    const std::vector<float> values = random_floats(n, 7, -10.0f, 10.0f);
    const auto f = run_transpose<float>(c.shape, values, c.perm);
    ASSERT_RAN(f);
    EXPECT_EQ(f->at(0).values<float>(), naive_transpose(c.shape, values, c.perm));
    // 1- and 8-byte elements move the same way.
    const std::vector<uint8_t> bytes = iota<uint8_t>(n);
    const auto u8 = run_transpose<uint8_t>(c.shape, bytes, c.perm);
    ASSERT_RAN(u8);
    EXPECT_EQ(u8->at(0).values<uint8_t>(), naive_transpose(c.shape, bytes, c.perm));
    const std::vector<int64_t> wide = iota<int64_t>(n, int64_t{1} << 40);
    const auto i64 = run_transpose<int64_t>(c.shape, wide, c.perm);
    ASSERT_RAN(i64);
    EXPECT_EQ(i64->at(0).values<int64_t>(), naive_transpose(c.shape, wide, c.perm));
  }
}

TEST(KernelsShape, TransposeWithComputedPermAndErrors) {
  const auto out = run_transpose<int32_t>({2, 3}, iota<int32_t>(6), {1, 0}, /*perm_is_input=*/true);
  ASSERT_RAN(out);
  expect_tensor<int32_t>(out->at(0), {3, 2}, {0, 3, 1, 4, 2, 5});
  expect_error(run_transpose<float>({2, 3}, iota<float>(6), {0, 0}), "TRANSPOSE", "not a permutation");
  expect_error(run_transpose<float>({1, 1, 1, 1, 1, 1, 1}, {1}, {0, 1, 2, 3, 4, 5, 6}), "TRANSPOSE",
               "at most rank 6");
}

Outputs run_reverse(const std::vector<int32_t>& axes) {
  OpTest t;
  const int x = t.input("x", TensorType::FLOAT32, {2, 3});
  const int a = t.constant<int32_t>("axes", {static_cast<int32_t>(axes.size())}, axes);
  const int y = t.output("y", TensorType::FLOAT32);
  t.op(BuiltinOp::REVERSE_V2, {x, a}, {y});
  return t.run({host_tensor<float>({2, 3}, {1, 2, 3, 4, 5, 6})});
}

TEST(KernelsShape, ReverseV2) {
  const auto cols = run_reverse({1});
  ASSERT_RAN(cols);
  expect_tensor<float>(cols->at(0), {2, 3}, {3, 2, 1, 6, 5, 4});
  const auto rows = run_reverse({-2});
  ASSERT_RAN(rows);
  expect_tensor<float>(rows->at(0), {2, 3}, {4, 5, 6, 1, 2, 3});
  const auto both = run_reverse({0, 1});
  ASSERT_RAN(both);
  expect_tensor<float>(both->at(0), {2, 3}, {6, 5, 4, 3, 2, 1});
  expect_error(run_reverse({2}), "REVERSE_V2", "out of range");
}

// SPACE_TO_DEPTH, DEPTH_TO_SPACE, SPACE_TO_BATCH_ND, BATCH_TO_SPACE_ND -----------

Outputs run_block_op(BuiltinOp op, const Shape& shape, const std::vector<float>& values, int32_t block) {
  OpTest t;
  const int x = t.input("x", TensorType::FLOAT32, shape);
  const int y = t.output("y", TensorType::FLOAT32);
  if (op == BuiltinOp::SPACE_TO_DEPTH) {
    tfl::SpaceToDepthOptionsT o;
    o.block_size = block;
    t.op(op, {x}, {y}, format::make_options(o));
  } else {
    tfl::DepthToSpaceOptionsT o;
    o.block_size = block;
    t.op(op, {x}, {y}, format::make_options(o));
  }
  return t.run({host_tensor<float>(shape, values)});
}

TEST(KernelsShape, SpaceToDepthAndBack) {
  // 4x4 image 1..16, 2x2 blocks: output pixel (0,0) holds the block
  // rows (1,2) and (5,6); channel = (block row · 2 + block col).
  const std::vector<float> image = iota<float>(16, 1.0f);
  const std::vector<float> packed{1, 2, 5, 6, 3, 4, 7, 8, 9, 10, 13, 14, 11, 12, 15, 16};
  const auto s2d = run_block_op(BuiltinOp::SPACE_TO_DEPTH, {1, 4, 4, 1}, image, 2);
  ASSERT_RAN(s2d);
  expect_tensor<float>(s2d->at(0), {1, 2, 2, 4}, packed);
  const auto d2s = run_block_op(BuiltinOp::DEPTH_TO_SPACE, {1, 2, 2, 4}, packed, 2);
  ASSERT_RAN(d2s);
  expect_tensor<float>(d2s->at(0), {1, 4, 4, 1}, image);
  // With channels: TFLite's test vector, one block of 2x2x2.
  const std::vector<float> v{1.4f, 2.3f, 3.2f, 4.1f, 5.4f, 6.3f, 7.2f, 8.1f};
  const auto deep = run_block_op(BuiltinOp::SPACE_TO_DEPTH, {1, 2, 2, 2}, v, 2);
  ASSERT_RAN(deep);
  expect_tensor<float>(deep->at(0), {1, 1, 1, 8}, v);
  expect_error(run_block_op(BuiltinOp::SPACE_TO_DEPTH, {1, 3, 4, 1}, iota<float>(12), 2), "SPACE_TO_DEPTH",
               "not multiples");
  expect_error(run_block_op(BuiltinOp::DEPTH_TO_SPACE, {1, 1, 1, 3}, iota<float>(3), 2), "DEPTH_TO_SPACE",
               "not a multiple");
}

Outputs run_batch_op(BuiltinOp op, const Shape& shape, const std::vector<float>& values,
                     std::vector<int32_t> block, std::vector<int32_t> pads) {
  OpTest t;
  const int x = t.input("x", TensorType::FLOAT32, shape);
  const int b = t.constant<int32_t>("block", {static_cast<int32_t>(block.size())}, block);
  const int p = t.constant<int32_t>("pads", {static_cast<int32_t>(block.size()), 2}, pads);
  const int y = t.output("y", TensorType::FLOAT32);
  t.op(op, {x, b, p}, {y});
  return t.run({host_tensor<float>(shape, values)});
}

TEST(KernelsShape, SpaceToBatchAndBack) {
  // 4x4 image 1..16, 2x2 blocks: batch k = (row offset)·2 + (col offset)
  // takes every second pixel starting at that offset.
  const std::vector<float> image = iota<float>(16, 1.0f);
  const std::vector<float> batches{1, 3, 9, 11, 2, 4, 10, 12, 5, 7, 13, 15, 6, 8, 14, 16};
  const auto s2b = run_batch_op(BuiltinOp::SPACE_TO_BATCH_ND, {1, 4, 4, 1}, image, {2, 2}, {0, 0, 0, 0});
  ASSERT_RAN(s2b);
  expect_tensor<float>(s2b->at(0), {4, 2, 2, 1}, batches);
  const auto b2s = run_batch_op(BuiltinOp::BATCH_TO_SPACE_ND, {4, 2, 2, 1}, batches, {2, 2}, {0, 0, 0, 0});
  ASSERT_RAN(b2s);
  expect_tensor<float>(b2s->at(0), {1, 4, 4, 1}, image);
}

TEST(KernelsShape, SpaceToBatchPadsAndBatchToSpaceCrops) {
  // 5x2 image 1..10 padded by 1 row on top and 2 columns on the left
  // (6x4), cut into 3x2 blocks: batch k = (row offset)·2 + (col offset)
  // holds padded[3·i + k/2][2·j + k%2]. TFLite's test vector.
  const std::vector<float> image = iota<float>(10, 1.0f);
  const std::vector<float> batches{0, 0, 0, 5, 0, 0, 0, 6, 0, 1, 0, 7, 0, 2, 0, 8, 0, 3, 0, 9, 0, 4, 0, 10};
  const auto s2b = run_batch_op(BuiltinOp::SPACE_TO_BATCH_ND, {1, 5, 2, 1}, image, {3, 2}, {1, 0, 2, 0});
  ASSERT_RAN(s2b);
  expect_tensor<float>(s2b->at(0), {6, 2, 2, 1}, batches);
  const auto b2s = run_batch_op(BuiltinOp::BATCH_TO_SPACE_ND, {6, 2, 2, 1}, batches, {3, 2}, {1, 0, 2, 0});
  ASSERT_RAN(b2s);
  expect_tensor<float>(b2s->at(0), {1, 5, 2, 1}, image);
}

TEST(KernelsShape, SpaceToBatchRoundTripsOn3D) {
  // [batch 2, width 7, channels 3], block 3 with padding 1 / 1: space to
  // batch then batch to space with the same crops gives the input back.
  const std::vector<float> values = random_floats(42, 3, -10.0f, 10.0f);
  const auto s2b = run_batch_op(BuiltinOp::SPACE_TO_BATCH_ND, {2, 7, 3}, values, {3}, {1, 1});
  ASSERT_RAN(s2b);
  EXPECT_EQ(s2b->at(0).shape, (Shape{6, 3, 3}));  // (7 + 2) / 3 = 3
  const auto back =
      run_batch_op(BuiltinOp::BATCH_TO_SPACE_ND, {6, 3, 3}, s2b->at(0).values<float>(), {3}, {1, 1});
  ASSERT_RAN(back);
  expect_tensor<float>(back->at(0), {2, 7, 3}, values);
  expect_error(
      run_batch_op(BuiltinOp::SPACE_TO_BATCH_ND, {1, 5, 2, 1}, iota<float>(10), {2, 2}, {0, 0, 0, 0}),
      "SPACE_TO_BATCH_ND", "not a multiple");
  expect_error(
      run_batch_op(BuiltinOp::BATCH_TO_SPACE_ND, {3, 2, 2, 1}, iota<float>(12), {2, 2}, {0, 0, 0, 0}),
      "BATCH_TO_SPACE_ND", "not a multiple");
}

// CONCATENATION, PACK, UNPACK, SPLIT, SPLIT_V ---------------------------------------

Outputs run_concat(int32_t axis, tfl::ActivationFunctionType act = tfl::ActivationFunctionType::NONE) {
  OpTest t;
  const int a = t.input("a", TensorType::FLOAT32, {2, 1});
  const int b = t.input("b", TensorType::FLOAT32, {2, 2});
  const int y = t.output("y", TensorType::FLOAT32);
  tfl::ConcatenationOptionsT o;
  o.axis = axis;
  o.fused_activation_function = act;
  t.op(BuiltinOp::CONCATENATION, {a, b}, {y}, format::make_options(o));
  return t.run({host_tensor<float>({2, 1}, {1, -2}), host_tensor<float>({2, 2}, {3, 4, 5, 7})});
}

TEST(KernelsShape, ConcatenationAlongAxis) {
  // [[1],[-2]] ++ [[3,4],[5,7]] along columns = [[1,3,4],[-2,5,7]]
  for (int32_t axis : {1, -1}) {
    const auto out = run_concat(axis);
    ASSERT_RAN(out);
    expect_tensor<float>(out->at(0), {2, 3}, {1, 3, 4, -2, 5, 7});
  }
  // RELU6 clamps to [0, 6]: -2 -> 0, 7 -> 6.
  const auto relu6 = run_concat(1, tfl::ActivationFunctionType::RELU6);
  ASSERT_RAN(relu6);
  expect_tensor<float>(relu6->at(0), {2, 3}, {1, 3, 4, 0, 5, 6});
  expect_error(run_concat(0), "CONCATENATION", "does not join");
  expect_error(run_concat(1, tfl::ActivationFunctionType::TANH), "CONCATENATION", "not supported");
}

TEST(KernelsShape, ConcatenationOfIntsAndScalars) {
  OpTest t;
  const int a = t.input("a", TensorType::INT32, {1, 2});
  const int b = t.constant<int32_t>("b", {2, 2}, {3, 4, 5, 6});
  const int y = t.output("y", TensorType::INT32);
  t.op(BuiltinOp::CONCATENATION, {a, b}, {y}, format::make_options(tfl::ConcatenationOptionsT{}));
  const auto out = t.run({host_tensor<int32_t>({1, 2}, {1, 2})});
  ASSERT_RAN(out);
  expect_tensor<int32_t>(out->at(0), {3, 2}, {1, 2, 3, 4, 5, 6});

  // Scalars join into a vector (TFLite's rule).
  OpTest s;
  const int p = s.input("p", TensorType::INT64, {});
  const int q = s.constant<int64_t>("q", {}, {9});
  const int z = s.output("z", TensorType::INT64);
  s.op(BuiltinOp::CONCATENATION, {p, q}, {z}, format::make_options(tfl::ConcatenationOptionsT{}));
  const auto scalars = s.run({host_tensor<int64_t>({}, {4})});
  ASSERT_RAN(scalars);
  expect_tensor<int64_t>(scalars->at(0), {2}, {4, 9});
}

Outputs run_pack(int32_t axis) {
  OpTest t;
  const int a = t.input("a", TensorType::FLOAT32, {2});
  const int b = t.input("b", TensorType::FLOAT32, {2});
  const int y = t.output("y", TensorType::FLOAT32);
  tfl::PackOptionsT o;
  o.axis = axis;
  o.values_count = 2;
  t.op(BuiltinOp::PACK, {a, b}, {y}, format::make_options(o));
  return t.run({host_tensor<float>({2}, {1, 2}), host_tensor<float>({2}, {3, 4})});
}

TEST(KernelsShape, PackAndUnpack) {
  const auto rows = run_pack(0);  // [[1,2],[3,4]]
  ASSERT_RAN(rows);
  expect_tensor<float>(rows->at(0), {2, 2}, {1, 2, 3, 4});
  for (int32_t axis : {1, -1}) {  // [[1,3],[2,4]]
    const auto cols = run_pack(axis);
    ASSERT_RAN(cols);
    expect_tensor<float>(cols->at(0), {2, 2}, {1, 3, 2, 4});
  }
  expect_error(run_pack(3), "PACK", "out of range");

  // [[0,1,2],[3,4,5]] unpacked along columns: [0,3], [1,4], [2,5].
  OpTest t;
  const int x = t.input("x", TensorType::INT32, {2, 3});
  std::vector<int32_t> outs;
  for (int i = 0; i < 3; ++i) outs.push_back(t.output("y" + std::to_string(i), TensorType::INT32));
  tfl::UnpackOptionsT o;
  o.axis = 1;
  o.num = 3;
  t.op(BuiltinOp::UNPACK, {x}, outs, format::make_options(o));
  const auto out = t.run({host_tensor<int32_t>({2, 3}, iota<int32_t>(6))});
  ASSERT_RAN(out);
  expect_tensor<int32_t>(out->at(0), {2}, {0, 3});
  expect_tensor<int32_t>(out->at(1), {2}, {1, 4});
  expect_tensor<int32_t>(out->at(2), {2}, {2, 5});

  OpTest bad;
  const int bx = bad.input("x", TensorType::INT32, {2, 3});
  const int by = bad.output("y", TensorType::INT32);
  o.axis = 0;
  o.num = 1;
  bad.op(BuiltinOp::UNPACK, {bx}, {by}, format::make_options(o));
  expect_error(bad.run({host_tensor<int32_t>({2, 3}, iota<int32_t>(6))}), "UNPACK", "gives 2 tensors");
}

TEST(KernelsShape, SplitTakesAxisFirst) {
  auto run = [](int32_t parts) {
    OpTest t;
    const int axis = t.constant<int32_t>("axis", {}, {1});
    const int x = t.input("x", TensorType::FLOAT32, {2, 4});
    std::vector<int32_t> outs;
    for (int i = 0; i < parts; ++i) outs.push_back(t.output("y" + std::to_string(i), TensorType::FLOAT32));
    tfl::SplitOptionsT o;
    o.num_splits = parts;
    t.op(BuiltinOp::SPLIT, {axis, x}, outs, format::make_options(o));
    return t.run({host_tensor<float>({2, 4}, iota<float>(8))});
  };
  // [[0,1,2,3],[4,5,6,7]] in two along columns.
  const auto out = run(2);
  ASSERT_RAN(out);
  expect_tensor<float>(out->at(0), {2, 2}, {0, 1, 4, 5});
  expect_tensor<float>(out->at(1), {2, 2}, {2, 3, 6, 7});
  expect_error(run(3), "SPLIT", "equal parts");
}

TEST(KernelsShape, SplitVWithInferredSize) {
  auto run = [](std::vector<int32_t> sizes, bool axis_is_input = false) {
    OpTest t;
    const int x = t.input("x", TensorType::FLOAT32, {2, 5});
    const int s = t.constant<int32_t>("sizes", {static_cast<int32_t>(sizes.size())}, sizes);
    const int axis =
        axis_is_input ? t.input("axis", TensorType::INT32, {}) : t.constant<int32_t>("axis", {}, {-1});
    std::vector<int32_t> outs;
    for (size_t i = 0; i < sizes.size(); ++i)
      outs.push_back(t.output("y" + std::to_string(i), TensorType::FLOAT32));
    tfl::SplitVOptionsT o;
    o.num_splits = static_cast<int32_t>(sizes.size());
    t.op(BuiltinOp::SPLIT_V, {x, s, axis}, outs, format::make_options(o));
    std::vector<HostTensor> inputs{host_tensor<float>({2, 5}, iota<float>(10))};
    if (axis_is_input) inputs.push_back(host_tensor<int32_t>({}, {1}));
    return t.run(inputs);
  };
  // Columns 1 | 5-1-2 = 2 | 2 of [[0..4],[5..9]].
  for (bool dynamic : {false, true}) {
    const auto out = run({1, -1, 2}, dynamic);
    ASSERT_RAN(out);
    expect_tensor<float>(out->at(0), {2, 1}, {0, 5});
    expect_tensor<float>(out->at(1), {2, 2}, {1, 2, 6, 7});
    expect_tensor<float>(out->at(2), {2, 2}, {3, 4, 8, 9});
  }
  expect_error(run({1, 1, 2}), "SPLIT_V", "do not add up");
}

// SLICE, STRIDED_SLICE, DYNAMIC_UPDATE_SLICE ---------------------------------------

template <class I>
Outputs run_slice(std::vector<I> begin, std::vector<I> size, bool begin_is_input = false) {
  OpTest t;
  const int x = t.input("x", TensorType::FLOAT32, {3, 4});
  const int b =
      begin_is_input ? t.input("begin", test::type_of<I>(), {2}) : t.constant<I>("begin", {2}, begin);
  const int s = t.constant<I>("size", {2}, size);
  const int y = t.output("y", TensorType::FLOAT32);
  t.op(BuiltinOp::SLICE, {x, b, s}, {y});
  std::vector<HostTensor> inputs{host_tensor<float>({3, 4}, iota<float>(12))};
  if (begin_is_input) inputs.push_back(host_tensor<I>({2}, begin));
  return t.run(inputs);
}

TEST(KernelsShape, Slice) {
  // Rows 1..2, columns 1..3 (-1: to the end) of [[0..3],[4..7],[8..11]].
  const auto out = run_slice<int32_t>({1, 1}, {2, -1});
  ASSERT_RAN(out);
  expect_tensor<float>(out->at(0), {2, 3}, {5, 6, 7, 9, 10, 11});
  const auto wide = run_slice<int64_t>({0, 2}, {3, 1}, /*begin_is_input=*/true);
  ASSERT_RAN(wide);
  expect_tensor<float>(wide->at(0), {3, 1}, {2, 6, 10});
  expect_error(run_slice<int32_t>({2, 0}, {2, 1}), "SLICE", "out of range");
}

struct SliceSpec {
  std::vector<int32_t> begin, end, strides;
  int32_t begin_mask = 0, end_mask = 0, ellipsis_mask = 0, new_axis_mask = 0, shrink_mask = 0;
  bool offset = false;
};

Outputs run_strided(const Shape& shape, const SliceSpec& s, bool indices_are_inputs = false) {
  OpTest t;
  const int x = t.input("x", TensorType::FLOAT32, shape);
  const auto n = static_cast<int32_t>(s.begin.size());
  const int b = indices_are_inputs ? t.input("begin", TensorType::INT32, {n})
                                   : t.constant<int32_t>("begin", {n}, s.begin);
  const int e = t.constant<int32_t>("end", {n}, s.end);
  const int st = t.constant<int32_t>("strides", {n}, s.strides);
  const int y = t.output("y", TensorType::FLOAT32);
  tfl::StridedSliceOptionsT o;
  o.begin_mask = s.begin_mask;
  o.end_mask = s.end_mask;
  o.ellipsis_mask = s.ellipsis_mask;
  o.new_axis_mask = s.new_axis_mask;
  o.shrink_axis_mask = s.shrink_mask;
  o.offset = s.offset;
  t.op(BuiltinOp::STRIDED_SLICE, {x, b, e, st}, {y}, format::make_options(o));
  std::vector<HostTensor> inputs{
      host_tensor<float>(shape, iota<float>(static_cast<size_t>(runtime::element_count(shape))))};
  if (indices_are_inputs) inputs.push_back(host_tensor<int32_t>({n}, s.begin));
  return t.run(inputs);
}

void expect_strided(const Shape& shape, const SliceSpec& s, const Shape& out_shape,
                    const std::vector<float>& values) {
  for (bool dynamic : {false, true}) {
    const auto out = run_strided(shape, s, dynamic);
    ASSERT_RAN(out);
    expect_tensor<float>(out->at(0), out_shape, values);
  }
}

TEST(KernelsShape, StridedSlice1D) {
  // x = [0, 1, 2, 3]
  expect_strided({4}, {{1}, {3}, {1}}, {2}, {1, 2});            // x[1:3]
  expect_strided({4}, {{-1}, {-5}, {-1}}, {4}, {3, 2, 1, 0});   // x[-1:-5:-1], end clamps to -1
  expect_strided({4}, {{2}, {3}, {1}, 1}, {3}, {0, 1, 2});      // x[:3]
  expect_strided({4}, {{2}, {0}, {-1}, 0, 1}, {3}, {2, 1, 0});  // x[2::-1]
  expect_strided({4}, {{0}, {4}, {3}}, {2}, {0, 3});            // x[0:4:3]
  expect_strided({4}, {{-10}, {10}, {1}}, {4}, {0, 1, 2, 3});   // clamped to the extent
  expect_strided({4}, {{3}, {1}, {1}}, {0}, {});                // empty
  SliceSpec offset{{1}, {2}, {1}};
  offset.offset = true;  // end counts from begin: x[1:1+2]
  expect_strided({4}, offset, {2}, {1, 2});
}

TEST(KernelsShape, StridedSliceMasks) {
  // x = [[0,1,2],[3,4,5]]
  SliceSpec row{{1, 0}, {2, 3}, {1, 1}};
  row.shrink_mask = 1;  // x[1, 0:3]
  expect_strided({2, 3}, row, {3}, {3, 4, 5});
  SliceSpec point{{1, 2}, {2, 3}, {1, 1}};
  point.shrink_mask = 3;  // x[1, 2]
  expect_strided({2, 3}, point, {}, {5});
  SliceSpec new_axis{{0, 1}, {0, 0}, {1, 1}};
  new_axis.new_axis_mask = 1;  // x[newaxis, 1:]
  new_axis.end_mask = 2;
  expect_strided({2, 3}, new_axis, {1, 1, 3}, {3, 4, 5});
  // x = 0..11 as [3,4]: x[::-1, ::2] = rows 2,1,0 and columns 0,2.
  SliceSpec flip{{0, 0}, {0, 0}, {-1, 2}};
  flip.begin_mask = 3;
  flip.end_mask = 3;
  expect_strided({3, 4}, flip, {3, 2}, {8, 10, 4, 6, 0, 2});
  // x = 0..23 as [2,3,4]: x[..., 1] (ellipsis stands for the first two).
  SliceSpec ellipsis{{0, 1}, {0, 2}, {1, 1}};
  ellipsis.ellipsis_mask = 1;
  ellipsis.shrink_mask = 2;
  expect_strided({2, 3, 4}, ellipsis, {2, 3}, {1, 5, 9, 13, 17, 21});
  // x[1, ...]: dims after the spec are taken whole.
  SliceSpec first{{1}, {2}, {1}};
  first.shrink_mask = 1;
  expect_strided({2, 3, 4}, first, {3, 4}, iota<float>(12, 12.0f));
}

TEST(KernelsShape, StridedSliceErrors) {
  expect_error(run_strided({4}, {{0}, {4}, {0}}), "STRIDED_SLICE", "stride");
  SliceSpec outside{{5}, {6}, {1}};
  outside.shrink_mask = 1;
  expect_error(run_strided({4}, outside), "STRIDED_SLICE", "out of range");
  expect_error(run_strided({4}, {{0, 0}, {1, 1}, {1, 1}}), "STRIDED_SLICE", "names 2 dimensions");
}

TEST(KernelsShape, StridedSlicePlanDirectly) {
  // The plan as a view: x[1:, ::-2] of [3,5] starts at (1, 4) and steps
  // (+1 row, −2 columns): offsets 9, 7, 5 / 14, 12, 10.
  runtime::kernels::StridedSliceSpec spec;
  spec.begin = {1, 0};
  spec.end = {0, 0};
  spec.strides = {1, -2};
  spec.end_mask = 3;
  spec.begin_mask = 2;
  const auto plan = runtime::kernels::plan_strided_slice(Shape{3, 5}, spec);
  ASSERT_TRUE(plan.has_value()) << plan.error().message;
  EXPECT_EQ(plan->output_shape, (Shape{2, 3}));
  EXPECT_EQ(plan->counts, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(plan->src_strides, (std::vector<int64_t>{5, -2}));
  EXPECT_EQ(plan->src_offset, 9);
}

TEST(KernelsShape, DynamicUpdateSliceClampsStart) {
  auto run = [](std::vector<int32_t> start, Shape update_shape) {
    OpTest t;
    const int x = t.input("x", TensorType::FLOAT32, {3, 3});
    const int u = t.input("u", TensorType::FLOAT32, update_shape);
    const int s = t.constant<int32_t>("start", {2}, start);
    const int y = t.output("y", TensorType::FLOAT32);
    t.op(BuiltinOp::DYNAMIC_UPDATE_SLICE, {x, u, s}, {y});
    const auto n = static_cast<size_t>(runtime::element_count(update_shape));
    return t.run({host_tensor<float>({3, 3}, iota<float>(9)),
                  host_tensor<float>(update_shape, iota<float>(n, -4.0f))});
  };
  // A 2x2 update {-4,-3,-2,-1} at (1,1) of [[0,1,2],[3,4,5],[6,7,8]];
  // (2,5) is clamped to (3-2, 3-2) = (1,1).
  for (const std::vector<int32_t>& start : {std::vector<int32_t>{1, 1}, std::vector<int32_t>{2, 5}}) {
    const auto out = run(start, {2, 2});
    ASSERT_RAN(out);
    expect_tensor<float>(out->at(0), {3, 3}, {0, 1, 2, 3, -4, -3, 6, -2, -1});
  }
  expect_error(run({0, 0}, {4, 1}), "DYNAMIC_UPDATE_SLICE", "does not fit");
}

// GATHER, GATHER_ND, EMBEDDING_LOOKUP, SCATTER_ND, ONE_HOT, TOPK_V2 -----------------

template <class I>
Outputs run_gather(const Shape& shape, const std::vector<float>& params, const Shape& ishape,
                   std::vector<I> indices, int32_t axis = 0, int32_t batch_dims = 0) {
  OpTest t;
  const int p = t.input("params", TensorType::FLOAT32, shape);
  const int i = t.input("indices", test::type_of<I>(), ishape);
  const int y = t.output("y", TensorType::FLOAT32);
  tfl::GatherOptionsT o;
  o.axis = axis;
  o.batch_dims = batch_dims;
  t.op(BuiltinOp::GATHER, {p, i}, {y}, format::make_options(o));
  return t.run({host_tensor<float>(shape, params), host_tensor<I>(ishape, indices)});
}

TEST(KernelsShape, Gather) {
  // Rows 2 and 0 of [[1,2],[3,4],[5,6]].
  const auto rows = run_gather<int32_t>({3, 2}, {1, 2, 3, 4, 5, 6}, {2}, {2, 0});
  ASSERT_RAN(rows);
  expect_tensor<float>(rows->at(0), {2, 2}, {5, 6, 1, 2});
  // Columns 2 and 0 of [[1,2,3],[4,5,6]].
  const auto cols = run_gather<int64_t>({2, 3}, {1, 2, 3, 4, 5, 6}, {2}, {2, 0}, /*axis=*/-1);
  ASSERT_RAN(cols);
  expect_tensor<float>(cols->at(0), {2, 2}, {3, 1, 6, 4});
  // 2-D indices into a vector keep their shape.
  const auto grid = run_gather<int16_t>({3}, {10, 20, 30}, {2, 2}, {0, 1, 2, 0});
  ASSERT_RAN(grid);
  expect_tensor<float>(grid->at(0), {2, 2}, {10, 20, 30, 10});
  // batch_dims 1: row b picks its own columns: row 0 {0,2}, row 1 {1,1}.
  const auto batched = run_gather<int32_t>({2, 3}, {1, 2, 3, 4, 5, 6}, {2, 2}, {0, 2, 1, 1}, 1, 1);
  ASSERT_RAN(batched);
  expect_tensor<float>(batched->at(0), {2, 2}, {1, 3, 5, 5});
  expect_error(run_gather<int32_t>({3}, {1, 2, 3}, {1}, {-1}), "GATHER", "index -1");
  expect_error(run_gather<int32_t>({3}, {1, 2, 3}, {1}, {3}), "GATHER", "out of range [0, 3)");
}

TEST(KernelsShape, GatherNd) {
  auto run = [](Shape ishape, std::vector<int32_t> indices) {
    OpTest t;
    const int p = t.input("params", TensorType::FLOAT32, {2, 2});
    const int i = t.constant<int32_t>("indices", ishape, indices);
    const int y = t.output("y", TensorType::FLOAT32);
    t.op(BuiltinOp::GATHER_ND, {p, i}, {y});
    return t.run({host_tensor<float>({2, 2}, {1, 2, 3, 4})});
  };
  // Elements (0,1) and (1,0) of [[1,2],[3,4]]; then row 1.
  const auto points = run({2, 2}, {0, 1, 1, 0});
  ASSERT_RAN(points);
  expect_tensor<float>(points->at(0), {2}, {2, 3});
  const auto row = run({1, 1}, {1});
  ASSERT_RAN(row);
  expect_tensor<float>(row->at(0), {1, 2}, {3, 4});
  expect_error(run({1, 2}, {0, 2}), "GATHER_ND", "index 2");
}

TEST(KernelsShape, EmbeddingLookup) {
  OpTest t;
  const int ids = t.input("ids", TensorType::INT32, {3});
  const int table = t.constant<float>("table", {3, 2}, {0, 1, 10, 11, 20, 21});
  const int y = t.output("y", TensorType::FLOAT32);
  t.op(BuiltinOp::EMBEDDING_LOOKUP, {ids, table}, {y});
  const auto out = t.run({host_tensor<int32_t>({3}, {1, 0, 2})});
  ASSERT_RAN(out);
  expect_tensor<float>(out->at(0), {3, 2}, {10, 11, 0, 1, 20, 21});
  const auto bad = t.run({host_tensor<int32_t>({3}, {1, 3, 0})});
  expect_error(bad, "EMBEDDING_LOOKUP", "index 3");
}

TEST(KernelsShape, EmbeddingLookupHybridDequantizesRows) {
  // INT8 table, one scale per row (0.5, 2): row 1 = {4·2, −6·2}.
  OpTest t;
  const int ids = t.input("ids", TensorType::INT32, {2});
  const int table = t.constant<int8_t>("table", {2, 2}, {2, -2, 4, -6});
  t.quantize(table, {0.5f, 2.0f}, {0, 0});
  const int y = t.output("y", TensorType::FLOAT32);
  t.op(BuiltinOp::EMBEDDING_LOOKUP, {ids, table}, {y});
  const auto out = t.run({host_tensor<int32_t>({2}, {1, 0})});
  ASSERT_RAN(out);
  expect_tensor<float>(out->at(0), {2, 2}, {8, -12, 1, -1});
}

TEST(KernelsShape, ScatterNdAddsDuplicates) {
  auto run = [](Shape ishape, std::vector<int32_t> indices, Shape ushape, std::vector<float> updates,
                std::vector<int32_t> shape) {
    OpTest t;
    const int i = t.constant<int32_t>("indices", ishape, indices);
    const int u = t.input("updates", TensorType::FLOAT32, ushape);
    const int s = t.constant<int32_t>("shape", {static_cast<int32_t>(shape.size())}, shape);
    const int y = t.output("y", TensorType::FLOAT32);
    t.op(BuiltinOp::SCATTER_ND, {i, u, s}, {y});
    return t.run({host_tensor<float>(ushape, updates)});
  };
  // TFLite's vector: 9 -> [4], 10 -> [3], 11 -> [1], 12 -> [7].
  const auto v = run({4, 1}, {4, 3, 1, 7}, {4}, {9, 10, 11, 12}, {8});
  ASSERT_RAN(v);
  expect_tensor<float>(v->at(0), {8}, {0, 11, 0, 10, 9, 0, 0, 12});
  // Two updates of index 1 add up; row slices land whole.
  const auto dup = run({2, 1}, {1, 1}, {2}, {1, 2}, {3});
  ASSERT_RAN(dup);
  expect_tensor<float>(dup->at(0), {3}, {0, 3, 0});
  const auto rows = run({2, 1}, {0, 2}, {2, 2}, {1, 2, 3, 4}, {3, 2});
  ASSERT_RAN(rows);
  expect_tensor<float>(rows->at(0), {3, 2}, {1, 2, 0, 0, 3, 4});
  expect_error(run({1, 1}, {8}, {1}, {1}, {8}), "SCATTER_ND", "index 8");
  expect_error(run({1, 1}, {0}, {2}, {1, 2}, {8}), "SCATTER_ND", "do not fit");
}

TEST(KernelsShape, OneHot) {
  auto run = [](int32_t axis) {
    OpTest t;
    const int i = t.input("indices", TensorType::INT32, {4});
    const int d = t.constant<int32_t>("depth", {}, {3});
    const int on = t.constant<float>("on", {}, {5});
    const int off = t.constant<float>("off", {}, {0});
    const int y = t.output("y", TensorType::FLOAT32);
    tfl::OneHotOptionsT o;
    o.axis = axis;
    t.op(BuiltinOp::ONE_HOT, {i, d, on, off}, {y}, format::make_options(o));
    return t.run({host_tensor<int32_t>({4}, {0, 2, -1, 1})});
  };
  // Index -1 matches no position: an all-off row.
  const auto last = run(-1);
  ASSERT_RAN(last);
  expect_tensor<float>(last->at(0), {4, 3}, {5, 0, 0, 0, 0, 5, 0, 0, 0, 0, 5, 0});
  const auto first = run(0);
  ASSERT_RAN(first);
  expect_tensor<float>(first->at(0), {3, 4}, {5, 0, 0, 0, 0, 0, 0, 5, 0, 5, 0, 0});
  expect_error(run(2), "ONE_HOT", "out of range");
}

TEST(KernelsShape, TopKPrefersLowerIndexOnTies) {
  auto run = [](int32_t k) {
    OpTest t;
    const int x = t.input("x", TensorType::FLOAT32, {2, 5});
    const int kk = t.constant<int32_t>("k", {}, {k});
    const int v = t.output("values", TensorType::FLOAT32);
    const int i = t.output("indices", TensorType::INT32);
    t.op(BuiltinOp::TOPK_V2, {x, kk}, {v, i});
    return t.run({host_tensor<float>({2, 5}, {1, 5, 3, 5, 2, 4, 4, 4, 0, 9})});
  };
  const auto out = run(3);
  ASSERT_RAN(out);
  expect_tensor<float>(out->at(0), {2, 3}, {5, 5, 3, 9, 4, 4});
  expect_tensor<int32_t>(out->at(1), {2, 3}, {1, 3, 2, 4, 0, 1});
  expect_error(run(6), "TOPK_V2", "out of range");
}

// PAD, PADV2, MIRROR_PAD, TILE, BROADCAST_TO, RANGE ------------------------------------

TEST(KernelsShape, PadAndPadV2) {
  auto run = [](BuiltinOp op, std::vector<int64_t> pads) {
    OpTest t;
    const int x = t.input("x", TensorType::FLOAT32, {2, 2});
    const int p = t.constant<int64_t>("pads", {2, 2}, pads);
    std::vector<int32_t> inputs{x, p};
    if (op == BuiltinOp::PADV2) inputs.push_back(t.constant<float>("value", {}, {9}));
    const int y = t.output("y", TensorType::FLOAT32);
    t.op(op, inputs, {y});
    return t.run({host_tensor<float>({2, 2}, {1, 2, 3, 4})});
  };
  // One row above, two columns right.
  const auto zero = run(BuiltinOp::PAD, {1, 0, 0, 2});
  ASSERT_RAN(zero);
  expect_tensor<float>(zero->at(0), {3, 4}, {0, 0, 0, 0, 1, 2, 0, 0, 3, 4, 0, 0});
  const auto nine = run(BuiltinOp::PADV2, {1, 0, 0, 2});
  ASSERT_RAN(nine);
  expect_tensor<float>(nine->at(0), {3, 4}, {9, 9, 9, 9, 1, 2, 9, 9, 3, 4, 9, 9});
  expect_error(run(BuiltinOp::PAD, {0, -1, 0, 0}), "PAD", "negative");
}

Outputs run_mirror(const Shape& shape, std::vector<int32_t> pads, tfl::MirrorPadMode mode) {
  OpTest t;
  const int x = t.input("x", TensorType::FLOAT32, shape);
  const int p = t.constant<int32_t>("pads", {static_cast<int32_t>(shape.size()), 2}, pads);
  const int y = t.output("y", TensorType::FLOAT32);
  tfl::MirrorPadOptionsT o;
  o.mode = mode;
  t.op(BuiltinOp::MIRROR_PAD, {x, p}, {y}, format::make_options(o));
  return t.run(
      {host_tensor<float>(shape, iota<float>(static_cast<size_t>(runtime::element_count(shape)), 1.0f))});
}

TEST(KernelsShape, MirrorPad) {
  // [1,2,3] padded by 2 on each side: REFLECT skips the edge, SYMMETRIC repeats it.
  const auto reflect = run_mirror({3}, {2, 2}, tfl::MirrorPadMode::REFLECT);
  ASSERT_RAN(reflect);
  expect_tensor<float>(reflect->at(0), {7}, {3, 2, 1, 2, 3, 2, 1});
  const auto symmetric = run_mirror({3}, {2, 2}, tfl::MirrorPadMode::SYMMETRIC);
  ASSERT_RAN(symmetric);
  expect_tensor<float>(symmetric->at(0), {7}, {2, 1, 1, 2, 3, 3, 2});
  // [[1,2,3],[4,5,6]], one row and two columns each side, REFLECT.
  const auto grid = run_mirror({2, 3}, {1, 1, 2, 2}, tfl::MirrorPadMode::REFLECT);
  ASSERT_RAN(grid);
  expect_tensor<float>(grid->at(0), {4, 7},
                       {6, 5, 4, 5, 6, 5, 4, 3, 2, 1, 2, 3, 2, 1, 6, 5, 4, 5, 6, 5, 4, 3, 2, 1, 2, 3, 2, 1});
  expect_error(run_mirror({3}, {3, 0}, tfl::MirrorPadMode::REFLECT), "MIRROR_PAD",
               "larger than REFLECT allows");
}

TEST(KernelsShape, TileAndBroadcastTo) {
  OpTest t;
  const int x = t.input("x", TensorType::INT32, {2, 2});
  const int m = t.constant<int64_t>("multiples", {2}, {2, 3});
  const int y = t.output("y", TensorType::INT32);
  t.op(BuiltinOp::TILE, {x, m}, {y});
  const auto tiled = t.run({host_tensor<int32_t>({2, 2}, {1, 2, 3, 4})});
  ASSERT_RAN(tiled);
  expect_tensor<int32_t>(tiled->at(0), {4, 6},
                         {1, 2, 1, 2, 1, 2, 3, 4, 3, 4, 3, 4, 1, 2, 1, 2, 1, 2, 3, 4, 3, 4, 3, 4});

  auto broadcast = [](Shape shape, std::vector<float> values, std::vector<int32_t> target) {
    OpTest b;
    const int in = b.input("x", TensorType::FLOAT32, shape);
    const int s = b.constant<int32_t>("shape", {static_cast<int32_t>(target.size())}, target);
    const int out = b.output("y", TensorType::FLOAT32);
    b.op(BuiltinOp::BROADCAST_TO, {in, s}, {out});
    return b.run({host_tensor<float>(shape, values)});
  };
  const auto rows = broadcast({3}, {1, 2, 3}, {2, 3});
  ASSERT_RAN(rows);
  expect_tensor<float>(rows->at(0), {2, 3}, {1, 2, 3, 1, 2, 3});
  const auto cols = broadcast({2, 1}, {1, 2}, {2, 2, 3});
  ASSERT_RAN(cols);
  expect_tensor<float>(cols->at(0), {2, 2, 3}, {1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2});
  expect_error(broadcast({3}, {1, 2, 3}, {2, 2}), "BROADCAST_TO", "cannot broadcast");
}

TEST(KernelsShape, Range) {
  auto run = [](auto start, auto limit, auto delta) {
    using T = decltype(start);
    OpTest t;
    const int a = t.input("start", test::type_of<T>(), {});
    const int b = t.constant<T>("limit", {}, {limit});
    const int c = t.constant<T>("delta", {}, {delta});
    const int y = t.output("y", test::type_of<T>());
    t.op(BuiltinOp::RANGE, {a, b, c}, {y});
    return t.run({host_tensor<T>({}, {start})});
  };
  const auto up = run(0, 10, 3);  // ceil(10 / 3) = 4 values
  ASSERT_RAN(up);
  expect_tensor<int32_t>(up->at(0), {4}, {0, 3, 6, 9});
  const auto down = run(int64_t{10}, int64_t{0}, int64_t{-3});
  ASSERT_RAN(down);
  expect_tensor<int64_t>(down->at(0), {4}, {10, 7, 4, 1});
  // Floats accumulate (value += delta), as TFLite does: 0.3f + 0.3f + 0.3f.
  const auto f = run(0.0f, 1.0f, 0.3f);
  ASSERT_RAN(f);
  const float a = 0.3f, b = a + 0.3f, c = b + 0.3f;
  expect_tensor<float>(f->at(0), {4}, {0.0f, a, b, c});
  expect_error(run(0, 10, -1), "RANGE", "wrong sign");
  expect_error(run(0, 10, 0), "RANGE", "delta is 0");
}

// DENSIFY ----------------------------------------------------------------------------

tfl::SparseIndexVectorUnion index_vector(std::vector<int32_t> values) {
  tfl::Int32VectorT v;
  v.values = std::move(values);
  tfl::SparseIndexVectorUnion u;
  u.Set(std::move(v));
  return u;
}

std::unique_ptr<tfl::DimensionMetadataT> dense_level(int32_t size) {
  auto m = std::make_unique<tfl::DimensionMetadataT>();
  m->format = tfl::DimensionType::DENSE;
  m->dense_size = size;
  return m;
}

std::unique_ptr<tfl::DimensionMetadataT> sparse_level(std::vector<int32_t> segments,
                                                      std::vector<int32_t> indices) {
  auto m = std::make_unique<tfl::DimensionMetadataT>();
  m->format = tfl::DimensionType::SPARSE_CSR;
  m->array_segments = index_vector(std::move(segments));
  m->array_indices = index_vector(std::move(indices));
  return m;
}

template <class T>
Outputs run_densify(const Shape& shape, const std::vector<T>& stored,
                    std::shared_ptr<tfl::SparsityParametersT> sp) {
  OpTest t;
  const int x = t.constant<T>("sparse", shape, stored);
  t.subgraph().tensors[static_cast<size_t>(x)].sparsity = std::move(sp);
  const int y = t.output("dense", test::type_of<T>());
  t.op(BuiltinOp::DENSIFY, {x}, {y});
  return t.run({});
}

TEST(KernelsShape, DensifyCsr) {
  // TFLite's test: rows dense, columns compressed. Row 0 keeps columns
  // 0, 2, 3; row 1 nothing; row 2 columns 0, 3.
  auto sp = std::make_shared<tfl::SparsityParametersT>();
  sp->traversal_order = {0, 1};
  sp->dim_metadata.push_back(dense_level(3));
  sp->dim_metadata.push_back(sparse_level({0, 3, 3, 5}, {0, 2, 3, 0, 3}));
  const auto out = run_densify<float>({3, 4}, {6, 9, 8, 5, 7}, sp);
  ASSERT_RAN(out);
  expect_tensor<float>(out->at(0), {3, 4}, {6, 0, 9, 8, 0, 0, 0, 0, 5, 0, 0, 7});

  // A segment pointing past the index array is an error, not a crash.
  auto broken = std::make_shared<tfl::SparsityParametersT>();
  broken->traversal_order = {0, 1};
  broken->dim_metadata.push_back(dense_level(3));
  broken->dim_metadata.push_back(sparse_level({0, 3, 3, 9}, {0, 2, 3, 0, 3}));
  expect_error(run_densify<float>({3, 4}, {6, 9, 8, 5, 7}, broken), "DENSIFY", "inconsistent");
}

// The block-sparse layout of TFLite's testdata/sparse_tensor.json: 4x4 in 2x2
// blocks; block row 0 has blocks in columns 0 and 1, block row 1 in column 1.
std::shared_ptr<tfl::SparsityParametersT> block_sparsity() {
  auto sp = std::make_shared<tfl::SparsityParametersT>();
  sp->traversal_order = {0, 1, 2, 3};
  sp->block_map = {0, 1};
  sp->dim_metadata.push_back(dense_level(2));
  sp->dim_metadata.push_back(sparse_level({0, 2, 3}, {0, 1, 1}));
  sp->dim_metadata.push_back(dense_level(2));
  sp->dim_metadata.push_back(dense_level(2));
  return sp;
}

// Blocks [[1,0],[0,4]], [[2,3],[0,0]] and [[5,0],[0,6]] placed in the 4x4 grid.
const std::vector<int8_t> kBlockDense{1, 0, 2, 3, 0, 4, 0, 0, 0, 0, 5, 0, 0, 0, 0, 6};

TEST(KernelsShape, DensifyBlocks) {
  const auto out = run_densify<int8_t>({4, 4}, {1, 0, 0, 4, 2, 3, 0, 0, 5, 0, 0, 6}, block_sparsity());
  ASSERT_RAN(out);
  expect_tensor<int8_t>(out->at(0), {4, 4}, kBlockDense);
}

TEST(KernelsShape, DensifyTheCorpusSparseTensor) {
  // The same tensor as stored in a real file: its sparsity as read by our
  // format reader feeds the kernel.
  QS_REQUIRE_CORPUS();
  auto file = format::ModelFile::open(test::corpus_model("sparse_tensor.bin"));
  ASSERT_TRUE(file.has_value()) << file.error().message;
  const format::Model model = file->to_model();
  const format::Tensor& decl = model.subgraphs.at(0).tensors.at(0);
  ASSERT_TRUE(decl.sparsity);
  const std::span<const uint8_t> data = model.tensor_data(decl);
  std::vector<int8_t> stored(data.size());
  std::memcpy(stored.data(), data.data(), data.size());
  auto sp = std::make_shared<tfl::SparsityParametersT>(*decl.sparsity);
  const auto out = run_densify<int8_t>(decl.shape, stored, sp);
  ASSERT_RAN(out);
  expect_tensor<int8_t>(out->at(0), {4, 4}, kBlockDense);
}

TEST(KernelsShape, DensifyNeedsSparsity) {
  OpTest t;
  const int x = t.constant<float>("dense", {2}, {1, 2});
  const int y = t.output("y", TensorType::FLOAT32);
  t.op(BuiltinOp::DENSIFY, {x}, {y});
  expect_error(t.run({}), "DENSIFY", "no sparsity parameters");
}

}  // namespace
}  // namespace qs
