#include "runtime/kernels/rnn_math.h"

#include <Eigen/Core>
#include <algorithm>
#include <cmath>

namespace qs::runtime::kernels::recurrent {
namespace {

using RowMajorMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using ConstStridedRows = Eigen::Map<const RowMajorMatrix, 0, Eigen::OuterStride<>>;

Eigen::Map<Eigen::ArrayXf> as_array(float* values, int64_t count) {
  return {values, static_cast<Eigen::Index>(count)};
}

void clamp_all(float* values, int64_t count, float low, float high) {
  for (int64_t i = 0; i < count; ++i) values[i] = std::max(low, std::min(values[i], high));
}

}  // namespace

void accumulate_product(const float* weights, int rows, int cols, ConstRows in, float* out, bool plain) {
  if (plain) {
    for (int b = 0; b < in.count; ++b) {
      const float* x = in.data + b * in.stride;
      float* y = out + static_cast<int64_t>(b) * rows;
      for (int r = 0; r < rows; ++r) {
        const float* w = weights + static_cast<int64_t>(r) * cols;
        float sum = 0.0f;
        for (int c = 0; c < cols; ++c) sum += w[c] * x[c];
        y[r] += sum;
      }
    }
    return;
  }
  if (in.count == 0 || rows == 0) return;
  const Eigen::Map<const RowMajorMatrix> w(weights, rows, cols);
  // A stride below the row length only happens for a single row, where it
  // is never used; Eigen still wants a sensible one.
  const ConstStridedRows x(in.data, in.count, cols, Eigen::OuterStride<>(std::max<int64_t>(in.stride, cols)));
  Eigen::Map<RowMajorMatrix> y(out, in.count, rows);
  y.noalias() += x * w.transpose();
}

void sigmoid_in_place(float* values, int64_t count, bool plain) {
  if (plain) {
    for (int64_t i = 0; i < count; ++i) values[i] = 1.0f / (1.0f + std::exp(-values[i]));
    return;
  }
  auto a = as_array(values, count);
  a = a.logistic();
}

void apply_activation(float* values, int64_t count, tfl::ActivationFunctionType fn, bool plain) {
  using A = tfl::ActivationFunctionType;
  switch (fn) {
    case A::NONE:
      return;
    case A::RELU:
      for (int64_t i = 0; i < count; ++i) values[i] = std::max(0.0f, values[i]);
      return;
    case A::RELU_N1_TO_1:
      clamp_all(values, count, -1.0f, 1.0f);
      return;
    case A::RELU6:
      clamp_all(values, count, 0.0f, 6.0f);
      return;
    case A::TANH:
      if (plain) {
        for (int64_t i = 0; i < count; ++i) values[i] = std::tanh(values[i]);
      } else {
        auto a = as_array(values, count);
        a = a.tanh();
      }
      return;
    case A::SIGN_BIT:
      for (int64_t i = 0; i < count; ++i) values[i] = std::signbit(values[i]) ? 1.0f : 0.0f;
      return;
  }
}

void clip_in_place(float* values, int64_t count, float limit) {
  // Comparisons rather than min/max, so a NaN stays NaN as in TFLite's
  // CwiseClipping.
  for (int64_t i = 0; i < count; ++i) {
    if (values[i] > limit) values[i] = limit;
    if (values[i] < -limit) values[i] = -limit;
  }
}

ConstRows time_step(const SequenceLayout& layout, const float* data, int64_t width, int t) {
  if (layout.time_major) {
    return {data + static_cast<int64_t>(t) * layout.n_batch * width, layout.n_batch, width};
  }
  return {data + t * width, layout.n_batch, layout.max_time * width};
}

Rows time_step(const SequenceLayout& layout, float* data, int64_t width, int t, int64_t offset) {
  if (layout.time_major) {
    return {data + static_cast<int64_t>(t) * layout.n_batch * width + offset, layout.n_batch, width};
  }
  return {data + t * width + offset, layout.n_batch, layout.max_time * width};
}

}  // namespace qs::runtime::kernels::recurrent
