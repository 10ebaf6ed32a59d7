// Ops that change a tensor's shape but not its bytes (RESHAPE, SQUEEZE,
// EXPAND_DIMS) and ops that report a shape (SHAPE, RANK).

#include "runtime/kernels/shape_families.h"
#include "runtime/kernels/shape_util.h"

namespace qs::runtime::kernels {
namespace {

constexpr int kInput = 0;
constexpr int kShapeInput = 1;  // RESHAPE's optional shape; EXPAND_DIMS's axis
constexpr int kOutput = 0;

// The bytes stay as they are: the output is a copy of the input.
Status copy_input(OpContext& ctx) {
  const Tensor& in = *ctx.input(kInput);
  Tensor& out = ctx.output(kOutput);
  copy_bytes(out.data, in.data, std::min(in.bytes, out.bytes));
  return {};
}

// Resolves one -1 ("as many as needed") and checks the element count, as
// TFLite does: zero-sized dimensions are left out of the division so that
// [0,3] reshaped to [-1,3] gives [0,3].
Result<Shape> resolve_reshape(const OpContext& ctx, const Tensor& in, Shape shape) {
  int stretch = -1;
  int64_t known = 1;
  int64_t known_nonzero = 1;
  for (size_t i = 0; i < shape.size(); ++i) {
    const int32_t d = shape[i];
    if (d == -1) {
      if (stretch >= 0)
        return ctx.error(cat("new shape ", format::shape_string(shape), " has more than one -1"));
      stretch = static_cast<int>(i);
      continue;
    }
    if (d < 0) return ctx.error(cat("new shape ", format::shape_string(shape), " has a negative dimension"));
    known *= d;
    if (d != 0) known_nonzero *= d;
  }
  int64_t in_nonzero = 1;
  for (int32_t d : in.shape) in_nonzero *= d != 0 ? d : 1;
  const int64_t in_count = in.elements();
  int64_t out_count = known;
  if (stretch >= 0) {
    const int64_t inferred = in_count == 0 && known != 0 ? 0 : in_nonzero / known_nonzero;
    shape[static_cast<size_t>(stretch)] = static_cast<int32_t>(inferred);
    out_count = known * inferred;
  }
  if (out_count != in_count) {
    return ctx.error(cat("cannot reshape ", tensor_label(in), " of shape ", format::shape_string(in.shape),
                         " (", in_count, " elements) to ", format::shape_string(shape)));
  }
  return shape;
}

Status reshape_prepare(OpContext& ctx) {
  auto in = required_input(ctx, kInput);
  if (!in) return tl::unexpected(in.error());
  if (auto s = expect_outputs(ctx, 1); !s) return s;
  if (auto s = expect_same_type(ctx, ctx.output(kOutput), **in); !s) return s;

  // TFLite takes the shape from input 1 only when it is a vector of
  // integers; otherwise (absent, or a scalar placeholder) from the options,
  // where the legacy value [0] means a scalar.
  Shape target;
  const Tensor* shape_input = ctx.input(kShapeInput);
  const bool from_tensor = shape_input != nullptr && shape_input->rank() == 1 &&
                           (shape_input->type == TensorType::INT32 || shape_input->type == TensorType::INT64);
  if (from_tensor) {
    if (defer_until_values_known(ctx, {shape_input})) return {};
    auto values = read_ints(ctx, *shape_input);
    if (!values) return tl::unexpected(values.error());
    auto shape = to_shape(ctx, *values, *shape_input);
    if (!shape) return tl::unexpected(shape.error());
    target = std::move(*shape);
  } else {
    target = options_or_default<tfl::ReshapeOptionsT>(ctx).new_shape;
    if (target.size() == 1 && target[0] == 0) target.clear();
  }
  auto shape = resolve_reshape(ctx, **in, std::move(target));
  if (!shape) return tl::unexpected(shape.error());
  ctx.set_output_shape(kOutput, std::move(*shape));
  return {};
}

Status squeeze_prepare(OpContext& ctx) {
  auto in = required_input(ctx, kInput);
  if (!in) return tl::unexpected(in.error());
  if (auto s = expect_same_type(ctx, ctx.output(kOutput), **in); !s) return s;
  const Tensor& x = **in;
  const std::vector<int32_t>& dims = options_or_default<tfl::SqueezeOptionsT>(ctx).squeeze_dims;
  std::vector<bool> drop(static_cast<size_t>(x.rank()), false);
  if (dims.empty()) {
    for (int i = 0; i < x.rank(); ++i) drop[static_cast<size_t>(i)] = x.dim(i) == 1;
  }
  for (int32_t d : dims) {
    auto axis = normalize_axis(ctx, d, x.rank());
    if (!axis) return tl::unexpected(axis.error());
    if (x.dim(*axis) != 1) {
      return ctx.error(cat("cannot squeeze dimension ", d, " of ", tensor_label(x), " with shape ",
                           format::shape_string(x.shape), ": it is not 1"));
    }
    drop[static_cast<size_t>(*axis)] = true;
  }
  Shape shape;
  for (int i = 0; i < x.rank(); ++i) {
    if (!drop[static_cast<size_t>(i)]) shape.push_back(x.dim(i));
  }
  ctx.set_output_shape(kOutput, std::move(shape));
  return {};
}

Status expand_dims_prepare(OpContext& ctx) {
  if (auto s = expect_inputs(ctx, 2); !s) return s;
  const Tensor& x = *ctx.input(kInput);
  const Tensor& axis_t = *ctx.input(kShapeInput);
  if (auto s = expect_same_type(ctx, ctx.output(kOutput), x); !s) return s;
  if (defer_until_values_known(ctx, {&axis_t})) return {};
  auto axis = read_scalar_int(ctx, axis_t);
  if (!axis) return tl::unexpected(axis.error());
  const int64_t a = *axis < 0 ? *axis + x.rank() + 1 : *axis;
  if (a < 0 || a > x.rank()) {
    return ctx.error(cat("axis ", *axis, " is out of range for ", tensor_label(x), " of rank ", x.rank()));
  }
  Shape shape = x.shape;
  shape.insert(shape.begin() + a, 1);
  ctx.set_output_shape(kOutput, std::move(shape));
  return {};
}

Status shape_prepare(OpContext& ctx) {
  auto in = required_input(ctx, kInput);
  if (!in) return tl::unexpected(in.error());
  const Tensor& out = ctx.output(kOutput);
  // The output tensor's declared type decides (ShapeOptions.out_type says
  // the same in valid models, and older files omit the options).
  if (out.type != TensorType::INT32 && out.type != TensorType::INT64) {
    return ctx.error(
        cat("output ", tensor_label(out), " must be INT32 or INT64, is ", format::type_name(out.type)));
  }
  ctx.set_output_shape(kOutput, {(*in)->rank()});
  return {};
}

Status shape_eval(OpContext& ctx) {
  const Tensor& in = *ctx.input(kInput);
  Tensor& out = ctx.output(kOutput);
  for (int i = 0; i < in.rank(); ++i) {
    if (out.type == TensorType::INT32) {
      out.mutable_values<int32_t>()[static_cast<size_t>(i)] = in.dim(i);
    } else {
      out.mutable_values<int64_t>()[static_cast<size_t>(i)] = in.dim(i);
    }
  }
  return {};
}

Status rank_prepare(OpContext& ctx) {
  auto in = required_input(ctx, kInput);
  if (!in) return tl::unexpected(in.error());
  if (auto s = expect_type(ctx, ctx.output(kOutput), TensorType::INT32); !s) return s;
  ctx.set_output_shape(kOutput, {});
  return {};
}

Status rank_eval(OpContext& ctx) {
  ctx.output(kOutput).mutable_values<int32_t>()[0] = ctx.input(kInput)->rank();
  return {};
}

}  // namespace

void register_shape_reshape(KernelRegistry& registry) {
  using format::BuiltinOp;
  registry.add(BuiltinOp::RESHAPE, Domain::kPlain, make_kernel(reshape_prepare, copy_input));
  registry.add(BuiltinOp::SQUEEZE, Domain::kPlain, make_kernel(squeeze_prepare, copy_input));
  registry.add(BuiltinOp::EXPAND_DIMS, Domain::kPlain, make_kernel(expand_dims_prepare, copy_input));
  registry.add(BuiltinOp::SHAPE, Domain::kPlain, make_kernel(shape_prepare, shape_eval));
  registry.add(BuiltinOp::RANK, Domain::kPlain, make_kernel(rank_prepare, rank_eval));
}

}  // namespace qs::runtime::kernels
