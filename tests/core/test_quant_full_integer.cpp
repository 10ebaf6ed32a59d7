// The full-integer modes (core/quant/full_integer): the parameters every
// tensor gets, checked against TFLite's quantization spec written out here
// independently (scale = (max − min) / 255 with 0 inside the range, weights
// max|w|/127 per channel, bias s_in·s_w), the ops inserted at the float/
// integer boundaries, and every refusal. Whether the files run and stay
// close to the float model is the conformance suite's job (LiteRT.js).

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "format/op_options.h"
#include "quant/full_integer.h"
#include "support/model_builder.h"

namespace qs::quant {
namespace {

using format::BuiltinOp;
using format::TensorType;
using test::FcRelu;

struct Range {
  std::string tensor;
  double lo;
  double hi;
};

// Statistics that give exactly [lo, hi] under min/max: 101 evenly spaced
// values per tensor.
calib::StatsSet stats_for(const format::Model& m, const std::vector<Range>& ranges) {
  calib::StatsSet s;
  s.samples = 1;
  for (const Range& r : ranges) {
    const auto& sg = m.subgraphs[0];
    int index = -1;
    for (size_t t = 0; t < sg.tensors.size(); ++t)
      if (sg.tensors[t].name == r.tensor) index = static_cast<int>(t);
    EXPECT_GE(index, 0) << r.tensor;
    calib::TensorRecord rec;
    rec.key = {0, index};
    rec.name = r.tensor;
    std::vector<float> v;
    for (int i = 0; i <= 100; ++i) v.push_back(static_cast<float>(r.lo + (r.hi - r.lo) * i / 100.0));
    rec.stats.add(v);
    s.tensors.push_back(std::move(rec));
  }
  std::sort(s.tensors.begin(), s.tensors.end(),
            [](const auto& a, const auto& b) { return a.key < b.key; });
  return s;
}

std::vector<float> floats(const format::Model& m, const format::Tensor& t) {
  const auto d = m.tensor_data(t);
  std::vector<float> v(d.size() / 4);
  std::memcpy(v.data(), d.data(), d.size());
  return v;
}

template <class T>
std::vector<T> values(const format::Model& m, const format::Tensor& t) {
  const auto d = m.tensor_data(t);
  std::vector<T> v(d.size() / sizeof(T));
  std::memcpy(v.data(), d.data(), d.size());
  return v;
}

const format::Tensor* find(const format::Model& m, const std::string& name) {
  for (const auto& t : m.subgraphs[0].tensors)
    if (t.name == name) return &t;
  return nullptr;
}

std::vector<BuiltinOp> op_types(const format::Model& m) {
  std::vector<BuiltinOp> out;
  for (const auto& op : m.subgraphs[0].operators) out.push_back(op.code.builtin);
  return out;
}

// TFLite's int8 activation grid, written out from the spec.
struct Expected {
  double scale;
  int64_t zero_point;
};
Expected int8_grid(double lo, double hi) {
  lo = std::min(lo, 0.0);
  hi = std::max(hi, 0.0);
  const double scale = (hi - lo) / 255.0;
  return {scale, static_cast<int64_t>(std::llround(-128 - lo / scale))};
}

void expect_params(const format::Tensor* t, TensorType type, Expected e) {
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->type, type) << t->name;
  ASSERT_TRUE(t->quantization && t->quantization->scale.size() == 1) << t->name;
  EXPECT_NEAR(t->quantization->scale[0], e.scale, 1e-6 * e.scale) << t->name;
  EXPECT_EQ(t->quantization->zero_point[0], e.zero_point) << t->name;
}

FullIntegerOptions with_stats(const calib::StatsSet& s) {
  FullIntegerOptions o;
  o.stats = &s;
  return o;
}

TEST(QuantFullInteger, Int8FullyConnectedFollowsTheSpec) {
  const format::Model m = test::fc_relu_model(16, 4);
  const auto s = stats_for(m, {{"x", -1, 1}, {"fc", -2, 3}, {"y", 0, 3}});
  auto r = to_full_integer(m, with_stats(s));
  ASSERT_TRUE(r) << r.error().message;
  const format::Model& q = r->model;
  // Float I/O: QUANTIZE in, DEQUANTIZE out; the model's I/O tensors keep
  // their indices, names and type.
  EXPECT_EQ(op_types(q), (std::vector<BuiltinOp>{BuiltinOp::QUANTIZE, BuiltinOp::FULLY_CONNECTED, BuiltinOp::RELU,
                                                  BuiltinOp::DEQUANTIZE}));
  const auto& sg = q.subgraphs[0];
  EXPECT_EQ(sg.tensors[FcRelu::kInput].type, TensorType::FLOAT32);
  EXPECT_EQ(sg.tensors[FcRelu::kInput].name, "x");
  EXPECT_EQ(sg.tensors[FcRelu::kOutput].type, TensorType::FLOAT32);
  EXPECT_EQ(sg.tensors[FcRelu::kOutput].name, "y");
  EXPECT_EQ(sg.operators[0].inputs[0], FcRelu::kInput);
  EXPECT_EQ(sg.operators[3].outputs[0], FcRelu::kOutput);
  const Expected in = int8_grid(-1, 1);
  expect_params(find(q, "x_int8"), TensorType::INT8, in);
  expect_params(&sg.tensors[FcRelu::kFcOut], TensorType::INT8, int8_grid(-2, 3));
  expect_params(find(q, "y_int8"), TensorType::INT8, int8_grid(0, 3));

  // Weights: symmetric per output channel; bias at s_in·s_w[c].
  const auto w = floats(m, m.subgraphs[0].tensors[FcRelu::kWeights]);
  const auto b = floats(m, m.subgraphs[0].tensors[FcRelu::kBias]);
  const format::Tensor& qw = sg.tensors[FcRelu::kWeights];
  const format::Tensor& qb = sg.tensors[FcRelu::kBias];
  ASSERT_EQ(qw.type, TensorType::INT8);
  ASSERT_EQ(qb.type, TensorType::INT32);
  ASSERT_EQ(qw.quantization->scale.size(), 4u);
  EXPECT_EQ(qw.quantization->quantized_dimension, 0);
  const auto w8 = values<int8_t>(q, qw);
  const auto b32 = values<int32_t>(q, qb);
  for (size_t c = 0; c < 4; ++c) {
    float range = 0;
    for (size_t k = 0; k < 16; ++k) range = std::max(range, std::abs(w[c * 16 + k]));
    const double s_w = range / 127.0;
    EXPECT_NEAR(qw.quantization->scale[c], s_w, 1e-6 * s_w);
    EXPECT_EQ(qw.quantization->zero_point[c], 0);
    for (size_t k = 0; k < 16; ++k)
      EXPECT_LE(std::abs(w8[c * 16 + k] * s_w - w[c * 16 + k]), s_w / 2 + 1e-7) << c << "," << k;
    const double s_b = in.scale * qw.quantization->scale[c];
    EXPECT_NEAR(qb.quantization->scale[c], s_b, 1e-6 * s_b);
    EXPECT_EQ(b32[c], std::lround(b[c] / qb.quantization->scale[c])) << c;
  }
  // Versions as TFLite's converter writes them for int8.
  EXPECT_EQ(sg.operators[1].code.version, 4);  // FULLY_CONNECTED
  EXPECT_EQ(sg.operators[2].code.version, 2);  // RELU
  EXPECT_EQ(sg.operators[3].code.version, 2);  // DEQUANTIZE of int8
  // The plan explains every integer tensor and both inserted ops.
  EXPECT_EQ(r->plan.mode, "int8");
  EXPECT_EQ(r->plan.inserted.size(), 2u);
  for (const auto& d : r->plan.tensors) EXPECT_FALSE(d.origin.empty()) << d.name;
  bool explained_fc = false;
  for (const auto& d : r->plan.tensors)
    explained_fc = explained_fc || (d.name == "fc" && d.origin.find("minmax") != std::string::npos);
  EXPECT_TRUE(explained_fc);
}

TEST(QuantFullInteger, PerTensorFullyConnectedHasOneScale) {
  const format::Model m = test::fc_relu_model(16, 4);
  const auto s = stats_for(m, {{"x", -1, 1}, {"fc", -2, 3}, {"y", 0, 3}});
  FullIntegerOptions o = with_stats(s);
  o.per_tensor_ops = {"FULLY_CONNECTED"};
  auto r = to_full_integer(m, o);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->model.subgraphs[0].tensors[FcRelu::kWeights].quantization->scale.size(), 1u);
  EXPECT_EQ(r->model.subgraphs[0].tensors[FcRelu::kBias].quantization->scale.size(), 1u);
}

