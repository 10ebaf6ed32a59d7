// Calibration data: model_inputs() and SampleSet over every kind of file,
// on hand-made arrays (expected values are the ones written) and on the
// shared corpus (expected values from the formulas in the headers, applied
// here to the file's own bytes or decoded pixels).
//
// Facts about corpus files come from their catalogs:
//   normal_id_01_00000000_hist_librosa.bin: raw little-endian float32, 200 frames x 128 mel bins;
//   ad01_fp32.tflite: input_1 FLOAT32 [1,640], signature [-1,640];
//   calibration_samples.npz: specs float64 (45,30,1,40) + labels (45,);
//   str_ww_ref_model.tflite: INT8 [1,30,1,40], signature [-1,30,1,40], scale 0.00370104, zero point -128;
//   conv_fc_mnist.tflite: FLOAT32 [1,28,28,1], no normalisation metadata;
//   mobilenet_v1_0.25_224_1_metadata_1.tflite: FLOAT32 [1,224,224,3], metadata mean 127.5 std 127.5;
//   mobilenet_v1_0.25_224_quant.tflite: UINT8 [1,224,224,3], scale 1/128, zero point 128 (and
//     metadata mean 127.5 std 127.5, per `quantscope-cli info`);
//   person_detect.tflite: INT8 [1,96,96,1], scale 0.00784314, zero point -1; person.bmp 96x96 gray;
//   yes_1000ms.wav: 16 kHz mono 16-bit, 32044 bytes = 44-byte header + 16000 samples;
//   yes_30ms.wav: 480 samples.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "calib/image.h"
#include "calib/sample_set.h"
#include "calib_test_util.h"
#include "format/model_file.h"
#include "io/npz.h"
#include "support/corpus.h"
#include "support/model_builder.h"
#include "support/temp_dir.h"

namespace qs::calib {
namespace {

namespace fs = std::filesystem;
using format::TensorType;

fs::path data(const std::string& name) { return test::shared_dir() / "data" / name; }

format::Model corpus(const std::string& name) {
  auto file = format::ModelFile::open(test::corpus_model(name));
  if (!file) throw std::runtime_error(file.error().message);
  return file->to_model();
}

std::vector<InputInfo> inputs_of(const format::Model& m, const std::string& signature = "") {
  auto in = model_inputs(m, 0, signature);
  if (!in) throw std::runtime_error(in.error().message);
  return *in;
}

ValueMapping range(float lo, float hi) {
  ValueMapping v;
  v.lo = lo;
  v.hi = hi;
  return v;
}

InputInfo float_input(std::string name, std::vector<int32_t> shape, std::vector<int32_t> signature = {}) {
  InputInfo in;
  in.name = std::move(name);
  in.shape = std::move(shape);
  in.signature = std::move(signature);
  return in;
}

using test_util::array;
using test_util::values;
using test_util::write_file;

// A corpus image as our decoder gives it (tested on its own in test_calib_image.cpp).
Image decoded(const std::string& name) {
  auto img = decode_image(data(name));
  if (!img) throw std::runtime_error(img.error().message);
  return std::move(*img);
}

FloatImage pixels_of(const std::string& name) { return to_float(decoded(name)); }

std::vector<float> iota(size_t n, float first = 0) {
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = first + static_cast<float>(i);
  return v;
}

void write_npy(const fs::path& path, const io::Array& a) {
  auto st = io::write_npy(a, path);
  if (!st) throw std::runtime_error(st.error().message);
}

Result<SampleSet> open_set(std::vector<InputInfo> inputs, std::vector<DataSpec> data_specs,
                           const SourceOptions& options = {}) {
  return SampleSet::open(std::move(inputs), data_specs, options);
}

SampleSet open_ok(std::vector<InputInfo> inputs, std::vector<DataSpec> data_specs,
                  const SourceOptions& options = {}) {
  auto s = open_set(std::move(inputs), std::move(data_specs), options);
  if (!s) throw std::runtime_error(s.error().message);
  return std::move(*s);
}

std::vector<io::Array> load_ok(const SampleSet& s, size_t i) {
  auto a = s.load(i);
  if (!a) throw std::runtime_error(a.error().message);
  return std::move(*a);
}

std::string open_error(std::vector<InputInfo> inputs, std::vector<DataSpec> data_specs,
                       const SourceOptions& options = {}) {
  auto s = open_set(std::move(inputs), std::move(data_specs), options);
  return s ? std::string("(opened)") : s.error().message;
}

void expect_unique_descriptions(const SampleSet& s) {
  std::set<std::string> seen;
  for (size_t i = 0; i < s.size(); ++i) EXPECT_TRUE(seen.insert(s.describe(i)).second) << s.describe(i);
}

// Subgraph inputs "a" FLOAT32 [1,2] and "b" FLOAT32 [1,3] (signature
// [-1,3]); signature "serving_default" lists b as "second" before a as
// "first".
format::Model two_input_model() {
  format::Model m;
  m.buffers.emplace_back();
  m.subgraphs.resize(1);
  format::Subgraph& sg = m.subgraphs[0];
  test::add_tensor(sg, "a", TensorType::FLOAT32, {1, 2});
  test::add_tensor(sg, "b", TensorType::FLOAT32, {1, 3});
  sg.tensors[1].shape_signature = {-1, 3};
  test::add_tensor(sg, "y", TensorType::FLOAT32, {1, 2});
  test::add_op(sg, format::BuiltinOp::ADD, {0, 0}, {2});
  sg.inputs = {0, 1};
  sg.outputs = {2};
  m.signatures.push_back(
      format::Signature{"serving_default", 0, {{"second", 1}, {"first", 0}}, {{"out", 2}}});
  return m;
}

// ------------------------------------------------------------ model_inputs

TEST(CalibSampleSet, ModelInputsFollowSubgraphOrSignature) {
  const format::Model m = two_input_model();
  const auto plain = inputs_of(m);
  ASSERT_EQ(plain.size(), 2u);
  EXPECT_EQ(plain[0].name, "a");
  EXPECT_EQ(plain[0].aliases, std::vector<std::string>{"first"});
  EXPECT_EQ(plain[1].name, "b");
  EXPECT_EQ(plain[1].tensor, 1);
  EXPECT_EQ(plain[1].signature, (std::vector<int32_t>{-1, 3}));
  const auto sig = inputs_of(m, "serving_default");
  ASSERT_EQ(sig.size(), 2u);
  EXPECT_EQ(sig[0].name, "second");
  EXPECT_EQ(sig[0].aliases, std::vector<std::string>{"b"});
  EXPECT_EQ(sig[1].name, "first");
  auto bad = model_inputs(m, 0, "nope");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("no signature 'nope' (signatures: 'serving_default')"),
            std::string::npos)
      << bad.error().message;
  EXPECT_FALSE(model_inputs(m, 3));
}

TEST(CalibSampleSet, ModelInputsReadQuantizationAndMetadata) {
  QS_REQUIRE_CORPUS();
  const auto mobilenet = inputs_of(corpus("mobilenet_v1_0.25_224_1_metadata_1.tflite"));
  ASSERT_EQ(mobilenet.size(), 1u);
  EXPECT_EQ(mobilenet[0].shape, (std::vector<int32_t>{1, 224, 224, 3}));
  ASSERT_TRUE(mobilenet[0].metadata_values);
  EXPECT_EQ(mobilenet[0].metadata_values->kind, ValueMapping::Kind::kMeanStd);
  EXPECT_EQ(mobilenet[0].metadata_values->mean, std::vector<float>{127.5f});
  EXPECT_EQ(mobilenet[0].metadata_values->std, std::vector<float>{127.5f});

  const auto ww = inputs_of(corpus("str_ww_ref_model.tflite"));
  ASSERT_EQ(ww.size(), 1u);
  EXPECT_EQ(ww[0].type, TensorType::INT8);
  ASSERT_TRUE(ww[0].scale && ww[0].zero_point);
  EXPECT_NEAR(*ww[0].scale, 0.00370104, 1e-8);
  EXPECT_EQ(*ww[0].zero_point, -128);
  EXPECT_FALSE(ww[0].metadata_values);
}

// -------------------------------------------------------------- npy arrays

TEST(CalibSampleSet, NpyHoldsOneOrNSamples) {
  test::TempDir dir;
  write_npy(dir / "one.npy", array("", io::DType::kFloat32, {1, 4}, iota(4)));
  write_npy(dir / "five.npy", array("", io::DType::kFloat32, {5, 4}, iota(20, 100)));
  const InputInfo x = float_input("x", {1, 4}, {-1, 4});

  const SampleSet one = open_ok({x}, {{dir / "one.npy", ""}});
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one.describe(0), (dir / "one.npy").string());

