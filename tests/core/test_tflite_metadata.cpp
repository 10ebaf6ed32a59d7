// The TFLite Metadata decoder (inspect/tflite_metadata.h) and its place in
// `info`.
//
// Expected values on corpus models were read from the files independently of
// this decoder: the TFLITE_METADATA buffer was cut out of each model and
// walked with a throwaway Python FlatBuffer reader written from the
// published field numbering, and cross-checked with `flatc --json
// --raw-binary` and `strings`. Where the facts come from is noted at each.
//
// The hand-built buffers below are written with FlatBuffers' untyped builder
// API and the field numbers as published (a field's id is its position in
// its table), so they also check that our schema numbers its fields the
// same way.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "flatbuffers/flatbuffers.h"
#include "format/model_file.h"
#include "inspect/model_info.h"
#include "inspect/tflite_metadata.h"
#include "support/corpus.h"
#include "support/model_builder.h"

namespace qs::inspect {
namespace {

using format::ModelFile;

// The raw TFLITE_METADATA buffer of a corpus model (empty if it has none).
std::vector<uint8_t> metadata_bytes(const std::string& model) {
  auto file = ModelFile::open(test::corpus_model(model));
  if (!file) {
    ADD_FAILURE() << file.error().message;
    return {};
  }
  for (const auto& entry : summarize(*file).metadata) {
    if (entry.name == kTfliteMetadataName) {
      const auto data = file->buffer_data(entry.buffer);
      return {data.begin(), data.end()};
    }
  }
  ADD_FAILURE() << model << " has no " << kTfliteMetadataName << " entry";
  return {};
}

TfliteMetadata decoded(const std::string& model) {
  auto m = decode_tflite_metadata(metadata_bytes(model));
  if (!m) {
    ADD_FAILURE() << model << ": " << m.error().message;
    return {};
  }
  return *m;
}

// Corpus models ---------------------------------------------------------------

// The float MobileNet from the TFLite Support examples. Facts from the Python
// reader; the strings also show in `strings` of the file.
TEST(TfliteMetadata, MobilenetFloat) {
  QS_REQUIRE_CORPUS();
  const TfliteMetadata m = decoded("mobilenet_v1_0.25_224_1_metadata_1.tflite");
  EXPECT_EQ(m.name, "MobileNetV1 image classifier");
  EXPECT_EQ(m.version, "v1");
  EXPECT_EQ(m.author, "TensorFlow");
  EXPECT_EQ(m.license, "Apache License. Version 2.0 http://www.apache.org/licenses/LICENSE-2.0.");
  EXPECT_EQ(m.description.rfind(
                "Identify the most prominent object in the image from a set of 1,001 categories", 0),
            0u)
      << m.description;
  EXPECT_EQ(m.min_parser_version, "");  // this file predates the field
  EXPECT_TRUE(m.associated_files.empty());
  ASSERT_EQ(m.subgraphs.size(), 1u);
  const SubgraphMetadata& sg = m.subgraphs[0];
  ASSERT_EQ(sg.inputs.size(), 1u);
  ASSERT_EQ(sg.outputs.size(), 1u);

  const TensorMetadata& image = sg.inputs[0];
  EXPECT_EQ(image.name, "image");
  EXPECT_EQ(image.description.rfind("Input image to be classified. The expected image is 224 x 224", 0), 0u);
  ASSERT_TRUE(image.content.has_value());
  const auto* props = std::get_if<ImageContent>(&image.content->properties);
  ASSERT_NE(props, nullptr) << content_kind(image.content->properties);
  EXPECT_EQ(props->color_space, "RGB");
  EXPECT_FALSE(props->default_size.has_value());
  EXPECT_FALSE(image.content->range.has_value());
  // The usual MobileNet preprocessing, (x - 127.5) / 127.5: [0, 255] to [-1, 1].
  ASSERT_EQ(image.process_units.size(), 1u);
  const auto* norm = std::get_if<Normalization>(&image.process_units[0]);
  ASSERT_NE(norm, nullptr) << process_unit_kind(image.process_units[0]);
  EXPECT_EQ(norm->mean, std::vector<float>{127.5f});
  EXPECT_EQ(norm->std, std::vector<float>{127.5f});
  EXPECT_EQ(image.stats.min, std::vector<float>{-1.0f});
  EXPECT_EQ(image.stats.max, std::vector<float>{1.0f});

  // The output's content union names FeatureProperties but this file leaves
  // out the (empty) table itself: still a feature.
  const TensorMetadata& probability = sg.outputs[0];
  EXPECT_EQ(probability.name, "probability");
  EXPECT_EQ(probability.description, "Probabilities of the 1001 labels respectively.");
  ASSERT_TRUE(probability.content.has_value());
  EXPECT_TRUE(std::holds_alternative<FeatureContent>(probability.content->properties));
  EXPECT_TRUE(probability.process_units.empty());
  EXPECT_EQ(probability.stats.min, std::vector<float>{0.0f});
  EXPECT_EQ(probability.stats.max, std::vector<float>{1.0f});
  ASSERT_EQ(probability.associated_files.size(), 1u);
  const AssociatedFile& labels = probability.associated_files[0];
  EXPECT_EQ(labels.name, "labels.txt");
  EXPECT_EQ(labels.type, "TENSOR_AXIS_LABELS");
  EXPECT_EQ(labels.description, "Labels for objects that the model can recognize.");
  EXPECT_EQ(labels.locale, "");
  EXPECT_EQ(labels.version, "");
}

// The quantized 128 px MobileNet: a different writer (name "ImageClassifier",
// min_parser_version set), statistics in raw uint8 units. Python reader.
TEST(TfliteMetadata, MobilenetQuantized) {
  QS_REQUIRE_CORPUS();
  const TfliteMetadata m = decoded("mobilenet_v1_0.25_128_quant.tflite");
  EXPECT_EQ(m.name, "ImageClassifier");
  EXPECT_EQ(m.description, "Identify the most prominent object in the image from a known set of categories.");
  EXPECT_EQ(m.min_parser_version, "1.0.0");
  EXPECT_EQ(m.version, "");
  EXPECT_EQ(m.author, "");
  ASSERT_EQ(m.subgraphs.size(), 1u);
  const SubgraphMetadata& sg = m.subgraphs[0];
  ASSERT_EQ(sg.inputs.size(), 1u);
  ASSERT_EQ(sg.outputs.size(), 1u);
  ASSERT_EQ(sg.inputs[0].process_units.size(), 1u);
  const auto* norm = std::get_if<Normalization>(&sg.inputs[0].process_units[0]);
  ASSERT_NE(norm, nullptr);
  EXPECT_EQ(norm->mean, std::vector<float>{127.5f});
  EXPECT_EQ(norm->std, std::vector<float>{127.5f});
  EXPECT_EQ(sg.inputs[0].stats.max, std::vector<float>{255.0f});
  ASSERT_EQ(sg.outputs[0].associated_files.size(), 1u);
  EXPECT_EQ(sg.outputs[0].associated_files[0].name, "imagenet_labels.txt");
  EXPECT_EQ(sg.outputs[0].associated_files[0].type, "TENSOR_AXIS_LABELS");
}

// A test model with identity normalization and an output described by an
// empty TensorMetadata table. Python reader.
TEST(TfliteMetadata, DilatedConvEmptyOutputEntry) {
  QS_REQUIRE_CORPUS();
  const TfliteMetadata m = decoded("dilated_conv.tflite");
  EXPECT_EQ(m.name, "Dilated Convolution Model");
  EXPECT_EQ(m.version, "v1");
  ASSERT_EQ(m.subgraphs.size(), 1u);
  ASSERT_EQ(m.subgraphs[0].inputs.size(), 1u);
  const auto* norm = std::get_if<Normalization>(&m.subgraphs[0].inputs[0].process_units.at(0));
  ASSERT_NE(norm, nullptr);
  EXPECT_EQ(norm->mean, std::vector<float>{0.0f});
  EXPECT_EQ(norm->std, std::vector<float>{1.0f});
  ASSERT_EQ(m.subgraphs[0].outputs.size(), 1u);
  const TensorMetadata& out = m.subgraphs[0].outputs[0];
  EXPECT_EQ(out.name, "");
  EXPECT_FALSE(out.content.has_value());
  EXPECT_TRUE(out.process_units.empty());
  EXPECT_TRUE(out.stats.min.empty() && out.stats.max.empty());
}

// CATALOG.tsv (column "metadata") lists these four as carrying
// TFLITE_METADATA; every such corpus model must decode.
TEST(TfliteMetadata, EveryCorpusModelWithMetadataDecodes) {
  QS_REQUIRE_CORPUS();
  std::set<std::string> with_metadata;
  for (const auto& path : test::corpus_models()) {
    auto file = ModelFile::open(path);
    if (!file) continue;  // the corpus holds deliberately broken files too
    const ModelInfo info = summarize(*file);
    const bool has_entry =
        std::any_of(info.metadata.begin(), info.metadata.end(),
                    [](const MetadataSummary& m) { return m.name == kTfliteMetadataName; });
    if (!has_entry) {
      EXPECT_FALSE(info.tflite_metadata.has_value()) << path;
      EXPECT_EQ(info.tflite_metadata_error, "") << path;
      continue;
    }
    with_metadata.insert(path.filename().string());
    EXPECT_TRUE(info.tflite_metadata.has_value()) << path << ": " << info.tflite_metadata_error;
    EXPECT_EQ(info.tflite_metadata_error, "") << path;
  }
  for (const char* name :
       {"dilated_conv.tflite", "mobilenet_v1_0.25_128_quant.tflite",
        "mobilenet_v1_0.25_224_1_metadata_1.tflite", "mobilenet_v1_0.25_224_quant.tflite"}) {
    EXPECT_TRUE(with_metadata.count(name) == 1) << name;
  }
}

// Broken buffers ------------------------------------------------------------

TEST(TfliteMetadata, TooShortOrWrongIdentifierIsRejected) {
  EXPECT_FALSE(decode_tflite_metadata({}).has_value());
  const std::vector<uint8_t> seven(7, 0);
  auto r = decode_tflite_metadata(seven);
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message.find("7 bytes"), std::string::npos) << r.error().message;

