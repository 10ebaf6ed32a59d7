#pragma once
// The heavy float kernels as oneDNN primitives, behind types that do not
// mention oneDNN (see dnnl_engine.h for why, and for threading). Each object
// is built once for a fixed geometry (in a kernel's prepare), holds the
// primitive, its weights in the layout oneDNN prefers and its scratchpad,
// and runs on the calling thread. Creation fails (an error, never an
// exception) when oneDNN has no implementation; callers then use the
// reference loops.

#include <cstdint>
#include <memory>

#include "common/status.h"
#include "runtime/kernels/conv_geometry.h"
#include "runtime/kernels/kernel_util.h"
#include "runtime/kernels/reference_conv.h"
#include "runtime/kernels/reference_matmul.h"

namespace qs::runtime::kernels {

enum class ConvKind : uint8_t {
  kConv,       // CONV_2D: filter OHWI, grouped when g.groups > 1
  kDepthwise,  // DEPTHWISE_CONV_2D: filter 1HW(C*M)
  kTranspose,  // TRANSPOSE_CONV: filter OHWI, g.h/g.w from transpose_conv_axis
};

// Where the activations live while oneDNN computes. Our tensors are NHWC;
// oneDNN can work on them in place (kNhwc) or on its preferred blocked
// layout with a reorder before and after (kPreferred). bench_kernels
// measures both; kNhwc is what the kernels use (it measured as fast or
// faster once the reorders are counted).
enum class ActivationLayout : uint8_t { kNhwc, kPreferred };

class DnnlConvolution {
 public:
  static Result<std::unique_ptr<DnnlConvolution>> create(ConvKind kind, const ConvGeometry& g, bool has_bias,
                                                         ActivationRange act,
                                                         ActivationLayout layout = ActivationLayout::kNhwc);
  ~DnnlConvolution();
  DnnlConvolution(const DnnlConvolution&) = delete;
  DnnlConvolution& operator=(const DnnlConvolution&) = delete;

  // Reorders a TFLite-layout filter into the primitive's own copy: once for
  // constant weights, before every run for computed ones.
  Status set_weights(const float* filter);
  // input/output NHWC; bias null when created without one.
  Status run(const float* input, const float* bias, float* output);
  // oneDNN's name for the implementation it picked (for benchmarks).
  std::string implementation() const;

  struct Impl;

 private:
  explicit DnnlConvolution(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// MAX_POOL_2D / AVERAGE_POOL_2D (average over the elements inside the
// input, as TFLite). Fused activations are applied by the caller.
class DnnlPooling {
 public:
  static Result<std::unique_ptr<DnnlPooling>> create(reference::PoolKind kind, const ConvGeometry& g);
  ~DnnlPooling();
  DnnlPooling(const DnnlPooling&) = delete;
  DnnlPooling& operator=(const DnnlPooling&) = delete;

  Status run(const float* input, float* output);

  struct Impl;

 private:
  explicit DnnlPooling(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// FULLY_CONNECTED: output[b, o] = act(input[b, :] . weights[o, :] + bias[o]).
class DnnlInnerProduct {
 public:
  static Result<std::unique_ptr<DnnlInnerProduct>> create(int batches, int in_features, int out_features,
                                                          bool has_bias, ActivationRange act);
  ~DnnlInnerProduct();
  DnnlInnerProduct(const DnnlInnerProduct&) = delete;
  DnnlInnerProduct& operator=(const DnnlInnerProduct&) = delete;

  // weights [out, in] row-major; same contract as DnnlConvolution's.
  Status set_weights(const float* weights);
  Status run(const float* input, const float* bias, float* output);
  std::string implementation() const;

  struct Impl;

 private:
  explicit DnnlInnerProduct(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// BATCH_MATMUL on the operands as stored (strided views for adj_x/adj_y,
// broadcast batch dimensions); nothing is reordered.
class DnnlMatMul {
 public:
  static Result<std::unique_ptr<DnnlMatMul>> create(const reference::BatchMatMulShape& shape);
  ~DnnlMatMul();
  DnnlMatMul(const DnnlMatMul&) = delete;
  DnnlMatMul& operator=(const DnnlMatMul&) = delete;

  Status run(const float* lhs, const float* rhs, float* output);

  struct Impl;

 private:
  explicit DnnlMatMul(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// oneDNN's sgemm on the calling thread, row-major: c[m, n] = a[m, k] * b[k,
// n]. The yardstick benchmarks compare our kernels with.
Status dnnl_sgemm_row_major(int m, int n, int k, const float* a, const float* b, float* c);

}  // namespace qs::runtime::kernels
