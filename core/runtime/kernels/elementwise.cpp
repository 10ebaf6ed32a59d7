// Elementwise kernels: arithmetic and comparisons with broadcasting, logical
// ops, SELECT, ADD_N, unary maths, CAST, ZEROS_LIKE and FILL.
//
// Semantics follow TFLite's float and integer kernels (reference_ops and the
// builtin kernels under tensorflow/lite/kernels): integer division truncates,
// FLOOR_DIV/FLOOR_MOD round toward negative infinity, ROUND is half to even,
// float ADD/SUB/MUL/DIV clamp to the finite float range even without a fused
// activation (TFLite's "no activation" bounds are lowest()/max()).
// Integer arithmetic wraps where TFLite's would overflow, instead of being
// undefined.
//
// BOOL tensors hold one byte per element and are read as uint8_t, never as
// bool, so a byte other than 0/1 in a model file is just "true".

#include <Eigen/Core>
#include <bit>
#include <cmath>
#include <limits>
#include <optional>
#include <type_traits>

#include "inspect/tensor_stats.h"
#include "runtime/kernels/broadcast.h"
#include "runtime/kernels/kernel_util.h"
#include "runtime/kernels/kernels.h"

namespace qs::runtime::kernels {
namespace {

using format::BuiltinOp;

constexpr int kInput = 0;
constexpr int kInput1 = 0;
constexpr int kInput2 = 1;
constexpr int kCondition = 0;
constexpr int kSelectX = 1;
constexpr int kSelectY = 2;
constexpr int kFillDims = 0;
constexpr int kFillValue = 1;
constexpr int kOutput = 0;

// Element types ------------------------------------------------------------

// Tags for element types whose storage is not the C++ type of their values.
struct BoolTag {};
struct HalfTag {};

template <class T>
struct StoredAs {
  using type = T;
};
template <>
struct StoredAs<BoolTag> {
  using type = uint8_t;
};
template <>
struct StoredAs<HalfTag> {
  using type = uint16_t;
};
template <class T>
using stored_t = typename StoredAs<T>::type;

template <class T>
struct TypeOf;
template <>
struct TypeOf<float> {
  static constexpr TensorType value = TensorType::FLOAT32;
};
template <>
struct TypeOf<double> {
  static constexpr TensorType value = TensorType::FLOAT64;
};
template <>
struct TypeOf<HalfTag> {
  static constexpr TensorType value = TensorType::FLOAT16;
};
template <>
struct TypeOf<BoolTag> {
  static constexpr TensorType value = TensorType::BOOL;
};
template <>
struct TypeOf<int8_t> {
  static constexpr TensorType value = TensorType::INT8;
};
template <>
struct TypeOf<uint8_t> {
  static constexpr TensorType value = TensorType::UINT8;
};
template <>
struct TypeOf<int16_t> {
  static constexpr TensorType value = TensorType::INT16;
};
template <>
struct TypeOf<uint16_t> {
  static constexpr TensorType value = TensorType::UINT16;
};
template <>
struct TypeOf<int32_t> {
  static constexpr TensorType value = TensorType::INT32;
};
template <>
struct TypeOf<uint32_t> {
  static constexpr TensorType value = TensorType::UINT32;
};
template <>
struct TypeOf<int64_t> {
  static constexpr TensorType value = TensorType::INT64;
};

template <class T>
constexpr TensorType tensor_type_of() {
  return TypeOf<T>::value;
}

template <class... Ts>
struct Types {};

using FloatOnly = Types<float>;
using ArithmeticTypes = Types<float, int32_t, int64_t>;
using OrderedTypes = Types<float, int32_t, int64_t, int8_t, uint8_t, int16_t>;
using ComparableTypes = Types<float, int32_t, int64_t, int8_t, uint8_t, int16_t, BoolTag>;
using FloorTypes = Types<float, int32_t, int64_t, int16_t, int8_t>;
using FillerTypes = Types<float, int32_t, int64_t, int8_t, uint8_t, int16_t, BoolTag>;
using CastTypes =
    Types<float, double, HalfTag, BoolTag, int8_t, uint8_t, int16_t, uint16_t, int32_t, uint32_t, int64_t>;
using FillValueTypes = Types<float, int32_t, int64_t, int8_t, uint8_t, int16_t, BoolTag, HalfTag>;

template <class... Ts>
std::string type_list(Types<Ts...>) {
  std::string out;
  ((out += (out.empty() ? "" : ", ") + format::type_name(tensor_type_of<Ts>())), ...);
  return out;
}

template <class... Ts>
bool supports(Types<Ts...>, TensorType type) {
  return ((type == tensor_type_of<Ts>()) || ...);
}

template <class List>
Status expect_supported(const OpContext& ctx, const Tensor& t, List types) {
  if (supports(types, t.type)) return {};
  return ctx.error(cat("tensor ", t.index, " '", t.name, "' is ", format::type_name(t.type),
                       "; supported: ", type_list(types)));
}

// Calls f.template operator()<T>() with the T of `types` that is t's type.
template <class... Ts, class F>
Status dispatch(const OpContext& ctx, const Tensor& t, Types<Ts...> types, F&& f) {
  Status result;
  const bool found =
      ((t.type == tensor_type_of<Ts>() ? (result = f.template operator()<Ts>(), true) : false) || ...);
  if (!found) return expect_supported(ctx, t, types);
  return result;
}

template <class T>
const stored_t<T>* data_of(const Tensor& t) {
  return reinterpret_cast<const stored_t<T>*>(t.data);
}
template <class T>
stored_t<T>* data_of(Tensor& t) {
  return reinterpret_cast<stored_t<T>*>(t.data);
}

// Wrapping integer arithmetic: TFLite's results where it does not overflow,
// a defined value where it would.
template <class T>
T wrap_add(T a, T b) {
  if constexpr (std::is_integral_v<T>) {
    using U = std::make_unsigned_t<T>;
    return static_cast<T>(static_cast<U>(a) + static_cast<U>(b));
  } else {
    return a + b;
  }
}
template <class T>
T wrap_sub(T a, T b) {
  if constexpr (std::is_integral_v<T>) {
    using U = std::make_unsigned_t<T>;
    return static_cast<T>(static_cast<U>(a) - static_cast<U>(b));
  } else {
    return a - b;
  }
}
template <class T>
T wrap_mul(T a, T b) {
  if constexpr (std::is_integral_v<T>) {
    // Unsigned types narrower than int would promote to (signed) int.
    using U = std::conditional_t<(sizeof(T) < sizeof(unsigned)), unsigned, std::make_unsigned_t<T>>;
    return static_cast<T>(static_cast<U>(a) * static_cast<U>(b));
  } else {
    return a * b;
  }
}
template <class T>
T wrap_neg(T a) {
  return wrap_sub(T{0}, a);
}
// Truncating division; lowest() / -1 wraps to lowest() as two's complement.
template <class T>
T wrap_div(T a, T b) {
  if constexpr (std::is_integral_v<T>) {
    if (b == -1) return wrap_neg(a);
  }
  return static_cast<T>(a / b);
}

// Common checks ---------------------------------------------------------------

Status expect_counts(const OpContext& ctx, int inputs, int outputs) {
  if (ctx.input_count() != inputs)
    return ctx.error(cat("expects ", inputs, " inputs, has ", ctx.input_count()));
  for (int i = 0; i < inputs; ++i) {
    if (ctx.input(i) == nullptr) return ctx.error(cat("input ", i, " is missing"));
  }
  if (ctx.output_count() != outputs)
    return ctx.error(cat("expects ", outputs, " outputs, has ", ctx.output_count()));
  return {};
}

Status expect_same_type(const OpContext& ctx, const Tensor& a, const Tensor& b) {
  if (a.type == b.type) return {};
  return ctx.error(cat("tensor ", a.index, " '", a.name, "' is ", format::type_name(a.type), " but tensor ",
                       b.index, " '", b.name, "' is ", format::type_name(b.type)));
}

Status expect_same_shape(const OpContext& ctx, const Tensor& a, const Tensor& b) {
  if (a.shape == b.shape) return {};
  return ctx.error(cat("tensor ", a.index, " '", a.name, "' has shape ", format::shape_string(a.shape),
                       " but tensor ", b.index, " '", b.name, "' has shape ", format::shape_string(b.shape)));
}

// Binary ops ------------------------------------------------------------------

// Clamp of a fused activation for element type T. For floats the "none"
// bounds are the finite range, as in TFLite's CalculateActivationRange.
template <class T>
struct Clamp {
  T low;
  T high;
  T operator()(T v) const { return std::min(std::max(v, low), high); }
};

template <class T>
Clamp<T> clamp_for(tfl::ActivationFunctionType fn) {
  const ActivationRange r = activation_range(fn);
  constexpr T lowest = std::numeric_limits<T>::lowest();
  constexpr T highest = std::numeric_limits<T>::max();
  if constexpr (std::is_floating_point_v<T>) {
    return {std::max(static_cast<T>(r.low), lowest), std::min(static_cast<T>(r.high), highest)};
  } else {
    const T low = std::isinf(r.low) ? lowest : static_cast<T>(r.low);
    const T high = std::isinf(r.high) ? highest : static_cast<T>(r.high);
    return {low, high};
  }
}

tfl::ActivationFunctionType fused_activation(const OpContext& ctx) {
  switch (ctx.op().code.builtin) {
    case BuiltinOp::ADD:
      return options_or_default<tfl::AddOptionsT>(ctx).fused_activation_function;
    case BuiltinOp::SUB:
      return options_or_default<tfl::SubOptionsT>(ctx).fused_activation_function;
    case BuiltinOp::MUL:
      return options_or_default<tfl::MulOptionsT>(ctx).fused_activation_function;
    case BuiltinOp::DIV:
      return options_or_default<tfl::DivOptionsT>(ctx).fused_activation_function;
    default:
      return tfl::ActivationFunctionType::NONE;
  }
}

// Two inputs of one type (from `types`), broadcast; the output has
// `out_type` (or the inputs' type when not given).
template <class List>
Status prepare_binary(OpContext& ctx, List types, std::optional<TensorType> out_type = std::nullopt) {
  if (auto s = expect_counts(ctx, 2, 1); !s) return s;
  const Tensor& a = *ctx.input(kInput1);
  const Tensor& b = *ctx.input(kInput2);
  if (auto s = expect_same_type(ctx, a, b); !s) return s;
  if (auto s = expect_supported(ctx, a, types); !s) return s;
  if (auto s = expect_type(ctx, ctx.output(kOutput), out_type.value_or(a.type)); !s) return s;
  auto shape = broadcast_shape(ctx, {&a, &b});
  if (!shape) return tl::unexpected(shape.error());
  ctx.set_output_shape(kOutput, std::move(*shape));
  return {};
}

template <class In, class Out, class F>
void run_binary(OpContext& ctx, F f) {
  const Tensor& a = *ctx.input(kInput1);
  const Tensor& b = *ctx.input(kInput2);
  Tensor& out = ctx.output(kOutput);
  broadcast_binary(a.shape, data_of<In>(a), b.shape, data_of<In>(b), out.shape, data_of<Out>(out), f);
}

// Fails if any element of the divisor is zero (TFLite refuses these too).
template <class T>
Status expect_nonzero(const OpContext& ctx, const Tensor& t) {
  const stored_t<T>* v = data_of<T>(t);
  for (int64_t i = 0, n = t.elements(); i < n; ++i) {
    if (v[i] == 0) return ctx.error(cat("division by zero: tensor ", t.index, " '", t.name, "' holds a 0"));
  }
  return {};
}

enum class Arith { kAdd, kSub, kMul, kDiv };

template <Arith kOp>
KernelFactory arithmetic_kernel() {
  auto prepare = [](OpContext& ctx) -> Status {
    if (auto s = expect_clamp_activation(ctx, fused_activation(ctx)); !s) return s;
    return prepare_binary(ctx, ArithmeticTypes{});
  };
  auto eval = [](OpContext& ctx) -> Status {
    return dispatch(ctx, *ctx.input(kInput1), ArithmeticTypes{}, [&]<class T>() -> Status {
      const Clamp<T> clamp = clamp_for<T>(fused_activation(ctx));
      if constexpr (kOp == Arith::kAdd) {
        run_binary<T, T>(ctx, [clamp](T a, T b) { return clamp(wrap_add(a, b)); });
      } else if constexpr (kOp == Arith::kSub) {
        run_binary<T, T>(ctx, [clamp](T a, T b) { return clamp(wrap_sub(a, b)); });
      } else if constexpr (kOp == Arith::kMul) {
        run_binary<T, T>(ctx, [clamp](T a, T b) { return clamp(wrap_mul(a, b)); });
      } else {
        // Float division by zero gives ±inf (clamped like any result), NaN
        // for 0/0; integer division by zero is an error.
        if constexpr (std::is_integral_v<T>) {
          if (auto s = expect_nonzero<T>(ctx, *ctx.input(kInput2)); !s) return s;
        }
        run_binary<T, T>(ctx, [clamp](T a, T b) { return clamp(wrap_div(a, b)); });
      }
      return {};
    });
  };
  return make_kernel(prepare, eval);
}

// a > b ? a : b, as TFLite's MaximumOp: a NaN in `a` yields `b`.
template <class T>
T maximum(T a, T b) {
  return a > b ? a : b;
}
template <class T>
T minimum(T a, T b) {
  return a < b ? a : b;
}

// Quotient rounded toward negative infinity. TFLite computes
// floor(double(a) / double(b)); for floats that is the same expression, for
// integers the exact integer form below agrees with it on every int32.
template <class T>
T floor_div(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    return static_cast<T>(std::floor(static_cast<double>(a) / static_cast<double>(b)));
  } else {
    if (b == -1) return wrap_neg(a);
    const T q = static_cast<T>(a / b);
    const bool inexact = static_cast<T>(a % b) != 0;
    return inexact && ((a < 0) != (b < 0)) ? static_cast<T>(q - 1) : q;
  }
}

// Remainder with the divisor's sign (TFLite's FloorMod: the truncated
// remainder, plus the divisor when their signs differ).
template <class T>
T floor_mod(T a, T b) {
  T r;
  if constexpr (std::is_floating_point_v<T>) {
    r = std::fmod(a, b);
  } else {
    if (b == -1) return 0;
    r = static_cast<T>(a % b);
  }
  return r != 0 && ((b < 0) != (r < 0)) ? static_cast<T>(r + b) : r;
}

// base^exponent by repeated squaring (TFLite's IntegerPow); the exponent is
// checked non-negative first.
template <class T>
T integer_pow(T base, T exponent) {
  T result = 1;
  while (exponent > 0) {
    if ((exponent & 1) != 0) result = wrap_mul(result, base);
    base = wrap_mul(base, base);
    exponent = static_cast<T>(exponent >> 1);
  }
  return result;
}

template <class List, class Body>
KernelFactory binary_kernel(List types, Body body) {
  auto prepare = [types](OpContext& ctx) -> Status { return prepare_binary(ctx, types); };
  auto eval = [types, body](OpContext& ctx) -> Status {
    return dispatch(ctx, *ctx.input(kInput1), types,
                    [&]<class T>() -> Status { return body.template operator()<T>(ctx); });
  };
  return make_kernel(prepare, eval);
}

// Comparisons: any comparable type in, BOOL out.
template <class Cmp>
KernelFactory comparison_kernel(Cmp cmp) {
  auto prepare = [](OpContext& ctx) -> Status {
    return prepare_binary(ctx, ComparableTypes{}, TensorType::BOOL);
  };
  auto eval = [cmp](OpContext& ctx) -> Status {
    return dispatch(ctx, *ctx.input(kInput1), ComparableTypes{}, [&]<class T>() -> Status {
      if constexpr (std::is_same_v<T, BoolTag>) {
        run_binary<T, BoolTag>(ctx, [cmp](uint8_t a, uint8_t b) -> uint8_t {
          return cmp(static_cast<int>(a != 0), static_cast<int>(b != 0)) ? 1 : 0;
        });
      } else {
        run_binary<T, BoolTag>(ctx, [cmp](T a, T b) -> uint8_t { return cmp(a, b) ? 1 : 0; });
      }
      return {};
    });
  };
  return make_kernel(prepare, eval);
}

template <class Logic>
KernelFactory logical_kernel(Logic logic) {
  auto prepare = [](OpContext& ctx) -> Status { return prepare_binary(ctx, Types<BoolTag>{}); };
  auto eval = [logic](OpContext& ctx) -> Status {
    run_binary<BoolTag, BoolTag>(
        ctx, [logic](uint8_t a, uint8_t b) -> uint8_t { return logic(a != 0, b != 0) ? 1 : 0; });
    return {};
  };
  return make_kernel(prepare, eval);
}

// SELECT / SELECT_V2 -----------------------------------------------------------

// SELECT (v1) accepts a condition of the inputs' shape, a scalar, or a
// rank-1 condition choosing whole rows along dimension 0; SELECT_V2
// broadcasts all three.
template <bool kV2>
Status prepare_select(OpContext& ctx) {
  if (auto s = expect_counts(ctx, 3, 1); !s) return s;
  const Tensor& cond = *ctx.input(kCondition);
  const Tensor& x = *ctx.input(kSelectX);
  const Tensor& y = *ctx.input(kSelectY);
  Tensor& out = ctx.output(kOutput);
  if (auto s = expect_type(ctx, cond, TensorType::BOOL); !s) return s;
  if (auto s = expect_same_type(ctx, x, y); !s) return s;
  if (auto s = expect_type(ctx, out, x.type); !s) return s;
  const auto bits = format::type_bits(x.type);
  if (!bits || (*bits != 8 && *bits != 16 && *bits != 32 && *bits != 64)) {
    return ctx.error(cat("tensor ", x.index, " '", x.name, "' of type ", format::type_name(x.type),
                         " cannot be selected"));
  }
  // All single elements: TFLite keeps the declared output shape, which may
  // be a scalar or [1].
  if (cond.elements() == 1 && x.elements() == 1 && y.elements() == 1 && element_count(out.shape) == 1 &&
      std::none_of(out.shape.begin(), out.shape.end(), [](int32_t d) { return d < 0; })) {
    return {};
  }
  if constexpr (kV2) {
    auto shape = broadcast_shape(ctx, {&cond, &x, &y});
    if (!shape) return tl::unexpected(shape.error());
    ctx.set_output_shape(kOutput, std::move(*shape));
  } else {
    if (auto s = expect_same_shape(ctx, x, y); !s) return s;
    const bool rows = cond.rank() == 1 && x.rank() >= 1 && cond.dim(0) == x.dim(0);
    if (cond.shape != x.shape && cond.rank() != 0 && !rows) {
      return ctx.error(cat("condition tensor ", cond.index, " '", cond.name, "' has shape ",
                           format::shape_string(cond.shape), "; SELECT needs the shape of tensor ", x.index,
                           " '", x.name, "' ", format::shape_string(x.shape), ", a scalar, or [",
                           x.rank() > 0 ? x.dim(0) : 1, "]"));
    }
    ctx.set_output_shape(kOutput, x.shape);
  }
  return {};
}

template <class U>
void select_elements(const Tensor& cond, const Tensor& x, const Tensor& y, Tensor& out, bool v2) {
  const uint8_t* c = reinterpret_cast<const uint8_t*>(cond.data);
  const U* px = reinterpret_cast<const U*>(x.data);
  const U* py = reinterpret_cast<const U*>(y.data);
  U* po = reinterpret_cast<U*>(out.data);
  const int64_t n = out.elements();
  if (n == 0) return;
  if (!v2 && cond.elements() != n) {
    // A scalar or rank-1 condition picks x or y for whole rows.
    const int64_t rows = cond.elements();
    const int64_t inner = n / rows;
    for (int64_t r = 0; r < rows; ++r) {
      const U* src = (c[r] != 0 ? px : py) + r * inner;
      std::copy(src, src + inner, po + r * inner);
    }
    return;
  }
  if (cond.elements() == n && x.elements() == n && y.elements() == n) {
    for (int64_t i = 0; i < n; ++i) po[i] = c[i] != 0 ? px[i] : py[i];
    return;
  }
  broadcast_ternary(cond.shape, c, x.shape, px, y.shape, py, out.shape, po,
                    [](uint8_t k, U a, U b) { return k != 0 ? a : b; });
}

template <bool kV2>
Status eval_select(OpContext& ctx) {
  const Tensor& cond = *ctx.input(kCondition);
  const Tensor& x = *ctx.input(kSelectX);
  const Tensor& y = *ctx.input(kSelectY);
  Tensor& out = ctx.output(kOutput);
  // Selecting copies elements whole: only their width matters.
  switch (*format::type_bits(x.type)) {
    case 8:
      select_elements<uint8_t>(cond, x, y, out, kV2);
      break;
    case 16:
      select_elements<uint16_t>(cond, x, y, out, kV2);
      break;
    case 32:
      select_elements<uint32_t>(cond, x, y, out, kV2);
      break;
    default:
      select_elements<uint64_t>(cond, x, y, out, kV2);
      break;
  }
  return {};
}

// ADD_N ------------------------------------------------------------------------

Status prepare_add_n(OpContext& ctx) {
  if (ctx.input_count() < 2) return ctx.error(cat("expects at least 2 inputs, has ", ctx.input_count()));
  if (auto s = expect_counts(ctx, ctx.input_count(), 1); !s) return s;
  const Tensor& first = *ctx.input(0);
  if (auto s = expect_supported(ctx, first, ArithmeticTypes{}); !s) return s;
  for (int i = 1; i < ctx.input_count(); ++i) {
    if (auto s = expect_same_type(ctx, first, *ctx.input(i)); !s) return s;
    if (auto s = expect_same_shape(ctx, first, *ctx.input(i)); !s) return s;
  }
  if (auto s = expect_type(ctx, ctx.output(kOutput), first.type); !s) return s;
  ctx.set_output_shape(kOutput, first.shape);
  return {};
}

Status eval_add_n(OpContext& ctx) {
  return dispatch(ctx, *ctx.input(0), ArithmeticTypes{}, [&]<class T>() -> Status {
    T* out = data_of<T>(ctx.output(kOutput));
    const int64_t n = ctx.output(kOutput).elements();
    const T* first = data_of<T>(*ctx.input(0));
    std::copy(first, first + n, out);
    for (int k = 1; k < ctx.input_count(); ++k) {
      const T* in = data_of<T>(*ctx.input(k));
      for (int64_t i = 0; i < n; ++i) out[i] = wrap_add(out[i], in[i]);
    }
    return {};
  });
}

// Unary maths --------------------------------------------------------------------

using ArrayIn = Eigen::Map<const Eigen::ArrayXf>;
using ArrayOut = Eigen::Map<Eigen::ArrayXf>;

// A float function twice: as an Eigen array expression (the fast kernel)
// and as std:: maths on one value (the reference kernel).
struct UnaryFloat {
  void (*fast)(ArrayIn x, ArrayOut y);
  float (*reference)(float x);
};

// Half to even, as TFLite's RoundToNearest (nearbyint in the default
// rounding mode gives the same for every float).
float round_half_even(float x) { return std::nearbyint(x); }
float sign_of(float x) { return static_cast<float>((0.0f < x) - (x < 0.0f)); }

const UnaryFloat kAbs{[](ArrayIn x, ArrayOut y) { y = x.abs(); }, [](float x) { return std::fabs(x); }};
const UnaryFloat kNeg{[](ArrayIn x, ArrayOut y) { y = -x; }, [](float x) { return -x; }};
// Not Eigen's sqrt()/rsqrt(): with EIGEN_FAST_MATH (the default) their SSE
// forms refine the approximate rsqrtps by one Newton step, are off by an ulp
// or two and flush denormals; std::sqrt is exact, as TFLite's.
float sqrt_of(float x) { return std::sqrt(x); }
float rsqrt_of(float x) { return 1.0f / std::sqrt(x); }
const UnaryFloat kSqrt{[](ArrayIn x, ArrayOut y) {
                         for (Eigen::Index i = 0; i < x.size(); ++i) y[i] = sqrt_of(x[i]);
                       },
                       sqrt_of};
const UnaryFloat kRsqrt{[](ArrayIn x, ArrayOut y) {
                          for (Eigen::Index i = 0; i < x.size(); ++i) y[i] = rsqrt_of(x[i]);
                        },
                        rsqrt_of};
const UnaryFloat kSquare{[](ArrayIn x, ArrayOut y) { y = x.square(); }, [](float x) { return x * x; }};
const UnaryFloat kExp{[](ArrayIn x, ArrayOut y) { y = x.exp(); }, [](float x) { return std::exp(x); }};
const UnaryFloat kLog{[](ArrayIn x, ArrayOut y) { y = x.log(); }, [](float x) { return std::log(x); }};
const UnaryFloat kSin{[](ArrayIn x, ArrayOut y) { y = x.sin(); }, [](float x) { return std::sin(x); }};
const UnaryFloat kCos{[](ArrayIn x, ArrayOut y) { y = x.cos(); }, [](float x) { return std::cos(x); }};
const UnaryFloat kFloor{[](ArrayIn x, ArrayOut y) { y = x.floor(); }, [](float x) { return std::floor(x); }};
const UnaryFloat kCeil{[](ArrayIn x, ArrayOut y) { y = x.ceil(); }, [](float x) { return std::ceil(x); }};
const UnaryFloat kRound{[](ArrayIn x, ArrayOut y) { y = x.rint(); }, round_half_even};
const UnaryFloat kSign{[](ArrayIn x, ArrayOut y) { y = x.unaryExpr(&sign_of); }, sign_of};

// Integer forms of the unary ops that have one (ABS, NEG, SIGN).
enum class IntUnary { kNone, kAbsolute, kNegate, kSignum };

template <class T>
void eval_int_unary(IntUnary op, const T* x, T* y, int64_t n) {
  switch (op) {
    case IntUnary::kAbsolute:
      for (int64_t i = 0; i < n; ++i) y[i] = x[i] < 0 ? wrap_neg(x[i]) : x[i];
      break;
    case IntUnary::kNegate:
      for (int64_t i = 0; i < n; ++i) y[i] = wrap_neg(x[i]);
      break;
    case IntUnary::kSignum:
      for (int64_t i = 0; i < n; ++i) y[i] = static_cast<T>((T{0} < x[i]) - (x[i] < T{0}));
      break;
    case IntUnary::kNone:
      break;
  }
}

class UnaryKernel final : public Kernel {
 public:
  UnaryKernel(UnaryFloat fn, IntUnary int_op, Flavor flavor) : fn_(fn), int_op_(int_op), flavor_(flavor) {}

