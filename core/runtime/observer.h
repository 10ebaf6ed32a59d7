#pragma once
// Per-op callbacks while a subgraph runs. The views are valid only during
// the call: the interpreter may reuse the memory of a tensor once its last
// reader has run, so an observer that needs values later copies them.

#include <span>

#include "format/model.h"
#include "runtime/tensor.h"

namespace qs::runtime {

struct OpEvent {
  int subgraph = 0;
  int op_index = 0;
  const format::Operator* op = nullptr;
  std::span<const Tensor* const> inputs;   // null entries for omitted inputs
  std::span<const Tensor* const> outputs;
};

class Observer {
 public:
  virtual ~Observer() = default;
  // The subgraph's inputs, before its first op runs.
  virtual void on_inputs(int /*subgraph*/, std::span<const Tensor* const> /*inputs*/) {}
  // After each op. Ops of nested subgraphs (WHILE bodies, ...) report their
  // own subgraph index.
  virtual void on_op(const OpEvent& event) = 0;
};

}  // namespace qs::runtime
