// TensorTableModel and TensorTableView on real models from the corpus. The
// expected cell contents were read from the files with `quantscope-cli info`.

#include <gtest/gtest.h>

#include <QAbstractItemModelTester>
#include <QLineEdit>
#include <QSortFilterProxyModel>

#include <algorithm>
#include <memory>
#include <string>

#include "format/model_file.h"
#include "support/corpus.h"
#include "widgets/tensor_table_model.h"
#include "widgets/tensor_table_view.h"

namespace {

using qs::format::Model;
using qs::format::ModelFile;
using qs::widgets::TensorTableModel;
using qs::widgets::TensorTableView;

std::shared_ptr<const Model> loadCorpusModel(const std::string& name) {
  auto file = ModelFile::open(qs::test::corpus_model(name));
  if (!file) {
    ADD_FAILURE() << file.error().message;
    return nullptr;
  }
  return std::make_shared<const Model>(file->to_model());
}

QString cell(const QAbstractItemModel& model, int row, int column, int role = Qt::DisplayRole) {
  return model.data(model.index(row, column), role).toString();
}

qint64 sortValue(const QAbstractItemModel& model, int row, int column) {
  return model.data(model.index(row, column), TensorTableModel::SortRole).toLongLong();
}

TEST(TensorTableModel, PassesModelTesterThroughResets) {
  QS_REQUIRE_CORPUS();
  const auto mobilenet = loadCorpusModel("mobilenet_v1_0.25_128_quant.tflite");
  const auto multi = loadCorpusModel("multi_subgraphs_while.bin");
  ASSERT_TRUE(mobilenet && multi);

  TensorTableModel model;
  QSortFilterProxyModel proxy;
  proxy.setSourceModel(&model);
  proxy.setSortRole(TensorTableModel::SortRole);
  proxy.sort(TensorTableModel::BytesColumn, Qt::DescendingOrder);
  // Fatal: any broken model contract aborts the test binary on the spot.
  QAbstractItemModelTester modelTester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
  QAbstractItemModelTester proxyTester(&proxy, QAbstractItemModelTester::FailureReportingMode::Fatal);

  model.setModel(mobilenet, 0);
  EXPECT_EQ(model.rowCount(), 89);
  for (int g = 0; g < 3; ++g) model.setModel(multi, g);
  model.setModel(multi, 3);  // out of range: empty, not a crash
  EXPECT_EQ(model.rowCount(), 0);
  model.setModel(mobilenet, 0);
  model.clear();
  EXPECT_EQ(model.rowCount(), 0);
  EXPECT_EQ(model.model(), nullptr);
}

TEST(TensorTableModel, OneRowPerTensorOfTheChosenSubgraph) {
  QS_REQUIRE_CORPUS();
  const auto multi = loadCorpusModel("multi_subgraphs_while.bin");
  ASSERT_TRUE(multi);
  ASSERT_EQ(multi->subgraphs.size(), 3U);

  TensorTableModel model;
  for (int g = 0; g < 3; ++g) {
    model.setModel(multi, g);
    EXPECT_EQ(model.subgraph(), g);
    ASSERT_EQ(static_cast<size_t>(model.rowCount()), multi->subgraphs[static_cast<size_t>(g)].tensors.size());
    EXPECT_EQ(model.columnCount(), TensorTableModel::ColumnCount);
  }
  // From `quantscope-cli info`: 5, 5 and 8 tensors.
  model.setModel(multi, 2);
  EXPECT_EQ(model.rowCount(), 8);
  EXPECT_EQ(cell(model, 7, TensorTableModel::NameColumn), "while/add_1");
  EXPECT_EQ(cell(model, 7, TensorTableModel::KindColumn), "output");
  EXPECT_EQ(cell(model, 7, TensorTableModel::ShapeColumn), "[]");
  EXPECT_EQ(model.data(model.index(7, TensorTableModel::NameColumn), TensorTableModel::TensorIndexRole).toInt(), 7);
}

TEST(TensorTableModel, MobilenetCells) {
  QS_REQUIRE_CORPUS();
  const auto mobilenet = loadCorpusModel("mobilenet_v1_0.25_128_quant.tflite");
  ASSERT_TRUE(mobilenet);
  TensorTableModel model;
  model.setModel(mobilenet, 0);
  ASSERT_EQ(model.rowCount(), 89);

  // #0 input: UINT8[1,128,128,3] q(scale=0.0078125, zp=128)
  EXPECT_EQ(cell(model, 0, TensorTableModel::IndexColumn), "0");
  EXPECT_EQ(cell(model, 0, TensorTableModel::NameColumn), "input");
  EXPECT_EQ(cell(model, 0, TensorTableModel::TypeColumn), "UINT8");
  EXPECT_EQ(cell(model, 0, TensorTableModel::ShapeColumn), "[1,128,128,3]");
  EXPECT_EQ(cell(model, 0, TensorTableModel::KindColumn), "input");
  EXPECT_EQ(cell(model, 0, TensorTableModel::BytesColumn), "");
  EXPECT_EQ(sortValue(model, 0, TensorTableModel::BytesColumn), 0);
  EXPECT_EQ(sortValue(model, 0, TensorTableModel::ShapeColumn), 1 * 128 * 128 * 3);
  EXPECT_EQ(cell(model, 0, TensorTableModel::QuantizationColumn), "scale 0.0078125, zero point 128");

  // #88 MobilenetV1/Predictions/Reshape_1: UINT8[1,1001] q(scale=0.00390625, zp=0)
  EXPECT_EQ(cell(model, 88, TensorTableModel::NameColumn), "MobilenetV1/Predictions/Reshape_1");
  EXPECT_EQ(cell(model, 88, TensorTableModel::ShapeColumn), "[1,1001]");
  EXPECT_EQ(cell(model, 88, TensorTableModel::KindColumn), "output");
  EXPECT_EQ(cell(model, 88, TensorTableModel::QuantizationColumn), "scale 0.00390625, zero point 0");

  // Parameters: 29 INT32 + 28 UINT8 constant tensors, 467.6 KiB in all; the
  // rest besides the input and the output are activations.
  int constants = 0, activations = 0;
  qint64 constantBytes = 0;
  for (int row = 0; row < model.rowCount(); ++row) {
    const auto kind = static_cast<TensorTableModel::Kind>(
        model.data(model.index(row, 0), TensorTableModel::KindRole).toInt());
    const qint64 bytes = sortValue(model, row, TensorTableModel::BytesColumn);
    const auto& tensor = mobilenet->subgraphs[0].tensors[static_cast<size_t>(row)];
    EXPECT_EQ(bytes, static_cast<qint64>(mobilenet->tensor_data(tensor).size())) << "row " << row;
    if (kind == TensorTableModel::Kind::Constant) {
      ++constants;
      constantBytes += bytes;
      EXPECT_GT(bytes, 0);
      EXPECT_FALSE(cell(model, row, TensorTableModel::BytesColumn).isEmpty());
    }
    if (kind == TensorTableModel::Kind::Activation) ++activations;
  }
  EXPECT_EQ(constants, 57);
  EXPECT_EQ(activations, 89 - 57 - 2);
  // INT32 3739 values (14956 B) + UINT8 463856 values.
  EXPECT_EQ(constantBytes, 3739 * 4 + 463856);
}

TEST(TensorTableModel, PerChannelQuantizationIsSummarised) {
  QS_REQUIRE_CORPUS();
  // A depthwise convolution quantized per output channel: its INT8 filter
  // [1,3,3,128] along dimension 3 and its INT32 bias [128] along dimension 0.
  const auto model = loadCorpusModel("pc_conv.bin");
  ASSERT_TRUE(model);
  TensorTableModel table;
  table.setModel(model, 0);
  ASSERT_EQ(table.rowCount(), 6);

  EXPECT_EQ(cell(table, 0, TensorTableModel::NameColumn), "Conv/Conv2D_bias");
  EXPECT_EQ(cell(table, 0, TensorTableModel::TypeColumn), "INT32");
  EXPECT_EQ(cell(table, 0, TensorTableModel::QuantizationColumn), "128 channels (dim 0)");
  EXPECT_EQ(sortValue(table, 0, TensorTableModel::BytesColumn), 128 * 4);

  EXPECT_EQ(cell(table, 1, TensorTableModel::NameColumn), "Conv/weights");
  EXPECT_EQ(cell(table, 1, TensorTableModel::TypeColumn), "INT8");
  EXPECT_EQ(cell(table, 1, TensorTableModel::ShapeColumn), "[1,3,3,128]");
  EXPECT_EQ(cell(table, 1, TensorTableModel::KindColumn), "constant");
  EXPECT_EQ(cell(table, 1, TensorTableModel::QuantizationColumn), "128 channels (dim 3)");
  EXPECT_EQ(sortValue(table, 1, TensorTableModel::BytesColumn), 3 * 3 * 128);

  // The tooltip lists the first scales, not all 128.
  const QString tip = cell(table, 1, TensorTableModel::QuantizationColumn, Qt::ToolTipRole);
  EXPECT_TRUE(tip.startsWith("scale: ")) << tip.toStdString();
  EXPECT_TRUE(tip.contains("(128 in all)")) << tip.toStdString();
  EXPECT_LT(tip.size(), 1000) << tip.toStdString();

  // The float model's ends are not quantized; the int8 tensors between the
  // QUANTIZE and DEQUANTIZE ops are, per tensor.
  EXPECT_EQ(cell(table, 4, TensorTableModel::KindColumn), "input");
  EXPECT_EQ(cell(table, 4, TensorTableModel::QuantizationColumn), "");
  EXPECT_EQ(cell(table, 2, TensorTableModel::KindColumn), "activation");
  EXPECT_TRUE(cell(table, 2, TensorTableModel::QuantizationColumn).endsWith(", zero point -128"));
}

TEST(TensorTableModel, ShapeSignatureShownWhenItDiffers) {
  QS_REQUIRE_CORPUS();
  // #0 serving_default_conv2d_input:0: INT8[1,28,28,1] signature [-1,28,28,1]
  const auto model = loadCorpusModel("conv_fc_mnist_srq_a8w8.tflite");
  ASSERT_TRUE(model);
  TensorTableModel table;
  table.setModel(model, 0);
  EXPECT_EQ(cell(table, 0, TensorTableModel::ShapeColumn), "[1,28,28,1] (signature [-1,28,28,1])");
  EXPECT_EQ(sortValue(table, 0, TensorTableModel::ShapeColumn), 28 * 28);

  // Where shape and signature agree, only the shape is shown.
  const auto mobilenet = loadCorpusModel("mobilenet_v1_0.25_128_quant.tflite");
  ASSERT_TRUE(mobilenet);
  table.setModel(mobilenet, 0);
  for (int row = 0; row < table.rowCount(); ++row)
    EXPECT_FALSE(cell(table, row, TensorTableModel::ShapeColumn).contains("signature")) << "row " << row;
}

TEST(TensorTableView, SortsNumericColumnsByNumber) {
  QS_REQUIRE_CORPUS();
  const auto mobilenet = loadCorpusModel("mobilenet_v1_0.25_128_quant.tflite");
  ASSERT_TRUE(mobilenet);
  TensorTableView view;
  view.setModel(mobilenet, 0);
  QSortFilterProxyModel& proxy = *view.proxyModel();
  ASSERT_EQ(proxy.rowCount(), 89);

  proxy.sort(TensorTableModel::BytesColumn, Qt::DescendingOrder);
  qint64 largest = 0;
  for (const auto& t : mobilenet->subgraphs[0].tensors)
    largest = std::max(largest, static_cast<qint64>(mobilenet->tensor_data(t).size()));
  EXPECT_EQ(sortValue(proxy, 0, TensorTableModel::BytesColumn), largest);
  for (int row = 1; row < proxy.rowCount(); ++row)
    EXPECT_GE(sortValue(proxy, row - 1, TensorTableModel::BytesColumn),
              sortValue(proxy, row, TensorTableModel::BytesColumn))
        << "rows " << row - 1 << " and " << row;

  // As text "10" would sort before "9".
  proxy.sort(TensorTableModel::IndexColumn, Qt::AscendingOrder);
  for (int row = 0; row < proxy.rowCount(); ++row)
    EXPECT_EQ(cell(proxy, row, TensorTableModel::IndexColumn), QString::number(row));
}

TEST(TensorTableView, FilterNarrowsRowsIgnoringCase) {
  QS_REQUIRE_CORPUS();
  const auto mobilenet = loadCorpusModel("mobilenet_v1_0.25_128_quant.tflite");
  ASSERT_TRUE(mobilenet);
  TensorTableView view;
  view.setModel(mobilenet, 0);
  QSortFilterProxyModel& proxy = *view.proxyModel();

  int expected = 0;
  for (const auto& t : mobilenet->subgraphs[0].tensors)
    if (QString::fromStdString(t.name).contains("depthwise", Qt::CaseInsensitive)) ++expected;
  ASSERT_GT(expected, 0);
  ASSERT_LT(expected, 89);

  view.filterEdit()->setText("DepthWise");
  EXPECT_EQ(proxy.rowCount(), expected);
  for (int row = 0; row < proxy.rowCount(); ++row)
    EXPECT_TRUE(cell(proxy, row, TensorTableModel::NameColumn).contains("depthwise", Qt::CaseInsensitive));

  // Other columns match too: no name here contains "output", but the Kind
  // of the model's one output does.
  view.filterEdit()->setText("output");
  ASSERT_EQ(proxy.rowCount(), 1);
  EXPECT_EQ(cell(proxy, 0, TensorTableModel::IndexColumn), "88");

  // Names are matched literally, not as patterns.
  view.filterEdit()->setText("Conv2d_1_depthwise/");
  EXPECT_GT(proxy.rowCount(), 0);
  view.filterEdit()->setText("[.*");
  EXPECT_EQ(proxy.rowCount(), 0);

  view.filterEdit()->clear();
  EXPECT_EQ(proxy.rowCount(), 89);

  // The filter survives a change of model.
  view.filterEdit()->setText("depthwise");
  view.setModel(mobilenet, 0);
  EXPECT_EQ(proxy.rowCount(), expected);
}

}  // namespace
