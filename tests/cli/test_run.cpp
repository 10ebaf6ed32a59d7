// `quantscope-cli run` as a user runs it: the real binary in a child process
// on models built here (tests/support/model_builder.h) and on the corpus's
// hello_world model. Expected outputs are computed in the test from the
// model's own weights with a naive formula (y = relu(W x + b)), not by the
// interpreter.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "format/write_model.h"
#include "io/npy.h"
#include "io/npz.h"
#include "support/arrays.h"
#include "support/corpus.h"
#include "support/model_builder.h"
#include "support/subprocess.h"
#include "support/temp_dir.h"

namespace qs::cli {
namespace {

namespace fs = std::filesystem;
using test::array;

using CliRun = test::ProcessResult;

CliRun run_cli(const std::vector<std::string>& args) {
  std::vector<std::string> argv{QS_CLI_PATH};
  argv.insert(argv.end(), args.begin(), args.end());
  CliRun run = test::capture(argv);
  if (!run.started) ADD_FAILURE() << run.error;
  return run;
}

std::vector<float> floats(const io::Array& a) {
  std::vector<float> out(a.data.size() / 4);
  std::memcpy(out.data(), a.data.data(), a.data.size());
  return out;
}

std::vector<float> floats(const format::Bytes& b) {
  std::vector<float> out(b.size() / 4);
  std::memcpy(out.data(), b.data(), b.size());
  return out;
}

constexpr int kIn = 4;
constexpr int kOut = 3;

// The FC+RELU test model, with signature aliases that differ from the
// tensor names so the two kinds of key can be told apart.
format::Model fc_model(bool dynamic_batch = false) {
  format::Model m = test::fc_relu_model(kIn, kOut);
  m.signatures[0].inputs[0].name = "features";
  m.signatures[0].outputs[0].name = "scores";
  if (dynamic_batch) {
    auto& t = m.subgraphs[0].tensors;
    t[test::FcRelu::kInput].shape_signature = {-1, kIn};
    t[test::FcRelu::kFcOut].shape_signature = {-1, kOut};
    t[test::FcRelu::kOutput].shape_signature = {-1, kOut};
  }
  return m;
}

// relu(W x + b) for one sample, from the model's constant buffers.
std::vector<float> expected_fc(const format::Model& m, const std::vector<float>& x) {
  const auto w = floats(m.buffers[test::FcRelu::kWeightsBuffer].data);
  const auto b = floats(m.buffers[test::FcRelu::kBiasBuffer].data);
  std::vector<float> y(kOut);
  for (int o = 0; o < kOut; ++o) {
    double acc = b[static_cast<size_t>(o)];
    for (int i = 0; i < kIn; ++i)
      acc += double{w[static_cast<size_t>(o * kIn + i)]} * x[static_cast<size_t>(i)];
    y[static_cast<size_t>(o)] = static_cast<float>(std::max(acc, 0.0));
  }
  return y;
}

class CliRunTest : public ::testing::Test {
 protected:
  void SetUp() override {
    model_ = fc_model();
    ASSERT_TRUE(format::write_file(model_, model_path_));
  }
  fs::path path(const std::string& name) const { return dir_ / name; }
  void write(const io::Array& a, const std::string& name) const { ASSERT_TRUE(io::write_npy(a, path(name))); }
  io::Array read_output(const std::string& file, size_t expected_arrays = 1) const {
    auto arrays = io::read_npz(path(file));
    EXPECT_TRUE(arrays) << (arrays ? "" : arrays.error().message);
    if (!arrays || arrays->size() != expected_arrays) {
      ADD_FAILURE() << "expected " << expected_arrays << " arrays";
      return {};
    }
    return arrays->front();
  }
  // Everything but the model and the files the test wrote: no leftovers.
  size_t files() const { return static_cast<size_t>(std::distance(fs::directory_iterator(dir_.path()), {})); }