TEST(QuantFullInteger, IntegerInputsAndOutputsNeedNoConversion) {
  const format::Model m = test::fc_relu_model(16, 4);
  const auto s = stats_for(m, {{"x", -1, 1}, {"fc", -2, 3}, {"y", 0, 3}});
  FullIntegerOptions o = with_stats(s);
  o.input_type = TensorType::INT8;
  o.output_type = TensorType::INT8;
  auto r = to_full_integer(m, o);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(op_types(r->model), (std::vector<BuiltinOp>{BuiltinOp::FULLY_CONNECTED, BuiltinOp::RELU}));
  expect_params(&r->model.subgraphs[0].tensors[FcRelu::kInput], TensorType::INT8, int8_grid(-1, 1));
  expect_params(&r->model.subgraphs[0].tensors[FcRelu::kOutput], TensorType::INT8, int8_grid(0, 3));
  // The signature still names the same tensors.
  EXPECT_EQ(r->model.signatures[0].inputs[0].tensor_index, static_cast<uint32_t>(FcRelu::kInput));

  // uint8 I/O on the int8 model: the same real grid, zero point + 128,
  // converted to int8 by a QUANTIZE.
  o.input_type = TensorType::UINT8;
  o.output_type = TensorType::UINT8;
  auto u = to_full_integer(m, o);
  ASSERT_TRUE(u) << u.error().message;
  EXPECT_EQ(op_types(u->model), (std::vector<BuiltinOp>{BuiltinOp::QUANTIZE, BuiltinOp::FULLY_CONNECTED,
                                                         BuiltinOp::RELU, BuiltinOp::QUANTIZE}));
  const Expected in = int8_grid(-1, 1);
  expect_params(&u->model.subgraphs[0].tensors[FcRelu::kInput], TensorType::UINT8, {in.scale, in.zero_point + 128});
  expect_params(find(u->model, "x_int8"), TensorType::INT8, in);
}

