#include "format/validate.h"

#include <algorithm>
#include <limits>
#include <string>
#include <vector>

#include "format/tensor_type.h"
#include "qs/tfl/tflite_generated.h"

namespace qs::format {

int32_t resolved_builtin_code(int8_t deprecated_code, int32_t builtin_code) {
  return std::max<int32_t>(deprecated_code, builtin_code);
}

namespace {

template <class T>
size_t count(const flatbuffers::Vector<T>* v) {
  return v == nullptr ? 0 : v->size();
}

// Names come from the file; a control character in one would break the
// one-line message contract, so it is shown as '?'.
std::string printable(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  }
  return out;
}

std::string quoted(const flatbuffers::String* s) {
  return s == nullptr ? std::string("''") : "'" + printable(s->string_view()) + "'";
}

struct SubgraphContext {
  size_t index;
  const tfl::SubGraph* graph;
  size_t tensor_count;

  std::string where() const { return cat("subgraph ", index); }
  std::string tensor(size_t t) const {
    const auto* tensors = graph->tensors();
    const auto* name = t < tensor_count ? tensors->Get(static_cast<flatbuffers::uoffset_t>(t))->name() : nullptr;
    return cat(where(), " tensor ", quoted(name), " (#", t, ")");
  }
  std::string op(size_t o, const std::string& op_name_str) const {
    return cat(where(), " operator #", o, " (", op_name_str, ")");
  }
};

class Validator {
 public:
  Validator(const tfl::Model& model, std::span<const uint8_t> file) : model_(model), file_(file) {}

  Status run() {
    if (auto s = check_buffers(); !s) return s;
    if (auto s = check_operator_codes(); !s) return s;
    const size_t n_subgraphs = count(model_.subgraphs());
    if (n_subgraphs == 0) return fail("the model has no subgraphs");
    for (size_t i = 0; i < n_subgraphs; ++i) {
      const auto* sg = model_.subgraphs()->Get(static_cast<flatbuffers::uoffset_t>(i));
      if (sg == nullptr) return fail(cat("subgraph ", i, " is missing"));
      SubgraphContext ctx{i, sg, count(sg->tensors())};
      if (auto s = check_tensors(ctx); !s) return s;
      if (auto s = check_io(ctx); !s) return s;
      if (auto s = check_operators(ctx); !s) return s;
      if (auto s = check_acyclic(ctx); !s) return s;
    }
    if (auto s = check_signatures(); !s) return s;
    return check_metadata();
  }

 private:
  // Data of buffer `index` wherever it is stored; the buffer checks ran first.
  std::span<const uint8_t> buffer_bytes(uint32_t index) const {
    const auto* b = model_.buffers()->Get(index);
    if (b->offset() > 1) {
      return file_.subspan(static_cast<size_t>(b->offset()), static_cast<size_t>(b->size()));
    }
    if (b->data() == nullptr) return {};
    return {b->data()->data(), b->data()->size()};
  }

  Status check_buffers() {
    const size_t n = count(model_.buffers());
    for (size_t i = 0; i < n; ++i) {
      const auto* b = model_.buffers()->Get(static_cast<flatbuffers::uoffset_t>(i));
      if (b == nullptr) return fail(cat("buffer #", i, " is missing"));
      if (b->offset() > 1) {
        const uint64_t off = b->offset();
        const uint64_t size = b->size();
        if (off > file_.size() || size > file_.size() - off) {
          return fail(cat("buffer #", i, ": data at offset ", off, " with size ", size,
                          " lies beyond the end of the file (", file_.size(), " bytes)"));
        }
        if (b->data() != nullptr && b->data()->size() != 0) {
          return fail(cat("buffer #", i, " has both inline data and an external offset"));
        }
      }
    }
    return {};
  }

  Status check_operator_codes() {
    const size_t n = count(model_.operator_codes());
    for (size_t i = 0; i < n; ++i) {
      const auto* c = model_.operator_codes()->Get(static_cast<flatbuffers::uoffset_t>(i));
      if (c == nullptr) return fail(cat("operator code #", i, " is missing"));
      const int32_t code =
          resolved_builtin_code(c->deprecated_builtin_code(), static_cast<int32_t>(c->builtin_code()));
      if (code < 0) return fail(cat("operator code #", i, " has negative builtin code ", code));
      if (static_cast<BuiltinOp>(code) == BuiltinOp::CUSTOM && (c->custom_code() == nullptr || c->custom_code()->size() == 0)) {
        return fail(cat("operator code #", i, " is CUSTOM but has no custom code name"));
      }
    }
    return {};
  }

