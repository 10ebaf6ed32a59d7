#include "runtime/kernels/kernels.h"
namespace qs::runtime::kernels {
void register_convolutions(KernelRegistry&) {}
}