// x -> op -> y, one float input and output of `shape`.
format::Model single_op(BuiltinOp type, std::vector<int32_t> shape, format::OpOptions options = {}) {
  format::Model m = test::fc_relu_model(1, 1);  // for its buffer sentinel and layout
  m.subgraphs[0] = format::Subgraph{};
  m.signatures.clear();
  auto& sg = m.subgraphs[0];
  test::add_tensor(sg, "x", TensorType::FLOAT32, shape);
  test::add_tensor(sg, "y", TensorType::FLOAT32, shape);
  test::add_op(sg, type, {0}, {1}, std::move(options));
  sg.inputs = {0};
  sg.outputs = {1};
  return m;
}

TEST(QuantFullInteger, SoftmaxLogisticAndTanhGetTheKernelsFixedOutput) {
  struct Case {
    BuiltinOp op;
    IntegerScheme scheme;
    TensorType type;
    Expected out;
  };
  const std::vector<Case> cases = {
      {BuiltinOp::SOFTMAX, IntegerScheme::kInt8, TensorType::INT8, {1.0 / 256, -128}},
      {BuiltinOp::LOGISTIC, IntegerScheme::kInt8, TensorType::INT8, {1.0 / 256, -128}},
      {BuiltinOp::TANH, IntegerScheme::kInt8, TensorType::INT8, {1.0 / 128, 0}},
      {BuiltinOp::SOFTMAX, IntegerScheme::kInt16x8, TensorType::INT16, {1.0 / 32768, 0}},
      {BuiltinOp::TANH, IntegerScheme::kInt16x8, TensorType::INT16, {1.0 / 32768, 0}},
      {BuiltinOp::SOFTMAX, IntegerScheme::kUint8, TensorType::UINT8, {1.0 / 256, 0}},
      {BuiltinOp::TANH, IntegerScheme::kUint8, TensorType::UINT8, {1.0 / 128, 128}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(format::op_name(c.op) + " " + std::string(scheme_name(c.scheme)));
    const format::Model m =
        single_op(c.op, {1, 10},
                  c.op == BuiltinOp::SOFTMAX ? format::make_options(tfl::SoftmaxOptionsT{}) : format::OpOptions{});
    const auto s = stats_for(m, {{"x", -4, 4}, {"y", 0, 0.5}});  // y's own range must not matter
    FullIntegerOptions o = with_stats(s);
    o.scheme = c.scheme;
    o.input_type = o.output_type = c.type;
    auto r = to_full_integer(m, o);
    ASSERT_TRUE(r) << r.error().message;
    expect_params(&r->model.subgraphs[0].tensors[1], c.type, c.out);
  }
}

TEST(QuantFullInteger, ReshapeKeepsItsInputsParametersAndLeavesTheShapeAlone) {
  format::Model m = single_op(BuiltinOp::RESHAPE, {1, 6});
  auto& sg = m.subgraphs[0];
  const std::vector<int32_t> shape = {2, 3};
  const int32_t s = test::add_constant(m, sg, "shape", TensorType::INT32, {2}, test::int32_data(shape));
  sg.operators[0].inputs.push_back(s);
  sg.tensors[1].shape = {2, 3};
  const auto st = stats_for(m, {{"x", -1, 2}, {"y", -5, 5}});
  FullIntegerOptions o = with_stats(st);
  o.input_type = o.output_type = TensorType::INT8;
  auto r = to_full_integer(m, o);
  ASSERT_TRUE(r) << r.error().message;
  const auto& q = r->model.subgraphs[0];
  expect_params(&q.tensors[1], TensorType::INT8, int8_grid(-1, 2));  // the input's, not [-5, 5]
  EXPECT_EQ(q.tensors[static_cast<size_t>(s)].type, TensorType::INT32);
  EXPECT_EQ(values<int32_t>(r->model, q.tensors[static_cast<size_t>(s)]), shape);
}

// a, b -> RELU each -> CONCATENATION -> c.
format::Model concat_model() {
  format::Model m = single_op(BuiltinOp::RELU, {1, 2});
  auto& sg = m.subgraphs[0];
  sg.tensors[0].name = "a";
  sg.tensors[1].name = "ra";
  test::add_tensor(sg, "b", TensorType::FLOAT32, {1, 2});   // 2
  test::add_tensor(sg, "rb", TensorType::FLOAT32, {1, 2});  // 3
  test::add_tensor(sg, "c", TensorType::FLOAT32, {1, 4});   // 4
  test::add_op(sg, BuiltinOp::RELU, {2}, {3});
  tfl::ConcatenationOptionsT co;
  co.axis = 1;
  test::add_op(sg, BuiltinOp::CONCATENATION, {1, 3}, {4}, format::make_options(co));
  sg.inputs = {0, 2};
  sg.outputs = {4};
  return m;
}

TEST(QuantFullInteger, ConcatenationInputsAreRequantizedToTheOutputsScale) {
  const format::Model m = concat_model();
  const auto s = stats_for(m, {{"a", -1, 1}, {"ra", 0, 1}, {"b", -1, 4}, {"rb", 0, 4}, {"c", 0, 4}});
  FullIntegerOptions o = with_stats(s);
  o.input_type = o.output_type = TensorType::INT8;
  auto r = to_full_integer(m, o);
  ASSERT_TRUE(r) << r.error().message;
  // ra has [0, 1], c has [0, 4]: ra goes through a QUANTIZE named
  // "ra_requantized" at c's parameters; rb already has them.
  EXPECT_EQ(op_types(r->model), (std::vector<BuiltinOp>{BuiltinOp::RELU, BuiltinOp::RELU, BuiltinOp::QUANTIZE,
                                                         BuiltinOp::CONCATENATION}));
  const auto& sg = r->model.subgraphs[0];
  const format::Tensor* req = find(r->model, "ra_requantized");
  expect_params(req, TensorType::INT8, int8_grid(0, 4));
  expect_params(&sg.tensors[1], TensorType::INT8, int8_grid(0, 1));
  EXPECT_EQ(sg.operators[3].inputs[0], static_cast<int32_t>(req - sg.tensors.data()));
  EXPECT_EQ(sg.operators[3].inputs[1], 3);
}

// x -> FC -> EXP (no integer rule) -> FC -> y.
format::Model fc_exp_fc() {
  format::Model m = test::fc_relu_model(8, 8);
  auto& sg = m.subgraphs[0];
  sg.operators[1].code.builtin = BuiltinOp::EXP;  // "fc" -> EXP -> "y"
  sg.tensors[FcRelu::kOutput].name = "e";
  const int32_t w2 = test::add_constant(m, sg, "fc2/weights", TensorType::FLOAT32, {8, 8}, test::float_data(64, 5));
  const int32_t b2 = test::add_constant(m, sg, "fc2/bias", TensorType::FLOAT32, {8}, test::float_data(8, 6));
  const int32_t out = test::add_tensor(sg, "out", TensorType::FLOAT32, {1, 8});
  test::add_op(sg, BuiltinOp::FULLY_CONNECTED, {FcRelu::kOutput, w2, b2}, {out},
               format::make_options(tfl::FullyConnectedOptionsT{}));
  sg.outputs = {out};
  m.signatures.clear();
  return m;
}

TEST(QuantFullInteger, AnOpWithoutAnIntegerKernelStaysFloatBetweenConversions) {
  const format::Model m = fc_exp_fc();
  const auto s = stats_for(m, {{"x", -1, 1}, {"fc", -2, 2}, {"e", 0, 8}, {"out", -3, 3}});
  auto r = to_full_integer(m, with_stats(s));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(op_types(r->model),
            (std::vector<BuiltinOp>{BuiltinOp::QUANTIZE, BuiltinOp::FULLY_CONNECTED, BuiltinOp::DEQUANTIZE,
                                    BuiltinOp::EXP, BuiltinOp::QUANTIZE, BuiltinOp::FULLY_CONNECTED,
                                    BuiltinOp::DEQUANTIZE}));
  const auto& sg = r->model.subgraphs[0];
  const auto& exp = sg.operators[3];
  EXPECT_EQ(sg.tensors[static_cast<size_t>(exp.inputs[0])].type, TensorType::FLOAT32);
  EXPECT_EQ(sg.tensors[static_cast<size_t>(exp.outputs[0])].type, TensorType::FLOAT32);
  bool warned = false;
  for (const auto& w : r->plan.warnings) warned = warned || w.find("EXP") != std::string::npos;
  EXPECT_TRUE(warned);

  // --strict names the op instead, and nothing is returned.
  FullIntegerOptions strict = with_stats(s);
  strict.strict = true;
  auto refused = to_full_integer(m, strict);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("op #1 EXP"), std::string::npos) << refused.error().message;

  // Kept float by choice is not a strict failure.
  strict.keep_float.op_types = {"EXP"};
  EXPECT_TRUE(to_full_integer(m, strict));
}