  const SampleSet five = open_ok({x}, {{dir / "five.npy", ""}});
  ASSERT_EQ(five.size(), 5u);
  const auto s3 = load_ok(five, 3);
  ASSERT_EQ(s3.size(), 1u);
  EXPECT_EQ(s3[0].name, "x");
  EXPECT_EQ(s3[0].shape, (std::vector<int64_t>{1, 4}));
  EXPECT_EQ(values<float>(s3[0]), (std::vector<float>{112, 113, 114, 115}));
  EXPECT_EQ(five.describe(3), (dir / "five.npy").string() + "[3]");
  const auto summary = five.summary();
  ASSERT_EQ(summary.size(), 1u);
  EXPECT_EQ(summary[0].kind, "arrays");
  EXPECT_EQ(summary[0].samples, 5u);
  EXPECT_EQ(summary[0].sources, std::vector<std::string>{(dir / "five.npy").string()});

  // Both files, in the order given; the limit keeps the first samples.
  SourceOptions limited;
  limited.limit = 3;
  const SampleSet both = open_ok({x}, {{dir / "one.npy", ""}, {dir / "five.npy", ""}}, limited);
  ASSERT_EQ(both.size(), 3u);
  EXPECT_EQ(values<float>(load_ok(both, 0)[0]), iota(4));
  EXPECT_EQ(values<float>(load_ok(both, 2)[0]), iota(4, 104));
  EXPECT_FALSE(both.load(3));
  EXPECT_NE(both.summary()[0].details.find("first 3 of 6 samples"), std::string::npos)
      << both.summary()[0].details;
}