  // A whole TFLite model is not metadata.
  const auto model = test::to_bytes(test::fc_relu_model());
  r = decode_tflite_metadata(model);
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message.find("'TFL3'"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("'M001'"), std::string::npos) << r.error().message;
}

// Real metadata is kilobytes; a huge buffer is refused before it is copied.
TEST(TfliteMetadata, OversizedBufferIsRejected) {
  std::vector<uint8_t> bytes(size_t{17} << 20, 0);
  std::memcpy(bytes.data() + 4, "M001", 4);
  const auto r = decode_tflite_metadata(bytes);
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message.find("larger than any real one"), std::string::npos) << r.error().message;
}

TEST(TfliteMetadata, GarbageWithTheIdentifierIsRejected) {
  std::vector<uint8_t> bytes(64, 0xA5);
  std::memcpy(bytes.data() + 4, "M001", 4);
  const auto r = decode_tflite_metadata(bytes);
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message.find("invalid"), std::string::npos) << r.error().message;
  EXPECT_EQ(r.error().message.find('\n'), std::string::npos);
}

// FlatBuffers are written back to front, so the buffer's tail holds the
// first-written (deepest) objects; cutting into it leaves an offset pointing
// past the end. Only trailing alignment padding, which nothing refers to,
// may go unnoticed: at most 7 bytes for this schema's widest scalars.
TEST(TfliteMetadata, EveryTruncationIsRejected) {
  QS_REQUIRE_CORPUS();
  const auto bytes = metadata_bytes("mobilenet_v1_0.25_224_1_metadata_1.tflite");
  ASSERT_FALSE(bytes.empty());
  size_t padding = 0;
  while (padding < bytes.size() && bytes[bytes.size() - 1 - padding] == 0) ++padding;
  ASSERT_LE(padding, 7u);
  for (size_t n = 0; n + padding < bytes.size(); ++n) {
    const auto r = decode_tflite_metadata(std::span(bytes.data(), n));
    EXPECT_FALSE(r.has_value()) << "accepted the first " << n << " of " << bytes.size() << " bytes";
  }
}