  Status check_tensor_index(const SubgraphContext& ctx, int32_t t, bool optional_allowed,
                            const std::string& what) const {
    if (t == -1 && optional_allowed) return {};
    if (t < 0 || static_cast<size_t>(t) >= ctx.tensor_count) {
      return fail(cat(what, " refers to tensor ", t, ", but ", ctx.where(), " has ", ctx.tensor_count,
                      " tensors"));
    }
    return {};
  }

  Status check_tensors(const SubgraphContext& ctx) {
    const size_t n_buffers = count(model_.buffers());
    const size_t n_external = count(model_.external_buffers());
    for (size_t t = 0; t < ctx.tensor_count; ++t) {
      const auto* tensor = ctx.graph->tensors()->Get(static_cast<flatbuffers::uoffset_t>(t));
      if (tensor == nullptr) return fail(cat(ctx.where(), " tensor #", t, " is missing"));
      const std::string label = ctx.tensor(t);
      if (tensor->buffer() != 0 && tensor->buffer() >= n_buffers) {
        return fail(cat(label, " refers to buffer ", tensor->buffer(), ", but the model has ", n_buffers,
                        " buffers"));
      }
      if (tensor->external_buffer() != 0 && tensor->external_buffer() > n_external) {
        return fail(cat(label, " refers to external buffer ", tensor->external_buffer(),
                        ", but the model has ", n_external));
      }
      const std::vector<int32_t> shape =
          tensor->shape() ? std::vector<int32_t>(tensor->shape()->begin(), tensor->shape()->end())
                          : std::vector<int32_t>{};
      if (auto s = check_quantization(label, tensor, shape); !s) return s;
      if (auto s = check_sparsity(label, tensor->sparsity()); !s) return s;
      if (tensor->buffer() == 0 || tensor->buffer() >= n_buffers) continue;
      const auto data = buffer_bytes(tensor->buffer());
      if (data.empty() || tensor->sparsity() != nullptr) continue;
      if (auto s = check_constant_size(label, tensor->type(), shape, data); !s) return s;
    }
    return {};
  }

  static Status check_constant_size(const std::string& label, TensorType type,
                                    const std::vector<int32_t>& shape, std::span<const uint8_t> data) {
    const auto elements = element_count(shape);
    if (!elements) {
      return fail(cat(label, " holds constant data but its shape ", shape_string(shape),
                      " is not concrete"));
    }
    if (type == TensorType::STRING) return check_string_data(label, *elements, data);
    const auto needed = dense_byte_size(type, *elements);
    if (!needed) return {};  // RESOURCE / VARIANT payloads are opaque
    if (data.size() != *needed) {
      return fail(cat(label, ": buffer holds ", data.size(), " bytes, shape ", shape_string(shape), " ",
                      type_name(type), " needs ", *needed));
    }
    return {};
  }

  // TFLite strings: int32 count N, N+1 int32 offsets from the buffer start,
  // then the characters; offsets must not decrease nor pass the end.
  static Status check_string_data(const std::string& label, uint64_t elements,
                                  std::span<const uint8_t> data) {
    auto read_i32 = [&](size_t at) {
      int32_t v;
      std::copy_n(data.data() + at, sizeof v, reinterpret_cast<uint8_t*>(&v));
      return v;
    };
    if (data.size() < 4) return fail(cat(label, ": string buffer of ", data.size(), " bytes has no count"));
    const int32_t n = read_i32(0);
    if (n < 0 || static_cast<uint64_t>(n) != elements) {
      return fail(cat(label, ": string buffer holds ", n, " strings, shape needs ", elements));
    }
    const uint64_t header = (static_cast<uint64_t>(n) + 2) * 4;
    if (header > data.size()) return fail(cat(label, ": string buffer is shorter than its offset table"));
    int64_t previous = static_cast<int64_t>(header);
    for (int32_t i = 0; i <= n; ++i) {
      const int32_t off = read_i32(4 + static_cast<size_t>(i) * 4);
      if (off < previous || static_cast<uint64_t>(off) > data.size()) {
        return fail(cat(label, ": string offset ", i, " (", off, ") is out of order or past the end"));
      }
      previous = off;
    }
    return {};
  }

