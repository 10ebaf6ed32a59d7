// Ops that reorder elements: TRANSPOSE, REVERSE_V2, SPACE_TO_DEPTH,
// DEPTH_TO_SPACE, SPACE_TO_BATCH_ND, BATCH_TO_SPACE_ND. Each is a strided
// view of its input (copy_strided), described by dims and strides.

#include <numeric>

#include "runtime/kernels/shape_families.h"
#include "runtime/kernels/shape_util.h"

namespace qs::runtime::kernels {
namespace {

constexpr int kInput = 0;
constexpr int kOutput = 0;

std::vector<int64_t> to_int64(std::span<const int32_t> shape) { return {shape.begin(), shape.end()}; }

// Prepare steps every op here shares: input present, one output of the same
// type, element size supported.
Result<const Tensor*> data_input(const OpContext& ctx) {
  auto in = required_input(ctx, kInput);
  if (!in) return in;
  if (auto s = expect_same_type(ctx, ctx.output(kOutput), **in); !s) return tl::unexpected(s.error());
  if (auto s = element_bytes(ctx, **in); !s) return tl::unexpected(s.error());
  return in;
}

// TRANSPOSE ------------------------------------------------------------------

constexpr int kPerm = 1;
constexpr int kMaxTransposeRank = 6;

Result<std::vector<int64_t>> read_permutation(const OpContext& ctx, const Tensor& x, const Tensor& perm_t) {
  auto perm = read_ints(ctx, perm_t, x.rank());
  if (!perm) return perm;
  std::vector<bool> seen(static_cast<size_t>(x.rank()), false);
  for (int64_t p : *perm) {
    if (p < 0 || p >= x.rank() || seen[static_cast<size_t>(p)]) {
      return ctx.error(cat(tensor_label(perm_t), " is not a permutation of the ", x.rank(), " dimensions of ",
                           tensor_label(x)));
    }
    seen[static_cast<size_t>(p)] = true;
  }
  return perm;
}

Status transpose_prepare(OpContext& ctx) {
  auto in = data_input(ctx);
  if (!in) return tl::unexpected(in.error());
  if (auto s = expect_inputs(ctx, 2); !s) return s;
  const Tensor& x = **in;
  if (auto s = expect_max_rank(ctx, x, kMaxTransposeRank); !s) return s;
  const Tensor& perm_t = *ctx.input(kPerm);
  if (defer_until_values_known(ctx, {&perm_t})) return {};
  auto perm = read_permutation(ctx, x, perm_t);
  if (!perm) return tl::unexpected(perm.error());
  Shape shape;
  for (int64_t p : *perm) shape.push_back(x.dim(static_cast<int>(p)));
  ctx.set_output_shape(kOutput, std::move(shape));
  return {};
}

Status transpose_eval(OpContext& ctx) {
  const Tensor& x = *ctx.input(kInput);
  Tensor& out = ctx.output(kOutput);
  auto perm = read_permutation(ctx, x, *ctx.input(kPerm));
  if (!perm) return tl::unexpected(perm.error());
  const std::vector<int64_t> in_strides = row_major_strides(x.shape);
  std::vector<int64_t> src_strides;
  for (int64_t p : *perm) src_strides.push_back(in_strides[static_cast<size_t>(p)]);
  gather_strided(to_int64(out.shape), out.data, x.data, src_strides, 0, *element_bytes(ctx, x));
  return {};
}

// REVERSE_V2 -----------------------------------------------------------------

constexpr int kAxes = 1;

Result<std::vector<bool>> reversed_axes(const OpContext& ctx, const Tensor& x, const Tensor& axes_t) {
  if (axes_t.rank() != 1) return ctx.error(cat(tensor_label(axes_t), " must be 1-D"));
  auto axes = read_ints(ctx, axes_t);
  if (!axes) return tl::unexpected(axes.error());
  std::vector<bool> reversed(static_cast<size_t>(x.rank()), false);
  for (int64_t a : *axes) {
    auto axis = normalize_axis(ctx, a, x.rank());
    if (!axis) return tl::unexpected(axis.error());
    if (reversed[static_cast<size_t>(*axis)])
      return ctx.error(cat("axis ", a, " is given twice in ", tensor_label(axes_t)));
    reversed[static_cast<size_t>(*axis)] = true;
  }
  return reversed;
}

Status reverse_prepare(OpContext& ctx) {
  auto in = data_input(ctx);
  if (!in) return tl::unexpected(in.error());
  if (auto s = expect_inputs(ctx, 2); !s) return s;
  const Tensor& axes_t = *ctx.input(kAxes);
  if (axes_t.type != TensorType::INT32 && axes_t.type != TensorType::INT64) {
    return ctx.error(
        cat(tensor_label(axes_t), " must be INT32 or INT64, is ", format::type_name(axes_t.type)));
  }
  if (ctx.values_known(axes_t)) {
    if (auto r = reversed_axes(ctx, **in, axes_t); !r) return tl::unexpected(r.error());
  }
  // The axes only matter to the values; the shape is the input's.
  ctx.set_output_shape(kOutput, (*in)->shape);
  return {};
}

Status reverse_eval(OpContext& ctx) {
  const Tensor& x = *ctx.input(kInput);
  Tensor& out = ctx.output(kOutput);
  auto reversed = reversed_axes(ctx, x, *ctx.input(kAxes));
  if (!reversed) return tl::unexpected(reversed.error());
  std::vector<int64_t> strides = row_major_strides(x.shape);
  int64_t offset = 0;
  for (int k = 0; k < x.rank(); ++k) {
    if (!(*reversed)[static_cast<size_t>(k)] || x.dim(k) == 0) continue;
    offset += (x.dim(k) - 1) * strides[static_cast<size_t>(k)];
    strides[static_cast<size_t>(k)] = -strides[static_cast<size_t>(k)];
  }
  gather_strided(to_int64(x.shape), out.data, x.data, strides, offset, *element_bytes(ctx, x));
  return {};
}

// SPACE_TO_DEPTH / DEPTH_TO_SPACE ---------------------------------------------

Result<int> block_size_of(const OpContext& ctx, int32_t block) {
  if (block <= 0) return ctx.error(cat("block_size ", block, " must be positive"));
  return block;
}

Status space_to_depth_prepare(OpContext& ctx) {
  auto in = data_input(ctx);
  if (!in) return tl::unexpected(in.error());
  const Tensor& x = **in;
  if (auto s = expect_rank(ctx, x, 4); !s) return s;
  auto bs = block_size_of(ctx, options_or_default<tfl::SpaceToDepthOptionsT>(ctx).block_size);
  if (!bs) return tl::unexpected(bs.error());
  if (x.dim(1) % *bs != 0 || x.dim(2) % *bs != 0) {
    return ctx.error(cat("height and width of ", tensor_label(x), " ", format::shape_string(x.shape),
                         " are not multiples of block_size ", *bs));
  }
  ctx.set_output_shape(kOutput, {x.dim(0), x.dim(1) / *bs, x.dim(2) / *bs, x.dim(3) * *bs * *bs});
  return {};
}

// out[b, oh, ow, (i·bs + j)·C + c] = in[b, oh·bs + i, ow·bs + j, c]: the output
// read as [B, OH, OW, bs, bs, C] is a strided view of the input.
Status space_to_depth_eval(OpContext& ctx) {
  const Tensor& x = *ctx.input(kInput);
  Tensor& out = ctx.output(kOutput);
  const int64_t bs = options_or_default<tfl::SpaceToDepthOptionsT>(ctx).block_size;
  const std::vector<int64_t> s = row_major_strides(x.shape);
  const std::vector<int64_t> dims{out.dim(0), out.dim(1), out.dim(2), bs, bs, x.dim(3)};
  const std::vector<int64_t> src{s[0], s[1] * bs, s[2] * bs, s[1], s[2], 1};
  gather_strided(dims, out.data, x.data, src, 0, *element_bytes(ctx, x));
  return {};
}

Status depth_to_space_prepare(OpContext& ctx) {
  auto in = data_input(ctx);
  if (!in) return tl::unexpected(in.error());
  const Tensor& x = **in;
  if (auto s = expect_rank(ctx, x, 4); !s) return s;
  auto bs = block_size_of(ctx, options_or_default<tfl::DepthToSpaceOptionsT>(ctx).block_size);
  if (!bs) return tl::unexpected(bs.error());
  if (x.dim(3) % (*bs * *bs) != 0) {
    return ctx.error(cat("depth of ", tensor_label(x), " ", format::shape_string(x.shape),
                         " is not a multiple of block_size² = ", *bs * *bs));
  }
  ctx.set_output_shape(kOutput, {x.dim(0), x.dim(1) * *bs, x.dim(2) * *bs, x.dim(3) / (*bs * *bs)});
  return {};
}

// out[b, h·bs + i, w·bs + j, c] = in[b, h, w, (i·bs + j)·C' + c]: the output read
// as [B, H, bs, W, bs, C'] is a strided view of the input (TFLite's DCR order).
Status depth_to_space_eval(OpContext& ctx) {
  const Tensor& x = *ctx.input(kInput);
  Tensor& out = ctx.output(kOutput);
  const int64_t bs = options_or_default<tfl::DepthToSpaceOptionsT>(ctx).block_size;
  const int64_t c_out = out.dim(3);
  const std::vector<int64_t> s = row_major_strides(x.shape);
  const std::vector<int64_t> dims{x.dim(0), x.dim(1), bs, x.dim(2), bs, c_out};
  const std::vector<int64_t> src{s[0], s[1], bs * c_out, s[2], c_out, 1};
  gather_strided(dims, out.data, x.data, src, 0, *element_bytes(ctx, x));
  return {};
}

// SPACE_TO_BATCH_ND / BATCH_TO_SPACE_ND ----------------------------------------
//
// Input [batch, spatial_1..M, rest...]. Output batch index = k·batch + b,
// where k enumerates the block offsets (o_1..o_M) in row-major order; an
// element at spatial position p_i of the padded (or uncropped) space sits
// at p_i = q_i·block_i + o_i.

constexpr int kBlockShape = 1;
constexpr int kPadsOrCrops = 2;

struct BlockParams {
  std::vector<int64_t> block;
  std::vector<int64_t> before;  // padding or crop at the start of each spatial dim
  std::vector<int64_t> after;
};

Result<BlockParams> read_block_params(const OpContext& ctx, const Tensor& x, const Tensor& block_t,
                                      const Tensor& pads_t, const char* what) {
  if (block_t.rank() != 1) return ctx.error(cat(tensor_label(block_t), " must be 1-D"));
  const int m = block_t.dim(0);
  if (m < 1 || m > x.rank() - 1) {
    return ctx.error(cat(tensor_label(block_t), " gives ", m, " block dimensions for ", tensor_label(x),
                         " of shape ", format::shape_string(x.shape)));
  }
  if (pads_t.rank() != 2 || pads_t.dim(0) != m || pads_t.dim(1) != 2) {
    return ctx.error(cat(tensor_label(pads_t), " has shape ", format::shape_string(pads_t.shape),
                         ", expected [", m, ",2]"));
  }
  auto block = read_ints(ctx, block_t);
  if (!block) return tl::unexpected(block.error());
  auto pads = read_ints(ctx, pads_t);
  if (!pads) return tl::unexpected(pads.error());
  BlockParams p;
  for (int i = 0; i < m; ++i) {
    const int64_t b = (*block)[static_cast<size_t>(i)];
    const int64_t lo = (*pads)[static_cast<size_t>(2 * i)];
    const int64_t hi = (*pads)[static_cast<size_t>(2 * i + 1)];
    if (b < 1) return ctx.error(cat(tensor_label(block_t), ": block size ", b, " must be positive"));
    if (lo < 0 || hi < 0) return ctx.error(cat(tensor_label(pads_t), ": ", what, " must not be negative"));
    p.block.push_back(b);
    p.before.push_back(lo);
    p.after.push_back(hi);
  }
  return p;
}

// Ceiling of a / b for b > 0 and any sign of a.
int64_t ceil_div(int64_t a, int64_t b) { return a >= 0 ? (a + b - 1) / b : -((-a) / b); }

// Calls f(k, offsets) for every block offset combination, k in row-major order.
template <class F>
void for_each_block_offset(const std::vector<int64_t>& block, F f) {
  const int64_t count = std::accumulate(block.begin(), block.end(), int64_t{1}, std::multiplies<>());
  std::vector<int64_t> offset(block.size(), 0);
  for (int64_t k = 0; k < count; ++k) {
    int64_t rem = k;
    for (size_t i = block.size(); i-- > 0;) {
      offset[i] = rem % block[i];
      rem /= block[i];
    }
    f(k, offset);
  }
}

Status space_to_batch_prepare(OpContext& ctx) {
  auto in = data_input(ctx);
  if (!in) return tl::unexpected(in.error());
  if (auto s = expect_inputs(ctx, 3); !s) return s;
  const Tensor& x = **in;
  const Tensor& block_t = *ctx.input(kBlockShape);
  const Tensor& pads_t = *ctx.input(kPadsOrCrops);
  if (defer_until_values_known(ctx, {&block_t, &pads_t})) return {};
  auto p = read_block_params(ctx, x, block_t, pads_t, "paddings");
  if (!p) return tl::unexpected(p.error());
  Shape shape = x.shape;
  int64_t batch = x.dim(0);
  for (size_t i = 0; i < p->block.size(); ++i) {
    const int64_t padded = x.dim(static_cast<int>(i) + 1) + p->before[i] + p->after[i];
    if (padded % p->block[i] != 0) {
      return ctx.error(cat("padded spatial dimension ", i + 1, " of ", tensor_label(x), " (", padded,
                           ") is not a multiple of the block size ", p->block[i]));
    }
    shape[i + 1] = static_cast<int32_t>(padded / p->block[i]);
    batch *= p->block[i];
  }
  shape[0] = static_cast<int32_t>(batch);
  ctx.set_output_shape(kOutput, std::move(shape));
  return {};
}

Status space_to_batch_eval(OpContext& ctx) {
  const Tensor& x = *ctx.input(kInput);
  Tensor& out = ctx.output(kOutput);
  auto p = read_block_params(ctx, x, *ctx.input(kBlockShape), *ctx.input(kPadsOrCrops), "paddings");
  if (!p) return tl::unexpected(p.error());
  const size_t elem = *element_bytes(ctx, x);
  zero_bytes(out.data, out.bytes);  // the padding (0, as TFLite's float kernel)
  const std::vector<int64_t> in_strides = row_major_strides(x.shape);
  const std::vector<int64_t> out_strides = row_major_strides(out.shape);
  const size_t m = p->block.size();
  for_each_block_offset(p->block, [&](int64_t k, const std::vector<int64_t>& offset) {
    // Dims of the copied region: [batch, valid q range per spatial dim, rest].
    std::vector<int64_t> dims{x.dim(0)};
    std::vector<int64_t> dst_strides{out_strides[0]};
    std::vector<int64_t> src_strides{in_strides[0]};
    int64_t dst_offset = k * x.dim(0) * out_strides[0];
    int64_t src_offset = 0;
    for (size_t i = 0; i < m; ++i) {
      // Input position q·block + offset − before must lie in [0, in_dim).
      const int64_t in_dim = x.dim(static_cast<int>(i) + 1);
      const int64_t q_begin = std::max<int64_t>(0, ceil_div(p->before[i] - offset[i], p->block[i]));
      const int64_t q_end = std::min<int64_t>(out.dim(static_cast<int>(i) + 1),
                                              ceil_div(in_dim + p->before[i] - offset[i], p->block[i]));
      if (q_end <= q_begin) return;
      dims.push_back(q_end - q_begin);
      dst_strides.push_back(out_strides[i + 1]);
      src_strides.push_back(in_strides[i + 1] * p->block[i]);
      dst_offset += q_begin * out_strides[i + 1];
      src_offset += (q_begin * p->block[i] + offset[i] - p->before[i]) * in_strides[i + 1];
    }
    for (int r = static_cast<int>(m) + 1; r < x.rank(); ++r) {
      dims.push_back(x.dim(r));
      dst_strides.push_back(out_strides[static_cast<size_t>(r)]);
      src_strides.push_back(in_strides[static_cast<size_t>(r)]);
    }
    copy_strided(dims, out.data, dst_strides, dst_offset, x.data, src_strides, src_offset, elem);
  });
  return {};
}

Status batch_to_space_prepare(OpContext& ctx) {
  auto in = data_input(ctx);
  if (!in) return tl::unexpected(in.error());
  if (auto s = expect_inputs(ctx, 3); !s) return s;
  const Tensor& x = **in;
  const Tensor& block_t = *ctx.input(kBlockShape);
  const Tensor& crops_t = *ctx.input(kPadsOrCrops);
  if (defer_until_values_known(ctx, {&block_t, &crops_t})) return {};
  auto p = read_block_params(ctx, x, block_t, crops_t, "crops");
  if (!p) return tl::unexpected(p.error());
  const int64_t blocks = std::accumulate(p->block.begin(), p->block.end(), int64_t{1}, std::multiplies<>());
  if (x.dim(0) % blocks != 0) {
    return ctx.error(
        cat("batch of ", tensor_label(x), " (", x.dim(0), ") is not a multiple of the block count ", blocks));
  }
  Shape shape = x.shape;
  shape[0] = static_cast<int32_t>(x.dim(0) / blocks);
  for (size_t i = 0; i < p->block.size(); ++i) {
    const int64_t d = x.dim(static_cast<int>(i) + 1) * p->block[i] - p->before[i] - p->after[i];
    if (d < 0) return ctx.error(cat("crops exceed spatial dimension ", i + 1, " of ", tensor_label(x)));
    shape[i + 1] = static_cast<int32_t>(d);
  }
  ctx.set_output_shape(kOutput, std::move(shape));
  return {};
}

Status batch_to_space_eval(OpContext& ctx) {
  const Tensor& x = *ctx.input(kInput);
  Tensor& out = ctx.output(kOutput);
  auto p = read_block_params(ctx, x, *ctx.input(kBlockShape), *ctx.input(kPadsOrCrops), "crops");
  if (!p) return tl::unexpected(p.error());
  const size_t elem = *element_bytes(ctx, x);
  const std::vector<int64_t> in_strides = row_major_strides(x.shape);
  const std::vector<int64_t> out_strides = row_major_strides(out.shape);
  const size_t m = p->block.size();
  const int64_t out_batch = out.dim(0);
  // Every output element comes from exactly one input element, so no fill.
  for_each_block_offset(p->block, [&](int64_t k, const std::vector<int64_t>& offset) {
    std::vector<int64_t> dims{out_batch};
    std::vector<int64_t> dst_strides{out_strides[0]};
    std::vector<int64_t> src_strides{in_strides[0]};
    int64_t dst_offset = 0;
    int64_t src_offset = k * out_batch * in_strides[0];
    for (size_t i = 0; i < m; ++i) {
      // Output position q·block + offset − crop must lie in [0, out_dim).
      const int64_t out_dim = out.dim(static_cast<int>(i) + 1);
      const int64_t q_begin = std::max<int64_t>(0, ceil_div(p->before[i] - offset[i], p->block[i]));
      const int64_t q_end = std::min<int64_t>(x.dim(static_cast<int>(i) + 1),
                                              ceil_div(out_dim + p->before[i] - offset[i], p->block[i]));
      if (q_end <= q_begin) return;
      dims.push_back(q_end - q_begin);
      src_strides.push_back(in_strides[i + 1]);
      dst_strides.push_back(out_strides[i + 1] * p->block[i]);
      src_offset += q_begin * in_strides[i + 1];
      dst_offset += (q_begin * p->block[i] + offset[i] - p->before[i]) * out_strides[i + 1];
    }
    for (int r = static_cast<int>(m) + 1; r < x.rank(); ++r) {
      dims.push_back(x.dim(r));
      dst_strides.push_back(out_strides[static_cast<size_t>(r)]);
      src_strides.push_back(in_strides[static_cast<size_t>(r)]);
    }
    copy_strided(dims, out.data, dst_strides, dst_offset, x.data, src_strides, src_offset, elem);
  });
  return {};
}

}  // namespace

void register_shape_layout(KernelRegistry& registry) {
  using format::BuiltinOp;
  registry.add(BuiltinOp::TRANSPOSE, Domain::kPlain, make_kernel(transpose_prepare, transpose_eval));
  registry.add(BuiltinOp::REVERSE_V2, Domain::kPlain, make_kernel(reverse_prepare, reverse_eval));
  registry.add(BuiltinOp::SPACE_TO_DEPTH, Domain::kPlain,
               make_kernel(space_to_depth_prepare, space_to_depth_eval));
  registry.add(BuiltinOp::DEPTH_TO_SPACE, Domain::kPlain,
               make_kernel(depth_to_space_prepare, depth_to_space_eval));
  registry.add(BuiltinOp::SPACE_TO_BATCH_ND, Domain::kPlain,
               make_kernel(space_to_batch_prepare, space_to_batch_eval));
  registry.add(BuiltinOp::BATCH_TO_SPACE_ND, Domain::kPlain,
               make_kernel(batch_to_space_prepare, batch_to_space_eval));
}

}  // namespace qs::runtime::kernels
