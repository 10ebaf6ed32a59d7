// Hand-made broken files: each starts from a valid model (tests/support/
// model_builder.h) with exactly one thing wrong, so a rejection can only be
// for that reason, and the message must say what it is. Every rejection is
// checked through both entry points (from_bytes with a name, open() of a
// real file) for the message contract of ModelFile: one line, starting with
// the file name.
//
// Also the writer's promises: a failed write leaves nothing behind, a
// successful one replaces the target atomically, and data placed after the
// FlatBuffer reads back byte for byte.

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <initializer_list>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "format/model_file.h"
#include "format/op_options.h"
#include "format/write_model.h"
#include "qs/tfl/tflite_generated.h"
#include "support/corpus.h"
#include "support/model_builder.h"
#include "support/temp_dir.h"

namespace qs::format {
namespace {

using test::Conv;
using test::FcRelu;
using test::TempDir;

std::string current_test_name() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  return info == nullptr ? std::string("unknown") : info->name();
}

void write_bytes(const std::filesystem::path& path, const std::vector<uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  ASSERT_TRUE(out.good()) << "cannot write " << path;
}

std::vector<std::string> list_dir(const std::filesystem::path& dir) {
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(dir))
    names.push_back(e.path().filename().string());
  return names;
}

// The message contract every rejection must meet, plus the case's own facts.
void expect_message(const std::string& message, const std::string& file_name,
                    std::initializer_list<std::string_view> needles) {
  SCOPED_TRACE("message: " + message);
  EXPECT_TRUE(message.starts_with(file_name + ": "))
      << "does not begin with the file name '" << file_name << "'";
  EXPECT_EQ(message.find('\n'), std::string::npos) << "spans more than one line";
  for (const auto needle : needles) {
    EXPECT_NE(message.find(needle), std::string::npos) << "does not mention '" << needle << "'";
  }
}

// Rejects `bytes` via from_bytes and via open() of a real file; returns the
// from_bytes message (empty if the bytes were wrongly accepted).
std::string expect_rejected(const std::vector<uint8_t>& bytes,
                            std::initializer_list<std::string_view> needles) {
  const std::string name = current_test_name() + ".tflite";
  std::string message;
  {
    auto file = ModelFile::from_bytes(bytes, name);
    EXPECT_FALSE(file.has_value()) << name << " (" << bytes.size() << " bytes) was accepted by from_bytes";
    if (!file) {
      message = file.error().message;
      expect_message(message, name, needles);
    }
  }
  TempDir dir("qs-broken");
  const auto path = dir / name;
  write_bytes(path, bytes);
  auto file = ModelFile::open(path);
  EXPECT_FALSE(file.has_value()) << path << " was accepted by open";
  if (!file) expect_message(file.error().message, path.string(), needles);
  return message;
}

void expect_accepted(const std::vector<uint8_t>& bytes) {
  auto file = ModelFile::from_bytes(bytes, current_test_name() + ".tflite");
  EXPECT_TRUE(file.has_value()) << file.error().message;
}

tfl::Model* mutable_root(std::vector<uint8_t>& bytes) { return tfl::GetMutableModel(bytes.data()); }

// The builders are the baseline of every case below: if they were invalid,
// a rejection would prove nothing about the one field each case breaks.
TEST(ModelBuilder, BuildsModelsThatOpen) {
  for (const auto& [what, model] :
       {std::pair{"fc_relu", test::fc_relu_model()}, std::pair{"conv", test::conv_model(false)},
        std::pair{"conv int8", test::conv_model(true)}, std::pair{"while", test::while_model()},
        std::pair{"if", test::if_model()}, std::pair{"fc_chain", test::fc_chain_model(3, 5)}}) {
    SCOPED_TRACE(what);
    for (const uint64_t limit : {WriteOptions{}.inline_data_limit, uint64_t{0}}) {
      auto file =
          ModelFile::from_bytes(test::to_bytes(model, WriteOptions{.inline_data_limit = limit}), what);
      ASSERT_TRUE(file.has_value()) << file.error().message;
      const Model back = file->to_model();
      ASSERT_EQ(back.subgraphs.size(), model.subgraphs.size());
      for (size_t g = 0; g < model.subgraphs.size(); ++g) {
        EXPECT_EQ(back.subgraphs[g].operators.size(), model.subgraphs[g].operators.size());
        EXPECT_EQ(back.subgraphs[g].tensors.size(), model.subgraphs[g].tensors.size());
      }
    }
  }
}

