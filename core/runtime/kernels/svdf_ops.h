#pragma once
// Float kernel of SVDF (singular value decomposition filter).

#include "runtime/kernel_registry.h"

namespace qs::runtime::kernels {

void register_svdf_ops(KernelRegistry& registry);

}  // namespace qs::runtime::kernels
