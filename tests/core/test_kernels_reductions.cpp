// Reduction kernels (runtime/kernels/reductions.cpp): MEAN, SUM, REDUCE_*,
// ARG_MAX/ARG_MIN, CUMSUM on hand-computed cases, axes given every way
// TFLite allows, and the fast walk against the reference loop on random
// tensors (they accumulate in the same order, so the bits agree).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <numeric>
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
using test::expect_error;
using test::expect_tensor;
using test::random_floats;
using ::testing::HasSubstr;

using Outputs = Result<std::vector<HostTensor>>;

#define ASSERT_RAN(r) ASSERT_TRUE((r).has_value()) << (r).error().message

// One reduction of `x` over constant (or, with axes_as_input, computed) axes.
Outputs run_reduce(BuiltinOp op, const HostTensor& x, const Shape& axes_shape, std::vector<int32_t> axes,
                   bool keep_dims = false, bool axes_as_input = false, Flavor flavor = Flavor::kFast) {
  OpTest t;
  const int in = t.input("x", x.type, x.shape);
  const int a = axes_as_input ? t.input("axes", TensorType::INT32, axes_shape)
                              : t.constant<int32_t>("axes", axes_shape, axes);
  const int y = t.output("y", x.type);
  tfl::ReducerOptionsT o;
  o.keep_dims = keep_dims;
  t.op(op, {in, a}, {y}, format::make_options(o));
  std::vector<HostTensor> inputs{x};
  if (axes_as_input) inputs.push_back(host_tensor<int32_t>(axes_shape, axes));
  return t.run(inputs, flavor);
}

const HostTensor kMatrix = host_tensor<float>({2, 3}, {1, 2, 3, 4, 5, 6});

TEST(KernelsReductions, EachReducerOverRows) {
  // Rows {1,2,3} and {4,5,6}.
  struct Case {
    BuiltinOp op;
    std::vector<float> expected;
  };
  for (const Case& c :
       {Case{BuiltinOp::MEAN, {2, 5}}, Case{BuiltinOp::SUM, {6, 15}}, Case{BuiltinOp::REDUCE_PROD, {6, 120}},
        Case{BuiltinOp::REDUCE_MAX, {3, 6}}, Case{BuiltinOp::REDUCE_MIN, {1, 4}}}) {
    for (Flavor flavor : {Flavor::kFast, Flavor::kReference}) {
      const auto out = run_reduce(c.op, kMatrix, {1}, {1}, false, false, flavor);
      ASSERT_RAN(out);
      expect_tensor<float>(out->at(0), {2}, c.expected);
      const auto kept = run_reduce(c.op, kMatrix, {1}, {1}, /*keep_dims=*/true, false, flavor);
      ASSERT_RAN(kept);
      expect_tensor<float>(kept->at(0), {2, 1}, c.expected);
    }
  }
}

TEST(KernelsReductions, AxesNegativeDuplicatedScalarOrEmpty) {
  // {1, -1} name the same axis once: sums of rows.
  const auto dup = run_reduce(BuiltinOp::SUM, kMatrix, {2}, {1, -1});
  ASSERT_RAN(dup);
  expect_tensor<float>(dup->at(0), {2}, {6, 15});
  // A scalar axis 0: sums of columns {5, 7, 9}.
  const auto scalar = run_reduce(BuiltinOp::SUM, kMatrix, {}, {0});
  ASSERT_RAN(scalar);
  expect_tensor<float>(scalar->at(0), {3}, {5, 7, 9});
  // Every axis: one value; kept as [1,1].
  const auto all = run_reduce(BuiltinOp::MEAN, kMatrix, {2}, {0, 1}, true);
  ASSERT_RAN(all);
  expect_tensor<float>(all->at(0), {1, 1}, {3.5f});  // 21 / 6
  // No axes: the input unchanged. The empty axes tensor is made by an
  // empty SLICE (the test harness cannot hold an empty constant).
  OpTest t;
  const int x = t.input("x", TensorType::FLOAT32, {2, 3});
  const int one = t.constant<int32_t>("one", {1}, {0});
  const int begin = t.constant<int32_t>("begin", {1}, {0});
  const int size = t.constant<int32_t>("size", {1}, {0});
  const int axes = t.output("axes", TensorType::INT32, {0}, /*internal=*/true);
  const int y = t.output("y", TensorType::FLOAT32);
  t.op(BuiltinOp::SLICE, {one, begin, size}, {axes});
  t.op(BuiltinOp::REDUCE_MAX, {x, axes}, {y}, format::make_options(tfl::ReducerOptionsT{}));
  const auto none = t.run({kMatrix});
  ASSERT_RAN(none);
  expect_tensor<float>(none->at(0), {2, 3}, {1, 2, 3, 4, 5, 6});
  // Axes known only at run time.
  const auto computed = run_reduce(BuiltinOp::REDUCE_MIN, kMatrix, {1}, {0}, false, /*axes_as_input=*/true);
  ASSERT_RAN(computed);
  expect_tensor<float>(computed->at(0), {3}, {1, 2, 3});
}