// --- Not a model at all ---------------------------------------------------

TEST(BrokenFile, TooSmall) {
  const auto valid = test::to_bytes(test::fc_relu_model());
  for (const size_t size : {size_t{0}, size_t{1}, size_t{7}}) {
    SCOPED_TRACE(size);
    const std::vector<uint8_t> bytes(valid.begin(), valid.begin() + static_cast<ptrdiff_t>(size));
    expect_rejected(bytes, {"not a TFLite model", "only " + std::to_string(size) + " bytes"});
  }
}

TEST(BrokenFile, WrongIdentifier) {
  auto bytes = test::to_bytes(test::fc_relu_model());
  std::memcpy(bytes.data() + 4, "ONNX", 4);
  expect_rejected(bytes, {"file identifier is 'ONNX'", "expected 'TFL3'"});
}

// The identifier is quoted from the file: control bytes there must not
// break the one-line rule.
TEST(BrokenFile, UnprintableIdentifierStaysOnOneLine) {
  auto bytes = test::to_bytes(test::fc_relu_model());
  const uint8_t id[] = {'\n', 'F', '\r', 0};
  std::memcpy(bytes.data() + 4, id, 4);
  // "\?" is a plain '?': written out, "??'" would be a trigraph.
  expect_rejected(bytes, {"file identifier is '?F?\?'"});
}

TEST(BrokenFile, Truncated) {
  const auto valid = test::to_bytes(test::fc_relu_model());
  ASSERT_GT(valid.size(), 64u);
  const size_t n = valid.size();
  for (const size_t cut : {size_t{8}, size_t{12}, size_t{32}, n / 4, n / 2, 3 * n / 4, n - 8, n - 1}) {
    SCOPED_TRACE("cut at " + std::to_string(cut) + " of " + std::to_string(n));
    const std::vector<uint8_t> bytes(valid.begin(), valid.begin() + static_cast<ptrdiff_t>(cut));
    expect_rejected(bytes, {"truncated or corrupt", std::to_string(cut) + "-byte file"});
  }
}

// With data after the FlatBuffer, losing the tail leaves a structurally
// sound FlatBuffer whose buffers point past the end: a different check.
TEST(BrokenFile, TruncatedDataAfterFlatBuffer) {
  const auto valid = test::to_bytes(test::fc_relu_model(), WriteOptions{.inline_data_limit = 0});
  const auto* weights = tfl::GetModel(valid.data())->buffers()->Get(FcRelu::kWeightsBuffer);
  ASSERT_GT(weights->offset(), 1u) << "the writer did not move the weights after the FlatBuffer";
  for (const size_t cut : {static_cast<size_t>(weights->offset()), valid.size() - 1}) {
    SCOPED_TRACE(cut);
    const std::vector<uint8_t> bytes(valid.begin(), valid.begin() + static_cast<ptrdiff_t>(cut));
    expect_rejected(bytes, {"lies beyond the end of the file (" + std::to_string(cut) + " bytes)"});
  }
}

// --- Indices out of range -------------------------------------------------

TEST(BrokenFile, OpInputTensorOutOfRange) {
  auto model = test::fc_relu_model();
  model.subgraphs[0].operators[FcRelu::kFcOp].inputs[0] = 42;
  expect_rejected(test::to_bytes(model), {"subgraph 0 operator #0 (FULLY_CONNECTED) input 0",
                                          "refers to tensor 42", "has 5 tensors"});
}

TEST(BrokenFile, OpOutputTensorNegative) {
  auto model = test::fc_relu_model();
  model.subgraphs[0].operators[FcRelu::kReluOp].outputs[0] = -2;
  expect_rejected(test::to_bytes(model), {"operator #1 (RELU) output 0", "refers to tensor -2"});
}