TEST(QuantFullInteger, KeepFloatByTensorNameOrOpIndex) {
  const format::Model m = test::fc_relu_model(8, 4);
  const auto s = stats_for(m, {{"x", -1, 1}, {"fc", -2, 3}, {"y", 0, 3}});
  FullIntegerOptions o = with_stats(s);
  o.keep_float.tensors = {"y"};  // the RELU writes it
  auto r = to_full_integer(m, o);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(op_types(r->model), (std::vector<BuiltinOp>{BuiltinOp::QUANTIZE, BuiltinOp::FULLY_CONNECTED,
                                                         BuiltinOp::DEQUANTIZE, BuiltinOp::RELU}));
  o.keep_float = {};
  o.keep_float.op_indices = {0};  // the FULLY_CONNECTED
  auto k = to_full_integer(m, o);
  ASSERT_TRUE(k) << k.error().message;
  EXPECT_EQ(k->model.subgraphs[0].tensors[FcRelu::kWeights].type, TensorType::FLOAT32);
  EXPECT_EQ(k->model.subgraphs[0].tensors[FcRelu::kFcOut].type, TensorType::FLOAT32);
}

TEST(QuantFullInteger, ABiasTooLargeForInt32WidensTheWeightScale) {
  format::Model m = test::fc_relu_model(4, 2);
  auto& sg = m.subgraphs[0];
  // Tiny input scale (range ±1e-6) and a bias of 1e4: 1e4 / (7.8e-9 · 0.0079)
  // is far beyond 2^31.
  std::vector<float> bias = {1e4f, 1e-6f};
  std::vector<uint8_t> bytes(8);
  std::memcpy(bytes.data(), bias.data(), 8);
  sg.tensors[FcRelu::kBias].buffer = m.add_buffer(format::Bytes::own(std::move(bytes)));
  const auto s = stats_for(m, {{"x", -1e-6, 1e-6}, {"fc", -2, 3}, {"y", 0, 3}});
  auto r = to_full_integer(m, with_stats(s));
  ASSERT_TRUE(r) << r.error().message;
  const auto& q = r->model.subgraphs[0];
  const auto& w = q.tensors[FcRelu::kWeights].quantization->scale;
  const auto& bs = q.tensors[FcRelu::kBias].quantization->scale;
  const auto b32 = values<int32_t>(r->model, q.tensors[FcRelu::kBias]);
  const double s_in = q.tensors[static_cast<size_t>(q.operators[1].inputs[0])].quantization->scale[0];
  // Channel 0 widened so that its bias is representable (within a step);
  // channel 1 untouched.
  EXPECT_NEAR(b32[0] * bs[0], 1e4, bs[0]);
  EXPECT_LE(std::abs(static_cast<double>(b32[0])), std::numeric_limits<int32_t>::max());
  EXPECT_NEAR(bs[0], s_in * w[0], 1e-6 * bs[0]);
  float range1 = 0;
  const auto wf = floats(m, m.subgraphs[0].tensors[FcRelu::kWeights]);
  for (size_t k = 4; k < 8; ++k) range1 = std::max(range1, std::abs(wf[k]));
  EXPECT_NEAR(w[1], range1 / 127.0, 1e-6 * w[1]);
  bool said = false;
  for (const auto& d : r->plan.tensors) said = said || d.origin.find("widened") != std::string::npos;
  EXPECT_TRUE(said);
}

