#pragma once
// A calibration run: every sample of a SampleSet through the float model on
// N workers, each with its own interpreter and statistics, merged at the end.
// Used by `quantscope-cli calibrate` and the GUI's calibration panel.

#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include "calib/sample_set.h"
#include "calib/stats_file.h"
#include "common/status.h"
#include "format/model.h"

namespace qs::calib {

struct Progress {
  size_t done = 0;
  size_t total = 0;
  double seconds = 0;  // since the run started
  double samples_per_second() const { return seconds > 0 ? static_cast<double>(done) / seconds : 0; }
  double eta_seconds() const;
};

struct CalibrateOptions {
  int workers = 0;  // 0: one per core
  int subgraph = 0;
  std::string signature;  // run this signature's subgraph instead
  // Continue past samples that fail to load (recorded in the run); without
  // it the first bad sample stops the run.
  bool skip_bad = false;
  // Called from worker threads, at most every `progress_interval` seconds
  // and once at the end.
  std::function<void(const Progress&)> progress;
  double progress_interval = 0.2;
  // Set from any thread to stop within one sample per worker: calibrate()
  // then fails with "cancelled" and returns no statistics.
  const std::atomic<bool>* cancel = nullptr;
  std::string tool = "quantscope";
};

Result<StatsSet> calibrate(std::shared_ptr<const format::Model> model, ModelIdentity identity,
                           const SampleSet& samples, const CalibrateOptions& options = {});

}  // namespace qs::calib
