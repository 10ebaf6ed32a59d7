// `quantscope-cli calibrate` and `quantscope-cli stats` as a user runs them:
// the real binary in a child process, on the corpus's MNIST model and PNGs
// and on mobilenet_v1_0.25 with the sample photos. Expected input ranges come
// from the PNGs' own pixels (decoded here with the same library the CLI
// uses, but read back through the stats file), not from an earlier run.

#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "calib/image.h"
#include "cli/cli_runner.h"
#include "io/npy.h"
#include "support/corpus.h"
#include "support/subprocess.h"
#include "support/temp_dir.h"

namespace qs::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::vector<std::string> mnist_pngs() {
  std::vector<std::string> files;
  for (int d = 0; d < 10; ++d)
    files.push_back((test::shared_dir() / "data" / ("mnist_sample" + std::to_string(d) + ".png")).string());
  return files;
}

// calibrate conv_fc_mnist on `files` (pixels → 0..1) into `out`.
test::ProcessResult calibrate_mnist(const std::vector<std::string>& files, const fs::path& out,
                                    std::vector<std::string> extra = {}) {
  std::vector<std::string> args{"calibrate", test::corpus_model("conv_fc_mnist.tflite").string()};
  for (const auto& f : files) {
    args.push_back("--data");
    args.push_back(f);
  }
  args.insert(args.end(), {"--image-range", "0:1", "--workers", "1", "--out", out.string()});
  args.insert(args.end(), extra.begin(), extra.end());
  return run_cli(args);
}

json stats_json(const std::vector<std::string>& files, std::vector<std::string> extra = {}) {
  std::vector<std::string> args{"stats"};
  args.insert(args.end(), files.begin(), files.end());
  args.push_back("--json");
  args.insert(args.end(), extra.begin(), extra.end());
  const auto r = run_cli(args);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return json::parse(r.out, nullptr, false);
}

const json* tensor_named(const json& doc, const std::string& name) {
  for (const auto& t : doc["tensors"]) {
    if (t["name"] == name) return &t;
  }
  return nullptr;
}

