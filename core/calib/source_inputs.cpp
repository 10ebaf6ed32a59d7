// model_inputs(): a model's inputs as the sample set sees them.

#include <algorithm>
#include <variant>

#include "calib/sample_set.h"
#include "inspect/tflite_metadata.h"

namespace qs::calib {
namespace {

// The TFLite Metadata of `subgraph`, when the model carries a readable one.
// A broken metadata buffer is treated as none: the worst outcome is that a
// float input asks for its value mapping instead of reading it.
std::optional<inspect::SubgraphMetadata> subgraph_metadata(const format::Model& model, size_t subgraph) {
  for (const format::Metadata& m : model.metadata) {
    if (m.name != inspect::kTfliteMetadataName || m.buffer >= model.buffers.size()) continue;
    auto decoded = inspect::decode_tflite_metadata(model.buffers[m.buffer].data.span());
    if (!decoded || subgraph >= decoded->subgraphs.size()) return std::nullopt;
    return std::move(decoded->subgraphs[subgraph]);
  }
  return std::nullopt;
}

std::optional<ValueMapping> normalisation(const inspect::TensorMetadata& tensor) {
  for (const inspect::ProcessUnit& unit : tensor.process_units) {
    if (const auto* n = std::get_if<inspect::Normalization>(&unit)) {
      ValueMapping v;
      v.kind = ValueMapping::Kind::kMeanStd;
      v.mean = n->mean;
      v.std = n->std;
      return v;
    }
  }
  return std::nullopt;
}

Result<const format::Signature*> find_signature(const format::Model& model, const std::string& key) {
  std::string keys;
  for (const format::Signature& s : model.signatures) {
    if (s.key == key) return &s;
    keys += cat(keys.empty() ? "'" : ", '", s.key, "'");
  }
  return fail(cat("the model has no signature '", key, "' (",
                  keys.empty() ? "it has none" : "signatures: " + keys, ")"));
}

// Signature aliases of `tensor` in `subgraph`.
std::vector<std::string> aliases_of(const format::Model& model, size_t subgraph, int32_t tensor) {
  std::vector<std::string> out;
  for (const format::Signature& s : model.signatures) {
    if (s.subgraph_index != subgraph) continue;
    for (const format::TensorMap& m : s.inputs) {
      if (static_cast<int32_t>(m.tensor_index) == tensor &&
          std::find(out.begin(), out.end(), m.name) == out.end()) {
        out.push_back(m.name);
      }
    }
  }
  return out;
}

InputInfo info_of(const format::Tensor& t, int32_t index) {
  InputInfo info;
  info.name = t.name;
  info.tensor = index;
  info.type = t.type;
  info.shape = t.shape;
  info.signature = t.shape_signature;
  if (t.quantization && t.quantization->scale.size() == 1) {
    info.scale = t.quantization->scale[0];
    info.zero_point = t.quantization->zero_point.empty() ? 0 : t.quantization->zero_point[0];
  }
  return info;
}

}  // namespace

Result<std::vector<InputInfo>> model_inputs(const format::Model& model, int subgraph,
                                            const std::string& signature) {
  const format::Signature* sig = nullptr;
  if (!signature.empty()) {
    auto found = find_signature(model, signature);
    if (!found) return tl::unexpected(found.error());
    sig = *found;
    subgraph = static_cast<int>(sig->subgraph_index);
  }
  if (subgraph < 0 || static_cast<size_t>(subgraph) >= model.subgraphs.size()) {
    return fail(cat("subgraph ", subgraph, " does not exist (the model has ", model.subgraphs.size(), ")"));
  }
  const auto sg_index = static_cast<size_t>(subgraph);
  const format::Subgraph& sg = model.subgraphs[sg_index];
  // Signature order when there is one, as the interpreter feeds them.
  std::vector<std::pair<std::string, int32_t>> entries;
  if (sig != nullptr) {
    for (const auto& m : sig->inputs) entries.emplace_back(m.name, static_cast<int32_t>(m.tensor_index));
  } else {
    for (int32_t t : sg.inputs) entries.emplace_back(std::string(), t);
  }
  const auto metadata = subgraph_metadata(model, sg_index);
  std::vector<InputInfo> out;
  for (const auto& [alias, index] : entries) {
    if (index < 0 || static_cast<size_t>(index) >= sg.tensors.size()) {
      return fail(cat("subgraph ", subgraph, ": input tensor ", index, " does not exist"));
    }
    InputInfo info = info_of(sg.tensors[static_cast<size_t>(index)], index);
    if (sig != nullptr) {
      info.aliases = {info.name};
      info.name = alias;
    } else {
      info.aliases = aliases_of(model, sg_index, index);
    }
    // Metadata entry k describes the subgraph's k-th input.
    const auto k =
        static_cast<size_t>(std::find(sg.inputs.begin(), sg.inputs.end(), index) - sg.inputs.begin());
    if (metadata && k < metadata->inputs.size()) info.metadata_values = normalisation(metadata->inputs[k]);
    out.push_back(std::move(info));
  }
  return out;
}

}  // namespace qs::calib
