#include "runtime/interpreter.h"

#include <cstring>
#include <map>
#include <set>

#include "format/op_options.h"
#include "runtime/resource_store.h"
#include "runtime/subgraph_executor.h"

namespace qs::runtime {
namespace {

// Subgraphs an op may run: the bodies of control flow and composites.
std::vector<int32_t> called_subgraphs(const format::Operator& op) {
  if (const auto* o = format::options_as<tfl::WhileOptionsT>(op)) return {o->cond_subgraph_index, o->body_subgraph_index};
  if (const auto* o = format::options_as<tfl::IfOptionsT>(op)) return {o->then_subgraph_index, o->else_subgraph_index};
  if (const auto* o = format::options_as<tfl::CallOnceOptionsT>(op)) return {o->init_subgraph_index};
  if (const auto* o = format::options_as<tfl::StableHLOCompositeOptionsT>(op)) return {o->decomposition_subgraph_index};
  return {};
}

}  // namespace

class Interpreter::Impl final : public ExecutionHost {
 public:
  Impl(std::shared_ptr<const format::Model> model, InterpreterOptions options)
      : model_(std::move(model)), options_(std::move(options)) {}

  Status init() {
    const KernelRegistry& registry = options_.registry != nullptr ? *options_.registry : builtin_kernels();
    entry_ = options_.subgraph;
    if (!options_.signature.empty()) {
      const format::Signature* found = nullptr;
      for (const auto& s : model_->signatures) {
        if (s.key == options_.signature) found = &s;
      }
      if (found == nullptr) return fail(cat("the model has no signature '", options_.signature, "'"));
      signature_ = found;
      entry_ = static_cast<int>(found->subgraph_index);
    }
    if (entry_ < 0 || static_cast<size_t>(entry_) >= model_->subgraphs.size()) {
      return fail(cat("subgraph ", entry_, " does not exist (the model has ", model_->subgraphs.size(), ")"));
    }
    // Every subgraph the entry can reach, so unsupported ops anywhere are
    // reported before the first run.
    std::vector<int32_t> pending{entry_};
    std::set<int32_t> seen;
    while (!pending.empty()) {
      const int32_t index = pending.back();
      pending.pop_back();
      if (!seen.insert(index).second) continue;
      if (index < 0 || static_cast<size_t>(index) >= model_->subgraphs.size()) {
        return fail(cat("an op refers to subgraph ", index, ", which does not exist"));
      }
      auto exec = SubgraphExecutor::create(*model_, index, registry, options_.flavor, this);
      if (!exec) return tl::unexpected(exec.error());
      executors_[index] = std::move(*exec);
      for (const auto& op : model_->subgraphs[static_cast<size_t>(index)].operators) {
        for (int32_t callee : called_subgraphs(op)) pending.push_back(callee);
      }
    }
    entry_inputs_ = executors_[entry_]->inputs();
    entry_outputs_ = executors_[entry_]->outputs();
    if (signature_ != nullptr) {
      // A signature may list its tensors in another order than the subgraph.
      entry_inputs_ = order_by_signature(signature_->inputs, input_names_);
      entry_outputs_ = order_by_signature(signature_->outputs, output_names_);
    } else {
      for (const Tensor* t : entry_inputs_) input_names_.emplace_back(t->name);
      for (const Tensor* t : entry_outputs_) output_names_.emplace_back(t->name);
    }
    return {};
  }

  std::vector<Tensor*> order_by_signature(const std::vector<format::TensorMap>& maps, std::vector<std::string>& names) {
    std::vector<Tensor*> out;
    for (const auto& m : maps) {
      out.push_back(&executors_[entry_]->tensor(static_cast<int32_t>(m.tensor_index)));
      names.push_back(m.name);
    }
    return out;
  }

  // ExecutionHost
  Result<std::vector<const Tensor*>> run_subgraph(int index, std::span<const Tensor* const> inputs) override {
    auto it = executors_.find(index);
    if (it == executors_.end()) return fail(cat("subgraph ", index, " was not planned"));
    SubgraphExecutor& exec = *it->second;
    std::vector<Tensor*> targets = exec.inputs();
    if (targets.size() != inputs.size()) {
      return fail(cat("subgraph ", index, " takes ", targets.size(), " inputs, given ", inputs.size()));
    }
    for (size_t i = 0; i < inputs.size(); ++i) {
      if (auto s = exec.resize_input(static_cast<int>(i), inputs[i]->shape); !s) return tl::unexpected(s.error());
    }
    if (++depth_ > kMaxDepth) {
      --depth_;
      return fail(cat("subgraph ", index, ": calls nested deeper than ", kMaxDepth));
    }
    // Plan first: it sizes the inputs we copy into.
    Status s = exec.ensure_planned();
    if (s) {
      for (size_t i = 0; i < inputs.size(); ++i) {
        if (targets[i]->data != inputs[i]->data && inputs[i]->bytes > 0) {
          std::memmove(targets[i]->data, inputs[i]->data, std::min(inputs[i]->bytes, targets[i]->bytes));
        }
      }
      s = exec.invoke(observer_);
    }
    --depth_;
    if (!s) return tl::unexpected(s.error());
    std::vector<const Tensor*> out;
    for (Tensor* t : exec.outputs()) out.push_back(t);
    return out;
  }
  ResourceStore& resources() override { return resources_; }
  const format::Model& model() const override { return *model_; }

