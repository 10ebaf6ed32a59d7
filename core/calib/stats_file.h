#pragma once
// Calibration statistics as a file: what a calibration run learnt about
// every float tensor of one model, with everything needed to trust and
// reproduce it (the model's SHA-256, the samples, the sources and the
// preprocessing of each input).
//
// Format: one JSON document, "format": "quantscope.calibration-stats",
// "version": 1 (docs/stats-file.md describes every field). Histograms are
// stored inline as the occupied run of their 2048 counts. Numbers are
// written with enough digits to read back bit for bit.
//
// Files of separate runs on the same model (calibration sharded over
// machines or days) merge into one: counts add, extremes and moments
// combine exactly, moving averages continue as if the runs had been one.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "calib/sample_set.h"
#include "calib/stats_collector.h"
#include "calib/tensor_statistics.h"
#include "common/status.h"

namespace qs::calib {

inline constexpr int kStatsFormatVersion = 1;

struct ModelIdentity {
  std::string file;    // the model's file name as given (informational)
  std::string sha256;  // what identifies it
};

// One calibration run that contributed to the statistics.
struct CalibrationRun {
  size_t samples = 0;  // samples that ran
  std::vector<InputSummary> inputs;
  std::vector<Skipped> skipped;  // samples or files left out (skip_bad)
  std::string tool;              // "quantscope 0.1.0"
};

struct TensorRecord {
  TensorKey key;
  std::string name;
  std::vector<int32_t> shape;  // as declared in the model
  TensorStatistics stats;
};

struct StatsSet {
  ModelIdentity model;
  size_t samples = 0;
  std::vector<CalibrationRun> runs;
  std::vector<TensorRecord> tensors;  // (subgraph, tensor) order

  const TensorRecord* find(const TensorKey& key) const;
  // By tensor name; the first match in subgraph order.
  const TensorRecord* find(const std::string& name) const;
};

// Statistics from collectors of one run, named after the model's tensors.
StatsSet make_stats(const format::Model& model, ModelIdentity identity, const StatsCollector& collected,
                    CalibrationRun run);

// Writes atomically (temporary file, then rename): never a partial file.
Status save_stats(const StatsSet& stats, const std::filesystem::path& path);
// Errors name the file and the field at fault.
Result<StatsSet> load_stats(const std::filesystem::path& path);

// Adds `other` to `into`. Refuses statistics of another model (by SHA-256),
// of different tensors, or whose inputs were preprocessed differently: the
// message says which.
Status merge_stats(StatsSet& into, const StatsSet& other);

// Fails, saying so, when `stats` were not collected on the model with this
// SHA-256 (`model_file` names it in the message).
Status check_model(const StatsSet& stats, const std::string& sha256, const std::string& model_file);

}  // namespace qs::calib
