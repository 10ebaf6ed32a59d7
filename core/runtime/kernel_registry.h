#pragma once
// Which kernel runs which op. A kernel is registered per builtin op, per
// number domain and per flavour:
//  - domain: kPlain kernels compute on the values as stored (float32, and
//    the int32/int64/bool tensors of shape arithmetic; float16 or int8
//    constant weights of float models are theirs too); kQuantized kernels
//    compute on integer tensors that carry a scale and zero point.
//  - flavour: kFast is what users run; kReference is a plain, obviously
//    correct version kept for tests. An op without a reference kernel uses
//    its fast one for both (its fast kernel is already the plain loops).

#include <functional>
#include <map>
#include <memory>
#include <tuple>

#include "format/tensor_type.h"
#include "runtime/kernel.h"

namespace qs::runtime {

enum class Domain : uint8_t { kPlain, kQuantized };
enum class Flavor : uint8_t { kFast, kReference };

using KernelFactory = std::function<std::unique_ptr<Kernel>()>;

class KernelRegistry {
 public:
  void add(format::BuiltinOp op, Domain domain, Flavor flavor, KernelFactory factory);
  // Registers one factory as both flavours.
  void add(format::BuiltinOp op, Domain domain, KernelFactory factory);

  // The kernel for (op, domain, flavour), falling back from kReference to
  // kFast; null when none is registered.
  const KernelFactory* find(format::BuiltinOp op, Domain domain, Flavor flavor) const;

 private:
  std::map<std::tuple<format::BuiltinOp, Domain, Flavor>, KernelFactory> factories_;
};

// Every kernel this build has.
const KernelRegistry& builtin_kernels();

// Convenience for stateless kernels: a Kernel from two functions.
template <class Prepare, class Eval>
KernelFactory make_kernel(Prepare prepare, Eval eval) {
  class Fn final : public Kernel {
   public:
    Fn(Prepare p, Eval e) : p_(std::move(p)), e_(std::move(e)) {}
    Status prepare(OpContext& ctx) override { return p_(ctx); }
    Status eval(OpContext& ctx) override { return e_(ctx); }

   private:
    Prepare p_;
    Eval e_;
  };
  return [prepare, eval] { return std::make_unique<Fn>(prepare, eval); };
}

}  // namespace qs::runtime
