// Ops that join tensors along an axis or cut one apart: CONCATENATION, PACK,
// UNPACK, SPLIT, SPLIT_V. Seen as [outer, axis, inner], every part is a run
// of contiguous bytes per outer index, copied with memcpy.

#include "runtime/kernels/shape_families.h"
#include "runtime/kernels/shape_util.h"

namespace qs::runtime::kernels {
namespace {

constexpr int kFirst = 0;   // CONCATENATION and PACK take any number of inputs
constexpr int kOutput = 0;  // CONCATENATION, PACK

// One side of a join or split: its data and how many bytes it contributes
// per outer index.
struct Part {
  std::byte* data;
  size_t run_bytes;
};

// Copies out[o] = part_0[o] ++ part_1[o] ++ ... for every outer index o.
void join_runs(std::span<const Part> parts, int64_t outer, std::byte* out) {
  for (int64_t o = 0; o < outer; ++o) {
    for (const Part& p : parts) {
      copy_bytes(out, p.data + static_cast<size_t>(o) * p.run_bytes, p.run_bytes);
      out += p.run_bytes;
    }
  }
}

// The inverse: part_i[o] = the i-th run of in[o].
void split_runs(const std::byte* in, int64_t outer, std::span<const Part> parts) {
  for (int64_t o = 0; o < outer; ++o) {
    for (const Part& p : parts) {
      copy_bytes(p.data + static_cast<size_t>(o) * p.run_bytes, in, p.run_bytes);
      in += p.run_bytes;
    }
  }
}

Status expect_input_like(const OpContext& ctx, const Tensor& t, const Tensor& first) {
  if (t.type != first.type) {
    return ctx.error(cat(tensor_label(t), " is ", format::type_name(t.type), ", ", tensor_label(first),
                         " is ", format::type_name(first.type)));
  }
  return {};
}

// CONCATENATION ----------------------------------------------------------------

// Rank-0 inputs concatenate as if they were [1] (TFLite's rule for scalars).
Shape concat_shape_of(const Tensor& t) { return t.rank() == 0 ? Shape{1} : t.shape; }

Status concat_prepare(OpContext& ctx) {
  if (ctx.input_count() < 1) return ctx.error("expects at least one input");
  if (auto s = expect_inputs(ctx, ctx.input_count()); !s) return s;
  if (auto s = expect_outputs(ctx, 1); !s) return s;
  const Tensor& first = *ctx.input(kFirst);
  if (auto s = element_bytes(ctx, first); !s) return tl::unexpected(s.error());
  if (auto s = expect_same_type(ctx, ctx.output(kOutput), first); !s) return s;
  const auto& options = options_or_default<tfl::ConcatenationOptionsT>(ctx);
  if (options.fused_activation_function != tfl::ActivationFunctionType::NONE) {
    // TFLite itself rejects fused activations here; we accept clamps on floats.
    if (first.type != TensorType::FLOAT32) return ctx.error("a fused activation needs FLOAT32 tensors");
    if (auto s = expect_clamp_activation(ctx, options.fused_activation_function); !s) return s;
  }
  Shape shape = concat_shape_of(first);
  auto axis = normalize_axis(ctx, options.axis, static_cast<int>(shape.size()));
  if (!axis) return tl::unexpected(axis.error());
  const auto a = static_cast<size_t>(*axis);
  for (int i = 1; i < ctx.input_count(); ++i) {
    const Tensor& t = *ctx.input(i);
    if (auto s = expect_input_like(ctx, t, first); !s) return s;
    const Shape ts = concat_shape_of(t);
    bool compatible = ts.size() == shape.size();
    for (size_t d = 0; compatible && d < ts.size(); ++d) compatible = d == a || ts[d] == shape[d];
    if (!compatible) {
      return ctx.error(cat(tensor_label(t), " has shape ", format::shape_string(t.shape),
                           ", which does not join ", tensor_label(first), " ",
                           format::shape_string(first.shape), " along axis ", options.axis));
    }
    shape[a] += ts[a];
  }
  ctx.set_output_shape(kOutput, std::move(shape));
  return {};
}

Status concat_eval(OpContext& ctx) {
  Tensor& out = ctx.output(kOutput);
  const auto& options = options_or_default<tfl::ConcatenationOptionsT>(ctx);
  const size_t elem = *element_bytes(ctx, out);
  const int axis = *normalize_axis(ctx, options.axis, out.rank());
  const auto a = static_cast<size_t>(axis);
  std::vector<Part> parts;
  for (int i = 0; i < ctx.input_count(); ++i) {
    const Tensor& t = *ctx.input(i);
    const Shape ts = concat_shape_of(t);
    parts.push_back({t.data, static_cast<size_t>(product(ts, a, ts.size())) * elem});
  }
  join_runs(parts, product(out.shape, 0, a), out.data);
  if (out.type == TensorType::FLOAT32) {
    clamp_in_place(out.mutable_values<float>(), activation_range(options.fused_activation_function));
  }
  return {};
}

// PACK / UNPACK ---------------------------------------------------------------

Status pack_prepare(OpContext& ctx) {
  if (ctx.input_count() < 1) return ctx.error("expects at least one input");
  if (auto s = expect_inputs(ctx, ctx.input_count()); !s) return s;
  if (auto s = expect_outputs(ctx, 1); !s) return s;
  const auto& options = options_or_default<tfl::PackOptionsT>(ctx);
  if (options.values_count != 0 && options.values_count != ctx.input_count()) {
    return ctx.error(
        cat("values_count is ", options.values_count, " but the op has ", ctx.input_count(), " inputs"));
  }
  const Tensor& first = *ctx.input(kFirst);
  if (auto s = element_bytes(ctx, first); !s) return tl::unexpected(s.error());
  if (auto s = expect_same_type(ctx, ctx.output(kOutput), first); !s) return s;
  for (int i = 1; i < ctx.input_count(); ++i) {
    const Tensor& t = *ctx.input(i);
    if (auto s = expect_input_like(ctx, t, first); !s) return s;
    if (t.shape != first.shape) {
      return ctx.error(cat(tensor_label(t), " has shape ", format::shape_string(t.shape), ", ",
                           tensor_label(first), " has ", format::shape_string(first.shape)));
    }
  }
  auto axis = normalize_axis(ctx, options.axis, first.rank() + 1);
  if (!axis) return tl::unexpected(axis.error());
  Shape shape = first.shape;
  shape.insert(shape.begin() + *axis, ctx.input_count());
  ctx.set_output_shape(kOutput, std::move(shape));
  return {};
}

Status pack_eval(OpContext& ctx) {
  Tensor& out = ctx.output(kOutput);
  const Tensor& first = *ctx.input(kFirst);
  const size_t elem = *element_bytes(ctx, out);
  const auto axis =
      static_cast<size_t>(*normalize_axis(ctx, options_or_default<tfl::PackOptionsT>(ctx).axis, out.rank()));
  const auto run = static_cast<size_t>(product(first.shape, axis, first.shape.size())) * elem;
  std::vector<Part> parts;
  for (int i = 0; i < ctx.input_count(); ++i) parts.push_back({ctx.input(i)->data, run});
  join_runs(parts, product(first.shape, 0, axis), out.data);
  return {};
}

constexpr int kUnpackInput = 0;

Status unpack_prepare(OpContext& ctx) {
  auto in = required_input(ctx, kUnpackInput);
  if (!in) return tl::unexpected(in.error());
  const Tensor& x = **in;
  if (auto s = element_bytes(ctx, x); !s) return tl::unexpected(s.error());
  if (x.rank() == 0) return ctx.error(cat("cannot unpack scalar ", tensor_label(x)));
  const auto& options = options_or_default<tfl::UnpackOptionsT>(ctx);
  auto axis = normalize_axis(ctx, options.axis, x.rank());
  if (!axis) return tl::unexpected(axis.error());
  const int n = x.dim(*axis);
  if (ctx.output_count() != n || (options.num != 0 && options.num != n)) {
    return ctx.error(cat("unpacking axis ", options.axis, " of ", tensor_label(x), " ",
                         format::shape_string(x.shape), " gives ", n, " tensors; the op has ",
                         ctx.output_count(), " outputs and num = ", options.num));
  }
  Shape shape = x.shape;
  shape.erase(shape.begin() + *axis);
  for (int i = 0; i < n; ++i) {
    if (auto s = expect_same_type(ctx, ctx.output(i), x); !s) return s;
    ctx.set_output_shape(i, shape);
  }
  return {};
}

Status unpack_eval(OpContext& ctx) {
  const Tensor& x = *ctx.input(kUnpackInput);
  const size_t elem = *element_bytes(ctx, x);
  const auto axis =
      static_cast<size_t>(*normalize_axis(ctx, options_or_default<tfl::UnpackOptionsT>(ctx).axis, x.rank()));
  const auto run = static_cast<size_t>(product(x.shape, axis + 1, x.shape.size())) * elem;
  std::vector<Part> parts;
  for (int i = 0; i < ctx.output_count(); ++i) parts.push_back({ctx.output(i).data, run});
  split_runs(x.data, product(x.shape, 0, axis), parts);
  return {};
}

// SPLIT / SPLIT_V -----------------------------------------------------------------

// SPLIT's inputs are (axis, input); SPLIT_V's are (input, size_splits, axis).
struct SplitInputs {
  const Tensor* data;
  const Tensor* sizes;  // null for SPLIT
  const Tensor* axis;
};

SplitInputs split_inputs(const OpContext& ctx, bool by_sizes) {
  constexpr int kSplitAxis = 0, kSplitData = 1;                      // SPLIT
  constexpr int kSplitVData = 0, kSplitVSizes = 1, kSplitVAxis = 2;  // SPLIT_V
  if (by_sizes) return {ctx.input(kSplitVData), ctx.input(kSplitVSizes), ctx.input(kSplitVAxis)};
  return {ctx.input(kSplitData), nullptr, ctx.input(kSplitAxis)};
}

// The size of every output along the split axis.
Result<std::vector<int64_t>> split_sizes(const OpContext& ctx, const SplitInputs& in, int axis) {
  const int64_t dim = in.data->dim(axis);
  const int n = ctx.output_count();
  if (in.sizes == nullptr) {
    const int num = options_or_default<tfl::SplitOptionsT>(ctx).num_splits;
    if (num != n || n == 0 || dim % n != 0) {
      return ctx.error(cat("cannot split dimension ", axis, " (", dim, ") of ", tensor_label(*in.data),
                           " into ", n, " equal parts (num_splits = ", num, ")"));
    }
    return std::vector<int64_t>(static_cast<size_t>(n), dim / n);
  }
  auto sizes = read_ints(ctx, *in.sizes, n);
  if (!sizes) return sizes;
  int64_t known = 0;
  int infer = -1;
  for (int i = 0; i < n; ++i) {
    const int64_t s = (*sizes)[static_cast<size_t>(i)];
    if (s == -1 && infer < 0) {
      infer = i;
    } else if (s < 0) {
      return ctx.error(cat(tensor_label(*in.sizes), " has an invalid size ", s));
    } else {
      known += s;
    }
  }
  if (infer >= 0 && known <= dim) (*sizes)[static_cast<size_t>(infer)] = dim - known;
  if ((infer >= 0 && known > dim) || (infer < 0 && known != dim)) {
    return ctx.error(cat("sizes in ", tensor_label(*in.sizes), " do not add up to dimension ", axis, " (",
                         dim, ") of ", tensor_label(*in.data)));
  }
  return sizes;
}

Result<int> split_axis(const OpContext& ctx, const SplitInputs& in) {
  auto axis = read_scalar_int(ctx, *in.axis);
  if (!axis) return tl::unexpected(axis.error());
  return normalize_axis(ctx, *axis, in.data->rank());
}

Status split_prepare_impl(OpContext& ctx, bool by_sizes) {
  if (auto s = expect_inputs(ctx, by_sizes ? 3 : 2); !s) return s;
  const SplitInputs in = split_inputs(ctx, by_sizes);
  if (auto s = element_bytes(ctx, *in.data); !s) return tl::unexpected(s.error());
  for (int i = 0; i < ctx.output_count(); ++i) {
    if (auto s = expect_same_type(ctx, ctx.output(i), *in.data); !s) return s;
  }
  if (defer_until_values_known(ctx, {in.sizes, in.axis})) return {};
  auto axis = split_axis(ctx, in);
  if (!axis) return tl::unexpected(axis.error());
  auto sizes = split_sizes(ctx, in, *axis);
  if (!sizes) return tl::unexpected(sizes.error());
  for (int i = 0; i < ctx.output_count(); ++i) {
    Shape shape = in.data->shape;
    shape[static_cast<size_t>(*axis)] = static_cast<int32_t>((*sizes)[static_cast<size_t>(i)]);
    ctx.set_output_shape(i, std::move(shape));
  }
  return {};
}

Status split_eval_impl(OpContext& ctx, bool by_sizes) {
  const SplitInputs in = split_inputs(ctx, by_sizes);
  const size_t elem = *element_bytes(ctx, *in.data);
  auto axis = split_axis(ctx, in);
  if (!axis) return tl::unexpected(axis.error());
  const auto a = static_cast<size_t>(*axis);
  const auto inner = static_cast<size_t>(product(in.data->shape, a + 1, in.data->shape.size())) * elem;
  std::vector<Part> parts;
  for (int i = 0; i < ctx.output_count(); ++i) {
    Tensor& out = ctx.output(i);
    parts.push_back({out.data, static_cast<size_t>(out.dim(*axis)) * inner});
  }
  split_runs(in.data->data, product(in.data->shape, 0, a), parts);
  return {};
}

Status split_prepare(OpContext& ctx) { return split_prepare_impl(ctx, false); }
Status split_eval(OpContext& ctx) { return split_eval_impl(ctx, false); }
Status split_v_prepare(OpContext& ctx) { return split_prepare_impl(ctx, true); }
Status split_v_eval(OpContext& ctx) { return split_eval_impl(ctx, true); }

}  // namespace

void register_shape_join(KernelRegistry& registry) {
  using format::BuiltinOp;
  registry.add(BuiltinOp::CONCATENATION, Domain::kPlain, make_kernel(concat_prepare, concat_eval));
  registry.add(BuiltinOp::PACK, Domain::kPlain, make_kernel(pack_prepare, pack_eval));
  registry.add(BuiltinOp::UNPACK, Domain::kPlain, make_kernel(unpack_prepare, unpack_eval));
  registry.add(BuiltinOp::SPLIT, Domain::kPlain, make_kernel(split_prepare, split_eval));
  registry.add(BuiltinOp::SPLIT_V, Domain::kPlain, make_kernel(split_v_prepare, split_v_eval));
}

}  // namespace qs::runtime::kernels