TEST(CalibSampleSet, StacksForInputsWithoutABatchDimension) {
  test::TempDir dir;
  write_npy(dir / "s.npy", array("", io::DType::kFloat32, {3, 2, 2}, iota(12)));
  const SampleSet s = open_ok({float_input("m", {2, 2})}, {{dir / "s.npy", ""}});
  ASSERT_EQ(s.size(), 3u);
  const auto a = load_ok(s, 2)[0];
  EXPECT_EQ(a.shape, (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(values<float>(a), iota(4, 8));
}

TEST(CalibSampleSet, DynamicDimensionsTakeTheDataSize) {
  test::TempDir dir;
  write_npy(dir / "seq.npy", array("", io::DType::kFloat32, {2, 7, 3}, iota(42)));
  const SampleSet s = open_ok({float_input("seq", {1, 1, 3}, {-1, -1, 3})}, {{dir / "seq.npy", ""}});
  ASSERT_EQ(s.size(), 2u);
  const auto a = load_ok(s, 1)[0];
  EXPECT_EQ(a.shape, (std::vector<int64_t>{1, 7, 3}));
  EXPECT_EQ(values<float>(a), iota(21, 21));
}

TEST(CalibSampleSet, FloatArraysAreConvertedForFloatInputs) {
  test::TempDir dir;
  write_npy(dir / "d.npy", array("", io::DType::kFloat64, {2, 2}, std::vector<double>{0.5, -2, 1e10, 3.25}));
  const SampleSet s = open_ok({float_input("x", {1, 2})}, {{dir / "d.npy", ""}});
  ASSERT_EQ(s.size(), 2u);
  const auto a = load_ok(s, 1)[0];
  EXPECT_EQ(a.dtype, io::DType::kFloat32);
  EXPECT_EQ(values<float>(a), (std::vector<float>{1e10f, 3.25f}));
  EXPECT_NE(s.summary()[0].details.find("float64 converted to float32"), std::string::npos);
  // IEEE half: 0x3C00 = 1, 0xC000 = -2, 0x3555 = 0.333251953125.
  write_npy(dir / "h.npy",
            array("", io::DType::kFloat16, {1, 3}, std::vector<uint16_t>{0x3C00, 0xC000, 0x3555}));
  const SampleSet h = open_ok({float_input("x", {1, 3})}, {{dir / "h.npy", ""}});
  EXPECT_EQ(values<float>(load_ok(h, 0)[0]), (std::vector<float>{1, -2, 0.333251953125f}));
}

TEST(CalibSampleSet, FloatArraysAreQuantizedForQuantizedInputs) {
  test::TempDir dir;
  // scale 0.5, zero point 3: q = round(v / 0.5) + 3, saturated to int8.
  write_npy(dir / "q.npy",
            array("", io::DType::kFloat32, {1, 5}, std::vector<float>{0, 1.2f, -0.75f, 100, -100}));
  InputInfo q = float_input("q", {1, 5});
  q.type = TensorType::INT8;
  q.scale = 0.5f;
  q.zero_point = 3;
  const SampleSet s = open_ok({q}, {{dir / "q.npy", ""}});
  const auto a = load_ok(s, 0)[0];
  EXPECT_EQ(a.dtype, io::DType::kInt8);
  EXPECT_EQ(values<int8_t>(a), (std::vector<int8_t>{3, 5, 1, 127, -128}));  // -1.5 rounds away from zero
  EXPECT_NE(s.summary()[0].details.find("float32 quantized to int8 (scale 0.5, zero point 3)"),
            std::string::npos)
      << s.summary()[0].details;
}

TEST(CalibSampleSet, WrongDtypeOrShapeNamesFileInputAndShapes) {
  test::TempDir dir;
  write_npy(dir / "i.npy", array("", io::DType::kInt32, {3, 600}, std::vector<int32_t>(1800, 1)));
  write_npy(dir / "s.npy", array("", io::DType::kFloat32, {3, 600}, std::vector<float>(1800, 1)));
  const InputInfo x = float_input("x", {1, 640}, {-1, 640});
  const std::string want = "input 'x' wants float32 [1,640] or [N,640], the file holds ";
  EXPECT_EQ(open_error({x}, {{dir / "i.npy", ""}}), (dir / "i.npy").string() + ": " + want + "int32 [3,600]");
  EXPECT_EQ(open_error({x}, {{dir / "s.npy", ""}}),
            (dir / "s.npy").string() + ": " + want + "float32 [3,600]");
}

TEST(CalibSampleSet, TruncatedNpyFails) {
  test::TempDir dir;
  write_npy(dir / "t.npy", array("", io::DType::kFloat32, {4, 4}, iota(16)));
  fs::resize_file(dir / "t.npy", fs::file_size(dir / "t.npy") - 10);
  const std::string e = open_error({float_input("x", {1, 4})}, {{dir / "t.npy", ""}});
  EXPECT_EQ(e.rfind((dir / "t.npy").string() + ": ", 0), 0u) << e;
}

// ---------------------------------------------------------------- raw files

TEST(CalibSampleSet, RawFileOfTheInputTypeAndShape) {
  QS_REQUIRE_CORPUS();
  const auto in = inputs_of(corpus("ad01_fp32.tflite"));
  const fs::path bin = data("normal_id_01_00000000_hist_librosa.bin");
  const auto bytes = test::read_file(bin);
  ASSERT_EQ(bytes.size(), 200u * 128 * 4);
  const auto floats_at = [&](size_t first, size_t n) {
    std::vector<float> v(n);
    std::memcpy(v.data(), bytes.data() + first * 4, n * 4);
    return v;
  };
  // 25600 values / 640 per sample.
  const SampleSet plain = open_ok(in, {{bin, ""}});
  ASSERT_EQ(plain.size(), 40u);
  EXPECT_EQ(plain.summary()[0].kind, "raw");
  EXPECT_EQ(values<float>(load_ok(plain, 39)[0]), floats_at(39 * 640, 640));

  // Windows of 5 frames of 128, hop 1: 200 - 5 + 1.
  SourceOptions windowed;
  windowed.window = {5, 1};
  const SampleSet w = open_ok(in, {{bin, ""}}, windowed);
  ASSERT_EQ(w.size(), 196u);
  const auto s3 = load_ok(w, 3)[0];
  EXPECT_EQ(s3.shape, (std::vector<int64_t>{1, 640}));
  EXPECT_EQ(values<float>(s3), floats_at(3 * 128, 640));
  EXPECT_EQ(values<float>(load_ok(w, 195)[0]), floats_at(195 * 128, 640));
  EXPECT_EQ(w.describe(3), bin.string() + " rows 3..7");
  EXPECT_EQ(w.summary()[0].details, "window 5 hop 1 over float32 [200,128]");
  expect_unique_descriptions(w);

  // The same with the shape given, and a hop of 2: (200 - 5) / 2 + 1.
  windowed.window = {5, 2};
  windowed.raw.shape = std::vector<int64_t>{200, 128};
  const SampleSet w2 = open_ok(in, {{bin, ""}}, windowed);
  ASSERT_EQ(w2.size(), 98u);
  EXPECT_EQ(values<float>(load_ok(w2, 10)[0]), floats_at(20 * 128, 640));
}

TEST(CalibSampleSet, RawFileOfTheWrongSizeFails) {
  test::TempDir dir;
  write_file(dir / "r.bin", std::string(1000, '\0'));
  const InputInfo x = float_input("x", {1, 640}, {-1, 640});
  const std::string e = open_error({x}, {{dir / "r.bin", ""}});
  EXPECT_EQ(e,
            (dir / "r.bin").string() +
                ": the file's 1000 bytes are not a whole number of float32 rows of [640] (2560 bytes each)");
  SourceOptions shaped;
  shaped.raw.shape = std::vector<int64_t>{2, 640};
  EXPECT_EQ(open_error({x}, {{dir / "r.bin", ""}}, shaped),
            (dir / "r.bin").string() + ": float32 [2,640] needs 5120 bytes, the file has 1000");
  // Declared as uint8 the same bytes make 1000 values: not [N,640] either.
  shaped.raw.shape = std::vector<int64_t>{1000};
  shaped.raw.dtype = io::DType::kUInt8;
  EXPECT_NE(open_error({x}, {{dir / "r.bin", ""}}, shaped).find("the file holds uint8 [1000]"),
            std::string::npos);
}

TEST(CalibSampleSet, WindowsMustMakeTheInput) {
  test::TempDir dir;
  write_npy(dir / "m.npy", array("", io::DType::kFloat32, {10, 100}, iota(1000)));
  SourceOptions o;
  o.window = {5, 1};
  EXPECT_NE(open_error({float_input("x", {1, 640})}, {{dir / "m.npy", ""}}, o)
                .find("a window of 5 rows of 100 values (float32 [10,100]) makes 500 values, input 'x' "
                      "[1,640] wants 640"),
            std::string::npos);
  o.window = {20, 1};
  EXPECT_NE(
      open_error({float_input("x", {1, 2000})}, {{dir / "m.npy", ""}}, o).find("fewer than the window of 20"),
      std::string::npos);
  o.window = {5, 0};
  EXPECT_EQ(open_error({float_input("x", {1, 500})}, {{dir / "m.npy", ""}}, o),
            "window hop 0 must be at least 1");
  o.window = {5, 5};
  const SampleSet s = open_ok({float_input("x", {1, 500})}, {{dir / "m.npy", ""}}, o);
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(values<float>(load_ok(s, 1)[0]), iota(500, 500));
}

// -------------------------------------------------------------- npz archives

TEST(CalibSampleSet, CalibrationArchiveFeedsTheQuantizedWakeWordModel) {
  QS_REQUIRE_CORPUS();
  const auto in = inputs_of(corpus("str_ww_ref_model.tflite"));
  const fs::path npz = data("calibration_samples.npz");
  const SampleSet s = open_ok(in, {{npz, ""}});
  ASSERT_EQ(s.size(), 45u);  // 'specs' fits [N,30,1,40]; 'labels' [45] does not
  auto arrays = io::read_npz(npz);
  ASSERT_TRUE(arrays) << arrays.error().message;
  const io::Array& specs = (*arrays)[0];
  ASSERT_EQ(specs.name, "specs");
  const auto d = values<double>(specs);
  const auto q = [&](size_t i) {
    const double r = std::round(static_cast<double>(static_cast<float>(d[i]) / *in[0].scale)) - 128;
    return static_cast<int8_t>(std::clamp(r, -128.0, 127.0));
  };
  for (size_t sample : {0u, 12u, 44u}) {
    const auto a = load_ok(s, sample)[0];
    EXPECT_EQ(a.dtype, io::DType::kInt8);
    EXPECT_EQ(a.shape, (std::vector<int64_t>{1, 30, 1, 40}));
    const auto v = values<int8_t>(a);
    ASSERT_EQ(v.size(), 1200u);
    for (size_t k = 0; k < v.size(); ++k) ASSERT_EQ(v[k], q(sample * 1200 + k)) << sample << " " << k;
  }
  EXPECT_EQ(s.describe(12), npz.string() + ": 'specs'[12]");
  EXPECT_NE(s.summary()[0].details.find("float64 quantized to int8"), std::string::npos)
      << s.summary()[0].details;
}

TEST(CalibSampleSet, NpzKeysFeedTheInputsOfATwoInputModel) {
  test::TempDir dir;
  const auto in = inputs_of(two_input_model());
  // 'a' by tensor name, b by its signature alias.
  const std::vector<io::Array> arrays{
      array("second", io::DType::kFloat32, {4, 3}, iota(12, 100)),
      array("a", io::DType::kFloat32, {4, 2}, iota(8)),
      array("labels", io::DType::kInt64, {4}, std::vector<int64_t>{0, 1, 2, 3})};
  ASSERT_TRUE(io::write_npz(dir / "s.npz", arrays));
  const SampleSet s = open_ok(in, {{dir / "s.npz", ""}});
  ASSERT_EQ(s.size(), 4u);
  const auto sample = load_ok(s, 2);
  ASSERT_EQ(sample.size(), 2u);
  EXPECT_EQ(values<float>(sample[0]), iota(2, 4));
  EXPECT_EQ(values<float>(sample[1]), iota(3, 106));
  const std::string file = (dir / "s.npz").string();
  EXPECT_EQ(s.describe(2), file + ": 'a'[2]; " + file + ": 'second'[2]");
  expect_unique_descriptions(s);

  // Through the signature, in its order (b first), the alias matches directly.
  const SampleSet sig = open_ok(inputs_of(two_input_model(), "serving_default"), {{dir / "s.npz", ""}});
  EXPECT_EQ(values<float>(load_ok(sig, 0)[0]), iota(3, 100));

  // numpy.savez(a, b) names its arrays arr_0, arr_1.
  ASSERT_TRUE(io::write_npz(dir / "pos.npz",
                            std::vector<io::Array>{array("arr_0", io::DType::kFloat32, {1, 2}, iota(2)),
                                                   array("arr_1", io::DType::kFloat32, {1, 3}, iota(3))}));
  EXPECT_EQ(open_ok(in, {{dir / "pos.npz", ""}}).size(), 1u);
}

TEST(CalibSampleSet, MissingKeysAndUnboundFilesFail) {
  test::TempDir dir;
  const auto in = inputs_of(two_input_model());
  ASSERT_TRUE(
      io::write_npz(dir / "a.npz", std::vector<io::Array>{array("a", io::DType::kFloat32, {2, 2}, iota(4)),
                                                          array("c", io::DType::kFloat32, {2, 3}, iota(6))}));
  const std::string file = (dir / "a.npz").string();
  EXPECT_EQ(open_error(in, {{dir / "a.npz", ""}}),
            "no data for input 'b'; " + file + " holds 'a' float32 [2,2], 'c' float32 [2,3]");

  write_npy(dir / "b.npy", array("", io::DType::kFloat32, {2, 3}, iota(6)));
  EXPECT_NE(open_error(in, {{dir / "b.npy", ""}}).find("the model has 2 inputs ('a', 'b'); bind this file"),
            std::string::npos);
  EXPECT_NE(open_error(in, {{dir / "b.npy", "zz"}}).find("the model has no input 'zz' (inputs: 'a', 'b')"),
            std::string::npos);

  // Bound by name (or alias) the .npy completes the archive.
  const SampleSet s = open_ok(in, {{dir / "a.npz", ""}, {dir / "b.npy", "second"}});
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(values<float>(load_ok(s, 1)[1]), iota(3, 3));
}

TEST(CalibSampleSet, AnInputGivenOnceIsReused) {
  test::TempDir dir;
  const auto in = inputs_of(two_input_model());
  write_npy(dir / "a.npy", array("", io::DType::kFloat32, {3, 2}, iota(6)));
  write_npy(dir / "b1.npy", array("", io::DType::kFloat32, {1, 3}, iota(3, 50)));
  write_npy(dir / "b2.npy", array("", io::DType::kFloat32, {2, 3}, iota(6, 50)));
  const SampleSet s = open_ok(in, {{dir / "a.npy", "a"}, {dir / "b1.npy", "b"}});
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(values<float>(load_ok(s, 2)[0]), iota(2, 4));
  EXPECT_EQ(values<float>(load_ok(s, 2)[1]), iota(3, 50));
  EXPECT_EQ(s.describe(2), (dir / "a.npy").string() + "[2]");
  EXPECT_EQ(s.summary()[1].samples, 1u);
  EXPECT_EQ(s.summary()[0].samples, 3u);
  EXPECT_EQ(open_error(in, {{dir / "a.npy", "a"}, {dir / "b2.npy", "b"}}),
            "inputs disagree on the number of samples: 'a' has 3, 'b' has 2 (an input given once is reused)");
}

TEST(CalibSampleSet, OneInputArchivesPickTheArrayThatFits) {
  test::TempDir dir;
  const InputInfo x = float_input("x", {1, 2});
  ASSERT_TRUE(io::write_npz(dir / "one.npz",
                            std::vector<io::Array>{array("whatever", io::DType::kFloat32, {3, 2}, iota(6))}));
  EXPECT_EQ(open_ok({x}, {{dir / "one.npz", ""}}).size(), 3u);
  ASSERT_TRUE(io::write_npz(dir / "two.npz",
                            std::vector<io::Array>{array("p", io::DType::kFloat32, {3, 2}, iota(6)),
                                                   array("q", io::DType::kFloat32, {4, 2}, iota(8))}));
  EXPECT_NE(open_error({x}, {{dir / "two.npz", ""}}).find("more than one array fits input 'x'"),
            std::string::npos);
  ASSERT_TRUE(io::write_npz(
      dir / "none.npz",
      std::vector<io::Array>{array("p", io::DType::kFloat32, {3, 5}, iota(15)),
                             array("q", io::DType::kInt32, {3}, std::vector<int32_t>{1, 2, 3})}));
  EXPECT_EQ(open_error({x}, {{dir / "none.npz", ""}}),
            (dir / "none.npz").string() +
                ": no array fits input 'x' and none is named after it (the archive holds 'p' float32 [3,5], "
                "'q' int32 [3])");
}

// ----------------------------------------------------------------- images

TEST(CalibSampleSet, MnistPngsFeedTheMnistModel) {
  QS_REQUIRE_CORPUS();
  test::TempDir dir;
  {
    std::ofstream list(dir / "digits.txt");
    list << "# the ten MNIST samples\n\n";
    for (int d = 0; d < 10; ++d) list << data(cat("mnist_sample", d, ".png")).string() << "\n";
  }
  const auto in = inputs_of(corpus("conv_fc_mnist.tflite"));
  // The model has no normalisation metadata: a float input must be told.
  EXPECT_NE(open_error(in, {{dir / "digits.txt", ""}}).find("needs a value mapping"), std::string::npos);

  SourceOptions o;
  o.image.values = range(0, 1);
  const SampleSet s = open_ok(in, {{dir / "digits.txt", ""}}, o);
  ASSERT_EQ(s.size(), 10u);
  EXPECT_EQ(s.describe(7), data("mnist_sample7.png").lexically_normal().string());
  const auto a = load_ok(s, 7)[0];
  EXPECT_EQ(a.dtype, io::DType::kFloat32);
  EXPECT_EQ(a.shape, (std::vector<int64_t>{1, 28, 28, 1}));
  const Image img = decoded("mnist_sample7.png");
  const auto v = values<float>(a);
  ASSERT_EQ(v.size(), 784u);
  for (size_t i = 0; i < v.size(); ++i) ASSERT_NEAR(v[i], img.pixels[i * 3] / 255.0, 1e-6) << i;
  const auto summary = s.summary()[0];
  EXPECT_EQ(summary.kind, "images");
  ASSERT_TRUE(summary.image);
  EXPECT_EQ(describe(*summary.image), "28x28 stretch, gray, NHWC, 0..255 -> 0..1 (given)");
}

TEST(CalibSampleSet, MobilenetTakesItsMetadataNormalisation) {
  QS_REQUIRE_CORPUS();
  const auto in = inputs_of(corpus("mobilenet_v1_0.25_224_1_metadata_1.tflite"));
  const SampleSet s = open_ok(in, {{data("grace_hopper_224.jpg"), ""}, {data("resized_cat.bmp"), ""}});
  ASSERT_EQ(s.size(), 2u);
  const auto summary = s.summary()[0];
  ASSERT_TRUE(summary.image);
  EXPECT_EQ(summary.image->values_origin, "model metadata");
  EXPECT_EQ(describe(*summary.image), "224x224 stretch, RGB, NHWC, (p - 127.5) / 127.5 (model metadata)");
  // Both files are 224x224: no resize, every value is (p - 127.5) / 127.5, in -1..1.
  for (size_t i = 0; i < 2; ++i) {
    const Image img = decoded(i == 0 ? "grace_hopper_224.jpg" : "resized_cat.bmp");
    const auto v = values<float>(load_ok(s, i)[0]);
    ASSERT_EQ(v.size(), img.pixels.size());
    for (size_t k = 0; k < v.size(); ++k) {
      ASSERT_FLOAT_EQ(v[k], (img.pixels[k] - 127.5f) / 127.5f) << k;
      ASSERT_GE(v[k], -1.0f);
      ASSERT_LE(v[k], 1.0f);
    }
  }
}

TEST(CalibSampleSet, CenterCropOnATallImage) {
  QS_REQUIRE_CORPUS();
  // 128x224 -> 64x64: scale 1/2 gives 64x112 (2x2 means), crop rows 24..87.
  const FloatImage src = pixels_of("early_color_photo_face_128_224_3.jpeg");
  SourceOptions o;
  o.image.values = range(0, 255);
  o.image.resize = ResizeMode::kCenterCrop;
  const SampleSet s =
      open_ok({float_input("img", {1, 64, 64, 3})}, {{data("early_color_photo_face_128_224_3.jpeg"), ""}}, o);
  const auto v = values<float>(load_ok(s, 0)[0]);
  ASSERT_EQ(v.size(), 64u * 64 * 3);
  for (int y = 0; y < 64; ++y) {
    for (int x = 0; x < 64; ++x) {
      for (int c = 0; c < 3; ++c) {
        const int sy = 2 * (y + 24);
        const float mean = (src.at(2 * x, sy, c) + src.at(2 * x + 1, sy, c) + src.at(2 * x, sy + 1, c) +
                            src.at(2 * x + 1, sy + 1, c)) /
                           4;
        ASSERT_NEAR(v[static_cast<size_t>((y * 64 + x) * 3 + c)], mean, 1e-3) << x << "," << y << "," << c;
      }
    }
  }
}

TEST(CalibSampleSet, BgrGrayAndNchw) {
  QS_REQUIRE_CORPUS();
  const FloatImage src = pixels_of("chair_224_224_3.jpeg");
  const fs::path file = data("chair_224_224_3.jpeg");
  SourceOptions o;
  o.image.values = range(0, 255);
  const auto load_one = [&](const InputInfo& in, const SourceOptions& opt) {
    return values<float>(load_ok(open_ok({in}, {{file, ""}}, opt), 0)[0]);
  };
  SourceOptions bgr = o;
  bgr.image.channels = ChannelOrder::kBgr;
  const auto b = load_one(float_input("i", {1, 224, 224, 3}), bgr);
  const auto gray = load_one(float_input("i", {1, 224, 224, 1}), o);
  const auto planar = load_one(float_input("i", {1, 3, 224, 224}), o);
  const size_t plane = 224 * 224;
  ASSERT_EQ(b.size(), plane * 3);
  ASSERT_EQ(gray.size(), plane);
  ASSERT_EQ(planar.size(), plane * 3);
  for (size_t i = 0; i < plane; ++i) {
    const float r = src.values[i * 3], g = src.values[i * 3 + 1], bl = src.values[i * 3 + 2];
    ASSERT_EQ(b[i * 3], bl);
    ASSERT_EQ(b[i * 3 + 2], r);
    ASSERT_NEAR(gray[i], 0.299f * r + 0.587f * g + 0.114f * bl, 1e-3);
    ASSERT_EQ(planar[i], r);
    ASSERT_EQ(planar[plane + i], g);
    ASSERT_EQ(planar[2 * plane + i], bl);
  }
}

TEST(CalibSampleSet, QuantizedImageInputs) {
  QS_REQUIRE_CORPUS();
  // uint8 with scale 1/128, zero point 128 and no given mapping: the raw pixels, as TFLite
  // Support feeds them, although the metadata also states mean 127.5, std 127.5.
  const auto mq = inputs_of(corpus("mobilenet_v1_0.25_224_quant.tflite"));
  const SampleSet raw = open_ok(mq, {{data("grace_hopper_224.jpg"), ""}});
  const auto a = load_ok(raw, 0)[0];
  EXPECT_EQ(a.dtype, io::DType::kUInt8);
  EXPECT_EQ(values<uint8_t>(a), decoded("grace_hopper_224.jpg").pixels);

  // int8 person detector, told -1..1: q = round((-1 + 2p/255) / scale) + zero point, saturated.
  const auto pd = inputs_of(corpus("person_detect.tflite"));
  ASSERT_TRUE(pd[0].scale && pd[0].zero_point);
  SourceOptions o;
  o.image.values = range(-1, 1);
  const SampleSet s = open_ok(pd, {{data("person.bmp"), ""}}, o);
  const auto p = load_ok(s, 0)[0];
  EXPECT_EQ(p.dtype, io::DType::kInt8);
  EXPECT_EQ(p.shape, (std::vector<int64_t>{1, 96, 96, 1}));
  const Image person = decoded("person.bmp");
  const auto q = values<int8_t>(p);
  ASSERT_EQ(q.size(), 96u * 96);
  for (size_t i = 0; i < q.size(); ++i) {
    const float v = -1 + person.pixels[i * 3] * 2.0f / 255;
    const double want =
        std::clamp(std::round(static_cast<double>(v / *pd[0].scale)) + *pd[0].zero_point, -128.0, 127.0);
    ASSERT_NEAR(q[i], want, 1) << i;  // gray of R = G = B may land an ulp off p
  }
}

TEST(CalibSampleSet, BadImagesAreReportedOrSkipped) {
  QS_REQUIRE_CORPUS();
  test::TempDir dir;
  fs::copy_file(data("mnist_sample3.png"), dir / "a.png");
  write_file(dir / "b.png", "this is no image");
  auto png = test::read_file(data("mnist_sample4.png"));
  png.resize(50);  // the header survives, the pixels do not
  write_file(dir / "c.png", std::string(png.begin(), png.end()));
  const InputInfo in = float_input("img", {1, 28, 28, 1});
  SourceOptions o;
  o.image.values = range(0, 1);

  const std::string e = open_error({in}, {{dir.path(), ""}}, o);
  EXPECT_EQ(e.rfind((dir / "b.png").string() + ": cannot read image header: ", 0), 0u) << e;

  o.skip_bad = true;
  const SampleSet s = open_ok({in}, {{dir.path(), ""}}, o);
  ASSERT_EQ(s.size(), 2u);
  ASSERT_EQ(s.skipped().size(), 1u);
  EXPECT_EQ(s.skipped()[0].what, (dir / "b.png").string());
  EXPECT_NE(s.skipped()[0].why.find("cannot read image header"), std::string::npos);
  EXPECT_TRUE(s.load(0));
  auto bad = s.load(1);  // c.png fails only when decoded
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message.rfind((dir / "c.png").string() + ": cannot decode image: ", 0), 0u)
      << bad.error().message;
  EXPECT_EQ(s.describe(1), (dir / "c.png").string());
}

// -------------------------------------------------------------------- WAV

TEST(CalibSampleSet, WavClipsAreCutIntoWindows) {
  QS_REQUIRE_CORPUS();
  const fs::path wav = data("yes_1000ms.wav");
  const auto bytes = test::read_file(wav);
  const auto sample_at = [&](size_t i) {
    int16_t v;
    std::memcpy(&v, bytes.data() + 44 + 2 * i, 2);
    return v;
  };
  // audio_preprocessor_float: INT16 [1,480]; 16000 / 480 = 33 windows, 160 samples left over.
  const auto in = inputs_of(corpus("audio_preprocessor_float.tflite"));
  ASSERT_EQ(in[0].type, TensorType::INT16);
  const SampleSet s = open_ok(in, {{wav, ""}});
  ASSERT_EQ(s.size(), 33u);
  const auto v = values<int16_t>(load_ok(s, 1)[0]);
  ASSERT_EQ(v.size(), 480u);
  for (size_t k = 0; k < 480; ++k) ASSERT_EQ(v[k], sample_at(480 + k));
  EXPECT_EQ(s.describe(1), wav.string() + " samples 480..959");
  EXPECT_EQ(s.summary()[0].kind, "wav");
  EXPECT_NE(s.summary()[0].details.find("1 clip with a partial last window dropped"), std::string::npos);

  // A float input gets sample / 32768; a window of 480 hop 160: (16000 - 480) / 160 + 1.
  SourceOptions o;
  o.window = {480, 160};
  const SampleSet f = open_ok({float_input("audio", {1, 480})}, {{wav, ""}}, o);
  ASSERT_EQ(f.size(), 98u);
  const auto fv = values<float>(load_ok(f, 2)[0]);
  for (size_t k = 0; k < 480; ++k) ASSERT_EQ(fv[k], sample_at(320 + k) / 32768.0f);
  expect_unique_descriptions(f);
}

TEST(CalibSampleSet, ShortClipsAreZeroPadded) {
  QS_REQUIRE_CORPUS();
  const SampleSet s = open_ok({float_input("audio", {1, 1000})}, {{data("yes_30ms.wav"), ""}});
  ASSERT_EQ(s.size(), 1u);
  const auto v = values<float>(load_ok(s, 0)[0]);
  ASSERT_EQ(v.size(), 1000u);
  for (size_t k = 480; k < 1000; ++k) ASSERT_EQ(v[k], 0.0f);
  EXPECT_NE(s.summary()[0].details.find("1 clip zero-padded"), std::string::npos) << s.summary()[0].details;
}

TEST(CalibSampleSet, BadWavFilesFail) {
  test::TempDir dir;
  // RIFF/WAVE, fmt: PCM, 1 channel, 8000 Hz, 8 bits; 4 data bytes.
  std::string w(
      "RIFF\x28\0\0\0WAVEfmt \x10\0\0\0\x01\0\x01\0\x40\x1f\0\0\x40\x1f\0\0\x01\0\x08\0data\x04\0\0\0abcd",
      48);
  write_file(dir / "e.wav", w);
  EXPECT_EQ(open_error({float_input("audio", {1, 4})}, {{dir / "e.wav", ""}}),
            (dir / "e.wav").string() + ": 8-bit samples; only 16-bit PCM is read");
  QS_REQUIRE_CORPUS();
  InputInfo i8 = float_input("audio", {1, 480});
  i8.type = TensorType::INT8;
  i8.scale = 1;
  EXPECT_NE(open_error({i8}, {{data("yes_30ms.wav"), ""}}).find("WAV feeds FLOAT32 and INT16 inputs"),
            std::string::npos);
}

// ---------------------------------------------------- folders and skip_bad

TEST(CalibSampleSet, FoldersAreWalkedInPathOrder) {
  test::TempDir dir;
  fs::create_directories(dir / "d" / "sub");
  fs::create_directories(dir / "d" / ".git");
  write_npy(dir / "d" / "b.npy", array("", io::DType::kFloat32, {1, 2}, iota(2, 2)));
  write_npy(dir / "d" / "a.npy", array("", io::DType::kFloat32, {1, 2}, iota(2, 0)));
  write_npy(dir / "d" / "sub" / "c.npy", array("", io::DType::kFloat32, {2, 2}, iota(4, 4)));
  write_npy(dir / "d" / ".hidden.npy", array("", io::DType::kFloat32, {1, 2}, iota(2, 90)));
  write_npy(dir / "d" / ".git" / "x.npy", array("", io::DType::kFloat32, {1, 2}, iota(2, 90)));
  write_file(dir / "d" / "README.md", "not data");
  write_file(dir / "d" / "labels.txt", "not a list either");
  const SampleSet s = open_ok({float_input("x", {1, 2})}, {{dir / "d", ""}, {dir / "d" / "a.npy", ""}});
  ASSERT_EQ(s.size(), 4u);  // a, b, c[0], c[1]; a given again is counted once
  for (size_t i = 0; i < 4; ++i)
    EXPECT_EQ(values<float>(load_ok(s, i)[0]), iota(2, 2.0f * static_cast<float>(i)));
  EXPECT_EQ(s.describe(3), (dir / "d" / "sub" / "c.npy").string() + "[1]");
  EXPECT_NE(s.summary()[0].details.find("1 repeated file ignored"), std::string::npos);
  EXPECT_EQ(s.summary()[0].sources,
            (std::vector<std::string>{(dir / "d").string(), (dir / "d" / "a.npy").string()}));

  EXPECT_EQ(open_error({float_input("x", {1, 2})}, {{dir / "nowhere", ""}}),
            (dir / "nowhere").string() + ": no such file or folder");
  fs::create_directories(dir / "empty");
  EXPECT_NE(
      open_error({float_input("x", {1, 2})}, {{dir / "empty", ""}}).find("holds no supported data file"),
      std::string::npos);
}

TEST(CalibSampleSet, SkipBadKeepsGoingAndSaysWhy) {
  test::TempDir dir;
  write_npy(dir / "1.npy", array("", io::DType::kFloat32, {2, 2}, iota(4)));
  write_npy(dir / "2.npy", array("", io::DType::kInt32, {2, 2}, std::vector<int32_t>{1, 2, 3, 4}));
  write_npy(dir / "3.npy", array("", io::DType::kFloat32, {2, 2}, iota(4)));
  fs::resize_file(dir / "3.npy", 20);
  write_file(dir / "4.bin", std::string(6, 'x'));
  write_npy(dir / "5.npy", array("", io::DType::kFloat32, {1, 2}, iota(2, 7)));
  {
    std::ofstream list(dir / "all.txt");
    list << "1.npy\n2.npy\n3.npy\n4.bin\nmissing.npy\n5.npy\n";
  }
  const InputInfo x = float_input("x", {1, 2});
  EXPECT_EQ(open_error({x}, {{dir / "all.txt", ""}}).rfind((dir / "2.npy").string() + ": input 'x'", 0), 0u);
  SourceOptions o;
  o.skip_bad = true;
  const SampleSet s = open_ok({x}, {{dir / "all.txt", ""}}, o);
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(values<float>(load_ok(s, 2)[0]), iota(2, 7));
  const auto& skipped = s.skipped();
  ASSERT_EQ(skipped.size(), 4u);
  const std::vector<std::string> files{"2.npy", "3.npy", "4.bin", "missing.npy"};
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(skipped[i].what, (dir / files[i]).string());
    EXPECT_EQ(skipped[i].why.rfind((dir / files[i]).string() + ": ", 0), 0u) << skipped[i].why;
  }
  EXPECT_NE(skipped[0].why.find("int32 [2,2]"), std::string::npos);
  EXPECT_NE(skipped[3].why.find("cannot open"), std::string::npos);

  // When everything is bad there is nothing to calibrate with.
  EXPECT_EQ(open_error({x}, {{dir / "2.npy", ""}}, o), "no data for input 'x' (1 skipped)");
}

