// Calibration of real corpus models on the shared sample data: every
// activation gets statistics, and the inputs' recorded ranges are exactly
// what the preprocessing produces (checked against the decoded pixels or
// the raw file, read here without the sample set).

#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <map>

#include "calib/calibrate.h"
#include "calib/image.h"
#include "format/model_file.h"
#include "support/corpus.h"

namespace qs::calib {
namespace {

namespace fs = std::filesystem;

fs::path data(const std::string& name) { return test::shared_dir() / "data" / name; }

std::shared_ptr<const format::Model> load(const std::string& name) {
  auto file = format::ModelFile::open(test::corpus_model(name));
  EXPECT_TRUE(file) << file.error().message;
  return std::make_shared<const format::Model>(file->to_model());
}

StatsSet run(const std::shared_ptr<const format::Model>& model, const std::vector<fs::path>& files,
             const SourceOptions& options, int workers = 2) {
  auto inputs = model_inputs(*model);
  EXPECT_TRUE(inputs) << inputs.error().message;
  std::vector<DataSpec> specs;
  for (const auto& f : files) specs.push_back({f, ""});
  auto set = SampleSet::open(*inputs, specs, options);
  EXPECT_TRUE(set) << set.error().message;
  CalibrateOptions run;
  run.workers = workers;
  auto stats = calibrate(model, {"model", "0"}, *set, run);
  EXPECT_TRUE(stats) << stats.error().message;
  return stats ? std::move(*stats) : StatsSet{};
}

// Every float tensor that is not a constant is an activation or an input:
// each must have been seen, on every sample.
void expect_every_activation_seen(const format::Model& model, const StatsSet& s) {
  size_t activations = 0;
  for (const auto& t : model.subgraphs[0].tensors) {
    if (t.type == format::TensorType::FLOAT32 && model.tensor_data(t).empty()) ++activations;
  }
  size_t seen = 0;
  for (const auto& t : s.tensors) {
    if (t.key.subgraph != 0) continue;
    EXPECT_GT(t.stats.count, 0u) << t.name;
    EXPECT_EQ(t.stats.average_max.updates, s.samples) << t.name;
    ++seen;
  }
  EXPECT_EQ(seen, activations);
}

// min and max of p·(hi − lo)/255 + lo over the pixels of the images.
std::pair<double, double> mapped_pixel_range(const std::vector<fs::path>& images, float lo, float hi) {
  int pmin = 255, pmax = 0;
  for (const auto& f : images) {
    auto img = decode_image(f);
    EXPECT_TRUE(img) << img.error().message;
    for (uint8_t p : img->pixels) pmin = std::min<int>(pmin, p), pmax = std::max<int>(pmax, p);
  }
  const auto map = [&](int p) {
    return static_cast<double>(lo + static_cast<float>(p) * (hi - lo) / 255.0f);
  };
  return {map(pmin), map(pmax)};
}

TEST(CalibCorpus, MobilenetOnTheSampleImages) {
  QS_REQUIRE_CORPUS();
  const auto model = load("mobilenet_v1_0.25_224_1_metadata_1.tflite");
  // The 224x224 images need no resizing, so the input's range is exactly
  // the mapped range of their pixels.
  const std::vector<fs::path> images = {data("grace_hopper_224.jpg"), data("chair_224_224_3.jpeg"),
                                        data("city_224_224_3.jpeg"),  data("food_224_224_3.jpeg"),
                                        data("plant_224_224_3.jpeg"), data("shoe_224_224_3.jpeg")};
  SourceOptions options;
  options.image.width = options.image.height = 224;
  options.image.values = ValueMapping{ValueMapping::Kind::kRange, -1.0f, 1.0f, {}, {}};
  const StatsSet s = run(model, images, options);
  EXPECT_EQ(s.samples, images.size());
  expect_every_activation_seen(*model, s);
  const TensorRecord* input = s.find("input");
  ASSERT_NE(input, nullptr);
  const auto [lo, hi] = mapped_pixel_range(images, -1.0f, 1.0f);
  EXPECT_NEAR(input->stats.min, lo, 1e-6);
  EXPECT_NEAR(input->stats.max, hi, 1e-6);
  EXPECT_EQ(input->stats.count, images.size() * 224 * 224 * 3);
  ASSERT_EQ(s.runs.at(0).inputs.size(), 1u);
  const auto& recorded = s.runs[0].inputs[0];
  ASSERT_TRUE(recorded.image.has_value());
  EXPECT_EQ(recorded.image->values.lo, -1.0f);
  EXPECT_EQ(recorded.image->values.hi, 1.0f);
  EXPECT_EQ(recorded.image->width, 224);
  // ReLU6 activations stay within [0, 6].
  for (const auto& t : s.tensors) {
    if (t.name.find("Relu6") == std::string::npos) continue;
    EXPECT_GE(t.stats.min, 0.0) << t.name;
    EXPECT_LE(t.stats.max, 6.0) << t.name;
  }
}

TEST(CalibCorpus, MnistDigitsThroughConvFc) {
  QS_REQUIRE_CORPUS();
  const auto model = load("conv_fc_mnist.tflite");
  std::vector<fs::path> digits;
  for (int i = 0; i < 10; ++i) digits.push_back(data("mnist_sample" + std::to_string(i) + ".png"));
  SourceOptions options;
  options.image.values = ValueMapping{ValueMapping::Kind::kRange, 0.0f, 1.0f, {}, {}};
  const StatsSet s = run(model, digits, options);
  EXPECT_EQ(s.samples, 10u);
  expect_every_activation_seen(*model, s);
  const auto [lo, hi] = mapped_pixel_range(digits, 0.0f, 1.0f);
  const auto& in = model->subgraphs[0].tensors[static_cast<size_t>(model->subgraphs[0].inputs[0])];
  const TensorRecord* input = s.find(in.name);
  ASSERT_NE(input, nullptr);
  EXPECT_NEAR(input->stats.min, lo, 1e-7);
  EXPECT_NEAR(input->stats.max, hi, 1e-7);
}

TEST(CalibCorpus, ToyCarMelFramesThroughAd01) {
  QS_REQUIRE_CORPUS();
  const auto model = load("ad01_fp32.tflite");
  // 200 frames x 128 mel bins of float32; 5-frame windows sliding by one.
  const fs::path raw = data("normal_id_01_00000000_hist_librosa.bin");
  std::vector<float> frames(200 * 128);
  std::ifstream(raw, std::ios::binary)
      .read(reinterpret_cast<char*>(frames.data()), frames.size() * sizeof(float));
  SourceOptions options;
  options.raw.dtype = io::DType::kFloat32;
  options.raw.shape = std::vector<int64_t>{200, 128};
  options.window = {5, 1};
  const StatsSet one = run(model, {raw}, options, 1);
  const StatsSet two = run(model, {raw}, options, 2);
  EXPECT_EQ(one.samples, 196u);
  expect_every_activation_seen(*model, one);
  const TensorRecord* input = one.find("input_1");
  ASSERT_NE(input, nullptr);
  // Every frame appears in some window, so the input's range is the file's.
  EXPECT_EQ(input->stats.min, *std::min_element(frames.begin(), frames.end()));
  EXPECT_EQ(input->stats.max, *std::max_element(frames.begin(), frames.end()));
  EXPECT_EQ(input->stats.count, 196u * 640u);
  // Workers only change the order samples arrive in.
  ASSERT_EQ(one.tensors.size(), two.tensors.size());
  for (size_t i = 0; i < one.tensors.size(); ++i) {
    const auto& a = one.tensors[i].stats;
    const auto& b = two.tensors[i].stats;
    EXPECT_EQ(a.count, b.count);
    EXPECT_EQ(a.min, b.min);
    EXPECT_EQ(a.max, b.max);
    EXPECT_NEAR(a.mean(), b.mean(), 1e-9 * (1 + std::abs(a.mean())));
    const int e = std::max(a.histogram.exponent(), b.histogram.exponent());
    const auto ha = a.histogram.coarsened_to(e), hb = b.histogram.coarsened_to(e);
    std::map<int64_t, uint64_t> ca, cb;
    for (int k = 0; k < Histogram::kBins; ++k) {
      if (ha.counts()[static_cast<size_t>(k)]) ca[ha.origin() + k] = ha.counts()[static_cast<size_t>(k)];
      if (hb.counts()[static_cast<size_t>(k)]) cb[hb.origin() + k] = hb.counts()[static_cast<size_t>(k)];
    }
    EXPECT_EQ(ca, cb) << one.tensors[i].name;
  }
}

}  // namespace
}  // namespace qs::calib
