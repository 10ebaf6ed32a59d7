// `quantscope-cli info` on models with TFLite Metadata, end to end on the
// real binary. Expected values were read from the metadata buffer with a
// throwaway Python FlatBuffer reader and `flatc --json --raw-binary`, not
// with QuantScope (see tests/core/test_tflite_metadata.cpp).

#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "format/write_model.h"
#include "support/corpus.h"
#include "support/model_builder.h"
#include "support/subprocess.h"
#include "support/temp_dir.h"

namespace qs::cli {
namespace {

using CliResult = test::ProcessResult;

CliResult run_cli(const std::vector<std::string>& args) {
  std::vector<std::string> argv{QS_CLI_PATH};
  argv.insert(argv.end(), args.begin(), args.end());
  CliResult run = test::capture(argv);
  if (!run.started) ADD_FAILURE() << run.error;
  return run;
}

constexpr const char* kMobilenet = "mobilenet_v1_0.25_224_1_metadata_1.tflite";

TEST(CliInfoMetadata, TextShowsDecodedMetadata) {
  QS_REQUIRE_CORPUS();
  const CliResult r = run_cli({"info", test::corpus_model(kMobilenet).string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("model metadata (TFLITE_METADATA):"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("name: MobileNetV1 image classifier"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("author: TensorFlow"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("input 0 'image': image, RGB; normalization: mean 127.5, std 127.5; min -1, max 1"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("file labels.txt (TENSOR_AXIS_LABELS)"), std::string::npos) << r.out;
}

TEST(CliInfoMetadata, JsonCarriesDecodedMetadata) {
  QS_REQUIRE_CORPUS();
  const CliResult r = run_cli({"info", "--json", test::corpus_model(kMobilenet).string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << r.out;
  EXPECT_EQ(j.value("format_version", 0), 1);
  EXPECT_TRUE(j["tflite_metadata_error"].is_null());
  const auto& m = j["tflite_metadata"];
  ASSERT_TRUE(m.is_object()) << r.out;
  EXPECT_EQ(m.value("name", ""), "MobileNetV1 image classifier");
  EXPECT_EQ(m.value("version", ""), "v1");
  const auto& image = m["subgraphs"][0]["inputs"][0];
  EXPECT_EQ(image.value("name", ""), "image");
  EXPECT_EQ(image["content"].value("color_space", ""), "RGB");
  EXPECT_EQ(image["process_units"][0].value("kind", ""), "normalization");
  EXPECT_EQ(image["process_units"][0]["mean"][0].get<double>(), 127.5);
  EXPECT_EQ(image["process_units"][0]["std"][0].get<double>(), 127.5);
  const auto& labels = m["subgraphs"][0]["outputs"][0]["associated_files"][0];
  EXPECT_EQ(labels.value("name", ""), "labels.txt");
  EXPECT_EQ(labels.value("type", ""), "TENSOR_AXIS_LABELS");
}

// A metadata buffer that does not decode is reported, and `info` still
// succeeds: the model itself is fine.
TEST(CliInfoMetadata, BadMetadataIsReportedNotFatal) {
  format::Model model = test::fc_relu_model();
  std::vector<uint8_t> garbage(40, 0x11);
  std::memcpy(garbage.data() + 4, "M001", 4);
  model.metadata.push_back({"TFLITE_METADATA", model.add_buffer(format::Bytes::own(garbage))});
  test::TempDir dir("qs-cli-meta");
  const auto path = dir / "bad-metadata.tflite";
  ASSERT_TRUE(format::write_file(model, path).has_value());

  const CliResult text = run_cli({"info", path.string()});
  EXPECT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("model metadata (TFLITE_METADATA): not decoded:"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("x: FLOAT32[1,4]"), std::string::npos) << text.out;

  const CliResult json = run_cli({"info", "--json", path.string()});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  const auto j = nlohmann::json::parse(json.out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << json.out;
  EXPECT_TRUE(j["tflite_metadata"].is_null());
  ASSERT_TRUE(j["tflite_metadata_error"].is_string());
  EXPECT_NE(j["tflite_metadata_error"].get<std::string>().find("invalid"), std::string::npos);
}

}  // namespace
}  // namespace qs::cli