  static Status check_quantization(const std::string& label, const tfl::Tensor* tensor,
                                   const std::vector<int32_t>& shape) {
    const auto* q = tensor->quantization();
    if (q == nullptr) return {};
    const size_t n_scale = count(q->scale());
    const size_t n_zp = count(q->zero_point());
    if (n_zp != 0 && n_zp != n_scale) {
      return fail(cat(label, ": quantization has ", n_scale, " scales but ", n_zp, " zero points"));
    }
    if (n_scale > 1) {
      const int32_t dim = q->quantized_dimension();
      if (dim < 0) return fail(cat(label, ": negative quantized_dimension ", dim));
      // Ranks below the dimension occur in real files (tflite-micro accepts
      // rank-1 biases with quantized_dimension 3), so only a present
      // dimension is held to the scale count.
      if (static_cast<size_t>(dim) < shape.size() && shape[static_cast<size_t>(dim)] >= 0 &&
          static_cast<size_t>(shape[static_cast<size_t>(dim)]) != n_scale) {
        return fail(cat(label, ": ", n_scale, " per-channel scales along dimension ", dim, ", but shape ",
                        shape_string(shape), " has ", shape[static_cast<size_t>(dim)], " there"));
      }
    }
    if (q->details_type() > tfl::QuantizationDetails::MAX) {
      return fail(cat(label, ": unknown quantization details kind ", static_cast<int>(q->details_type())));
    }
    if (q->details_type() != tfl::QuantizationDetails::NONE && q->details() == nullptr) {
      return fail(cat(label, ": quantization names a details kind but carries no details"));
    }
    return {};
  }

  // Each traversed dimension is dense (a size) or CSR (segments + indices,
  // each one of three integer vector kinds); a kind without its vector is
  // not a sparse tensor anyone can read.
  static Status check_sparsity(const std::string& label, const tfl::SparsityParameters* sp) {
    if (sp == nullptr || sp->dim_metadata() == nullptr) return {};
    for (size_t d = 0; d < sp->dim_metadata()->size(); ++d) {
      const auto* dm = sp->dim_metadata()->Get(static_cast<flatbuffers::uoffset_t>(d));
      if (dm == nullptr) return fail(cat(label, ": sparsity dimension ", d, " is missing"));
      if (dm->array_segments_type() > tfl::SparseIndexVector::MAX ||
          dm->array_indices_type() > tfl::SparseIndexVector::MAX) {
        return fail(cat(label, ": sparsity dimension ", d, " has an unknown index vector kind"));
      }
      const bool segments_ok =
          dm->array_segments_type() == tfl::SparseIndexVector::NONE || dm->array_segments() != nullptr;
      const bool indices_ok =
          dm->array_indices_type() == tfl::SparseIndexVector::NONE || dm->array_indices() != nullptr;
      if (!segments_ok || !indices_ok) {
        return fail(cat(label, ": sparsity dimension ", d, " names an index vector kind but has no vector"));
      }
    }
    return {};
  }

  Status check_io(const SubgraphContext& ctx) const {
    for (const auto& [list, what] : {std::pair{ctx.graph->inputs(), "input"}, std::pair{ctx.graph->outputs(), "output"}}) {
      for (size_t i = 0; i < count(list); ++i) {
        if (auto s = check_tensor_index(ctx, list->Get(static_cast<flatbuffers::uoffset_t>(i)), false,
                                        cat(ctx.where(), " ", what, " ", i));
            !s) {
          return s;
        }
      }
    }
    return {};
  }

  std::string op_label(const SubgraphContext& ctx, size_t o, const tfl::Operator* op) const {
    std::string name = "?";
    if (op != nullptr && op->opcode_index() < count(model_.operator_codes())) {
      const auto* c = model_.operator_codes()->Get(op->opcode_index());
      const int32_t code = resolved_builtin_code(c->deprecated_builtin_code(), static_cast<int32_t>(c->builtin_code()));
      name = static_cast<BuiltinOp>(code) == BuiltinOp::CUSTOM && c->custom_code()
                 ? "CUSTOM " + printable(c->custom_code()->string_view())
                 : op_name(static_cast<BuiltinOp>(code));
    }
    return ctx.op(o, name);
  }

  Status check_subgraph_ref(const std::string& label, const char* field, int64_t index) const {
    const size_t n = count(model_.subgraphs());
    if (index < 0 || static_cast<uint64_t>(index) >= n) {
      return fail(cat(label, ": ", field, " refers to subgraph ", index, ", but the model has ", n));
    }
    return {};
  }