TEST(CliCalibrate, MnistGivesEveryTensorAndTheInputRangeOfThePixels) {
  QS_REQUIRE_CORPUS();
  test::TempDir dir("qs-cli-calib");
  const auto r = calibrate_mnist(mnist_pngs(), dir / "s.json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("10 samples"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("10/10 samples"), std::string::npos) << "no final progress line: " << r.err;

  // The range the pixels must give: 0..255 mapped to 0..1.
  int lo = 255, hi = 0;
  for (const auto& f : mnist_pngs()) {
    auto img = calib::decode_image(f);
    ASSERT_TRUE(img) << img.error().message;
    for (uint8_t p : img->pixels) {
      lo = std::min<int>(lo, p);
      hi = std::max<int>(hi, p);
    }
  }
  const json doc = stats_json({(dir / "s.json").string()});
  ASSERT_TRUE(doc.is_object());
  EXPECT_EQ(doc["samples"], 10);
  ASSERT_FALSE(doc["tensors"].empty());
  const json& input = doc["tensors"][0];
  EXPECT_NEAR(input["min"].get<double>(), lo / 255.0, 1e-6);
  EXPECT_NEAR(input["max"].get<double>(), hi / 255.0, 1e-6);
  EXPECT_EQ(input["count"], 10 * 28 * 28);
  for (const auto& t : doc["tensors"]) {
    EXPECT_GT(t["count"].get<uint64_t>(), 0u) << t["name"];
    for (const auto& [method, by_bits] : t["ranges"].items()) {
      for (const auto& [bits, range] : by_bits.items()) {
        SCOPED_TRACE(t["name"].get<std::string>() + " " + method + " " + bits);
        EXPECT_LE(range["min"].get<double>(), range["max"].get<double>());
        EXPECT_GT(range["scale"].get<double>(), 0.0);
        // The grid holds 0 exactly: int8 asymmetric, int16 symmetric.
        const int64_t zp = range["zero_point"];
        if (bits == "int8") {
          EXPECT_GE(zp, -128);
          EXPECT_LE(zp, 127);
        } else {
          EXPECT_EQ(zp, 0);
        }
      }
    }
    // min/max clips nothing, by definition.
    EXPECT_EQ(t["ranges"]["minmax"]["int8"]["clipped"].get<double>(), 0.0) << t["name"];
  }
}

TEST(CliCalibrate, StatsOfTwoHalvesMergeIntoTheWholeRun) {
  QS_REQUIRE_CORPUS();
  test::TempDir dir("qs-cli-calib");
  const auto files = mnist_pngs();
  const std::vector<std::string> first(files.begin(), files.begin() + 5),
      second(files.begin() + 5, files.end());
  ASSERT_EQ(calibrate_mnist(files, dir / "all.json").exit_code, 0);
  ASSERT_EQ(calibrate_mnist(first, dir / "a.json").exit_code, 0);
  ASSERT_EQ(calibrate_mnist(second, dir / "b.json").exit_code, 0);

  const json whole = stats_json({(dir / "all.json").string()}, {"--method", "minmax,percentile"});
  const json merged = stats_json({(dir / "a.json").string(), (dir / "b.json").string()},
                                 {"--method", "minmax,percentile", "--out", (dir / "m.json").string()});
  ASSERT_EQ(merged["samples"], 10);
  ASSERT_EQ(merged["tensors"].size(), whole["tensors"].size());
  for (size_t i = 0; i < whole["tensors"].size(); ++i) {
    const json& w = whole["tensors"][i];
    const json& m = merged["tensors"][i];
    SCOPED_TRACE(w["name"].get<std::string>());
    EXPECT_EQ(m["count"], w["count"]);
    EXPECT_EQ(m["min"], w["min"]);
    EXPECT_EQ(m["max"], w["max"]);
    EXPECT_NEAR(m["mean"].get<double>(), w["mean"].get<double>(),
                1e-9 * (1 + std::abs(w["mean"].get<double>())));
    // Percentiles read the histograms; the halves' windows may differ from
    // the whole run's by rebinning, one bin of the whole run's window.
    const double bin = (w["max"].get<double>() - w["min"].get<double>()) / 1024.0;
    EXPECT_NEAR(m["ranges"]["percentile"]["int8"]["max"].get<double>(),
                w["ranges"]["percentile"]["int8"]["max"].get<double>(), bin + 1e-12);
  }
  // The merged file written by --out reads back as the same statistics.
  const json reread = stats_json({(dir / "m.json").string()}, {"--method", "minmax,percentile"});
  EXPECT_EQ(reread["tensors"], merged["tensors"]);
}

TEST(CliCalibrate, StatsOfAnotherModelAreRefusedWhenMerging) {
  QS_REQUIRE_CORPUS();
  test::TempDir dir("qs-cli-calib");
  ASSERT_EQ(calibrate_mnist(mnist_pngs(), dir / "mnist.json").exit_code, 0);
  // hello_world takes one float; an .npy of 8 samples of [1].
  io::Array x;
  x.dtype = io::DType::kFloat32;
  x.shape = {8, 1};
  x.data.resize(8 * sizeof(float));
  for (int i = 0; i < 8; ++i) {
    const float v = 0.75f * static_cast<float>(i);
    std::memcpy(x.data.data() + i * sizeof(float), &v, sizeof v);
  }
  ASSERT_TRUE(io::write_npy(x, dir / "x.npy"));
  const auto hw = run_cli({"calibrate", test::corpus_model("hello_world_float.tflite").string(), "--data",
                           (dir / "x.npy").string(), "--out", (dir / "hw.json").string()});
  ASSERT_EQ(hw.exit_code, 0) << hw.err;
  const auto r = run_cli({"stats", (dir / "mnist.json").string(), (dir / "hw.json").string(), "--out",
                          (dir / "m.json").string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("another model"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("hw.json"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir / "m.json"));
}

TEST(CliCalibrate, ACorruptImageIsNamedAndSkipBadGoesOn) {
  QS_REQUIRE_CORPUS();
  test::TempDir dir("qs-cli-calib");
  fs::create_directories(dir / "data");
  for (int d = 0; d < 4; ++d)
    fs::copy_file(mnist_pngs()[static_cast<size_t>(d)], dir / "data" / (std::to_string(d) + ".png"));
  {
    // A PNG signature followed by garbage.
    std::ofstream bad(dir / "data" / "broken.png", std::ios::binary);
    bad << "\x89PNG\r\n\x1a\n" << std::string(200, 'x');
  }
  const auto strict = calibrate_mnist({(dir / "data").string()}, dir / "s.json");
  EXPECT_EQ(strict.exit_code, 1);
  EXPECT_NE(strict.err.find("broken.png"), std::string::npos) << strict.err;
  EXPECT_FALSE(fs::exists(dir / "s.json"));

  const auto lenient = calibrate_mnist({(dir / "data").string()}, dir / "s.json", {"--skip-bad"});
  ASSERT_EQ(lenient.exit_code, 0) << lenient.err;
  EXPECT_NE(lenient.out.find("skipped 1"), std::string::npos) << lenient.out;
  EXPECT_NE(lenient.out.find("broken.png"), std::string::npos) << lenient.out;
  EXPECT_EQ(stats_json({(dir / "s.json").string()})["samples"], 4);
}

TEST(CliCalibrate, AnArrayOfTheWrongShapeNamesFileAndShapes) {
  QS_REQUIRE_CORPUS();
  test::TempDir dir("qs-cli-calib");
  io::Array x;
  x.dtype = io::DType::kFloat32;
  x.shape = {3, 27, 28, 1};
  x.data.assign(3 * 27 * 28 * sizeof(float), std::byte{0});
  ASSERT_TRUE(io::write_npy(x, dir / "short.npy"));
  const auto r = calibrate_mnist({(dir / "short.npy").string()}, dir / "s.json");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("short.npy"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("27"), std::string::npos) << "the message should show the shape: " << r.err;
  EXPECT_FALSE(fs::exists(dir / "s.json"));
}

TEST(CliCalibrate, UsageErrorsExitWithTwo) {
  QS_REQUIRE_CORPUS();
  test::TempDir dir("qs-cli-calib");
  const std::string model = test::corpus_model("conv_fc_mnist.tflite").string();
  const std::string png = mnist_pngs()[0];
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"calibrate", model, "--data", png},                       // no --out
           {"calibrate", model, "--out", (dir / "s.json").string()},  // no --data
           {"calibrate", model, "--data", png, "--out", (dir / "s.json").string(), "--workers", "0"},
           {"calibrate", model, "--data", png, "--out", (dir / "s.json").string(), "--image-size", "28"},
           {"calibrate", model, "--data", png, "--out", (dir / "s.json").string(), "--bogus"},
           {"calibrate", model, "--data", png, "--out", model},  // over the model
       }) {
    const auto r = run_cli(args);
    EXPECT_EQ(r.exit_code, 2) << args.back() << ": " << r.err;
    EXPECT_FALSE(r.err.empty());
  }
  EXPECT_TRUE(test::file_names(dir.path()).empty());
}