  Status prepare(OpContext& ctx) override {
    if (auto s = expect_counts(ctx, 1, 1); !s) return s;
    const Tensor& x = *ctx.input(kInput);
    if (int_op_ == IntUnary::kNone) {
      if (auto s = expect_supported(ctx, x, FloatOnly{}); !s) return s;
    } else {
      if (auto s = expect_supported(ctx, x, ArithmeticTypes{}); !s) return s;
    }
    if (auto s = expect_type(ctx, ctx.output(kOutput), x.type); !s) return s;
    ctx.set_output_shape(kOutput, x.shape);
    return {};
  }

  Status eval(OpContext& ctx) override {
    const Tensor& x = *ctx.input(kInput);
    Tensor& y = ctx.output(kOutput);
    const int64_t n = x.elements();
    switch (x.type) {
      case TensorType::FLOAT32: {
        const float* in = data_of<float>(x);
        float* out = data_of<float>(y);
        if (flavor_ == Flavor::kFast) {
          fn_.fast(ArrayIn(in, n), ArrayOut(out, n));
        } else {
          for (int64_t i = 0; i < n; ++i) out[i] = fn_.reference(in[i]);
        }
        return {};
      }
      case TensorType::INT32:
        eval_int_unary(int_op_, data_of<int32_t>(x), data_of<int32_t>(y), n);
        return {};
      case TensorType::INT64:
        eval_int_unary(int_op_, data_of<int64_t>(x), data_of<int64_t>(y), n);
        return {};
      default:
        return expect_supported(ctx, x, FloatOnly{});
    }
  }

