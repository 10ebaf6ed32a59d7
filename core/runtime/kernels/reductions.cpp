// Reductions: MEAN, SUM, REDUCE_PROD/MAX/MIN/ANY/ALL over a set of axes,
// ARG_MAX/ARG_MIN over one, and CUMSUM.
//
// Every reduction accumulates in the order the input is stored, like
// TFLite's reference kernels, so the fast walk (contiguous runs, dimensions
// merged) and the plain reference loop give identical results. The fast walk
// makes the common MEAN over H,W of an NHWC tensor (global average pooling)
// a per-channel vector add: [N, H·W (reduced), C] with C innermost.

#include <limits>

#include "runtime/kernels/kernels.h"
#include "runtime/kernels/shape_util.h"

namespace qs::runtime::kernels {
namespace {

constexpr int kInput = 0;
constexpr int kAxis = 1;
constexpr int kOutput = 0;

enum class Reducer : uint8_t { kSum, kMean, kProd, kMax, kMin, kAny, kAll };

bool type_supported(Reducer r, TensorType t) {
  switch (r) {
    case Reducer::kAny:
    case Reducer::kAll:
      return t == TensorType::BOOL;
    case Reducer::kMax:
    case Reducer::kMin:
      return t == TensorType::FLOAT32 || t == TensorType::INT32 || t == TensorType::INT64 ||
             t == TensorType::INT8 || t == TensorType::UINT8 || t == TensorType::INT16;
    default:
      return t == TensorType::FLOAT32 || t == TensorType::INT32 || t == TensorType::INT64;
  }
}

// Which input dimensions the axes tensor names (negative axes count from the
// end; an axis given twice counts once).
Result<std::vector<bool>> reduced_mask(const OpContext& ctx, const Tensor& x, const Tensor& axes_t) {
  if (axes_t.rank() > 1) return ctx.error(cat(tensor_label(axes_t), " must be a scalar or 1-D"));
  auto axes = read_ints(ctx, axes_t);
  if (!axes) return tl::unexpected(axes.error());
  std::vector<bool> mask(static_cast<size_t>(x.rank()), false);
  for (int64_t a : *axes) {
    const int64_t k = a < 0 ? a + x.rank() : a;
    if (k < 0 || k >= x.rank()) {
      return ctx.error(cat("axis ", a, " in ", tensor_label(axes_t), " is out of range for ", tensor_label(x),
                           " of rank ", x.rank()));
    }
    mask[static_cast<size_t>(k)] = true;
  }
  return mask;
}

bool keep_dims(const OpContext& ctx) { return options_or_default<tfl::ReducerOptionsT>(ctx).keep_dims; }

Status reduce_prepare(OpContext& ctx, Reducer r) {
  if (auto s = expect_inputs(ctx, 2); !s) return s;
  const Tensor& x = *ctx.input(kInput);
  const Tensor& axes_t = *ctx.input(kAxis);
  if (!type_supported(r, x.type)) {
    return ctx.error(cat(tensor_label(x), " of type ", format::type_name(x.type), " is not supported"));
  }
  if (auto s = expect_same_type(ctx, ctx.output(kOutput), x); !s) return s;
  if (defer_until_values_known(ctx, {&axes_t})) return {};
  auto mask = reduced_mask(ctx, x, axes_t);
  if (!mask) return tl::unexpected(mask.error());
  Shape shape;
  for (int k = 0; k < x.rank(); ++k) {
    if (!(*mask)[static_cast<size_t>(k)]) {
      shape.push_back(x.dim(k));
    } else if (keep_dims(ctx)) {
      shape.push_back(1);
    }
  }
  ctx.set_output_shape(kOutput, std::move(shape));
  return {};
}

// Accumulator type, start value and step of each reducer. TFLite starts
// MAX/MIN at the type's lowest/highest finite value and keeps the current
// value unless the new one compares greater/smaller (so NaN is skipped).
template <class T, Reducer R>
struct Accumulate {
  // BOOL accumulates as a byte (std::vector<bool> has no data()).
  using Acc =
      std::conditional_t<std::is_same_v<T, bool>, uint8_t,
                         std::conditional_t<R == Reducer::kMean && std::is_integral_v<T>, int64_t, T>>;
  static Acc init() {
    if constexpr (R == Reducer::kProd) return Acc{1};
    if constexpr (R == Reducer::kMax) return std::numeric_limits<T>::lowest();
    if constexpr (R == Reducer::kMin) return std::numeric_limits<T>::max();
    if constexpr (R == Reducer::kAll) return Acc{1};
    return Acc{};
  }
  static Acc step(Acc acc, T v) {
    if constexpr (R == Reducer::kSum || R == Reducer::kMean) return static_cast<Acc>(acc + v);
    if constexpr (R == Reducer::kProd) return static_cast<Acc>(acc * v);
    if constexpr (R == Reducer::kMax) return v > acc ? v : acc;
    if constexpr (R == Reducer::kMin) return v < acc ? v : acc;
    if constexpr (R == Reducer::kAny) return static_cast<Acc>(acc != 0 || v);
    return static_cast<Acc>(acc != 0 && v);
  }
};

// For each input dimension, its stride in the output (0 when reduced).
std::vector<int64_t> output_strides(std::span<const int32_t> shape, const std::vector<bool>& mask) {
  std::vector<int64_t> strides(shape.size(), 0);
  int64_t s = 1;
  for (size_t k = shape.size(); k-- > 0;) {
    if (mask[k]) continue;
    strides[k] = s;
    s *= shape[k];
  }
  return strides;
}

// Fast walk: input dims merged into runs of reduced/kept dims (unit dims
// dropped), the input read front to back, the innermost run either folded
// into one accumulator or added element-wise into a row of accumulators.
template <class T, Reducer R>
void reduce_fast(const Tensor& x, const std::vector<bool>& mask,
                 std::vector<typename Accumulate<T, R>::Acc>& acc) {
  using A = Accumulate<T, R>;
  struct Run {
    int64_t size;
    int64_t out_stride;
    bool reduced;
  };
  const std::vector<int64_t> out_strides = output_strides(x.shape, mask);
  std::vector<Run> runs;  // outermost first
  for (size_t k = 0; k < x.shape.size(); ++k) {
    if (x.shape[k] == 1) continue;
    if (!runs.empty() && runs.back().reduced == mask[k]) {
      runs.back().size *= x.shape[k];
      runs.back().out_stride = out_strides[k];
      continue;
    }
    runs.push_back({x.shape[k], out_strides[k], mask[k]});
  }
  if (x.elements() == 0) return;
  if (runs.empty()) runs.push_back({1, 0, true});
  const Run inner = runs.back();
  runs.pop_back();
  const T* in = x.values<T>().data();
  std::vector<int64_t> index(runs.size(), 0);
  int64_t o = 0;
  while (true) {
    if (inner.reduced) {
      auto a = acc[static_cast<size_t>(o)];
      for (int64_t j = 0; j < inner.size; ++j) a = A::step(a, in[j]);
      acc[static_cast<size_t>(o)] = a;
    } else {
      auto* row = acc.data() + o;
      for (int64_t j = 0; j < inner.size; ++j) row[j] = A::step(row[j], in[j]);
    }
    in += inner.size;
    size_t k = runs.size();
    for (; k-- > 0;) {
      o += runs[k].out_stride;
      if (++index[k] < runs[k].size) break;
      o -= runs[k].out_stride * runs[k].size;
      index[k] = 0;
    }
    if (k == static_cast<size_t>(-1)) break;
  }
}

// Reference: every input element on its own, its output position found by
// dividing its flat index.
template <class T, Reducer R>
void reduce_reference(const Tensor& x, const std::vector<bool>& mask,
                      std::vector<typename Accumulate<T, R>::Acc>& acc) {
  const std::vector<int64_t> out_strides = output_strides(x.shape, mask);
  const std::span<const T> in = x.values<T>();
  for (int64_t i = 0; i < static_cast<int64_t>(in.size()); ++i) {
    int64_t rest = i;
    int64_t o = 0;
    for (size_t k = x.shape.size(); k-- > 0;) {
      o += (rest % x.shape[k]) * out_strides[k];
      rest /= x.shape[k];
    }
    acc[static_cast<size_t>(o)] =
        Accumulate<T, R>::step(acc[static_cast<size_t>(o)], in[static_cast<size_t>(i)]);
  }
}

template <class T, Reducer R>
Status reduce_typed(OpContext& ctx, bool reference) {
  using A = Accumulate<T, R>;
  const Tensor& x = *ctx.input(kInput);
  Tensor& out = ctx.output(kOutput);
  auto mask = reduced_mask(ctx, x, *ctx.input(kAxis));
  if (!mask) return tl::unexpected(mask.error());
  std::vector<typename A::Acc> acc(static_cast<size_t>(out.elements()), A::init());
  if (reference) {
    reduce_reference<T, R>(x, *mask, acc);
  } else {
    reduce_fast<T, R>(x, *mask, acc);
  }
  std::span<T> dst = out.mutable_values<T>();
  if constexpr (R == Reducer::kMean) {
    int64_t count = 1;
    for (int k = 0; k < x.rank(); ++k) count *= (*mask)[static_cast<size_t>(k)] ? x.dim(k) : 1;
    for (size_t i = 0; i < dst.size(); ++i) {
      if constexpr (std::is_integral_v<T>) {
        dst[i] = static_cast<T>(count == 0 ? 0 : acc[i] / count);
      } else {
        dst[i] = acc[i] / static_cast<T>(count);
      }
    }
  } else {
    for (size_t i = 0; i < dst.size(); ++i) dst[i] = static_cast<T>(acc[i]);
  }
  return {};
}

template <Reducer R>
Status reduce_eval(OpContext& ctx, bool reference) {
  switch (ctx.input(kInput)->type) {
    case TensorType::FLOAT32:
      return reduce_typed<float, R>(ctx, reference);
    case TensorType::INT32:
      return reduce_typed<int32_t, R>(ctx, reference);
    case TensorType::INT64:
      return reduce_typed<int64_t, R>(ctx, reference);
    case TensorType::INT8:
      if constexpr (R == Reducer::kMax || R == Reducer::kMin) return reduce_typed<int8_t, R>(ctx, reference);
      break;
    case TensorType::UINT8:
      if constexpr (R == Reducer::kMax || R == Reducer::kMin) return reduce_typed<uint8_t, R>(ctx, reference);
      break;
    case TensorType::INT16:
      if constexpr (R == Reducer::kMax || R == Reducer::kMin) return reduce_typed<int16_t, R>(ctx, reference);
      break;
    case TensorType::BOOL:
      if constexpr (R == Reducer::kAny || R == Reducer::kAll) return reduce_typed<bool, R>(ctx, reference);
      break;
    default:
      break;
  }
  return ctx.error(cat("type ", format::type_name(ctx.input(kInput)->type), " is not supported"));
}

template <Reducer R>
void add_reduction(KernelRegistry& registry, format::BuiltinOp op) {
  auto prepare = [](OpContext& ctx) { return reduce_prepare(ctx, R); };
  registry.add(op, Domain::kPlain, Flavor::kFast,
               make_kernel(prepare, [](OpContext& ctx) { return reduce_eval<R>(ctx, false); }));
  registry.add(op, Domain::kPlain, Flavor::kReference,
               make_kernel(prepare, [](OpContext& ctx) { return reduce_eval<R>(ctx, true); }));
}

// ARG_MAX / ARG_MIN --------------------------------------------------------------

Result<int> arg_axis(const OpContext& ctx, const Tensor& x) {
  auto axis = read_scalar_int(ctx, *ctx.input(kAxis));
  if (!axis) return tl::unexpected(axis.error());
  if (x.rank() == 0) return ctx.error(cat(tensor_label(x), " is a scalar"));
  return normalize_axis(ctx, *axis, x.rank());
}

Status arg_prepare(OpContext& ctx) {
  if (auto s = expect_inputs(ctx, 2); !s) return s;
  const Tensor& x = *ctx.input(kInput);
  const Tensor& out = ctx.output(kOutput);
  switch (x.type) {
    case TensorType::FLOAT32:
    case TensorType::INT32:
    case TensorType::INT64:
    case TensorType::INT8:
    case TensorType::UINT8:
    case TensorType::INT16:
    case TensorType::BOOL:
      break;
    default:
      return ctx.error(cat(tensor_label(x), " of type ", format::type_name(x.type), " is not supported"));
  }
  // output_type in the options says the same as the output tensor's type in
  // valid models; the tensor decides.
  if (out.type != TensorType::INT32 && out.type != TensorType::INT64) {
    return ctx.error(
        cat("output ", tensor_label(out), " must be INT32 or INT64, is ", format::type_name(out.type)));
  }
  if (defer_until_values_known(ctx, {ctx.input(kAxis)})) return {};
  auto axis = arg_axis(ctx, x);
  if (!axis) return tl::unexpected(axis.error());
  Shape shape = x.shape;
  shape.erase(shape.begin() + *axis);
  ctx.set_output_shape(kOutput, std::move(shape));
  return {};
}

// The index of the first extreme value along the axis (ties keep the
// earliest; a NaN never compares greater, as in TFLite).
template <class T, bool kMax>
void arg_extreme(const Tensor& x, int axis, Tensor& out) {
  const int64_t outer = product(x.shape, 0, static_cast<size_t>(axis));
  const int64_t n = x.dim(axis);
  const int64_t inner = product(x.shape, static_cast<size_t>(axis) + 1, x.shape.size());
  const T* in = x.values<T>().data();
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t i = 0; i < inner; ++i) {
      const T* p = in + o * n * inner + i;
      int64_t best = 0;
      for (int64_t j = 1; j < n; ++j) {
        const bool better = kMax ? p[j * inner] > p[best * inner] : p[j * inner] < p[best * inner];
        if (better) best = j;
      }
      const auto at = static_cast<size_t>(o * inner + i);
      if (out.type == TensorType::INT32) {
        out.mutable_values<int32_t>()[at] = static_cast<int32_t>(best);
      } else {
        out.mutable_values<int64_t>()[at] = best;
      }
    }
  }
}