TEST(CliStats, OneTensorInDetailAndAnUnknownNameRefused) {
  QS_REQUIRE_CORPUS();
  test::TempDir dir("qs-cli-calib");
  ASSERT_EQ(calibrate_mnist(mnist_pngs(), dir / "s.json").exit_code, 0);
  const json doc = stats_json({(dir / "s.json").string()});
  const std::string name = doc["tensors"].back()["name"];
  const auto detail = run_cli({"stats", (dir / "s.json").string(), "--tensor", name});
  ASSERT_EQ(detail.exit_code, 0) << detail.err;
  EXPECT_NE(detail.out.find(name), std::string::npos);
  for (const char* method : {"minmax", "moving-average", "percentile", "entropy", "mse"}) {
    EXPECT_NE(detail.out.find(method), std::string::npos) << method << " missing from\n" << detail.out;
  }
  const json one = stats_json({(dir / "s.json").string()}, {"--tensor", name});
  ASSERT_EQ(one["tensors"].size(), 1u);
  EXPECT_EQ(one["tensors"][0], *tensor_named(doc, name));

  const auto unknown = run_cli({"stats", (dir / "s.json").string(), "--tensor", "no such tensor"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.err.find("no such tensor"), std::string::npos) << unknown.err;
}

TEST(CliStats, ABrokenStatsFileIsNamed) {
  test::TempDir dir("qs-cli-calib");
  {
    std::ofstream f(dir / "s.json");
    f << R"({"format": "something else"})";
  }
  const auto r = run_cli({"stats", (dir / "s.json").string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("s.json"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("not a QuantScope stats file"), std::string::npos) << r.err;
}

// Ctrl-C in the middle of a run: exit 130, and the output folder holds
// exactly what it held before (no stats file, no temporary).
TEST(CliCalibrate, InterruptStopsCleanlyAndWritesNothing) {
  QS_REQUIRE_CORPUS();
  test::TempDir dir("qs-cli-calib");
  fs::create_directories(dir / "out");
  // Enough samples to still be running when the signal comes: one photo
  // under many names (hard links: a file named twice would be read once).
  const fs::path photo = test::shared_dir() / "data" / "grace_hopper_224.jpg";
  fs::create_directories(dir / "photos");
  fs::copy_file(photo, dir / "photos" / "0.jpg");
  for (int i = 1; i < 4000; ++i)
    fs::create_hard_link(dir / "photos" / "0.jpg", dir / "photos" / (std::to_string(i) + ".jpg"));
  test::Child child(
      {QS_CLI_PATH, "calibrate", test::corpus_model("mobilenet_v1_0.25_224_1_metadata_1.tflite").string(),
       "--data", (dir / "photos").string(), "--workers", "2", "--out", (dir / "out" / "s.json").string()},
      dir / "stdout", dir / "stderr");
  ASSERT_TRUE(child.started()) << child.error();
  // Wait for the first progress line, so the run is under way.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(2);
  while (test::slurp(dir / "stderr").find("samples/s") == std::string::npos && child.running() &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_TRUE(child.running()) << "finished or failed before it could be interrupted: "
                               << test::slurp(dir / "stderr");
  child.signal(SIGINT);
  const auto r = child.wait(std::chrono::seconds(60));
  ASSERT_FALSE(r.timed_out) << "did not stop within 60 s of SIGINT";
  EXPECT_EQ(r.exit_code, 130) << test::slurp(dir / "stderr");
  EXPECT_NE(test::slurp(dir / "stderr").find("interrupted; nothing written"), std::string::npos);
  EXPECT_TRUE(test::file_names(dir / "out").empty());
}

}  // namespace
}  // namespace qs::cli
