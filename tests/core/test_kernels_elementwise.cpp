// Elementwise kernels: arithmetic and comparisons with broadcasting, logical
// ops, SELECT, ADD_N, unary maths, CAST, ZEROS_LIKE and FILL. Expected
// values are worked out by hand in the comments, or come from a naive
// formula written here.

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <limits>
#include <numbers>
#include <random>

#include "format/op_options.h"
#include "support/kernel_checks.h"

namespace qs::test {
namespace {

using format::BuiltinOp;
using format::TensorType;
using runtime::Flavor;
using runtime::Shape;

constexpr float kFloatMax = std::numeric_limits<float>::max();
constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

// Runs `op` with every input fed at run time and returns its one output.
Result<HostTensor> run_op(BuiltinOp op, const std::vector<HostTensor>& inputs, TensorType out_type,
                          format::OpOptions options = {}, Flavor flavor = Flavor::kFast) {
  return run_single_op(op, inputs, out_type, std::move(options), flavor);
}

std::vector<bool> bools_of(const Result<HostTensor>& r, const Shape& shape) {
  std::vector<bool> out;
  for (uint8_t b : values_of<uint8_t>(r, shape)) out.push_back(b != 0);
  return out;
}

format::OpOptions add_options(tfl::ActivationFunctionType fn) {
  tfl::AddOptionsT o;
  o.fused_activation_function = fn;
  return format::make_options(o);
}

// Naive broadcasting: the operand element for each output element, found by
// aligning multi-indices at the last dimension.
int64_t operand_index(const Shape& out, const Shape& in, int64_t flat) {
  int64_t index = 0;
  int64_t stride = 1;
  const int offset = static_cast<int>(out.size() - in.size());
  for (int d = static_cast<int>(out.size()) - 1; d >= 0; --d) {
    const int64_t i = flat % out[static_cast<size_t>(d)];
    flat /= out[static_cast<size_t>(d)];
    if (d < offset) continue;
    const int32_t dim = in[static_cast<size_t>(d - offset)];
    if (dim != 1) index += i * stride;
    stride *= dim;
  }
  return index;
}

// A tensor without elements (host_tensor() would memcpy from a null pointer).
HostTensor empty_tensor(TensorType type, Shape shape) { return HostTensor{type, std::move(shape), {}}; }

int64_t count(const Shape& s) {
  int64_t n = 1;
  for (int32_t d : s) n *= d;
  return n;
}

// Arithmetic ---------------------------------------------------------------

TEST(KernelsElementwise, AddSameShape) {
  auto r = run_op(BuiltinOp::ADD,
                  {host_tensor<float>({2, 2}, {1, 2, 3, 4}), host_tensor<float>({2, 2}, {10, 20, 30, 40})},
                  TensorType::FLOAT32);
  EXPECT_EQ(values_of<float>(r, {2, 2}), (std::vector<float>{11, 22, 33, 44}));
}

TEST(KernelsElementwise, AddBroadcastsRowColumnAndScalar) {
  // [2,3] + [3]: each row gets {10,20,30}.
  auto row = run_op(BuiltinOp::ADD,
                    {host_tensor<float>({2, 3}, {1, 2, 3, 4, 5, 6}), host_tensor<float>({3}, {10, 20, 30})},
                    TensorType::FLOAT32);
  EXPECT_EQ(values_of<float>(row, {2, 3}), (std::vector<float>{11, 22, 33, 14, 25, 36}));
  // [2,1] + [1,3] = outer sum: {1,2} x {10,20,30}.
  auto outer =
      run_op(BuiltinOp::ADD, {host_tensor<float>({2, 1}, {1, 2}), host_tensor<float>({1, 3}, {10, 20, 30})},
             TensorType::FLOAT32);
  EXPECT_EQ(values_of<float>(outer, {2, 3}), (std::vector<float>{11, 21, 31, 12, 22, 32}));
  // scalar (rank 0) on the left.
  auto scalar =
      run_op(BuiltinOp::ADD, {host_tensor<float>({}, {100}), host_tensor<float>({2, 2}, {1, 2, 3, 4})},
             TensorType::FLOAT32);
  EXPECT_EQ(values_of<float>(scalar, {2, 2}), (std::vector<float>{101, 102, 103, 104}));
  // An empty dimension broadcasts to an empty result.
  auto empty = run_op(BuiltinOp::ADD,
                      {empty_tensor(TensorType::FLOAT32, {0, 3}), host_tensor<float>({1, 3}, {1, 2, 3})},
                      TensorType::FLOAT32);
  ASSERT_TRUE(empty) << empty.error().message;
  EXPECT_EQ(empty->shape, (Shape{0, 3}));
  EXPECT_TRUE(empty->bytes.empty());
}

TEST(KernelsElementwise, AddBroadcastsSixDimensionsLikeNaiveIndexing) {
  // Alternating broadcast dimensions cannot be merged: the full 6-D walk.
  // a spans dimensions 0, 2, 4 and b (rank 5, aligned at the end) 1, 3, 5.
  const Shape a_shape{2, 1, 3, 1, 2, 1};
  const Shape b_shape{2, 1, 4, 1, 3};
  const Shape out_shape{2, 2, 3, 4, 2, 3};
  const auto a = random_floats(static_cast<size_t>(count(a_shape)), 1, -5, 5);
  const auto b = random_floats(static_cast<size_t>(count(b_shape)), 2, -5, 5);
  auto r = run_op(BuiltinOp::ADD, {host_tensor<float>(a_shape, a), host_tensor<float>(b_shape, b)},
                  TensorType::FLOAT32);
  const auto got = values_of<float>(r, out_shape);
  ASSERT_EQ(got.size(), static_cast<size_t>(count(out_shape)));
  for (int64_t i = 0; i < count(out_shape); ++i) {
    const float want = a[static_cast<size_t>(operand_index(out_shape, a_shape, i))] +
                       b[static_cast<size_t>(operand_index(out_shape, b_shape, i))];
    ASSERT_EQ(got[static_cast<size_t>(i)], want) << "element " << i;
  }
}

TEST(KernelsElementwise, BroadcastNeedingSevenDimensionsIsAnError) {
  const Shape a_shape{2, 1, 2, 1, 2, 1, 2};
  const Shape b_shape{1, 2, 1, 2, 1, 2, 1};
  auto r = run_op(BuiltinOp::ADD,
                  {host_tensor<float>(a_shape, std::vector<float>(16)),
                   host_tensor<float>(b_shape, std::vector<float>(8))},
                  TensorType::FLOAT32);
  expect_error(r, "ADD", "more than 6 dimensions");
}

TEST(KernelsElementwise, IncompatibleShapesAreAnError) {
  auto r = run_op(BuiltinOp::MUL,
                  {host_tensor<float>({2, 3}, std::vector<float>(6)), host_tensor<float>({2}, {1, 2})},
                  TensorType::FLOAT32);
  expect_error(r, "MUL", "do not broadcast");
}

TEST(KernelsElementwise, FusedActivationsClamp) {
  const auto a = host_tensor<float>({4}, {-3, 0.5f, 4, 9});
  const auto b = host_tensor<float>({4}, {1, 1, 1, 1});
  // sums {-2, 1.5, 5, 10}
  EXPECT_EQ(values_of<float>(run_op(BuiltinOp::ADD, {a, b}, TensorType::FLOAT32,
                                    add_options(tfl::ActivationFunctionType::RELU)),
                             {4}),
            (std::vector<float>{0, 1.5f, 5, 10}));
  EXPECT_EQ(values_of<float>(run_op(BuiltinOp::ADD, {a, b}, TensorType::FLOAT32,
                                    add_options(tfl::ActivationFunctionType::RELU6)),
                             {4}),
            (std::vector<float>{0, 1.5f, 5, 6}));
  EXPECT_EQ(values_of<float>(run_op(BuiltinOp::ADD, {a, b}, TensorType::FLOAT32,
                                    add_options(tfl::ActivationFunctionType::RELU_N1_TO_1)),
                             {4}),
            (std::vector<float>{-1, 1, 1, 1}));
  // int32 too: {-2, 1, 5, 10} through RELU6.
  const auto ia = host_tensor<int32_t>({4}, {-3, 0, 4, 9});
  const auto ib = host_tensor<int32_t>({4}, {1, 1, 1, 1});
  EXPECT_EQ(values_of<int32_t>(run_op(BuiltinOp::ADD, {ia, ib}, TensorType::INT32,
                                      add_options(tfl::ActivationFunctionType::RELU6)),
                               {4}),
            (std::vector<int32_t>{0, 1, 5, 6}));
  // MUL's own options table.
  tfl::MulOptionsT mul;
  mul.fused_activation_function = tfl::ActivationFunctionType::RELU;
  EXPECT_EQ(
      values_of<float>(run_op(BuiltinOp::MUL, {a, b}, TensorType::FLOAT32, format::make_options(mul)), {4}),
      (std::vector<float>{0, 0.5f, 4, 9}));
}

TEST(KernelsElementwise, FloatArithmeticClampsToTheFiniteRangeAsTflite) {
  // TFLite's "no activation" bounds are lowest()/max(): overflow to inf
  // comes out as ±max; NaN passes through.
  auto add = run_op(BuiltinOp::ADD,
                    {host_tensor<float>({3}, {kFloatMax, -kFloatMax, kNaN}),
                     host_tensor<float>({3}, {kFloatMax, -kFloatMax, 1})},
                    TensorType::FLOAT32);
  const auto v = values_of<float>(add, {3});
  ASSERT_EQ(v.size(), 3u);
  EXPECT_EQ(v[0], kFloatMax);
  EXPECT_EQ(v[1], -kFloatMax);
  EXPECT_TRUE(std::isnan(v[2]));
  // 1/0 = inf -> max; -1/0 -> lowest.
  auto div = run_op(BuiltinOp::DIV, {host_tensor<float>({2}, {1, -1}), host_tensor<float>({2}, {0, 0})},
                    TensorType::FLOAT32);
  EXPECT_EQ(values_of<float>(div, {2}), (std::vector<float>{kFloatMax, -kFloatMax}));
}

TEST(KernelsElementwise, UnsupportedFusedActivationIsAnError) {
  auto r = run_op(BuiltinOp::ADD, {host_tensor<float>({1}, {1}), host_tensor<float>({1}, {1})},
                  TensorType::FLOAT32, add_options(tfl::ActivationFunctionType::TANH));
  expect_error(r, "ADD", "TANH");
}

TEST(KernelsElementwise, SubMulDiv) {
  const auto a = host_tensor<float>({3}, {6, -3, 1});
  const auto b = host_tensor<float>({3}, {2, 4, -8});
  EXPECT_EQ(values_of<float>(run_op(BuiltinOp::SUB, {a, b}, TensorType::FLOAT32), {3}),
            (std::vector<float>{4, -7, 9}));
  EXPECT_EQ(values_of<float>(run_op(BuiltinOp::MUL, {a, b}, TensorType::FLOAT32), {3}),
            (std::vector<float>{12, -12, -8}));
  EXPECT_EQ(values_of<float>(run_op(BuiltinOp::DIV, {a, b}, TensorType::FLOAT32), {3}),
            (std::vector<float>{3, -0.75f, -0.125f}));
}

TEST(KernelsElementwise, IntegerArithmetic) {
  const auto a = host_tensor<int32_t>({4}, {7, -7, 7, -7});
  const auto b = host_tensor<int32_t>({4}, {2, 2, -2, -2});
  // Truncating division: 7/2 = 3, -7/2 = -3.
  EXPECT_EQ(values_of<int32_t>(run_op(BuiltinOp::DIV, {a, b}, TensorType::INT32), {4}),
            (std::vector<int32_t>{3, -3, -3, 3}));
  EXPECT_EQ(values_of<int32_t>(run_op(BuiltinOp::SUB, {a, b}, TensorType::INT32), {4}),
            (std::vector<int32_t>{5, -9, 9, -5}));
  const auto la = host_tensor<int64_t>({2}, {int64_t{1} << 40, -3});
  const auto lb = host_tensor<int64_t>({1}, {4});
  EXPECT_EQ(values_of<int64_t>(run_op(BuiltinOp::MUL, {la, lb}, TensorType::INT64), {2}),
            (std::vector<int64_t>{int64_t{1} << 42, -12}));
  EXPECT_EQ(values_of<int64_t>(run_op(BuiltinOp::ADD, {la, lb}, TensorType::INT64), {2}),
            (std::vector<int64_t>{(int64_t{1} << 40) + 4, 1}));
  // Overflow wraps (two's complement) instead of being undefined.
  constexpr int32_t kMax = std::numeric_limits<int32_t>::max();
  constexpr int32_t kMin = std::numeric_limits<int32_t>::min();
  EXPECT_EQ(
      values_of<int32_t>(run_op(BuiltinOp::ADD,
                                {host_tensor<int32_t>({2}, {kMax, kMin}), host_tensor<int32_t>({2}, {1, -1})},
                                TensorType::INT32),
                         {2}),
      (std::vector<int32_t>{kMin, kMax}));
  EXPECT_EQ(values_of<int32_t>(
                run_op(BuiltinOp::DIV, {host_tensor<int32_t>({1}, {kMin}), host_tensor<int32_t>({1}, {-1})},
                       TensorType::INT32),
                {1}),
            (std::vector<int32_t>{kMin}));
}

TEST(KernelsElementwise, IntegerDivisionByZeroIsAnError) {
  auto r = run_op(BuiltinOp::DIV, {host_tensor<int32_t>({2}, {1, 2}), host_tensor<int32_t>({2}, {1, 0})},
                  TensorType::INT32);
  expect_error(r, "DIV", "division by zero");
}

TEST(KernelsElementwise, TypeErrors) {
  // Inputs of different types.
  expect_error(run_op(BuiltinOp::ADD, {host_tensor<float>({1}, {1}), host_tensor<int32_t>({1}, {1})},
                      TensorType::FLOAT32),
               "ADD", "INT32");
  // Output of the wrong type.
  expect_error(
      run_op(BuiltinOp::SUB, {host_tensor<float>({1}, {1}), host_tensor<float>({1}, {1})}, TensorType::INT32),
      "SUB", "expected FLOAT32");
  // A type the op does not take.
  expect_error(run_op(BuiltinOp::MUL, {host_tensor<int8_t>({1}, {1}), host_tensor<int8_t>({1}, {1})},
                      TensorType::INT8),
               "MUL", "supported: FLOAT32, INT32, INT64");
}

TEST(KernelsElementwise, MaximumMinimum) {
  const auto a = host_tensor<float>({2, 2}, {1, 5, -2, 0});
  const auto b = host_tensor<float>({2}, {3, -1});
  EXPECT_EQ(values_of<float>(run_op(BuiltinOp::MAXIMUM, {a, b}, TensorType::FLOAT32), {2, 2}),
            (std::vector<float>{3, 5, 3, 0}));
  EXPECT_EQ(values_of<float>(run_op(BuiltinOp::MINIMUM, {a, b}, TensorType::FLOAT32), {2, 2}),
            (std::vector<float>{1, -1, -2, -1}));
  const auto ia = host_tensor<int8_t>({3}, {-128, 0, 127});
  const auto ib = host_tensor<int8_t>({1}, {5});
  EXPECT_EQ(values_of<int8_t>(run_op(BuiltinOp::MAXIMUM, {ia, ib}, TensorType::INT8), {3}),
            (std::vector<int8_t>{5, 5, 127}));
  // TFLite's a > b ? a : b: a NaN on the left gives the right operand.
  auto nan = run_op(BuiltinOp::MAXIMUM, {host_tensor<float>({1}, {kNaN}), host_tensor<float>({1}, {2})},
                    TensorType::FLOAT32);
  EXPECT_EQ(values_of<float>(nan, {1}), (std::vector<float>{2}));
}

TEST(KernelsElementwise, SquaredDifference) {
  // (1-4)^2 = 9, (-2-3)^2 = 25
  EXPECT_EQ(values_of<float>(run_op(BuiltinOp::SQUARED_DIFFERENCE,
                                    {host_tensor<float>({2}, {1, -2}), host_tensor<float>({2}, {4, 3})},
                                    TensorType::FLOAT32),
                             {2}),
            (std::vector<float>{9, 25}));
  EXPECT_EQ(values_of<int32_t>(run_op(BuiltinOp::SQUARED_DIFFERENCE,
                                      {host_tensor<int32_t>({2}, {1, -2}), host_tensor<int32_t>({1}, {4})},
                                      TensorType::INT32),
                               {2}),
            (std::vector<int32_t>{9, 36}));
}

TEST(KernelsElementwise, FloorDivRoundsTowardNegativeInfinity) {
  // 7/2 = 3.5 -> 3; -7/2 -> -4; 7/-2 -> -4; -7/-2 = 3.5 -> 3.
  EXPECT_EQ(values_of<float>(
                run_op(BuiltinOp::FLOOR_DIV,
                       {host_tensor<float>({4}, {7, -7, 7, -7}), host_tensor<float>({4}, {2, 2, -2, -2})},
                       TensorType::FLOAT32),
                {4}),
            (std::vector<float>{3, -4, -4, 3}));
  EXPECT_EQ(values_of<int32_t>(run_op(BuiltinOp::FLOOR_DIV,
                                      {host_tensor<int32_t>({5}, {7, -7, 7, -7, -6}),
                                       host_tensor<int32_t>({5}, {2, 2, -2, -2, 3})},
                                      TensorType::INT32),
                               {5}),
            (std::vector<int32_t>{3, -4, -4, 3, -2}));
  // TFLite refuses a zero divisor, float ones included.
  expect_error(run_op(BuiltinOp::FLOOR_DIV, {host_tensor<float>({1}, {1}), host_tensor<float>({1}, {0})},
                      TensorType::FLOAT32),
               "FLOOR_DIV", "division by zero");
}

TEST(KernelsElementwise, FloorModTakesTheDivisorsSign) {
  // 7 mod 3 = 1; -7 mod 3 = 2; 7 mod -3 = -2; -7 mod -3 = -1.
  EXPECT_EQ(values_of<int32_t>(
                run_op(BuiltinOp::FLOOR_MOD,
                       {host_tensor<int32_t>({4}, {7, -7, 7, -7}), host_tensor<int32_t>({4}, {3, 3, -3, -3})},
                       TensorType::INT32),
                {4}),
            (std::vector<int32_t>{1, 2, -2, -1}));
  EXPECT_EQ(values_of<int64_t>(run_op(BuiltinOp::FLOOR_MOD,
                                      {host_tensor<int64_t>({2}, {-7, 6}), host_tensor<int64_t>({1}, {3})},
                                      TensorType::INT64),
                               {2}),
            (std::vector<int64_t>{2, 0}));
  // 7.5 mod 2 = 1.5; -7.5 mod 2 = 0.5 (fmod -1.5, plus 2); 7.5 mod -2 = -0.5.
  EXPECT_EQ(values_of<float>(
                run_op(BuiltinOp::FLOOR_MOD,
                       {host_tensor<float>({3}, {7.5f, -7.5f, 7.5f}), host_tensor<float>({3}, {2, 2, -2})},
                       TensorType::FLOAT32),
                {3}),
            (std::vector<float>{1.5f, 0.5f, -0.5f}));
  // Integer zero divisors are refused; a float one gives NaN (fmod).
  expect_error(run_op(BuiltinOp::FLOOR_MOD, {host_tensor<int32_t>({1}, {1}), host_tensor<int32_t>({1}, {0})},
                      TensorType::INT32),
               "FLOOR_MOD", "division by zero");
  auto nan = run_op(BuiltinOp::FLOOR_MOD, {host_tensor<float>({1}, {1}), host_tensor<float>({1}, {0})},
                    TensorType::FLOAT32);
  const auto v = values_of<float>(nan, {1});
  ASSERT_EQ(v.size(), 1u);
  EXPECT_TRUE(std::isnan(v[0]));
}

TEST(KernelsElementwise, Pow) {
  EXPECT_EQ(
      values_of<float>(run_op(BuiltinOp::POW,
                              {host_tensor<float>({3}, {2, 4, 9}), host_tensor<float>({3}, {3, 0.5f, -0.5f})},
                              TensorType::FLOAT32),
                       {3}),
      (std::vector<float>{8, 2, 1.0f / 3.0f}));
  // 2^10, 3^3, (-2)^3, 5^0
  EXPECT_EQ(values_of<int32_t>(
                run_op(BuiltinOp::POW,
                       {host_tensor<int32_t>({4}, {2, 3, -2, 5}), host_tensor<int32_t>({4}, {10, 3, 3, 0})},
                       TensorType::INT32),
                {4}),
            (std::vector<int32_t>{1024, 27, -8, 1}));
  expect_error(run_op(BuiltinOp::POW, {host_tensor<int32_t>({1}, {2}), host_tensor<int32_t>({1}, {-1})},
                      TensorType::INT32),
               "POW", "exponents >= 0");
}

TEST(KernelsElementwise, Atan2) {
  const auto v = values_of<float>(
      run_op(BuiltinOp::ATAN2, {host_tensor<float>({3}, {1, 1, -1}), host_tensor<float>({3}, {1, -1, -1})},
             TensorType::FLOAT32),
      {3});
  ASSERT_EQ(v.size(), 3u);
  const float pi = std::numbers::pi_v<float>;
  EXPECT_FLOAT_EQ(v[0], pi / 4);
  EXPECT_FLOAT_EQ(v[1], 3 * pi / 4);
  EXPECT_FLOAT_EQ(v[2], -3 * pi / 4);
}

// Comparisons and logic -------------------------------------------------------

TEST(KernelsElementwise, ComparisonsGiveBool) {
  const auto a = host_tensor<float>({2, 3}, {1, 2, 3, 4, 5, 6});
  const auto b = host_tensor<float>({3}, {2, 2, 7});
  // rows compare {1,2,3} and {4,5,6} against {2,2,7}
  EXPECT_EQ(bools_of(run_op(BuiltinOp::LESS, {a, b}, TensorType::BOOL), {2, 3}),
            (std::vector<bool>{true, false, true, false, false, true}));
  EXPECT_EQ(bools_of(run_op(BuiltinOp::LESS_EQUAL, {a, b}, TensorType::BOOL), {2, 3}),
            (std::vector<bool>{true, true, true, false, false, true}));
  EXPECT_EQ(bools_of(run_op(BuiltinOp::GREATER, {a, b}, TensorType::BOOL), {2, 3}),
            (std::vector<bool>{false, false, false, true, true, false}));
  EXPECT_EQ(bools_of(run_op(BuiltinOp::GREATER_EQUAL, {a, b}, TensorType::BOOL), {2, 3}),
            (std::vector<bool>{false, true, false, true, true, false}));
  EXPECT_EQ(bools_of(run_op(BuiltinOp::EQUAL, {a, b}, TensorType::BOOL), {2, 3}),
            (std::vector<bool>{false, true, false, false, false, false}));
  EXPECT_EQ(bools_of(run_op(BuiltinOp::NOT_EQUAL, {a, b}, TensorType::BOOL), {2, 3}),
            (std::vector<bool>{true, false, true, true, true, true}));
  EXPECT_EQ(
      bools_of(run_op(BuiltinOp::EQUAL, {host_tensor<int64_t>({3}, {1, 2, 3}), host_tensor<int64_t>({}, {2})},
                      TensorType::BOOL),
               {3}),
      (std::vector<bool>{false, true, false}));
  EXPECT_EQ(bools_of(run_op(BuiltinOp::EQUAL,
                            {host_tensor<bool>({2}, {true, false}), host_tensor<bool>({2}, {true, true})},
                            TensorType::BOOL),
                     {2}),
            (std::vector<bool>{true, false}));
  EXPECT_EQ(bools_of(run_op(BuiltinOp::GREATER,
                            {host_tensor<int32_t>({2}, {-1, 3}), host_tensor<int32_t>({2}, {-2, 3})},
                            TensorType::BOOL),
                     {2}),
            (std::vector<bool>{true, false}));
  // A NaN compares unequal to everything.
  EXPECT_EQ(
      bools_of(run_op(BuiltinOp::NOT_EQUAL,
                      {host_tensor<float>({1}, {kNaN}), host_tensor<float>({1}, {kNaN})}, TensorType::BOOL),
               {1}),
      (std::vector<bool>{true}));
  // The output must be BOOL.
  expect_error(run_op(BuiltinOp::LESS, {a, b}, TensorType::FLOAT32), "LESS", "expected BOOL");
}

TEST(KernelsElementwise, Logical) {
  const auto a = host_tensor<bool>({4}, {true, true, false, false});
  const auto b = host_tensor<bool>({4}, {true, false, true, false});
  EXPECT_EQ(bools_of(run_op(BuiltinOp::LOGICAL_AND, {a, b}, TensorType::BOOL), {4}),
            (std::vector<bool>{true, false, false, false}));
  EXPECT_EQ(bools_of(run_op(BuiltinOp::LOGICAL_OR, {a, b}, TensorType::BOOL), {4}),
            (std::vector<bool>{true, true, true, false}));
  EXPECT_EQ(bools_of(run_op(BuiltinOp::LOGICAL_NOT, {a}, TensorType::BOOL), {4}),
            (std::vector<bool>{false, false, true, true}));
  // Broadcast against a scalar.
  EXPECT_EQ(
      bools_of(run_op(BuiltinOp::LOGICAL_AND, {a, host_tensor<bool>({}, {true})}, TensorType::BOOL), {4}),
      (std::vector<bool>{true, true, false, false}));
  // A byte other than 0/1 in a BOOL tensor reads as true.
  HostTensor odd = host_tensor<bool>({2}, {true, false});
  odd.bytes[0] = std::byte{2};
  EXPECT_EQ(bools_of(run_op(BuiltinOp::LOGICAL_NOT, {odd}, TensorType::BOOL), {2}),
            (std::vector<bool>{false, true}));
  expect_error(run_op(BuiltinOp::LOGICAL_OR, {host_tensor<float>({1}, {1}), host_tensor<float>({1}, {1})},
                      TensorType::BOOL),
               "LOGICAL_OR", "supported: BOOL");
}

// SELECT -------------------------------------------------------------------------

TEST(KernelsElementwise, SelectSameShapeRowsAndScalar) {
  const auto x = host_tensor<float>({2, 2}, {1, 2, 3, 4});
  const auto y = host_tensor<float>({2, 2}, {-1, -2, -3, -4});
  EXPECT_EQ(values_of<float>(
                run_op(BuiltinOp::SELECT, {host_tensor<bool>({2, 2}, {true, false, false, true}), x, y},
                       TensorType::FLOAT32),
                {2, 2}),
            (std::vector<float>{1, -2, -3, 4}));
  // Rank-1 condition picks whole rows: row 0 from y, row 1 from x.
  EXPECT_EQ(values_of<float>(
                run_op(BuiltinOp::SELECT, {host_tensor<bool>({2}, {false, true}), x, y}, TensorType::FLOAT32),
                {2, 2}),
            (std::vector<float>{-1, -2, 3, 4}));
  // A scalar condition picks a whole input.
  EXPECT_EQ(
      values_of<float>(run_op(BuiltinOp::SELECT, {host_tensor<bool>({}, {false}), x, y}, TensorType::FLOAT32),
                       {2, 2}),
      (std::vector<float>{-1, -2, -3, -4}));
  // int64 elements are copied whole.
  EXPECT_EQ(values_of<int64_t>(run_op(BuiltinOp::SELECT,
                                      {host_tensor<bool>({2}, {true, false}),
                                       host_tensor<int64_t>({2}, {int64_t{1} << 40, 1}),
                                       host_tensor<int64_t>({2}, {7, int64_t{-1} << 50})},
                                      TensorType::INT64),
                               {2}),
            (std::vector<int64_t>{int64_t{1} << 40, int64_t{-1} << 50}));
}

TEST(KernelsElementwise, SelectRejectsOtherConditionShapes) {
  const auto x = host_tensor<float>({2, 2}, {1, 2, 3, 4});
  // [2,1] would broadcast, but SELECT (v1) does not broadcast.
  expect_error(
      run_op(BuiltinOp::SELECT, {host_tensor<bool>({2, 1}, {true, false}), x, x}, TensorType::FLOAT32),
      "SELECT", "condition tensor");
  expect_error(
      run_op(BuiltinOp::SELECT, {host_tensor<float>({2, 2}, {1, 0, 0, 1}), x, x}, TensorType::FLOAT32),
      "SELECT", "expected BOOL");
}

TEST(KernelsElementwise, SelectV2Broadcasts) {
  // cond [2,1], x [1,3], y scalar -> [2,3]: row 0 is x, row 1 is y.
  auto r = run_op(BuiltinOp::SELECT_V2,
                  {host_tensor<bool>({2, 1}, {true, false}), host_tensor<int32_t>({1, 3}, {1, 2, 3}),
                   host_tensor<int32_t>({}, {-9})},
                  TensorType::INT32);
  EXPECT_EQ(values_of<int32_t>(r, {2, 3}), (std::vector<int32_t>{1, 2, 3, -9, -9, -9}));
  // Against naive indexing on a larger case.
  const Shape c_shape{3, 1, 4};
  const Shape x_shape{2, 1};
  const Shape y_shape{3, 2, 4};
  std::vector<bool> cond;
  for (int i = 0; i < 12; ++i) cond.push_back(i % 3 != 0);
  const auto xs = random_floats(2, 3, -1, 1);
  const auto ys = random_floats(24, 4, -1, 1);
  auto big = run_op(
      BuiltinOp::SELECT_V2,
      {host_tensor<bool>(c_shape, cond), host_tensor<float>(x_shape, xs), host_tensor<float>(y_shape, ys)},
      TensorType::FLOAT32);
  const Shape out_shape{3, 2, 4};
  const auto got = values_of<float>(big, out_shape);
  ASSERT_EQ(got.size(), 24u);
  for (int64_t i = 0; i < 24; ++i) {
    const bool c = cond[static_cast<size_t>(operand_index(out_shape, c_shape, i))];
    const float want = c ? xs[static_cast<size_t>(operand_index(out_shape, x_shape, i))]
                         : ys[static_cast<size_t>(operand_index(out_shape, y_shape, i))];
    EXPECT_EQ(got[static_cast<size_t>(i)], want) << "element " << i;
  }
  expect_error(run_op(BuiltinOp::SELECT_V2,
                      {host_tensor<bool>({3}, {true, true, false}), host_tensor<float>({2}, {1, 2}),
                       host_tensor<float>({2}, {1, 2})},
                      TensorType::FLOAT32),
               "SELECT_V2", "do not broadcast");
}

TEST(KernelsElementwise, AddN) {
  const auto a = host_tensor<float>({2}, {1, 2});
  const auto b = host_tensor<float>({2}, {10, 20});
  const auto c = host_tensor<float>({2}, {100, 200});
  EXPECT_EQ(values_of<float>(run_op(BuiltinOp::ADD_N, {a, b, c}, TensorType::FLOAT32), {2}),
            (std::vector<float>{111, 222}));
  EXPECT_EQ(values_of<int32_t>(
                run_op(BuiltinOp::ADD_N, {host_tensor<int32_t>({1}, {5}), host_tensor<int32_t>({1}, {-7})},
                       TensorType::INT32),
                {1}),
            (std::vector<int32_t>{-2}));
  // No broadcasting.
  expect_error(run_op(BuiltinOp::ADD_N, {a, host_tensor<float>({1}, {1})}, TensorType::FLOAT32), "ADD_N",
               "has shape");
}

// Unary maths ------------------------------------------------------------------------

struct UnaryCase {
  BuiltinOp op;
  double (*formula)(double);
  float lo;
  float hi;
  double tolerance;  // |fast - formula| <= tolerance · max(1, |formula|)
};

// Relative tolerance of Eigen's vectorised functions against double-precision
// maths; the exact operations must match bit for bit.
TEST(KernelsElementwise, UnaryFastAndReferenceAgreeWithTheFormula) {
  const UnaryCase cases[] = {
      {BuiltinOp::ABS, [](double x) { return std::fabs(x); }, -10, 10, 0},
      {BuiltinOp::NEG, [](double x) { return -x; }, -10, 10, 0},
      {BuiltinOp::SQUARE, [](double x) { return x * x; }, -10, 10, 0},
      {BuiltinOp::SQRT, [](double x) { return std::sqrt(x); }, 0, 100, 0},
      {BuiltinOp::RSQRT, [](double x) { return 1 / std::sqrt(x); }, 0.01f, 100, 2e-7},
      {BuiltinOp::EXP, [](double x) { return std::exp(x); }, -80, 80, 5e-7},
      {BuiltinOp::LOG, [](double x) { return std::log(x); }, 1e-6f, 1e6f, 5e-7},
      {BuiltinOp::SIN, [](double x) { return std::sin(x); }, -100, 100, 5e-7},
      {BuiltinOp::COS, [](double x) { return std::cos(x); }, -100, 100, 5e-7},
      {BuiltinOp::FLOOR, [](double x) { return std::floor(x); }, -1000, 1000, 0},
      {BuiltinOp::CEIL, [](double x) { return std::ceil(x); }, -1000, 1000, 0},
      {BuiltinOp::ROUND, [](double x) { return std::nearbyint(x); }, -1000, 1000, 0},
      {BuiltinOp::SIGN, [](double x) { return static_cast<double>((0 < x) - (x < 0)); }, -3, 3, 0},
  };
  for (const UnaryCase& c : cases) {
    SCOPED_TRACE(format::op_name(c.op));
    auto in = random_floats(4099, static_cast<uint32_t>(c.op), c.lo, c.hi);  // odd length: a scalar tail
    in[0] = c.lo;
    in[1] = c.hi;
    const auto fast =
        values_of<float>(run_op(c.op, {host_tensor<float>({4099}, in)}, TensorType::FLOAT32), {4099});
    const auto ref = values_of<float>(
        run_op(c.op, {host_tensor<float>({4099}, in)}, TensorType::FLOAT32, {}, Flavor::kReference), {4099});
    ASSERT_EQ(fast.size(), in.size());
    ASSERT_EQ(ref.size(), in.size());
    for (size_t i = 0; i < in.size(); ++i) {
      // The formula in double, rounded once to float: the correctly rounded result.
      const auto want = static_cast<float>(c.formula(static_cast<double>(in[i])));
      const double bound = c.tolerance * std::max(1.0, std::fabs(static_cast<double>(want)));
      ASSERT_LE(std::fabs(static_cast<double>(fast[i]) - want), bound) << "fast, x = " << in[i];
      ASSERT_LE(std::fabs(static_cast<double>(ref[i]) - want), bound) << "reference, x = " << in[i];
      if (c.tolerance == 0) {
        ASSERT_EQ(std::bit_cast<uint32_t>(fast[i] + 0.0f), std::bit_cast<uint32_t>(ref[i] + 0.0f))
            << "x = " << in[i];
      }
    }
  }
}

TEST(KernelsElementwise, RoundIsHalfToEven) {
  const auto in = host_tensor<float>({8}, {-2.5f, -1.5f, -0.5f, 0.5f, 1.5f, 2.5f, 2.4f, 2.6f});
  const std::vector<float> want{-2, -2, -0.0f, 0, 2, 2, 2, 3};
  for (Flavor f : {Flavor::kFast, Flavor::kReference}) {
    EXPECT_EQ(values_of<float>(run_op(BuiltinOp::ROUND, {in}, TensorType::FLOAT32, {}, f), {8}), want);
  }
}

TEST(KernelsElementwise, SpecialValues) {
  // sqrt(-1) and log(-1) are NaN, log(0) is -inf, rsqrt(0) is +inf.
  const auto v =
      values_of<float>(run_op(BuiltinOp::LOG, {host_tensor<float>({2}, {-1, 0})}, TensorType::FLOAT32), {2});
  ASSERT_EQ(v.size(), 2u);
  EXPECT_TRUE(std::isnan(v[0]));
  EXPECT_EQ(v[1], -kInf);
  EXPECT_EQ(
      values_of<float>(run_op(BuiltinOp::RSQRT, {host_tensor<float>({1}, {0})}, TensorType::FLOAT32), {1}),
      (std::vector<float>{kInf}));
  const auto s = values_of<float>(
      run_op(BuiltinOp::SIGN, {host_tensor<float>({3}, {kNaN, -0.0f, -kInf})}, TensorType::FLOAT32), {3});
  EXPECT_EQ(s, (std::vector<float>{0, 0, -1}));
}

TEST(KernelsElementwise, IntegerUnary) {
  constexpr int32_t kMin = std::numeric_limits<int32_t>::min();
  EXPECT_EQ(values_of<int32_t>(
                run_op(BuiltinOp::ABS, {host_tensor<int32_t>({3}, {-5, 7, kMin})}, TensorType::INT32), {3}),
            (std::vector<int32_t>{5, 7, kMin}));  // |min| wraps to min
  EXPECT_EQ(values_of<int64_t>(
                run_op(BuiltinOp::NEG, {host_tensor<int64_t>({2}, {-5, 7})}, TensorType::INT64), {2}),
            (std::vector<int64_t>{5, -7}));
  EXPECT_EQ(values_of<int32_t>(
                run_op(BuiltinOp::SIGN, {host_tensor<int32_t>({3}, {-5, 0, 7})}, TensorType::INT32), {3}),
            (std::vector<int32_t>{-1, 0, 1}));
  // Float-only ops refuse integers.
  expect_error(run_op(BuiltinOp::EXP, {host_tensor<int32_t>({1}, {1})}, TensorType::INT32), "EXP",
               "supported: FLOAT32");
  expect_error(run_op(BuiltinOp::SQRT, {host_tensor<float>({1}, {1})}, TensorType::INT32), "SQRT",
               "expected FLOAT32");
}

// CAST ----------------------------------------------------------------------------------

TEST(KernelsElementwise, CastFloatToIntTruncatesAndSaturates) {
  constexpr int32_t kMax = std::numeric_limits<int32_t>::max();
  constexpr int32_t kMin = std::numeric_limits<int32_t>::min();
  auto r = run_op(BuiltinOp::CAST, {host_tensor<float>({6}, {1.9f, -1.9f, 3e9f, -3e9f, kNaN, 2147483520.0f})},
                  TensorType::INT32);
  // 2147483520 is the largest float below 2^31.
  EXPECT_EQ(values_of<int32_t>(r, {6}), (std::vector<int32_t>{1, -1, kMax, kMin, kMax, 2147483520}));
  EXPECT_EQ(
      values_of<uint8_t>(
          run_op(BuiltinOp::CAST, {host_tensor<float>({3}, {-1, 255.9f, 300})}, TensorType::UINT8), {3}),
      (std::vector<uint8_t>{0, 255, 255}));
}

TEST(KernelsElementwise, CastBetweenIntegersAndBool) {
  // Narrowing integer casts wrap: 300 -> 44, -1 -> 255.
  EXPECT_EQ(values_of<int8_t>(
                run_op(BuiltinOp::CAST, {host_tensor<int32_t>({2}, {300, -129})}, TensorType::INT8), {2}),
            (std::vector<int8_t>{44, 127}));
  EXPECT_EQ(
      values_of<uint8_t>(run_op(BuiltinOp::CAST, {host_tensor<int64_t>({1}, {-1})}, TensorType::UINT8), {1}),
      (std::vector<uint8_t>{255}));
  EXPECT_EQ(
      values_of<float>(
          run_op(BuiltinOp::CAST, {host_tensor<int32_t>({2}, {-7, 16777217})}, TensorType::FLOAT32), {2}),
      (std::vector<float>{-7, 16777216}));  // 2^24+1 rounds to even
  EXPECT_EQ(
      bools_of(run_op(BuiltinOp::CAST, {host_tensor<float>({4}, {0, -0.0f, 0.5f, kNaN})}, TensorType::BOOL),
               {4}),
      (std::vector<bool>{false, false, true, true}));
  EXPECT_EQ(values_of<float>(
                run_op(BuiltinOp::CAST, {host_tensor<bool>({2}, {true, false})}, TensorType::FLOAT32), {2}),
            (std::vector<float>{1, 0}));
  EXPECT_EQ(
      values_of<int64_t>(run_op(BuiltinOp::CAST, {host_tensor<int32_t>({1}, {-3})}, TensorType::INT64), {1}),
      (std::vector<int64_t>{-3}));
}

HostTensor half_tensor(Shape shape, const std::vector<uint16_t>& bits) {
  HostTensor h{TensorType::FLOAT16, std::move(shape), std::vector<std::byte>(bits.size() * 2)};
  std::memcpy(h.bytes.data(), bits.data(), h.bytes.size());
  return h;
}

TEST(KernelsElementwise, CastToAndFromFloat16) {
  // IEEE binary16 encodings: 1 = 0x3C00, -2 = 0xC000, 65504 (max) = 0x7BFF,
  // 2^-24 (smallest subnormal) = 0x0001, 1/3 -> 0x3555, 65520 rounds up to
  // inf 0x7C00; 1 + 2^-11 is a tie between 0x3C00 and 0x3C01 -> even 0x3C00,
  // 1 + 3·2^-11 is a tie between 0x3C01 and 0x3C02 -> even 0x3C02.
  auto to_half = run_op(BuiltinOp::CAST,
                        {host_tensor<float>({8}, {1, -2, 65504, std::ldexp(1.0f, -24), 1.0f / 3, 65520,
                                                  1 + std::ldexp(1.0f, -11), 1 + 3 * std::ldexp(1.0f, -11)})},
                        TensorType::FLOAT16);
  EXPECT_EQ(values_of<uint16_t>(to_half, {8}),
            (std::vector<uint16_t>{0x3C00, 0xC000, 0x7BFF, 0x0001, 0x3555, 0x7C00, 0x3C00, 0x3C02}));
  auto from_half =
      run_op(BuiltinOp::CAST, {half_tensor({4}, {0x3C00, 0xC000, 0x0001, 0xFC00})}, TensorType::FLOAT32);
  EXPECT_EQ(values_of<float>(from_half, {4}), (std::vector<float>{1, -2, std::ldexp(1.0f, -24), -kInf}));
  // float16 -> int32 goes through float and truncates: 0x4500 = 5, 0xC2CD = -3.40...
  EXPECT_EQ(values_of<int32_t>(
                run_op(BuiltinOp::CAST, {half_tensor({2}, {0x4500, 0xC2CD})}, TensorType::INT32), {2}),
            (std::vector<int32_t>{5, -3}));
}

TEST(KernelsElementwise, CastRejectsNonNumericTypes) {
  expect_error(run_op(BuiltinOp::CAST, {host_tensor<float>({1}, {1})}, TensorType::STRING), "CAST", "STRING");
}

// Fillers ----------------------------------------------------------------------------------

TEST(KernelsElementwise, ZerosLike) {
  EXPECT_EQ(values_of<float>(
                run_op(BuiltinOp::ZEROS_LIKE, {host_tensor<float>({2, 1}, {5, kNaN})}, TensorType::FLOAT32),
                {2, 1}),
            (std::vector<float>{0, 0}));
  EXPECT_EQ(
      values_of<int64_t>(
          run_op(BuiltinOp::ZEROS_LIKE, {host_tensor<int64_t>({3}, {5, 6, 7})}, TensorType::INT64), {3}),
      (std::vector<int64_t>{0, 0, 0}));
  EXPECT_EQ(bools_of(run_op(BuiltinOp::ZEROS_LIKE, {host_tensor<bool>({1}, {true})}, TensorType::BOOL), {1}),
            (std::vector<bool>{false}));
  expect_error(run_op(BuiltinOp::ZEROS_LIKE, {host_tensor<float>({1}, {1})}, TensorType::INT32), "ZEROS_LIKE",
               "expected FLOAT32");
}

TEST(KernelsElementwise, FillWithConstantDims) {
  OpTest t;
  const int dims = t.constant<int32_t>("dims", {2}, {2, 3});
  const int value = t.input("value", TensorType::FLOAT32, {});
  const int out = t.output("out", TensorType::FLOAT32);
  t.op(BuiltinOp::FILL, {dims, value}, {out});
  auto r = t.run({host_tensor<float>({}, {1.5f})});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->at(0).shape, (Shape{2, 3}));
  EXPECT_EQ(r->at(0).values<float>(), std::vector<float>(6, 1.5f));
}

TEST(KernelsElementwise, FillWithRuntimeDimsIsDynamic) {
  auto r = run_op(BuiltinOp::FILL, {host_tensor<int64_t>({3}, {2, 1, 2}), host_tensor<int32_t>({}, {-4})},
                  TensorType::INT32);
  EXPECT_EQ(values_of<int32_t>(r, {2, 1, 2}), (std::vector<int32_t>{-4, -4, -4, -4}));
  auto b = run_op(BuiltinOp::FILL, {host_tensor<int32_t>({1}, {3}), host_tensor<bool>({}, {true})},
                  TensorType::BOOL);
  EXPECT_EQ(bools_of(b, {3}), (std::vector<bool>{true, true, true}));
  // A scalar output from empty dims.
  auto s = run_op(BuiltinOp::FILL, {empty_tensor(TensorType::INT32, {0}), host_tensor<float>({}, {2})},
                  TensorType::FLOAT32);
  EXPECT_EQ(values_of<float>(s, {}), (std::vector<float>{2}));
}

TEST(KernelsElementwise, FillErrors) {
  expect_error(run_op(BuiltinOp::FILL, {host_tensor<int32_t>({2}, {2, -1}), host_tensor<float>({}, {1})},
                      TensorType::FLOAT32),
               "FILL", "dimension -1");
  expect_error(run_op(BuiltinOp::FILL, {host_tensor<int32_t>({1}, {2}), host_tensor<float>({2}, {1, 2})},
                      TensorType::FLOAT32),
               "FILL", "one element");
  expect_error(run_op(BuiltinOp::FILL, {host_tensor<float>({1}, {2}), host_tensor<float>({}, {1})},
                      TensorType::FLOAT32),
               "FILL", "INT32 or INT64");
}

}  // namespace
}  // namespace qs::test
