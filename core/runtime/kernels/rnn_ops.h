#pragma once
// Float kernels of the basic (Elman) recurrent ops: RNN,
// UNIDIRECTIONAL_SEQUENCE_RNN and BIDIRECTIONAL_SEQUENCE_RNN.

#include "runtime/kernel_registry.h"

namespace qs::runtime::kernels {

void register_rnn_ops(KernelRegistry& registry);

}  // namespace qs::runtime::kernels