  Status check_option_refs(const std::string& label, const tfl::Operator* op) const {
    if (const auto* o = op->builtin_options_as_IfOptions()) {
      if (auto s = check_subgraph_ref(label, "then_subgraph_index", o->then_subgraph_index()); !s) return s;
      return check_subgraph_ref(label, "else_subgraph_index", o->else_subgraph_index());
    }
    if (const auto* o = op->builtin_options_as_WhileOptions()) {
      if (auto s = check_subgraph_ref(label, "cond_subgraph_index", o->cond_subgraph_index()); !s) return s;
      return check_subgraph_ref(label, "body_subgraph_index", o->body_subgraph_index());
    }
    if (const auto* o = op->builtin_options_as_CallOnceOptions()) {
      return check_subgraph_ref(label, "init_subgraph_index", o->init_subgraph_index());
    }
    if (const auto* o = op->builtin_options_as_CallOptions()) {
      return check_subgraph_ref(label, "subgraph", o->subgraph());
    }
    if (const auto* o = op->builtin_options_2_as_StableHLOCompositeOptions()) {
      return check_subgraph_ref(label, "decomposition_subgraph_index", o->decomposition_subgraph_index());
    }
    if (const auto* o = op->builtin_options_2_as_StablehloWhileOptions()) {
      if (auto s = check_subgraph_ref(label, "cond_subgraph_index", o->cond_subgraph_index()); !s) return s;
      return check_subgraph_ref(label, "body_subgraph_index", o->body_subgraph_index());
    }
    if (const auto* o = op->builtin_options_2_as_StablehloReduceOptions()) {
      return check_subgraph_ref(label, "body_subgraph_index", o->body_subgraph_index());
    }
    if (const auto* o = op->builtin_options_2_as_StablehloReduceWindowOptions()) {
      return check_subgraph_ref(label, "body_subgraph_index", o->body_subgraph_index());
    }
    if (const auto* o = op->builtin_options_2_as_StablehloSortOptions()) {
      return check_subgraph_ref(label, "comparator_subgraph_index", o->comparator_subgraph_index());
    }
    if (const auto* o = op->builtin_options_2_as_StablehloScatterOptions()) {
      return check_subgraph_ref(label, "update_computation_subgraph_index",
                                o->update_computation_subgraph_index());
    }
    if (const auto* o = op->builtin_options_2_as_StablehloCaseOptions(); o && o->branch_subgraph_indices()) {
      for (const int32_t b : *o->branch_subgraph_indices()) {
        if (auto s = check_subgraph_ref(label, "branch_subgraph_indices", b); !s) return s;
      }
    }
    return {};
  }

  // The FlatBuffers 2.x verifier aligns a vector's length prefix to 4 bytes
  // but not its elements (google/flatbuffers#8397); 8-byte elements read
  // through the generated object API must be aligned, so check the options
  // that carry them (all in StableHLO ops).
  static Status check_wide_vectors(const std::string& label, const tfl::Operator* op) {
    const char* bad = nullptr;
    auto check = [&](const char* field, const flatbuffers::Vector<int64_t>* v) {
      if (bad == nullptr && v != nullptr && reinterpret_cast<uintptr_t>(v->Data()) % alignof(int64_t) != 0) bad = field;
    };
    if (const auto* o = op->builtin_options_2_as_StablehloGatherOptions()) {
      check("offset_dims", o->offset_dims());
      check("collapsed_slice_dims", o->collapsed_slice_dims());
      check("start_index_map", o->start_index_map());
      check("slice_sizes", o->slice_sizes());
    } else if (const auto* o2 = op->builtin_options_2_as_StablehloTransposeOptions()) {
      check("permutation", o2->permutation());
    } else if (const auto* o3 = op->builtin_options_2_as_StablehloDotGeneralOptions()) {
      check("lhs_batching_dimensions", o3->lhs_batching_dimensions());
      check("rhs_batching_dimensions", o3->rhs_batching_dimensions());
      check("lhs_contracting_dimensions", o3->lhs_contracting_dimensions());
      check("rhs_contracting_dimensions", o3->rhs_contracting_dimensions());
    } else if (const auto* o4 = op->builtin_options_2_as_StablehloReduceWindowOptions()) {
      check("window_dimensions", o4->window_dimensions());
      check("window_strides", o4->window_strides());
      check("base_dilations", o4->base_dilations());
      check("window_dilations", o4->window_dilations());
      check("padding", o4->padding());
    } else if (const auto* o5 = op->builtin_options_2_as_StablehloBroadcastInDimOptions()) {
      check("broadcast_dimensions", o5->broadcast_dimensions());
    } else if (const auto* o6 = op->builtin_options_2_as_StablehloDynamicSliceOptions()) {
      check("slice_sizes", o6->slice_sizes());
    } else if (const auto* o7 = op->builtin_options_2_as_StablehloPadOptions()) {
      check("edge_padding_low", o7->edge_padding_low());
      check("edge_padding_high", o7->edge_padding_high());
      check("interior_padding", o7->interior_padding());
    } else if (const auto* o8 = op->builtin_options_2_as_StablehloReduceOptions()) {
      check("dimensions", o8->dimensions());
    } else if (const auto* o9 = op->builtin_options_2_as_StablehloSliceOptions()) {
      check("start_indices", o9->start_indices());
      check("limit_indices", o9->limit_indices());
      check("strides", o9->strides());
    } else if (const auto* c = op->builtin_options_2_as_StablehloConvolutionOptions()) {
      check("window_strides", c->window_strides());
      check("padding", c->padding());
      check("lhs_dilation", c->lhs_dilation());
      check("rhs_dilation", c->rhs_dilation());
      check("input_spatial_dimensions", c->input_spatial_dimensions());
      check("kernel_spatial_dimensions", c->kernel_spatial_dimensions());
      check("output_spatial_dimensions", c->output_spatial_dimensions());
    } else if (const auto* sc = op->builtin_options_2_as_StablehloScatterOptions()) {
      check("update_window_dims", sc->update_window_dims());
      check("inserted_window_dims", sc->inserted_window_dims());
      check("scatter_dims_to_operand_dims", sc->scatter_dims_to_operand_dims());
    }
    if (bad != nullptr) return fail(cat(label, ": options field ", bad, " is misaligned (corrupt file)"));
    return {};
  }

