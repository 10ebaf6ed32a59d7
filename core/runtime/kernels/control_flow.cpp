// Control flow and state: WHILE, IF, CALL_ONCE, STABLEHLO_COMPOSITE run
// other subgraphs through the interpreter (ExecutionHost); VAR_HANDLE,
// READ_VARIABLE and ASSIGN_VARIABLE use its resource store. Their output
// shapes are known only once the called subgraph has run, so outputs are
// dynamic.

#include <cstring>

#include "runtime/kernels/kernel_util.h"
#include "runtime/kernels/kernels.h"
#include "runtime/resource_store.h"

namespace qs::runtime::kernels {
namespace {

std::vector<const Tensor*> all_inputs(const OpContext& ctx, int from) {
  std::vector<const Tensor*> out;
  for (int i = from; i < ctx.input_count(); ++i) out.push_back(ctx.input(i));
  return out;
}

Status mark_all_outputs_dynamic(OpContext& ctx) {
  for (int i = 0; i < ctx.output_count(); ++i) ctx.mark_output_dynamic(i);
  return {};
}

// Copies the called subgraph's results into the op's outputs.
Status take_results(OpContext& ctx, const std::vector<const Tensor*>& results) {
  if (static_cast<int>(results.size()) != ctx.output_count()) {
    return ctx.error(cat("the called subgraph returns ", results.size(), " tensors, the op has ",
                         ctx.output_count(), " outputs"));
  }
  for (int i = 0; i < ctx.output_count(); ++i) {
    const Tensor& from = *results[static_cast<size_t>(i)];
    Tensor& to = ctx.output(i);
    if (from.type != to.type) {
      return ctx.error(cat("output ", i, " '", to.name, "' is ", format::type_name(to.type),
                           " but the subgraph returns ", format::type_name(from.type)));
    }
    ctx.set_output_shape(i, from.shape);
    if (auto s = ctx.allocate_output(i); !s) return s;
    if (from.bytes > 0) std::memcpy(to.data, from.data, from.bytes);
  }
  return {};
}

Result<bool> read_condition(const OpContext& ctx, const Tensor& t) {
  if (t.elements() != 1) return ctx.error(cat("condition tensor '", t.name, "' must hold one value"));
  switch (t.type) {
    case TensorType::BOOL: return *reinterpret_cast<const uint8_t*>(t.data) != 0;
    case TensorType::INT32: return t.values<int32_t>()[0] != 0;
    case TensorType::FLOAT32: return t.values<float>()[0] != 0.0f;
    default: return ctx.error(cat("condition tensor '", t.name, "' has unsupported type ", format::type_name(t.type)));
  }
}

class WhileKernel final : public Kernel {
 public:
  Status prepare(OpContext& ctx) override {
    const auto* o = format::options_as<tfl::WhileOptionsT>(ctx.op());
    if (o == nullptr) return ctx.error("missing WhileOptions");
    if (ctx.input_count() != ctx.output_count()) return ctx.error("needs as many outputs as inputs");
    return mark_all_outputs_dynamic(ctx);
  }
  Status eval(OpContext& ctx) override {
    const auto& o = *format::options_as<tfl::WhileOptionsT>(ctx.op());
    std::vector<const Tensor*> state = all_inputs(ctx, 0);
    for (int64_t iteration = 0;; ++iteration) {
      auto cond = ctx.host().run_subgraph(o.cond_subgraph_index, state);
      if (!cond) return tl::unexpected(cond.error());
      if (cond->size() != 1) return ctx.error("the condition subgraph must return one tensor");
      auto go_on = read_condition(ctx, *cond->front());
      if (!go_on) return tl::unexpected(go_on.error());
      if (!*go_on) break;
      auto next = ctx.host().run_subgraph(o.body_subgraph_index, state);
      if (!next) return tl::unexpected(next.error());
      state = std::move(*next);
    }
    return take_results(ctx, state);
  }
};

class IfKernel final : public Kernel {
 public:
  Status prepare(OpContext& ctx) override {
    if (format::options_as<tfl::IfOptionsT>(ctx.op()) == nullptr) return ctx.error("missing IfOptions");
    if (ctx.input(0) == nullptr) return ctx.error("missing the condition input");
    return mark_all_outputs_dynamic(ctx);
  }
  Status eval(OpContext& ctx) override {
    const auto& o = *format::options_as<tfl::IfOptionsT>(ctx.op());
    auto which = read_condition(ctx, *ctx.input(0));
    if (!which) return tl::unexpected(which.error());
    auto results = ctx.host().run_subgraph(*which ? o.then_subgraph_index : o.else_subgraph_index, all_inputs(ctx, 1));
    if (!results) return tl::unexpected(results.error());
    return take_results(ctx, *results);
  }
};

// Runs its initialisation subgraph on the first invoke only.
class CallOnceKernel final : public Kernel {
 public:
  Status prepare(OpContext& ctx) override {
    if (format::options_as<tfl::CallOnceOptionsT>(ctx.op()) == nullptr) return ctx.error("missing CallOnceOptions");
    return {};
  }
  Status eval(OpContext& ctx) override {
    if (done_) return {};
    const auto& o = *format::options_as<tfl::CallOnceOptionsT>(ctx.op());
    auto results = ctx.host().run_subgraph(o.init_subgraph_index, {});
    if (!results) return tl::unexpected(results.error());
    done_ = true;
    return {};
  }