// ---------------------------------------------------------------- threads

TEST(CalibSampleSet, LoadsFromTwoThreadsAtOnce) {
  QS_REQUIRE_CORPUS();
  test::TempDir dir;
  {
    std::ofstream list(dir / "images.txt");
    for (const char* f : {"grace_hopper_224.jpg", "resized_cat.bmp", "chair_224_224_3.jpeg", "burger.jpg",
                          "early_color_photo_face_128_224_3.jpeg", "mnist_sample1.png"}) {
      list << data(f).string() << "\n";
    }
  }
  const auto in = inputs_of(corpus("mobilenet_v1_0.25_224_1_metadata_1.tflite"));
  const SampleSet s = open_ok(in, {{dir / "images.txt", ""}});
  ASSERT_EQ(s.size(), 6u);
  std::vector<std::vector<std::byte>> expected;
  for (size_t i = 0; i < s.size(); ++i) expected.push_back(load_ok(s, i)[0].data);
  std::vector<int> mismatches(2, 0);
  const auto worker = [&](int t) {
    for (int round = 0; round < 3; ++round) {
      for (size_t k = 0; k < s.size(); ++k) {
        const size_t i = t == 0 ? k : s.size() - 1 - k;
        auto a = s.load(i);
        if (!a || (*a)[0].data != expected[i]) ++mismatches[static_cast<size_t>(t)];
      }
    }
  };
  std::thread a(worker, 0);
  std::thread b(worker, 1);
  a.join();
  b.join();
  EXPECT_EQ(mismatches, (std::vector<int>{0, 0}));
}

}  // namespace
}  // namespace qs::calib