  Status check_operators(const SubgraphContext& ctx) const {
    const size_t n_ops = count(ctx.graph->operators());
    const size_t n_codes = count(model_.operator_codes());
    for (size_t o = 0; o < n_ops; ++o) {
      const auto* op = ctx.graph->operators()->Get(static_cast<flatbuffers::uoffset_t>(o));
      if (op == nullptr) return fail(cat(ctx.where(), " operator #", o, " is missing"));
      if (op->opcode_index() >= n_codes) {
        return fail(cat(ctx.where(), " operator #", o, " uses operator code ", op->opcode_index(),
                        ", but the model has ", n_codes));
      }
      const std::string label = op_label(ctx, o, op);
      for (size_t i = 0; i < count(op->inputs()); ++i) {
        if (auto s = check_tensor_index(ctx, op->inputs()->Get(static_cast<flatbuffers::uoffset_t>(i)), true,
                                        cat(label, " input ", i));
            !s) {
          return s;
        }
      }
      for (size_t i = 0; i < count(op->outputs()); ++i) {
        if (auto s = check_tensor_index(ctx, op->outputs()->Get(static_cast<flatbuffers::uoffset_t>(i)), true,
                                        cat(label, " output ", i));
            !s) {
          return s;
        }
      }
      for (size_t i = 0; i < count(op->intermediates()); ++i) {
        if (auto s = check_tensor_index(ctx, op->intermediates()->Get(static_cast<flatbuffers::uoffset_t>(i)),
                                        true, cat(label, " intermediate ", i));
            !s) {
          return s;
        }
      }
      const uint64_t off = op->large_custom_options_offset();
      const uint64_t size = op->large_custom_options_size();
      if (off > 1 && (off > file_.size() || size > file_.size() - off)) {
        return fail(cat(label, ": custom options at offset ", off, " with size ", size,
                        " lie beyond the end of the file (", file_.size(), " bytes)"));
      }
      if (auto s = check_option_refs(label, op); !s) return s;
      if (auto s = check_wide_vectors(label, op); !s) return s;
    }
    return {};
  }

