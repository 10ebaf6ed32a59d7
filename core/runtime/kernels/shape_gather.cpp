// Ops that pick elements by index: GATHER, GATHER_ND, EMBEDDING_LOOKUP,
// SCATTER_ND, ONE_HOT, TOPK_V2. Indices out of range are errors naming the
// index, as in TFLite (which also rejects negative GATHER indices).

#include <numeric>

#include "runtime/kernels/shape_families.h"
#include "runtime/kernels/shape_util.h"

namespace qs::runtime::kernels {
namespace {

// Index tensors may be INT16 as well as INT32/INT64 (GATHER, GATHER_ND).
Result<std::vector<int64_t>> read_positions(const OpContext& ctx, const Tensor& t) {
  if (t.type == TensorType::INT16) {
    const auto v = t.values<int16_t>();
    return std::vector<int64_t>(v.begin(), v.end());
  }
  return read_ints(ctx, t);
}

Status expect_index_type(const OpContext& ctx, const Tensor& t, bool allow_int16) {
  if (t.type == TensorType::INT32 || t.type == TensorType::INT64 ||
      (allow_int16 && t.type == TensorType::INT16)) {
    return {};
  }
  return ctx.error(cat(tensor_label(t), " holds indices and must be ", allow_int16 ? "INT16, " : "",
                       "INT32 or INT64, is ", format::type_name(t.type)));
}

constexpr int kOutput = 0;

tl::unexpected<Error> index_error(const OpContext& ctx, const Tensor& indices, int64_t index, int64_t limit) {
  return ctx.error(cat("index ", index, " in ", tensor_label(indices), " is out of range [0, ", limit, ")"));
}

// GATHER -----------------------------------------------------------------------

constexpr int kParams = 0;   // GATHER, GATHER_ND
constexpr int kIndices = 1;  // GATHER, GATHER_ND

struct GatherAxes {
  int axis;
  int batch_dims;
};

Result<GatherAxes> gather_axes(const OpContext& ctx, const Tensor& params, const Tensor& indices) {
  const auto& o = options_or_default<tfl::GatherOptionsT>(ctx);
  auto axis = normalize_axis(ctx, o.axis, params.rank());
  if (!axis || params.rank() == 0)
    return ctx.error(cat("axis ", o.axis, " is out of range for ", tensor_label(params)));
  const int batch_dims = o.batch_dims < 0 ? o.batch_dims + indices.rank() : o.batch_dims;
  if (batch_dims < 0 || batch_dims > *axis || batch_dims > indices.rank()) {
    return ctx.error(cat("batch_dims ", o.batch_dims, " is out of range (axis ", *axis, ", indices of rank ",
                         indices.rank(), ")"));
  }
  for (int i = 0; i < batch_dims; ++i) {
    if (params.dim(i) != indices.dim(i)) {
      return ctx.error(cat("batch dimension ", i, " differs: ", tensor_label(params), " ",
                           format::shape_string(params.shape), ", ", tensor_label(indices), " ",
                           format::shape_string(indices.shape)));
    }
  }
  return GatherAxes{*axis, batch_dims};
}

Status gather_prepare(OpContext& ctx) {
  if (auto s = expect_inputs(ctx, 2); !s) return s;
  const Tensor& params = *ctx.input(kParams);
  const Tensor& indices = *ctx.input(kIndices);
  if (auto s = element_bytes(ctx, params); !s) return tl::unexpected(s.error());
  if (auto s = expect_same_type(ctx, ctx.output(kOutput), params); !s) return s;
  if (auto s = expect_index_type(ctx, indices, true); !s) return s;
  auto a = gather_axes(ctx, params, indices);
  if (!a) return tl::unexpected(a.error());
  Shape shape(params.shape.begin(), params.shape.begin() + a->axis);
  shape.insert(shape.end(), indices.shape.begin() + a->batch_dims, indices.shape.end());
  shape.insert(shape.end(), params.shape.begin() + a->axis + 1, params.shape.end());
  ctx.set_output_shape(kOutput, std::move(shape));
  return {};
}

// out[b, o, c, :] = params[b, o, indices[b, c], :] with b over the batch dims,
// o over the rest before the axis, c over the indices' own dims.
Status gather_eval(OpContext& ctx) {
  const Tensor& params = *ctx.input(kParams);
  const Tensor& indices = *ctx.input(kIndices);
  Tensor& out = ctx.output(kOutput);
  const GatherAxes a = *gather_axes(ctx, params, indices);
  auto idx = read_positions(ctx, indices);
  if (!idx) return tl::unexpected(idx.error());
  const auto axis = static_cast<size_t>(a.axis);
  const auto bd = static_cast<size_t>(a.batch_dims);
  const int64_t batches = product(params.shape, 0, bd);
  const int64_t outer = product(params.shape, bd, axis);
  const int64_t axis_size = params.dim(a.axis);
  const auto run =
      static_cast<size_t>(product(params.shape, axis + 1, params.shape.size())) * *element_bytes(ctx, params);
  const int64_t coords = product(indices.shape, bd, indices.shape.size());
  std::byte* dst = out.data;
  for (int64_t b = 0; b < batches; ++b) {
    for (int64_t o = 0; o < outer; ++o) {
      const std::byte* base = params.data + static_cast<size_t>((b * outer + o) * axis_size) * run;
      for (int64_t c = 0; c < coords; ++c) {
        const int64_t i = (*idx)[static_cast<size_t>(b * coords + c)];
        if (i < 0 || i >= axis_size) return index_error(ctx, indices, i, axis_size);
        copy_bytes(dst, base + static_cast<size_t>(i) * run, run);
        dst += run;
      }
    }
  }
  return {};
}

// GATHER_ND ----------------------------------------------------------------------

Status gather_nd_prepare(OpContext& ctx) {
  if (auto s = expect_inputs(ctx, 2); !s) return s;
  const Tensor& params = *ctx.input(kParams);
  const Tensor& indices = *ctx.input(kIndices);
  if (auto s = element_bytes(ctx, params); !s) return tl::unexpected(s.error());
  if (auto s = expect_same_type(ctx, ctx.output(kOutput), params); !s) return s;
  if (auto s = expect_index_type(ctx, indices, true); !s) return s;
  if (indices.rank() < 1 || indices.shape.back() > params.rank()) {
    return ctx.error(cat(tensor_label(indices), " ", format::shape_string(indices.shape), " cannot index ",
                         tensor_label(params), " ", format::shape_string(params.shape)));
  }
  Shape shape(indices.shape.begin(), indices.shape.end() - 1);
  shape.insert(shape.end(), params.shape.begin() + indices.shape.back(), params.shape.end());
  ctx.set_output_shape(kOutput, std::move(shape));
  return {};
}

Status gather_nd_eval(OpContext& ctx) {
  const Tensor& params = *ctx.input(kParams);
  const Tensor& indices = *ctx.input(kIndices);
  Tensor& out = ctx.output(kOutput);
  auto idx = read_positions(ctx, indices);
  if (!idx) return tl::unexpected(idx.error());
  const auto nd = static_cast<size_t>(indices.shape.back());
  const std::vector<int64_t> strides = row_major_strides(params.shape);
  const size_t elem = *element_bytes(ctx, params);
  const auto slice = static_cast<size_t>(product(params.shape, nd, params.shape.size())) * elem;
  const int64_t count = product(indices.shape, 0, indices.shape.size() - 1);
  for (int64_t n = 0; n < count; ++n) {
    int64_t offset = 0;
    for (size_t j = 0; j < nd; ++j) {
      const int64_t i = (*idx)[static_cast<size_t>(n) * nd + j];
      if (i < 0 || i >= params.dim(static_cast<int>(j)))
        return index_error(ctx, indices, i, params.dim(static_cast<int>(j)));
      offset += i * strides[j];
    }
    copy_bytes(out.data + static_cast<size_t>(n) * slice, params.data + static_cast<size_t>(offset) * elem,
               slice);
  }
  return {};
}

// EMBEDDING_LOOKUP ------------------------------------------------------------------
//
// Rows of `value` by id. With INT8 values and a FLOAT32 output (TFLite's
// hybrid form) the rows are dequantized: symmetric, one scale for the tensor
// or one per row.

constexpr int kIds = 0;
constexpr int kTable = 1;

bool is_hybrid_lookup(const Tensor& value, const Tensor& out) {
  return value.type == TensorType::INT8 && out.type == TensorType::FLOAT32;
}

Status embedding_prepare(OpContext& ctx) {
  if (auto s = expect_inputs(ctx, 2); !s) return s;
  const Tensor& ids = *ctx.input(kIds);
  const Tensor& value = *ctx.input(kTable);
  const Tensor& out = ctx.output(kOutput);
  if (auto s = expect_type(ctx, ids, TensorType::INT32); !s) return s;
  if (auto s = expect_rank(ctx, ids, 1); !s) return s;
  if (value.rank() < 2) return ctx.error(cat(tensor_label(value), " must have rank 2 or more"));
  if (is_hybrid_lookup(value, out)) {
    const format::Quantization* q = value.quantization;
    const bool per_row =
        q != nullptr && q->scale.size() == static_cast<size_t>(value.dim(0)) && q->quantized_dimension == 0;
    if (q == nullptr || (q->scale.size() != 1 && !per_row) ||
        std::any_of(q->zero_point.begin(), q->zero_point.end(), [](int64_t z) { return z != 0; })) {
      return ctx.error(cat(tensor_label(value), " needs symmetric per-tensor or per-row quantization"));
    }
  } else {
    if (auto s = element_bytes(ctx, value); !s) return tl::unexpected(s.error());
    if (auto s = expect_same_type(ctx, out, value); !s) return s;
  }
  Shape shape = value.shape;
  shape[0] = ids.dim(0);
  ctx.set_output_shape(kOutput, std::move(shape));
  return {};
}

Status embedding_eval(OpContext& ctx) {
  const Tensor& ids = *ctx.input(kIds);
  const Tensor& value = *ctx.input(kTable);
  Tensor& out = ctx.output(kOutput);
  const int64_t rows = value.dim(0);
  const int64_t row_elems = product(value.shape, 1, value.shape.size());
  const bool hybrid = is_hybrid_lookup(value, out);
  const size_t row_bytes = hybrid ? 0 : static_cast<size_t>(row_elems) * *element_bytes(ctx, value);
  const auto id_values = ids.values<int32_t>();
  for (size_t i = 0; i < id_values.size(); ++i) {
    const int64_t id = id_values[i];
    if (id < 0 || id >= rows) return index_error(ctx, ids, id, rows);
    if (!hybrid) {
      copy_bytes(out.data + i * row_bytes, value.data + static_cast<size_t>(id) * row_bytes, row_bytes);
      continue;
    }
    const std::vector<float>& scales = value.quantization->scale;
    const float scale = scales.size() == 1 ? scales[0] : scales[static_cast<size_t>(id)];
    const int8_t* row = value.values<int8_t>().data() + id * row_elems;
    float* dst = out.mutable_values<float>().data() + static_cast<int64_t>(i) * row_elems;
    for (int64_t j = 0; j < row_elems; ++j) dst[j] = static_cast<float>(row[j]) * scale;
  }
  return {};
}

// SCATTER_ND -----------------------------------------------------------------------
//
// Output of `shape`, zero, with every update slice added at its index (TFLite
// adds duplicates; for BOOL adding is OR).

constexpr int kScatterIndices = 0;
constexpr int kScatterUpdates = 1;
constexpr int kScatterShape = 2;

Result<Shape> scatter_shape(const OpContext& ctx) {
  const Tensor& indices = *ctx.input(kScatterIndices);
  const Tensor& updates = *ctx.input(kScatterUpdates);
  const Tensor& shape_t = *ctx.input(kScatterShape);
  if (shape_t.rank() != 1) return ctx.error(cat(tensor_label(shape_t), " must be 1-D"));
  auto values = read_ints(ctx, shape_t);
  if (!values) return tl::unexpected(values.error());
  auto shape = to_shape(ctx, *values, shape_t);
  if (!shape) return shape;
  // indices [outer..., ix], updates [outer..., shape[ix:]...].
  const auto outer = static_cast<size_t>(indices.rank() - 1);
  const auto ix = static_cast<size_t>(indices.shape.back());
  bool ok = updates.rank() >= static_cast<int>(outer) && ix <= shape->size() &&
            static_cast<size_t>(updates.rank()) - outer == shape->size() - ix;
  for (size_t i = 0; ok && i < outer; ++i) ok = indices.shape[i] == updates.shape[i];
  for (size_t i = 0; ok && i + outer < updates.shape.size(); ++i)
    ok = updates.shape[i + outer] == (*shape)[ix + i];
  for (int32_t d : *shape) ok = ok && d >= 0;
  if (!ok) {
    return ctx.error(cat("indices ", format::shape_string(indices.shape), " and updates ",
                         format::shape_string(updates.shape), " do not fit output shape ",
                         format::shape_string(*shape)));
  }
  return shape;
}

Status scatter_prepare(OpContext& ctx) {
  if (auto s = expect_inputs(ctx, 3); !s) return s;
  const Tensor& indices = *ctx.input(kScatterIndices);
  const Tensor& updates = *ctx.input(kScatterUpdates);
  const Tensor& shape_t = *ctx.input(kScatterShape);
  if (auto s = expect_index_type(ctx, indices, false); !s) return s;
  if (auto s = expect_type(ctx, shape_t, indices.type); !s) return s;
  if (indices.rank() < 1) return ctx.error(cat(tensor_label(indices), " must have rank 1 or more"));
  switch (updates.type) {
    case TensorType::FLOAT32:
    case TensorType::INT32:
    case TensorType::INT64:
    case TensorType::INT8:
    case TensorType::UINT8:
    case TensorType::BOOL:
      break;
    default:
      return ctx.error(
          cat(tensor_label(updates), " of type ", format::type_name(updates.type), " is not supported"));
  }
  if (auto s = expect_same_type(ctx, ctx.output(kOutput), updates); !s) return s;
  if (defer_until_values_known(ctx, {&shape_t})) return {};
  auto shape = scatter_shape(ctx);
  if (!shape) return tl::unexpected(shape.error());
  ctx.set_output_shape(kOutput, std::move(*shape));
  return {};
}

template <class T>
Status scatter_add(const OpContext& ctx, const std::vector<int64_t>& idx, const Tensor& indices,
                   const Tensor& updates, Tensor& out) {
  std::span<T> dst = out.mutable_values<T>();
  std::fill(dst.begin(), dst.end(), T{});
  const std::span<const T> src = updates.values<T>();
  const auto ix = static_cast<size_t>(indices.shape.back());
  const std::vector<int64_t> strides = row_major_strides(out.shape);
  const int64_t slice = product(out.shape, ix, out.shape.size());
  const int64_t count = product(indices.shape, 0, indices.shape.size() - 1);
  for (int64_t n = 0; n < count; ++n) {
    int64_t offset = 0;
    for (size_t j = 0; j < ix; ++j) {
      const int64_t i = idx[static_cast<size_t>(n) * ix + j];
      if (i < 0 || i >= out.dim(static_cast<int>(j)))
        return index_error(ctx, indices, i, out.dim(static_cast<int>(j)));
      offset += i * strides[j];
    }
    for (int64_t k = 0; k < slice; ++k) {
      T& d = dst[static_cast<size_t>(offset + k)];
      if constexpr (std::is_same_v<T, bool>) {
        d = d || src[static_cast<size_t>(n * slice + k)];
      } else {
        d = static_cast<T>(d + src[static_cast<size_t>(n * slice + k)]);
      }
    }
  }
  return {};
}

Status scatter_eval(OpContext& ctx) {
  const Tensor& indices = *ctx.input(kScatterIndices);
  const Tensor& updates = *ctx.input(kScatterUpdates);
  Tensor& out = ctx.output(kOutput);
  auto idx = read_ints(ctx, indices);
  if (!idx) return tl::unexpected(idx.error());
  switch (updates.type) {
    case TensorType::FLOAT32:
      return scatter_add<float>(ctx, *idx, indices, updates, out);
    case TensorType::INT32:
      return scatter_add<int32_t>(ctx, *idx, indices, updates, out);
    case TensorType::INT64:
      return scatter_add<int64_t>(ctx, *idx, indices, updates, out);
    case TensorType::INT8:
      return scatter_add<int8_t>(ctx, *idx, indices, updates, out);
    case TensorType::UINT8:
      return scatter_add<uint8_t>(ctx, *idx, indices, updates, out);
    default:
      return scatter_add<bool>(ctx, *idx, indices, updates, out);
  }
}

// ONE_HOT ------------------------------------------------------------------------

constexpr int kOneHotIndices = 0;
constexpr int kDepth = 1;
constexpr int kOnValue = 2;
constexpr int kOffValue = 3;

Result<int> one_hot_axis(const OpContext& ctx, const Tensor& indices) {
  const int axis = options_or_default<tfl::OneHotOptionsT>(ctx).axis;
  if (axis == -1) return indices.rank();
  if (axis < 0 || axis > indices.rank()) {
    return ctx.error(
        cat("axis ", axis, " is out of range for ", tensor_label(indices), " of rank ", indices.rank()));
  }
  return axis;
}

Status one_hot_prepare(OpContext& ctx) {
  if (auto s = expect_inputs(ctx, 4); !s) return s;
  const Tensor& indices = *ctx.input(kOneHotIndices);
  const Tensor& depth_t = *ctx.input(kDepth);
  const Tensor& out = ctx.output(kOutput);
  if (auto s = expect_index_type(ctx, indices, false); !s) return s;
  if (auto s = expect_type(ctx, depth_t, TensorType::INT32); !s) return s;
  if (auto s = element_bytes(ctx, out); !s) return tl::unexpected(s.error());
  for (int i : {kOnValue, kOffValue}) {
    const Tensor& v = *ctx.input(i);
    if (auto s = expect_type(ctx, v, out.type); !s) return s;
    if (v.elements() != 1) return ctx.error(cat(tensor_label(v), " must hold one value"));
  }
  auto axis = one_hot_axis(ctx, indices);
  if (!axis) return tl::unexpected(axis.error());
  if (defer_until_values_known(ctx, {&depth_t})) return {};
  auto depth = read_scalar_int(ctx, depth_t);
  if (!depth) return tl::unexpected(depth.error());
  if (*depth < 0) return ctx.error(cat("depth ", *depth, " is negative"));
  Shape shape = indices.shape;
  shape.insert(shape.begin() + *axis, static_cast<int32_t>(*depth));
  ctx.set_output_shape(kOutput, std::move(shape));
  return {};
}

// out[p, d, s] = indices[p, s] == d ? on : off, with p over the dims before the
// axis and s over those after.
Status one_hot_eval(OpContext& ctx) {
  const Tensor& indices = *ctx.input(kOneHotIndices);
  Tensor& out = ctx.output(kOutput);
  auto idx = read_ints(ctx, indices);
  if (!idx) return tl::unexpected(idx.error());
  const auto axis = static_cast<size_t>(*one_hot_axis(ctx, indices));
  const int64_t depth = out.dim(static_cast<int>(axis));
  const int64_t prefix = product(indices.shape, 0, axis);
  const int64_t suffix = product(indices.shape, axis, indices.shape.size());
  const size_t elem = *element_bytes(ctx, out);
  const std::byte* on = ctx.input(kOnValue)->data;
  const std::byte* off = ctx.input(kOffValue)->data;
  std::byte* dst = out.data;
  for (int64_t p = 0; p < prefix; ++p) {
    for (int64_t d = 0; d < depth; ++d) {
      for (int64_t s = 0; s < suffix; ++s) {
        std::memcpy(dst, (*idx)[static_cast<size_t>(p * suffix + s)] == d ? on : off, elem);
        dst += elem;
      }
    }
  }
  return {};
}

// TOPK_V2 ------------------------------------------------------------------------

constexpr int kTopKInput = 0;
constexpr int kK = 1;
constexpr int kTopValues = 0;
constexpr int kTopIndices = 1;

Status topk_prepare(OpContext& ctx) {
  if (auto s = expect_inputs(ctx, 2); !s) return s;
  if (auto s = expect_outputs(ctx, 2); !s) return s;
  const Tensor& x = *ctx.input(kTopKInput);
  const Tensor& k_t = *ctx.input(kK);
  switch (x.type) {
    case TensorType::FLOAT32:
    case TensorType::INT32:
    case TensorType::INT64:
    case TensorType::INT8:
    case TensorType::UINT8:
    case TensorType::INT16:
      break;
    default:
      return ctx.error(cat(tensor_label(x), " of type ", format::type_name(x.type), " is not supported"));
  }
  if (auto s = expect_same_type(ctx, ctx.output(kTopValues), x); !s) return s;
  if (auto s = expect_index_type(ctx, ctx.output(kTopIndices), true); !s) return s;
  if (x.rank() < 1) return ctx.error(cat(tensor_label(x), " must have rank 1 or more"));
  if (defer_until_values_known(ctx, {&k_t})) return {};
  auto k = read_scalar_int(ctx, k_t);
  if (!k) return tl::unexpected(k.error());
  if (*k < 0 || *k > x.shape.back()) {
    return ctx.error(cat("k = ", *k, " is out of range for the last dimension of ", tensor_label(x), " ",
                         format::shape_string(x.shape)));
  }
  Shape shape = x.shape;
  shape.back() = static_cast<int32_t>(*k);
  ctx.set_output_shape(kTopValues, shape);
  ctx.set_output_shape(kTopIndices, std::move(shape));
  return {};
}

template <class T>
void top_k(const Tensor& x, Tensor& values, Tensor& indices) {
  const int64_t n = x.shape.back();
  const int64_t k = values.shape.back();
  const int64_t rows = n == 0 ? 0 : x.elements() / n;
  const std::span<const T> in = x.values<T>();
  std::span<T> out = values.mutable_values<T>();
  std::vector<int64_t> order(static_cast<size_t>(n));
  for (int64_t r = 0; r < rows; ++r) {
    const T* row = in.data() + r * n;
    std::iota(order.begin(), order.end(), int64_t{0});
    // Largest first; equal values keep their order (lower index first).
    std::partial_sort(order.begin(), order.begin() + k, order.end(),
                      [row](int64_t a, int64_t b) { return row[a] > row[b] || (row[a] == row[b] && a < b); });
    for (int64_t j = 0; j < k; ++j) {
      const auto o = static_cast<size_t>(r * k + j);
      const int64_t i = order[static_cast<size_t>(j)];
      out[o] = row[i];
      if (indices.type == TensorType::INT32) {
        indices.mutable_values<int32_t>()[o] = static_cast<int32_t>(i);
      } else if (indices.type == TensorType::INT64) {
        indices.mutable_values<int64_t>()[o] = i;
      } else {
        indices.mutable_values<int16_t>()[o] = static_cast<int16_t>(i);
      }
    }
  }
}

Status topk_eval(OpContext& ctx) {
  const Tensor& x = *ctx.input(kTopKInput);
  Tensor& values = ctx.output(kTopValues);
  Tensor& indices = ctx.output(kTopIndices);
  switch (x.type) {
    case TensorType::FLOAT32:
      top_k<float>(x, values, indices);
      break;
    case TensorType::INT32:
      top_k<int32_t>(x, values, indices);
      break;
    case TensorType::INT64:
      top_k<int64_t>(x, values, indices);
      break;
    case TensorType::INT8:
      top_k<int8_t>(x, values, indices);
      break;
    case TensorType::UINT8:
      top_k<uint8_t>(x, values, indices);
      break;
    default:
      top_k<int16_t>(x, values, indices);
      break;
  }
  return {};
}

}  // namespace

void register_shape_gather(KernelRegistry& registry) {
  using format::BuiltinOp;
  registry.add(BuiltinOp::GATHER, Domain::kPlain, make_kernel(gather_prepare, gather_eval));
  registry.add(BuiltinOp::GATHER_ND, Domain::kPlain, make_kernel(gather_nd_prepare, gather_nd_eval));
  registry.add(BuiltinOp::EMBEDDING_LOOKUP, Domain::kPlain, make_kernel(embedding_prepare, embedding_eval));
  registry.add(BuiltinOp::SCATTER_ND, Domain::kPlain, make_kernel(scatter_prepare, scatter_eval));
  registry.add(BuiltinOp::ONE_HOT, Domain::kPlain, make_kernel(one_hot_prepare, one_hot_eval));
  registry.add(BuiltinOp::TOPK_V2, Domain::kPlain, make_kernel(topk_prepare, topk_eval));
}

}  // namespace qs::runtime::kernels