// -1 marks an omitted optional input (FULLY_CONNECTED without bias): the
// range check must not reject it.
TEST(BrokenFile, OmittedOptionalInputIsNotAnError) {
  auto model = test::fc_relu_model();
  model.subgraphs[0].operators[FcRelu::kFcOp].inputs[2] = -1;
  expect_accepted(test::to_bytes(model));
}

TEST(BrokenFile, GraphOutputOutOfRange) {
  auto model = test::fc_relu_model();
  model.subgraphs[0].outputs = {5};
  expect_rejected(test::to_bytes(model), {"subgraph 0 output 0 refers to tensor 5", "has 5 tensors"});
}

TEST(BrokenFile, TensorBufferOutOfRange) {
  auto model = test::fc_relu_model();
  model.subgraphs[0].tensors[FcRelu::kWeights].buffer = 99;
  expect_rejected(test::to_bytes(model), {"'fc/weights'", "refers to buffer 99", "has 3 buffers"});
}

TEST(BrokenFile, OpcodeIndexOutOfRange) {
  auto bytes = test::to_bytes(test::fc_relu_model());
  // The writer numbers op codes itself, so the index is patched in the file.
  // RELU's index is 1, not the default 0, so the field is present to patch.
  auto* op =
      mutable_root(bytes)->mutable_subgraphs()->GetMutableObject(0)->mutable_operators()->GetMutableObject(
          FcRelu::kReluOp);
  ASSERT_EQ(op->opcode_index(), 1u);
  ASSERT_TRUE(op->mutate_opcode_index(7));
  expect_rejected(bytes, {"subgraph 0 operator #1 uses operator code 7", "the model has 2"});
}

TEST(BrokenFile, MetadataBufferOutOfRange) {
  auto model = test::fc_relu_model();
  model.metadata.push_back(Metadata{"min_runtime_version", 50});
  expect_rejected(test::to_bytes(model),
                  {"metadata 'min_runtime_version' refers to buffer 50", "has 3 buffers"});
}

// --- Signatures -----------------------------------------------------------

TEST(BrokenFile, SignatureMissingSubgraph) {
  auto model = test::fc_relu_model();
  model.signatures[0].subgraph_index = 3;
  expect_rejected(test::to_bytes(model),
                  {"signature 'serving_default'", "refers to subgraph 3", "the model has 1"});
}

TEST(BrokenFile, SignatureMissingTensor) {
  auto model = test::fc_relu_model();
  model.signatures[0].outputs[0].tensor_index = 17;
  expect_rejected(test::to_bytes(model),
                  {"signature 'serving_default'", "'y' refers to tensor 17", "subgraph 0 has 5 tensors"});
}

// --- Constant data --------------------------------------------------------

TEST(BrokenFile, ConstantBufferTooSmall) {
  auto model = test::conv_model();
  // [8,3,3,3] float32 = 216 values = 864 bytes; one value short.
  model.buffers[Conv::kFilterBuffer].data = test::float_data(215);
  for (const uint64_t limit : {WriteOptions{}.inline_data_limit, uint64_t{0}}) {
    SCOPED_TRACE(limit == 0 ? "data after the FlatBuffer" : "inline data");
    expect_rejected(test::to_bytes(model, WriteOptions{.inline_data_limit = limit}),
                    {"'conv/filter'", "holds 860 bytes", "[8,3,3,3]", "FLOAT32", "needs 864"});
  }
}

TEST(BrokenFile, ConstantBufferTooLarge) {
  auto model = test::conv_model();
  model.buffers[Conv::kBiasBuffer].data = test::float_data(9);
  expect_rejected(test::to_bytes(model), {"'conv/bias'", "holds 36 bytes", "needs 32"});
}