TEST(QuantFullInteger, Int16x8IsSymmetricWithInt64BiasAndGeneralScaleAdd) {
  format::Model m = test::fc_relu_model(8, 4);
  auto& sg = m.subgraphs[0];
  // y = ADD(fc, fc) instead of RELU.
  sg.operators[1].code.builtin = BuiltinOp::ADD;
  sg.operators[1].inputs = {FcRelu::kFcOut, FcRelu::kFcOut};
  sg.operators[1].options = format::make_options(tfl::AddOptionsT{});
  const auto s = stats_for(m, {{"x", -1, 3}, {"fc", -2, 3}, {"y", -4, 6}});
  FullIntegerOptions o = with_stats(s);
  o.scheme = IntegerScheme::kInt16x8;
  o.input_type = o.output_type = TensorType::INT16;
  auto r = to_full_integer(m, o);
  ASSERT_TRUE(r) << r.error().message;
  const auto& q = r->model.subgraphs[0];
  expect_params(&q.tensors[FcRelu::kInput], TensorType::INT16, {3.0 / 32767, 0});
  expect_params(&q.tensors[FcRelu::kOutput], TensorType::INT16, {6.0 / 32767, 0});
  EXPECT_EQ(q.tensors[FcRelu::kWeights].type, TensorType::INT8);
  EXPECT_EQ(q.tensors[FcRelu::kBias].type, TensorType::INT64);
  const auto* add = format::options_as<tfl::AddOptionsT>(q.operators[1]);
  ASSERT_NE(add, nullptr);
  EXPECT_FALSE(add->pot_scale_int16);
  EXPECT_EQ(q.operators[1].code.version, 3);
}

