// ModelOverview's "Model metadata" section: the decoded TFLITE_METADATA of a
// corpus model. Expected values were read from the metadata buffer with a
// throwaway Python FlatBuffer reader and `flatc --json --raw-binary`, not
// with QuantScope (see tests/core/test_tflite_metadata.cpp).

#include <gtest/gtest.h>

#include <QLabel>
#include <QSignalSpy>
#include <QTableWidget>
#include <cstring>
#include <string>
#include <vector>

#include "format/model_file.h"
#include "inspect/model_info.h"
#include "support/corpus.h"
#include "support/model_builder.h"
#include "widgets/model_overview.h"

namespace {

using qs::format::ModelFile;
using qs::widgets::ModelOverview;

qs::inspect::ModelInfo corpusInfo(const std::string& name) {
  auto file = ModelFile::open(qs::test::corpus_model(name));
  if (!file) {
    ADD_FAILURE() << file.error().message;
    return {};
  }
  return qs::inspect::summarize(*file);
}

QString cell(const QTableWidget* table, int row, int column) {
  const QTableWidgetItem* it = table->item(row, column);
  return it != nullptr ? it->text() : QString();
}

// The row of `table` whose Name column reads `name`, or -1.
int rowNamed(const QTableWidget* table, const QString& name) {
  for (int r = 0; r < table->rowCount(); ++r)
    if (cell(table, r, 1) == name) return r;
  return -1;
}

// The column whose header reads `header`, or -1.
int columnHeaded(const QTableWidget* table, const QString& header) {
  for (int c = 0; c < table->columnCount(); ++c)
    if (table->horizontalHeaderItem(c) != nullptr && table->horizontalHeaderItem(c)->text() == header)
      return c;
  return -1;
}

TEST(ModelOverviewMetadata, MobilenetNameNormalizationAndLabels) {
  QS_REQUIRE_CORPUS();
  ModelOverview overview;
  overview.setInfo(corpusInfo("mobilenet_v1_0.25_224_1_metadata_1.tflite"));

  const QLabel* facts = overview.modelMetadataLabel();
  ASSERT_NE(facts, nullptr);
  EXPECT_TRUE(facts->isVisibleTo(&overview));
  const QString text = facts->text();
  EXPECT_TRUE(text.contains("MobileNetV1 image classifier")) << text.toStdString();
  EXPECT_TRUE(text.contains("version v1")) << text.toStdString();
  EXPECT_TRUE(text.contains("by TensorFlow")) << text.toStdString();
  EXPECT_TRUE(text.contains("Apache License. Version 2.0")) << text.toStdString();

  ASSERT_EQ(overview.tensorMetadataTables().size(), 1);
  QTableWidget* table = overview.tensorMetadataTables().front();
  EXPECT_TRUE(table->isVisibleTo(&overview));
  ASSERT_EQ(table->rowCount(), 2);
  const int image = rowNamed(table, "image");
  const int probability = rowNamed(table, "probability");
  ASSERT_GE(image, 0);
  ASSERT_GE(probability, 0);
  EXPECT_EQ(cell(table, image, 0), "input");
  EXPECT_EQ(cell(table, probability, 0), "output");

  const int content = columnHeaded(table, "Content");
  const int processing = columnHeaded(table, "Processing");
  const int range = columnHeaded(table, "Value range");
  const int files = columnHeaded(table, "Files");
  ASSERT_GE(content, 0);
  ASSERT_GE(processing, 0);
  ASSERT_GE(range, 0);
  ASSERT_GE(files, 0);
  EXPECT_EQ(cell(table, image, content), "image, RGB");
  EXPECT_EQ(cell(table, image, processing), "normalization: mean 127.5, std 127.5");
  EXPECT_EQ(cell(table, image, range), "min -1, max 1");
  EXPECT_EQ(cell(table, probability, content), "feature");
  EXPECT_EQ(cell(table, probability, files), "labels.txt");
  EXPECT_TRUE(table->item(probability, files)->toolTip().contains("TENSOR_AXIS_LABELS"));

  // Descriptions wrap beneath the table.
  const auto* descriptions = overview.findChild<QLabel*>("tensorDescriptions0");
  ASSERT_NE(descriptions, nullptr);
  EXPECT_TRUE(descriptions->text().contains(
      QStringLiteral("input “image”: Input image to be classified. The expected image is 224 x 224")))
      << descriptions->text().toStdString();
  EXPECT_TRUE(descriptions->text().contains(
      QStringLiteral("output “probability”: Probabilities of the 1001 labels respectively.")))
      << descriptions->text().toStdString();

  // Clicking a row activates its graph tensor: the same one the first row
  // of the subgraph's input/output table names.
  const QTableWidget* io = overview.subgraphTables().front();
  QSignalSpy spy(&overview, &ModelOverview::tensorActivated);
  emit table->cellClicked(image, 1);
  ASSERT_EQ(spy.count(), 1);
  EXPECT_EQ(spy.at(0).at(0).toInt(), 0);
  EXPECT_EQ(QString::number(spy.at(0).at(1).toInt()), cell(io, 0, 1));

  // Nothing of it left after clear().
  overview.clear();
  EXPECT_TRUE(overview.tensorMetadataTables().isEmpty());
  EXPECT_FALSE(overview.modelMetadataLabel()->isVisibleTo(&overview));
}

TEST(ModelOverviewMetadata, ModelWithoutMetadataHidesTheSection) {
  ModelOverview overview;
  auto file = ModelFile::from_bytes(qs::test::to_bytes(qs::test::fc_relu_model()), "plain.tflite");
  ASSERT_TRUE(file.has_value());
  overview.setInfo(qs::inspect::summarize(*file));
  EXPECT_FALSE(overview.modelMetadataLabel()->isVisibleTo(&overview));
  EXPECT_TRUE(overview.tensorMetadataTables().isEmpty());
}

TEST(ModelOverviewMetadata, UndecodableMetadataSaysWhy) {
  qs::format::Model model = qs::test::fc_relu_model();
  std::vector<uint8_t> garbage(40, 0x11);
  std::memcpy(garbage.data() + 4, "M001", 4);
  const uint32_t buffer = model.add_buffer(qs::format::Bytes::own(garbage));
  model.metadata.push_back({"TFLITE_METADATA", buffer});
  auto file = ModelFile::from_bytes(qs::test::to_bytes(model), "bad-metadata.tflite");
  ASSERT_TRUE(file.has_value()) << file.error().message;
  ModelOverview overview;
  overview.setInfo(qs::inspect::summarize(*file));
  EXPECT_TRUE(overview.modelMetadataLabel()->isVisibleTo(&overview));
  EXPECT_TRUE(overview.modelMetadataLabel()->text().contains("could not be decoded"))
      << overview.modelMetadataLabel()->text().toStdString();
  EXPECT_TRUE(overview.tensorMetadataTables().isEmpty());
}

}  // namespace
