#include "runtime/subgraph_executor.h"

#include <algorithm>
#include <cstring>

#include "runtime/memory_plan.h"

namespace qs::runtime {
namespace {

bool is_quantized_integer(const format::Tensor& t) {
  using format::TensorType;
  const bool integer = t.type == TensorType::INT8 || t.type == TensorType::UINT8 || t.type == TensorType::INT16;
  return integer && t.quantization && t.quantization->has_scale();
}

// Quantized kernels are the ones whose result is a quantized integer tensor;
// everything else (float, shape arithmetic, hybrid ops with float outputs,
// DEQUANTIZE) computes on plain values.
Domain op_domain(const format::Subgraph& sg, const format::Operator& op) {
  for (int32_t out : op.outputs) {
    if (out >= 0 && static_cast<size_t>(out) < sg.tensors.size()) {
      return is_quantized_integer(sg.tensors[static_cast<size_t>(out)]) ? Domain::kQuantized : Domain::kPlain;
    }
  }
  return Domain::kPlain;
}

std::string op_label(const format::Operator& op) {
  if (op.code.builtin == format::BuiltinOp::CUSTOM) return cat("CUSTOM '", op.code.custom_code, "'");
  return format::op_name(op.code.builtin);
}

size_t type_alignment(format::TensorType type) {
  const auto bits = format::type_bits(type);
  return bits && *bits >= 8 ? *bits / 8 : 1;
}

// Ops that must run every time even when their inputs are constant: they
// have effects, call subgraphs or draw random numbers.
bool may_fold(const format::Operator& op) {
  using format::BuiltinOp;
  switch (op.code.builtin) {
    case BuiltinOp::WHILE:
    case BuiltinOp::IF:
    case BuiltinOp::CALL_ONCE:
    case BuiltinOp::STABLEHLO_COMPOSITE:
    case BuiltinOp::VAR_HANDLE:
    case BuiltinOp::READ_VARIABLE:
    case BuiltinOp::ASSIGN_VARIABLE:
    case BuiltinOp::RANDOM_UNIFORM:
    case BuiltinOp::RANDOM_STANDARD_NORMAL:
    case BuiltinOp::MULTINOMIAL:
    case BuiltinOp::CUSTOM:
      return false;
    default:
      return true;
  }
}

std::span<const Tensor* const> const_view(const std::vector<Tensor*>& v) {
  return {reinterpret_cast<const Tensor* const*>(v.data()), v.size()};
}

}  // namespace

int64_t element_count(std::span<const int32_t> shape) {
  int64_t n = 1;
  for (int32_t d : shape) n *= d;
  return n;
}

SubgraphExecutor::SubgraphExecutor(const format::Model& model, int index, ExecutionHost* host)
    : model_(&model), subgraph_(&model.subgraphs[static_cast<size_t>(index)]), index_(index), host_(host) {}

Result<std::unique_ptr<SubgraphExecutor>> SubgraphExecutor::create(const format::Model& model, int index,
                                                                   const KernelRegistry& registry, Flavor flavor,
                                                                   ExecutionHost* host) {
  if (index < 0 || static_cast<size_t>(index) >= model.subgraphs.size()) {
    return fail(cat("subgraph ", index, " does not exist (the model has ", model.subgraphs.size(), ")"));
  }
  std::unique_ptr<SubgraphExecutor> exec(new SubgraphExecutor(model, index, host));
  const format::Subgraph& sg = *exec->subgraph_;
  for (size_t i = 0; i < sg.operators.size(); ++i) {
    const format::Operator& op = sg.operators[i];
    const Domain domain = op_domain(sg, op);
    const KernelFactory* factory =
        op.code.builtin == format::BuiltinOp::CUSTOM ? nullptr : registry.find(op.code.builtin, domain, flavor);
    if (factory == nullptr) {
      return fail(cat("subgraph ", index, " op #", i, " ", op_label(op), " is not supported",
                      domain == Domain::kQuantized ? " with quantized tensors" : ""));
    }
    exec->kernels_.push_back((*factory)());
  }
  if (auto s = exec->init_tensors(); !s) return tl::unexpected(s.error());
  return exec;
}

Result<size_t> SubgraphExecutor::byte_size(const Tensor& t) const {
  if (t.type == format::TensorType::RESOURCE) return sizeof(int32_t) * static_cast<size_t>(t.elements());
  for (int32_t d : t.shape) {
    if (d < 0) return fail(cat("tensor ", t.index, " '", t.name, "' has unknown shape ", format::shape_string(t.shape)));
  }
  const auto bytes = format::dense_byte_size(t.type, static_cast<uint64_t>(t.elements()));
  if (!bytes) {
    return fail(cat("tensor ", t.index, " '", t.name, "' of type ", format::type_name(t.type),
                    " has no fixed size (not supported)"));
  }
  return static_cast<size_t>(*bytes);
}

Status SubgraphExecutor::init_tensors() {
  const format::Subgraph& sg = *subgraph_;
  tensors_.resize(sg.tensors.size());
  own_blocks_.resize(sg.tensors.size());
  base_storage_.assign(sg.tensors.size(), Storage::kArena);
  std::vector<bool> boundary(sg.tensors.size(), false);
  for (int32_t i : sg.inputs) boundary[static_cast<size_t>(i)] = true;
  for (int32_t i : sg.outputs) boundary[static_cast<size_t>(i)] = true;

  for (size_t i = 0; i < sg.tensors.size(); ++i) {
    const format::Tensor& decl = sg.tensors[i];
    Tensor& t = tensors_[i];
    t.index = static_cast<int32_t>(i);
    t.name = decl.name;
    t.type = decl.type;
    t.shape = decl.shape;
    t.quantization = decl.quantization ? &*decl.quantization : nullptr;
    t.is_variable = decl.is_variable;
    const std::span<const uint8_t> data = model_->tensor_data(decl);
    if (decl.is_variable) {
      t.storage = Storage::kPersistent;
      auto bytes = byte_size(t);
      if (!bytes) return tl::unexpected(bytes.error());
      own_blocks_[i].resize(*bytes);
      t.data = own_blocks_[i].data();
      t.bytes = *bytes;
      if (!data.empty()) std::memcpy(t.data, data.data(), std::min(data.size(), *bytes));
    } else if (!data.empty()) {
      t.storage = Storage::kConstant;
      t.bytes = data.size();
      if (reinterpret_cast<uintptr_t>(data.data()) % type_alignment(t.type) != 0) {
        // Kernels read elements in place; a misaligned buffer is copied once.
        own_blocks_[i].resize(data.size());
        std::memcpy(own_blocks_[i].data(), data.data(), data.size());
        t.data = own_blocks_[i].data();
      } else {
        t.data = const_cast<std::byte*>(reinterpret_cast<const std::byte*>(data.data()));
      }
    } else if (boundary[i]) {
      t.storage = Storage::kPersistent;
    }
    base_storage_[i] = t.storage;
  }

  folded_.assign(sg.operators.size(), false);
  op_inputs_.resize(sg.operators.size());
  op_outputs_.resize(sg.operators.size());
  for (size_t o = 0; o < sg.operators.size(); ++o) {
    for (int32_t in : sg.operators[o].inputs) op_inputs_[o].push_back(in < 0 ? nullptr : &tensors_[static_cast<size_t>(in)]);
    for (int32_t out : sg.operators[o].outputs) op_outputs_[o].push_back(&tensors_[static_cast<size_t>(out)]);
  }
  return {};
}

std::vector<Tensor*> SubgraphExecutor::inputs() {
  std::vector<Tensor*> out;
  for (int32_t i : subgraph_->inputs) out.push_back(&tensors_[static_cast<size_t>(i)]);
  return out;
}

std::vector<Tensor*> SubgraphExecutor::outputs() {
  std::vector<Tensor*> out;
  for (int32_t i : subgraph_->outputs) out.push_back(&tensors_[static_cast<size_t>(i)]);
  return out;
}

Status SubgraphExecutor::resize_input(int i, Shape shape) {
  if (i < 0 || static_cast<size_t>(i) >= subgraph_->inputs.size()) return fail(cat("input ", i, " does not exist"));
  Tensor& t = tensors_[static_cast<size_t>(subgraph_->inputs[static_cast<size_t>(i)])];
  if (t.shape != shape) {
    t.shape = std::move(shape);
    planned_ = false;
  }
  return {};
}

tl::unexpected<Error> SubgraphExecutor::op_error(const Error& error) const {
  if (index_ == 0) return tl::unexpected(error);
  return fail(cat("subgraph ", index_, ": ", error.message));
}

Status SubgraphExecutor::prepare_op(size_t op, bool running) {
  OpContext ctx(subgraph_->operators[op], static_cast<int>(op), op_inputs_[op], op_outputs_[op], running, host_,
                this);
  if (auto s = kernels_[op]->prepare(ctx); !s) return op_error(s.error());
  return {};
}

Status SubgraphExecutor::plan() {
  const size_t n_ops = subgraph_->operators.size();
  for (size_t i = 0; i < tensors_.size(); ++i) {
    // A persistent output an earlier plan made dynamic is persistent again.
    if (tensors_[i].storage == Storage::kDynamic) tensors_[i].storage = base_storage_[i];
  }
  deferred_.assign(n_ops, false);
  for (size_t op = 0; op < n_ops; ++op) {
    const bool dynamic_input = std::any_of(op_inputs_[op].begin(), op_inputs_[op].end(), [](const Tensor* t) {
      return t != nullptr && t->storage == Storage::kDynamic;
    });
    if (dynamic_input) {
      deferred_[op] = true;
      for (Tensor* t : op_outputs_[op]) t->storage = Storage::kDynamic;
      continue;
    }
    if (folded_[op]) continue;
    if (auto s = prepare_op(op, false); !s) return s;
    deferred_[op] = std::any_of(op_outputs_[op].begin(), op_outputs_[op].end(),
                                [](const Tensor* t) { return t->storage == Storage::kDynamic; });
    if (!deferred_[op] && foldable(op)) {
      if (auto s = fold(op); !s) return s;
    }
  }
  if (auto s = allocate_planned(); !s) return s;
  planned_ = true;
  return {};
}

bool SubgraphExecutor::foldable(size_t op) const {
  if (!may_fold(subgraph_->operators[op])) return false;
  bool any = false;
  for (const Tensor* t : op_inputs_[op]) {
    if (t == nullptr) continue;
    if (!t->is_constant()) return false;
    any = true;
  }
  // Outputs of the subgraph stay computed: callers expect to find them there.
  const bool writes_boundary = std::any_of(op_outputs_[op].begin(), op_outputs_[op].end(), [&](const Tensor* t) {
    return base_storage_[static_cast<size_t>(t->index)] != Storage::kArena;
  });
  return any && !writes_boundary;
}

// Runs an op whose inputs are all constant once, while planning, and turns
// its outputs into constants: float16 or int8 weights dequantized by the
// graph itself then reach their consumers' prepare() as constants, so heavy
// kernels can reorder them once.
Status SubgraphExecutor::fold(size_t op) {
  for (Tensor* t : op_outputs_[op]) {
    if (auto s = allocate_dynamic(*t); !s) return op_error(s.error());
  }
  OpContext ctx(subgraph_->operators[op], static_cast<int>(op), op_inputs_[op], op_outputs_[op], true, host_, this);
  if (auto s = kernels_[op]->eval(ctx); !s) return op_error(s.error());
  for (Tensor* t : op_outputs_[op]) {
    t->storage = Storage::kConstant;
    base_storage_[static_cast<size_t>(t->index)] = Storage::kConstant;
  }
  folded_[op] = true;
  return {};
}

Status SubgraphExecutor::allocate_planned() {
  const size_t n_ops = subgraph_->operators.size();
  // Lifetimes of arena tensors: from the op that writes them to the last
  // op that reads them. Read-only inputs that nothing writes start at -1.
  std::vector<Lifetime> lifetimes;
  std::vector<size_t> owners;
  std::vector<int> first(tensors_.size(), INT32_MAX), last(tensors_.size(), -1);
  for (size_t op = 0; op < n_ops; ++op) {
    for (Tensor* t : op_outputs_[op]) first[static_cast<size_t>(t->index)] = std::min(first[static_cast<size_t>(t->index)], static_cast<int>(op));
    for (Tensor* t : op_inputs_[op]) {
      if (t != nullptr) last[static_cast<size_t>(t->index)] = static_cast<int>(op);
    }
  }
  for (size_t i = 0; i < tensors_.size(); ++i) {
    Tensor& t = tensors_[i];
    if (t.storage == Storage::kConstant || t.storage == Storage::kDynamic) continue;
    if (t.storage != Storage::kPersistent && first[i] == INT32_MAX && last[i] < 0) {
      // Neither written nor read: no memory, and its shape may be unknown
      // (lstm_calibrated2.bin declares an unused tensor [-1]).
      t.data = nullptr;
      t.bytes = 0;
      continue;
    }
    auto bytes = byte_size(t);
    if (!bytes) return tl::unexpected(bytes.error());
    t.bytes = *bytes;
    if (t.storage == Storage::kPersistent) {
      own_blocks_[i].resize(*bytes);
      t.data = own_blocks_[i].data();
      continue;
    }
    const int from = first[i] == INT32_MAX ? -1 : first[i];
    // A tensor written but never read still lives through its own op, so
    // the observer sees it intact.
    lifetimes.push_back({from, std::max(last[i], from), *bytes});
    owners.push_back(i);
  }
  const MemoryPlan mem = plan_memory(lifetimes, kTensorAlignment);
  arena_.resize(mem.arena_bytes);
  for (size_t k = 0; k < owners.size(); ++k) {
    tensors_[owners[k]].data = arena_.data() + mem.offsets[k];
  }
  return {};
}

Status SubgraphExecutor::allocate_dynamic(Tensor& t) {
  auto bytes = byte_size(t);
  if (!bytes) return tl::unexpected(bytes.error());
  AlignedBuffer& block = own_blocks_[static_cast<size_t>(t.index)];
  block.resize(*bytes);
  t.data = block.data();
  t.bytes = *bytes;
  return {};
}

Status SubgraphExecutor::run_op(size_t op, Observer* observer) {
  if (folded_[op]) return {};
  if (deferred_[op]) {
    if (auto s = prepare_op(op, true); !s) return s;
    for (Tensor* t : op_outputs_[op]) {
      if (t->storage != Storage::kDynamic) continue;
      bool shape_known = std::none_of(t->shape.begin(), t->shape.end(), [](int32_t d) { return d < 0; });
      if (shape_known) {
        if (auto s = allocate_dynamic(*t); !s) return op_error(s.error());
      }
    }
  }
  OpContext ctx(subgraph_->operators[op], static_cast<int>(op), op_inputs_[op], op_outputs_[op], true, host_, this);
  if (auto s = kernels_[op]->eval(ctx); !s) return op_error(s.error());
  if (observer != nullptr) {
    observer->on_op(OpEvent{index_, static_cast<int>(op), &subgraph_->operators[op], const_view(op_inputs_[op]),
                            const_view(op_outputs_[op])});
  }
  return {};
}

Status SubgraphExecutor::invoke(Observer* observer) {
  if (auto s = ensure_planned(); !s) return s;
  if (observer != nullptr) {
    const std::vector<Tensor*> in = inputs();
    observer->on_inputs(index_, const_view(in));
  }
  for (size_t op = 0; op < subgraph_->operators.size(); ++op) {
    if (auto s = run_op(op, observer); !s) return s;
  }
  return {};
}

}  // namespace qs::runtime
