#include "runtime/kernels/kernels.h"
#include "runtime/kernels/lstm_ops.h"
#include "runtime/kernels/rnn_ops.h"
#include "runtime/kernels/svdf_ops.h"

namespace qs::runtime::kernels {

void register_sequence(KernelRegistry& registry) {
  register_lstm_ops(registry);
  register_rnn_ops(registry);
  register_svdf_ops(registry);
}

}  // namespace qs::runtime::kernels
