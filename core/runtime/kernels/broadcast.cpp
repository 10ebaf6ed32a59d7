#include "runtime/kernels/broadcast.h"

#include <algorithm>
#include <string>

namespace qs::runtime::kernels {
namespace {

// Dimension `d` of `shape` counted so that the last dimensions line up with
// an output of rank `rank`; 1 where the shape is shorter.
int32_t aligned_dim(std::span<const int32_t> shape, int rank, int d) {
  const int offset = rank - static_cast<int>(shape.size());
  return d < offset ? 1 : shape[static_cast<size_t>(d - offset)];
}

std::string operand_label(const Tensor& t) {
  return cat("tensor ", t.index, " '", t.name, "' ", format::shape_string(t.shape));
}

}  // namespace

std::optional<Shape> broadcast_shapes(std::span<const int32_t> a, std::span<const int32_t> b) {
  const int rank = static_cast<int>(std::max(a.size(), b.size()));
  Shape out(static_cast<size_t>(rank));
  for (int d = 0; d < rank; ++d) {
    const int32_t da = aligned_dim(a, rank, d);
    const int32_t db = aligned_dim(b, rank, d);
    if (da != db && da != 1 && db != 1) return std::nullopt;
    out[static_cast<size_t>(d)] = da == 1 ? db : da;
  }
  return out;
}

std::optional<BroadcastPlan> plan_broadcast(std::span<const int32_t> out,
                                            std::initializer_list<std::span<const int32_t>> inputs) {
  const int rank = static_cast<int>(out.size());
  const int operands = static_cast<int>(inputs.size());
  if (operands > kMaxBroadcastOperands) return std::nullopt;
  for (std::span<const int32_t> in : inputs) {
    if (in.size() > out.size()) return std::nullopt;
  }

  BroadcastPlan plan;
  plan.operands = operands;
  plan.rank = 0;
  // Per collapsed dimension: its size and which operands repeat along it.
  std::array<std::array<bool, kMaxBroadcastOperands>, kMaxBroadcastRank> repeats{};
  for (int d = 0; d < rank; ++d) {
    const int32_t size = out[static_cast<size_t>(d)];
    if (size == 1) continue;  // contributes nothing to any offset
    std::array<bool, kMaxBroadcastOperands> rep{};
    int k = 0;
    for (std::span<const int32_t> in : inputs) {
      const int32_t din = aligned_dim(in, rank, d);
      if (din != size && din != 1) return std::nullopt;
      rep[static_cast<size_t>(k++)] = din != size;
    }
    if (plan.rank > 0 && repeats[static_cast<size_t>(plan.rank - 1)] == rep) {
      plan.dims[static_cast<size_t>(plan.rank - 1)] *= size;
      continue;
    }
    if (plan.rank == kMaxBroadcastRank) return std::nullopt;
    plan.dims[static_cast<size_t>(plan.rank)] = size;
    repeats[static_cast<size_t>(plan.rank)] = rep;
    ++plan.rank;
  }
  if (plan.rank == 0) {  // a single element: one row of one
    plan.rank = 1;
    plan.dims[0] = 1;
    return plan;
  }
  for (int k = 0; k < operands; ++k) {
    int64_t stride = 1;
    for (int d = plan.rank - 1; d >= 0; --d) {
      const auto ud = static_cast<size_t>(d);
      const bool rep = repeats[ud][static_cast<size_t>(k)];
      plan.strides[static_cast<size_t>(k)][ud] = rep ? 0 : stride;
      if (!rep) stride *= plan.dims[ud];
    }
  }
  return plan;
}

Result<Shape> broadcast_shape(const OpContext& ctx, std::initializer_list<const Tensor*> operands) {
  Shape out;
  std::string labels;
  for (const Tensor* t : operands) {
    if (t == nullptr) continue;
    labels += (labels.empty() ? "" : ", ") + operand_label(*t);
    std::optional<Shape> next = broadcast_shapes(out, t->shape);
    if (!next) return ctx.error(cat("shapes do not broadcast: ", labels));
    out = std::move(*next);
  }
  // Planning also bounds the number of collapsed dimensions.
  bool plannable = true;
  std::vector<const Tensor*> present;
  for (const Tensor* t : operands) {
    if (t != nullptr) present.push_back(t);
  }
  if (present.size() <= static_cast<size_t>(kMaxBroadcastOperands)) {
    std::optional<BroadcastPlan> plan;
    switch (present.size()) {
      case 1:
        plan = plan_broadcast(out, {present[0]->shape});
        break;
      case 2:
        plan = plan_broadcast(out, {present[0]->shape, present[1]->shape});
        break;
      case 3:
        plan = plan_broadcast(out, {present[0]->shape, present[1]->shape, present[2]->shape});
        break;
      default:
        plan = BroadcastPlan{};
        break;
    }
    plannable = plan.has_value();
  }
  if (!plannable) {
    return ctx.error(cat("broadcasting ", labels, " needs more than ", kMaxBroadcastRank, " dimensions"));
  }
  return out;
}

}  // namespace qs::runtime::kernels
