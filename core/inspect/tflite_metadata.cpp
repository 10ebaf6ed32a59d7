#include "inspect/tflite_metadata.h"

#include <charconv>
#include <type_traits>

#include "format/fb_access.h"
#include "qs/tflmeta/tflite_metadata_generated.h"

namespace qs::inspect {

namespace {

namespace fb = tflmeta;
using format::to_string;
using format::to_vector;

// Real metadata is a few kilobytes; these bound the work a hostile buffer
// can cause while leaving room for any honest one.
constexpr flatbuffers::uoffset_t kMaxTables = 1u << 20;
constexpr flatbuffers::uoffset_t kMaxDepth = 64;
// The buffer is copied before it is read (see decode_tflite_metadata), so a
// hostile model must not make `info` copy gigabytes.
constexpr size_t kMaxBytes = size_t{16} << 20;
static_assert(kMaxBytes < FLATBUFFERS_MAX_BUFFER_SIZE);
// The identifier follows the 4-byte root offset.
constexpr size_t kIdentifierOffset = sizeof(flatbuffers::uoffset_t);
constexpr size_t kMinSize = kIdentifierOffset + flatbuffers::kFileIdentifierLength;

std::string printable_identifier(std::span<const uint8_t> bytes) {
  std::string id(reinterpret_cast<const char*>(bytes.data()) + kIdentifierOffset,
                 flatbuffers::kFileIdentifierLength);
  for (char& c : id) {
    if (c < 32 || c > 126) c = '?';
  }
  return id;
}

// The format's name of an enum value, or its number when the value is newer
// than our schema (the generated EnumName* give "" then).
template <class Enum>
std::string enum_text(Enum value, const char* name) {
  if (name != nullptr && *name != '\0') return name;
  return std::to_string(static_cast<int>(static_cast<std::underlying_type_t<Enum>>(value)));
}

std::vector<std::string> strings_of(const flatbuffers::Vector<flatbuffers::Offset<flatbuffers::String>>* v) {
  std::vector<std::string> out;
  if (v == nullptr) return out;
  out.reserve(v->size());
  for (const auto* s : *v) out.push_back(to_string(s));
  return out;
}

AssociatedFile file_of(const fb::AssociatedFile& f) {
  return {to_string(f.name()), to_string(f.description()),
          enum_text(f.type(), fb::EnumNameAssociatedFileType(f.type())), to_string(f.locale()),
          to_string(f.version())};
}

std::vector<AssociatedFile> files_of(const flatbuffers::Vector<flatbuffers::Offset<fb::AssociatedFile>>* v) {
  std::vector<AssociatedFile> out;
  if (v == nullptr) return out;
  out.reserve(v->size());
  for (const auto* f : *v) out.push_back(file_of(*f));
  return out;
}

// A union member whose table is missing reads as that table with every
// field at its default, as FlatBuffers reads any absent table field; some
// writers leave out the empty FeatureProperties table altogether.
ImageContent image_of(const fb::ImageProperties* p) {
  const auto space = p != nullptr ? p->color_space() : fb::ColorSpaceType::UNKNOWN;
  ImageContent image;
  image.color_space = enum_text(space, fb::EnumNameColorSpaceType(space));
  if (const auto* size = p != nullptr ? p->default_size() : nullptr) {
    image.default_size = ImageSize{size->width(), size->height()};
  }
  return image;
}

BoundingBoxContent box_of(const fb::BoundingBoxProperties* p) {
  const auto type = p != nullptr ? p->type() : fb::BoundingBoxType::UNKNOWN;
  const auto coordinates = p != nullptr ? p->coordinate_type() : fb::CoordinateType::RATIO;
  return {enum_text(type, fb::EnumNameBoundingBoxType(type)),
          enum_text(coordinates, fb::EnumNameCoordinateType(coordinates)),
          p != nullptr ? to_vector(p->index()) : std::vector<uint32_t>{}};
}

AudioContent audio_of(const fb::AudioProperties* p) {
  return p != nullptr ? AudioContent{p->sample_rate(), p->channels()} : AudioContent{};
}

ContentProperties properties_of(const fb::Content& c) {
  switch (c.content_properties_type()) {
    case fb::ContentProperties::NONE:
      return std::monostate{};
    case fb::ContentProperties::FeatureProperties:
      return FeatureContent{};
    case fb::ContentProperties::ImageProperties:
      return image_of(c.content_properties_as_ImageProperties());
    case fb::ContentProperties::BoundingBoxProperties:
      return box_of(c.content_properties_as_BoundingBoxProperties());
    case fb::ContentProperties::AudioProperties:
      return audio_of(c.content_properties_as_AudioProperties());
  }
  return UnknownContent{static_cast<uint8_t>(c.content_properties_type())};
}

TensorContent content_of(const fb::Content& c) {
  TensorContent content;
  content.properties = properties_of(c);
  if (const auto* r = c.range()) content.range = DimensionRange{r->min(), r->max()};
  return content;
}

// As for content, a missing options table reads as all defaults (to_vector
// and files_of take a missing vector for an empty one).
ProcessUnit unit_of(const fb::ProcessUnit& u) {
  switch (u.options_type()) {
    case fb::ProcessUnitOptions::NONE:
      break;
    case fb::ProcessUnitOptions::NormalizationOptions: {
      const auto* o = u.options_as_NormalizationOptions();
      return Normalization{to_vector(o != nullptr ? o->mean() : nullptr),
                           to_vector(o != nullptr ? o->std() : nullptr)};
    }
    case fb::ProcessUnitOptions::ScoreCalibrationOptions: {
      const auto* o = u.options_as_ScoreCalibrationOptions();
      const auto transform = o != nullptr ? o->score_transformation() : fb::ScoreTransformationType::IDENTITY;
      return ScoreCalibration{enum_text(transform, fb::EnumNameScoreTransformationType(transform)),
                              o != nullptr ? o->default_score() : 0.0f};
    }
    case fb::ProcessUnitOptions::ScoreThresholdingOptions: {
      const auto* o = u.options_as_ScoreThresholdingOptions();
      return ScoreThreshold{o != nullptr ? o->global_score_threshold() : 0.0f};
    }
    case fb::ProcessUnitOptions::BertTokenizerOptions: {
      const auto* o = u.options_as_BertTokenizerOptions();
      return BertTokenizer{files_of(o != nullptr ? o->vocab_file() : nullptr)};
    }
    case fb::ProcessUnitOptions::SentencePieceTokenizerOptions: {
      const auto* o = u.options_as_SentencePieceTokenizerOptions();
      return SentencePieceTokenizer{files_of(o != nullptr ? o->sentencepiece_model() : nullptr),
                                    files_of(o != nullptr ? o->vocab_file() : nullptr)};
    }
    case fb::ProcessUnitOptions::RegexTokenizerOptions: {
      const auto* o = u.options_as_RegexTokenizerOptions();
      return RegexTokenizer{o != nullptr ? to_string(o->delim_regex_pattern()) : std::string(),
                            files_of(o != nullptr ? o->vocab_file() : nullptr)};
    }
  }
  return UnknownProcessUnit{static_cast<uint8_t>(u.options_type())};
}

std::vector<ProcessUnit> units_of(const flatbuffers::Vector<flatbuffers::Offset<fb::ProcessUnit>>* v) {
  std::vector<ProcessUnit> out;
  if (v == nullptr) return out;
  out.reserve(v->size());
  for (const auto* u : *v) out.push_back(unit_of(*u));
  return out;
}

TensorMetadata tensor_of(const fb::TensorMetadata& t) {
  TensorMetadata m;
  m.name = to_string(t.name());
  m.description = to_string(t.description());
  m.dimension_names = strings_of(t.dimension_names());
  if (const auto* c = t.content()) m.content = content_of(*c);
  m.process_units = units_of(t.process_units());
  if (const auto* s = t.stats()) m.stats = MetadataStats{to_vector(s->min()), to_vector(s->max())};
  m.associated_files = files_of(t.associated_files());
  return m;
}

std::vector<TensorMetadata> tensors_of(
    const flatbuffers::Vector<flatbuffers::Offset<fb::TensorMetadata>>* v) {
  std::vector<TensorMetadata> out;
  if (v == nullptr) return out;
  out.reserve(v->size());
  for (const auto* t : *v) out.push_back(tensor_of(*t));
  return out;
}

std::vector<TensorGroup> groups_of(const flatbuffers::Vector<flatbuffers::Offset<fb::TensorGroup>>* v) {
  std::vector<TensorGroup> out;
  if (v == nullptr) return out;
  for (const auto* g : *v) out.push_back({to_string(g->name()), strings_of(g->tensor_names())});
  return out;
}

SubgraphMetadata subgraph_of(const fb::SubGraphMetadata& s) {
  SubgraphMetadata m;
  m.name = to_string(s.name());
  m.description = to_string(s.description());
  m.inputs = tensors_of(s.input_tensor_metadata());
  m.outputs = tensors_of(s.output_tensor_metadata());
  m.associated_files = files_of(s.associated_files());
  m.input_process_units = units_of(s.input_process_units());
  m.output_process_units = units_of(s.output_process_units());
  m.input_groups = groups_of(s.input_tensor_groups());
  m.output_groups = groups_of(s.output_tensor_groups());
  if (const auto* custom = s.custom_metadata()) {
    for (const auto* c : *custom)
      m.custom_metadata.push_back({to_string(c->name()), flatbuffers::VectorLength(c->data())});
  }
  return m;
}

TfliteMetadata metadata_of(const fb::ModelMetadata& root) {
  TfliteMetadata m;
  m.name = to_string(root.name());
  m.description = to_string(root.description());
  m.version = to_string(root.version());
  m.author = to_string(root.author());
  m.license = to_string(root.license());
  m.min_parser_version = to_string(root.min_parser_version());
  if (const auto* subgraphs = root.subgraph_metadata()) {
    for (const auto* s : *subgraphs) m.subgraphs.push_back(subgraph_of(*s));
  }
  m.associated_files = files_of(root.associated_files());
  return m;
}

}  // namespace

Result<TfliteMetadata> decode_tflite_metadata(std::span<const uint8_t> bytes) {
  if (bytes.size() < kMinSize) {
    return fail(cat("not TFLite metadata: the buffer has only ", bytes.size(), " bytes"));
  }
  if (!fb::ModelMetadataBufferHasIdentifier(bytes.data())) {
    return fail(cat("not TFLite metadata: identifier is '", printable_identifier(bytes), "', expected '",
                    fb::ModelMetadataIdentifier(), "'"));
  }
  if (bytes.size() > kMaxBytes) {
    return fail(cat("TFLite metadata of ", bytes.size(), " bytes is larger than any real one (limit ",
                    kMaxBytes, " bytes)"));
  }
  // The buffer sits wherever the model put it, and the verifier only checks
  // alignment relative to its start: a copy in fresh (16-byte aligned)
  // storage makes every verified field aligned in memory too. Metadata is
  // small, so the copy costs nothing worth noticing.
  const std::vector<uint8_t> aligned(bytes.begin(), bytes.end());
  flatbuffers::Verifier verifier(aligned.data(), aligned.size(), kMaxDepth, kMaxTables);
  if (!fb::VerifyModelMetadataBuffer(verifier)) {
    return fail(
        cat("the TFLite metadata FlatBuffer is invalid (truncated or corrupt: an offset, vector length ",
            "or table lies outside the ", bytes.size(), "-byte buffer, or nesting is too deep)"));
  }
  return metadata_of(*fb::GetModelMetadata(aligned.data()));
}

std::string_view content_kind(const ContentProperties& properties) {
  struct Kind {
    std::string_view operator()(std::monostate) const { return ""; }
    std::string_view operator()(const FeatureContent&) const { return "feature"; }
    std::string_view operator()(const ImageContent&) const { return "image"; }
    std::string_view operator()(const BoundingBoxContent&) const { return "bounding_box"; }
    std::string_view operator()(const AudioContent&) const { return "audio"; }
    std::string_view operator()(const UnknownContent&) const { return "unknown"; }
  };
  return std::visit(Kind{}, properties);
}

std::string_view process_unit_kind(const ProcessUnit& unit) {
  struct Kind {
    std::string_view operator()(const Normalization&) const { return "normalization"; }
    std::string_view operator()(const ScoreCalibration&) const { return "score_calibration"; }
    std::string_view operator()(const ScoreThreshold&) const { return "score_threshold"; }
    std::string_view operator()(const BertTokenizer&) const { return "bert_tokenizer"; }
    std::string_view operator()(const SentencePieceTokenizer&) const { return "sentencepiece_tokenizer"; }
    std::string_view operator()(const RegexTokenizer&) const { return "regex_tokenizer"; }
    std::string_view operator()(const UnknownProcessUnit&) const { return "unknown"; }
  };
  return std::visit(Kind{}, unit);
}

// Descriptions ---------------------------------------------------------------

namespace {

std::string shortest(float v) {
  char buf[32];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return ec == std::errc() ? std::string(buf, end) : std::string("?");
}

std::string file_names(const std::vector<AssociatedFile>& files) {
  std::string out;
  for (const auto& f : files) out += (out.empty() ? "" : ", ") + f.name;
  return out;
}

struct ContentText {
  std::string operator()(std::monostate) const { return {}; }
  std::string operator()(const FeatureContent&) const { return "feature"; }
  std::string operator()(const ImageContent& c) const {
    std::string out = "image, " + c.color_space;
    if (c.default_size) out += cat(", default size ", c.default_size->width, "x", c.default_size->height);
    return out;
  }
  std::string operator()(const BoundingBoxContent& c) const {
    std::string out = cat("bounding box ", c.type, ", ", c.coordinate_type, " coordinates");
    if (!c.index.empty()) {
      out += ", element order [";
      for (size_t i = 0; i < c.index.size(); ++i) out += cat(i == 0 ? "" : ",", c.index[i]);
      out += "]";
    }
    return out;
  }
  std::string operator()(const AudioContent& c) const {
    return cat("audio, ", c.sample_rate, " Hz, ", c.channels, c.channels == 1 ? " channel" : " channels");
  }
  std::string operator()(const UnknownContent& c) const {
    return cat("content of unknown kind ", int{c.code});
  }
};

struct UnitText {
  std::string operator()(const Normalization& u) const {
    return cat("normalization: mean ", float_list(u.mean), ", std ", float_list(u.std));
  }
  std::string operator()(const ScoreCalibration& u) const {
    return cat("score calibration: ", u.transformation, ", default score ", shortest(u.default_score));
  }
  std::string operator()(const ScoreThreshold& u) const {
    return cat("score threshold ", shortest(u.global_threshold));
  }
  std::string operator()(const BertTokenizer& u) const {
    return cat("BERT tokenizer (vocabulary ", file_names(u.vocab_files), ")");
  }
  std::string operator()(const SentencePieceTokenizer& u) const {
    std::string out = cat("SentencePiece tokenizer (model ", file_names(u.models));
    if (!u.vocab_files.empty()) out += cat(", vocabulary ", file_names(u.vocab_files));
    return out + ")";
  }
  std::string operator()(const RegexTokenizer& u) const {
    return cat("regex tokenizer splitting on '", u.delim_pattern, "' (vocabulary ", file_names(u.vocab_files),
               ")");
  }
  std::string operator()(const UnknownProcessUnit& u) const {
    return cat("process unit of unknown kind ", int{u.code});
  }
};

}  // namespace

std::string float_list(const std::vector<float>& values) {
  if (values.size() == 1) return shortest(values.front());
  std::string out = "[";
  for (size_t i = 0; i < values.size(); ++i) out += (i == 0 ? "" : ", ") + shortest(values[i]);
  return out + "]";
}

std::string describe(const TensorContent& content) {
  std::string out = std::visit(ContentText{}, content.properties);
  if (content.range) {
    out += cat(out.empty() ? "" : ", ",
               content.range->min == content.range->max ? "dimension " : "dimensions ", content.range->min);
    if (content.range->min != content.range->max) out += cat(" to ", content.range->max);
  }
  return out;
}

std::string describe(const ProcessUnit& unit) { return std::visit(UnitText{}, unit); }

std::string describe(const MetadataStats& stats) {
  std::string out;
  if (!stats.min.empty()) out += "min " + float_list(stats.min);
  if (!stats.max.empty()) out += (out.empty() ? "max " : ", max ") + float_list(stats.max);
  return out;
}

std::string describe(const AssociatedFile& file) {
  std::string detail = file.type;
  for (const std::string* extra : {&file.locale, &file.version}) {
    if (!extra->empty()) detail += ", " + *extra;
  }
  return file.name + " (" + detail + ")";
}

}  // namespace qs::inspect