TEST(BrokenFile, BufferOffsetBeyondEndOfFile) {
  const auto valid = test::to_bytes(test::fc_relu_model(), WriteOptions{.inline_data_limit = 0});
  const uint64_t n = valid.size();
  const uint64_t weights_size = tfl::GetModel(valid.data())->buffers()->Get(FcRelu::kWeightsBuffer)->size();
  ASSERT_EQ(weights_size, 3u * 4u * 4u);
  struct Case {
    const char* what;
    uint64_t offset;
    uint64_t size;
  };
  const Case cases[] = {
      {"starts past the end", n + 64, weights_size},
      {"starts inside, ends past the end", n - 4, weights_size},
      // Sums that wrap around 64 bits must not pass as "inside".
      {"huge offset", std::numeric_limits<uint64_t>::max() - 8, weights_size},
      {"huge size", 64, std::numeric_limits<uint64_t>::max()},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    auto bytes = valid;
    auto* b = mutable_root(bytes)->mutable_buffers()->GetMutableObject(FcRelu::kWeightsBuffer);
    ASSERT_TRUE(b->mutate_offset(c.offset));
    ASSERT_TRUE(b->mutate_size(c.size));
    expect_rejected(bytes, {"buffer #1: data at offset " + std::to_string(c.offset) + " with size " +
                                std::to_string(c.size),
                            "lies beyond the end of the file (" + std::to_string(n) + " bytes)"});
  }
}

// --- Graph structure ------------------------------------------------------

TEST(BrokenFile, CycleBetweenTwoOps) {
  auto model = test::fc_relu_model();
  // FULLY_CONNECTED now reads RELU's output, and RELU reads FULLY_CONNECTED's.
  model.subgraphs[0].operators[FcRelu::kFcOp].inputs[0] = FcRelu::kOutput;
  const std::string message = expect_rejected(test::to_bytes(model), {"is part of a cycle"});
  EXPECT_TRUE(message.find("operator #0 (FULLY_CONNECTED)") != std::string::npos ||
              message.find("operator #1 (RELU)") != std::string::npos)
      << "names neither op of the cycle: " << message;
}

TEST(BrokenFile, OpReadingItsOwnOutput) {
  auto model = test::fc_relu_model();
  model.subgraphs[0].operators[FcRelu::kReluOp].inputs[0] = FcRelu::kOutput;
  expect_rejected(test::to_bytes(model), {"operator #1 (RELU) is part of a cycle"});
}

// Only cycles are errors: ops listed out of execution order can still run
// (validate.h), so a reader must not reject them.
TEST(BrokenFile, OpsOutOfOrderAreNotACycle) {
  auto model = test::fc_relu_model();
  std::swap(model.subgraphs[0].operators[0], model.subgraphs[0].operators[1]);
  expect_accepted(test::to_bytes(model));
}

TEST(BrokenFile, WhileBodyIsMissingSubgraph) {
  auto model = test::while_model();
  tfl::WhileOptionsT options;
  options.cond_subgraph_index = 1;
  options.body_subgraph_index = 5;
  model.subgraphs[0].operators[0].options = make_options(options);
  expect_rejected(test::to_bytes(model),
                  {"operator #0 (WHILE)", "body_subgraph_index refers to subgraph 5", "the model has 3"});
}

TEST(BrokenFile, WhileCondIsNegative) {
  auto model = test::while_model();
  tfl::WhileOptionsT options;
  options.cond_subgraph_index = -1;
  options.body_subgraph_index = 2;
  model.subgraphs[0].operators[0].options = make_options(options);
  expect_rejected(test::to_bytes(model),
                  {"operator #0 (WHILE)", "cond_subgraph_index refers to subgraph -1"});
}

TEST(BrokenFile, IfElseIsMissingSubgraph) {
  auto model = test::if_model();
  tfl::IfOptionsT options;
  options.then_subgraph_index = 1;
  options.else_subgraph_index = 3;
  model.subgraphs[0].operators[0].options = make_options(options);
  expect_rejected(test::to_bytes(model),
                  {"operator #0 (IF)", "else_subgraph_index refers to subgraph 3", "the model has 3"});
}

// --- Quantization ---------------------------------------------------------

