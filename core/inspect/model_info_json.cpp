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

// TFLite Metadata ------------------------------------------------------------

ordered_json file_json(const AssociatedFile& f) {
  return {{"name", f.name},
          {"description", f.description},
          {"type", f.type},
          {"locale", f.locale},
          {"version", f.version}};
}

ordered_json files_json(const std::vector<AssociatedFile>& list) {
  ordered_json a = ordered_json::array();
  for (const auto& f : list) a.push_back(file_json(f));
  return a;
}

// The kind first, then that kind's own fields.
struct ContentFields {
  ordered_json& j;
  void operator()(std::monostate) const {}
  void operator()(const FeatureContent&) const {}
  void operator()(const ImageContent& c) const {
    j["color_space"] = c.color_space;
    if (c.default_size)
      j["default_size"] = {{"width", c.default_size->width}, {"height", c.default_size->height}};
  }
  void operator()(const BoundingBoxContent& c) const {
    j["type"] = c.type;
    j["coordinate_type"] = c.coordinate_type;
    j["index"] = c.index;
  }
  void operator()(const AudioContent& c) const {
    j["sample_rate"] = c.sample_rate;
    j["channels"] = c.channels;
  }
  void operator()(const UnknownContent& c) const { j["code"] = c.code; }
};

ordered_json content_json(const std::optional<TensorContent>& content) {
  if (!content) return nullptr;
  ordered_json j;
  const std::string_view kind = content_kind(content->properties);
  j["kind"] = kind.empty() ? ordered_json(nullptr) : ordered_json(std::string(kind));
  std::visit(ContentFields{j}, content->properties);
  if (content->range) j["range"] = {{"min", content->range->min}, {"max", content->range->max}};
  return j;
}

struct UnitFields {
  ordered_json& j;
  void operator()(const Normalization& u) const {
    j["mean"] = u.mean;
    j["std"] = u.std;
  }
  void operator()(const ScoreCalibration& u) const {
    j["transformation"] = u.transformation;
    j["default_score"] = u.default_score;
  }
  void operator()(const ScoreThreshold& u) const { j["global_threshold"] = u.global_threshold; }
  void operator()(const BertTokenizer& u) const { j["vocab_files"] = files_json(u.vocab_files); }
  void operator()(const SentencePieceTokenizer& u) const {
    j["models"] = files_json(u.models);
    j["vocab_files"] = files_json(u.vocab_files);
  }
  void operator()(const RegexTokenizer& u) const {
    j["delim_pattern"] = u.delim_pattern;
    j["vocab_files"] = files_json(u.vocab_files);
  }
  void operator()(const UnknownProcessUnit& u) const { j["code"] = u.code; }
};

ordered_json units_json(const std::vector<ProcessUnit>& units) {
  ordered_json a = ordered_json::array();
  for (const auto& u : units) {
    ordered_json j;
    j["kind"] = std::string(process_unit_kind(u));
    std::visit(UnitFields{j}, u);
    a.push_back(std::move(j));
  }
  return a;
}

ordered_json tensor_metadata_json(const std::vector<TensorMetadata>& list) {
  ordered_json a = ordered_json::array();
  for (const auto& t : list) {
    ordered_json j;
    j["name"] = t.name;
    j["description"] = t.description;
    j["dimension_names"] = t.dimension_names;
    j["content"] = content_json(t.content);
    j["process_units"] = units_json(t.process_units);
    j["stats"] = {{"min", t.stats.min}, {"max", t.stats.max}};
    j["associated_files"] = files_json(t.associated_files);
    a.push_back(std::move(j));
  }
  return a;
}

ordered_json groups_json(const std::vector<TensorGroup>& groups) {
  ordered_json a = ordered_json::array();
  for (const auto& g : groups) a.push_back({{"name", g.name}, {"tensor_names", g.tensor_names}});
  return a;
}

ordered_json tflite_metadata_json(const TfliteMetadata& m) {
  ordered_json j;
  j["name"] = m.name;
  j["description"] = m.description;
  j["version"] = m.version;
  j["author"] = m.author;
  j["license"] = m.license;
  j["min_parser_version"] = m.min_parser_version;
  j["associated_files"] = files_json(m.associated_files);
  ordered_json subgraphs = ordered_json::array();
  for (const auto& s : m.subgraphs) {
    ordered_json js;
    js["name"] = s.name;
    js["description"] = s.description;
    js["inputs"] = tensor_metadata_json(s.inputs);
    js["outputs"] = tensor_metadata_json(s.outputs);
    js["associated_files"] = files_json(s.associated_files);
    js["input_process_units"] = units_json(s.input_process_units);
    js["output_process_units"] = units_json(s.output_process_units);
    js["input_tensor_groups"] = groups_json(s.input_groups);
    js["output_tensor_groups"] = groups_json(s.output_groups);
    ordered_json custom = ordered_json::array();
    for (const auto& c : s.custom_metadata) custom.push_back({{"name", c.name}, {"bytes", c.bytes}});
    js["custom_metadata"] = std::move(custom);
    subgraphs.push_back(std::move(js));
  }
  j["subgraphs"] = std::move(subgraphs);
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
  j["tflite_metadata"] =
      info.tflite_metadata ? tflite_metadata_json(*info.tflite_metadata) : ordered_json(nullptr);
  j["tflite_metadata_error"] =
      info.tflite_metadata_error.empty() ? ordered_json(nullptr) : ordered_json(info.tflite_metadata_error);
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
