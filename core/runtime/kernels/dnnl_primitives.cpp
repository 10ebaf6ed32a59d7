#include "runtime/kernels/dnnl_primitives.h"

#include <limits>
#include <unordered_map>

#include "runtime/aligned_buffer.h"
#include "runtime/kernels/dnnl_engine.h"

namespace qs::runtime::kernels {
namespace {

using dnnl::memory;
using Dims = memory::dims;
using Tag = memory::format_tag;
constexpr auto kF32 = memory::data_type::f32;
using dnnl_support::calling_thread_only;
using dnnl_support::cpu_engine;
using dnnl_support::guarded;
using dnnl_support::thread_stream;

// Our own buffers (64-byte aligned) handed to oneDNN as memory.
struct OwnedMemory {
  AlignedBuffer buffer;
  memory mem;

  void init(const memory::desc& md) {
    buffer.resize(md.get_size());
    mem = memory(md, cpu_engine(), buffer.data());
  }
};

// A memory object whose data pointer is set before each use (tensors the
// interpreter owns).
memory borrowed(const memory::desc& md) { return memory(md, cpu_engine(), DNNL_MEMORY_NONE); }

void* handle(const float* p) { return const_cast<float*>(p); }

// Clamps become a oneDNN clip post-op. Callers pass TFLite's finite bounds
// (conv_activation.h), so there is one even without a fused activation:
// overflow to inf comes out as +-max, as in TFLite.
dnnl::primitive_attr make_attr(ActivationRange act) {
  dnnl::primitive_attr attr;
  // Our own scratchpad per primitive: nothing shared between objects or
  // threads behind our back.
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  constexpr float kInf = std::numeric_limits<float>::infinity();
  if (act.low == -kInf && act.high == kInf) return attr;
  const float low = act.low == -kInf ? std::numeric_limits<float>::lowest() : act.low;
  const float high = act.high == kInf ? std::numeric_limits<float>::max() : act.high;
  dnnl::post_ops ops;
  ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_clip, low, high);
  attr.set_post_ops(ops);
  return attr;
}

bool any_empty(std::initializer_list<int64_t> dims) {
  for (int64_t d : dims) {
    if (d <= 0) return true;
  }
  return false;
}

// The TFLite filter as oneDNN sees it: logical dims plus the strides of our
// layout, so one reorder produces whatever layout the primitive wants.
memory::desc tflite_filter_desc(ConvKind kind, const ConvGeometry& g) {
  const int64_t kh = g.h.filter, kw = g.w.filter;
  if (kind == ConvKind::kDepthwise) {
    // [1, KH, KW, C*M] seen as groups = C, M outputs of 1 input each.
    const int64_t c = g.in_channels, m = g.depth_multiplier;
    return memory::desc(Dims{c, m, 1, kh, kw}, kF32, Dims{m, 1, 1, kw * c * m, c * m});
  }
  // OHWI. For a transposed convolution oneDNN's deconvolution weights are
  // {OC, IC, KH, KW} with dst(oc, ih*S - P + kh) += src(ic, ih) * w(oc,
  // ic, kh): TFLite's scatter exactly, no flip.
  const int64_t groups = kind == ConvKind::kConv ? g.groups : 1;
  const int64_t oc_per_group = g.out_channels / groups;
  const int64_t ic_per_group = g.in_channels / groups;
  const int64_t spatial = kh * kw * ic_per_group;
  if (groups == 1) {
    return memory::desc(Dims{oc_per_group, ic_per_group, kh, kw}, kF32,
                        Dims{spatial, 1, kw * ic_per_group, ic_per_group});
  }
  return memory::desc(Dims{groups, oc_per_group, ic_per_group, kh, kw}, kF32,
                      Dims{oc_per_group * spatial, spatial, 1, kw * ic_per_group, ic_per_group});
}

memory::desc nhwc(int64_t n, int64_t c, int64_t h, int64_t w) {
  return memory::desc(Dims{n, c, h, w}, kF32, Tag::nhwc);
}

}  // namespace

// ---------------------------------------------------------------------------
// Convolutions