TEST(BrokenFile, PerChannelScaleCountDoesNotMatchDimension) {
  auto model = test::conv_model(true);
  auto& q = *model.subgraphs[0].tensors[Conv::kFilter].quantization;
  q.scale.resize(7);
  q.zero_point.resize(7);
  expect_rejected(test::to_bytes(model),
                  {"'conv/filter'", "7 per-channel scales along dimension 0", "[8,3,3,3] has 8 there"});
}

TEST(BrokenFile, PerChannelScalesAlongWrongDimension) {
  auto model = test::conv_model(true);
  model.subgraphs[0].tensors[Conv::kFilter].quantization->quantized_dimension = 1;
  expect_rejected(test::to_bytes(model),
                  {"'conv/filter'", "8 per-channel scales along dimension 1", "has 3 there"});
}

TEST(BrokenFile, ZeroPointCountDoesNotMatchScales) {
  auto model = test::conv_model(true);
  model.subgraphs[0].tensors[Conv::kFilter].quantization->zero_point.resize(5);
  expect_rejected(test::to_bytes(model), {"'conv/filter'", "8 scales but 5 zero points"});
}

// --- Writer ---------------------------------------------------------------

TEST(ModelWriter, WriteIntoMissingFolderFailsCleanly) {
  TempDir dir("qs-writer");
  const auto path = dir.path() / "missing" / "model.tflite";
  const auto status = write_file(test::fc_relu_model(), path);
  ASSERT_FALSE(status.has_value());
  expect_message(status.error().message, path.string(), {});
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "missing"));
  EXPECT_TRUE(list_dir(dir.path()).empty());
}

TEST(ModelWriter, WriteIntoReadOnlyFolderFailsCleanly) {
  if (::geteuid() == 0) GTEST_SKIP() << "running as root: directory permissions are not enforced";
  TempDir dir("qs-writer");
  const auto folder = dir.path() / "read-only";
  std::filesystem::create_directory(folder);
  ASSERT_EQ(::chmod(folder.c_str(), 0555), 0);
  const auto path = folder / "model.tflite";
  const auto status = write_file(test::fc_relu_model(), path);
  ::chmod(folder.c_str(), 0755);  // so TempDir can clean up whatever happened
  ASSERT_FALSE(status.has_value());
  expect_message(status.error().message, path.string(), {});
  EXPECT_TRUE(list_dir(folder).empty());
}

// A model the writer refuses must not touch the file it would replace.
TEST(ModelWriter, FailedWriteLeavesExistingFileAlone) {
  TempDir dir("qs-writer");
  const auto path = dir / "model.tflite";
  ASSERT_TRUE(write_file(test::fc_relu_model(), path).has_value());
  const auto before = test::read_file(path);
  const auto status = write_file(Model{}, path);  // no subgraphs
  ASSERT_FALSE(status.has_value());
  expect_message(status.error().message, path.string(), {"without subgraphs"});
  EXPECT_EQ(test::read_file(path), before);
  EXPECT_EQ(list_dir(dir.path()), std::vector<std::string>{"model.tflite"});
}

TEST(ModelWriter, ReplacesExistingFileAtomically) {
  TempDir dir("qs-writer");
  const auto path = dir / "model.tflite";
  const auto old_model = test::fc_relu_model(4, 3);
  const auto new_model = test::fc_relu_model(6, 5);
  ASSERT_TRUE(write_file(old_model, path).has_value());
  struct stat old_stat {};
  ASSERT_EQ(::stat(path.c_str(), &old_stat), 0);
  // A reader that has the old file open (mapped) while it is replaced.
  auto old_file = ModelFile::open(path);
  ASSERT_TRUE(old_file.has_value()) << old_file.error().message;

  ASSERT_TRUE(write_file(new_model, path).has_value());

  EXPECT_EQ(test::read_file(path), test::to_bytes(new_model));
  struct stat new_stat {};
  ASSERT_EQ(::stat(path.c_str(), &new_stat), 0);
  // rename() gives the path a new inode; writing in place would keep the old
  // one and change the bytes under the reader's mapping.
  EXPECT_NE(new_stat.st_ino, old_stat.st_ino);
  EXPECT_EQ(std::vector<uint8_t>(old_file->bytes().begin(), old_file->bytes().end()),
            test::to_bytes(old_model));
  EXPECT_EQ(old_file->to_model().subgraphs[0].tensors[FcRelu::kWeights].shape, (std::vector<int32_t>{3, 4}));
  EXPECT_EQ(list_dir(dir.path()), std::vector<std::string>{"model.tflite"})
      << "a temporary file was left behind";
}

