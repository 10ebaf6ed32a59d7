#include <nlohmann/json.hpp>

#include "inspect/model_info.h"

namespace qs::inspect {

namespace {

using nlohmann::ordered_json;

// Bump when a field changes meaning or disappears; adding fields is
// compatible and does not bump it.
constexpr int kFormatVersion = 1;

ordered_json tensor_json(const TensorSummary& t) {
  ordered_json j;
  j["index"] = t.index;
  j["name"] = t.name;
  j["type"] = t.type;
  j["shape"] = t.shape;
  if (!t.shape_signature.empty()) j["shape_signature"] = t.shape_signature;
  if (t.quantization) {
    const auto& q = *t.quantization;
    ordered_json jq;
    jq["scale"] = q.scale;
    jq["zero_point"] = q.zero_point;
    jq["quantized_dimension"] = q.quantized_dimension;
    if (!q.min.empty()) jq["min"] = q.min;
    if (!q.max.empty()) jq["max"] = q.max;
    j["quantization"] = std::move(jq);
  } else {
    j["quantization"] = nullptr;
  }
  return j;
}

ordered_json tensors_json(const std::vector<TensorSummary>& list) {
  ordered_json a = ordered_json::array();
  for (const auto& t : list) a.push_back(tensor_json(t));
  return a;
}

ordered_json aliased_json(const std::vector<std::pair<std::string, TensorSummary>>& list) {
  ordered_json a = ordered_json::array();
  for (const auto& [alias, t] : list) a.push_back({{"name", alias}, {"tensor", tensor_json(t)}});
  return a;
}

ordered_json histogram_json(const std::map<std::string, size_t>& h) {
  ordered_json j = ordered_json::object();
  for (const auto& [k, v] : h) j[k] = v;
  return j;
}

}  // namespace

std::string to_json(const ModelInfo& info, int indent) {
  ordered_json j;
  j["format"] = "quantscope.model-info";
  j["format_version"] = kFormatVersion;
  j["path"] = info.path;
  j["file_bytes"] = info.file_bytes;
  j["schema_version"] = info.schema_version;
  j["description"] = info.description;
  ordered_json metadata = ordered_json::array();
  for (const auto& m : info.metadata) metadata.push_back({{"name", m.name}, {"buffer", m.buffer}, {"bytes", m.bytes}});
  j["metadata"] = std::move(metadata);
  j["operator_count"] = info.operator_count;
  j["operators"] = histogram_json(info.operators);
  ordered_json params;
  params["count"] = info.parameter_count;
  params["bytes"] = info.parameter_bytes;
  ordered_json by_type = ordered_json::object();
  for (const auto& [type, t] : info.parameters_by_type) {
    by_type[type] = {{"tensors", t.tensors}, {"elements", t.elements}, {"bytes", t.bytes}};
  }
  params["by_type"] = std::move(by_type);
  j["parameters"] = std::move(params);
  j["tensor_types"] = histogram_json(info.tensor_types);
  ordered_json subgraphs = ordered_json::array();
  for (const auto& s : info.subgraphs) {
    ordered_json js;
    js["index"] = s.index;
    js["name"] = s.name;
    js["tensor_count"] = s.tensor_count;
    js["operator_count"] = s.operator_count;
    js["inputs"] = tensors_json(s.inputs);
    js["outputs"] = tensors_json(s.outputs);
    js["operators"] = histogram_json(s.operators);
    subgraphs.push_back(std::move(js));
  }
  j["subgraphs"] = std::move(subgraphs);
  ordered_json signatures = ordered_json::array();
  for (const auto& s : info.signatures) {
    signatures.push_back({{"key", s.key}, {"subgraph", s.subgraph}, {"inputs", aliased_json(s.inputs)},
                          {"outputs", aliased_json(s.outputs)}});
  }
  j["signatures"] = std::move(signatures);
  // Tensor names in real files are not always valid UTF-8; replace rather
  // than throw.
  return j.dump(indent, ' ', false, ordered_json::error_handler_t::replace);
}

}  // namespace qs::inspect
