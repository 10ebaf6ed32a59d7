// ModelFile -> Model: the editable form of a verified file.

#include <algorithm>

#include "format/fb_access.h"
#include "format/model_file.h"
#include "qs/tfl/tflite_generated.h"

namespace qs::format {

namespace {

template <class NativeT, class TableT>
std::shared_ptr<const NativeT> unpack(const TableT* table) {
  if (table == nullptr) return nullptr;
  return std::shared_ptr<const NativeT>(table->UnPack());
}

Quantization read_quantization(const tfl::QuantizationParameters& q) {
  Quantization out;
  out.min = to_vector(q.min());
  out.max = to_vector(q.max());
  out.scale = to_vector(q.scale());
  out.zero_point = to_vector(q.zero_point());
  out.quantized_dimension = q.quantized_dimension();
  if (q.details_type() != tfl::QuantizationDetails::NONE && q.details() != nullptr) {
    auto details = std::make_shared<tfl::QuantizationDetailsUnion>();
    details->type = q.details_type();
    details->value = tfl::QuantizationDetailsUnion::UnPack(q.details(), q.details_type(), nullptr);
    out.details = std::move(details);
  }
  return out;
}

Tensor read_tensor(const tfl::Tensor& t) {
  Tensor out;
  out.name = to_string(t.name());
  out.type = t.type();
  out.shape = to_vector(t.shape());
  out.shape_signature = to_vector(t.shape_signature());
  out.has_rank = t.has_rank();
  out.buffer = t.buffer();
  if (t.quantization() != nullptr) out.quantization = read_quantization(*t.quantization());
  out.is_variable = t.is_variable();
  out.sparsity = unpack<tfl::SparsityParametersT>(t.sparsity());
  if (t.variant_tensors() != nullptr) {
    for (const auto* v : *t.variant_tensors()) out.variant_tensors.push_back(unpack<tfl::VariantSubTypeT>(v));
  }
  out.external_buffer = t.external_buffer();
  return out;
}

// A union tag without its table means "all defaults" to TFLite; we keep no
// options rather than a tag whose missing value the packer can't write.
OpOptions read_options(const tfl::Operator& op) {
  std::shared_ptr<tfl::BuiltinOptionsUnion> first;
  std::shared_ptr<tfl::BuiltinOptions2Union> second;
  if (op.builtin_options_type() != tfl::BuiltinOptions::NONE && op.builtin_options() != nullptr) {
    first = std::make_shared<tfl::BuiltinOptionsUnion>();
    first->type = op.builtin_options_type();
    first->value = tfl::BuiltinOptionsUnion::UnPack(op.builtin_options(), op.builtin_options_type(), nullptr);
  }
  if (op.builtin_options_2_type() != tfl::BuiltinOptions2::NONE && op.builtin_options_2() != nullptr) {
    second = std::make_shared<tfl::BuiltinOptions2Union>();
    second->type = op.builtin_options_2_type();
    second->value =
        tfl::BuiltinOptions2Union::UnPack(op.builtin_options_2(), op.builtin_options_2_type(), nullptr);
  }
  return OpOptions(std::move(first), std::move(second));
}

}  // namespace

Model ModelFile::to_model() const {
  const tfl::Model& m = *root_;
  Model out;
  out.version = m.version();
  out.description = to_string(m.description());

  if (m.buffers() != nullptr) {
    out.buffers.reserve(m.buffers()->size());
    for (uint32_t i = 0; i < m.buffers()->size(); ++i) {
      out.buffers.push_back(Buffer{Bytes::borrow(owner_, buffer_data(i))});
    }
  }

  std::vector<OpCode> codes;
  if (m.operator_codes() != nullptr) {
    for (uint32_t i = 0; i < m.operator_codes()->size(); ++i) {
      const auto* c = m.operator_codes()->Get(i);
      codes.push_back(OpCode{builtin_code(i), to_string(c->custom_code()), c->version()});
    }
  }

  for (const auto* sg : *m.subgraphs()) {
    Subgraph g;
    g.name = to_string(sg->name());
    g.inputs = to_vector(sg->inputs());
    g.outputs = to_vector(sg->outputs());
    g.debug_metadata_index = sg->debug_metadata_index();
    if (sg->tensors() != nullptr) {
      g.tensors.reserve(sg->tensors()->size());
      for (const auto* t : *sg->tensors()) g.tensors.push_back(read_tensor(*t));
    }
    if (sg->operators() != nullptr) {
      g.operators.reserve(sg->operators()->size());
      for (const auto* op : *sg->operators()) {
        Operator o;
        o.code = codes[op->opcode_index()];
        o.inputs = to_vector(op->inputs());
        o.outputs = to_vector(op->outputs());
        o.intermediates = to_vector(op->intermediates());
        o.options = read_options(*op);
        if (op->large_custom_options_offset() > 1) {
          o.custom_options = Bytes::borrow(owner_, bytes_.subspan(static_cast<size_t>(op->large_custom_options_offset()),
                                                                  static_cast<size_t>(op->large_custom_options_size())));
        } else if (op->custom_options() != nullptr) {
          o.custom_options = Bytes::borrow(owner_, {op->custom_options()->data(), op->custom_options()->size()});
        }
        o.custom_options_format = static_cast<int8_t>(op->custom_options_format());
        if (op->mutating_variable_inputs() != nullptr) {
          for (const auto v : *op->mutating_variable_inputs()) o.mutating_variable_inputs.push_back(v != 0);
        }
        o.debug_metadata_index = op->debug_metadata_index();
        g.operators.push_back(std::move(o));
      }
    }
    out.subgraphs.push_back(std::move(g));
  }

  if (m.metadata() != nullptr) {
    for (const auto* md : *m.metadata()) out.metadata.push_back(Metadata{to_string(md->name()), md->buffer()});
  }
  out.metadata_buffer = to_vector(m.metadata_buffer());
  if (m.signature_defs() != nullptr) {
    for (const auto* s : *m.signature_defs()) {
      Signature sig;
      sig.key = to_string(s->signature_key());
      sig.subgraph_index = s->subgraph_index();
      for (const auto& [src, dst] : {std::pair{s->inputs(), &sig.inputs}, std::pair{s->outputs(), &sig.outputs}}) {
        if (src == nullptr) continue;
        for (const auto* tm : *src) dst->push_back(TensorMap{to_string(tm->name()), tm->tensor_index()});
      }
      out.signatures.push_back(std::move(sig));
    }
  }
  if (m.external_buffer_groups() != nullptr) {
    for (const auto* g : *m.external_buffer_groups()) {
      out.external_buffer_groups.push_back(unpack<tfl::ExternalBufferGroupT>(g));
    }
  }
  if (m.external_buffers() != nullptr) {
    for (const auto* b : *m.external_buffers()) out.external_buffers.push_back(unpack<tfl::ExternalBufferT>(b));
  }
  return out;
}

}  // namespace qs::format
