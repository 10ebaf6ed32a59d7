#include "calib/calibrate.h"

#include <chrono>
#include <mutex>

#include "runtime/batch_runner.h"

namespace qs::calib {
namespace {

using Clock = std::chrono::steady_clock;

// Inputs of one sample into the interpreter, resizing dynamic dimensions.
Status feed(runtime::Interpreter& interp, const std::vector<io::Array>& arrays) {
  for (int i = 0; i < interp.input_count(); ++i) {
    const io::Array& a = arrays[static_cast<size_t>(i)];
    const runtime::Tensor& t = interp.input(i);
    runtime::Shape shape(a.shape.begin(), a.shape.end());
    if (shape != t.shape) {
      if (auto s = interp.resize_input(i, shape); !s) return s;
    }
    if (auto s = interp.set_input(i, a.data); !s) return s;
  }
  return {};
}

}  // namespace

double Progress::eta_seconds() const {
  const double rate = samples_per_second();
  return rate > 0 && total > done ? static_cast<double>(total - done) / rate : 0;
}

Result<StatsSet> calibrate(std::shared_ptr<const format::Model> model, ModelIdentity identity,
                           const SampleSet& samples, const CalibrateOptions& options) {
  if (samples.size() == 0) return fail("no calibration samples");
  runtime::BatchOptions batch;
  batch.workers = options.workers;
  batch.interpreter.subgraph = options.subgraph;
  batch.interpreter.signature = options.signature;
  auto runner = runtime::BatchRunner::create(model, batch);
  if (!runner) return tl::unexpected(runner.error());

  std::vector<std::unique_ptr<StatsCollector>> collectors;
  for (int w = 0; w < (*runner)->workers(); ++w)
    collectors.push_back(std::make_unique<StatsCollector>(*model));

  std::mutex skipped_mutex;
  std::vector<Skipped> skipped = samples.skipped();
  size_t skipped_samples = 0;
  const auto start = Clock::now();
  std::mutex progress_mutex;
  auto last_report = start - std::chrono::hours(1);

  runtime::BatchCallbacks callbacks;
  callbacks.fill = [&](size_t i, runtime::Interpreter& interp) -> Status {
    auto arrays = samples.load(i);
    if (!arrays) return tl::unexpected(arrays.error());
    if (auto s = feed(interp, *arrays); !s)
      return tl::unexpected(with_context(samples.describe(i), s.error()));
    return {};
  };
  if (options.skip_bad) {
    callbacks.skip_on_fill_error = [&](size_t i, const Error& e) {
      std::lock_guard lock(skipped_mutex);
      skipped.push_back({samples.describe(i), e.message});
      ++skipped_samples;
      return true;
    };
  }
  callbacks.observer_for = [&](int worker) -> runtime::Observer* {
    return collectors[static_cast<size_t>(worker)].get();
  };
  callbacks.cancel = options.cancel;
  const size_t total = samples.size();
  if (options.progress) {
    callbacks.progress = [&](size_t done) {
      const auto now = Clock::now();
      std::lock_guard lock(progress_mutex);
      if (done < total &&
          std::chrono::duration<double>(now - last_report).count() < options.progress_interval)
        return;
      last_report = now;
      options.progress({done, total, std::chrono::duration<double>(now - start).count()});
    };
  }
  if (auto s = (*runner)->run(total, callbacks); !s) return tl::unexpected(s.error());
  if (skipped_samples == total) return fail(cat("every one of the ", total, " samples failed to load"));

  for (size_t w = 1; w < collectors.size(); ++w) collectors[0]->merge(*collectors[w]);
  CalibrationRun run;
  run.samples = total - skipped_samples;
  run.inputs = samples.summary();
  run.skipped = std::move(skipped);
  run.tool = options.tool;
  return make_stats(*model, std::move(identity), *collectors[0], std::move(run));
}

}  // namespace qs::calib