// Every byte replaced by a few hostile values: decoding gives a value or an
// error, never a crash (run under ASan/UBSan in the asan preset). Whatever
// decodes must also render.
TEST(TfliteMetadata, CorruptedBytesNeverCrash) {
  QS_REQUIRE_CORPUS();
  for (const char* model : {"mobilenet_v1_0.25_224_1_metadata_1.tflite", "dilated_conv.tflite"}) {
    const auto original = metadata_bytes(model);
    ASSERT_FALSE(original.empty());
    size_t rejected = 0;
    for (size_t i = 0; i < original.size(); ++i) {
      for (const uint8_t value :
           {uint8_t{0x00}, uint8_t{0xFF}, uint8_t{0x7F}, static_cast<uint8_t>(original[i] ^ 1)}) {
        auto bytes = original;
        bytes[i] = value;
        const auto r = decode_tflite_metadata(bytes);
        if (!r) {
          ++rejected;
          EXPECT_FALSE(r.error().message.empty());
          continue;
        }
        for (const auto& sg : r->subgraphs) {
          for (const auto* list : {&sg.inputs, &sg.outputs}) {
            for (const auto& t : *list) {
              if (t.content) (void)describe(*t.content);
              for (const auto& u : t.process_units) (void)describe(u);
              (void)describe(t.stats);
            }
          }
        }
      }
    }
    EXPECT_GT(rejected, 0u) << model;  // the verifier did see the damage somewhere
  }
}