 private:
  bool done_ = false;
};

class CompositeKernel final : public Kernel {
 public:
  Status prepare(OpContext& ctx) override {
    if (format::options_as<tfl::StableHLOCompositeOptionsT>(ctx.op()) == nullptr) {
      return ctx.error("missing StableHLOCompositeOptions");
    }
    return mark_all_outputs_dynamic(ctx);
  }
  Status eval(OpContext& ctx) override {
    const auto& o = *format::options_as<tfl::StableHLOCompositeOptionsT>(ctx.op());
    auto results = ctx.host().run_subgraph(o.decomposition_subgraph_index, all_inputs(ctx, 0));
    if (!results) return tl::unexpected(results.error());
    return take_results(ctx, *results);
  }
};

Result<ResourceVariable*> variable_of(const OpContext& ctx, const Tensor& handle) {
  if (handle.type != TensorType::RESOURCE && handle.type != TensorType::INT32) {
    return ctx.error(cat("tensor '", handle.name, "' is not a resource handle"));
  }
  ResourceVariable* var = ctx.host().resources().find(handle.values<int32_t>()[0]);
  if (var == nullptr) return ctx.error(cat("tensor '", handle.name, "' holds an unknown resource handle"));
  return var;
}

Status prepare_var_handle(OpContext& ctx) {
  ctx.set_output_shape(0, {});
  return {};
}

Status eval_var_handle(OpContext& ctx) {
  const auto& o = options_or_default<tfl::VarHandleOptionsT>(ctx);
  ctx.output(0).mutable_values<int32_t>()[0] = ctx.host().resources().handle_for(o.container, o.shared_name);
  return {};
}

Status prepare_read_variable(OpContext& ctx) {
  ctx.mark_output_dynamic(0);
  return {};
}

Status eval_read_variable(OpContext& ctx) {
  auto var = variable_of(ctx, *ctx.input(0));
  if (!var) return tl::unexpected(var.error());
  if (!(*var)->assigned) return ctx.error(cat("variable '", ctx.input(0)->name, "' is read before any assignment"));
  if ((*var)->type != ctx.output(0).type) {
    return ctx.error(cat("variable holds ", format::type_name((*var)->type), ", output is ",
                         format::type_name(ctx.output(0).type)));
  }
  ctx.set_output_shape(0, (*var)->shape);
  if (auto s = ctx.allocate_output(0); !s) return s;
  std::memcpy(ctx.output(0).data, (*var)->data.data(), (*var)->data.size());
  return {};
}

Status prepare_assign_variable(OpContext& ctx) {
  if (ctx.input(0) == nullptr || ctx.input(1) == nullptr) return ctx.error("needs a handle and a value");
  return {};
}

Status eval_assign_variable(OpContext& ctx) {
  auto var = variable_of(ctx, *ctx.input(0));
  if (!var) return tl::unexpected(var.error());
  const Tensor& value = *ctx.input(1);
  (*var)->type = value.type;
  (*var)->shape = value.shape;
  (*var)->data.assign(value.data, value.data + value.bytes);
  (*var)->assigned = true;
  return {};
}

template <class K>
KernelFactory factory_of() {
  return [] { return std::make_unique<K>(); };
}

}  // namespace

void register_control_flow(KernelRegistry& registry) {
  using format::BuiltinOp;
  for (Domain domain : {Domain::kPlain, Domain::kQuantized}) {
    registry.add(BuiltinOp::WHILE, domain, factory_of<WhileKernel>());
    registry.add(BuiltinOp::IF, domain, factory_of<IfKernel>());
    registry.add(BuiltinOp::CALL_ONCE, domain, factory_of<CallOnceKernel>());
    registry.add(BuiltinOp::STABLEHLO_COMPOSITE, domain, factory_of<CompositeKernel>());
    registry.add(BuiltinOp::VAR_HANDLE, domain, make_kernel(prepare_var_handle, eval_var_handle));
    registry.add(BuiltinOp::READ_VARIABLE, domain, make_kernel(prepare_read_variable, eval_read_variable));
    registry.add(BuiltinOp::ASSIGN_VARIABLE, domain, make_kernel(prepare_assign_variable, eval_assign_variable));
  }
}

}  // namespace qs::runtime::kernels
