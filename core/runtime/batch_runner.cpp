#include "runtime/batch_runner.h"

#include <omp.h>

#include <mutex>
#include <thread>

namespace qs::runtime {

Result<std::unique_ptr<BatchRunner>> BatchRunner::create(std::shared_ptr<const format::Model> model,
                                                         BatchOptions options) {
  int n = options.workers > 0 ? options.workers : static_cast<int>(std::thread::hardware_concurrency());
  n = std::max(n, 1);
  auto runner = std::unique_ptr<BatchRunner>(new BatchRunner());
  for (int w = 0; w < n; ++w) {
    auto interp = Interpreter::create(model, options.interpreter);
    if (!interp) return tl::unexpected(interp.error());
    runner->interpreters_.push_back(std::move(*interp));
  }
  return runner;
}

Status BatchRunner::run(size_t count, const BatchCallbacks& callbacks) {
  std::atomic<size_t> next{0};
  std::atomic<size_t> done{0};
  std::atomic<bool> failed{false};
  std::mutex error_mutex;
  Error first_error;
  size_t first_error_sample = SIZE_MAX;

  auto record = [&](size_t sample, Error e) {
    std::lock_guard lock(error_mutex);
    if (sample < first_error_sample) {
      first_error_sample = sample;
      first_error = std::move(e);
    }
    failed = true;
  };

  auto work = [&](int worker) {
    // oneDNN's OpenMP runtime would otherwise spread each op over all cores,
    // fighting the other workers for them.
    omp_set_num_threads(1);
    Interpreter& interp = *interpreters_[static_cast<size_t>(worker)];
    Observer* observer = callbacks.observer_for ? callbacks.observer_for(worker) : nullptr;
    for (;;) {
      if (failed || (callbacks.cancel != nullptr && *callbacks.cancel)) return;
      const size_t sample = next++;
      if (sample >= count) return;
      Status s = callbacks.fill ? callbacks.fill(sample, interp) : Status{};
      if (!s && callbacks.skip_on_fill_error && callbacks.skip_on_fill_error(sample, s.error())) {
        const size_t finished = ++done;
        if (callbacks.progress) callbacks.progress(finished);
        continue;
      }
      if (s) s = interp.invoke(observer);
      if (s && callbacks.take) s = callbacks.take(sample, interp);
      if (!s) {
        record(sample, with_context(cat("sample ", sample), s.error()));
        return;
      }
      const size_t finished = ++done;
      if (callbacks.progress) callbacks.progress(finished);
    }
  };

  const int n = std::min<int>(workers(), static_cast<int>(std::max<size_t>(count, 1)));
  if (n == 1) {
    work(0);
  } else {
    std::vector<std::thread> threads;
    for (int w = 0; w < n; ++w) threads.emplace_back(work, w);
    for (auto& t : threads) t.join();
  }
  if (failed) return tl::unexpected(first_error);
  if (callbacks.cancel != nullptr && *callbacks.cancel && done < count) return fail("cancelled");
  return {};
}

}  // namespace qs::runtime
