#include "runtime/kernels/kernel_util.h"

namespace qs::runtime::kernels {

Result<const Tensor*> required_input(const OpContext& ctx, int i) {
  const Tensor* t = ctx.input(i);
  if (t == nullptr) return ctx.error(cat("input ", i, " is missing"));
  return t;
}

Status expect_type(const OpContext& ctx, const Tensor& t, TensorType type) {
  if (t.type == type) return {};
  return ctx.error(cat("tensor ", t.index, " '", t.name, "' is ", format::type_name(t.type), ", expected ",
                       format::type_name(type)));
}

Status expect_rank(const OpContext& ctx, const Tensor& t, int rank) {
  if (t.rank() == rank) return {};
  return ctx.error(cat("tensor ", t.index, " '", t.name, "' has shape ", format::shape_string(t.shape),
                       ", expected rank ", rank));
}

ActivationRange activation_range(tfl::ActivationFunctionType fn) {
  using A = tfl::ActivationFunctionType;
  switch (fn) {
    case A::NONE: return {};
    case A::RELU: return {0.0f, std::numeric_limits<float>::infinity(), true};
    case A::RELU_N1_TO_1: return {-1.0f, 1.0f, true};
    case A::RELU6: return {0.0f, 6.0f, true};
    default: return {0.0f, 0.0f, false};
  }
}

Status expect_clamp_activation(const OpContext& ctx, tfl::ActivationFunctionType fn) {
  if (activation_range(fn).supported) return {};
  return ctx.error(cat("fused activation ", tfl::EnumNameActivationFunctionType(fn), " is not supported"));
}

Result<int> normalize_axis(const OpContext& ctx, int64_t axis, int rank) {
  const int64_t a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= std::max(rank, 1)) return ctx.error(cat("axis ", axis, " is out of range for rank ", rank));
  return static_cast<int>(a);
}

Result<std::vector<int64_t>> read_index_values(const OpContext& ctx, const Tensor& t) {
  std::vector<int64_t> out;
  out.reserve(static_cast<size_t>(t.elements()));
  if (t.type == TensorType::INT32) {
    for (int32_t v : t.values<int32_t>()) out.push_back(v);
  } else if (t.type == TensorType::INT64) {
    for (int64_t v : t.values<int64_t>()) out.push_back(v);
  } else {
    return ctx.error(cat("tensor ", t.index, " '", t.name, "' must be INT32 or INT64, is ",
                         format::type_name(t.type)));
  }
  return out;
}

}  // namespace qs::runtime::kernels
