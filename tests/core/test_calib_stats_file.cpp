// Calibration runs and their stats files on a small model built here
// (x [1,4] -> FULLY_CONNECTED -> "fc" -> RELU -> "y"), fed from .npy files:
// what a run records, that a file reads back bit for bit, that halves of a
// dataset merge into what one run over all of it gives, and that files of
// another model or other preprocessing are refused.

#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <fstream>
#include <map>
#include <random>

#include "calib/calibrate.h"
#include "calib/range_methods.h"
#include "calib/stats_file.h"
#include "common/sha256.h"
#include "format/write_model.h"
#include "io/npy.h"
#include "support/model_builder.h"
#include "support/temp_dir.h"

namespace qs::calib {
namespace {

namespace fs = std::filesystem;

class CalibStatsFile : public ::testing::Test {
 protected:
  void SetUp() override {
    model_ = std::make_shared<const format::Model>(test::fc_relu_model(4, 3));
    ASSERT_TRUE(format::write_file(*model_, dir_ / "fc.tflite"));
    auto sha = sha256_file(dir_ / "fc.tflite");
    ASSERT_TRUE(sha) << sha.error().message;
    identity_ = {"fc.tflite", *sha};
  }

  // N samples of x, uniform in [lo, hi), as one [N,4] .npy.
  fs::path samples(const std::string& name, int64_t n, float lo, float hi, uint32_t seed) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> d(lo, hi);
    io::Array a;
    a.dtype = io::DType::kFloat32;
    a.shape = {n, 4};
    a.data.resize(static_cast<size_t>(n) * 4 * sizeof(float));
    for (size_t i = 0; i < static_cast<size_t>(n) * 4; ++i) {
      const float v = d(rng);
      std::memcpy(a.data.data() + i * sizeof(float), &v, sizeof v);
    }
    EXPECT_TRUE(io::write_npy(a, dir_ / name));
    return dir_ / name;
  }

  StatsSet run(const std::vector<fs::path>& files, int workers = 1) {
    auto inputs = model_inputs(*model_);
    EXPECT_TRUE(inputs) << inputs.error().message;
    std::vector<DataSpec> data;
    for (const auto& f : files) data.push_back({f, ""});
    auto set = SampleSet::open(*inputs, data, {});
    EXPECT_TRUE(set) << set.error().message;
    CalibrateOptions options;
    options.workers = workers;
    auto stats = calibrate(model_, identity_, *set, options);
    EXPECT_TRUE(stats) << stats.error().message;
    return std::move(*stats);
  }

  test::TempDir dir_{"qs-stats"};
  std::shared_ptr<const format::Model> model_;
  ModelIdentity identity_;
};

TEST_F(CalibStatsFile, RecordsEveryFloatActivationAndTheInput) {
  const StatsSet s = run({samples("a.npy", 50, -2, 2, 1)});
  EXPECT_EQ(s.samples, 50u);
  EXPECT_EQ(s.model.sha256.size(), 64u);
  // x, fc and y; the constant weights and bias are not activations.
  std::vector<std::string> names;
  for (const auto& t : s.tensors) names.push_back(t.name);
  EXPECT_EQ(names, (std::vector<std::string>{"x", "fc", "y"}));
  const TensorRecord* x = s.find("x");
  ASSERT_NE(x, nullptr);
  EXPECT_EQ(x->stats.count, 200u);
  EXPECT_GE(x->stats.min, -2.0);
  EXPECT_LT(x->stats.max, 2.0);
  EXPECT_GT(x->stats.max, 1.8);
  // RELU: y is fc clipped at 0.
  const TensorRecord* fc = s.find("fc");
  const TensorRecord* y = s.find("y");
  EXPECT_EQ(y->stats.min, 0.0);
  EXPECT_EQ(y->stats.max, std::max(0.0, fc->stats.max));
  EXPECT_GT(y->stats.zeros, 0u);
  ASSERT_EQ(s.runs.size(), 1u);
  EXPECT_EQ(s.runs[0].inputs.at(0).input, "x");
}

TEST_F(CalibStatsFile, ReadsBackBitForBit) {
  const StatsSet s = run({samples("a.npy", 40, -3, 1, 2)}, 2);
  ASSERT_TRUE(save_stats(s, dir_ / "s.json"));
  auto back = load_stats(dir_ / "s.json");
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->model.sha256, s.model.sha256);
  EXPECT_EQ(back->samples, s.samples);
  ASSERT_EQ(back->tensors.size(), s.tensors.size());
  for (size_t i = 0; i < s.tensors.size(); ++i) {
    const TensorStatistics& a = s.tensors[i].stats;
    const TensorStatistics& b = back->tensors[i].stats;
    EXPECT_EQ(b.count, a.count);
    EXPECT_EQ(b.zeros, a.zeros);
    EXPECT_EQ(b.min, a.min);
    EXPECT_EQ(b.max, a.max);
    EXPECT_EQ(b.moments.mean, a.moments.mean);
    EXPECT_EQ(b.moments.m2, a.moments.m2);
    EXPECT_EQ(b.average_min.value(), a.average_min.value());
    EXPECT_EQ(b.average_max.value(), a.average_max.value());
    EXPECT_EQ(b.histogram.exponent(), a.histogram.exponent());
    EXPECT_EQ(b.histogram.origin(), a.histogram.origin());
    EXPECT_TRUE(
        std::equal(a.histogram.counts().begin(), a.histogram.counts().end(), b.histogram.counts().begin()));
  }
  EXPECT_EQ(back->runs.at(0).inputs.at(0).sources, s.runs.at(0).inputs.at(0).sources);
}

