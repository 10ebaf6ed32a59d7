#pragma once
// Plain-loop FULLY_CONNECTED and BATCH_MATMUL on float tensors, following
// TFLite's reference kernels (reference/fully_connected.h, batch_matmul.h).

#include <array>
#include <cstdint>

#include "runtime/kernels/kernel_util.h"

namespace qs::runtime::kernels::reference {

// output[b, o] = act(sum_i input[b, i] * weights[o, i] + bias[o]); bias may
// be null.
void fully_connected(int batches, int in_features, int out_features, const float* input, const float* weights,
                     const float* bias, ActivationRange act, float* output);

// Shapes of a BATCH_MATMUL, each extended to rank 5 with leading 1s. The
// matrices are the last two dimensions as stored (before adj_x / adj_y).
struct BatchMatMulShape {
  std::array<int32_t, 5> lhs{};
  std::array<int32_t, 5> rhs{};
  bool adj_x = false;
  bool adj_y = false;

  int rows() const { return adj_x ? lhs[4] : lhs[3]; }
  int depth() const { return adj_x ? lhs[3] : lhs[4]; }
  int cols() const { return adj_y ? rhs[3] : rhs[4]; }
  // Broadcast batch dimension i (0..2).
  int batch(int i) const {
    return lhs[static_cast<size_t>(i)] == 1 ? rhs[static_cast<size_t>(i)] : lhs[static_cast<size_t>(i)];
  }
  bool operator==(const BatchMatMulShape&) const = default;
};

// output[..., r, c] = sum_k lhs'[..., r, k] * rhs'[..., k, c], where ' is
// the optional transpose and batch dimensions of size 1 broadcast.
void batch_matmul(const BatchMatMulShape& s, const float* lhs, const float* rhs, float* output);

}  // namespace qs::runtime::kernels::reference
