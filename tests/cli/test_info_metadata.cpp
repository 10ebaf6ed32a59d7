// `quantscope-cli info` on models with TFLite Metadata, end to end on the
// real binary. Expected values were read from the metadata buffer with a
// throwaway Python FlatBuffer reader and `flatc --json --raw-binary`, not
// with QuantScope (see tests/core/test_tflite_metadata.cpp).

#include <fcntl.h>
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/wait.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "format/write_model.h"
#include "support/corpus.h"
#include "support/model_builder.h"
#include "support/temp_dir.h"

extern char** environ;

namespace qs::cli {
namespace {

struct CliResult {
  int exit_code = -1;  // -1: did not exit normally
  std::string out;
  std::string err;
};

std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// quantscope-cli with `args`, its output captured in files (a pipe could
// fill up and deadlock the wait).
CliResult run_cli(const std::vector<std::string>& args) {
  test::TempDir dir("qs-cli-meta");
  const auto out_path = dir / "stdout";
  const auto err_path = dir / "stderr";
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  std::vector<std::string> storage{QS_CLI_PATH};
  storage.insert(storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : storage) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, QS_CLI_PATH, &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  CliResult run;
  if (rc != 0) {
    ADD_FAILURE() << "cannot start " << QS_CLI_PATH << ": " << std::strerror(rc);
    return run;
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status)) run.exit_code = WEXITSTATUS(status);
  run.out = slurp(out_path);
  run.err = slurp(err_path);
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
