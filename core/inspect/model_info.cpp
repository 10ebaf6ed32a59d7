#include "inspect/model_info.h"

#include <set>

#include "format/fb_access.h"
#include "format/model_file.h"
#include "qs/tfl/tflite_generated.h"

namespace qs::inspect {

namespace {

using format::ModelFile;
using format::to_vector;

TensorSummary summarize_tensor(const tfl::SubGraph& sg, uint32_t index) {
  const auto* t = sg.tensors()->Get(index);
  TensorSummary s;
  s.index = index;
  s.name = t->name() ? t->name()->str() : std::string();
  s.type = format::type_name(t->type());
  s.shape = to_vector(t->shape());
  s.shape_signature = to_vector(t->shape_signature());
  if (const auto* q = t->quantization();
      q != nullptr && flatbuffers::VectorLength(q->scale()) + flatbuffers::VectorLength(q->min()) +
                              flatbuffers::VectorLength(q->max()) != 0) {
    format::Quantization quant;
    quant.scale = to_vector(q->scale());
    quant.zero_point = to_vector(q->zero_point());
    quant.min = to_vector(q->min());
    quant.max = to_vector(q->max());
    quant.quantized_dimension = q->quantized_dimension();
    s.quantization = std::move(quant);
  }
  return s;
}

std::string op_key(const ModelFile& file, uint32_t opcode_index) {
  const auto code = file.builtin_code(opcode_index);
  if (code == format::BuiltinOp::CUSTOM) {
    const auto* name = file.root().operator_codes()->Get(opcode_index)->custom_code();
    return "CUSTOM:" + (name ? name->str() : std::string());
  }
  return format::op_name(code);
}

// Decodes the first TFLITE_METADATA entry (writers store one). Reading its
// buffer is cheap: metadata is a few kilobytes, unlike the weights.
void decode_metadata_entry(const ModelFile& file, ModelInfo& info) {
  for (const MetadataSummary& entry : info.metadata) {
    if (entry.name != kTfliteMetadataName) continue;
    auto decoded = decode_tflite_metadata(file.buffer_data(entry.buffer));
    if (decoded) {
      info.tflite_metadata = std::move(*decoded);
    } else {
      info.tflite_metadata_error = cat("buffer #", entry.buffer, ": ", decoded.error().message);
    }
    return;
  }
}

}  // namespace

ModelInfo summarize(const ModelFile& file) {
  const tfl::Model& m = file.root();
  ModelInfo info;
  info.path = file.name();
  info.file_bytes = file.bytes().size();
  info.schema_version = m.version();
  info.description = m.description() ? m.description()->str() : std::string();
  if (m.metadata() != nullptr) {
    for (const auto* md : *m.metadata()) {
      info.metadata.push_back({md->name() ? md->name()->str() : std::string(), md->buffer(),
                               file.buffer_data(md->buffer()).size()});
    }
  }
  decode_metadata_entry(file, info);

  std::set<uint32_t> counted_buffers;
  for (uint32_t g = 0; g < m.subgraphs()->size(); ++g) {
    const auto* sg = m.subgraphs()->Get(g);
    SubgraphSummary s;
    s.index = g;
    s.name = sg->name() ? sg->name()->str() : std::string();
    s.tensor_count = sg->tensors() ? sg->tensors()->size() : 0;
    s.operator_count = sg->operators() ? sg->operators()->size() : 0;
    for (const int32_t t : to_vector(sg->inputs())) s.inputs.push_back(summarize_tensor(*sg, static_cast<uint32_t>(t)));
    for (const int32_t t : to_vector(sg->outputs())) s.outputs.push_back(summarize_tensor(*sg, static_cast<uint32_t>(t)));
    if (sg->operators() != nullptr) {
      for (const auto* op : *sg->operators()) {
        const std::string key = op_key(file, op->opcode_index());
        ++s.operators[key];
        ++info.operators[key];
      }
    }
    info.operator_count += s.operator_count;
    for (size_t t = 0; t < s.tensor_count; ++t) {
      const auto* tensor = sg->tensors()->Get(static_cast<flatbuffers::uoffset_t>(t));
      const std::string type = format::type_name(tensor->type());
      ++info.tensor_types[type];
      const auto data = file.buffer_data(tensor->buffer());
      if (tensor->buffer() == 0 || data.empty() || !counted_buffers.insert(tensor->buffer()).second) continue;
      TypeTotals& totals = info.parameters_by_type[type];
      const auto elements = format::element_count(to_vector(tensor->shape())).value_or(0);
      ++totals.tensors;
      totals.elements += elements;
      totals.bytes += data.size();
      info.parameter_count += elements;
      info.parameter_bytes += data.size();
    }
    info.subgraphs.push_back(std::move(s));
  }

  if (m.signature_defs() != nullptr) {
    for (const auto* sig : *m.signature_defs()) {
      SignatureSummary s;
      s.key = sig->signature_key() ? sig->signature_key()->str() : std::string();
      s.subgraph = sig->subgraph_index();
      const auto* sg = m.subgraphs()->Get(s.subgraph);
      for (const auto& [src, dst] : {std::pair{sig->inputs(), &s.inputs}, std::pair{sig->outputs(), &s.outputs}}) {
        if (src == nullptr) continue;
        for (const auto* tm : *src) {
          dst->emplace_back(tm->name() ? tm->name()->str() : std::string(), summarize_tensor(*sg, tm->tensor_index()));
        }
      }
      info.signatures.push_back(std::move(s));
    }
  }
  return info;
}

}  // namespace qs::inspect