  // Kahn's algorithm over producer -> consumer edges. The operator list is
  // meant to be in execution order, but a dependency cycle can't be run in
  // any order, so that is what we reject.
  Status check_acyclic(const SubgraphContext& ctx) const {
    const size_t n_ops = count(ctx.graph->operators());
    if (n_ops == 0) return {};
    std::vector<std::vector<uint32_t>> producers(ctx.tensor_count);
    for (size_t o = 0; o < n_ops; ++o) {
      const auto* outs = ctx.graph->operators()->Get(static_cast<flatbuffers::uoffset_t>(o))->outputs();
      for (size_t i = 0; i < count(outs); ++i) {
        const int32_t t = outs->Get(static_cast<flatbuffers::uoffset_t>(i));
        if (t >= 0) producers[static_cast<size_t>(t)].push_back(static_cast<uint32_t>(o));
      }
    }
    std::vector<std::vector<uint32_t>> consumers(n_ops);
    std::vector<uint32_t> pending(n_ops, 0);
    for (size_t o = 0; o < n_ops; ++o) {
      const auto* ins = ctx.graph->operators()->Get(static_cast<flatbuffers::uoffset_t>(o))->inputs();
      for (size_t i = 0; i < count(ins); ++i) {
        const int32_t t = ins->Get(static_cast<flatbuffers::uoffset_t>(i));
        if (t < 0) continue;
        for (const uint32_t p : producers[static_cast<size_t>(t)]) {
          consumers[p].push_back(static_cast<uint32_t>(o));
          ++pending[o];
        }
      }
    }
    std::vector<uint32_t> ready;
    for (size_t o = 0; o < n_ops; ++o) {
      if (pending[o] == 0) ready.push_back(static_cast<uint32_t>(o));
    }
    size_t done = 0;
    while (!ready.empty()) {
      const uint32_t o = ready.back();
      ready.pop_back();
      ++done;
      for (const uint32_t c : consumers[o]) {
        if (--pending[c] == 0) ready.push_back(c);
      }
    }
    if (done == n_ops) return {};
    const auto stuck = static_cast<size_t>(
        std::find_if(pending.begin(), pending.end(), [](uint32_t p) { return p != 0; }) - pending.begin());
    return fail(cat(op_label(ctx, stuck, ctx.graph->operators()->Get(static_cast<flatbuffers::uoffset_t>(stuck))),
                    " is part of a cycle: it depends, through its inputs, on its own outputs"));
  }

  Status check_signatures() const {
    const size_t n = count(model_.signature_defs());
    for (size_t i = 0; i < n; ++i) {
      const auto* sig = model_.signature_defs()->Get(static_cast<flatbuffers::uoffset_t>(i));
      if (sig == nullptr) return fail(cat("signature #", i, " is missing"));
      const std::string label = cat("signature ", quoted(sig->signature_key()), " (#", i, ")");
      if (auto s = check_subgraph_ref(label, "subgraph_index", sig->subgraph_index()); !s) return s;
      const auto* sg = model_.subgraphs()->Get(sig->subgraph_index());
      const size_t n_tensors = count(sg->tensors());
      for (const auto* list : {sig->inputs(), sig->outputs()}) {
        for (size_t k = 0; k < count(list); ++k) {
          const auto* m = list->Get(static_cast<flatbuffers::uoffset_t>(k));
          if (m == nullptr) return fail(cat(label, ": tensor map entry ", k, " is missing"));
          if (m->tensor_index() >= n_tensors) {
            return fail(cat(label, ": ", quoted(m->name()), " refers to tensor ", m->tensor_index(),
                            ", but subgraph ", sig->subgraph_index(), " has ", n_tensors, " tensors"));
          }
        }
      }
    }
    return {};
  }

  Status check_metadata() const {
    const size_t n_buffers = count(model_.buffers());
    for (size_t i = 0; i < count(model_.metadata()); ++i) {
      const auto* m = model_.metadata()->Get(static_cast<flatbuffers::uoffset_t>(i));
      if (m == nullptr) return fail(cat("metadata #", i, " is missing"));
      if (m->buffer() >= n_buffers) {
        return fail(cat("metadata ", quoted(m->name()), " refers to buffer ", m->buffer(), ", but the model has ",
                        n_buffers, " buffers"));
      }
    }
    for (size_t i = 0; i < count(model_.metadata_buffer()); ++i) {
      const int32_t b = model_.metadata_buffer()->Get(static_cast<flatbuffers::uoffset_t>(i));
      if (b < 0 || static_cast<size_t>(b) >= n_buffers) {
        return fail(cat("metadata_buffer entry ", i, " refers to buffer ", b, ", but the model has ", n_buffers,
                        " buffers"));
      }
    }
    return {};
  }

  const tfl::Model& model_;
  std::span<const uint8_t> file_;
};

}  // namespace

Status validate_model(const tfl::Model& model, std::span<const uint8_t> file) {
  return Validator(model, file).run();
}

}  // namespace qs::format
