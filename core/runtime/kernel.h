#pragma once
// The contract between the interpreter and an op's kernel.
//
// The interpreter calls `prepare` once when it plans a subgraph, and again
// whenever an input's shape changes; `prepare` checks types, sets every
// output's shape and may precompute state (reordered weights, primitives).
// `eval` computes the outputs into memory the interpreter has allocated.
//
// Output shapes that depend on the *values* of a non-constant input (RESHAPE
// with a computed shape, SHAPE, ...) are not known while planning: such a
// kernel asks `ctx.values_known(t)`, and when they are not, marks its outputs
// dynamic. The interpreter then calls `prepare` again right before `eval`,
// when the values are there, and allocates those outputs at that point.

#include <memory>
#include <span>
#include <string>

#include "common/status.h"
#include "format/model.h"
#include "runtime/tensor.h"

namespace qs::runtime {

class ResourceStore;

// What a kernel may ask of the interpreter besides its tensors; control
// flow ops use the subgraph runner, variable ops the resource store.
class ExecutionHost {
 public:
  virtual ~ExecutionHost() = default;
  // Runs subgraph `index` of the model on copies of `inputs` (observers see
  // its ops) and returns its outputs, valid until that subgraph runs again.
  virtual Result<std::vector<const Tensor*>> run_subgraph(int index,
                                                          std::span<const Tensor* const> inputs) = 0;
  virtual ResourceStore& resources() = 0;
  virtual const format::Model& model() const = 0;
};

// Gives tensors whose shape is known only at run time their memory.
class TensorAllocator {
 public:
  virtual ~TensorAllocator() = default;
  virtual Status allocate_dynamic(Tensor& t) = 0;
};

class OpContext {
 public:
  OpContext(const format::Operator& op, int op_index, std::span<Tensor* const> inputs,
            std::span<Tensor* const> outputs, bool running, ExecutionHost* host, TensorAllocator* allocator)
      : op_(op),
        op_index_(op_index),
        inputs_(inputs),
        outputs_(outputs),
        running_(running),
        host_(host),
        allocator_(allocator) {}

  const format::Operator& op() const { return op_; }
  int op_index() const { return op_index_; }

  int input_count() const { return static_cast<int>(inputs_.size()); }
  int output_count() const { return static_cast<int>(outputs_.size()); }
  // Null for an omitted optional input (-1 in the model) or past the end.
  const Tensor* input(int i) const {
    return i >= 0 && i < input_count() ? inputs_[static_cast<size_t>(i)] : nullptr;
  }
  Tensor& output(int i) const { return *outputs_[static_cast<size_t>(i)]; }
  // Writable access to a variable (state) input, e.g. an LSTM's cell state;
  // null unless input `i` is a variable tensor.
  Tensor* state_input(int i) const {
    Tensor* t = i >= 0 && i < input_count() ? inputs_[static_cast<size_t>(i)] : nullptr;
    return t != nullptr && t->is_variable ? t : nullptr;
  }

  // True while the interpreter runs the op (values of every input are
  // available); false while planning.
  bool running() const { return running_; }
  // Whether `t`'s values can be read now (constants always; anything while
  // running).
  bool values_known(const Tensor& t) const { return running_ || t.is_constant(); }

  // Sets output `i`'s shape. The interpreter sizes its memory.
  void set_output_shape(int i, Shape shape) { output(i).shape = std::move(shape); }
  // Declares output `i`'s shape unknown until run time (see the file comment).
  void mark_output_dynamic(int i) { output(i).storage = Storage::kDynamic; }
  // While running: sizes the memory of dynamic output `i` for its current
  // shape (for ops, like WHILE, that learn their output shapes in eval()).
  Status allocate_output(int i) const { return allocator_->allocate_dynamic(output(i)); }

  // An error naming the op, e.g. "op #12 CONV_2D: filter must be 4-D".
  tl::unexpected<Error> error(const std::string& message) const;

  ExecutionHost& host() const { return *host_; }

 private:
  const format::Operator& op_;
  int op_index_;
  std::span<Tensor* const> inputs_;
  std::span<Tensor* const> outputs_;
  bool running_;
  ExecutionHost* host_;
  TensorAllocator* allocator_;
};

class Kernel {
 public:
  virtual ~Kernel() = default;
  virtual Status prepare(OpContext& ctx) = 0;
  virtual Status eval(OpContext& ctx) = 0;
};

}  // namespace qs::runtime