TEST(QuantFullInteger, Uint8TakesTheInputFromMeanAndStdDev) {
  const format::Model m = test::fc_relu_model(8, 4);
  const auto s = stats_for(m, {{"fc", -2, 3}, {"y", 0, 3}});
  FullIntegerOptions o = with_stats(s);
  o.scheme = IntegerScheme::kUint8;
  o.input_type = o.output_type = TensorType::UINT8;
  o.mean_std = {{"x", 128, 127.5}};
  auto r = to_full_integer(m, o);
  ASSERT_TRUE(r) << r.error().message;
  const auto& q = r->model.subgraphs[0];
  // real = (q - mean) / std_dev.
  expect_params(&q.tensors[FcRelu::kInput], TensorType::UINT8, {1 / 127.5, 128});
  const Expected fc = int8_grid(-2, 3);
  expect_params(&q.tensors[FcRelu::kFcOut], TensorType::UINT8, {fc.scale, fc.zero_point + 128});
  // Legacy weights: uint8, one scale, asymmetric.
  const auto& w = q.tensors[FcRelu::kWeights];
  EXPECT_EQ(w.type, TensorType::UINT8);
  ASSERT_EQ(w.quantization->scale.size(), 1u);
  const auto wf = floats(m, m.subgraphs[0].tensors[FcRelu::kWeights]);
  const auto w8 = values<uint8_t>(r->model, w);
  for (size_t i = 0; i < wf.size(); ++i) {
    const double back = w.quantization->scale[0] * (w8[i] - w.quantization->zero_point[0]);
    EXPECT_LE(std::abs(back - wf[i]), w.quantization->scale[0] / 2 + 1e-7) << i;
  }
  EXPECT_EQ(q.tensors[FcRelu::kBias].type, TensorType::INT32);
}

