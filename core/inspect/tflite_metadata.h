#pragma once
// TFLite Metadata: the FlatBuffer (identifier "M001") that metadata writers
// store in a model's metadata entry named TFLITE_METADATA. It holds what the
// graph cannot say: the model's name, author and licence, what each input and
// output means, the normalisation a caller must apply before feeding an
// input, and the side files (labels, vocabularies) zipped onto the model.
// Decoded here into plain values, so no FlatBuffers type leaves the decoder.
// Enum values keep the format's own spelling ("RGB", "TENSOR_AXIS_LABELS");
// a value newer than our schema appears as its number.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/status.h"

namespace qs::inspect {

// The metadata entry name under which the buffer is stored.
inline constexpr std::string_view kTfliteMetadataName = "TFLITE_METADATA";

// A side file, stored in the zip archive appended to the model.
struct AssociatedFile {
  std::string name;  // its name inside the archive
  std::string description;
  std::string type;  // "TENSOR_AXIS_LABELS", "VOCABULARY", ...
  std::string locale;
  std::string version;
};

// What a tensor holds.
struct FeatureContent {};
struct ImageSize {
  uint32_t width = 0;
  uint32_t height = 0;
};
struct ImageContent {
  std::string color_space;  // "RGB", "GRAYSCALE", "UNKNOWN"
  std::optional<ImageSize> default_size;
};
struct BoundingBoxContent {
  std::string type;             // "BOUNDARIES", "UPPER_LEFT", "CENTER", "UNKNOWN"
  std::string coordinate_type;  // "RATIO", "PIXEL"
  std::vector<uint32_t> index;  // order of the four elements; empty: the type's own
};
struct AudioContent {
  uint32_t sample_rate = 0;  // Hz
  uint32_t channels = 0;
};
// A content kind added to the format after our schema.
struct UnknownContent {
  uint8_t code = 0;
};
// std::monostate: the file names no kind.
using ContentProperties = std::variant<std::monostate, FeatureContent, ImageContent, BoundingBoxContent,
                                       AudioContent, UnknownContent>;

// The dimensions (inclusive) that make up one content item.
struct DimensionRange {
  int32_t min = 0;
  int32_t max = 0;
};

struct TensorContent {
  ContentProperties properties;
  std::optional<DimensionRange> range;  // absent: every dimension but the batch
};

// Processing a caller applies outside the graph.
struct Normalization {  // input = (x - mean) / std, per channel
  std::vector<float> mean;
  std::vector<float> std;
};
struct ScoreCalibration {
  std::string transformation;  // "IDENTITY", "LOG", "INVERSE_LOGISTIC"
  float default_score = 0;
};
struct ScoreThreshold {
  float global_threshold = 0;
};
struct BertTokenizer {
  std::vector<AssociatedFile> vocab_files;
};
struct SentencePieceTokenizer {
  std::vector<AssociatedFile> models;
  std::vector<AssociatedFile> vocab_files;
};
struct RegexTokenizer {
  std::string delim_pattern;
  std::vector<AssociatedFile> vocab_files;
};
// A unit added to the format after our schema (or one without options).
struct UnknownProcessUnit {
  uint8_t code = 0;
};
using ProcessUnit = std::variant<Normalization, ScoreCalibration, ScoreThreshold, BertTokenizer,
                                 SentencePieceTokenizer, RegexTokenizer, UnknownProcessUnit>;

// The value bounds the metadata states (not computed from data), per
// channel; one value stands for every channel.
struct MetadataStats {
  std::vector<float> min;
  std::vector<float> max;
};

struct TensorMetadata {
  std::string name;
  std::string description;
  std::vector<std::string> dimension_names;
  std::optional<TensorContent> content;
  std::vector<ProcessUnit> process_units;
  MetadataStats stats;
  std::vector<AssociatedFile> associated_files;
};

// Tensors meant to be read together (a detector's boxes, classes, scores).
struct TensorGroup {
  std::string name;
  std::vector<std::string> tensor_names;
};

// Opaque data for a named consumer; only its size is reported.
struct CustomMetadata {
  std::string name;
  uint64_t bytes = 0;
};

// Entry i of inputs (outputs) describes the subgraph's i-th input (output).
struct SubgraphMetadata {
  std::string name;
  std::string description;
  std::vector<TensorMetadata> inputs;
  std::vector<TensorMetadata> outputs;
  std::vector<AssociatedFile> associated_files;
  std::vector<ProcessUnit> input_process_units;
  std::vector<ProcessUnit> output_process_units;
  std::vector<TensorGroup> input_groups;
  std::vector<TensorGroup> output_groups;
  std::vector<CustomMetadata> custom_metadata;
};

struct TfliteMetadata {
  std::string name;
  std::string description;
  std::string version;
  std::string author;
  std::string license;
  std::string min_parser_version;
  std::vector<SubgraphMetadata> subgraphs;  // the first is the main subgraph
  std::vector<AssociatedFile> associated_files;
};

// Verifies `bytes` (identifier, then the FlatBuffers verifier) before reading
// anything; a bad buffer gives an error saying what is wrong, never a crash.
Result<TfliteMetadata> decode_tflite_metadata(std::span<const uint8_t> bytes);

// Stable lower-case names, for renderers: "feature", "image", "bounding_box",
// "audio", "unknown"; "" for std::monostate.
std::string_view content_kind(const ContentProperties& properties);
// "normalization", "score_calibration", "score_threshold", "bert_tokenizer",
// "sentencepiece_tokenizer", "regex_tokenizer", "unknown".
std::string_view process_unit_kind(const ProcessUnit& unit);

// One-line English descriptions, shared by `info` and the GUI overview so
// both say the same thing.
std::string describe(const TensorContent& content);  // "image, RGB, default size 224x224"
std::string describe(const ProcessUnit& unit);       // "normalization: mean 127.5, std 127.5"
std::string describe(const MetadataStats& stats);    // "min 0, max 255"; "" when there are none
std::string describe(const AssociatedFile& file);    // "labels.txt (TENSOR_AXIS_LABELS, en)"
// "127.5" for one value, "[0.485, 0.456, 0.406]" for several, each the
// shortest text that reads back as the same float.
std::string float_list(const std::vector<float>& values);

}  // namespace qs::inspect