// `info` on a model whose TFLITE_METADATA is garbage: the model is still
// summarised, the metadata error is reported instead of the metadata.
TEST(TfliteMetadata, BadMetadataDoesNotFailInfo) {
  format::Model model = test::fc_relu_model();
  std::vector<uint8_t> garbage(40, 0x11);
  std::memcpy(garbage.data() + 4, "M001", 4);
  const uint32_t buffer = model.add_buffer(format::Bytes::own(garbage));
  model.metadata.push_back({std::string(kTfliteMetadataName), buffer});
  auto file = ModelFile::from_bytes(test::to_bytes(model), "bad-metadata.tflite");
  ASSERT_TRUE(file.has_value()) << file.error().message;
  const ModelInfo info = summarize(*file);
  EXPECT_FALSE(info.tflite_metadata.has_value());
  EXPECT_NE(info.tflite_metadata_error.find("invalid"), std::string::npos) << info.tflite_metadata_error;
  EXPECT_NE(info.tflite_metadata_error.find(std::to_string(buffer)), std::string::npos);
  EXPECT_EQ(info.subgraphs.size(), 1u);

  const auto j = nlohmann::json::parse(to_json(info));
  EXPECT_TRUE(j["tflite_metadata"].is_null());
  EXPECT_EQ(j["tflite_metadata_error"], info.tflite_metadata_error);
  EXPECT_NE(to_text(info).find("not decoded"), std::string::npos);
}

TEST(TfliteMetadata, JsonAndTextOfMobilenet) {
  QS_REQUIRE_CORPUS();
  auto file = ModelFile::open(test::corpus_model("mobilenet_v1_0.25_224_1_metadata_1.tflite"));
  ASSERT_TRUE(file.has_value()) << file.error().message;
  const ModelInfo info = summarize(*file);
  const auto j = nlohmann::json::parse(to_json(info));
  EXPECT_TRUE(j["tflite_metadata_error"].is_null());
  const auto& m = j["tflite_metadata"];
  EXPECT_EQ(m["name"], "MobileNetV1 image classifier");
  const auto& image = m["subgraphs"][0]["inputs"][0];
  EXPECT_EQ(image["name"], "image");
  EXPECT_EQ(image["content"]["kind"], "image");
  EXPECT_EQ(image["content"]["color_space"], "RGB");
  EXPECT_EQ(image["process_units"][0]["kind"], "normalization");
  EXPECT_EQ(image["process_units"][0]["mean"], nlohmann::json::array({127.5}));
  EXPECT_EQ(image["process_units"][0]["std"], nlohmann::json::array({127.5}));
  EXPECT_EQ(m["subgraphs"][0]["outputs"][0]["associated_files"][0]["name"], "labels.txt");

  const std::string text = to_text(info);
  EXPECT_NE(text.find("name: MobileNetV1 image classifier"), std::string::npos) << text;
  EXPECT_NE(text.find("normalization: mean 127.5, std 127.5"), std::string::npos) << text;
  EXPECT_NE(text.find("file labels.txt (TENSOR_AXIS_LABELS)"), std::string::npos) << text;
}

