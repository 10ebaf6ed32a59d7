// `quantscope-cli quantize` as a user runs it (the real binary in a child
// process): each mode end to end, and every refusal leaving no file.

#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/cli_runner.h"
#include "format/model_file.h"
#include "format/write_model.h"
#include "io/npy.h"
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

// 64 samples of [1, n] values in [-1, 1) as one .npy, for `calibrate`.
void write_samples(const fs::path& path, int n) {
  io::Array a;
  a.dtype = io::DType::kFloat32;
  a.shape = {64, n};
  std::vector<float> v(static_cast<size_t>(64 * n));
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<float>((i * 37) % 200) / 100.0f - 1.0f;
  a.data.resize(v.size() * sizeof(float));
  std::memcpy(a.data.data(), v.data(), a.data.size());
  ASSERT_TRUE(io::write_npy(a, path));
}

TEST(CliQuantize, Int8FromCalibrationStatisticsWithIntegerIo) {
  test::TempDir dir("qs-cli-quantize");
  ASSERT_TRUE(format::write_file(test::fc_relu_model(16, 8), dir / "fc.tflite"));
  write_samples(dir / "x.npy", 16);
  const std::string model = (dir / "fc.tflite").string();
  const std::string stats = (dir / "stats.json").string();
  auto cal = run_cli({"calibrate", model, "--data", (dir / "x.npy").string(), "--out", stats});
  ASSERT_EQ(cal.exit_code, 0) << cal.err;
  const auto r = run_cli({"quantize", model, "--mode", "int8", "--stats", stats, "--method", "percentile",
                          "--input-type", "int8", "--output-type", "int8", "--out", (dir / "q.tflite").string(),
                          "--plan", (dir / "plan.json").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto written = format::ModelFile::open(dir / "q.tflite");
  ASSERT_TRUE(written) << written.error().message;
  const format::Model q = written->to_model();
  const auto& sg = q.subgraphs[0];
  EXPECT_EQ(sg.tensors[test::FcRelu::kInput].type, format::TensorType::INT8);
  EXPECT_EQ(sg.tensors[test::FcRelu::kOutput].type, format::TensorType::INT8);
  EXPECT_EQ(sg.operators.size(), 2u);  // no conversions with int8 I/O
  std::ifstream plan_file(dir / "plan.json");
  const auto plan = nlohmann::json::parse(plan_file);
  EXPECT_EQ(plan["mode"], "int8");
  bool percentile = false;
  for (const auto& t : plan["tensors"]) {
    percentile = percentile || t["origin"].get<std::string>().find("percentile") != std::string::npos;
  }
  EXPECT_TRUE(percentile) << plan.dump();
  // The recipe is in the file's metadata.
  bool recipe = false;
  for (const auto& m : q.metadata) recipe = recipe || m.name == "quantscope";
  EXPECT_TRUE(recipe);
}

// Issue 6: a bad recipe gives a clear error and writes no file.
TEST(CliQuantize, BadRecipesAreRefusedAndWriteNothing) {
  test::TempDir dir("qs-cli-quantize");
  ASSERT_TRUE(format::write_file(test::fc_relu_model(16, 8), dir / "fc.tflite"));
  ASSERT_TRUE(format::write_file(test::fc_relu_model(16, 4), dir / "other.tflite"));
  format::Model with_exp = test::fc_relu_model(16, 8);
  with_exp.subgraphs[0].operators[1].code.builtin = format::BuiltinOp::EXP;
  ASSERT_TRUE(format::write_file(with_exp, dir / "exp.tflite"));
  write_samples(dir / "x.npy", 16);
  const std::string model = (dir / "fc.tflite").string();
  const std::string stats = (dir / "stats.json").string();
  const std::string other_stats = (dir / "other.json").string();
  const std::string exp_stats = (dir / "exp.json").string();
  for (const auto& [m, out] : {std::pair{model, stats}, std::pair{(dir / "other.tflite").string(), other_stats},
                               std::pair{(dir / "exp.tflite").string(), exp_stats}}) {
    auto cal = run_cli({"calibrate", m, "--data", (dir / "x.npy").string(), "--out", out});
    ASSERT_EQ(cal.exit_code, 0) << cal.err;
  }
  const std::string out = (dir / "q.tflite").string();
  struct Case {
    std::vector<std::string> args;
    int exit_code;
    std::string says;
  };
  const std::vector<Case> cases = {
      {{model, "--mode", "uint8", "--stats", stats, "--mean-std", "x=128,0"}, 1, "std_dev must be > 0"},
      {{model, "--mode", "uint8", "--stats", stats, "--mean-std", "x=128.5,2"}, 1, "mean must be an integer"},
      {{model, "--mode", "uint8", "--stats", stats, "--mean-std", "nope=128,2"}, 1, "no input named 'nope'"},
      {{model, "--mode", "uint8", "--stats", stats, "--mean-std", "x=128"}, 2, "INPUT=MEAN,STD_DEV"},
      {{model, "--mode", "int8", "--stats", stats, "--keep-float", "no/such/tensor"}, 1, "no/such/tensor"},
      {{model, "--mode", "int8", "--stats", stats, "--keep-float", "SOFTMAX"}, 1, "no SOFTMAX op"},
      {{model, "--mode", "int8", "--stats", other_stats}, 1, "other.tflite"},
      {{model, "--mode", "int8", "--stats", (dir / "missing.json").string()}, 1, "missing.json"},
      {{(dir / "exp.tflite").string(), "--mode", "int8", "--stats", exp_stats, "--strict"}, 1, "op #1 EXP"},
      {{model, "--mode", "int16x8", "--stats", stats, "--input-type", "int8"}, 1, "INT8 is not possible"},
      {{model, "--mode", "int8", "--stats", stats, "--method", "median"}, 2, "unknown method 'median'"},
      {{model, "--mode", "int8", "--default-range", "3:1"}, 1, "MIN must be below MAX"},
  };
  for (const auto& c : cases) {
    std::vector<std::string> args = {"quantize"};
    args.insert(args.end(), c.args.begin(), c.args.end());
    args.insert(args.end(), {"--out", out, "--plan", (dir / "plan.json").string()});
    const auto r = run_cli(args);
    EXPECT_EQ(r.exit_code, c.exit_code) << c.says << ": " << r.err;
    EXPECT_NE(r.err.find(c.says), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(out)) << c.says;
    EXPECT_FALSE(fs::exists(dir / "plan.json")) << c.says;
  }
}

TEST(CliQuantize, ASavedRecipeRepeatsTheRunExactly) {
  test::TempDir dir("qs-cli-quantize");
  ASSERT_TRUE(format::write_file(test::fc_relu_model(16, 8), dir / "fc.tflite"));
  write_samples(dir / "x.npy", 16);
  const std::string model = (dir / "fc.tflite").string();
  const std::string stats = (dir / "stats.json").string();
  ASSERT_EQ(run_cli({"calibrate", model, "--data", (dir / "x.npy").string(), "--out", stats}).exit_code, 0);
  const auto first = run_cli({"quantize", model, "--mode", "int16x8", "--stats", stats, "--method", "mse",
                              "--keep-float", "RELU", "--per-tensor-fc", "--out", (dir / "a.tflite").string(),
                              "--save-recipe", (dir / "recipe.json").string()});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  // From another folder: the recipe finds its statistics next to itself.
  fs::create_directories(dir / "elsewhere");
  fs::copy_file(dir / "recipe.json", dir / "elsewhere" / "recipe.json");
  fs::rename(dir / "stats.json", dir / "elsewhere" / "stats.json");
  const auto again = run_cli({"quantize", model, "--recipe", (dir / "elsewhere" / "recipe.json").string(), "--out",
                              (dir / "b.tflite").string()});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(test::read_file(dir / "a.tflite"), test::read_file(dir / "b.tflite"));
  // An option given with --recipe overrides it.
  const auto other = run_cli({"quantize", model, "--recipe", (dir / "elsewhere" / "recipe.json").string(), "--method",
                              "minmax", "--out", (dir / "c.tflite").string()});
  ASSERT_EQ(other.exit_code, 0) << other.err;
  EXPECT_NE(test::read_file(dir / "a.tflite"), test::read_file(dir / "c.tflite"));
  // A broken recipe names itself and writes nothing.
  {
    std::ofstream bad(dir / "bad.json");
    bad << R"({"format": "quantscope.recipe", "version": 1, "mode": "int8", "keep_flaot": {}})";
  }
  const auto refused = run_cli(
      {"quantize", model, "--recipe", (dir / "bad.json").string(), "--out", (dir / "d.tflite").string()});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("unknown field 'keep_flaot'"), std::string::npos) << refused.err;
  EXPECT_FALSE(fs::exists(dir / "d.tflite"));
}

}  // namespace
}  // namespace qs::cli
