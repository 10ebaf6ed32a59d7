#pragma once
// Plans and runs one subgraph: tensors, kernels, arena. The Interpreter owns
// one executor per subgraph it can reach (the entry subgraph plus WHILE/IF
// bodies and the like) and acts as their ExecutionHost.

#include <memory>
#include <span>
#include <vector>

#include "common/status.h"
#include "format/model.h"
#include "runtime/aligned_buffer.h"
#include "runtime/kernel.h"
#include "runtime/kernel_registry.h"
#include "runtime/observer.h"
#include "runtime/tensor.h"

namespace qs::runtime {

class SubgraphExecutor final : public TensorAllocator {
 public:
  // Resolves a kernel for every op; fails naming the first op without one.
  static Result<std::unique_ptr<SubgraphExecutor>> create(const format::Model& model, int index,
                                                          const KernelRegistry& registry, Flavor flavor,
                                                          ExecutionHost* host);

  int index() const { return index_; }
  const format::Subgraph& subgraph() const { return *subgraph_; }
  std::vector<Tensor*> inputs();
  std::vector<Tensor*> outputs();
  Tensor& tensor(int32_t i) { return tensors_[static_cast<size_t>(i)]; }

  Status resize_input(int i, Shape shape);
  // Plans (prepares every op, sizes and places tensors) unless planned for
  // the current input shapes.
  Status ensure_planned() { return planned_ ? Status{} : plan(); }
  // Plans if needed, then runs every op.
  Status invoke(Observer* observer);
  // Gives a dynamic tensor memory for its current shape.
  Status allocate_dynamic(Tensor& t) override;

 private:
  SubgraphExecutor(const format::Model& model, int index, ExecutionHost* host);
  Status init_tensors();
  Status plan();
  Status allocate_planned();
  Status prepare_op(size_t op, bool running);
  bool foldable(size_t op) const;
  Status fold(size_t op);
  Status run_op(size_t op, Observer* observer);
  // Adds the subgraph to errors from nested subgraphs.
  tl::unexpected<Error> op_error(const Error& error) const;
  // Bytes of `t` at its current shape, or an error naming it.
  Result<size_t> byte_size(const Tensor& t) const;

  const format::Model* model_;
  const format::Subgraph* subgraph_;
  int index_;
  ExecutionHost* host_;
  std::vector<Tensor> tensors_;
  std::vector<std::unique_ptr<Kernel>> kernels_;
  std::vector<std::vector<Tensor*>> op_inputs_;
  std::vector<std::vector<Tensor*>> op_outputs_;
  std::vector<Storage> base_storage_;  // before any op marked its outputs dynamic
  std::vector<bool> deferred_;  // prepared again right before each run
  std::vector<bool> folded_;    // computed once while planning (constant inputs)
  std::vector<AlignedBuffer> own_blocks_;  // per tensor: persistent, dynamic, realigned constants
  AlignedBuffer arena_;
  bool planned_ = false;
};

}  // namespace qs::runtime
