#pragma once
// Runs one subgraph of a float (or quantized) TFLite model op by op.
//
//   auto interp = Interpreter::create(model, {});          // plans subgraph 0
//   interp->input(0) ... fill via input_data(0)
//   interp->invoke(&observer);
//   interp->output(0).values<float>()
//
// Planning resolves a kernel for every op of every subgraph the run can
// reach, so an unsupported op is reported (by index and name) before
// anything runs. Inputs with a dynamic dimension (-1 in shape_signature) are
// resized with resize_input(); the next invoke() re-plans.
//
// One Interpreter is single-threaded; run samples in parallel with one
// Interpreter per worker (see runtime/batch_runner.h).

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "common/status.h"
#include "format/model.h"
#include "runtime/kernel_registry.h"
#include "runtime/observer.h"
#include "runtime/tensor.h"

namespace qs::runtime {

struct InterpreterOptions {
  Flavor flavor = Flavor::kFast;
  // Which subgraph to run; a signature key (if set) overrides it.
  int subgraph = 0;
  std::string signature;
  const KernelRegistry* registry = nullptr;  // null: builtin_kernels()
};

class Interpreter {
 public:
  static Result<std::unique_ptr<Interpreter>> create(std::shared_ptr<const format::Model> model,
                                                     InterpreterOptions options = {});
  ~Interpreter();
  Interpreter(const Interpreter&) = delete;
  Interpreter& operator=(const Interpreter&) = delete;

  int subgraph_index() const;
  int input_count() const;
  int output_count() const;
  const Tensor& input(int i) const;
  const Tensor& output(int i) const;
  // Input/output names: the signature's aliases when created for a
  // signature, otherwise the tensor names.
  std::string_view input_name(int i) const;
  std::string_view output_name(int i) const;

  // Changes input `i`'s shape (only dimensions that are -1 in the shape
  // signature, or any when the model has no signature); replans lazily.
  Status resize_input(int i, Shape shape);
  // Writable bytes of input `i` for its current shape.
  std::span<std::byte> input_data(int i);
  // Copies `bytes` into input `i`; the size must match exactly.
  Status set_input(int i, std::span<const std::byte> bytes);

  // Runs the subgraph. Errors name the op that failed.
  Status invoke(Observer* observer = nullptr);

  const format::Model& model() const;

  class Impl;

 private:
  explicit Interpreter(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace qs::runtime
