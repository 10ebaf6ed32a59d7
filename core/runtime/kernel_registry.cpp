#include "runtime/kernel_registry.h"

#include "runtime/kernels/kernels.h"

namespace qs::runtime {

void KernelRegistry::add(format::BuiltinOp op, Domain domain, Flavor flavor, KernelFactory factory) {
  factories_[{op, domain, flavor}] = std::move(factory);
}

void KernelRegistry::add(format::BuiltinOp op, Domain domain, KernelFactory factory) {
  add(op, domain, Flavor::kReference, factory);
  add(op, domain, Flavor::kFast, std::move(factory));
}

const KernelFactory* KernelRegistry::find(format::BuiltinOp op, Domain domain, Flavor flavor) const {
  if (auto it = factories_.find({op, domain, flavor}); it != factories_.end()) return &it->second;
  if (flavor == Flavor::kReference) return find(op, domain, Flavor::kFast);
  return nullptr;
}

const KernelRegistry& builtin_kernels() {
  static const KernelRegistry registry = [] {
    KernelRegistry r;
    kernels::register_elementwise(r);
    kernels::register_activations(r);
    kernels::register_shape_ops(r);
    kernels::register_reductions(r);
    kernels::register_image_ops(r);
    kernels::register_convolutions(r);
    kernels::register_matmul(r);
    kernels::register_sequence(r);
    kernels::register_quantization(r);
    kernels::register_integer_matmul(r);
    kernels::register_control_flow(r);
    return r;
  }();
  return registry;
}

}  // namespace qs::runtime
