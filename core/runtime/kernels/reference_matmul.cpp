#include "runtime/kernels/reference_matmul.h"

#include <algorithm>
#include <cstddef>

namespace qs::runtime::kernels::reference {

void fully_connected(int batches, int in_features, int out_features, const float* input, const float* weights,
                     const float* bias, ActivationRange act, float* output) {
  for (int b = 0; b < batches; ++b) {
    const float* x = input + static_cast<size_t>(b) * static_cast<size_t>(in_features);
    for (int o = 0; o < out_features; ++o) {
      const float* w = weights + static_cast<size_t>(o) * static_cast<size_t>(in_features);
      float total = 0.0f;
      for (int i = 0; i < in_features; ++i) total += x[i] * w[i];
      if (bias != nullptr) total += bias[o];
      output[static_cast<size_t>(b) * static_cast<size_t>(out_features) + static_cast<size_t>(o)] =
          std::min(std::max(total, act.low), act.high);
    }
  }
}

void batch_matmul(const BatchMatMulShape& s, const float* lhs, const float* rhs, float* output) {
  const size_t rows = static_cast<size_t>(s.rows());
  const size_t depth = static_cast<size_t>(s.depth());
  const size_t cols = static_cast<size_t>(s.cols());
  const size_t lhs_matrix = static_cast<size_t>(s.lhs[3]) * static_cast<size_t>(s.lhs[4]);
  const size_t rhs_matrix = static_cast<size_t>(s.rhs[3]) * static_cast<size_t>(s.rhs[4]);
  // Element strides of the three batch dimensions; 0 where the operand
  // broadcasts.
  auto strides = [](const std::array<int32_t, 5>& d, size_t matrix) {
    std::array<size_t, 3> st{};
    size_t inner = matrix;
    for (int i = 2; i >= 0; --i) {
      st[static_cast<size_t>(i)] = d[static_cast<size_t>(i)] == 1 ? 0 : inner;
      inner *= static_cast<size_t>(d[static_cast<size_t>(i)]);
    }
    return st;
  };
  const auto ls = strides(s.lhs, lhs_matrix);
  const auto rs = strides(s.rhs, rhs_matrix);
  // Element (r, k) of lhs' and (k, c) of rhs' in storage order.
  const size_t lhs_r = s.adj_x ? 1 : depth, lhs_k = s.adj_x ? rows : 1;
  const size_t rhs_k = s.adj_y ? 1 : cols, rhs_c = s.adj_y ? depth : 1;
  float* out = output;
  for (int b0 = 0; b0 < s.batch(0); ++b0) {
    for (int b1 = 0; b1 < s.batch(1); ++b1) {
      for (int b2 = 0; b2 < s.batch(2); ++b2) {
        const float* l = lhs + static_cast<size_t>(b0) * ls[0] + static_cast<size_t>(b1) * ls[1] +
                         static_cast<size_t>(b2) * ls[2];
        const float* r = rhs + static_cast<size_t>(b0) * rs[0] + static_cast<size_t>(b1) * rs[1] +
                         static_cast<size_t>(b2) * rs[2];
        for (size_t i = 0; i < rows; ++i) {
          for (size_t j = 0; j < cols; ++j) {
            float total = 0.0f;
            for (size_t k = 0; k < depth; ++k) total += l[i * lhs_r + k * lhs_k] * r[k * rhs_k + j * rhs_c];
            out[i * cols + j] = total;
          }
        }
        out += rows * cols;
      }
    }
  }
}

}  // namespace qs::runtime::kernels::reference