struct DnnlConvolution::Impl {
  dnnl::primitive primitive;
  std::string name;
  bool has_bias = false;
  // User-side (NHWC, TFLite filter) views.
  memory user_src, user_dst, user_weights, bias;
  // The primitive's side; src/dst are the user views when no reorder is
  // needed.
  memory src, dst;
  OwnedMemory weights, scratchpad, src_copy, dst_copy;
  dnnl::reorder weights_reorder, src_reorder, dst_reorder;
  bool reorder_src = false, reorder_dst = false;
  std::unordered_map<int, memory> args;
};

DnnlConvolution::DnnlConvolution(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
DnnlConvolution::~DnnlConvolution() = default;

Result<std::unique_ptr<DnnlConvolution>> DnnlConvolution::create(ConvKind kind, const ConvGeometry& g,
                                                                 bool has_bias, ActivationRange act,
                                                                 ActivationLayout layout) {
  if (any_empty({g.batch, g.in_channels, g.out_channels, g.h.in, g.w.in, g.h.out, g.w.out})) {
    return fail("oneDNN convolution: empty tensor");
  }
  if (g.h.pad_after < 0 || g.w.pad_after < 0) return fail("oneDNN convolution: negative padding");
  calling_thread_only();
  auto impl = std::make_unique<Impl>();
  impl->has_bias = has_bias;
  auto s = guarded("convolution", [&] {
    dnnl::engine& engine = cpu_engine();
    const memory::desc user_src_md = nhwc(g.batch, g.in_channels, g.h.in, g.w.in);
    const memory::desc user_dst_md = nhwc(g.batch, g.out_channels, g.h.out, g.w.out);
    const memory::desc filter_md = tflite_filter_desc(kind, g);
    const bool nhwc_direct = layout == ActivationLayout::kNhwc;
    const memory::desc src_md = nhwc_direct ? user_src_md : memory::desc(user_src_md.dims(), kF32, Tag::any);
    const memory::desc dst_md = nhwc_direct ? user_dst_md : memory::desc(user_dst_md.dims(), kF32, Tag::any);
    const memory::desc weights_md(filter_md.dims(), kF32, Tag::any);
    const memory::desc bias_md(Dims{g.out_channels}, kF32, Tag::x);
    const Dims strides{g.h.stride, g.w.stride};
    const Dims dilation{g.h.dilation - 1, g.w.dilation - 1};
    const Dims pad_l{g.h.pad_before, g.w.pad_before};
    const Dims pad_r{g.h.pad_after, g.w.pad_after};
    const dnnl::primitive_attr attr = make_attr(act);
    const auto prop = dnnl::prop_kind::forward_inference;

    memory::desc chosen_src, chosen_dst, chosen_weights, scratch_md;
    if (kind == ConvKind::kTranspose) {
      const auto algo = dnnl::algorithm::deconvolution_direct;
      auto desc = has_bias ? dnnl::deconvolution_forward::desc(prop, algo, src_md, weights_md, bias_md,
                                                               dst_md, strides, dilation, pad_l, pad_r)
                           : dnnl::deconvolution_forward::desc(prop, algo, src_md, weights_md, dst_md,
                                                               strides, dilation, pad_l, pad_r);
      dnnl::deconvolution_forward::primitive_desc pd(desc, attr, engine);
      chosen_src = pd.src_desc();
      chosen_dst = pd.dst_desc();
      chosen_weights = pd.weights_desc();
      scratch_md = pd.scratchpad_desc();
      impl->name = pd.impl_info_str();
      impl->primitive = dnnl::deconvolution_forward(pd);
    } else {
      const auto algo = dnnl::algorithm::convolution_direct;
      auto desc = has_bias ? dnnl::convolution_forward::desc(prop, algo, src_md, weights_md, bias_md, dst_md,
                                                             strides, dilation, pad_l, pad_r)
                           : dnnl::convolution_forward::desc(prop, algo, src_md, weights_md, dst_md, strides,
                                                             dilation, pad_l, pad_r);
      dnnl::convolution_forward::primitive_desc pd(desc, attr, engine);
      chosen_src = pd.src_desc();
      chosen_dst = pd.dst_desc();
      chosen_weights = pd.weights_desc();
      scratch_md = pd.scratchpad_desc();
      impl->name = pd.impl_info_str();
      impl->primitive = dnnl::convolution_forward(pd);
    }

    impl->user_src = borrowed(user_src_md);
    impl->user_dst = borrowed(user_dst_md);
    impl->user_weights = borrowed(filter_md);
    impl->weights.init(chosen_weights);
    impl->weights_reorder = dnnl::reorder(impl->user_weights, impl->weights.mem);
    impl->scratchpad.init(scratch_md);
    impl->reorder_src = chosen_src != user_src_md;
    impl->reorder_dst = chosen_dst != user_dst_md;
    if (impl->reorder_src) {
      impl->src_copy.init(chosen_src);
      impl->src = impl->src_copy.mem;
      impl->src_reorder = dnnl::reorder(impl->user_src, impl->src);
    } else {
      impl->src = impl->user_src;
    }
    if (impl->reorder_dst) {
      impl->dst_copy.init(chosen_dst);
      impl->dst = impl->dst_copy.mem;
      impl->dst_reorder = dnnl::reorder(impl->dst, impl->user_dst);
    } else {
      impl->dst = impl->user_dst;
    }
    impl->args = {{DNNL_ARG_SRC, impl->src},
                  {DNNL_ARG_WEIGHTS, impl->weights.mem},
                  {DNNL_ARG_DST, impl->dst},
                  {DNNL_ARG_SCRATCHPAD, impl->scratchpad.mem}};
    if (has_bias) {
      impl->bias = borrowed(bias_md);
      impl->args.emplace(DNNL_ARG_BIAS, impl->bias);
    }
  });
  if (!s) return tl::unexpected(s.error());
  return std::unique_ptr<DnnlConvolution>(new DnnlConvolution(std::move(impl)));
}

Status DnnlConvolution::set_weights(const float* filter) {
  return guarded("weights reorder", [&] {
    dnnl::stream& stream = thread_stream();
    impl_->user_weights.set_data_handle(handle(filter));
    impl_->weights_reorder.execute(stream, impl_->user_weights, impl_->weights.mem);
    stream.wait();
  });
}

Status DnnlConvolution::run(const float* input, const float* bias, float* output) {
  return guarded("convolution", [&] {
    dnnl::stream& stream = thread_stream();
    impl_->user_src.set_data_handle(handle(input));
    impl_->user_dst.set_data_handle(output);
    if (impl_->has_bias) impl_->bias.set_data_handle(handle(bias));
    if (impl_->reorder_src) impl_->src_reorder.execute(stream, impl_->user_src, impl_->src);
    impl_->primitive.execute(stream, impl_->args);
    if (impl_->reorder_dst) impl_->dst_reorder.execute(stream, impl_->dst, impl_->user_dst);
    stream.wait();
  });
}

std::string DnnlConvolution::implementation() const { return impl_->name; }

// ---------------------------------------------------------------------------
// Pooling

struct DnnlPooling::Impl {
  dnnl::primitive primitive;
  memory src, dst;
  OwnedMemory scratchpad;
  std::unordered_map<int, memory> args;
};

DnnlPooling::DnnlPooling(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
DnnlPooling::~DnnlPooling() = default;

Result<std::unique_ptr<DnnlPooling>> DnnlPooling::create(reference::PoolKind kind, const ConvGeometry& g) {
  if (kind == reference::PoolKind::kL2) return fail("oneDNN pooling: no L2 pooling");
  if (any_empty({g.batch, g.in_channels, g.h.in, g.w.in, g.h.out, g.w.out}))
    return fail("oneDNN pooling: empty tensor");
  calling_thread_only();
  auto impl = std::make_unique<Impl>();
  auto s = guarded("pooling", [&] {
    const memory::desc src_md = nhwc(g.batch, g.in_channels, g.h.in, g.w.in);
    const memory::desc dst_md = nhwc(g.batch, g.in_channels, g.h.out, g.w.out);
    // TFLite averages over the elements inside the input only.
    const auto algo = kind == reference::PoolKind::kMax ? dnnl::algorithm::pooling_max
                                                        : dnnl::algorithm::pooling_avg_exclude_padding;
    dnnl::pooling_forward::desc desc(dnnl::prop_kind::forward_inference, algo, src_md, dst_md,
                                     Dims{g.h.stride, g.w.stride}, Dims{g.h.filter, g.w.filter},
                                     Dims{g.h.pad_before, g.w.pad_before},
                                     Dims{g.h.pad_after, g.w.pad_after});
    dnnl::primitive_attr attr;
    attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
    dnnl::pooling_forward::primitive_desc pd(desc, attr, cpu_engine());
    impl->primitive = dnnl::pooling_forward(pd);
    impl->src = borrowed(src_md);
    impl->dst = borrowed(dst_md);
    impl->scratchpad.init(pd.scratchpad_desc());
    impl->args = {
        {DNNL_ARG_SRC, impl->src}, {DNNL_ARG_DST, impl->dst}, {DNNL_ARG_SCRATCHPAD, impl->scratchpad.mem}};
  });
  if (!s) return tl::unexpected(s.error());
  return std::unique_ptr<DnnlPooling>(new DnnlPooling(std::move(impl)));
}

Status DnnlPooling::run(const float* input, float* output) {
  return guarded("pooling", [&] {
    dnnl::stream& stream = thread_stream();
    impl_->src.set_data_handle(handle(input));
    impl_->dst.set_data_handle(output);
    impl_->primitive.execute(stream, impl_->args);
    stream.wait();
  });
}

// ---------------------------------------------------------------------------
// Inner product

struct DnnlInnerProduct::Impl {
  dnnl::primitive primitive;
  std::string name;
  bool has_bias = false;
  memory src, dst, bias, user_weights;
  OwnedMemory weights, scratchpad;
  dnnl::reorder weights_reorder;
  std::unordered_map<int, memory> args;
};

DnnlInnerProduct::DnnlInnerProduct(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
DnnlInnerProduct::~DnnlInnerProduct() = default;

Result<std::unique_ptr<DnnlInnerProduct>> DnnlInnerProduct::create(int batches, int in_features,
                                                                   int out_features, bool has_bias,
                                                                   ActivationRange act) {
  if (any_empty({batches, in_features, out_features})) return fail("oneDNN inner product: empty tensor");
  calling_thread_only();
  auto impl = std::make_unique<Impl>();
  impl->has_bias = has_bias;
  auto s = guarded("inner product", [&] {
    const memory::desc src_md(Dims{batches, in_features}, kF32, Tag::nc);
    const memory::desc dst_md(Dims{batches, out_features}, kF32, Tag::nc);
    const memory::desc user_weights_md(Dims{out_features, in_features}, kF32, Tag::oi);
    const memory::desc weights_md(Dims{out_features, in_features}, kF32, Tag::any);
    const memory::desc bias_md(Dims{out_features}, kF32, Tag::x);
    const auto prop = dnnl::prop_kind::forward_inference;
    auto desc = has_bias ? dnnl::inner_product_forward::desc(prop, src_md, weights_md, bias_md, dst_md)
                         : dnnl::inner_product_forward::desc(prop, src_md, weights_md, dst_md);
    dnnl::inner_product_forward::primitive_desc pd(desc, make_attr(act), cpu_engine());
    impl->name = pd.impl_info_str();
    impl->primitive = dnnl::inner_product_forward(pd);
    impl->src = borrowed(src_md);
    impl->dst = borrowed(dst_md);
    impl->user_weights = borrowed(user_weights_md);
    impl->weights.init(pd.weights_desc());
    impl->weights_reorder = dnnl::reorder(impl->user_weights, impl->weights.mem);
    impl->scratchpad.init(pd.scratchpad_desc());
    impl->args = {{DNNL_ARG_SRC, impl->src},
                  {DNNL_ARG_WEIGHTS, impl->weights.mem},
                  {DNNL_ARG_DST, impl->dst},
                  {DNNL_ARG_SCRATCHPAD, impl->scratchpad.mem}};
    if (has_bias) {
      impl->bias = borrowed(bias_md);
      impl->args.emplace(DNNL_ARG_BIAS, impl->bias);
    }
  });
  if (!s) return tl::unexpected(s.error());
  return std::unique_ptr<DnnlInnerProduct>(new DnnlInnerProduct(std::move(impl)));
}

Status DnnlInnerProduct::set_weights(const float* weights) {
  return guarded("weights reorder", [&] {
    dnnl::stream& stream = thread_stream();
    impl_->user_weights.set_data_handle(handle(weights));
    impl_->weights_reorder.execute(stream, impl_->user_weights, impl_->weights.mem);
    stream.wait();
  });
}

Status DnnlInnerProduct::run(const float* input, const float* bias, float* output) {
  return guarded("inner product", [&] {
    dnnl::stream& stream = thread_stream();
    impl_->src.set_data_handle(handle(input));
    impl_->dst.set_data_handle(output);
    if (impl_->has_bias) impl_->bias.set_data_handle(handle(bias));
    impl_->primitive.execute(stream, impl_->args);
    stream.wait();
  });
}

std::string DnnlInnerProduct::implementation() const { return impl_->name; }

// ---------------------------------------------------------------------------
// Batch matmul

struct DnnlMatMul::Impl {
  dnnl::primitive primitive;
  memory src, weights, dst;
  OwnedMemory scratchpad;
  std::unordered_map<int, memory> args;
};

DnnlMatMul::DnnlMatMul(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
DnnlMatMul::~DnnlMatMul() = default;

Result<std::unique_ptr<DnnlMatMul>> DnnlMatMul::create(const reference::BatchMatMulShape& shape) {
  const int64_t rows = shape.rows(), depth = shape.depth(), cols = shape.cols();
  if (any_empty({rows, depth, cols, shape.batch(0), shape.batch(1), shape.batch(2)})) {
    return fail("oneDNN matmul: empty tensor");
  }
  calling_thread_only();
  auto impl = std::make_unique<Impl>();
  auto s = guarded("matmul", [&] {
    // Rank-5 views of the operands as stored; a transposed operand is a
    // strided view, a broadcast batch dimension has size 1.
    auto view = [](const std::array<int32_t, 5>& d, int64_t outer, int64_t inner, bool transposed) {
      // Stored element (p, q) of a [m0, m1] matrix is at p * m1 + q.
      const int64_t m0 = d[3], m1 = d[4];
      const Dims dims{d[0], d[1], d[2], outer, inner};
      Dims strides{0, 0, 0, transposed ? 1 : m1, transposed ? m1 : 1};
      int64_t step = m0 * m1;
      for (int i = 2; i >= 0; --i) {
        strides[static_cast<size_t>(i)] = step;
        step *= d[static_cast<size_t>(i)];
      }
      return memory::desc(dims, kF32, strides);
    };
    const memory::desc src_md = view(shape.lhs, rows, depth, shape.adj_x);
    const memory::desc weights_md = view(shape.rhs, depth, cols, shape.adj_y);
    const memory::desc dst_md(Dims{shape.batch(0), shape.batch(1), shape.batch(2), rows, cols}, kF32,
                              Tag::abcde);
    dnnl::matmul::desc desc(src_md, weights_md, dst_md);
    dnnl::primitive_attr attr;
    attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
    dnnl::matmul::primitive_desc pd(desc, attr, cpu_engine());
    impl->primitive = dnnl::matmul(pd);
    impl->src = borrowed(src_md);
    impl->weights = borrowed(weights_md);
    impl->dst = borrowed(dst_md);
    impl->scratchpad.init(pd.scratchpad_desc());
    impl->args = {{DNNL_ARG_SRC, impl->src},
                  {DNNL_ARG_WEIGHTS, impl->weights},
                  {DNNL_ARG_DST, impl->dst},
                  {DNNL_ARG_SCRATCHPAD, impl->scratchpad.mem}};
  });
  if (!s) return tl::unexpected(s.error());
  return std::unique_ptr<DnnlMatMul>(new DnnlMatMul(std::move(impl)));
}

Status DnnlMatMul::run(const float* lhs, const float* rhs, float* output) {
  return guarded("matmul", [&] {
    dnnl::stream& stream = thread_stream();
    impl_->src.set_data_handle(handle(lhs));
    impl_->weights.set_data_handle(handle(rhs));
    impl_->dst.set_data_handle(output);
    impl_->primitive.execute(stream, impl_->args);
    stream.wait();
  });
}

// ---------------------------------------------------------------------------

Status dnnl_sgemm_row_major(int m, int n, int k, const float* a, const float* b, float* c) {
  calling_thread_only();
  const dnnl_status_t st = dnnl_sgemm('N', 'N', m, n, k, 1.0f, a, k, b, n, 0.0f, c, n);
  if (st != dnnl_success) return fail(cat("oneDNN sgemm failed (status ", static_cast<int>(st), ")"));
  return {};
}

}  // namespace qs::runtime::kernels
