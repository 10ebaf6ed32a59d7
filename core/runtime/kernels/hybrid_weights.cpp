#include "runtime/kernels/hybrid_weights.h"

#include <algorithm>

namespace qs::runtime::kernels {

Result<std::vector<float>> hybrid_weight_scales(const OpContext& ctx, const Tensor& weights,
                                                int channel_axis) {
  const std::string what = cat("int8 weights ", weights.index, " '", weights.name, "'");
  const format::Quantization* q = weights.quantization;
  if (q == nullptr || !q->has_scale()) return ctx.error(cat(what, " have no quantization scale"));
  if (std::any_of(q->zero_point.begin(), q->zero_point.end(), [](int64_t z) { return z != 0; })) {
    return ctx.error(cat(what, " have a non-zero zero point (hybrid kernels need symmetric weights)"));
  }
  if (q->scale.size() == 1) return q->scale;
  if (q->quantized_dimension != channel_axis || channel_axis >= weights.rank() ||
      static_cast<int64_t>(q->scale.size()) != weights.dim(channel_axis)) {
    return ctx.error(cat(what, " have ", q->scale.size(), " scales along dimension ", q->quantized_dimension,
                         " of shape ", format::shape_string(weights.shape),
                         "; expected 1 or one per index of dimension ", channel_axis));
  }
  return q->scale;
}

}  // namespace qs::runtime::kernels
