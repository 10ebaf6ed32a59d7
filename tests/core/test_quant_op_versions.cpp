// Op versions of quantized models (core/quant/op_versions): the versions the
// official converter wrote into the corpus's quantized models are the
// reference. Every op of those files is wiped back to version 1 and
// raise_op_versions must restore exactly what the converter wrote.

#include <gtest/gtest.h>

#include <string>
#include <tuple>

#include "format/model.h"
#include "format/model_file.h"
#include "quant/op_versions.h"
#include "support/corpus.h"

namespace qs::quant {
namespace {

format::Model load(const std::string& name) {
  auto f = format::ModelFile::open(test::corpus_model(name));
  EXPECT_TRUE(f) << name << ": " << f.error().message;
  return f ? f->to_model() : format::Model{};
}

// Files of the TFLite converter: int8 with int8 I/O and with float I/O
// (QUANTIZE/DEQUANTIZE), a hybrid (dynamic-range) FULLY_CONNECTED, legacy
// uint8 convolutions. Not the ai-edge-quantizer's files
// (conv_fc_mnist_srq_a8w8, single_add_*_quantized: that tool leaves every op
// at version 1) nor person_detect.tflite (an older converter wrote its int8
// CONV_2D as version 2, before version 3 meant int8).
constexpr const char* kConverted[] = {
    "ad01_int8.tflite",
    "model_ToyCar_quant_fullint.tflite",
    "model_ToyCar_quant.tflite",
    "mobilenet_v1_0.25_224_quant.tflite",
};

TEST(QuantOpVersions, RestoreWhatTheOfficialConverterWrote) {
  QS_REQUIRE_CORPUS();
  for (const char* name : kConverted) {
    SCOPED_TRACE(name);
    const format::Model official = load(name);
    ASSERT_FALSE(official.subgraphs.empty());
    format::Model wiped = official;
    size_t modelled = 0;
    for (auto& sg : wiped.subgraphs) {
      for (auto& op : sg.operators) {
        if (required_version(sg, op)) ++modelled;
        op.code.version = 1;
      }
    }
    EXPECT_GT(modelled, 0u) << "no op of this model is modelled: the test would prove nothing";
    raise_op_versions(wiped);
    for (size_t s = 0; s < official.subgraphs.size(); ++s) {
      const auto& want = official.subgraphs[s].operators;
      const auto& got = wiped.subgraphs[s].operators;
      for (size_t o = 0; o < want.size(); ++o) {
        if (!required_version(official.subgraphs[s], want[o])) continue;
        EXPECT_EQ(got[o].code.version, want[o].code.version)
            << "op " << o << " (" << format::op_name(want[o].code.builtin) << ")";
      }
    }
  }
}

TEST(QuantOpVersions, NeverLowerAVersion) {
  QS_REQUIRE_CORPUS();
  format::Model m = load("ad01_int8.tflite");
  ASSERT_FALSE(m.subgraphs.empty());
  ASSERT_FALSE(m.subgraphs[0].operators.empty());
  m.subgraphs[0].operators[0].code.version = 11;
  raise_op_versions(m);
  EXPECT_EQ(m.subgraphs[0].operators[0].code.version, 11);
}

TEST(QuantOpVersions, FloatOpsNeedNoMoreThanVersionOne) {
  QS_REQUIRE_CORPUS();
  // A float model's ops, types unchanged, keep version 1 requirements
  // (except where an option asks more, which these ops don't use).
  const format::Model m = load("conv_fc_mnist.tflite");
  for (const auto& sg : m.subgraphs) {
    for (const auto& op : sg.operators) {
      const auto v = required_version(sg, op);
      ASSERT_TRUE(v) << format::op_name(op.code.builtin) << " is not modelled";
      EXPECT_EQ(*v, 1) << format::op_name(op.code.builtin);
    }
  }
}

}  // namespace
}  // namespace qs::quant

namespace qs::quant {
namespace {

// TFLite calls a hybrid CONV_2D filter per channel when it has one scale per
// output channel, so a one-filter convolution with its single scale is per
// channel (version 5) while two filters sharing one scale are not (2).
format::Subgraph hybrid_conv(int32_t filters, size_t scales) {
  format::Subgraph sg;
  format::Tensor in;
  in.shape = {1, 4, 4, 2};
  format::Tensor filter;
  filter.type = format::TensorType::INT8;
  filter.shape = {filters, 3, 3, 2};
  filter.buffer = 1;
  format::Quantization q;
  q.scale.assign(scales, 0.1f);
  q.zero_point.assign(scales, 0);
  filter.quantization = q;
  format::Tensor out;
  out.shape = {1, 2, 2, filters};
  sg.tensors = {in, filter, out};
  format::Operator op;
  op.code.builtin = format::BuiltinOp::CONV_2D;
  op.inputs = {0, 1};
  op.outputs = {2};
  sg.operators = {op};
  return sg;
}

TEST(QuantOpVersions, HybridConvIsPerChannelWhenEveryFilterHasItsScale) {
  for (const auto& [filters, scales, want] :
       {std::tuple{1, size_t{1}, 5}, std::tuple{2, size_t{2}, 5}, std::tuple{2, size_t{1}, 2}}) {
    const format::Subgraph sg = hybrid_conv(filters, scales);
    EXPECT_EQ(required_version(sg, sg.operators[0]), want) << filters << " filters, " << scales << " scales";
  }
}

// op_version.cc: int8 MUL whose rescale s1*s2/s_out is 1 or more needs
// version 3 (the kernel's multiplier above one), below one version 2.
TEST(QuantOpVersions, Int8MulWithARescaleOfOneOrMoreIsVersion3) {
  const auto mul = [](float s1, float s2, float s_out) {
    format::Subgraph sg;
    for (float s : {s1, s2, s_out}) {
      format::Tensor t;
      t.type = format::TensorType::INT8;
      t.shape = {1, 4};
      format::Quantization q;
      q.scale = {s};
      q.zero_point = {0};
      t.quantization = q;
      sg.tensors.push_back(t);
    }
    format::Operator op;
    op.code.builtin = format::BuiltinOp::MUL;
    op.inputs = {0, 1};
    op.outputs = {2};
    return required_version(sg, op);
  };
  EXPECT_EQ(mul(0.5f, 0.5f, 0.3f), 2);
  EXPECT_EQ(mul(0.5f, 0.5f, 0.25f), 3);
  EXPECT_EQ(mul(2.0f, 1.0f, 0.5f), 3);
}

}  // namespace
}  // namespace qs::quant