  test::TempDir dir_{"qs-cli-run"};
  fs::path model_path_ = dir_ / "fc.tflite";
  format::Model model_;
  const std::vector<float> x0_ = {0.5f, -1.f, 2.f, 0.25f};
  const std::vector<float> x1_ = {-0.5f, 1.f, 0.f, 3.f};
};

void expect_near(const std::vector<float>& got, const std::vector<float>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-5f) << i;
}

TEST_F(CliRunTest, OneNpyInputWritesOutputsByName) {
  write(array<float>("", io::DType::kFloat32, {1, kIn}, x0_), "x.npy");
  const auto r = run_cli(
      {"run", model_path_.string(), "--input", path("x.npy").string(), "--output", path("o.npz").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(test::line_count(r.out), 1u);
  EXPECT_NE(r.out.find("o.npz"), std::string::npos) << r.out;
  const io::Array y = read_output("o.npz");
  EXPECT_EQ(y.name, "y");  // the tensor's name without --signature
  EXPECT_EQ(y.dtype, io::DType::kFloat32);
  EXPECT_EQ(y.shape, (std::vector<int64_t>{1, kOut}));
  expect_near(floats(y), expected_fc(model_, x0_));
}

TEST_F(CliRunTest, BatchRunsSampleBySampleAndConcatenates) {
  std::vector<float> batch = x0_;
  batch.insert(batch.end(), x1_.begin(), x1_.end());
  write(array<float>("", io::DType::kFloat32, {2, kIn}, batch), "x.npy");
  const auto r =
      run_cli({"run", model_path_.string(), "-i", path("x.npy").string(), "-o", path("o.npz").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("2 samples"), std::string::npos) << r.out;
  const io::Array y = read_output("o.npz");
  EXPECT_EQ(y.shape, (std::vector<int64_t>{2, kOut}));
  auto want = expected_fc(model_, x0_);
  const auto want1 = expected_fc(model_, x1_);
  want.insert(want.end(), want1.begin(), want1.end());
  expect_near(floats(y), want);
}

TEST_F(CliRunTest, DynamicBatchDimensionTakesTheArraySize) {
  const format::Model dyn = fc_model(/*dynamic_batch=*/true);
  ASSERT_TRUE(format::write_file(dyn, path("dyn.tflite")));
  std::vector<float> batch = x0_;
  batch.insert(batch.end(), x1_.begin(), x1_.end());
  batch.insert(batch.end(), x0_.begin(), x0_.end());
  write(array<float>("", io::DType::kFloat32, {3, kIn}, batch), "x.npy");
  const auto r = run_cli({"run", path("dyn.tflite").string(), "--input", path("x.npy").string(), "--output",
                          path("o.npz").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const io::Array y = read_output("o.npz");
  EXPECT_EQ(y.shape, (std::vector<int64_t>{3, kOut}));
  auto want = expected_fc(dyn, x0_);
  const auto want1 = expected_fc(dyn, x1_);
  want.insert(want.end(), want1.begin(), want1.end());
  want.insert(want.end(), want.begin(), want.begin() + kOut);
  expect_near(floats(y), want);
}

TEST_F(CliRunTest, NpzInputsMatchNamesAliasesOrPositions) {
  for (const char* key : {"x", "features", "arr_0"}) {
    const std::vector<io::Array> in = {array<float>("labels", io::DType::kFloat32, {1}, {7.f}),
                                       array<float>(key, io::DType::kFloat32, {1, kIn}, x1_)};
    ASSERT_TRUE(io::write_npz(path("in.npz"), in));
    const auto r = run_cli({"run", model_path_.string(), "--input", path("in.npz").string(), "--output",
                            path("o.npz").string()});
    ASSERT_EQ(r.exit_code, 0) << key << ": " << r.err;
    expect_near(floats(read_output("o.npz")), expected_fc(model_, x1_));
  }
}

TEST_F(CliRunTest, SignatureKeysOutputsByAlias) {
  const std::vector<io::Array> in = {array<float>("features", io::DType::kFloat32, {1, kIn}, x0_)};
  ASSERT_TRUE(io::write_npz(path("in.npz"), in));
  const auto r = run_cli({"run", model_path_.string(), "--input", path("in.npz").string(), "--output",
                          path("o.npz").string(), "--signature", "serving_default"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const io::Array y = read_output("o.npz");
  EXPECT_EQ(y.name, "scores");
  expect_near(floats(y), expected_fc(model_, x0_));

  const auto bad = run_cli({"run", model_path_.string(), "--input", path("in.npz").string(), "--output",
                            path("o2.npz").string(), "--signature", "nope"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("nope"), std::string::npos) << bad.err;
}

TEST_F(CliRunTest, Float64InputsAreRoundedToFloat32) {
  const std::vector<double> x(x0_.begin(), x0_.end());
  write(array<double>("", io::DType::kFloat64, {1, kIn}, x), "x64.npy");
  const auto r = run_cli(
      {"run", model_path_.string(), "--input", path("x64.npy").string(), "--output", path("o.npz").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  expect_near(floats(read_output("o.npz")), expected_fc(model_, x0_));
}

// A bad input: exit status 1, one line on stderr naming the input and the
// file, and no output file (not even a partial one).
void expect_bad_input(const CliRun& r, const std::vector<std::string>& parts) {
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(test::line_count(r.err), 1u) << r.err;
  EXPECT_EQ(r.err.rfind("error: ", 0), 0u) << r.err;
  for (const auto& p : parts)
    EXPECT_NE(r.err.find(p), std::string::npos) << "missing '" << p << "' in: " << r.err;
}

TEST_F(CliRunTest, BadInputsFailWithOneLineNamingInputAndFile) {
  write(array<int32_t>("", io::DType::kInt32, {1, kIn}, {1, 2, 3, 4}), "ints.npy");
  write(array<float>("", io::DType::kFloat32, {1, 5}, {1, 2, 3, 4, 5}), "wide.npy");
  write(array<float>("", io::DType::kFloat32, {1, kIn}, x0_), "x.npy");
  const std::string out = path("o.npz").string();
  const std::string model = model_path_.string();

  expect_bad_input(run_cli({"run", model, "--input", path("ints.npy").string(), "--output", out}),
                   {"input 'x'", "ints.npy", "int32", "FLOAT32"});
  expect_bad_input(run_cli({"run", model, "--input", path("wide.npy").string(), "--output", out}),
                   {"input 'x'", "wide.npy", "[1,5]", "[1,4]"});
  expect_bad_input(run_cli({"run", model, "--input", path("x.npy").string(), "--input",
                            path("x.npy").string(), "--output", out}),
                   {"fc.tflite", "takes 1 input", "given 2"});
  expect_bad_input(run_cli({"run", model, "--input", path("absent.npy").string(), "--output", out}),
                   {"absent.npy"});
  std::ofstream(path("junk.npy")) << "not numpy";
  expect_bad_input(run_cli({"run", model, "--input", path("junk.npy").string(), "--output", out}),
                   {"junk.npy"});
  const std::vector<io::Array> other = {array<float>("something_else", io::DType::kFloat32, {1, kIn}, x0_)};
  ASSERT_TRUE(io::write_npz(path("other.npz"), other));
  expect_bad_input(run_cli({"run", model, "--input", path("other.npz").string(), "--output", out}),
                   {"other.npz", "no array for input 'x'", "'something_else'"});
  expect_bad_input(
      run_cli({"run", path("absent.tflite").string(), "--input", path("x.npy").string(), "--output", out}),
      {"absent.tflite"});
  EXPECT_FALSE(fs::exists(out));
  // fc.tflite, 3 .npy, other.npz, junk.npy: nothing else was created.
  EXPECT_EQ(files(), 6u);
}

TEST_F(CliRunTest, UsageErrorsExitWithTwo) {
  write(array<float>("", io::DType::kFloat32, {1, kIn}, x0_), "x.npy");
  const std::string model = model_path_.string();
  const std::string x = path("x.npy").string();
  EXPECT_EQ(run_cli({"run"}).exit_code, 2);
  EXPECT_EQ(run_cli({"run", model, "--input", x}).exit_code, 2);                        // no --output
  EXPECT_EQ(run_cli({"run", model, "--output", path("o.npz").string()}).exit_code, 2);  // no --input
  EXPECT_EQ(run_cli({"run", model, "--input", x, "--output", path("o.npz").string(), "--fast"}).exit_code, 2);
  EXPECT_EQ(run_cli({"run", model, model, "--input", x, "--output", path("o.npz").string()}).exit_code, 2);
  EXPECT_EQ(run_cli({"run", model, "--input"}).exit_code, 2);
  // An .npz input must stand alone.
  const std::vector<io::Array> in = {array<float>("x", io::DType::kFloat32, {1, kIn}, x0_)};
  ASSERT_TRUE(io::write_npz(path("in.npz"), in));
  EXPECT_EQ(run_cli({"run", model, "--input", path("in.npz").string(), "--input", x, "--output",
                     path("o.npz").string()})
                .exit_code,
            2);
  // Never overwrite an input or the model.
  const std::string before = test::slurp(path("in.npz"));
  const auto clobber =
      run_cli({"run", model, "--input", path("in.npz").string(), "--output", path("in.npz").string()});
  EXPECT_EQ(clobber.exit_code, 2);
  EXPECT_NE(clobber.err.find("refusing to overwrite"), std::string::npos) << clobber.err;
  EXPECT_EQ(test::slurp(path("in.npz")), before);
  EXPECT_EQ(run_cli({"run", model, "--input", x, "--output", model}).exit_code, 2);
  EXPECT_FALSE(fs::exists(path("o.npz")));
  const auto help = run_cli({"run", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("usage: quantscope-cli run"), std::string::npos);
}

TEST_F(CliRunTest, ReplacesAnExistingOutputWhole) {
  std::ofstream(path("o.npz")) << "old content that is not an npz";
  write(array<float>("", io::DType::kFloat32, {1, kIn}, x0_), "x.npy");
  const auto r = run_cli(
      {"run", model_path_.string(), "--input", path("x.npy").string(), "--output", path("o.npz").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  expect_near(floats(read_output("o.npz")), expected_fc(model_, x0_));
  EXPECT_EQ(files(), 3u);  // model, x.npy, o.npz: no temporary left behind
}

TEST(CliRunCorpus, HelloWorldBatchWithDynamicBatchDimension) {
  QS_REQUIRE_CORPUS();
  // hello_world_float.tflite: input [1,1] with shape signature [-1,1]; it
  // approximates sin(x), and TFLite Micro's test expects 0.863 for x = 1.
  test::TempDir dir("qs-cli-run");
  ASSERT_TRUE(io::write_npy(array<float>("", io::DType::kFloat32, {2, 1}, {1.f, 1.f}), dir / "x.npy"));
  const auto r = run_cli({"run", test::corpus_model("hello_world_float.tflite").string(), "--input",
                          (dir / "x.npy").string(), "--output", (dir / "o.npz").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto arrays = io::read_npz(dir / "o.npz");
  ASSERT_TRUE(arrays) << arrays.error().message;
  ASSERT_EQ(arrays->size(), 1u);
  EXPECT_EQ((*arrays)[0].name, "StatefulPartitionedCall:0");
  EXPECT_EQ((*arrays)[0].shape, (std::vector<int64_t>{2, 1}));
  const auto y = floats((*arrays)[0]);
  ASSERT_EQ(y.size(), 2u);
  EXPECT_NEAR(y[0], 0.863f, 0.001f);
  EXPECT_EQ(y[0], y[1]);
}

}  // namespace
}  // namespace qs::cli