std::map<int64_t, uint64_t> occupied(const Histogram& h) {
  std::map<int64_t, uint64_t> bins;
  for (int i = 0; i < Histogram::kBins; ++i) {
    if (h.counts()[static_cast<size_t>(i)] != 0) bins[h.origin() + i] = h.counts()[static_cast<size_t>(i)];
  }
  return bins;
}

TEST_F(CalibStatsFile, HalvesMergeIntoWhatOneRunGives) {
  // The halves see different ranges, so their histograms grow differently.
  const fs::path first = samples("first.npy", 60, -1, 1, 3);
  const fs::path second = samples("second.npy", 60, -5, 3, 4);
  const StatsSet whole = run({first, second});
  StatsSet a = run({first});
  const StatsSet b = run({second});
  ASSERT_TRUE(save_stats(a, dir_ / "a.json"));
  ASSERT_TRUE(save_stats(b, dir_ / "b.json"));
  auto merged = load_stats(dir_ / "a.json");
  auto other = load_stats(dir_ / "b.json");
  ASSERT_TRUE(merged && other);
  ASSERT_TRUE(merge_stats(*merged, *other));
  EXPECT_EQ(merged->samples, 120u);
  EXPECT_EQ(merged->runs.size(), 2u);
  for (size_t i = 0; i < whole.tensors.size(); ++i) {
    const TensorStatistics& w = whole.tensors[i].stats;
    const TensorStatistics& m = merged->tensors[i].stats;
    SCOPED_TRACE(whole.tensors[i].name);
    EXPECT_EQ(m.count, w.count);
    EXPECT_EQ(m.zeros, w.zeros);
    EXPECT_EQ(m.min, w.min);
    EXPECT_EQ(m.max, w.max);
    EXPECT_NEAR(m.mean(), w.mean(), 1e-9 * (1 + std::abs(w.mean())));
    EXPECT_NEAR(m.stddev(), w.stddev(), 1e-9 * w.stddev());
    // Moving averages continue across the runs as in the single run.
    EXPECT_NEAR(m.average_max.value(), w.average_max.value(), 1e-9);
    // Histograms agree exactly at the coarser of the two widths.
    const int e = std::max(m.histogram.exponent(), w.histogram.exponent());
    EXPECT_EQ(occupied(m.histogram.coarsened_to(e)), occupied(w.histogram.coarsened_to(e)));
    for (RangeMethod method : kAllMethods) {
      const RangeChoice rm = choose_range(m, method, Bits::kInt8);
      const RangeChoice rw = choose_range(w, method, Bits::kInt8);
      const double bin = std::ldexp(1.0, e);
      EXPECT_NEAR(rm.lo, rw.lo, 2 * bin + 1e-9) << method_name(method);
      EXPECT_NEAR(rm.hi, rw.hi, 2 * bin + 1e-9) << method_name(method);
    }
  }
}