template <bool kMax>
Status arg_eval(OpContext& ctx) {
  const Tensor& x = *ctx.input(kInput);
  Tensor& out = ctx.output(kOutput);
  auto axis = arg_axis(ctx, x);
  if (!axis) return tl::unexpected(axis.error());
  switch (x.type) {
    case TensorType::FLOAT32:
      arg_extreme<float, kMax>(x, *axis, out);
      break;
    case TensorType::INT32:
      arg_extreme<int32_t, kMax>(x, *axis, out);
      break;
    case TensorType::INT64:
      arg_extreme<int64_t, kMax>(x, *axis, out);
      break;
    case TensorType::INT8:
      arg_extreme<int8_t, kMax>(x, *axis, out);
      break;
    case TensorType::UINT8:
      arg_extreme<uint8_t, kMax>(x, *axis, out);
      break;
    case TensorType::INT16:
      arg_extreme<int16_t, kMax>(x, *axis, out);
      break;
    default:
      arg_extreme<bool, kMax>(x, *axis, out);
      break;
  }
  return {};
}

// CUMSUM -------------------------------------------------------------------------

Status cumsum_prepare(OpContext& ctx) {
  if (auto s = expect_inputs(ctx, 2); !s) return s;
  const Tensor& x = *ctx.input(kInput);
  if (x.type != TensorType::FLOAT32 && x.type != TensorType::INT32 && x.type != TensorType::INT64) {
    return ctx.error(cat(tensor_label(x), " of type ", format::type_name(x.type), " is not supported"));
  }
  if (auto s = expect_same_type(ctx, ctx.output(kOutput), x); !s) return s;
  if (ctx.values_known(*ctx.input(kAxis))) {
    if (auto axis = arg_axis(ctx, x); !axis) return tl::unexpected(axis.error());
  }
  ctx.set_output_shape(kOutput, x.shape);
  return {};
}

