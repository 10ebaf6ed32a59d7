// `quantscope-cli quantize` as a user runs it (the real binary in a child
// process): float16 mode end to end, and every refusal leaving no file.

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/cli_runner.h"
#include "format/model_file.h"
#include "format/write_model.h"
#include "support/corpus.h"
#include "support/model_builder.h"
#include "support/subprocess.h"
#include "support/temp_dir.h"

namespace qs::cli {
namespace {

namespace fs = std::filesystem;

TEST(CliQuantize, Float16WritesAValidHalfSizeModelAndItsPlan) {
  test::TempDir dir("qs-cli-quantize");
  ASSERT_TRUE(format::write_file(test::fc_relu_model(256, 64), dir / "fc.tflite"));
  const auto r = run_cli({"quantize", (dir / "fc.tflite").string(), "--mode", "float16", "--out",
                          (dir / "fc16.tflite").string(), "--plan", (dir / "plan.json").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("2 tensors changed type, 2 ops inserted"), std::string::npos) << r.out;
  auto written = format::ModelFile::open(dir / "fc16.tflite");
  ASSERT_TRUE(written) << written.error().message;
  // 256 x 64 weights: 64 KiB as float32, 32 KiB as float16.
  EXPECT_LT(fs::file_size(dir / "fc16.tflite"), fs::file_size(dir / "fc.tflite") * 6 / 10);
  std::ifstream plan_file(dir / "plan.json");
  const auto plan = nlohmann::json::parse(plan_file);
  EXPECT_EQ(plan["format"], "quantscope.quant-plan");
  EXPECT_EQ(plan["mode"], "float16");
  ASSERT_EQ(plan["inserted_ops"].size(), 2u);
  EXPECT_EQ(plan["inserted_ops"][0]["type"], "DEQUANTIZE");
  for (const auto& t : plan["tensors"]) EXPECT_EQ(t["to"], "FLOAT16") << t.dump();
}

TEST(CliQuantize, DynamicQuantizesLargeFullyConnectedWeights) {
  test::TempDir dir("qs-cli-quantize");
  ASSERT_TRUE(format::write_file(test::fc_relu_model(64, 32), dir / "fc.tflite"));
  const auto r = run_cli({"quantize", (dir / "fc.tflite").string(), "--mode", "dynamic", "--out",
                          (dir / "dyn.tflite").string(), "--plan", (dir / "plan.json").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("1 tensors changed type"), std::string::npos) << r.out;
  auto written = format::ModelFile::open(dir / "dyn.tflite");
  ASSERT_TRUE(written) << written.error().message;
  std::ifstream plan_file(dir / "plan.json");
  const auto plan = nlohmann::json::parse(plan_file);
  EXPECT_EQ(plan["mode"], "dynamic");
  int int8 = 0;
  for (const auto& t : plan["tensors"]) int8 += t["to"] == "INT8" ? 1 : 0;
  EXPECT_EQ(int8, 1);
  // --min-elements above the weights' 2048: nothing to quantize.
  const auto none = run_cli({"quantize", (dir / "fc.tflite").string(), "--mode", "dynamic", "--min-elements",
                             "4096", "--out", (dir / "none.tflite").string()});
  ASSERT_EQ(none.exit_code, 0) << none.err;
  EXPECT_NE(none.out.find("0 tensors changed type"), std::string::npos) << none.out;
  const auto bad = run_cli({"quantize", (dir / "fc.tflite").string(), "--mode", "dynamic", "--min-elements",
                            "0", "--out", (dir / "bad.tflite").string()});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_FALSE(fs::exists(dir / "bad.tflite"));
}

TEST(CliQuantize, RefusalsWriteNothing) {
  test::TempDir dir("qs-cli-quantize");
  ASSERT_TRUE(format::write_file(test::fc_relu_model(4, 3), dir / "fc.tflite"));
  const std::string model = (dir / "fc.tflite").string();
  const auto before = fs::file_size(model);
  struct Case {
    std::vector<std::string> args;
    int exit_code;
    std::string says;
  };
  const std::vector<Case> cases = {
      {{"quantize", model, "--mode", "float16", "--out", model}, 2, "refusing to overwrite"},
      {{"quantize", model, "--mode", "int8", "--out", (dir / "q.tflite").string()}, 1, "give --stats"},
      {{"quantize", model, "--mode", "int3", "--out", (dir / "q.tflite").string()}, 2, "unknown mode 'int3'"},
      {{"quantize", model, "--out", (dir / "q.tflite").string()}, 2, "usage"},
      {{"quantize", (dir / "missing.tflite").string(), "--mode", "float16", "--out",
        (dir / "q.tflite").string()},
       1,
       "missing.tflite"},
  };
  for (const auto& c : cases) {
    const auto r = run_cli(c.args);
    EXPECT_EQ(r.exit_code, c.exit_code) << c.args.back() << ": " << r.err;
    EXPECT_NE(r.err.find(c.says), std::string::npos) << r.err;
  }
  EXPECT_EQ(test::file_names(dir.path()), std::vector<std::string>{"fc.tflite"});
  EXPECT_EQ(fs::file_size(model), before);
}

TEST(CliQuantize, ACorruptModelIsNamedAndNothingIsWritten) {
  test::TempDir dir("qs-cli-quantize");
  {
    std::ofstream f(dir / "bad.tflite", std::ios::binary);
    f << "not a model at all, just some bytes";
  }
  const auto r = run_cli(
      {"quantize", (dir / "bad.tflite").string(), "--mode", "float16", "--out", (dir / "q.tflite").string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("bad.tflite"), std::string::npos) << r.err;
  EXPECT_EQ(test::file_names(dir.path()), std::vector<std::string>{"bad.tflite"});
}

}  // namespace
}  // namespace qs::cli
