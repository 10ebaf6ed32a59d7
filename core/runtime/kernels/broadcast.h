#pragma once
// Numpy-style broadcasting for kernels: operand shapes are aligned at their
// last dimension, and each pair of dimensions must be equal or one of them 1
// (the operand is then repeated along that dimension). The output takes the
// larger of each pair.
//
// Loops are planned on collapsed shapes: output dimensions of size 1 are
// dropped and neighbouring dimensions that every operand treats alike (spans
// both, or repeats along both) are merged. Adding a [C] bias to [N,H,W,C]
// becomes two dimensions, [N·H·W, C], whose inner rows are contiguous, so the
// innermost loop is a plain vectorisable one. Same-shape and single-element
// operands skip planning altogether.
//
// Up to kMaxBroadcastRank dimensions remain after collapsing (TFLite's own
// broadcasting kernels stop at 4 to 6 dimensions before collapsing).

#include <array>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>

#include "runtime/kernel.h"

namespace qs::runtime::kernels {

inline constexpr int kMaxBroadcastRank = 6;
inline constexpr int kMaxBroadcastOperands = 3;

// The broadcast shape of `a` and `b`; nothing when they are incompatible.
std::optional<Shape> broadcast_shapes(std::span<const int32_t> a, std::span<const int32_t> b);

// The output shape of broadcasting `operands` together (null entries are
// skipped), or an error naming the op and the tensors: incompatible shapes,
// or more than kMaxBroadcastRank dimensions after collapsing.
Result<Shape> broadcast_shape(const OpContext& ctx, std::initializer_list<const Tensor*> operands);

// Where each operand's elements are for every output element, on the
// collapsed shape. strides[k][d] is 0 where operand k repeats along d.
struct BroadcastPlan {
  int rank = 1;
  int operands = 0;
  std::array<int64_t, kMaxBroadcastRank> dims{};
  std::array<std::array<int64_t, kMaxBroadcastRank>, kMaxBroadcastOperands> strides{};

  int64_t inner_stride(int k) const { return strides[static_cast<size_t>(k)][static_cast<size_t>(rank - 1)]; }
};

// Plans reading `inputs` (each broadcastable to `out`) in output order;
// nothing when more than kMaxBroadcastRank collapsed dimensions would be
// needed or the shapes do not broadcast to `out`.
std::optional<BroadcastPlan> plan_broadcast(std::span<const int32_t> out,
                                            std::initializer_list<std::span<const int32_t>> inputs);

// Calls row(out_offset, offsets, n) for each innermost row of the plan's
// output: n elements starting at out_offset, operand k's row starting at
// offsets[k] and advancing by plan.inner_stride(k) (0 or 1) per element.
template <class Row>
void for_each_row(const BroadcastPlan& plan, Row&& row) {
  const int outer_rank = plan.rank - 1;
  const int64_t n = plan.dims[static_cast<size_t>(outer_rank)];
  std::array<int64_t, kMaxBroadcastRank> index{};
  std::array<int64_t, kMaxBroadcastOperands> offsets{};
  int64_t out_offset = 0;
  for (;;) {
    row(out_offset, offsets, n);
    out_offset += n;
    int d = outer_rank - 1;
    for (; d >= 0; --d) {
      const auto ud = static_cast<size_t>(d);
      for (int k = 0; k < plan.operands; ++k)
        offsets[static_cast<size_t>(k)] += plan.strides[static_cast<size_t>(k)][ud];
      if (++index[ud] < plan.dims[ud]) break;
      for (int k = 0; k < plan.operands; ++k) {
        offsets[static_cast<size_t>(k)] -= plan.strides[static_cast<size_t>(k)][ud] * plan.dims[ud];
      }
      index[ud] = 0;
    }
    if (d < 0) return;
  }
}

// out[i] = f(a[i'], b[i'']) over the broadcast of a_shape and b_shape, which
// must be out_shape (prepare checked it with broadcast_shape).
template <class A, class B, class Out, class F>
void broadcast_binary(std::span<const int32_t> a_shape, const A* a, std::span<const int32_t> b_shape,
                      const B* b, std::span<const int32_t> out_shape, Out* out, F f) {
  const int64_t n = element_count(out_shape);
  if (n == 0) return;
  const int64_t na = element_count(a_shape);
  const int64_t nb = element_count(b_shape);
  if (na == n && nb == n) {
    for (int64_t i = 0; i < n; ++i) out[i] = f(a[i], b[i]);
    return;
  }
  if (na == 1) {
    const A x = a[0];
    for (int64_t i = 0; i < n; ++i) out[i] = f(x, b[i]);
    return;
  }
  if (nb == 1) {
    const B y = b[0];
    for (int64_t i = 0; i < n; ++i) out[i] = f(a[i], y);
    return;
  }
  const std::optional<BroadcastPlan> plan = plan_broadcast(out_shape, {a_shape, b_shape});
  if (!plan) return;  // unreachable after a successful prepare
  const bool a_runs = plan->inner_stride(0) != 0;
  const bool b_runs = plan->inner_stride(1) != 0;
  for_each_row(*plan, [&](int64_t o, const std::array<int64_t, kMaxBroadcastOperands>& at, int64_t len) {
    const A* ra = a + at[0];
    const B* rb = b + at[1];
    Out* ro = out + o;
    // One loop per stride pattern, so each is a plain loop the compiler
    // vectorises.
    if (a_runs && b_runs) {
      for (int64_t i = 0; i < len; ++i) ro[i] = f(ra[i], rb[i]);
    } else if (b_runs) {
      const A x = ra[0];
      for (int64_t i = 0; i < len; ++i) ro[i] = f(x, rb[i]);
    } else if (a_runs) {
      const B y = rb[0];
      for (int64_t i = 0; i < len; ++i) ro[i] = f(ra[i], y);
    } else {
      const Out v = f(ra[0], rb[0]);
      for (int64_t i = 0; i < len; ++i) ro[i] = v;
    }
  });
}

// out[i] = f(a[.], b[.], c[.]) over the broadcast of three operands.
template <class A, class B, class C, class Out, class F>
void broadcast_ternary(std::span<const int32_t> a_shape, const A* a, std::span<const int32_t> b_shape,
                       const B* b, std::span<const int32_t> c_shape, const C* c,
                       std::span<const int32_t> out_shape, Out* out, F f) {
  const int64_t n = element_count(out_shape);
  if (n == 0) return;
  if (element_count(a_shape) == n && element_count(b_shape) == n && element_count(c_shape) == n) {
    for (int64_t i = 0; i < n; ++i) out[i] = f(a[i], b[i], c[i]);
    return;
  }
  const std::optional<BroadcastPlan> plan = plan_broadcast(out_shape, {a_shape, b_shape, c_shape});
  if (!plan) return;  // unreachable after a successful prepare
  const int64_t sa = plan->inner_stride(0);
  const int64_t sb = plan->inner_stride(1);
  const int64_t sc = plan->inner_stride(2);
  for_each_row(*plan, [&](int64_t o, const std::array<int64_t, kMaxBroadcastOperands>& at, int64_t len) {
    const A* ra = a + at[0];
    const B* rb = b + at[1];
    const C* rc = c + at[2];
    Out* ro = out + o;
    for (int64_t i = 0; i < len; ++i) ro[i] = f(ra[i * sa], rb[i * sb], rc[i * sc]);
  });
}

}  // namespace qs::runtime::kernels
