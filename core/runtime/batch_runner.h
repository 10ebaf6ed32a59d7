#pragma once
// Runs many samples through one model on several workers. Each worker owns
// an Interpreter (its own arena and kernel state) and runs single-threaded:
// on this kind of machine, one sample per core scales better than splitting
// each op across cores (FACTS.md).
//
// The callbacks run on worker threads, several at once; they must only
// touch state that belongs to their sample or worker.

#include <atomic>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "common/status.h"
#include "runtime/interpreter.h"

namespace qs::runtime {

struct BatchOptions {
  int workers = 0;  // 0: one per hardware thread
  InterpreterOptions interpreter;
};

struct BatchCallbacks {
  // Sets the inputs of sample `sample` (resize and fill).
  std::function<Status(size_t sample, Interpreter& interp)> fill;
  // When `fill` fails: return true to skip the sample (it counts as done and
  // the run goes on), false to stop with the error. Empty: stop.
  std::function<bool(size_t sample, const Error& error)> skip_on_fill_error;
  // Reads the outputs of sample `sample`; may be empty.
  std::function<Status(size_t sample, const Interpreter& interp)> take;
  // Observer for worker `worker` (called once per worker before it starts);
  // may be empty or return null.
  std::function<Observer*(int worker)> observer_for;
  // Called after each finished sample with the count done so far.
  std::function<void(size_t done)> progress;
  // Set to stop early: run() then fails with "cancelled".
  const std::atomic<bool>* cancel = nullptr;
};

class BatchRunner {
 public:
  static Result<std::unique_ptr<BatchRunner>> create(std::shared_ptr<const format::Model> model,
                                                     BatchOptions options = {});
  int workers() const { return static_cast<int>(interpreters_.size()); }
  Interpreter& interpreter(int worker) { return *interpreters_[static_cast<size_t>(worker)]; }

  // Runs samples 0..count-1. Returns the first error (naming the sample);
  // the other workers stop after their current sample.
  Status run(size_t count, const BatchCallbacks& callbacks);

 private:
  std::vector<std::unique_ptr<Interpreter>> interpreters_;
};

}  // namespace qs::runtime
