#include "calib/stats_collector.h"

#include <algorithm>

namespace qs::calib {

StatsCollector::StatsCollector(const format::Model& model) {
  slot_.resize(model.subgraphs.size());
  for (size_t s = 0; s < model.subgraphs.size(); ++s) {
    const format::Subgraph& sg = model.subgraphs[s];
    slot_[s].assign(sg.tensors.size(), -1);
    for (size_t t = 0; t < sg.tensors.size(); ++t) {
      const format::Tensor& tensor = sg.tensors[t];
      if (tensor.type != format::TensorType::FLOAT32 || !model.tensor_data(tensor).empty()) continue;
      slot_[s][t] = static_cast<int32_t>(keys_.size());
      keys_.push_back({static_cast<int>(s), static_cast<int>(t)});
    }
  }
  stats_.resize(keys_.size());
}

void StatsCollector::observe(int subgraph, const runtime::Tensor& tensor) {
  if (tensor.type != format::TensorType::FLOAT32 || tensor.is_constant() || tensor.data == nullptr) return;
  const auto& slots = slot_[static_cast<size_t>(subgraph)];
  if (tensor.index < 0 || static_cast<size_t>(tensor.index) >= slots.size()) return;
  const int32_t slot = slots[static_cast<size_t>(tensor.index)];
  if (slot < 0) return;
  // Sparse or partially written tensors may hold fewer bytes than their
  // shape implies: trust the byte count.
  const size_t n = std::min(static_cast<size_t>(tensor.elements()), tensor.bytes / sizeof(float));
  stats_[static_cast<size_t>(slot)].add({reinterpret_cast<const float*>(tensor.data), n});
}

void StatsCollector::on_inputs(int subgraph, std::span<const runtime::Tensor* const> inputs) {
  for (const runtime::Tensor* t : inputs) {
    if (t != nullptr) observe(subgraph, *t);
  }
}

void StatsCollector::on_op(const runtime::OpEvent& event) {
  for (const runtime::Tensor* t : event.outputs) {
    if (t != nullptr) observe(event.subgraph, *t);
  }
  // State updated in place (LSTM/SVDF activation and cell state) is an
  // input of the op that writes it; it is seen here after the update.
  for (const runtime::Tensor* t : event.inputs) {
    if (t != nullptr && t->is_variable) observe(event.subgraph, *t);
  }
}

void StatsCollector::merge(const StatsCollector& other) {
  for (size_t i = 0; i < stats_.size() && i < other.stats_.size(); ++i) stats_[i].merge(other.stats_[i]);
}

}  // namespace qs::calib