  static constexpr int kMaxDepth = 64;
  std::shared_ptr<const format::Model> model_;
  InterpreterOptions options_;
  int entry_ = 0;
  const format::Signature* signature_ = nullptr;
  std::map<int, std::unique_ptr<SubgraphExecutor>> executors_;
  std::vector<Tensor*> entry_inputs_;
  std::vector<Tensor*> entry_outputs_;
  std::vector<std::string> input_names_;
  std::vector<std::string> output_names_;
  ResourceStore resources_;
  Observer* observer_ = nullptr;
  int depth_ = 0;
};

Result<std::unique_ptr<Interpreter>> Interpreter::create(std::shared_ptr<const format::Model> model,
                                                         InterpreterOptions options) {
  if (!model) return fail("no model");
  auto impl = std::make_unique<Impl>(std::move(model), std::move(options));
  if (auto s = impl->init(); !s) return tl::unexpected(s.error());
  return std::unique_ptr<Interpreter>(new Interpreter(std::move(impl)));
}

Interpreter::Interpreter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Interpreter::~Interpreter() = default;

int Interpreter::subgraph_index() const { return impl_->entry_; }
int Interpreter::input_count() const { return static_cast<int>(impl_->entry_inputs_.size()); }
int Interpreter::output_count() const { return static_cast<int>(impl_->entry_outputs_.size()); }
const Tensor& Interpreter::input(int i) const { return *impl_->entry_inputs_.at(static_cast<size_t>(i)); }
const Tensor& Interpreter::output(int i) const { return *impl_->entry_outputs_.at(static_cast<size_t>(i)); }
std::string_view Interpreter::input_name(int i) const { return impl_->input_names_.at(static_cast<size_t>(i)); }
std::string_view Interpreter::output_name(int i) const { return impl_->output_names_.at(static_cast<size_t>(i)); }
const format::Model& Interpreter::model() const { return *impl_->model_; }

Status Interpreter::resize_input(int i, Shape shape) {
  if (i < 0 || i >= input_count()) return fail(cat("input ", i, " does not exist (the model has ", input_count(), ")"));
  Tensor& t = *impl_->entry_inputs_[static_cast<size_t>(i)];
  const format::Tensor& decl = impl_->executors_[impl_->entry_]->subgraph().tensors[static_cast<size_t>(t.index)];
  const std::string name(input_name(i));
  if (shape.size() != decl.shape.size()) {
    return fail(cat("input '", name, "' has rank ", decl.shape.size(), ", cannot take shape ", format::shape_string(shape)));
  }
  for (size_t d = 0; d < shape.size(); ++d) {
    if (shape[d] < 0) return fail(cat("input '", name, "': negative dimension in ", format::shape_string(shape)));
    const bool flexible = decl.shape_signature.empty() || decl.shape_signature[d] < 0;
    if (!flexible && shape[d] != decl.shape[d]) {
      return fail(cat("input '", name, "' has fixed shape ", format::shape_string(decl.shape_signature),
                      ", cannot take ", format::shape_string(shape)));
    }
  }
  // Find which subgraph input this tensor is.
  const auto& sg_inputs = impl_->executors_[impl_->entry_]->subgraph().inputs;
  for (size_t k = 0; k < sg_inputs.size(); ++k) {
    if (sg_inputs[k] == t.index) return impl_->executors_[impl_->entry_]->resize_input(static_cast<int>(k), std::move(shape));
  }
  return fail(cat("input '", name, "' is not an input of subgraph ", impl_->entry_));
}

std::span<std::byte> Interpreter::input_data(int i) {
  SubgraphExecutor& exec = *impl_->executors_[impl_->entry_];
  if (auto s = exec.ensure_planned(); !s) return {};
  Tensor& t = *impl_->entry_inputs_.at(static_cast<size_t>(i));
  return {t.data, t.bytes};
}

Status Interpreter::set_input(int i, std::span<const std::byte> bytes) {
  if (i < 0 || i >= input_count()) return fail(cat("input ", i, " does not exist (the model has ", input_count(), ")"));
  SubgraphExecutor& exec = *impl_->executors_[impl_->entry_];
  if (auto s = exec.ensure_planned(); !s) return s;
  Tensor& t = *impl_->entry_inputs_[static_cast<size_t>(i)];
  if (bytes.size() != t.bytes) {
    return fail(cat("input '", input_name(i), "' (", format::type_name(t.type), format::shape_string(t.shape),
                    ") needs ", t.bytes, " bytes, given ", bytes.size()));
  }
  if (!bytes.empty()) std::memcpy(t.data, bytes.data(), bytes.size());  // an empty tensor may have no memory
  return {};
}

Status Interpreter::invoke(Observer* observer) {
  impl_->observer_ = observer;
  Status s = impl_->executors_[impl_->entry_]->invoke(observer);
  impl_->observer_ = nullptr;
  return s;
}

}  // namespace qs::runtime
