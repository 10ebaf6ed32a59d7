// Ops that build a larger tensor from a smaller one or from nothing: PAD,
// PADV2, MIRROR_PAD, TILE, BROADCAST_TO, RANGE.

#include <cmath>

#include "runtime/kernels/shape_families.h"
#include "runtime/kernels/shape_util.h"

namespace qs::runtime::kernels {
namespace {

constexpr int kInput = 0;
constexpr int kOutput = 0;

std::vector<int64_t> to_int64(std::span<const int32_t> shape) { return {shape.begin(), shape.end()}; }

// PAD / PADV2 / MIRROR_PAD ------------------------------------------------------

constexpr int kPaddings = 1;
constexpr int kConstantValue = 2;

struct Padding {
  std::vector<int64_t> before;
  std::vector<int64_t> after;
};

Result<Padding> read_padding(const OpContext& ctx, const Tensor& x, const Tensor& pads_t) {
  if (pads_t.rank() != 2 || pads_t.dim(0) != x.rank() || pads_t.dim(1) != 2) {
    return ctx.error(cat(tensor_label(pads_t), " has shape ", format::shape_string(pads_t.shape),
                         ", expected [", x.rank(), ",2] for ", tensor_label(x)));
  }
  auto v = read_ints(ctx, pads_t);
  if (!v) return tl::unexpected(v.error());
  Padding p;
  for (int k = 0; k < x.rank(); ++k) {
    const int64_t lo = (*v)[static_cast<size_t>(2 * k)];
    const int64_t hi = (*v)[static_cast<size_t>(2 * k + 1)];
    if (lo < 0 || hi < 0)
      return ctx.error(cat(tensor_label(pads_t), ": padding of dimension ", k, " is negative"));
    p.before.push_back(lo);
    p.after.push_back(hi);
  }
  return p;
}

Shape padded_shape(const Tensor& x, const Padding& p) {
  Shape shape = x.shape;
  for (size_t k = 0; k < shape.size(); ++k)
    shape[k] = static_cast<int32_t>(shape[k] + p.before[k] + p.after[k]);
  return shape;
}

Status pad_prepare(OpContext& ctx) {
  if (auto s = expect_inputs(ctx, 2); !s) return s;
  const Tensor& x = *ctx.input(kInput);
  const Tensor& pads_t = *ctx.input(kPaddings);
  if (auto s = element_bytes(ctx, x); !s) return tl::unexpected(s.error());
  if (auto s = expect_same_type(ctx, ctx.output(kOutput), x); !s) return s;
  if (const Tensor* value = ctx.input(kConstantValue); value != nullptr) {
    if (auto s = expect_type(ctx, *value, x.type); !s) return s;
    if (value->elements() != 1) return ctx.error(cat(tensor_label(*value), " must hold one value"));
  }
  if (defer_until_values_known(ctx, {&pads_t})) return {};
  auto p = read_padding(ctx, x, pads_t);
  if (!p) return tl::unexpected(p.error());
  ctx.set_output_shape(kOutput, padded_shape(x, *p));
  return {};
}

Status pad_eval(OpContext& ctx) {
  const Tensor& x = *ctx.input(kInput);
  Tensor& out = ctx.output(kOutput);
  auto p = read_padding(ctx, x, *ctx.input(kPaddings));
  if (!p) return tl::unexpected(p.error());
  const size_t elem = *element_bytes(ctx, x);
  // PAD pads with zero bytes (0 of every type); PADV2 with its value.
  if (const Tensor* value = ctx.input(kConstantValue); value != nullptr) {
    fill_elements(out.data, out.elements(), value->data, elem);
  } else {
    zero_bytes(out.data, out.bytes);
  }
  const std::vector<int64_t> out_strides = row_major_strides(out.shape);
  int64_t offset = 0;
  for (size_t k = 0; k < out_strides.size(); ++k) offset += p->before[k] * out_strides[k];
  copy_strided(to_int64(x.shape), out.data, out_strides, offset, x.data, row_major_strides(x.shape), 0, elem);
  return {};
}

// REFLECT mirrors without repeating the edge (offset 1), SYMMETRIC repeats it
// (offset 0); TFLite's index rule, for pads within the input's extent.
int64_t mirror_index(int64_t p, int64_t before, int64_t n, int64_t offset) {
  if (p < before) return before + offset - 1 - p;
  p -= before;
  if (p < n) return p;
  return n - 1 - offset - (p - n);
}

Status mirror_pad_prepare(OpContext& ctx) {
  if (auto s = expect_inputs(ctx, 2); !s) return s;
  const Tensor& x = *ctx.input(kInput);
  const Tensor& pads_t = *ctx.input(kPaddings);
  if (auto s = element_bytes(ctx, x); !s) return tl::unexpected(s.error());
  if (auto s = expect_same_type(ctx, ctx.output(kOutput), x); !s) return s;
  if (defer_until_values_known(ctx, {&pads_t})) return {};
  auto p = read_padding(ctx, x, pads_t);
  if (!p) return tl::unexpected(p.error());
  const bool reflect = options_or_default<tfl::MirrorPadOptionsT>(ctx).mode == tfl::MirrorPadMode::REFLECT;
  for (int k = 0; k < x.rank(); ++k) {
    const int64_t limit = reflect ? x.dim(k) - 1 : x.dim(k);
    const auto i = static_cast<size_t>(k);
    if (p->before[i] > limit || p->after[i] > limit) {
      return ctx.error(cat("padding of dimension ", k, " is larger than ", reflect ? "REFLECT" : "SYMMETRIC",
                           " allows for ", tensor_label(x), " ", format::shape_string(x.shape)));
    }
  }
  ctx.set_output_shape(kOutput, padded_shape(x, *p));
  return {};
}

Status mirror_pad_eval(OpContext& ctx) {
  const Tensor& x = *ctx.input(kInput);
  Tensor& out = ctx.output(kOutput);
  auto p = read_padding(ctx, x, *ctx.input(kPaddings));
  if (!p) return tl::unexpected(p.error());
  if (out.elements() == 0) return {};
  const int64_t offset =
      options_or_default<tfl::MirrorPadOptionsT>(ctx).mode == tfl::MirrorPadMode::REFLECT ? 1 : 0;
  const std::vector<int64_t> in_strides = row_major_strides(x.shape);
  // Per dimension: output position -> input offset contribution.
  std::vector<std::vector<int64_t>> source(static_cast<size_t>(x.rank()));
  for (int k = 0; k < x.rank(); ++k) {
    const auto i = static_cast<size_t>(k);
    for (int64_t q = 0; q < out.dim(k); ++q) {
      source[i].push_back(mirror_index(q, p->before[i], x.dim(k), offset) * in_strides[i]);
    }
  }
  with_word(*element_bytes(ctx, x), [&]<class W>() {
    const W* in = reinterpret_cast<const W*>(x.data);
    W* dst = reinterpret_cast<W*>(out.data);
    if (x.rank() == 0) {
      dst[0] = in[0];
      return;
    }
    const size_t last = source.size() - 1;
    std::vector<int64_t> index(last, 0);
    while (true) {
      int64_t base = 0;
      for (size_t k = 0; k < last; ++k) base += source[k][static_cast<size_t>(index[k])];
      for (int64_t s : source[last]) *dst++ = in[base + s];
      size_t k = last;
      for (; k-- > 0;) {
        if (++index[k] < static_cast<int64_t>(source[k].size())) break;
        index[k] = 0;
      }
      if (k == static_cast<size_t>(-1)) break;
    }
  });
  return {};
}

// TILE ---------------------------------------------------------------------------

constexpr int kMultiples = 1;

Result<std::vector<int64_t>> read_multiples(const OpContext& ctx, const Tensor& x, const Tensor& m_t) {
  auto m = read_ints(ctx, m_t, x.rank());
  if (!m) return m;
  for (int64_t v : *m) {
    if (v < 0) return ctx.error(cat(tensor_label(m_t), " has a negative multiple ", v));
  }
  return m;
}

Status tile_prepare(OpContext& ctx) {
  if (auto s = expect_inputs(ctx, 2); !s) return s;
  const Tensor& x = *ctx.input(kInput);
  const Tensor& m_t = *ctx.input(kMultiples);
  if (auto s = element_bytes(ctx, x); !s) return tl::unexpected(s.error());
  if (auto s = expect_same_type(ctx, ctx.output(kOutput), x); !s) return s;
  if (defer_until_values_known(ctx, {&m_t})) return {};
  auto m = read_multiples(ctx, x, m_t);
  if (!m) return tl::unexpected(m.error());
  std::vector<int64_t> dims;
  for (int k = 0; k < x.rank(); ++k) dims.push_back(x.dim(k) * (*m)[static_cast<size_t>(k)]);
  auto shape = to_shape(ctx, dims, m_t);
  if (!shape) return tl::unexpected(shape.error());
  ctx.set_output_shape(kOutput, std::move(*shape));
  return {};
}

// The output read as [m_0, d_0, m_1, d_1, ...] is the input with stride 0 on
// every m_k.
Status tile_eval(OpContext& ctx) {
  const Tensor& x = *ctx.input(kInput);
  Tensor& out = ctx.output(kOutput);
  auto m = read_multiples(ctx, x, *ctx.input(kMultiples));
  if (!m) return tl::unexpected(m.error());
  const std::vector<int64_t> in_strides = row_major_strides(x.shape);
  const std::vector<int64_t> out_strides = row_major_strides(out.shape);
  std::vector<int64_t> dims, dst, src;
  for (size_t k = 0; k < in_strides.size(); ++k) {
    dims.insert(dims.end(), {(*m)[k], x.shape[k]});
    dst.insert(dst.end(), {x.shape[k] * out_strides[k], out_strides[k]});
    src.insert(src.end(), {0, in_strides[k]});
  }
  copy_strided(dims, out.data, dst, 0, x.data, src, 0, *element_bytes(ctx, x));
  return {};
}

// BROADCAST_TO ---------------------------------------------------------------------

constexpr int kTargetShape = 1;

Result<Shape> broadcast_target(const OpContext& ctx, const Tensor& x, const Tensor& shape_t) {
  if (shape_t.rank() != 1) return ctx.error(cat(tensor_label(shape_t), " must be 1-D"));
  auto v = read_ints(ctx, shape_t);
  if (!v) return tl::unexpected(v.error());
  auto shape = to_shape(ctx, *v, shape_t);
  if (!shape) return shape;
  const size_t extra = shape->size() >= x.shape.size() ? shape->size() - x.shape.size() : 0;
  bool ok = shape->size() >= x.shape.size();
  for (size_t k = 0; ok && k < x.shape.size(); ++k) {
    const int32_t want = (*shape)[extra + k];
    ok = want >= 0 && (x.shape[k] == want || x.shape[k] == 1);
  }
  if (!ok) {
    return ctx.error(cat("cannot broadcast ", tensor_label(x), " ", format::shape_string(x.shape), " to ",
                         format::shape_string(*shape)));
  }
  return shape;
}

Status broadcast_to_prepare(OpContext& ctx) {
  if (auto s = expect_inputs(ctx, 2); !s) return s;
  const Tensor& x = *ctx.input(kInput);
  const Tensor& shape_t = *ctx.input(kTargetShape);
  if (auto s = element_bytes(ctx, x); !s) return tl::unexpected(s.error());
  if (auto s = expect_same_type(ctx, ctx.output(kOutput), x); !s) return s;
  if (defer_until_values_known(ctx, {&shape_t})) return {};
  auto shape = broadcast_target(ctx, x, shape_t);
  if (!shape) return tl::unexpected(shape.error());
  ctx.set_output_shape(kOutput, std::move(*shape));
  return {};
}

Status broadcast_to_eval(OpContext& ctx) {
  const Tensor& x = *ctx.input(kInput);
  Tensor& out = ctx.output(kOutput);
  const std::vector<int64_t> in_strides = row_major_strides(x.shape);
  const size_t extra = out.shape.size() - x.shape.size();
  std::vector<int64_t> src(out.shape.size(), 0);
  for (size_t k = 0; k < x.shape.size(); ++k) src[extra + k] = x.shape[k] == 1 ? 0 : in_strides[k];
  gather_strided(to_int64(out.shape), out.data, x.data, src, 0, *element_bytes(ctx, x));
  return {};
}

// RANGE ------------------------------------------------------------------------------

constexpr int kStart = 0;
constexpr int kLimit = 1;
constexpr int kDelta = 2;

template <class T>
T scalar_of(const Tensor& t) {
  return t.values<T>()[0];
}

// TFLite's element count: ceil(|limit − start| / |delta|).
template <class T>
Result<int64_t> range_size(const OpContext& ctx, T start, T limit, T delta) {
  if (delta == 0) return ctx.error("delta is 0");
  if ((start > limit && delta > 0) || (start < limit && delta < 0)) {
    return ctx.error("delta has the wrong sign to go from start to limit");
  }
  double n = 0;
  if constexpr (std::is_integral_v<T>) {
    const int64_t span = std::abs(static_cast<int64_t>(limit) - static_cast<int64_t>(start));
    const int64_t step = std::abs(static_cast<int64_t>(delta));
    n = static_cast<double>((span + step - 1) / step);
  } else {
    n = static_cast<double>(std::ceil(std::abs((limit - start) / delta)));
  }
  if (!(n <= static_cast<double>(std::numeric_limits<int32_t>::max())))
    return ctx.error("the range is too long");
  return static_cast<int64_t>(n);
}

template <class T>
Result<int64_t> range_size_of(const OpContext& ctx) {
  return range_size<T>(ctx, scalar_of<T>(*ctx.input(kStart)), scalar_of<T>(*ctx.input(kLimit)),
                       scalar_of<T>(*ctx.input(kDelta)));
}

Status range_prepare(OpContext& ctx) {
  if (auto s = expect_inputs(ctx, 3); !s) return s;
  const Tensor& start = *ctx.input(kStart);
  if (start.type != TensorType::FLOAT32 && start.type != TensorType::INT32 &&
      start.type != TensorType::INT64) {
    return ctx.error(
        cat(tensor_label(start), " must be FLOAT32, INT32 or INT64, is ", format::type_name(start.type)));
  }
  for (int i : {kStart, kLimit, kDelta}) {
    const Tensor& t = *ctx.input(i);
    if (auto s = expect_type(ctx, t, start.type); !s) return s;
    if (t.rank() != 0) return ctx.error(cat(tensor_label(t), " must be a scalar"));
  }
  if (auto s = expect_same_type(ctx, ctx.output(kOutput), start); !s) return s;
  if (defer_until_values_known(ctx, {ctx.input(kStart), ctx.input(kLimit), ctx.input(kDelta)})) return {};
  Result<int64_t> n = start.type == TensorType::FLOAT32 ? range_size_of<float>(ctx)
                      : start.type == TensorType::INT32 ? range_size_of<int32_t>(ctx)
                                                        : range_size_of<int64_t>(ctx);
  if (!n) return tl::unexpected(n.error());
  ctx.set_output_shape(kOutput, {static_cast<int32_t>(*n)});
  return {};
}

// Accumulates like TFLite (value += delta), which matters for floats.
template <class T>
void fill_range(OpContext& ctx) {
  T value = scalar_of<T>(*ctx.input(kStart));
  const T delta = scalar_of<T>(*ctx.input(kDelta));
  for (T& v : ctx.output(kOutput).mutable_values<T>()) {
    v = value;
    value = static_cast<T>(value + delta);
  }
}

Status range_eval(OpContext& ctx) {
  switch (ctx.input(kStart)->type) {
    case TensorType::FLOAT32:
      fill_range<float>(ctx);
      break;
    case TensorType::INT32:
      fill_range<int32_t>(ctx);
      break;
    default:
      fill_range<int64_t>(ctx);
      break;
  }
  return {};
}

}  // namespace

void register_shape_fill(KernelRegistry& registry) {
  using format::BuiltinOp;
  registry.add(BuiltinOp::PAD, Domain::kPlain, make_kernel(pad_prepare, pad_eval));
  registry.add(BuiltinOp::PADV2, Domain::kPlain, make_kernel(pad_prepare, pad_eval));
  registry.add(BuiltinOp::MIRROR_PAD, Domain::kPlain, make_kernel(mirror_pad_prepare, mirror_pad_eval));
  registry.add(BuiltinOp::TILE, Domain::kPlain, make_kernel(tile_prepare, tile_eval));
  registry.add(BuiltinOp::BROADCAST_TO, Domain::kPlain, make_kernel(broadcast_to_prepare, broadcast_to_eval));
  registry.add(BuiltinOp::RANGE, Domain::kPlain, make_kernel(range_prepare, range_eval));
}

}  // namespace qs::runtime::kernels