// Running sums along the axis, all inner positions at once; `exclusive`
// writes the sum before adding, `reverse` runs from the end.
template <class T>
void cumsum(const Tensor& x, int axis, bool exclusive, bool reverse, Tensor& out) {
  const int64_t outer = product(x.shape, 0, static_cast<size_t>(axis));
  const int64_t n = x.dim(axis);
  const int64_t inner = product(x.shape, static_cast<size_t>(axis) + 1, x.shape.size());
  const T* in = x.values<T>().data();
  T* dst = out.mutable_values<T>().data();
  std::vector<T> acc(static_cast<size_t>(inner));
  for (int64_t o = 0; o < outer; ++o) {
    std::fill(acc.begin(), acc.end(), T{});
    for (int64_t s = 0; s < n; ++s) {
      const int64_t j = reverse ? n - 1 - s : s;
      const T* src = in + (o * n + j) * inner;
      T* row = dst + (o * n + j) * inner;
      for (int64_t i = 0; i < inner; ++i) {
        const auto a = static_cast<size_t>(i);
        if (exclusive) {
          row[i] = acc[a];
          acc[a] = static_cast<T>(acc[a] + src[i]);
        } else {
          acc[a] = static_cast<T>(acc[a] + src[i]);
          row[i] = acc[a];
        }
      }
    }
  }
}

