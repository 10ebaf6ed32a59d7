#include "runtime/kernels/kernels.h"
#include "runtime/kernels/shape_families.h"

namespace qs::runtime::kernels {

void register_shape_ops(KernelRegistry& registry) {
  register_shape_reshape(registry);
  register_shape_layout(registry);
  register_shape_join(registry);
  register_slice_ops(registry);
  register_shape_gather(registry);
  register_shape_fill(registry);
  register_shape_densify(registry);
}

}  // namespace qs::runtime::kernels