// mkstemp creates files only the owner can read; a model is a document
// others (a serving process, a colleague) need to read.
TEST(ModelWriter, WrittenFileIsReadableByOthers) {
  TempDir dir("qs-writer");
  const auto path = dir / "model.tflite";
  ASSERT_TRUE(write_file(test::fc_relu_model(), path).has_value());
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0644u);
}

// fc_relu plus a CUSTOM op with custom options, so both kinds of data that
// can move after the FlatBuffer (buffers, large custom options) are present.
Model model_with_custom_options() {
  auto model = test::fc_relu_model();
  auto& sg = model.subgraphs[0];
  const int32_t z = test::add_tensor(sg, "z", TensorType::FLOAT32, {1, 3});
  test::add_op(sg, BuiltinOp::CUSTOM, {FcRelu::kOutput}, {z});
  sg.operators.back().code.custom_code = "QsTestPostprocess";
  std::vector<uint8_t> custom(40);
  for (size_t i = 0; i < custom.size(); ++i) custom[i] = static_cast<uint8_t>(0xA0 + i);
  sg.operators.back().custom_options = Bytes::own(custom);
  sg.outputs = {z};
  model.signatures[0].outputs[0].tensor_index = static_cast<uint32_t>(z);
  return model;
}

void expect_same_data(const ModelFile& file, const Model& model) {
  const auto& root = file.root();
  ASSERT_EQ(root.buffers()->size(), model.buffers.size());
  for (uint32_t i = 0; i < model.buffers.size(); ++i) {
    SCOPED_TRACE("buffer " + std::to_string(i));
    const auto expected = model.buffers[i].data.span();
    const auto actual = file.buffer_data(i);
    EXPECT_TRUE(std::ranges::equal(actual, expected));
    if (expected.empty()) continue;
    const auto* b = root.buffers()->Get(i);
    EXPECT_GT(b->offset(), 1u) << "stored inline despite inline_data_limit = 0";
    EXPECT_EQ(b->offset() % 64, 0u) << "tail data is documented as 64-byte aligned";
    EXPECT_TRUE(b->data() == nullptr || b->data()->size() == 0);
  }
  const Model back = file.to_model();
  const auto& op = back.subgraphs[0].operators.back();
  EXPECT_EQ(op.code.custom_code, "QsTestPostprocess");
  EXPECT_EQ(op.custom_options, model.subgraphs[0].operators.back().custom_options);
  const auto* raw_op =
      root.subgraphs()->Get(0)->operators()->Get(root.subgraphs()->Get(0)->operators()->size() - 1);
  EXPECT_GT(raw_op->large_custom_options_offset(), 1u) << "custom options stored inline";
}

TEST(ModelWriter, DataAfterFlatBufferRoundTripsThroughSerialize) {
  const auto model = model_with_custom_options();
  auto file =
      ModelFile::from_bytes(test::to_bytes(model, WriteOptions{.inline_data_limit = 0}), "tail.tflite");
  ASSERT_TRUE(file.has_value()) << file.error().message;
  expect_same_data(*file, model);
}

// write_file lays the tail out itself (padding between pieces), separately
// from serialize, so it gets its own round trip; both must agree byte for byte.
TEST(ModelWriter, DataAfterFlatBufferRoundTripsThroughWriteFile) {
  const auto model = model_with_custom_options();
  TempDir dir("qs-writer");
  const auto path = dir / "tail.tflite";
  const WriteOptions options{.inline_data_limit = 0};
  ASSERT_TRUE(write_file(model, path, options).has_value());
  EXPECT_EQ(test::read_file(path), test::to_bytes(model, options));
  auto file = ModelFile::open(path);
  ASSERT_TRUE(file.has_value()) << file.error().message;
  expect_same_data(*file, model);
}