TEST(TfliteMetadata, ModelWithoutMetadataHasNullField) {
  auto file = ModelFile::from_bytes(test::to_bytes(test::fc_relu_model()), "plain.tflite");
  ASSERT_TRUE(file.has_value());
  const auto j = nlohmann::json::parse(to_json(summarize(*file)));
  ASSERT_TRUE(j.contains("tflite_metadata"));
  EXPECT_TRUE(j["tflite_metadata"].is_null());
  EXPECT_TRUE(j["tflite_metadata_error"].is_null());
}

// Hand-built buffers ------------------------------------------------------------

// A table field's vtable slot from its id.
constexpr flatbuffers::voffset_t slot(int id) { return static_cast<flatbuffers::voffset_t>(4 + 2 * id); }

// Writes tables field by field, by id, without any generated code.
class Writer {
 public:
  using Ref = flatbuffers::Offset<void>;
  flatbuffers::FlatBufferBuilder b;

  Ref str(const std::string& s) { return Ref(b.CreateString(s).o); }
  Ref refs(const std::vector<Ref>& v) { return Ref(b.CreateVector(v).o); }
  template <class T>
  Ref numbers(const std::vector<T>& v) {
    return Ref(b.CreateVector(v).o);
  }
  // `fill` adds the table's fields to the builder, each at slot(id); every
  // object a field refers to must be written before the table starts.
  template <class Fill>
  Ref table(Fill fill) {
    const auto start = b.StartTable();
    fill(b);
    return Ref(b.EndTable(start));
  }
  Ref file(const std::string& name, int8_t type, const std::string& locale = {},
           const std::string& version = {}) {
    const Ref n = str(name), l = str(locale), v = str(version);
    return table([&](auto& t) {
      t.AddOffset(slot(0), n);
      t.template AddElement<int8_t>(slot(2), type, 0);
      t.AddOffset(slot(3), l);
      t.AddOffset(slot(4), v);
    });
  }
  // A ProcessUnit holding `options` of union type `type`.
  Ref unit(uint8_t type, Ref options) {
    return table([&](auto& t) {
      t.template AddElement<uint8_t>(slot(0), type, 0);
      t.AddOffset(slot(1), options);
    });
  }
  std::vector<uint8_t> finish(Ref root) {
    b.Finish(flatbuffers::Offset<void>(root.o), "M001");
    return {b.GetBufferPointer(), b.GetBufferPointer() + b.GetSize()};
  }
};

