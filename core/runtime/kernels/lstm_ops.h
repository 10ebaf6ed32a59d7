#pragma once
// Float kernels of LSTM (the full, 20- or 24-input kernel),
// UNIDIRECTIONAL_SEQUENCE_LSTM and BIDIRECTIONAL_SEQUENCE_LSTM.

#include "runtime/kernel_registry.h"

namespace qs::runtime::kernels {

void register_lstm_ops(KernelRegistry& registry);

}  // namespace qs::runtime::kernels