Status cumsum_eval(OpContext& ctx) {
  const Tensor& x = *ctx.input(kInput);
  Tensor& out = ctx.output(kOutput);
  auto axis = arg_axis(ctx, x);
  if (!axis) return tl::unexpected(axis.error());
  const auto& o = options_or_default<tfl::CumsumOptionsT>(ctx);
  switch (x.type) {
    case TensorType::FLOAT32:
      cumsum<float>(x, *axis, o.exclusive, o.reverse, out);
      break;
    case TensorType::INT32:
      cumsum<int32_t>(x, *axis, o.exclusive, o.reverse, out);
      break;
    default:
      cumsum<int64_t>(x, *axis, o.exclusive, o.reverse, out);
      break;
  }
  return {};
}

}  // namespace

void register_reductions(KernelRegistry& registry) {
  using format::BuiltinOp;
  add_reduction<Reducer::kMean>(registry, BuiltinOp::MEAN);
  add_reduction<Reducer::kSum>(registry, BuiltinOp::SUM);
  add_reduction<Reducer::kProd>(registry, BuiltinOp::REDUCE_PROD);
  add_reduction<Reducer::kMax>(registry, BuiltinOp::REDUCE_MAX);
  add_reduction<Reducer::kMin>(registry, BuiltinOp::REDUCE_MIN);
  add_reduction<Reducer::kAny>(registry, BuiltinOp::REDUCE_ANY);
  add_reduction<Reducer::kAll>(registry, BuiltinOp::REDUCE_ALL);
  registry.add(BuiltinOp::ARG_MAX, Domain::kPlain, make_kernel(arg_prepare, arg_eval<true>));
  registry.add(BuiltinOp::ARG_MIN, Domain::kPlain, make_kernel(arg_prepare, arg_eval<false>));
  registry.add(BuiltinOp::CUMSUM, Domain::kPlain, make_kernel(cumsum_prepare, cumsum_eval));
}

}  // namespace qs::runtime::kernels