// Everything the corpus does not exercise: audio and bounding-box content,
// dimension ranges and names, every process unit, tensor groups, custom
// metadata, file locale and version. Union codes and enum values as
// published: ContentProperties Feature 1, Image 2, BoundingBox 3, Audio 4;
// ProcessUnitOptions Normalization 1, ScoreCalibration 2, ScoreThresholding 3,
// BertTokenizer 4, SentencePieceTokenizer 5, RegexTokenizer 6;
// AssociatedFileType VOCABULARY 5, TENSOR_VALUE_LABELS 3;
// BoundingBoxType CENTER 3; CoordinateType PIXEL 1; ScoreTransformationType LOG 1.
TEST(TfliteMetadata, HandBuiltBufferWithEveryKind) {
  Writer w;
  // Input 0: audio, 16 kHz mono, with a regex tokenizer (odd, but legal).
  const Writer::Ref audio = w.table([](auto& t) {
    t.template AddElement<uint32_t>(slot(0), 16000, 0);
    t.template AddElement<uint32_t>(slot(1), 1, 0);
  });
  const Writer::Ref audio_content = w.table([&](auto& t) {
    t.template AddElement<uint8_t>(slot(0), 4, 0);
    t.AddOffset(slot(1), audio);
  });
  const Writer::Ref pattern = w.str("\\W+");
  const Writer::Ref regex_vocab = w.refs({w.file("vocab.txt", 5, "en", "2")});
  const Writer::Ref regex = w.table([&](auto& t) {
    t.AddOffset(slot(0), pattern);
    t.AddOffset(slot(1), regex_vocab);
  });
  const Writer::Ref regex_units = w.refs({w.unit(6, regex)});
  const Writer::Ref audio_name = w.str("waveform");
  const Writer::Ref audio_tensor = w.table([&](auto& t) {
    t.AddOffset(slot(0), audio_name);
    t.AddOffset(slot(3), audio_content);
    t.AddOffset(slot(4), regex_units);
  });

  // Output 0: boxes, CENTER in PIXEL units, element order 1,0,3,2, one box
  // per dimension 2; named dimensions.
  const Writer::Ref order = w.numbers<uint32_t>({1, 0, 3, 2});
  const Writer::Ref box = w.table([&](auto& t) {
    t.AddOffset(slot(0), order);
    t.template AddElement<int8_t>(slot(1), 3, 0);
    t.template AddElement<int8_t>(slot(2), 1, 0);
  });
  const Writer::Ref range = w.table([](auto& t) {
    t.template AddElement<int32_t>(slot(0), 2, 0);
    t.template AddElement<int32_t>(slot(1), 2, 0);
  });
  const Writer::Ref box_content = w.table([&](auto& t) {
    t.template AddElement<uint8_t>(slot(0), 3, 0);
    t.AddOffset(slot(1), box);
    t.AddOffset(slot(2), range);
  });
  const Writer::Ref dims = w.refs({w.str("batch"), w.str("box"), w.str("coordinate")});
  const Writer::Ref calibration = w.table([](auto& t) {
    t.template AddElement<int8_t>(slot(0), 1, 0);
    t.template AddElement<float>(slot(1), 0.25f, 0);
  });
  const Writer::Ref threshold = w.table([](auto& t) { t.template AddElement<float>(slot(0), 0.5f, 0); });
  const Writer::Ref box_units =
      w.refs({w.unit(2, calibration), w.unit(3, threshold), w.unit(42, w.table([](auto&) {}))});
  const Writer::Ref box_name = w.str("boxes");
  const Writer::Ref box_tensor = w.table([&](auto& t) {
    t.AddOffset(slot(0), box_name);
    t.AddOffset(slot(2), dims);
    t.AddOffset(slot(3), box_content);
    t.AddOffset(slot(4), box_units);
  });

  // Subgraph-wide: tokenizers, a group, custom metadata.
  const Writer::Ref bert =
      w.table([&, v = w.refs({w.file("bert_vocab.txt", 5)})](auto& t) { t.AddOffset(slot(0), v); });
  const Writer::Ref sp_model = w.refs({w.file("sp.model", 0)});
  const Writer::Ref sentencepiece = w.table([&](auto& t) { t.AddOffset(slot(0), sp_model); });
  const Writer::Ref input_units = w.refs({w.unit(4, bert), w.unit(5, sentencepiece)});
  const Writer::Ref group_members = w.refs({w.str("boxes"), w.str("classes")});
  const Writer::Ref group_name = w.str("detection");
  const Writer::Ref group = w.table([&](auto& t) {
    t.AddOffset(slot(0), group_name);
    t.AddOffset(slot(1), group_members);
  });
  const Writer::Ref custom_data = w.numbers<uint8_t>({1, 2, 3, 4, 5});
  const Writer::Ref custom_name = w.str("vendor");
  const Writer::Ref custom = w.table([&](auto& t) {
    t.AddOffset(slot(0), custom_name);
    t.AddOffset(slot(1), custom_data);
  });
  const Writer::Ref inputs = w.refs({audio_tensor});
  const Writer::Ref outputs = w.refs({box_tensor});
  const Writer::Ref groups = w.refs({group});
  const Writer::Ref customs = w.refs({custom});
  const Writer::Ref sg_name = w.str("main");
  const Writer::Ref subgraph = w.table([&](auto& t) {
    t.AddOffset(slot(0), sg_name);
    t.AddOffset(slot(2), inputs);
    t.AddOffset(slot(3), outputs);
    t.AddOffset(slot(5), input_units);
    t.AddOffset(slot(7), groups);
    t.AddOffset(slot(9), customs);
  });
  const Writer::Ref subgraphs = w.refs({subgraph});
  const Writer::Ref model_files = w.refs({w.file("labels_fr.txt", 3, "fr", "1.2")});
  const Writer::Ref name = w.str("Everything");
  const Writer::Ref author = w.str("QuantScope tests");
  const Writer::Ref parser = w.str("1.5.0");
  const auto bytes = w.finish(w.table([&](auto& t) {
    t.AddOffset(slot(0), name);
    t.AddOffset(slot(3), subgraphs);
    t.AddOffset(slot(4), author);
    t.AddOffset(slot(6), model_files);
    t.AddOffset(slot(7), parser);
  }));

  const auto r = decode_tflite_metadata(bytes);
  ASSERT_TRUE(r.has_value()) << r.error().message;
  const TfliteMetadata& m = *r;
  EXPECT_EQ(m.name, "Everything");
  EXPECT_EQ(m.author, "QuantScope tests");
  EXPECT_EQ(m.min_parser_version, "1.5.0");
  ASSERT_EQ(m.associated_files.size(), 1u);
  EXPECT_EQ(m.associated_files[0].type, "TENSOR_VALUE_LABELS");
  EXPECT_EQ(m.associated_files[0].locale, "fr");
  EXPECT_EQ(m.associated_files[0].version, "1.2");
  EXPECT_EQ(describe(m.associated_files[0]), "labels_fr.txt (TENSOR_VALUE_LABELS, fr, 1.2)");

  ASSERT_EQ(m.subgraphs.size(), 1u);
  const SubgraphMetadata& sg = m.subgraphs[0];
  EXPECT_EQ(sg.name, "main");

  ASSERT_EQ(sg.inputs.size(), 1u);
  const TensorMetadata& wave = sg.inputs[0];
  EXPECT_EQ(wave.name, "waveform");
  ASSERT_TRUE(wave.content.has_value());
  const auto* a = std::get_if<AudioContent>(&wave.content->properties);
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->sample_rate, 16000u);
  EXPECT_EQ(a->channels, 1u);
  EXPECT_EQ(describe(*wave.content), "audio, 16000 Hz, 1 channel");
  ASSERT_EQ(wave.process_units.size(), 1u);
  const auto* rx = std::get_if<RegexTokenizer>(&wave.process_units[0]);
  ASSERT_NE(rx, nullptr);
  EXPECT_EQ(rx->delim_pattern, "\\W+");
  ASSERT_EQ(rx->vocab_files.size(), 1u);
  EXPECT_EQ(rx->vocab_files[0].type, "VOCABULARY");
  EXPECT_EQ(rx->vocab_files[0].version, "2");

  ASSERT_EQ(sg.outputs.size(), 1u);
  const TensorMetadata& boxes = sg.outputs[0];
  EXPECT_EQ(boxes.dimension_names, (std::vector<std::string>{"batch", "box", "coordinate"}));
  ASSERT_TRUE(boxes.content.has_value());
  const auto* bb = std::get_if<BoundingBoxContent>(&boxes.content->properties);
  ASSERT_NE(bb, nullptr);
  EXPECT_EQ(bb->type, "CENTER");
  EXPECT_EQ(bb->coordinate_type, "PIXEL");
  EXPECT_EQ(bb->index, (std::vector<uint32_t>{1, 0, 3, 2}));
  ASSERT_TRUE(boxes.content->range.has_value());
  EXPECT_EQ(boxes.content->range->min, 2);
  EXPECT_EQ(boxes.content->range->max, 2);
  EXPECT_EQ(describe(*boxes.content),
            "bounding box CENTER, PIXEL coordinates, element order [1,0,3,2], dimension 2");
  ASSERT_EQ(boxes.process_units.size(), 3u);
  const auto* cal = std::get_if<ScoreCalibration>(&boxes.process_units[0]);
  ASSERT_NE(cal, nullptr);
  EXPECT_EQ(cal->transformation, "LOG");
  EXPECT_EQ(cal->default_score, 0.25f);
  const auto* th = std::get_if<ScoreThreshold>(&boxes.process_units[1]);
  ASSERT_NE(th, nullptr);
  EXPECT_EQ(th->global_threshold, 0.5f);
  // A unit type newer than our schema: kept, by its code.
  const auto* unknown = std::get_if<UnknownProcessUnit>(&boxes.process_units[2]);
  ASSERT_NE(unknown, nullptr);
  EXPECT_EQ(unknown->code, 42);
  EXPECT_EQ(process_unit_kind(boxes.process_units[2]), "unknown");

  ASSERT_EQ(sg.input_process_units.size(), 2u);
  const auto* bt = std::get_if<BertTokenizer>(&sg.input_process_units[0]);
  ASSERT_NE(bt, nullptr);
  ASSERT_EQ(bt->vocab_files.size(), 1u);
  EXPECT_EQ(bt->vocab_files[0].name, "bert_vocab.txt");
  const auto* sp = std::get_if<SentencePieceTokenizer>(&sg.input_process_units[1]);
  ASSERT_NE(sp, nullptr);
  ASSERT_EQ(sp->models.size(), 1u);
  EXPECT_EQ(sp->models[0].name, "sp.model");
  EXPECT_TRUE(sp->vocab_files.empty());
  ASSERT_EQ(sg.input_groups.size(), 1u);
  EXPECT_EQ(sg.input_groups[0].name, "detection");
  EXPECT_EQ(sg.input_groups[0].tensor_names, (std::vector<std::string>{"boxes", "classes"}));
  EXPECT_TRUE(sg.output_groups.empty());
  ASSERT_EQ(sg.custom_metadata.size(), 1u);
  EXPECT_EQ(sg.custom_metadata[0].name, "vendor");
  EXPECT_EQ(sg.custom_metadata[0].bytes, 5u);
}