 private:
  UnaryFloat fn_;
  IntUnary int_op_;
  Flavor flavor_;
};

void add_unary(KernelRegistry& registry, BuiltinOp op, UnaryFloat fn, IntUnary int_op = IntUnary::kNone) {
  registry.add(op, Domain::kPlain, Flavor::kFast,
               [fn, int_op] { return std::make_unique<UnaryKernel>(fn, int_op, Flavor::kFast); });
  registry.add(op, Domain::kPlain, Flavor::kReference,
               [fn, int_op] { return std::make_unique<UnaryKernel>(fn, int_op, Flavor::kReference); });
}

Status prepare_logical_not(OpContext& ctx) {
  if (auto s = expect_counts(ctx, 1, 1); !s) return s;
  const Tensor& x = *ctx.input(kInput);
  if (auto s = expect_type(ctx, x, TensorType::BOOL); !s) return s;
  if (auto s = expect_type(ctx, ctx.output(kOutput), TensorType::BOOL); !s) return s;
  ctx.set_output_shape(kOutput, x.shape);
  return {};
}

Status eval_logical_not(OpContext& ctx) {
  const Tensor& x = *ctx.input(kInput);
  const uint8_t* in = data_of<BoolTag>(x);
  uint8_t* out = data_of<BoolTag>(ctx.output(kOutput));
  for (int64_t i = 0, n = x.elements(); i < n; ++i) out[i] = in[i] != 0 ? 0 : 1;
  return {};
}

// CAST -----------------------------------------------------------------------------

uint16_t float_to_half(float f) { return std::bit_cast<uint16_t>(Eigen::half(f)); }

// Float to integer truncates toward zero; like current TFLite (LiteRT) the
// conversion saturates at the type's range and maps NaN to its maximum,
// where older TFLite left out-of-range values undefined.
template <class To, class From>
To saturating_float_to_int(From v) {
  if (std::isnan(v)) return std::numeric_limits<To>::max();
  const auto low = static_cast<From>(std::numeric_limits<To>::lowest());
  // The largest From not above To's maximum (2^31-1 rounds up to 2^31 as a float).
  From high = static_cast<From>(std::numeric_limits<To>::max());
  if (static_cast<long double>(high) > static_cast<long double>(std::numeric_limits<To>::max())) {
    high = std::nextafter(high, From{0});
  }
  if (v < low) return std::numeric_limits<To>::lowest();
  if (v > high) return std::numeric_limits<To>::max();
  return static_cast<To>(v);
}

template <class To, class From>
stored_t<To> cast_element(stored_t<From> v) {
  if constexpr (std::is_same_v<From, HalfTag>) {
    return cast_element<To, float>(inspect::half_to_float(v));
  } else if constexpr (std::is_same_v<From, BoolTag>) {
    return cast_element<To, int32_t>(v != 0 ? 1 : 0);
  } else if constexpr (std::is_same_v<To, BoolTag>) {
    return v != 0 ? 1 : 0;
  } else if constexpr (std::is_same_v<To, HalfTag>) {
    return float_to_half(static_cast<float>(v));  // via float, as TFLite
  } else if constexpr (std::is_floating_point_v<From> && std::is_integral_v<To>) {
    return saturating_float_to_int<To>(v);
  } else {
    return static_cast<To>(v);
  }
}

Status prepare_cast(OpContext& ctx) {
  if (auto s = expect_counts(ctx, 1, 1); !s) return s;
  const Tensor& x = *ctx.input(kInput);
  if (auto s = expect_supported(ctx, x, CastTypes{}); !s) return s;
  if (auto s = expect_supported(ctx, ctx.output(kOutput), CastTypes{}); !s) return s;
  ctx.set_output_shape(kOutput, x.shape);
  return {};
}

Status eval_cast(OpContext& ctx) {
  const Tensor& x = *ctx.input(kInput);
  Tensor& y = ctx.output(kOutput);
  return dispatch(ctx, x, CastTypes{}, [&]<class From>() -> Status {
    return dispatch(ctx, y, CastTypes{}, [&]<class To>() -> Status {
      const stored_t<From>* in = data_of<From>(x);
      stored_t<To>* out = data_of<To>(y);
      for (int64_t i = 0, n = x.elements(); i < n; ++i) out[i] = cast_element<To, From>(in[i]);
      return {};
    });
  });
}

// ZEROS_LIKE, FILL --------------------------------------------------------

Status prepare_like(OpContext& ctx) {
  if (auto s = expect_counts(ctx, 1, 1); !s) return s;
  const Tensor& x = *ctx.input(kInput);
  if (auto s = expect_supported(ctx, x, FillerTypes{}); !s) return s;
  if (auto s = expect_type(ctx, ctx.output(kOutput), x.type); !s) return s;
  ctx.set_output_shape(kOutput, x.shape);
  return {};
}

Status eval_zeros_like(OpContext& ctx) {
  Tensor& y = ctx.output(kOutput);
  return dispatch(ctx, y, FillerTypes{}, [&]<class T>() -> Status {
    std::span<stored_t<T>> out = y.mutable_values<stored_t<T>>();
    std::fill(out.begin(), out.end(), stored_t<T>{0});
    return {};
  });
}

// FILL's output shape is the value of its dims input: known while planning
// only when that input is constant.
Status prepare_fill(OpContext& ctx) {
  if (auto s = expect_counts(ctx, 2, 1); !s) return s;
  const Tensor& dims = *ctx.input(kFillDims);
  const Tensor& value = *ctx.input(kFillValue);
  if (dims.rank() != 1) return expect_rank(ctx, dims, 1);
  if (dims.type != TensorType::INT32 && dims.type != TensorType::INT64) {
    return ctx.error(cat("dims tensor ", dims.index, " '", dims.name, "' must be INT32 or INT64, is ",
                         format::type_name(dims.type)));
  }
  if (value.elements() != 1) {
    return ctx.error(cat("value tensor ", value.index, " '", value.name,
                         "' must hold one element, has shape ", format::shape_string(value.shape)));
  }
  if (auto s = expect_supported(ctx, value, FillValueTypes{}); !s) return s;
  if (auto s = expect_type(ctx, ctx.output(kOutput), value.type); !s) return s;
  if (!ctx.values_known(dims)) {
    ctx.mark_output_dynamic(kOutput);
    return {};
  }
  auto values = read_index_values(ctx, dims);
  if (!values) return tl::unexpected(values.error());
  Shape shape;
  for (int64_t d : *values) {
    if (d < 0 || d > std::numeric_limits<int32_t>::max()) {
      return ctx.error(cat("dims tensor ", dims.index, " '", dims.name, "' asks for dimension ", d));
    }
    shape.push_back(static_cast<int32_t>(d));
  }
  ctx.set_output_shape(kOutput, std::move(shape));
  return {};
}

Status eval_fill(OpContext& ctx) {
  const Tensor& value = *ctx.input(kFillValue);
  Tensor& y = ctx.output(kOutput);
  return dispatch(ctx, value, FillValueTypes{}, [&]<class T>() -> Status {
    const stored_t<T> v = data_of<T>(value)[0];
    std::span<stored_t<T>> out = y.mutable_values<stored_t<T>>();
    std::fill(out.begin(), out.end(), v);
    return {};
  });
}

}  // namespace

