// Issue 6: the TF quantizer's own fixtures. Each `*_calibrated.bin` carries
// the calibrator's min/max on its tensors and its `*_quantized.bin` twin is
// what the official quantizer made of them. Quantized by us (int8, ranges
// from the file, float I/O as the twins have), every tensor the twin
// quantized must have the same type, scales within 1e-6 relative and zero
// points, and constant data within one step. The model I/O types are the
// twin's. These cover the recurrent
// ops' schemes: LSTM with layer norm and projection, LSTM with peepholes,
// UNIDIRECTIONAL_SEQUENCE_LSTM, SVDF.

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <string>

#include "format/model_file.h"
#include "quant/full_integer.h"
#include "support/corpus.h"

namespace qs::quant {
namespace {

using format::TensorType;

format::Model load(const std::string& name) {
  auto f = format::ModelFile::open(test::corpus_model(name));
  EXPECT_TRUE(f) << name << ": " << f.error().message;
  return f ? f->to_model() : format::Model{};
}

int64_t element(const format::Model& m, const format::Tensor& t, size_t i) {
  const auto d = m.tensor_data(t);
  switch (t.type) {
    case TensorType::INT8:
      return static_cast<int8_t>(d[i]);
    case TensorType::INT16: {
      int16_t v;
      std::memcpy(&v, d.data() + 2 * i, 2);
      return v;
    }
    case TensorType::INT32: {
      int32_t v;
      std::memcpy(&v, d.data() + 4 * i, 4);
      return v;
    }
    default:
      return 0;
  }
}

size_t elements(const format::Model& m, const format::Tensor& t) {
  const auto bits = format::type_bits(t.type);
  return bits ? m.tensor_data(t).size() * 8 / *bits : 0;
}

TEST(QuantFixtures, OurScalesAndZeroPointsAreTheOfficialQuantizers) {
  QS_REQUIRE_CORPUS();
  const std::pair<const char*, const char*> pairs[] = {
      {"lstm_calibrated.bin", "lstm_quantized.bin"},
      {"lstm_calibrated2.bin", "lstm_quantized2.bin"},
      {"unidirectional_sequence_lstm_calibrated.bin", "unidirectional_sequence_lstm_quantized.bin"},
      {"svdf_calibrated.bin", "svdf_quantized.bin"},
  };
  for (const auto& [calibrated, quantized] : pairs) {
    SCOPED_TRACE(calibrated);
    const format::Model theirs = load(quantized);
    // The twin's I/O: float with QUANTIZE/DEQUANTIZE (the LSTMs), or int8 (SVDF).
    const auto& io = theirs.subgraphs[0];
    FullIntegerOptions options;
    options.input_type = io.tensors[static_cast<size_t>(io.inputs[0])].type;
    options.output_type = io.tensors[static_cast<size_t>(io.outputs[0])].type;
    auto ours = to_full_integer(load(calibrated), options);
    ASSERT_TRUE(ours) << ours.error().message;
    const auto& our_sg = ours->model.subgraphs[0];
    size_t compared = 0;
    for (const format::Tensor& t : theirs.subgraphs[0].tensors) {
      if (!t.quantization || t.quantization->scale.empty()) continue;
      SCOPED_TRACE(t.name);
      const format::Tensor* mine = nullptr;
      for (const auto& x : our_sg.tensors)
        if (x.name == t.name) mine = &x;
      ASSERT_NE(mine, nullptr) << "no tensor of that name in ours";
      EXPECT_EQ(mine->type, t.type);
      ASSERT_TRUE(mine->quantization && mine->quantization->scale.size() == t.quantization->scale.size());
      for (size_t k = 0; k < t.quantization->scale.size(); ++k) {
        EXPECT_NEAR(mine->quantization->scale[k], t.quantization->scale[k], 1e-6 * t.quantization->scale[k]);
        EXPECT_EQ(mine->quantization->zero_point[k], t.quantization->zero_point[k]);
      }
      const size_t n = elements(theirs, t);
      ASSERT_EQ(elements(ours->model, *mine), n);
      for (size_t i = 0; i < n; ++i)
        EXPECT_LE(std::abs(element(ours->model, *mine, i) - element(theirs, t, i)), 1) << "element " << i;
      ++compared;
    }
    EXPECT_GE(compared, 5u);
    // The op itself runs on integers.
    bool integer_op = false;
    for (const auto& op : our_sg.operators) {
      const auto b = op.code.builtin;
      if (b == format::BuiltinOp::QUANTIZE || b == format::BuiltinOp::DEQUANTIZE) continue;
      integer_op = our_sg.tensors[static_cast<size_t>(op.inputs[0])].type == TensorType::INT8;
      EXPECT_EQ(op.code.version, b == format::BuiltinOp::SVDF ? 3 : 2);
    }
    EXPECT_TRUE(integer_op);
  }
}

}  // namespace
}  // namespace qs::quant
