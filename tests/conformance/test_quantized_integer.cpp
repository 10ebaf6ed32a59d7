// The full-integer modes' files in a real TFLite runtime (LiteRT.js): every
// mode applied to the issue's models and to the single-op float models
// LiteRT.js runs, calibrated on some inputs and measured on others; and
// ad01_fp32 quantized by us against the official converter's files of the
// same weights.
//
// The error measure is conformance/compare.h's: the worst absolute
// difference over an output relative to the output's largest magnitude,
// LiteRT.js on our file against LiteRT.js on the float model.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "calib/calibrate.h"
#include "calib/sample_set.h"
#include "conformance/harness.h"
#include "format/model_file.h"
#include "format/write_model.h"
#include "io/npy.h"
#include "quant/dynamic_range.h"
#include "quant/full_integer.h"
#include "support/corpus.h"
#include "support/temp_dir.h"

namespace qs::conformance {
namespace {

namespace fs = std::filesystem;
using format::TensorType;
using quant::IntegerScheme;

struct Mode {
  std::string name;  // as in the CLI, plus the I/O
  IntegerScheme scheme;
  TensorType io;
  bool per_tensor = false;  // every filter with one scale, as uint8 has them
};

const std::vector<Mode>& modes() {
  static const std::vector<Mode> m = {
      {"int8", IntegerScheme::kInt8, TensorType::FLOAT32},
      {"int8 int8-io", IntegerScheme::kInt8, TensorType::INT8},
      {"int16x8", IntegerScheme::kInt16x8, TensorType::FLOAT32},
      {"uint8", IntegerScheme::kUint8, TensorType::UINT8},
      {"int8 per-tensor", IntegerScheme::kInt8, TensorType::FLOAT32, true},
  };
  return m;
}

struct Data {
  std::vector<Sample> calibration;
  std::vector<Sample> test;
};

Sample one(std::string label, io::Array a) { return {std::move(label), {std::move(a)}}; }

io::Array floats_array(std::vector<int64_t> shape, const float* values, size_t n) {
  io::Array a;
  a.dtype = io::DType::kFloat32;
  a.shape = std::move(shape);
  a.data.resize(n * sizeof(float));
  std::memcpy(a.data.data(), values, a.data.size());
  return a;
}

// Calibration and held-out inputs: real data where the shared folder has
// it, disjoint between the two; random inputs (different seeds) otherwise.
Data data_for(const std::string& model, const runtime::Interpreter& interp) {
  Data d;
  const runtime::Tensor& in = interp.input(0);
  if (model == "mobilenet_v1_0.25_224_1_metadata_1.tflite") {
    for (const char* f : {"chair_224_224_3.jpeg", "city_224_224_3.jpeg", "food_224_224_3.jpeg",
                          "plant_224_224_3.jpeg", "shoe_224_224_3.jpeg", "burger.jpg"}) {
      if (auto a = image_input(in, f, 1 / 127.5f, -1.f)) d.calibration.push_back(one(f, std::move(*a)));
    }
    for (const char* f : {"grace_hopper_224.jpg", "resized_cat.bmp", "flowers_192_192_3.jpeg",
                          "person_192_192_3.jpeg", "rural_192_192_3.jpeg", "street_192_192_3.jpeg",
                          "toys_192_192_3.jpeg", "snowman_320_320_3.jpeg"}) {
      if (auto a = image_input(in, f, 1 / 127.5f, -1.f)) d.test.push_back(one(f, std::move(*a)));
    }
  } else if (model == "conv_fc_mnist.tflite") {
    for (int k = 0; k < 10; ++k) {
      auto img = load_image(data_file(cat("mnist_sample", k, ".png")), 1);
      if (!img) continue;
      io::Array a = image_array(*img, 1 / 255.f, 0.f);
      a.shape.assign(in.shape.begin(), in.shape.end());
      (k == 3 || k == 7 ? d.test : d.calibration).push_back(one(cat("mnist_sample", k), std::move(a)));
    }
  } else if (model == "ad01_fp32.tflite") {
    // 200 frames x 128 mel bins; a window of 5 frames is one input.
    // Windows 0..95 (frames 0..99) calibrate, windows 100..195 (frames
    // 100..199) are held out.
    const auto raw = test::read_file(data_file("normal_id_01_00000000_hist_librosa.bin"));
    if (raw.size() >= 200 * 128 * sizeof(float)) {
      const auto* frames = reinterpret_cast<const float*>(raw.data());
      for (size_t w = 0; w <= 195; ++w) {
        if (w > 95 && w < 100) continue;
        (w < 100 ? d.calibration : d.test)
            .push_back(one(cat("frames ", w, "..", w + 4), floats_array({1, 640}, frames + w * 128, 640)));
      }
    }
  } else if (model == "hello_world_float.tflite") {
    for (int k = 0; k <= 62; ++k) {
      const float x = 0.1f * static_cast<float>(k);
      d.calibration.push_back(one(cat("x=", x), floats_array({1, 1}, &x, 1)));
    }
    for (float x : {0.55f, 2.45f, 4.95f}) d.test.push_back(one(cat("x=", x), floats_array({1, 1}, &x, 1)));
  }
  if (d.calibration.empty()) {
    for (int k = 0; k < 32; ++k) {
      Sample s;
      s.label = cat("random #", k);
      for (int i = 0; i < interp.input_count(); ++i) {
        const runtime::Tensor& t = interp.input(i);
        auto a = random_array(t.type, t.shape, seed_from(cat(model, "#calibration#", k, "#", i)));
        if (a) s.inputs.push_back(std::move(*a));
      }
      d.calibration.push_back(std::move(s));
    }
    if (auto r = random_sample(interp, model)) d.test.push_back(std::move(*r));
  }
  return d;
}

// Statistics of the float model over `samples`, through core/calib as the
// CLI's calibrate would collect them (each input's samples stacked in one
// .npy, bound by name).
Result<calib::StatsSet> calibrate_on(const fs::path& model_path, const std::string& signature,
                                     const runtime::Interpreter& interp, const std::vector<Sample>& samples,
                                     const fs::path& dir) {
  auto file = format::ModelFile::open(model_path);
  if (!file) return tl::unexpected(file.error());
  auto model = std::make_shared<const format::Model>(file->to_model());
  auto inputs = calib::model_inputs(*model, 0, signature);
  if (!inputs) return tl::unexpected(inputs.error());
  std::vector<calib::DataSpec> specs;
  for (int i = 0; i < interp.input_count(); ++i) {
    io::Array stacked = samples.front().inputs[static_cast<size_t>(i)];
    stacked.data.clear();
    for (const Sample& s : samples) {
      const auto& d = s.inputs[static_cast<size_t>(i)].data;
      stacked.data.insert(stacked.data.end(), d.begin(), d.end());
    }
    stacked.shape.insert(stacked.shape.begin(), static_cast<int64_t>(samples.size()));
    if (stacked.shape.size() > 1 && stacked.shape[1] == 1) stacked.shape.erase(stacked.shape.begin() + 1);
    const fs::path p = dir / cat("calibration_", i, ".npy");
    if (auto s = io::write_npy(stacked, p); !s) return tl::unexpected(s.error());
    specs.push_back({p, std::string(interp.input_name(i))});
  }
  calib::SourceOptions source;
  auto set = calib::SampleSet::open(*inputs, specs, source);
  if (!set) return tl::unexpected(set.error());
  calib::CalibrateOptions options;
  options.workers = 1;
  options.signature = signature;
  return calib::calibrate(model, {model_path.filename().string(), "test"}, *set, options);
}

// The quantization of a model input or output, found by its LiteRT name
// (signature alias or tensor name).
const format::Tensor* io_tensor(const format::Model& m, const std::string& name, bool input) {
  for (const auto& sig : m.signatures) {
    for (const auto& t : input ? sig.inputs : sig.outputs) {
      if (t.name == name) return &m.subgraphs[sig.subgraph_index].tensors[t.tensor_index];
    }
  }
  const auto& sg = m.subgraphs[0];
  for (int32_t t : input ? sg.inputs : sg.outputs) {
    if (sg.tensors[static_cast<size_t>(t)].name == name) return &sg.tensors[static_cast<size_t>(t)];
  }
  return nullptr;
}

// A float array on the tensor's integer grid (the model's own input
// quantization), or unchanged when the tensor is not an integer one.
io::Array to_tensor_type(const io::Array& a, const format::Tensor& t) {
  if (a.dtype != io::DType::kFloat32 || !t.quantization || !t.quantization->has_scale()) return a;
  const double scale = t.quantization->scale[0];
  const int64_t zp = t.quantization->zero_point.empty() ? 0 : t.quantization->zero_point[0];
  io::Array out = a;
  std::vector<float> v(static_cast<size_t>(a.elements()));
  std::memcpy(v.data(), a.data.data(), v.size() * sizeof(float));
  const auto q = [&](float x, double lo, double hi) {
    return std::clamp(std::round(x / scale) + static_cast<double>(zp), lo, hi);
  };
  if (t.type == TensorType::INT8 || t.type == TensorType::UINT8) {
    const bool u = t.type == TensorType::UINT8;
    out.dtype = u ? io::DType::kUInt8 : io::DType::kInt8;
    out.data.resize(v.size());
    for (size_t i = 0; i < v.size(); ++i) {
      const double x = q(v[i], u ? 0 : -128, u ? 255 : 127);
      out.data[i] = u ? static_cast<std::byte>(static_cast<uint8_t>(x))
                      : static_cast<std::byte>(static_cast<int8_t>(x));
    }
  } else if (t.type == TensorType::INT16) {
    out.dtype = io::DType::kInt16;
    out.data.resize(v.size() * 2);
    for (size_t i = 0; i < v.size(); ++i) {
      const auto x = static_cast<int16_t>(q(v[i], -32768, 32767));
      std::memcpy(out.data.data() + 2 * i, &x, 2);
    }
  }
  return out;
}

// An integer output back to real values with its tensor's parameters.
io::Array to_real(const io::Array& a, const format::Tensor* t) {
  if (t == nullptr || !t->quantization || !t->quantization->has_scale() || a.dtype == io::DType::kFloat32) return a;
  const double scale = t->quantization->scale[0];
  const double zp = t->quantization->zero_point.empty() ? 0.0 : static_cast<double>(t->quantization->zero_point[0]);
  std::vector<float> v(static_cast<size_t>(a.elements()));
  for (size_t i = 0; i < v.size(); ++i) {
    double q = 0;
    if (a.dtype == io::DType::kInt8) q = static_cast<int8_t>(a.data[i]);
    if (a.dtype == io::DType::kUInt8) q = static_cast<uint8_t>(a.data[i]);
    if (a.dtype == io::DType::kInt16) {
      int16_t x;
      std::memcpy(&x, a.data.data() + 2 * i, 2);
      q = x;
    }
    v[i] = static_cast<float>(scale * (q - zp));
  }
  return floats_array(a.shape, v.data(), v.size());
}

int64_t argmax(const io::Array& a) {
  std::vector<float> v(static_cast<size_t>(a.elements()));
  std::memcpy(v.data(), a.data.data(), v.size() * sizeof(float));
  return std::max_element(v.begin(), v.end()) - v.begin();
}

struct Case {
  std::string model;
  Mode mode;
  fs::path float_file, quant_file;
  std::string signature;
  std::vector<Sample> test;
  size_t first_job = 0;
  bool weighted = false;
  std::shared_ptr<const format::Model> quantized;
};

// The largest error (compare.h) allowed against the float model on
// held-out inputs, the same for every mode:
//  - One int8 step is 1/255 of a tensor's calibrated range; measured on
//    the calibration inputs themselves every file here is within 1% (one
//    or two steps), mobilenet aside. Held-out inputs can leave the
//    calibrated range and clip: single_fc's random held-out sample measured
//    6.8% in every mode, 16x8 included, which is clipping, not resolution.
//    25% allows that and still catches a wrong scale, zero point, layout or
//    bias (those are off by 100% or more).
//  - int16x8 keeps int8 weights, which dominate on models with weights
//    (ad01: int8 5.1%, 16x8 4.0%), so it gets the same bound; that its
//    activations really are 16 bit is checked apart, on the models without
//    weights (end of the test).
//  - mobilenet_v1_0.25's output is a softmax over 1001 classes and its
//    depthwise filters have outlier weights (Conv2d_2_depthwise has a
//    channel reaching 33.4 where most stay below 1): replacing only that
//    layer's float weights by their per-channel int8 values, everything
//    else float, already moves grace_hopper's top probability by 60% of
//    its value (measured with our float interpreter). Any int8 weights do
//    that, the official converter's too, so the bound there is 150% and
//    the test asks instead that the top-1 class survive on most images.
//  - With one scale per filter (uint8, whose kernels have no per-channel
//    form, and int8 per-tensor) that outlier channel leaves the other 15
//    channels of the layer a few steps each, and mobilenet_v1_0.25 loses
//    its top-1 class on most images (int8 per-tensor min/max: 0 of 8; uint8
//    with least-squares filter ranges and bias correction: 4 of 8). No
//    bound holds there; the test checks that uint8 does better than int8
//    per-tensor min/max and prints the count.
constexpr double kTolerance = 2.5e-1;
constexpr double kMobileNetTolerance = 1.5;
bool per_tensor_filters(const Mode& m) { return m.per_tensor || m.scheme == IntegerScheme::kUint8; }
bool is_mobilenet(const std::string& model) { return model.find("mobilenet") == 0; }
double tolerance_for(const std::string& model, const Mode& mode) {
  if (!is_mobilenet(model)) return kTolerance;
  return per_tensor_filters(mode) ? std::numeric_limits<double>::infinity() : kMobileNetTolerance;
}

bool has_weighted_op(const format::Model& m) {
  for (const auto& sg : m.subgraphs) {
    for (const auto& op : sg.operators) {
      const auto rule = quant::op_rule(op.code.builtin);
      if (rule && rule->weighted()) return true;
    }
  }
  return false;
}

TEST(QuantizedIntegerConformance, EveryIntegerModeRunsInLiteRtCloseToTheFloatModel) {
  QS_REQUIRE_CORPUS();
  QS_REQUIRE_LITERT(litert);
  test::TempDir dir("qs-conformance-integer");
  const std::vector<std::string> names = quantizer_test_models();
  std::vector<Case> cases;
  std::vector<LiteRtJob> jobs;
  std::vector<std::string> skipped;
  for (const std::string& name : names) {
    const fs::path float_file = test::corpus_model(name);
    std::string signature;
    auto interp = open_interpreter(float_file, &signature);
    if (!interp) {
      skipped.push_back(cat(name, ": our interpreter can't run the float model (", first_line(interp.error().message), ")"));
      continue;
    }
    const Data data = data_for(name, **interp);
    ASSERT_FALSE(data.calibration.empty() || data.test.empty()) << name;
    const fs::path work = dir / name;
    fs::create_directories(work);
    auto stats = calibrate_on(float_file, signature, **interp, data.calibration, work);
    if (!stats) {
      skipped.push_back(cat(name, ": calibration failed (", first_line(stats.error().message), ")"));
      continue;
    }
    auto file = format::ModelFile::open(float_file);
    ASSERT_TRUE(file) << file.error().message;
    const format::Model model = file->to_model();
    for (const Mode& mode : modes()) {
      Case c;
      c.model = name;
      c.mode = mode;
      c.float_file = float_file;
      c.signature = signature;
      quant::FullIntegerOptions o;
      o.scheme = mode.scheme;
      o.stats = &*stats;
      o.input_type = o.output_type = mode.io;
      o.tool = "conformance test";
      if (mode.per_tensor) o.per_tensor_ops = {"CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED", "TRANSPOSE_CONV"};
      if (mode.scheme == IntegerScheme::kUint8 && name.find("mobilenet") == 0) {
        o.mean_std = {{"input", 128, 128}};  // (pixel - 128) / 128, the legacy convention
      }
      auto q = quant::to_full_integer(model, o);
      if (!q) {
        skipped.push_back(cat(mode.name, " ", name, ": ", first_line(q.error().message)));
        continue;
      }
      c.quant_file = work / cat(mode.name, ".tflite");
      ASSERT_TRUE(format::write_file(q->model, c.quant_file));
      c.quantized = std::make_shared<const format::Model>(std::move(q->model));
      c.weighted = has_weighted_op(model);
      c.first_job = jobs.size();
      for (size_t k = 0; k < data.test.size(); ++k) {
        const Sample& s = data.test[k];
        const fs::path job = work / cat(mode.name, "_", k);
        ASSERT_TRUE(write_job_inputs(job / "in_float", **interp, s));
        Sample converted = s;
        for (int i = 0; i < (*interp)->input_count(); ++i) {
          const format::Tensor* t = io_tensor(*c.quantized, std::string((*interp)->input_name(i)), true);
          ASSERT_NE(t, nullptr) << name << " input " << (*interp)->input_name(i);
          converted.inputs[static_cast<size_t>(i)] = to_tensor_type(s.inputs[static_cast<size_t>(i)], *t);
        }
        ASSERT_TRUE(write_job_inputs(job / "in_quant", **interp, converted));
        jobs.push_back({c.float_file, job / "in_float", job / "out_float", signature});
        jobs.push_back({c.quant_file, job / "in_quant", job / "out_quant", signature});
      }
      c.test = data.test;
      cases.push_back(std::move(c));
    }
  }
  const auto results = run_litert(litert, jobs, dir.path());
  ASSERT_EQ(results.size(), jobs.size());
  std::map<std::string, std::pair<int, int>> per_mode;  // mode -> (ran, within tolerance)
  std::map<std::string, std::map<std::string, double>> weightless;  // mode -> model -> error, models without weights
  std::map<std::string, double> mobilenet_error;          // mode -> error
  for (const Case& c : cases) {
    SCOPED_TRACE(c.mode.name + " " + c.model);
    double worst = 0;
    int top1_same = 0;
    bool ran = true;
    for (size_t k = 0; k < c.test.size(); ++k) {
      const LiteRtResult& f = results[c.first_job + 2 * k];
      const LiteRtResult& q = results[c.first_job + 2 * k + 1];
      if (!f.ok) {
        skipped.push_back(cat(c.mode.name, " ", c.model, ": LiteRT.js cannot run the float model (", f.stage, ": ",
                              first_line(f.error), ")"));
        ran = false;
        break;
      }
      EXPECT_TRUE(q.ok) << "LiteRT.js did not run our file " << c.quant_file << ": " << q.stage << ": "
                        << first_line(q.error);
      if (!q.ok) {
        ran = false;
        break;
      }
      ASSERT_EQ(q.outputs.size(), f.outputs.size());
      for (size_t o = 0; o < f.outputs.size(); ++o) {
        const io::Array real = to_real(q.outputs[o].array, io_tensor(*c.quantized, q.outputs[o].name, false));
        const auto cmp = compare_arrays(real, f.outputs[o].array, tolerance_for(c.model, c.mode));
        EXPECT_TRUE(cmp.agree) << c.test[k].label << " output " << o << ": " << cmp.detail;
        worst = std::max(worst, cmp.error);
        if (o == 0 && (c.model.find("mobilenet") == 0 || c.model == "conv_fc_mnist.tflite"))
          top1_same += argmax(real) == argmax(f.outputs[o].array) ? 1 : 0;
      }
    }
    if (!ran) continue;
    auto& tally = per_mode[c.mode.name];
    ++tally.first;
    tally.second += worst <= tolerance_for(c.model, c.mode) ? 1 : 0;
    if (!c.weighted && c.model.rfind("single_", 0) == 0) weightless[c.mode.name][c.model] = worst;
    if (is_mobilenet(c.model)) mobilenet_error[c.mode.name] = worst;
    std::string top1;
    if (c.model.find("mobilenet") == 0 || c.model == "conv_fc_mnist.tflite") {
      top1 = cat(", top-1 kept on ", top1_same, " of ", c.test.size());
      if (c.model == "conv_fc_mnist.tflite") {
        EXPECT_EQ(top1_same, static_cast<int>(c.test.size())) << "a digit changed class";
      } else if (!per_tensor_filters(c.mode)) {
        EXPECT_GT(2 * top1_same, static_cast<int>(c.test.size())) << "top-1 class changed on most images";
      }
    }
    std::printf("%-13s %-52s vs float (LiteRT.js, %zu held-out): %.2e%s\n", c.mode.name.c_str(), c.model.c_str(),
                c.test.size(), worst, top1.c_str());
  }
  // 16-bit activations: on the single-op models without weights, where
  // only activation rounding (and clipping) is left, 16x8 must be at least
  // ten times closer than int8 on average (one int16 step is 1/256 of an
  // int8 one).
  double sum8 = 0;
  double sum16 = 0;
  size_t both = 0;
  for (const auto& [model, e16] : weightless["int16x8"]) {
    if (!weightless["int8"].contains(model)) continue;
    sum8 += weightless["int8"][model];
    sum16 += e16;
    ++both;
  }
  EXPECT_GT(both, 10u);
  std::printf("models without weights: mean error int8 %.2e, int16x8 %.2e (%zu models quantized in both)\n",
              both > 0 ? sum8 / static_cast<double>(both) : 0.0, both > 0 ? sum16 / static_cast<double>(both) : 0.0,
              both);
  EXPECT_LT(10 * sum16, sum8);
  if (mobilenet_error.contains("uint8") && mobilenet_error.contains("int8 per-tensor")) {
    EXPECT_LT(mobilenet_error["uint8"], mobilenet_error["int8 per-tensor"]);
  }
  for (const Mode& m : modes()) {
    const auto& tally = per_mode[m.name];
    std::printf("%-13s %d files ran in LiteRT.js, %d within the bound of the float model\n", m.name.c_str(),
                tally.first, tally.second);
  }
  for (const auto& s : skipped) std::printf("not quantized: %s\n", s.c_str());
}

// Issue 6's comparison with the official converter on the same float
// weights (../shared/models/README.md pairs): ad01_fp32 calibrated on the
// first 100 frames of the ToyCar spectrogram, measured on the last 100.
// Mean squared error against the float model, all in LiteRT.js; ours may
// be at most 1.1 times the official file's:
//   int8, int8 I/O   vs ad01_int8.tflite
//   int8, float I/O  vs model_ToyCar_quant_fullint.tflite
//   dynamic          vs model_ToyCar_quant.tflite
TEST(QuantizedIntegerConformance, Ad01IsAsCloseToTheFloatModelAsTheOfficialConverter) {
  QS_REQUIRE_CORPUS();
  QS_REQUIRE_LITERT(litert);
  test::TempDir dir("qs-conformance-ad01");
  const std::string name = "ad01_fp32.tflite";
  const fs::path float_file = test::corpus_model(name);
  std::string signature;
  auto interp = open_interpreter(float_file, &signature);
  ASSERT_TRUE(interp) << interp.error().message;
  const Data data = data_for(name, **interp);
  ASSERT_EQ(data.calibration.size(), 96u);
  ASSERT_EQ(data.test.size(), 96u);
  auto stats = calibrate_on(float_file, signature, **interp, data.calibration, dir.path());
  ASSERT_TRUE(stats) << stats.error().message;
  auto file = format::ModelFile::open(float_file);
  ASSERT_TRUE(file) << file.error().message;

  struct Entry {
    std::string label;
    fs::path path;
    std::shared_ptr<const format::Model> model;
    double mse = 0;
  };
  const auto ours = [&](const std::string& label, Result<quant::QuantizedModel> q) {
    EXPECT_TRUE(q) << label << ": " << q.error().message;
    static int written = 0;
    const fs::path p = dir / cat("ours_", written++, ".tflite");
    EXPECT_TRUE(q && format::write_file(q->model, p));
    return Entry{label, p, q ? std::make_shared<const format::Model>(q->model) : nullptr};
  };
  const auto official = [&](const std::string& file_name) {
    auto f = format::ModelFile::open(test::corpus_model(file_name));
    EXPECT_TRUE(f) << f.error().message;
    return Entry{file_name, test::corpus_model(file_name),
                 f ? std::make_shared<const format::Model>(f->to_model()) : nullptr};
  };
  quant::FullIntegerOptions int8_io;
  int8_io.stats = &*stats;
  int8_io.input_type = int8_io.output_type = TensorType::INT8;
  quant::FullIntegerOptions float_io = int8_io;
  float_io.input_type = float_io.output_type = TensorType::FLOAT32;
  std::vector<std::pair<Entry, Entry>> pairs;
  pairs.emplace_back(ours("ours int8 (int8 I/O)", quant::to_full_integer(file->to_model(), int8_io)),
                     official("ad01_int8.tflite"));
  pairs.emplace_back(ours("ours int8 (float I/O)", quant::to_full_integer(file->to_model(), float_io)),
                     official("model_ToyCar_quant_fullint.tflite"));
  pairs.emplace_back(ours("ours dynamic", quant::to_dynamic_range(file->to_model())),
                     official("model_ToyCar_quant.tflite"));
  for (const auto& [a, b] : pairs) ASSERT_TRUE(a.model && b.model);

  std::vector<LiteRtJob> jobs;
  std::vector<Entry*> order;
  for (size_t k = 0; k < data.test.size(); ++k) {
    const fs::path job = dir / cat("w", k);
    ASSERT_TRUE(write_job_inputs(job / "float_in", **interp, data.test[k]));
    jobs.push_back({float_file, job / "float_in", job / "float_out", signature});
    for (auto& [a, b] : pairs) {
      for (Entry* e : {&a, &b}) {
        Sample converted = data.test[k];
        const format::Tensor* t = io_tensor(*e->model, std::string((*interp)->input_name(0)), true);
        ASSERT_NE(t, nullptr) << e->label;
        converted.inputs[0] = to_tensor_type(converted.inputs[0], *t);
        const fs::path in = job / (std::to_string(order.size() % 6) + "_in");
        ASSERT_TRUE(write_job_inputs(in, **interp, converted));
        jobs.push_back({e->path, in, job / (std::to_string(order.size() % 6) + "_out"), signature});
        order.push_back(e);
      }
    }
  }
  const auto results = run_litert(litert, jobs, dir.path());
  ASSERT_EQ(results.size(), jobs.size());
  size_t j = 0;
  std::map<Entry*, size_t> values;
  for (size_t k = 0; k < data.test.size(); ++k) {
    const LiteRtResult& f = results[j++];
    ASSERT_TRUE(f.ok) << f.error;
    std::vector<float> ref(static_cast<size_t>(f.outputs[0].array.elements()));
    std::memcpy(ref.data(), f.outputs[0].array.data.data(), ref.size() * sizeof(float));
    for (size_t e = 0; e < 6; ++e) {
      Entry* entry = order[k * 6 + e];
      const LiteRtResult& r = results[j++];
      ASSERT_TRUE(r.ok) << entry->label << ": " << r.error;
      const io::Array real = to_real(r.outputs[0].array, io_tensor(*entry->model, r.outputs[0].name, false));
      ASSERT_EQ(real.elements(), static_cast<int64_t>(ref.size()));
      std::vector<float> y(ref.size());
      std::memcpy(y.data(), real.data.data(), y.size() * sizeof(float));
      for (size_t i = 0; i < y.size(); ++i) entry->mse += (double(y[i]) - ref[i]) * (double(y[i]) - ref[i]);
      values[entry] += y.size();
    }
  }
  for (auto& [a, b] : pairs) {
    a.mse /= static_cast<double>(values[&a]);
    b.mse /= static_cast<double>(values[&b]);
    std::printf("%-22s MSE %.4g   %-36s MSE %.4g   ratio %.3f\n", a.label.c_str(), a.mse, b.label.c_str(), b.mse,
                a.mse / b.mse);
    EXPECT_LE(a.mse, 1.1 * b.mse) << a.label << " against " << b.label;
  }
}

// The output step of a model output: its own scale when it is an integer
// tensor, else that of the integer tensor its DEQUANTIZE reads.
double output_step(const format::Model& m, const std::string& name) {
  const format::Tensor* t = io_tensor(m, name, false);
  if (t == nullptr) return 0;
  if (t->quantization && t->quantization->has_scale()) return t->quantization->scale[0];
  const auto& sg = m.subgraphs[0];
  for (const auto& op : sg.operators) {
    if (op.outputs.size() == 1 && &sg.tensors[static_cast<size_t>(op.outputs[0])] == t && !op.inputs.empty()) {
      const auto& in = sg.tensors[static_cast<size_t>(op.inputs[0])];
      if (in.quantization && in.quantization->has_scale()) return in.quantization->scale[0];
    }
  }
  return 0;
}

// Issue 7's first integer kernel: int8/uint8 FULLY_CONNECTED (TFLite's
// reference arithmetic) with QUANTIZE and DEQUANTIZE runs the official
// converter's ad01 files and ours; LiteRT.js (XNNPACK, which rounds
// through float) must agree within 4 output steps (FACTS.md), on 20
// held-out ToyCar windows.
TEST(QuantizedIntegerConformance, IntegerFullyConnectedModelsAgreeWithLiteRt) {
  QS_REQUIRE_CORPUS();
  QS_REQUIRE_LITERT(litert);
  test::TempDir dir("qs-conformance-integer-fc");
  const fs::path float_file = test::corpus_model("ad01_fp32.tflite");
  std::string signature;
  auto float_interp = open_interpreter(float_file, &signature);
  ASSERT_TRUE(float_interp) << float_interp.error().message;
  const Data data = data_for("ad01_fp32.tflite", **float_interp);
  auto stats = calibrate_on(float_file, signature, **float_interp, data.calibration, dir.path());
  ASSERT_TRUE(stats) << stats.error().message;
  auto file = format::ModelFile::open(float_file);
  ASSERT_TRUE(file) << file.error().message;
  std::vector<fs::path> models = {test::corpus_model("ad01_int8.tflite"),
                                  test::corpus_model("model_ToyCar_quant_fullint.tflite")};
  for (const auto& [scheme, io] : {std::pair{IntegerScheme::kInt8, TensorType::INT8},
                                   std::pair{IntegerScheme::kInt8, TensorType::FLOAT32},
                                   std::pair{IntegerScheme::kUint8, TensorType::UINT8}}) {
    quant::FullIntegerOptions o;
    o.scheme = scheme;
    o.stats = &*stats;
    o.input_type = o.output_type = io;
    auto q = quant::to_full_integer(file->to_model(), o);
    ASSERT_TRUE(q) << q.error().message;
    models.push_back(dir / cat("ours_", models.size(), ".tflite"));
    ASSERT_TRUE(format::write_file(q->model, models.back()));
  }
  struct Run {
    fs::path model;
    std::shared_ptr<const format::Model> parsed;
    std::unique_ptr<runtime::Interpreter> interp;
    std::vector<Sample> samples;
    size_t first_job = 0;
  };
  std::vector<Run> runs;
  std::vector<LiteRtJob> jobs;
  for (const auto& path : models) {
    Run r;
    r.model = path;
    auto interp = open_interpreter(path, nullptr);
    ASSERT_TRUE(interp) << path << ": " << interp.error().message;
    r.interp = std::move(*interp);
    auto f = format::ModelFile::open(path);
    ASSERT_TRUE(f);
    r.parsed = std::make_shared<const format::Model>(f->to_model());
    r.first_job = jobs.size();
    for (size_t k = 0; k < data.test.size(); k += 5) {
      Sample s = data.test[k];
      const format::Tensor* t = io_tensor(*r.parsed, std::string(r.interp->input_name(0)), true);
      ASSERT_NE(t, nullptr);
      s.inputs[0] = to_tensor_type(s.inputs[0], *t);
      const fs::path in = dir / cat("r", runs.size(), "_", k);
      ASSERT_TRUE(write_job_inputs(in, *r.interp, s));
      jobs.push_back({path, in, dir / cat("r", runs.size(), "_", k, "_out"), ""});
      r.samples.push_back(std::move(s));
    }
    runs.push_back(std::move(r));
  }
  const auto results = run_litert(litert, jobs, dir.path());
  ASSERT_EQ(results.size(), jobs.size());
  for (Run& r : runs) {
    SCOPED_TRACE(r.model.filename().string());
    double worst_steps = 0;
    for (size_t k = 0; k < r.samples.size(); ++k) {
      const LiteRtResult& theirs = results[r.first_job + k];
      ASSERT_TRUE(theirs.ok) << theirs.stage << ": " << theirs.error;
      auto ours = run_ours(*r.interp, r.samples[k]);
      ASSERT_TRUE(ours) << ours.error().message;
      ASSERT_EQ(ours->arrays.size(), theirs.outputs.size());
      const std::string name = theirs.outputs[0].name;
      const double step = output_step(*r.parsed, name);
      ASSERT_GT(step, 0) << name;
      const io::Array a = to_real(ours->arrays[0], io_tensor(*r.parsed, name, false));
      const io::Array b = to_real(theirs.outputs[0].array, io_tensor(*r.parsed, name, false));
      ASSERT_EQ(a.elements(), b.elements());
      std::vector<float> va(static_cast<size_t>(a.elements())), vb(va.size());
      std::memcpy(va.data(), a.data.data(), va.size() * sizeof(float));
      std::memcpy(vb.data(), b.data.data(), vb.size() * sizeof(float));
      for (size_t i = 0; i < va.size(); ++i) worst_steps = std::max(worst_steps, std::abs(va[i] - vb[i]) / step);
    }
    std::printf("%-40s ours vs LiteRT.js: worst %.2f output steps over %zu windows\n",
                r.model.filename().c_str(), worst_steps, r.samples.size());
    EXPECT_LE(worst_steps, 4.0 + 1e-6);
  }
}

}  // namespace
}  // namespace qs::conformance