TEST_F(CalibStatsFile, RefusesStatisticsOfAnotherModel) {
  StatsSet a = run({samples("a.npy", 10, -1, 1, 5)});
  StatsSet b = a;
  b.model = {"other.tflite", std::string(64, 'f')};
  const auto merged = merge_stats(a, b);
  ASSERT_FALSE(merged);
  EXPECT_NE(merged.error().message.find("another model"), std::string::npos) << merged.error().message;
  EXPECT_NE(merged.error().message.find("other.tflite"), std::string::npos) << merged.error().message;
  const auto check = check_model(a, std::string(64, '0'), "m2.tflite");
  ASSERT_FALSE(check);
  EXPECT_NE(check.error().message.find("m2.tflite"), std::string::npos);
  EXPECT_TRUE(check_model(a, identity_.sha256, "fc.tflite"));
}

TEST_F(CalibStatsFile, RefusesToMixPreprocessing) {
  StatsSet a = run({samples("a.npy", 10, -1, 1, 6)});
  StatsSet b = a;
  ResolvedPreprocess p;
  p.width = p.height = 4;
  a.runs[0].inputs[0].kind = b.runs[0].inputs[0].kind = "images";
  p.values = {ValueMapping::Kind::kRange, -1, 1, {}, {}};
  a.runs[0].inputs[0].image = p;
  p.values = {ValueMapping::Kind::kRange, 0, 1, {}, {}};
  b.runs[0].inputs[0].image = p;
  const auto merged = merge_stats(a, b);
  ASSERT_FALSE(merged);
  EXPECT_NE(merged.error().message.find("preprocessed differently"), std::string::npos)
      << merged.error().message;
  EXPECT_EQ(a.samples, 10u);  // unchanged
}

TEST_F(CalibStatsFile, BadFilesAreRefusedNamingTheFile) {
  const fs::path junk = dir_ / "junk.json";
  std::ofstream(junk) << "{ not json";
  auto r = load_stats(junk);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("junk.json"), std::string::npos) << r.error().message;

  const fs::path other = dir_ / "other.json";
  std::ofstream(other) << R"({"format": "quantscope.model-info", "version": 1})";
  r = load_stats(other);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("not a QuantScope stats file"), std::string::npos) << r.error().message;

  const StatsSet s = run({samples("a.npy", 5, -1, 1, 7)});
  ASSERT_TRUE(save_stats(s, dir_ / "s.json"));
  std::ifstream in(dir_ / "s.json");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string newer = std::string(text).replace(text.find("\"version\": 1"), 12, "\"version\": 9");
  std::ofstream(dir_ / "newer.json") << newer;
  r = load_stats(dir_ / "newer.json");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("newer"), std::string::npos) << r.error().message;
  // A histogram that disagrees with the count is caught, naming the tensor.
  const size_t at = text.find("\"count\": 20");
  ASSERT_NE(at, std::string::npos);
  std::ofstream(dir_ / "bad.json") << std::string(text).replace(at, 11, "\"count\": 21");
  r = load_stats(dir_ / "bad.json");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("tensor 'x'"), std::string::npos) << r.error().message;
}

TEST_F(CalibStatsFile, CancelStopsTheRunWithoutStatistics) {
  auto inputs = model_inputs(*model_);
  ASSERT_TRUE(inputs);
  auto set = SampleSet::open(*inputs, {{samples("big.npy", 20000, -1, 1, 8), ""}}, {});
  ASSERT_TRUE(set) << set.error().message;
  std::atomic<bool> cancel{false};
  CalibrateOptions options;
  options.workers = 2;
  options.cancel = &cancel;
  options.progress_interval = 0;
  size_t last = 0;
  options.progress = [&](const Progress& p) {
    last = p.done;
    if (p.done >= 100) cancel = true;
  };
  const auto stats = calibrate(model_, identity_, *set, options);
  ASSERT_FALSE(stats);
  EXPECT_EQ(stats.error().message, "cancelled");
  EXPECT_LT(last, 20000u);
}

}  // namespace
}  // namespace qs::calib
