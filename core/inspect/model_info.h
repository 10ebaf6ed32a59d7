#pragma once
// What `quantscope-cli info` and the GUI's overview report about a model,
// computed from the verified file without touching constant data: sizes come
// from shapes and buffer lengths, never from reading the weights.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "format/model.h"
#include "inspect/tflite_metadata.h"

namespace qs::format {
class ModelFile;
}

namespace qs::inspect {

struct TensorSummary {
  uint32_t index = 0;
  std::string name;
  std::string type;
  std::vector<int32_t> shape;
  std::vector<int32_t> shape_signature;  // empty when the file has none
  std::optional<format::Quantization> quantization;  // only when it has scales or a range
};

struct SubgraphSummary {
  uint32_t index = 0;
  std::string name;
  size_t tensor_count = 0;
  size_t operator_count = 0;
  std::vector<TensorSummary> inputs;
  std::vector<TensorSummary> outputs;
  std::map<std::string, size_t> operators;  // op histogram of this subgraph
};

struct TypeTotals {
  size_t tensors = 0;
  uint64_t elements = 0;
  uint64_t bytes = 0;
};

struct SignatureSummary {
  std::string key;
  uint32_t subgraph = 0;
  std::vector<std::pair<std::string, TensorSummary>> inputs;  // alias, tensor
  std::vector<std::pair<std::string, TensorSummary>> outputs;
};

struct MetadataSummary {
  std::string name;
  uint32_t buffer = 0;
  uint64_t bytes = 0;
};

struct ModelInfo {
  std::string path;
  uint64_t file_bytes = 0;
  uint32_t schema_version = 0;
  std::string description;
  std::vector<MetadataSummary> metadata;
  // The decoded TFLITE_METADATA entry, when the model has one. A buffer that
  // does not decode leaves it empty and says why in tflite_metadata_error:
  // the model itself is still fine to inspect.
  std::optional<TfliteMetadata> tflite_metadata;
  std::string tflite_metadata_error;
  std::vector<SubgraphSummary> subgraphs;
  // Op histogram over every subgraph; custom ops appear as "CUSTOM:<name>".
  std::map<std::string, size_t> operators;
  size_t operator_count = 0;
  // Constant tensors (each shared buffer counted once), by element type.
  std::map<std::string, TypeTotals> parameters_by_type;
  uint64_t parameter_count = 0;
  uint64_t parameter_bytes = 0;
  // Every tensor of every subgraph, by element type.
  std::map<std::string, size_t> tensor_types;
  std::vector<SignatureSummary> signatures;
};

ModelInfo summarize(const format::ModelFile& file);

// The stable JSON document of `info --json` (docs/cli.md describes it).
std::string to_json(const ModelInfo& info, int indent = 2);
// The human-readable report of `info`.
std::string to_text(const ModelInfo& info);

}  // namespace qs::inspect
