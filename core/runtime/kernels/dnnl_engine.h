#pragma once
// oneDNN's engine and streams, for the dnnl_*.cpp files only: nothing else
// includes oneDNN headers, so the move from oneDNN 2.x (operation
// descriptors) to 3.x stays inside those files.
//
// Threading: Debian's oneDNN runs on OpenMP. Our interpreter is
// single-threaded per worker and throughput comes from one worker per core
// (splitting an op over two threads measured less reliable here), so every
// oneDNN call must run on the calling thread alone. oneDNN 2.x with OpenMP
// has no per-call thread count; it reads omp_get_max_threads() both when a
// primitive is created (to pick its blocking) and when it runs. So the
// first call on each thread sets that thread's OpenMP team size to 1
// (omp_set_num_threads is per thread: other threads keep their own
// setting). `thread_stream()` does it; call it (or `calling_thread_only()`)
// before creating a primitive too.

#include <exception>
#include <oneapi/dnnl/dnnl.hpp>
#include <string>

#include "common/status.h"

namespace qs::runtime::kernels::dnnl_support {

// One CPU engine for the process.
dnnl::engine& cpu_engine();

// One stream per thread, on cpu_engine(); the thread is made single-threaded
// for OpenMP first (see above).
dnnl::stream& thread_stream();

// Sets this thread's OpenMP team size to 1 (once per thread).
void calling_thread_only();

// Runs `fn`, turning a oneDNN (or allocation) exception into an error:
// exceptions never leave the dnnl_*.cpp files.
template <class Fn>
Status guarded(const char* what, Fn&& fn) {
  try {
    fn();
    return {};
  } catch (const dnnl::error& e) {
    return fail(cat("oneDNN ", what, ": ", e.what()));
  } catch (const std::exception& e) {
    return fail(cat(what, ": ", e.what()));
  }
}

}  // namespace qs::runtime::kernels::dnnl_support
