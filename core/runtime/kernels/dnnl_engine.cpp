#include "runtime/kernels/dnnl_engine.h"

#include <omp.h>

namespace qs::runtime::kernels::dnnl_support {

dnnl::engine& cpu_engine() {
  // Static local: created once, thread-safe initialisation.
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

void calling_thread_only() {
  thread_local bool done = false;
  if (done) return;
  omp_set_num_threads(1);
  done = true;
}

dnnl::stream& thread_stream() {
  calling_thread_only();
  thread_local dnnl::stream stream(cpu_engine());
  return stream;
}

}  // namespace qs::runtime::kernels::dnnl_support