TEST(KernelsReductions, IntegerMeanTruncatesAndMaxStartsAtLowest) {
  // (1 + 2) / 2 = 1 and (−1 − 2) / 2 = −1: C++ division, toward zero.
  const auto mean = run_reduce(BuiltinOp::MEAN, host_tensor<int32_t>({2, 2}, {1, 2, -1, -2}), {1}, {1});
  ASSERT_RAN(mean);
  expect_tensor<int32_t>(mean->at(0), {2}, {1, -1});
  // TFLite starts REDUCE_MAX at the lowest finite float, so −∞ inputs give it.
  const float inf = std::numeric_limits<float>::infinity();
  const auto max = run_reduce(BuiltinOp::REDUCE_MAX, host_tensor<float>({2}, {-inf, -inf}), {1}, {0});
  ASSERT_RAN(max);
  expect_tensor<float>(max->at(0), {}, {std::numeric_limits<float>::lowest()});
  // int8 maxima.
  const auto i8 = run_reduce(BuiltinOp::REDUCE_MAX, host_tensor<int8_t>({3}, {-5, 7, -128}), {1}, {0});
  ASSERT_RAN(i8);
  expect_tensor<int8_t>(i8->at(0), {}, {7});
}

TEST(KernelsReductions, AnyAndAll) {
  // Rows {1,1} and {1,0}.
  const HostTensor x = host_tensor<bool>({2, 2}, {true, true, true, false});
  const auto all = run_reduce(BuiltinOp::REDUCE_ALL, x, {1}, {1});
  ASSERT_RAN(all);
  expect_tensor<uint8_t>(all->at(0), {2}, {1, 0});
  const auto any = run_reduce(BuiltinOp::REDUCE_ANY, x, {1}, {0});
  ASSERT_RAN(any);
  expect_tensor<uint8_t>(any->at(0), {2}, {1, 1});
}

TEST(KernelsReductions, Errors) {
  expect_error(run_reduce(BuiltinOp::SUM, kMatrix, {1}, {2}), "SUM", "out of range");
  expect_error(run_reduce(BuiltinOp::MEAN, host_tensor<bool>({2}, {true, false}), {1}, {0}), "MEAN",
               "not supported");
  expect_error(run_reduce(BuiltinOp::REDUCE_ANY, kMatrix, {1}, {0}), "REDUCE_ANY", "not supported");
}

TEST(KernelsReductions, FastWalkMatchesReferenceOnEveryAxisSet) {
  const Shape shape{2, 5, 6, 7};
  const std::vector<float> values = random_floats(2 * 5 * 6 * 7, 11, 0.5f, 1.5f);  // products stay finite
  const HostTensor x = host_tensor<float>(shape, values);
  for (BuiltinOp op : {BuiltinOp::MEAN, BuiltinOp::SUM, BuiltinOp::REDUCE_PROD, BuiltinOp::REDUCE_MAX,
                       BuiltinOp::REDUCE_MIN}) {
    for (int set = 1; set < 16; ++set) {  // the empty set is AxesNegativeDuplicatedScalarOrEmpty's
      std::vector<int32_t> axes;
      for (int k = 0; k < 4; ++k) {
        if ((set >> k) & 1) axes.push_back(k);
      }
      const Shape axes_shape{static_cast<int32_t>(axes.size())};
      const auto fast = run_reduce(op, x, axes_shape, axes, set % 2 == 0);
      const auto ref = run_reduce(op, x, axes_shape, axes, set % 2 == 0, false, Flavor::kReference);
      ASSERT_RAN(fast);
      ASSERT_RAN(ref);
      EXPECT_EQ(fast->at(0).shape, ref->at(0).shape);
      EXPECT_EQ(fast->at(0).values<float>(), ref->at(0).values<float>())
          << format::op_name(op) << " axes set " << set;
    }
  }
}