TEST(QuantFullInteger, RangesStoredInTheModelAndTheDefaultRangeAreUsedAndSaidSo) {
  format::Model m = test::fc_relu_model(8, 4);
  auto& sg = m.subgraphs[0];
  format::Quantization mm;
  mm.min = {-1};
  mm.max = {1};
  sg.tensors[FcRelu::kInput].quantization = mm;
  mm.min = {-2};
  mm.max = {3};
  sg.tensors[FcRelu::kFcOut].quantization = mm;
  FullIntegerOptions o;  // no statistics
  o.default_range = {{-6, 6}};
  auto r = to_full_integer(m, o);
  ASSERT_TRUE(r) << r.error().message;
  expect_params(&r->model.subgraphs[0].tensors[FcRelu::kFcOut], TensorType::INT8, int8_grid(-2, 3));
  expect_params(find(r->model, "y_int8"), TensorType::INT8, int8_grid(-6, 6));
  bool stored = false;
  for (const auto& d : r->plan.tensors) stored = stored || d.origin.find("stored in the model") != std::string::npos;
  EXPECT_TRUE(stored);
  bool warned = false;
  for (const auto& w : r->plan.warnings) warned = warned || w.find("'y_int8'") != std::string::npos;
  EXPECT_TRUE(warned);
}

TEST(QuantFullInteger, BadOptionsAreRefusedWithTheReason) {
  const format::Model m = test::fc_relu_model(8, 4);
  const auto s = stats_for(m, {{"x", -1, 1}, {"fc", -2, 3}, {"y", 0, 3}});
  struct Case {
    std::string says;
    FullIntegerOptions options;
  };
  std::vector<Case> cases;
  const auto add = [&](std::string says, auto edit) {
    FullIntegerOptions o = with_stats(s);
    edit(o);
    cases.push_back({std::move(says), o});
  };
  add("std_dev must be > 0", [](auto& o) { o.mean_std = {{"x", 128, 0}}; });
  add("mean must be an integer 0..255", [](auto& o) { o.mean_std = {{"x", 300, 1}}; });
  add("no input named 'nope'", [](auto& o) { o.mean_std = {{"nope", 128, 1}}; });
  add("--keep-float missing", [](auto& o) { o.keep_float.tensors = {"missing"}; });
  add("has no SOFTMAX op", [](auto& o) { o.keep_float.op_types = {"SOFTMAX"}; });
  add("op #7", [](auto& o) { o.keep_float.op_indices = {7}; });
  add("INT16 is not possible in int8 mode", [](auto& o) { o.input_type = TensorType::INT16; });
  add("MIN must be below MAX", [](auto& o) { o.default_range = {{2, 1}}; });
  add("give --stats", [](auto& o) { o.stats = nullptr; });
  add("input 'x': no range", [](auto& o) {
    o.stats = nullptr;
    o.default_range.reset();
    o.input_type = TensorType::INT8;
  });
  for (const auto& c : cases) {
    auto r = to_full_integer(m, c.options);
    ASSERT_FALSE(r) << c.says;
    EXPECT_NE(r.error().message.find(c.says), std::string::npos) << r.error().message;
  }
}

