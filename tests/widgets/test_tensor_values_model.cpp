// The values table: every element of a constant tensor, with its index in
// the shape and, when quantized, its real value.

#include <gtest/gtest.h>

#include <QAbstractItemModelTester>

#include "format/model_file.h"
#include "support/corpus.h"
#include "widgets/tensor_values_model.h"

namespace {

using qs::widgets::TensorValuesModel;

std::shared_ptr<const qs::format::Model> load(const std::string& name) {
  auto file = qs::format::ModelFile::open(qs::test::corpus_model(name));
  if (!file) return nullptr;
  return std::make_shared<const qs::format::Model>(file->to_model());
}

// The first constant tensor of subgraph 0 with this type and quantization.
const qs::format::Tensor* find_constant(const qs::format::Model& m, qs::format::TensorType type, bool per_channel) {
  for (const auto& t : m.subgraphs[0].tensors) {
    if (t.type != type || m.tensor_data(t).empty() || !t.quantization) continue;
    if (t.quantization->per_channel() == per_channel) return &t;
  }
  return nullptr;
}

TEST(TensorValuesModel, ListsUint8WeightsWithRealValues) {
  QS_REQUIRE_CORPUS();
  auto model = load("mobilenet_v1_0.25_128_quant.tflite");
  ASSERT_TRUE(model);
  const auto* weights = find_constant(*model, qs::format::TensorType::UINT8, false);
  ASSERT_NE(weights, nullptr);
  TensorValuesModel values;
  QAbstractItemModelTester tester(&values, QAbstractItemModelTester::FailureReportingMode::Fatal);
  values.setTensor(model, weights);
  const auto data = model->tensor_data(*weights);
  ASSERT_EQ(values.rowCount(), static_cast<int>(data.size()));  // one byte per UINT8 element
  ASSERT_TRUE(values.hasRealColumn());
  const double scale = weights->quantization->scale[0];
  const auto zp = static_cast<double>(weights->quantization->zero_point[0]);
  for (const int row : {0, 1, values.rowCount() / 2, values.rowCount() - 1}) {
    const auto q = static_cast<double>(data[static_cast<size_t>(row)]);
    EXPECT_EQ(values.index(row, TensorValuesModel::StoredColumn).data().toString().toDouble(), q) << row;
    EXPECT_NEAR(values.index(row, TensorValuesModel::RealColumn).data().toString().toDouble(), scale * (q - zp),
                std::abs(scale) * 1e-6)
        << row;
  }
  // Row-major coordinates: the last element sits at shape - 1 in every dimension.
  QStringList last;
  for (const int d : weights->shape) last << QString::number(d - 1);
  EXPECT_EQ(values.index(values.rowCount() - 1, TensorValuesModel::IndexColumn).data().toString(),
            QLatin1Char('[') + last.join(QLatin1Char(',')) + QLatin1Char(']'));
}

TEST(TensorValuesModel, FloatTensorHasNoRealColumnAndActivationsHaveNoRows) {
  QS_REQUIRE_CORPUS();
  auto model = load("conv_fc_mnist.tflite");
  ASSERT_TRUE(model);
  const qs::format::Tensor* constant = nullptr;
  const qs::format::Tensor* activation = nullptr;
  for (const auto& t : model->subgraphs[0].tensors) {
    if (!model->tensor_data(t).empty() && t.type == qs::format::TensorType::FLOAT32 && !constant) constant = &t;
    if (model->tensor_data(t).empty() && !activation) activation = &t;
  }
  ASSERT_NE(constant, nullptr);
  ASSERT_NE(activation, nullptr);
  TensorValuesModel values;
  QAbstractItemModelTester tester(&values, QAbstractItemModelTester::FailureReportingMode::Fatal);
  values.setTensor(model, constant);
  EXPECT_EQ(values.columnCount(), 2);
  EXPECT_EQ(static_cast<size_t>(values.rowCount()) * 4, model->tensor_data(*constant).size());
  float first = 0;
  std::memcpy(&first, model->tensor_data(*constant).data(), sizeof first);
  EXPECT_FLOAT_EQ(values.index(0, TensorValuesModel::StoredColumn).data().toString().toFloat(), first);
  values.setTensor(model, activation);
  EXPECT_EQ(values.rowCount(), 0);
  values.clear();
  EXPECT_EQ(values.rowCount(), 0);
}

}  // namespace