// Enum values newer than our schema read as their number, not as "".
TEST(TfliteMetadata, UnknownEnumValuesReadAsNumbers) {
  Writer w;
  const Writer::Ref image = w.table([](auto& t) { t.template AddElement<int8_t>(slot(0), 9, 0); });
  const Writer::Ref content = w.table([&](auto& t) {
    t.template AddElement<uint8_t>(slot(0), 2, 0);
    t.AddOffset(slot(1), image);
  });
  const Writer::Ref tensor = w.table([&](auto& t) { t.AddOffset(slot(3), content); });
  const Writer::Ref inputs = w.refs({tensor});
  const Writer::Ref subgraph = w.table([&](auto& t) { t.AddOffset(slot(2), inputs); });
  const Writer::Ref subgraphs = w.refs({subgraph});
  const Writer::Ref files = w.refs({w.file("index.bin", 100)});
  const auto bytes = w.finish(w.table([&](auto& t) {
    t.AddOffset(slot(3), subgraphs);
    t.AddOffset(slot(6), files);
  }));
  const auto r = decode_tflite_metadata(bytes);
  ASSERT_TRUE(r.has_value()) << r.error().message;
  ASSERT_EQ(r->associated_files.size(), 1u);
  EXPECT_EQ(r->associated_files[0].type, "100");
  const auto& props = r->subgraphs.at(0).inputs.at(0).content->properties;
  const auto* img = std::get_if<ImageContent>(&props);
  ASSERT_NE(img, nullptr);
  EXPECT_EQ(img->color_space, "9");
}

}  // namespace
}  // namespace qs::inspect
