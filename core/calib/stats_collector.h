#pragma once
// The observer that turns a running model into statistics: every float32
// tensor that is not a constant (model and subgraph inputs, every op's
// outputs, and state tensors as ops update them), in every subgraph the run
// reaches. One collector per worker; merge them when the run ends.

#include <cstdint>
#include <vector>

#include "calib/tensor_statistics.h"
#include "format/model.h"
#include "runtime/observer.h"

namespace qs::calib {

struct TensorKey {
  int subgraph = 0;
  int tensor = 0;
  friend bool operator==(const TensorKey&, const TensorKey&) = default;
  friend auto operator<=>(const TensorKey&, const TensorKey&) = default;
};

class StatsCollector final : public runtime::Observer {
 public:
  explicit StatsCollector(const format::Model& model);

  void on_inputs(int subgraph, std::span<const runtime::Tensor* const> inputs) override;
  void on_op(const runtime::OpEvent& event) override;

  // Adds another worker's statistics (same model).
  void merge(const StatsCollector& other);

  // Tensors the collector watches, in (subgraph, tensor) order, with what
  // it saw (a tensor the run never reached has count 0).
  const std::vector<TensorKey>& keys() const { return keys_; }
  const std::vector<TensorStatistics>& stats() const { return stats_; }
  std::vector<TensorStatistics>& stats() { return stats_; }

 private:
  void observe(int subgraph, const runtime::Tensor& tensor);

  std::vector<std::vector<int32_t>> slot_;  // [subgraph][tensor] -> index into stats_, or -1
  std::vector<TensorKey> keys_;
  std::vector<TensorStatistics> stats_;
};

}  // namespace qs::calib
