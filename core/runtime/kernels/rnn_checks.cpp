#include "runtime/kernels/rnn_checks.h"

#include <algorithm>

namespace qs::runtime::kernels::recurrent {
namespace {

std::string tensor_label(int position, std::string_view role, const Tensor& t) {
  return cat(input_label(position, role), ", tensor ", t.index, " '", t.name, "',");
}

Shape to_shape(std::initializer_list<int32_t> dims) { return Shape(dims.begin(), dims.end()); }

}  // namespace

std::string input_label(int position, std::string_view role) {
  return cat("input ", position, " (", role, ")");
}

Status expect_input_count(const OpContext& ctx, std::initializer_list<int> allowed) {
  if (std::find(allowed.begin(), allowed.end(), ctx.input_count()) != allowed.end()) return {};
  std::string list;
  for (int n : allowed) list += cat(list.empty() ? "" : " or ", n);
  return ctx.error(cat("expects ", list, " inputs, has ", ctx.input_count()));
}

Status expect_output_count(const OpContext& ctx, int count) {
  if (ctx.output_count() == count) return {};
  return ctx.error(cat("expects ", count, count == 1 ? " output" : " outputs", ", has ", ctx.output_count()));
}

Status expect_float(const OpContext& ctx, int position, std::string_view role, const Tensor& t) {
  if (t.type == TensorType::FLOAT32) return {};
  const bool integer =
      t.type == TensorType::INT8 || t.type == TensorType::UINT8 || t.type == TensorType::INT16;
  return ctx.error(cat(tensor_label(position, role, t), " is ", format::type_name(t.type),
                       integer ? ": hybrid kernels (integer weights, float activations) are not supported"
                               : ", expected FLOAT32"));
}

Status expect_float_shape(const OpContext& ctx, int position, std::string_view role, const Tensor& t,
                          std::initializer_list<int32_t> dims) {
  if (auto s = expect_float(ctx, position, role, t); !s) return s;
  if (std::equal(t.shape.begin(), t.shape.end(), dims.begin(), dims.end())) return {};
  return ctx.error(cat(tensor_label(position, role, t), " has shape ", format::shape_string(t.shape),
                       ", expected ", format::shape_string(to_shape(dims))));
}

Result<const Tensor*> float_input_of_rank(const OpContext& ctx, int position, std::string_view role,
                                          int rank) {
  const Tensor* t = ctx.input(position);
  if (t == nullptr) return ctx.error(cat(input_label(position, role), " is missing"));
  if (auto s = expect_float(ctx, position, role, *t); !s) return tl::unexpected(s.error());
  if (t->rank() != rank) {
    return ctx.error(cat(tensor_label(position, role, *t), " has shape ", format::shape_string(t->shape),
                         ", expected rank ", rank));
  }
  return t;
}

Result<const Tensor*> optional_float_input(const OpContext& ctx, int position, std::string_view role,
                                           std::initializer_list<int32_t> dims) {
  const Tensor* t = ctx.input(position);
  if (t == nullptr) return nullptr;
  if (auto s = expect_float_shape(ctx, position, role, *t, dims); !s) return tl::unexpected(s.error());
  return t;
}

Result<const Tensor*> required_float_input(const OpContext& ctx, int position, std::string_view role,
                                           std::initializer_list<int32_t> dims) {
  if (ctx.input(position) == nullptr) return ctx.error(cat(input_label(position, role), " is missing"));
  return optional_float_input(ctx, position, role, dims);
}

Result<Tensor*> float_state_input(const OpContext& ctx, int position, std::string_view role,
                                  int64_t elements) {
  const Tensor* t = ctx.input(position);
  if (t == nullptr) return ctx.error(cat(input_label(position, role), " is missing"));
  Tensor* state = ctx.state_input(position);
  if (state == nullptr) return ctx.error(cat(tensor_label(position, role, *t), " must be a variable tensor"));
  if (auto s = expect_float(ctx, position, role, *state); !s) return tl::unexpected(s.error());
  if (state->elements() != elements) {
    return ctx.error(cat(tensor_label(position, role, *t), " has shape ", format::shape_string(state->shape),
                         " (", state->elements(), " values), expected ", elements, " values"));
  }
  return state;
}

Result<Tensor*> float_state_input(const OpContext& ctx, int position, std::string_view role,
                                  std::initializer_list<int32_t> dims) {
  int64_t elements = 1;
  for (int32_t d : dims) elements *= d;
  auto state = float_state_input(ctx, position, role, elements);
  if (!state) return state;
  if (auto s = expect_float_shape(ctx, position, role, **state, dims); !s) return tl::unexpected(s.error());
  return state;
}

Status expect_known_activation(const OpContext& ctx, tfl::ActivationFunctionType fn) {
  const auto value = static_cast<int>(fn);
  if (value >= static_cast<int>(tfl::ActivationFunctionType::MIN) &&
      value <= static_cast<int>(tfl::ActivationFunctionType::MAX)) {
    return {};
  }
  return ctx.error(cat("fused activation ", value, " is not a known activation function"));
}

Status expect_float_output(const OpContext& ctx, int i) {
  const Tensor& t = ctx.output(i);
  if (t.type == TensorType::FLOAT32) return {};
  return ctx.error(cat("output ", i, ", tensor ", t.index, " '", t.name, "', is ", format::type_name(t.type),
                       ", expected FLOAT32"));
}

}  // namespace qs::runtime::kernels::recurrent