// --- Regressions: bugs the mutation test and the fuzzer found --------------

// Names come from the file and go into messages verbatim: a '\n' in one
// splits the message (and the CLI's stderr line) in two.
TEST(BrokenFile, NewlineInTensorNameStaysOneLine) {
  auto model = test::fc_relu_model();
  model.subgraphs[0].tensors[FcRelu::kWeights].name = "fc/\nweights";
  model.subgraphs[0].tensors[FcRelu::kWeights].buffer = 99;
  expect_rejected(test::to_bytes(model), {"refers to buffer 99"});
}

TEST(BrokenFile, NewlineInCustomCodeStaysOneLine) {
  auto model = model_with_custom_options();
  model.subgraphs[0].operators.back().code.custom_code = "Qs\nTest";
  model.subgraphs[0].operators.back().inputs = {42};
  expect_rejected(test::to_bytes(model), {"refers to tensor 42"});
}

// The validator accepts a CUSTOM op code whose name is present but empty,
// which the writer (rightly) refuses to produce: an accepted file that can't
// be saved again.
TEST(BrokenFile, CustomOpWithEmptyNameIsRejected) {
  auto bytes = test::to_bytes(model_with_custom_options());
  const auto* name = tfl::GetModel(bytes.data())->operator_codes()->Get(2)->custom_code();
  ASSERT_NE(name, nullptr);
  ASSERT_EQ(name->str(), "QsTestPostprocess");
  // A FlatBuffers string is its length, the characters, then a NUL the
  // verifier insists on: zero the length and the first character.
  const auto at = static_cast<size_t>(reinterpret_cast<const uint8_t*>(name) - bytes.data());
  std::memset(bytes.data() + at, 0, sizeof(flatbuffers::uoffset_t) + 1);
  expect_rejected(bytes, {"operator code #2", "CUSTOM but has no custom code name"});
}

// A union kind this build does not know (a newer schema, or corruption) is
// accepted, but the reader can't unpack it, so the writer emits the kind
// without its table, which the validator then rejects: the model can be
// opened but not saved and re-opened. Either answer is consistent: reject
// it up front, or keep it writable.
TEST(BrokenFile, UnknownQuantizationDetailsKindIsRejectedOrRoundTrips) {
  auto model = test::conv_model(true);
  auto details = std::make_shared<tfl::QuantizationDetailsUnion>();
  tfl::CustomQuantizationT custom;
  custom.custom = {1, 2, 3, 4};
  details->Set(std::move(custom));
  model.subgraphs[0].tensors[Conv::kFilter].quantization->details = details;
  auto bytes = test::to_bytes(model);
  const auto* q =
      tfl::GetModel(bytes.data())->subgraphs()->Get(0)->tensors()->Get(Conv::kFilter)->quantization();
  ASSERT_EQ(q->details_type(), tfl::QuantizationDetails::CustomQuantization);
  // No generated mutator for union kinds: find the field through the vtable.
  const auto* table = reinterpret_cast<const uint8_t*>(q);
  const uint8_t* vtable = table - flatbuffers::ReadScalar<flatbuffers::soffset_t>(table);
  const auto field =
      flatbuffers::ReadScalar<flatbuffers::voffset_t>(vtable + tfl::QuantizationParameters::VT_DETAILS_TYPE);
  ASSERT_NE(field, 0);
  bytes[static_cast<size_t>(table - bytes.data()) + field] = 127;

  auto file = ModelFile::from_bytes(bytes, "unknown-details.tflite");
  if (!file) {
    expect_message(file.error().message, "unknown-details.tflite", {"'conv/filter'"});
    return;
  }
  auto rewritten = serialize(file->to_model());
  ASSERT_TRUE(rewritten.has_value()) << rewritten.error().message;
  auto reread = ModelFile::from_bytes(std::move(*rewritten), "rewritten.tflite");
  EXPECT_TRUE(reread.has_value()) << reread.error().message;
}

}  // namespace
}  // namespace qs::format