// A quantization-aware trained model: x -> FAKE_QUANT[-1, 1] -> FC ->
// "fc" -> FAKE_QUANT[0, 6] -> "fq" -> RELU -> y. The FAKE_QUANT ranges are
// used (before any statistics) and the ops disappear.
TEST(QuantFullInteger, FakeQuantRangesAreUsedAndTheOpsRemoved) {
  format::Model m = test::fc_relu_model(8, 4);
  auto& sg = m.subgraphs[0];
  const auto fake_quant = [](float lo, float hi) {
    tfl::FakeQuantOptionsT o;
    o.min = lo;
    o.max = hi;
    o.num_bits = 8;
    return format::make_options(o);
  };
  const int32_t xq = test::add_tensor(sg, "x_fq", TensorType::FLOAT32, {1, 8});
  const int32_t fq = test::add_tensor(sg, "fq", TensorType::FLOAT32, {1, 4});
  std::vector<format::Operator> ops;
  format::Operator a;
  a.code.builtin = BuiltinOp::FAKE_QUANT;
  a.inputs = {FcRelu::kInput};
  a.outputs = {xq};
  a.options = fake_quant(-1, 1);
  ops.push_back(a);
  ops.push_back(sg.operators[0]);
  ops.back().inputs[0] = xq;
  format::Operator b = a;
  b.inputs = {FcRelu::kFcOut};
  b.outputs = {fq};
  b.options = fake_quant(0, 6);
  ops.push_back(b);
  ops.push_back(sg.operators[1]);
  ops.back().inputs[0] = fq;
  sg.operators = ops;
  // Statistics that disagree: the trained ranges win.
  const auto s = stats_for(m, {{"x", -5, 5}, {"fc", -9, 9}, {"y", 0, 6}});
  FullIntegerOptions o = with_stats(s);
  o.scheme = IntegerScheme::kUint8;
  o.input_type = o.output_type = TensorType::UINT8;
  auto r = to_full_integer(m, o);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(op_types(r->model), (std::vector<BuiltinOp>{BuiltinOp::FULLY_CONNECTED, BuiltinOp::RELU}));
  const auto& q = r->model.subgraphs[0];
  const Expected in = int8_grid(-1, 1);
  expect_params(&q.tensors[FcRelu::kInput], TensorType::UINT8, {in.scale, in.zero_point + 128});
  const Expected fc = int8_grid(0, 6);
  expect_params(&q.tensors[FcRelu::kFcOut], TensorType::UINT8, {fc.scale, fc.zero_point + 128});
  EXPECT_EQ(q.operators[1].inputs[0], FcRelu::kFcOut);
  bool said = false;
  for (const auto& d : r->plan.tensors) said = said || d.origin.find("FAKE_QUANT op #2") != std::string::npos;
  EXPECT_TRUE(said);
}

// uint8 filters have one scale, so their rounding shifts each output
// channel by Σ_k ΔW_ck · x_k on average; with statistics the bias takes
// back that shift at the input's mean. Checked from the written tensors.
TEST(QuantFullInteger, Uint8BiasIsCorrectedForTheFiltersRounding) {
  const format::Model m = test::fc_relu_model(8, 4);
  const auto s = stats_for(m, {{"x", 0, 2}, {"fc", -2, 3}, {"y", 0, 3}});  // mean of x: 1
  FullIntegerOptions o = with_stats(s);
  o.scheme = IntegerScheme::kUint8;
  o.input_type = o.output_type = TensorType::UINT8;
  auto r = to_full_integer(m, o);
  ASSERT_TRUE(r) << r.error().message;
  const auto& q = r->model.subgraphs[0];
  const auto wf = floats(m, m.subgraphs[0].tensors[FcRelu::kWeights]);
  const auto bf = floats(m, m.subgraphs[0].tensors[FcRelu::kBias]);
  const format::Tensor& w = q.tensors[FcRelu::kWeights];
  const format::Tensor& b = q.tensors[FcRelu::kBias];
  const auto w8 = values<uint8_t>(r->model, w);
  const auto b32 = values<int32_t>(r->model, b);
  const double s_w = w.quantization->scale[0];
  const double zp_w = static_cast<double>(w.quantization->zero_point[0]);
  double moved = 0;
  for (size_t c = 0; c < 4; ++c) {
    double shift = 0;
    for (size_t k = 0; k < 8; ++k) shift += s_w * (w8[c * 8 + k] - zp_w) - wf[c * 8 + k];
    const double expected = bf[c] - 1.0 * shift;
    EXPECT_NEAR(b32[c] * b.quantization->scale[0], expected, b.quantization->scale[0]) << c;
    moved += std::abs(shift);
  }
  EXPECT_GT(moved, 0);  // the weights did round
  bool said = false;
  for (const auto& d : r->plan.tensors) said = said || d.origin.find("corrected") != std::string::npos;
  EXPECT_TRUE(said);
}

}  // namespace
}  // namespace qs::quant