TEST(KernelsReductions, GlobalAveragePoolingMean) {
  // MEAN over H,W of NHWC, checked against a sum in double.
  const int32_t n = 2, h = 7, w = 9, c = 13;
  const std::vector<float> values = random_floats(static_cast<size_t>(n * h * w * c), 5, -3.0f, 3.0f);
  const auto out = run_reduce(BuiltinOp::MEAN, host_tensor<float>({n, h, w, c}, values), {2}, {1, 2}, true);
  ASSERT_RAN(out);
  ASSERT_EQ(out->at(0).shape, (Shape{n, 1, 1, c}));
  const std::vector<float> got = out->at(0).values<float>();
  for (int32_t b = 0; b < n; ++b) {
    for (int32_t ch = 0; ch < c; ++ch) {
      double sum = 0;
      for (int32_t p = 0; p < h * w; ++p) sum += values[static_cast<size_t>((b * h * w + p) * c + ch)];
      EXPECT_NEAR(got[static_cast<size_t>(b * c + ch)], sum / (h * w), 1e-5);
    }
  }
}

Outputs run_arg(BuiltinOp op, int32_t axis, TensorType out_type = TensorType::INT32) {
  OpTest t;
  const int x = t.input("x", TensorType::FLOAT32, {2, 4});
  const int a = t.constant<int32_t>("axis", {1}, {axis});
  const int y = t.output("y", out_type);
  t.op(op, {x, a}, {y});
  // Rows {1,3,3,0} and {5,5,-1,-1}: ties go to the first index.
  return t.run({host_tensor<float>({2, 4}, {1, 3, 3, 0, 5, 5, -1, -1})});
}

TEST(KernelsReductions, ArgMaxArgMin) {
  const auto max = run_arg(BuiltinOp::ARG_MAX, 1);
  ASSERT_RAN(max);
  expect_tensor<int32_t>(max->at(0), {2}, {1, 0});
  const auto min = run_arg(BuiltinOp::ARG_MIN, -1, TensorType::INT64);
  ASSERT_RAN(min);
  expect_tensor<int64_t>(min->at(0), {2}, {3, 2});
  // Down the columns: (1,5) (3,5) (3,-1) (0,-1).
  const auto cols = run_arg(BuiltinOp::ARG_MAX, 0);
  ASSERT_RAN(cols);
  expect_tensor<int32_t>(cols->at(0), {4}, {1, 1, 0, 0});
  expect_error(run_arg(BuiltinOp::ARG_MAX, 2), "ARG_MAX", "out of range");
  expect_error(run_arg(BuiltinOp::ARG_MIN, 0, TensorType::FLOAT32), "ARG_MIN", "INT32 or INT64");
}

Outputs run_cumsum(int32_t axis, bool exclusive, bool reverse) {
  OpTest t;
  const int x = t.input("x", TensorType::FLOAT32, {2, 3});
  const int a = t.constant<int32_t>("axis", {}, {axis});
  const int y = t.output("y", TensorType::FLOAT32);
  tfl::CumsumOptionsT o;
  o.exclusive = exclusive;
  o.reverse = reverse;
  t.op(BuiltinOp::CUMSUM, {x, a}, {y}, format::make_options(o));
  return t.run({host_tensor<float>({2, 3}, {1, 2, 3, 4, 5, 6})});
}

TEST(KernelsReductions, Cumsum) {
  struct Case {
    int32_t axis;
    bool exclusive, reverse;
    std::vector<float> expected;
  };
  // Rows {1,2,3}, {4,5,6}.
  for (const Case& c : {Case{1, false, false, {1, 3, 6, 4, 9, 15}}, Case{1, true, false, {0, 1, 3, 0, 4, 9}},
                        Case{1, false, true, {6, 5, 3, 15, 11, 6}}, Case{-1, true, true, {5, 3, 0, 11, 6, 0}},
                        Case{0, false, false, {1, 2, 3, 5, 7, 9}}}) {
    const auto out = run_cumsum(c.axis, c.exclusive, c.reverse);
    ASSERT_RAN(out);
    expect_tensor<float>(out->at(0), {2, 3}, c.expected);
  }
  expect_error(run_cumsum(2, false, false), "CUMSUM", "out of range");
}

}  // namespace
}  // namespace qs
