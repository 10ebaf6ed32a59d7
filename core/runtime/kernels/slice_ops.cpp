// SLICE, STRIDED_SLICE and DYNAMIC_UPDATE_SLICE: a box of the input copied
// out (or, for DYNAMIC_UPDATE_SLICE, written in) as a strided view.

#include "runtime/kernels/shape_families.h"
#include "runtime/kernels/shape_util.h"
#include "runtime/kernels/slice_strided.h"

namespace qs::runtime::kernels {
namespace {

constexpr int kInput = 0;
constexpr int kOutput = 0;

// SLICE ------------------------------------------------------------------------

constexpr int kBegin = 1;
constexpr int kSize = 2;

struct Box {
  std::vector<int64_t> begin;
  std::vector<int64_t> size;
};

// begin and size (size -1: to the end), checked against the input's shape.
Result<Box> slice_box(const OpContext& ctx, const Tensor& x) {
  const Tensor& begin_t = *ctx.input(kBegin);
  const Tensor& size_input = *ctx.input(kSize);
  auto begin = read_ints(ctx, begin_t, x.rank());
  if (!begin) return tl::unexpected(begin.error());
  auto size = read_ints(ctx, size_input, x.rank());
  if (!size) return tl::unexpected(size.error());
  for (int k = 0; k < x.rank(); ++k) {
    const auto i = static_cast<size_t>(k);
    const int64_t b = (*begin)[i];
    int64_t& s = (*size)[i];
    if (s == -1) s = x.dim(k) - b;
    if (b < 0 || s < 0 || b + s > x.dim(k)) {
      return ctx.error(cat("begin ", b, " and size ", (*size)[i], " are out of range for dimension ", k,
                           " of ", tensor_label(x), " ", format::shape_string(x.shape)));
    }
  }
  return Box{std::move(*begin), std::move(*size)};
}

Status slice_prepare(OpContext& ctx) {
  if (auto s = expect_inputs(ctx, 3); !s) return s;
  const Tensor& x = *ctx.input(kInput);
  if (auto s = element_bytes(ctx, x); !s) return tl::unexpected(s.error());
  if (auto s = expect_same_type(ctx, ctx.output(kOutput), x); !s) return s;
  if (defer_until_values_known(ctx, {ctx.input(kBegin), ctx.input(kSize)})) return {};
  auto box = slice_box(ctx, x);
  if (!box) return tl::unexpected(box.error());
  auto shape = to_shape(ctx, box->size, *ctx.input(kSize));
  if (!shape) return tl::unexpected(shape.error());
  ctx.set_output_shape(kOutput, std::move(*shape));
  return {};
}

Status slice_eval(OpContext& ctx) {
  const Tensor& x = *ctx.input(kInput);
  Tensor& out = ctx.output(kOutput);
  auto box = slice_box(ctx, x);
  if (!box) return tl::unexpected(box.error());
  const std::vector<int64_t> strides = row_major_strides(x.shape);
  int64_t offset = 0;
  for (size_t k = 0; k < strides.size(); ++k) offset += box->begin[k] * strides[k];
  gather_strided(box->size, out.data, x.data, strides, offset, *element_bytes(ctx, x));
  return {};
}

// STRIDED_SLICE ------------------------------------------------------------------

constexpr int kEnd = 2;
constexpr int kStrides = 3;

Result<StridedSlicePlan> strided_slice_plan(const OpContext& ctx, const Tensor& x) {
  const auto& o = options_or_default<tfl::StridedSliceOptionsT>(ctx);
  StridedSliceSpec spec;
  spec.begin_mask = o.begin_mask;
  spec.end_mask = o.end_mask;
  spec.ellipsis_mask = o.ellipsis_mask;
  spec.new_axis_mask = o.new_axis_mask;
  spec.shrink_axis_mask = o.shrink_axis_mask;
  spec.offset = o.offset;
  const Tensor& begin_t = *ctx.input(kBegin);
  for (const Tensor* t : {&begin_t, ctx.input(kEnd), ctx.input(kStrides)}) {
    if (t->rank() != 1)
      return ctx.error(cat(tensor_label(*t), " must be 1-D, has shape ", format::shape_string(t->shape)));
  }
  auto begin = read_ints(ctx, begin_t);
  if (!begin) return tl::unexpected(begin.error());
  auto end = read_ints(ctx, *ctx.input(kEnd), static_cast<int64_t>(begin->size()));
  if (!end) return tl::unexpected(end.error());
  auto strides = read_ints(ctx, *ctx.input(kStrides), static_cast<int64_t>(begin->size()));
  if (!strides) return tl::unexpected(strides.error());
  spec.begin = std::move(*begin);
  spec.end = std::move(*end);
  spec.strides = std::move(*strides);
  auto plan = plan_strided_slice(x.shape, spec);
  if (!plan)
    return ctx.error(
        cat("slicing ", tensor_label(x), " ", format::shape_string(x.shape), ": ", plan.error().message));
  return plan;
}

Status strided_slice_prepare(OpContext& ctx) {
  if (auto s = expect_inputs(ctx, 4); !s) return s;
  const Tensor& x = *ctx.input(kInput);
  if (auto s = element_bytes(ctx, x); !s) return tl::unexpected(s.error());
  if (auto s = expect_same_type(ctx, ctx.output(kOutput), x); !s) return s;
  if (defer_until_values_known(ctx, {ctx.input(kBegin), ctx.input(kEnd), ctx.input(kStrides)})) return {};
  auto plan = strided_slice_plan(ctx, x);
  if (!plan) return tl::unexpected(plan.error());
  ctx.set_output_shape(kOutput, std::move(plan->output_shape));
  return {};
}

Status strided_slice_eval(OpContext& ctx) {
  const Tensor& x = *ctx.input(kInput);
  Tensor& out = ctx.output(kOutput);
  auto plan = strided_slice_plan(ctx, x);
  if (!plan) return tl::unexpected(plan.error());
  gather_strided(plan->counts, out.data, x.data, plan->src_strides, plan->src_offset, *element_bytes(ctx, x));
  return {};
}

// DYNAMIC_UPDATE_SLICE -----------------------------------------------------------

constexpr int kUpdate = 1;
constexpr int kStartIndices = 2;

Status update_slice_prepare(OpContext& ctx) {
  if (auto s = expect_inputs(ctx, 3); !s) return s;
  const Tensor& x = *ctx.input(kInput);
  const Tensor& update = *ctx.input(kUpdate);
  const Tensor& start = *ctx.input(kStartIndices);
  if (auto s = element_bytes(ctx, x); !s) return tl::unexpected(s.error());
  if (auto s = expect_same_type(ctx, ctx.output(kOutput), x); !s) return s;
  if (auto s = expect_same_type(ctx, update, x); !s) return s;
  if (start.rank() != 1 || start.dim(0) != x.rank()) {
    return ctx.error(cat(tensor_label(start), " has shape ", format::shape_string(start.shape),
                         ", expected [", x.rank(), "]"));
  }
  if (start.type != TensorType::INT32 && start.type != TensorType::INT64) {
    return ctx.error(cat(tensor_label(start), " must be INT32 or INT64, is ", format::type_name(start.type)));
  }
  bool fits = update.rank() == x.rank();
  for (int k = 0; fits && k < x.rank(); ++k) fits = update.dim(k) <= x.dim(k);
  if (!fits) {
    return ctx.error(cat("update ", tensor_label(update), " ", format::shape_string(update.shape),
                         " does not fit in ", tensor_label(x), " ", format::shape_string(x.shape)));
  }
  ctx.set_output_shape(kOutput, x.shape);
  return {};
}

Status update_slice_eval(OpContext& ctx) {
  const Tensor& x = *ctx.input(kInput);
  const Tensor& update = *ctx.input(kUpdate);
  Tensor& out = ctx.output(kOutput);
  auto start = read_ints(ctx, *ctx.input(kStartIndices), x.rank());
  if (!start) return tl::unexpected(start.error());
  const size_t elem = *element_bytes(ctx, x);
  copy_bytes(out.data, x.data, std::min(x.bytes, out.bytes));
  // XLA semantics: start indices are clamped so the update fits.
  const std::vector<int64_t> out_strides = row_major_strides(x.shape);
  int64_t offset = 0;
  for (int k = 0; k < x.rank(); ++k) {
    const int64_t s = std::clamp<int64_t>((*start)[static_cast<size_t>(k)], 0, x.dim(k) - update.dim(k));
    offset += s * out_strides[static_cast<size_t>(k)];
  }
  const std::vector<int64_t> dims(update.shape.begin(), update.shape.end());
  copy_strided(dims, out.data, out_strides, offset, update.data, row_major_strides(update.shape), 0, elem);
  return {};
}

}  // namespace

void register_slice_ops(KernelRegistry& registry) {
  using format::BuiltinOp;
  registry.add(BuiltinOp::SLICE, Domain::kPlain, make_kernel(slice_prepare, slice_eval));
  registry.add(BuiltinOp::STRIDED_SLICE, Domain::kPlain,
               make_kernel(strided_slice_prepare, strided_slice_eval));
  registry.add(BuiltinOp::DYNAMIC_UPDATE_SLICE, Domain::kPlain,
               make_kernel(update_slice_prepare, update_slice_eval));
}

}  // namespace qs::runtime::kernels