void register_elementwise(KernelRegistry& registry) {
  const auto add = [&](BuiltinOp op, KernelFactory factory) {
    registry.add(op, Domain::kPlain, std::move(factory));
  };

  add(BuiltinOp::ADD, arithmetic_kernel<Arith::kAdd>());
  add(BuiltinOp::SUB, arithmetic_kernel<Arith::kSub>());
  add(BuiltinOp::MUL, arithmetic_kernel<Arith::kMul>());
  add(BuiltinOp::DIV, arithmetic_kernel<Arith::kDiv>());

  add(BuiltinOp::MAXIMUM, binary_kernel(OrderedTypes{}, []<class T>(OpContext& ctx) -> Status {
        run_binary<T, T>(ctx, [](T a, T b) { return maximum(a, b); });
        return {};
      }));
  add(BuiltinOp::MINIMUM, binary_kernel(OrderedTypes{}, []<class T>(OpContext& ctx) -> Status {
        run_binary<T, T>(ctx, [](T a, T b) { return minimum(a, b); });
        return {};
      }));
  add(BuiltinOp::SQUARED_DIFFERENCE, binary_kernel(ArithmeticTypes{}, []<class T>(OpContext& ctx) -> Status {
        run_binary<T, T>(ctx, [](T a, T b) {
          const T d = wrap_sub(a, b);
          return wrap_mul(d, d);
        });
        return {};
      }));
  add(BuiltinOp::FLOOR_DIV, binary_kernel(FloorTypes{}, []<class T>(OpContext& ctx) -> Status {
        if (auto s = expect_nonzero<T>(ctx, *ctx.input(kInput2)); !s) return s;
        run_binary<T, T>(ctx, [](T a, T b) { return floor_div(a, b); });
        return {};
      }));
  add(BuiltinOp::FLOOR_MOD, binary_kernel(FloorTypes{}, []<class T>(OpContext& ctx) -> Status {
        if constexpr (std::is_integral_v<T>) {
          if (auto s = expect_nonzero<T>(ctx, *ctx.input(kInput2)); !s) return s;
        }
        run_binary<T, T>(ctx, [](T a, T b) { return floor_mod(a, b); });
        return {};
      }));
  add(BuiltinOp::POW, binary_kernel(ArithmeticTypes{}, []<class T>(OpContext& ctx) -> Status {
        if constexpr (std::is_integral_v<T>) {
          const Tensor& e = *ctx.input(kInput2);
          for (T v : e.values<T>()) {
            if (v < 0)
              return ctx.error(
                  cat("integer POW needs exponents >= 0; tensor ", e.index, " '", e.name, "' holds ", v));
          }
          run_binary<T, T>(ctx, [](T a, T b) { return integer_pow(a, b); });
        } else {
          run_binary<T, T>(ctx, [](T a, T b) { return std::pow(a, b); });
        }
        return {};
      }));
  add(BuiltinOp::ATAN2, binary_kernel(Types<float, double>{}, []<class T>(OpContext& ctx) -> Status {
        run_binary<T, T>(ctx, [](T a, T b) { return std::atan2(a, b); });
        return {};
      }));

  add(BuiltinOp::EQUAL, comparison_kernel([](auto a, auto b) { return a == b; }));
  add(BuiltinOp::NOT_EQUAL, comparison_kernel([](auto a, auto b) { return a != b; }));
  add(BuiltinOp::LESS, comparison_kernel([](auto a, auto b) { return a < b; }));
  add(BuiltinOp::LESS_EQUAL, comparison_kernel([](auto a, auto b) { return a <= b; }));
  add(BuiltinOp::GREATER, comparison_kernel([](auto a, auto b) { return a > b; }));
  add(BuiltinOp::GREATER_EQUAL, comparison_kernel([](auto a, auto b) { return a >= b; }));

  add(BuiltinOp::LOGICAL_AND, logical_kernel([](bool a, bool b) { return a && b; }));
  add(BuiltinOp::LOGICAL_OR, logical_kernel([](bool a, bool b) { return a || b; }));
  add(BuiltinOp::LOGICAL_NOT, make_kernel(prepare_logical_not, eval_logical_not));

  add(BuiltinOp::SELECT, make_kernel(prepare_select<false>, eval_select<false>));
  add(BuiltinOp::SELECT_V2, make_kernel(prepare_select<true>, eval_select<true>));
  add(BuiltinOp::ADD_N, make_kernel(prepare_add_n, eval_add_n));

  add_unary(registry, BuiltinOp::ABS, kAbs, IntUnary::kAbsolute);
  add_unary(registry, BuiltinOp::NEG, kNeg, IntUnary::kNegate);
  add_unary(registry, BuiltinOp::SIGN, kSign, IntUnary::kSignum);
  add_unary(registry, BuiltinOp::SQRT, kSqrt);
  add_unary(registry, BuiltinOp::RSQRT, kRsqrt);
  add_unary(registry, BuiltinOp::SQUARE, kSquare);
  add_unary(registry, BuiltinOp::EXP, kExp);
  add_unary(registry, BuiltinOp::LOG, kLog);
  add_unary(registry, BuiltinOp::SIN, kSin);
  add_unary(registry, BuiltinOp::COS, kCos);
  add_unary(registry, BuiltinOp::FLOOR, kFloor);
  add_unary(registry, BuiltinOp::CEIL, kCeil);
  add_unary(registry, BuiltinOp::ROUND, kRound);

  add(BuiltinOp::CAST, make_kernel(prepare_cast, eval_cast));
  add(BuiltinOp::ZEROS_LIKE, make_kernel(prepare_like, eval_zeros_like));
  add(BuiltinOp::FILL, make_kernel(prepare_fill, eval_fill));
}

}  // namespace qs::runtime::kernels
