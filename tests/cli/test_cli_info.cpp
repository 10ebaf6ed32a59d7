// `quantscope-cli info` as a user runs it: the real binary in a child
// process, checked on exit status and on what reaches stdout and stderr
// (app/cli/main.cpp: 0 success, 1 bad input with a one-line reason,
// 2 usage error).

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <fstream>
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

using CliRun = test::ProcessResult;

CliRun run_cli(const std::vector<std::string>& args) {
  std::vector<std::string> argv{QS_CLI_PATH};
  argv.insert(argv.end(), args.begin(), args.end());
  CliRun run = test::capture(argv);
  if (!run.started) ADD_FAILURE() << run.error;
  return run;
}


// ad01_fp32.tflite's input is "input_1" according to the corpus CATALOG.tsv
// (column inputs(sg0)), which was produced independently of this tool.
constexpr const char* kCatalogModel = "ad01_fp32.tflite";
constexpr const char* kCatalogInput = "input_1";

TEST(CliInfo, PrintsInputNameOfRealModel) {
  QS_REQUIRE_CORPUS();
  const auto path = test::corpus_model(kCatalogModel);
  const CliRun r = run_cli({"info", path.string()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find(kCatalogInput), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("FULLY_CONNECTED"), std::string::npos) << r.out;
  EXPECT_TRUE(r.err.empty()) << r.err;
}

TEST(CliInfo, JsonOfRealModelParses) {
  QS_REQUIRE_CORPUS();
  const auto path = test::corpus_model(kCatalogModel);
  const CliRun r = run_cli({"info", path.string(), "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << "not JSON:\n" << r.out;
  EXPECT_EQ(j.value("format", ""), "quantscope.model-info");
  EXPECT_EQ(j.value("path", ""), path.string());
  ASSERT_TRUE(j.contains("subgraphs") && !j["subgraphs"].empty());
  EXPECT_EQ(j["subgraphs"][0]["inputs"][0].value("name", ""), kCatalogInput);
  // Catalog: 10 FULLY_CONNECTED ops, file size 1067648 bytes.
  EXPECT_EQ(j["operators"].value("FULLY_CONNECTED", 0), 10);
  EXPECT_EQ(j.value("file_bytes", 0), 1067648);
}

// The same on a model built here, so the CLI is covered without the corpus.
TEST(CliInfo, DescribesBuiltModel) {
  test::TempDir dir("qs-cli");
  const auto path = dir / "fc.tflite";
  ASSERT_TRUE(format::write_file(test::fc_relu_model(4, 3), path).has_value());
  const CliRun text = run_cli({"info", path.string()});
  EXPECT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("x: FLOAT32[1,4]"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("y: FLOAT32[1,3]"), std::string::npos) << text.out;

  const CliRun json = run_cli({"info", "--json", path.string()});  // option before the model
  ASSERT_EQ(json.exit_code, 0) << json.err;
  const auto j = nlohmann::json::parse(json.out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << json.out;
  EXPECT_EQ(j.value("format", ""), "quantscope.model-info");
  // 3x4 weights + 3 biases.
  EXPECT_EQ(j["parameters"].value("count", 0), 15);
  EXPECT_EQ(j["signatures"][0].value("key", ""), "serving_default");
}

TEST(CliInfo, GarbageFileIsExitOneWithOneLineNamingIt) {
  test::TempDir dir("qs-cli");
  const auto path = dir / "garbage.tflite";
  {
    std::ofstream out(path, std::ios::binary);
    out << "this is not a model, just some text long enough to have an identifier\n";
  }
  const CliRun r = run_cli({"info", path.string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(test::line_count(r.err), 1u) << r.err;
  EXPECT_TRUE(r.err.ends_with("\n")) << r.err;
  EXPECT_NE(r.err.find(path.string()), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
}

TEST(CliInfo, MissingFileIsExitOne) {
  test::TempDir dir("qs-cli");
  const auto path = dir / "does-not-exist.tflite";
  const CliRun r = run_cli({"info", path.string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(test::line_count(r.err), 1u) << r.err;
  EXPECT_NE(r.err.find(path.string()), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
}

TEST(CliInfo, DirectoryIsExitOne) {
  test::TempDir dir("qs-cli");
  const CliRun r = run_cli({"info", dir.path().string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(test::line_count(r.err), 1u) << r.err;
}

TEST(CliInfo, NoArgumentsIsUsageError) {
  const CliRun none = run_cli({});
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_FALSE(none.err.empty());
  const CliRun no_model = run_cli({"info"});
  EXPECT_EQ(no_model.exit_code, 2);
  EXPECT_FALSE(no_model.err.empty());
}

TEST(CliInfo, UnknownOptionIsUsageError) {
  const CliRun r = run_cli({"info", "--frobnicate", "model.tflite"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--frobnicate"), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
}

TEST(CliInfo, UnknownCommandIsUsageError) {
  const CliRun r = run_cli({"frobnicate"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("frobnicate"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace qs::cli
