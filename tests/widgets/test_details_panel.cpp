// DetailsPanel and ModelOverview on real corpus models, plus the background
// statistics path on a model built in memory. Facts were read from the files
// with `quantscope-cli info` and a throwaway program (mobilenet op 0 is
// CONV_2D v1 with Conv2DOptions{SAME, stride 2×2, RELU6}, inputs #0, #30
// filter UINT8[8,3,3,3], #29 bias INT32[8], output #31).
//
// Screenshots of the panels land in ${CMAKE_BINARY_DIR}/test-artifacts/.

#include <gtest/gtest.h>

#include <QAbstractItemModelTester>
#include <QDir>
#include <QLabel>
#include <QScrollArea>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTableView>
#include <QTableWidget>
#include <QTest>
#include <QThreadPool>

#include <qcustomplot.h>

#include <memory>
#include <string>

#include "format/model_file.h"
#include "inspect/model_info.h"
#include "support/corpus.h"
#include "widgets/details_panel.h"
#include "widgets/model_overview.h"
#include "widgets/op_options_text.h"

#ifndef QS_TEST_ARTIFACTS_DIR
#define QS_TEST_ARTIFACTS_DIR "test-artifacts"
#endif

namespace {

using qs::format::Model;
using qs::format::ModelFile;
using qs::widgets::DetailsPanel;
using qs::widgets::ModelOverview;

std::shared_ptr<const Model> loadCorpusModel(const std::string& name) {
  auto file = ModelFile::open(qs::test::corpus_model(name));
  if (!file) {
    ADD_FAILURE() << file.error().message;
    return nullptr;
  }
  return std::make_shared<const Model>(file->to_model());
}

QString tableText(const QTableWidget* table, int row, int column) {
  const QTableWidgetItem* it = table->item(row, column);
  return it != nullptr ? it->text() : QString();
}

// The value next to `name` in a two-column name/value table.
QString valueOf(const QTableWidget* table, const QString& name) {
  for (int r = 0; r < table->rowCount(); ++r)
    if (tableText(table, r, 0) == name) return tableText(table, r, 1);
  return QStringLiteral("(absent)");
}

int plottedBars(QCustomPlot* plot) {
  int bars = 0;
  for (int i = 0; i < plot->plottableCount(); ++i)
    if (const auto* b = qobject_cast<QCPBars*>(plot->plottable(i))) bars += b->data()->size();
  return bars;
}

// Shows `widget` at `width` and the full height of its scrolling content
// (up to a limit), renders it, and saves it as a test artefact.
void saveScreenshot(QWidget* widget, const QString& file, int width) {
  widget->resize(width, 600);
  widget->show();
  QCoreApplication::processEvents();
  int height = 600;
  // Every scroll area's content, as laid out at this width.
  for (const QScrollArea* scroll : widget->findChildren<QScrollArea*>()) {
    if (!scroll->isVisible() || scroll->widget() == nullptr) continue;
    height = std::max(height, scroll->widget()->heightForWidth(width) > 0
                                  ? scroll->widget()->heightForWidth(width)
                                  : scroll->widget()->sizeHint().height());
  }
  widget->resize(width, std::min(height + 8, 2400));
  QCoreApplication::processEvents();
  for (QCustomPlot* plot : widget->findChildren<QCustomPlot*>())
    if (plot->isVisible()) plot->replot();
  QDir().mkpath(QStringLiteral(QS_TEST_ARTIFACTS_DIR));
  const QString path = QStringLiteral(QS_TEST_ARTIFACTS_DIR) + QLatin1Char('/') + file;
  EXPECT_TRUE(widget->grab().save(path)) << path.toStdString();
}

TEST(DetailsPanel, ShowsConv2DOptionsAndTensorRows) {
  QS_REQUIRE_CORPUS();
  const auto mobilenet = loadCorpusModel("mobilenet_v1_0.25_128_quant.tflite");
  ASSERT_TRUE(mobilenet);
  DetailsPanel panel;
  EXPECT_EQ(panel.page(), DetailsPanel::Page::Empty);
  panel.setModel(mobilenet);
  panel.showOp(0, 0);
  ASSERT_EQ(panel.page(), DetailsPanel::Page::Op);
  EXPECT_EQ(panel.findChild<QLabel*>("opTitle")->text(), "CONV_2D");
  EXPECT_TRUE(panel.findChild<QLabel*>("opSubtitle")->text().contains("version 1"));
  EXPECT_EQ(panel.findChild<QLabel*>("optionsCaption")->text(), "Conv2DOptions");

  const QTableWidget* options = panel.optionsTable();
  EXPECT_EQ(valueOf(options, "padding"), "SAME");
  EXPECT_EQ(valueOf(options, "stride_w"), "2");
  EXPECT_EQ(valueOf(options, "stride_h"), "2");
  EXPECT_EQ(valueOf(options, "fused_activation_function"), "RELU6");
  EXPECT_EQ(valueOf(options, "dilation_w_factor"), "1");

  const QTableWidget* inputs = panel.inputsTable();
  ASSERT_EQ(inputs->rowCount(), 3);
  EXPECT_EQ(tableText(inputs, 0, 0), "input");
  EXPECT_EQ(tableText(inputs, 0, 1), "0");
  EXPECT_EQ(tableText(inputs, 0, 2), "input");
  EXPECT_EQ(tableText(inputs, 0, 6), "input");  // kind
  EXPECT_EQ(tableText(inputs, 1, 0), "filter");
  EXPECT_EQ(tableText(inputs, 1, 1), "30");
  EXPECT_EQ(tableText(inputs, 1, 3), "UINT8");
  EXPECT_EQ(tableText(inputs, 1, 4), "[8,3,3,3]");
  EXPECT_EQ(tableText(inputs, 1, 5), "0.00888241 · (q − 157)");  // real = scale · (q − zero point)
  EXPECT_EQ(inputs->item(1, 5)->toolTip(), "scale 0.00888241, zero point 157");
  EXPECT_EQ(tableText(inputs, 1, 6), "constant");
  EXPECT_EQ(tableText(inputs, 2, 0), "bias");
  EXPECT_EQ(tableText(inputs, 2, 3), "INT32");
  ASSERT_EQ(panel.outputsTable()->rowCount(), 1);
  EXPECT_EQ(tableText(panel.outputsTable(), 0, 1), "31");
  EXPECT_EQ(tableText(panel.outputsTable(), 0, 4), "[1,64,64,8]");
  EXPECT_EQ(tableText(panel.outputsTable(), 0, 6), "activation");

  // Clicking the filter row asks for tensor 30 of subgraph 0.
  QSignalSpy spy(&panel, &DetailsPanel::tensorActivated);
  emit panel.inputsTable()->cellClicked(1, 2);
  ASSERT_EQ(spy.count(), 1);
  EXPECT_EQ(spy.at(0).at(0).toInt(), 0);
  EXPECT_EQ(spy.at(0).at(1).toInt(), 30);

  saveScreenshot(&panel, "details_op_conv2d.png", 760);
}

TEST(DetailsPanel, ShowsAConstantWeightWithHistogram) {
  QS_REQUIRE_CORPUS();
  const auto mobilenet = loadCorpusModel("mobilenet_v1_0.25_128_quant.tflite");
  ASSERT_TRUE(mobilenet);
  DetailsPanel panel;
  panel.setModel(mobilenet);
  QSignalSpy shown(&panel, &DetailsPanel::statsShown);
  panel.showTensor(0, 30);  // op 0's filter: 216 elements, computed inline
  ASSERT_EQ(panel.page(), DetailsPanel::Page::Tensor);
  EXPECT_EQ(shown.count(), 1);
  EXPECT_FALSE(panel.statsPending());
  ASSERT_NE(panel.stats(), nullptr);
  EXPECT_EQ(panel.stats()->elements, 216U);
  ASSERT_TRUE(panel.stats()->dequantized.has_value());

  EXPECT_EQ(panel.findChild<QLabel*>("propType")->text(), "UINT8");
  EXPECT_EQ(panel.findChild<QLabel*>("propShape")->text(), "[8,3,3,3]");
  EXPECT_EQ(panel.findChild<QLabel*>("propElements")->text(), "216");
  EXPECT_TRUE(panel.findChild<QLabel*>("propBuffer")->text().startsWith("#31 · 216 B"));
  EXPECT_EQ(panel.findChild<QLabel*>("propKind")->text(), "constant");
  EXPECT_TRUE(panel.findChild<QLabel*>("consumersLabel")->text().contains("href=\"op:0\""));
  EXPECT_EQ(panel.findChild<QLabel*>("quantizationSummary")->text(), "scale 0.00888241, zero point 157");

  // Per-tensor quantization: one parameter row, with the data's real range.
  QAbstractItemModelTester tester(panel.quantizationModel(),
                                  QAbstractItemModelTester::FailureReportingMode::Fatal);
  ASSERT_EQ(panel.quantizationModel()->rowCount(), 1);
  const auto* qm = panel.quantizationModel();
  EXPECT_EQ(qm->data(qm->index(0, qs::widgets::QuantizationTableModel::ZeroPointColumn)).toString(), "157");

  // Histograms: real values (dequantized) and stored integers, with bars.
  ASSERT_TRUE(panel.plotTabs()->isVisibleTo(&panel));
  // Real-value and stored-integer histograms, then the values table.
  ASSERT_EQ(panel.plotTabs()->count(), 3);
  EXPECT_TRUE(panel.plotTabs()->tabText(2).startsWith(QStringLiteral("Values")));
  EXPECT_EQ(panel.plotTabs()->tabText(0), "Histogram of real values");
  EXPECT_GT(plottedBars(panel.histogramPlot()), 10);
  EXPECT_GT(plottedBars(panel.storedHistogramPlot()), 10);
  // Stored values span 1..255 (from the throwaway program), 128 bins of 2.
  EXPECT_EQ(panel.stats()->values.min, 1);
  EXPECT_EQ(panel.stats()->values.max, 255);

  saveScreenshot(&panel, "details_tensor_uint8_weights.png", 760);

  // The producer/consumer links lead to ops.
  QSignalSpy ops(&panel, &DetailsPanel::opActivated);
  emit panel.findChild<QLabel*>("consumersLabel")->linkActivated("op:0");
  ASSERT_EQ(ops.count(), 1);
  EXPECT_EQ(ops.at(0).at(1).toInt(), 0);

  // An activation has no data: no plots, a sentence instead.
  panel.showTensor(0, 31);
  EXPECT_EQ(panel.stats(), nullptr);
  EXPECT_FALSE(panel.plotTabs()->isVisibleTo(&panel));
  EXPECT_TRUE(panel.findChild<QLabel*>("statsStatus")->text().contains("run time"));
  EXPECT_TRUE(panel.findChild<QLabel*>("producerLabel")->text().contains("href=\"op:0\""));
}

TEST(DetailsPanel, PerChannelWeightsShowChannelRanges) {
  QS_REQUIRE_CORPUS();
  // conv_fc_mnist_srq_a8w8.tflite #2: INT8[32,1568], 32 scales along dim 0.
  const auto model = loadCorpusModel("conv_fc_mnist_srq_a8w8.tflite");
  ASSERT_TRUE(model);
  DetailsPanel panel;
  panel.setModel(model);
  panel.showTensor(0, 2);
  ASSERT_NE(panel.stats(), nullptr);
  ASSERT_EQ(panel.stats()->channels.size(), 32U);
  ASSERT_EQ(panel.quantizationModel()->rowCount(), 32);
  QAbstractItemModelTester tester(panel.quantizationModel(),
                                  QAbstractItemModelTester::FailureReportingMode::Fatal);
  // The data range columns are filled from the statistics.
  const auto* qm = panel.quantizationModel();
  for (int row = 0; row < 32; ++row) {
    const double lo = qm->data(qm->index(row, qs::widgets::QuantizationTableModel::DataMinColumn),
                               qs::widgets::QuantizationTableModel::SortRole).toDouble();
    const double hi = qm->data(qm->index(row, qs::widgets::QuantizationTableModel::DataMaxColumn),
                               qs::widgets::QuantizationTableModel::SortRole).toDouble();
    EXPECT_LE(lo, hi) << row;
    EXPECT_EQ(lo, panel.stats()->channels[static_cast<size_t>(row)].min);
  }
  ASSERT_EQ(panel.plotTabs()->count(), 4);  // two histograms, channel ranges, values
  EXPECT_EQ(panel.plotTabs()->tabText(2), "Per-channel ranges (32)");
  EXPECT_EQ(panel.plotTabs()->tabText(3), "Values (50,176)");  // [32,1568] elements
  EXPECT_GE(panel.channelPlot()->plottableCount(), 1);
  panel.plotTabs()->setCurrentIndex(2);
  saveScreenshot(&panel, "details_tensor_per_channel.png", 760);
}

// A model with one INT8 constant of `elements` elements, per-channel
// quantized along dimension 0 (4 channels).
std::shared_ptr<const Model> bigConstantModel(int32_t elements) {
  auto model = std::make_shared<Model>();
  model->buffers.emplace_back();
  std::vector<uint8_t> data(static_cast<size_t>(elements));
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>(i * 7);
  const uint32_t big = model->add_buffer(qs::format::Bytes::own(std::move(data)));
  const uint32_t small = model->add_buffer(qs::format::Bytes::own({1, 2, 3, 4}));
  qs::format::Subgraph sg;
  qs::format::Tensor t;
  t.name = "big";
  t.type = qs::format::TensorType::INT8;
  t.shape = {4, elements / 4};
  t.buffer = big;
  qs::format::Quantization q;
  q.scale = {0.5f, 0.25f, 0.125f, 1.0f};
  q.zero_point = {0, 0, 0, 0};
  t.quantization = q;
  sg.tensors.push_back(t);
  t.name = "small";
  t.shape = {4};
  t.buffer = small;
  t.quantization.reset();
  sg.tensors.push_back(t);
  model->subgraphs.push_back(std::move(sg));
  return model;
}

TEST(DetailsPanel, LargeTensorsAreComputedInTheBackground) {
  const int32_t elements = 4 * 400'000;  // 1.6 M, above the threshold
  static_assert(4 * 400'000 > DetailsPanel::kBackgroundElements);
  const auto model = bigConstantModel(elements);
  DetailsPanel panel;
  panel.setModel(model);
  QSignalSpy shown(&panel, &DetailsPanel::statsShown);
  panel.showTensor(0, 0);
  EXPECT_TRUE(panel.statsPending());
  EXPECT_EQ(panel.stats(), nullptr);
  EXPECT_TRUE(panel.findChild<QLabel*>("statsStatus")->text().startsWith("Computing statistics"));
  ASSERT_TRUE(shown.wait(10000));
  EXPECT_FALSE(panel.statsPending());
  ASSERT_NE(panel.stats(), nullptr);
  EXPECT_EQ(panel.stats()->elements, static_cast<uint64_t>(elements));
  EXPECT_EQ(panel.stats()->channels.size(), 4U);
  EXPECT_GT(plottedBars(panel.histogramPlot()), 0);
}

TEST(DetailsPanel, StaleBackgroundResultsAreDropped) {
  const auto model = bigConstantModel(4 * 400'000);
  DetailsPanel panel;
  panel.setModel(model);
  QSignalSpy shown(&panel, &DetailsPanel::statsShown);
  panel.showTensor(0, 0);  // starts a background job
  ASSERT_TRUE(panel.statsPending());
  panel.showTensor(0, 1);  // the selection moves on at once (small: inline)
  EXPECT_FALSE(panel.statsPending());
  ASSERT_NE(panel.stats(), nullptr);
  EXPECT_EQ(panel.stats()->elements, 4U);
  EXPECT_EQ(shown.count(), 1);
  // Let the big job finish and deliver: its result must not replace the
  // small tensor's statistics.
  QThreadPool::globalInstance()->waitForDone();
  QTest::qWait(50);
  QCoreApplication::processEvents();
  EXPECT_EQ(shown.count(), 1);
  ASSERT_NE(panel.stats(), nullptr);
  EXPECT_EQ(panel.stats()->elements, 4U);
  EXPECT_EQ(panel.shownIndex(), 1);

  // Also dropped when the panel is cleared or gets another model meanwhile.
  panel.showTensor(0, 0);
  panel.clear();
  QThreadPool::globalInstance()->waitForDone();
  QTest::qWait(50);
  EXPECT_EQ(panel.stats(), nullptr);
  EXPECT_EQ(panel.page(), DetailsPanel::Page::Empty);
}

TEST(DetailsPanel, BadIndicesShowTheEmptyPage) {
  QS_REQUIRE_CORPUS();
  const auto mobilenet = loadCorpusModel("mobilenet_v1_0.25_128_quant.tflite");
  DetailsPanel panel;
  panel.showOp(0, 0);  // no model yet
  EXPECT_EQ(panel.page(), DetailsPanel::Page::Empty);
  panel.setModel(mobilenet);
  panel.showOp(0, 31);
  EXPECT_EQ(panel.page(), DetailsPanel::Page::Empty);
  panel.showTensor(1, 0);
  EXPECT_EQ(panel.page(), DetailsPanel::Page::Empty);
  panel.showTensor(0, -1);
  EXPECT_EQ(panel.page(), DetailsPanel::Page::Empty);
  panel.showOp(0, 30);
  EXPECT_EQ(panel.page(), DetailsPanel::Page::Op);
  panel.setModel(nullptr);
  EXPECT_EQ(panel.page(), DetailsPanel::Page::Empty);
}

TEST(DetailsPanel, EveryOpAndTensorOfTheCorpusShows) {
  QS_REQUIRE_CORPUS();
  // No crash and a sensible page for anything a file can hold: custom ops,
  // control flow, LSTMs with omitted inputs, sparse tensors, strings.
  DetailsPanel panel;
  for (const auto& path : qs::test::corpus_models()) {
    auto file = ModelFile::open(path);
    if (!file) continue;
    const auto model = std::make_shared<const Model>(file->to_model());
    panel.setModel(model);
    for (size_t g = 0; g < model->subgraphs.size(); ++g) {
      const auto& sg = model->subgraphs[g];
      for (size_t o = 0; o < sg.operators.size(); ++o) {
        panel.showOp(static_cast<int>(g), static_cast<int>(o));
        ASSERT_EQ(panel.page(), DetailsPanel::Page::Op) << path;
        EXPECT_FALSE(panel.findChild<QLabel*>("opTitle")->text().isEmpty()) << path;
      }
      for (size_t t = 0; t < sg.tensors.size() && t < 400; ++t) {
        panel.showTensor(static_cast<int>(g), static_cast<int>(t));
        ASSERT_EQ(panel.page(), DetailsPanel::Page::Tensor) << path;
      }
    }
    QThreadPool::globalInstance()->waitForDone();
    QCoreApplication::processEvents();
  }
}

TEST(DetailsPanel, CustomOpShowsItsCode) {
  QS_REQUIRE_CORPUS();
  const auto model = loadCorpusModel("custom_op.bin");
  ASSERT_TRUE(model);
  DetailsPanel panel;
  panel.setModel(model);
  panel.showOp(0, 0);
  EXPECT_EQ(panel.findChild<QLabel*>("opTitle")->text(), "CustomTestOp");
  EXPECT_TRUE(panel.findChild<QLabel*>("opSubtitle")->text().startsWith("Custom op"));
}

// ModelOverview ---------------------------------------------------------------

qs::inspect::ModelInfo infoOf(const std::string& name) {
  auto file = ModelFile::open(qs::test::corpus_model(name));
  if (!file) throw std::runtime_error(file.error().message);
  return qs::inspect::summarize(*file);
}

TEST(ModelOverview, MobilenetSummary) {
  QS_REQUIRE_CORPUS();
  ModelOverview overview;
  overview.setInfo(infoOf("mobilenet_v1_0.25_128_quant.tflite"));
  EXPECT_EQ(overview.titleLabel()->text(), "mobilenet_v1_0.25_128_quant.tflite");
  const QString summary = overview.summaryLabel()->text();
  // `info`: 513.3 KiB (525598 bytes), schema version 3, 31 ops, 467595 parameters in 467.6 KiB.
  EXPECT_TRUE(summary.contains("513.3 KiB")) << summary.toStdString();
  EXPECT_TRUE(summary.contains("schema version <b>3</b>")) << summary.toStdString();
  EXPECT_TRUE(summary.contains(QStringLiteral("<b>31</b> ops of 5 kinds"))) << summary.toStdString();

  const QTableWidget* ops = overview.operatorsTable();
  ASSERT_EQ(ops->rowCount(), 5);
  int total = 0;
  for (int r = 0; r < ops->rowCount(); ++r) total += tableText(ops, r, 1).toInt();
  EXPECT_EQ(total, 31);
  // Sorted by count: CONV_2D 15, DEPTHWISE_CONV_2D 13, then the singles by name.
  EXPECT_EQ(tableText(ops, 0, 0), "CONV_2D");
  EXPECT_EQ(tableText(ops, 0, 1), "15");
  EXPECT_EQ(tableText(ops, 1, 0), "DEPTHWISE_CONV_2D");
  EXPECT_EQ(tableText(ops, 2, 0), "AVERAGE_POOL_2D");
  EXPECT_EQ(plottedBars(overview.operatorsPlot()), 5);

  // Parameters: UINT8 (453.0 KiB) before INT32 (14.6 KiB).
  const QTableWidget* params = overview.parametersTable();
  ASSERT_EQ(params->rowCount(), 2);
  EXPECT_EQ(tableText(params, 0, 0), "UINT8");
  EXPECT_EQ(tableText(params, 0, 1), "28");
  EXPECT_EQ(tableText(params, 0, 3), "453.0 KiB");
  EXPECT_EQ(tableText(params, 1, 0), "INT32");
  EXPECT_EQ(plottedBars(overview.parametersPlot()), 2);

  ASSERT_EQ(overview.subgraphTables().size(), 1);
  QTableWidget* io = overview.subgraphTables().front();
  ASSERT_EQ(io->rowCount(), 2);
  EXPECT_EQ(tableText(io, 0, 2), "input");
  EXPECT_EQ(tableText(io, 0, 4), "[1,128,128,3]");
  EXPECT_EQ(tableText(io, 0, 6), "scale 0.0078125, zero point 128");
  EXPECT_EQ(tableText(io, 1, 1), "88");
  QSignalSpy spy(&overview, &ModelOverview::tensorActivated);
  emit io->cellClicked(1, 2);
  ASSERT_EQ(spy.count(), 1);
  EXPECT_EQ(spy.at(0).at(1).toInt(), 88);

  ASSERT_EQ(overview.metadataTable()->rowCount(), 2);  // min_runtime_version, TFLITE_METADATA
  EXPECT_EQ(tableText(overview.metadataTable(), 1, 0), "TFLITE_METADATA");
  EXPECT_EQ(tableText(overview.metadataTable(), 1, 2), "696 B");
  EXPECT_FALSE(overview.signaturesTable()->isVisibleTo(&overview));

  saveScreenshot(&overview, "overview_mobilenet.png", 900);
}

TEST(ModelOverview, SignaturesAndSubgraphs) {
  QS_REQUIRE_CORPUS();
  ModelOverview overview;
  overview.setInfo(infoOf("multi_signatures.bin"));
  ASSERT_EQ(overview.subgraphTables().size(), 2);
  // `info`: 'add' -> subgraph 0 (x, output_0), 'sub' -> subgraph 1.
  QTableWidget* sigs = overview.signaturesTable();
  ASSERT_EQ(sigs->rowCount(), 4);
  EXPECT_EQ(tableText(sigs, 0, 0), "add → subgraph 0");
  EXPECT_EQ(tableText(sigs, 0, 2), "x");
  EXPECT_EQ(tableText(sigs, 3, 0), "sub → subgraph 1");
  EXPECT_EQ(tableText(sigs, 3, 2), "output_0");
  QSignalSpy spy(&overview, &ModelOverview::tensorActivated);
  emit sigs->cellClicked(3, 0);
  ASSERT_EQ(spy.count(), 1);
  EXPECT_EQ(spy.at(0).at(0).toInt(), 1);
  EXPECT_EQ(spy.at(0).at(1).toInt(), 2);
  // The signature column shows the -1 batch dimension.
  EXPECT_EQ(tableText(overview.subgraphTables()[0], 0, 5), "[-1]");

  // A model with many op kinds folds the tail of the chart.
  overview.setInfo(infoOf("audio_preprocessor_int8.tflite"));
  EXPECT_EQ(overview.operatorsTable()->rowCount(), 18);
  saveScreenshot(&overview, "overview_audio_preprocessor.png", 900);
  overview.clear();
  EXPECT_EQ(overview.operatorsTable()->rowCount(), 0);
  EXPECT_EQ(overview.subgraphTables().size(), 0);
}

}  // namespace

namespace {

TEST(DetailsPanel, LstmSlotsAndOmittedInputs) {
  QS_REQUIRE_CORPUS();
  // lstm.bin: one LSTM op with 24 inputs, some optional ones omitted (-1).
  const auto model = loadCorpusModel("lstm.bin");
  ASSERT_TRUE(model);
  const auto& op = model->subgraphs[0].operators[0];
  ASSERT_EQ(op.code.builtin, qs::format::BuiltinOp::LSTM);
  DetailsPanel panel;
  panel.setModel(model);
  panel.showOp(0, 0);
  const QTableWidget* inputs = panel.inputsTable();
  ASSERT_EQ(inputs->rowCount(), static_cast<int>(op.inputs.size()));
  EXPECT_EQ(tableText(inputs, 1, 0), "input_to_input_weights");
  EXPECT_EQ(tableText(inputs, 18, 0), "output_state");
  int omitted = 0;
  for (int r = 0; r < inputs->rowCount(); ++r) {
    if (op.inputs[static_cast<size_t>(r)] >= 0) continue;
    ++omitted;
    EXPECT_EQ(tableText(inputs, r, 2), "(omitted optional input)");
  }
  EXPECT_GT(omitted, 0);
  EXPECT_EQ(valueOf(panel.optionsTable(), "kernel_type"), "FULL");
  saveScreenshot(&panel, "details_op_lstm.png", 760);
}

TEST(DetailsPanel, CustomOptionsAreDecoded) {
  QS_REQUIRE_CORPUS();
  // The signal ops of the micro-speech preprocessor carry FlexBuffer maps.
  const auto model = loadCorpusModel("audio_preprocessor_int8.tflite");
  ASSERT_TRUE(model);
  DetailsPanel panel;
  panel.setModel(model);
  const auto& ops = model->subgraphs[0].operators;
  int shown = -1;
  for (size_t o = 0; o < ops.size() && shown < 0; ++o)
    if (!ops[o].custom_options.empty() && !qs::widgets::decode_custom_options(ops[o]).empty())
      shown = static_cast<int>(o);
  ASSERT_GE(shown, 0);
  panel.showOp(0, shown);
  const auto* caption = panel.findChild<QLabel*>("customOptionsCaption");
  EXPECT_TRUE(caption->text().startsWith("Custom options:")) << caption->text().toStdString();
  EXPECT_TRUE(caption->text().contains("FlexBuffers"));
  EXPECT_GT(panel.optionsTable()->rowCount(), 0);
  saveScreenshot(&panel, "details_op_custom.png", 760);
}

TEST(DetailsPanel, HalfFloatWeights) {
  QS_REQUIRE_CORPUS();
  const auto model = loadCorpusModel("face_detection_short_range.tflite");
  ASSERT_TRUE(model);
  const auto& tensors = model->subgraphs[0].tensors;
  // The largest FLOAT16 constant.
  int best = -1;
  size_t bestBytes = 0;
  for (size_t t = 0; t < tensors.size(); ++t)
    if (tensors[t].type == qs::format::TensorType::FLOAT16 && model->tensor_data(tensors[t]).size() > bestBytes) {
      best = static_cast<int>(t);
      bestBytes = model->tensor_data(tensors[t]).size();
    }
  ASSERT_GE(best, 0);
  DetailsPanel panel;
  panel.setModel(model);
  panel.showTensor(0, best);
  ASSERT_NE(panel.stats(), nullptr);
  EXPECT_EQ(panel.stats()->values.finite, panel.stats()->values.count);
  EXPECT_EQ(panel.plotTabs()->count(), 2);  // histogram, values
  EXPECT_EQ(panel.plotTabs()->tabText(0), "Histogram");
  EXPECT_EQ(plottedBars(panel.histogramPlot()), 128);
  EXPECT_EQ(panel.findChild<QLabel*>("quantizationSummary")->text(), "Not quantized.");
  saveScreenshot(&panel, "details_tensor_float16.png", 760);
}

}  // namespace
