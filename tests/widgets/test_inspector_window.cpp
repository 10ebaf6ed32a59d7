// The main window as an inspector: every corpus model opens, selection
// follows the user from any view into all the others, and `--screenshot`
// renders the window headless (its pictures are kept as test artefacts).

#include <gtest/gtest.h>

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QImage>
#include <QProcess>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTableView>

#include "format/model_file.h"
#include "gui/main_window.h"
#include "isolated_settings.h"
#include "support/corpus.h"
#include "support/temp_dir.h"
#include "widgets/details_panel.h"
#include "widgets/graph_view.h"
#include "widgets/op_table_view.h"
#include "widgets/tensor_table_model.h"
#include "widgets/tensor_table_view.h"

namespace {

using qs::app::MainWindow;
using qs::test::IsolatedSettings;

QString corpusPath(const std::string& name) { return QString::fromStdString(qs::test::corpus_model(name).string()); }

QString artifactPath(const QString& name) {
  QDir().mkpath(QStringLiteral(QS_TEST_ARTIFACTS_DIR));
  return QDir(QStringLiteral(QS_TEST_ARTIFACTS_DIR)).filePath(name);
}

int selectedRow(QTableView* view) {
  const QModelIndex current = view->selectionModel()->currentIndex();
  return current.isValid() ? current.row() : -1;
}

TEST(InspectorWindow, EveryCorpusModelOpensWithEverySubgraph) {
  QS_REQUIRE_CORPUS();
  IsolatedSettings settings;
  MainWindow window;
  window.resize(1200, 800);
  window.show();
  size_t opened = 0;
  for (const auto& path : qs::test::corpus_models()) {
    const QString file = QString::fromStdString(path.string());
    const qs::Status status = window.openModel(file);
    ASSERT_TRUE(status) << status.error().message;
    auto model = qs::format::ModelFile::open(path);
    ASSERT_TRUE(model);
    const auto subgraphs = static_cast<int>(model->to_model().subgraphs.size());
    for (int sg = 0; sg < subgraphs; ++sg) {
      window.showSubgraph(sg);
      EXPECT_EQ(window.currentSubgraph(), sg) << path;
    }
    QCoreApplication::processEvents();
    ++opened;
  }
  EXPECT_GE(opened, 150u);
}

TEST(InspectorWindow, SelectionInTheGraphReachesDetailsAndTables) {
  QS_REQUIRE_CORPUS();
  IsolatedSettings settings;
  MainWindow window;
  window.show();
  ASSERT_TRUE(window.openModel(corpusPath("mobilenet_v1_0.25_128_quant.tflite")));

  // As a click in the graph would: the view emits, the window fans out.
  emit window.graphView()->opSelected(0, 5);
  EXPECT_EQ(window.graphView()->selectedOp(), 5);
  EXPECT_EQ(window.detailsPanel()->page(), qs::widgets::DetailsPanel::Page::Op);
  auto* ops = window.findChild<qs::widgets::OpTableView*>();
  ASSERT_NE(ops, nullptr);
  EXPECT_EQ(ops->proxyModel()->mapToSource(ops->tableView()->selectionModel()->currentIndex()).row(), 5);

  // From the tensor table to the graph: tensor 0 is the model input.
  auto* tensors = window.findChild<qs::widgets::TensorTableView*>();
  ASSERT_NE(tensors, nullptr);
  emit tensors->tensorActivated(0, 0);
  EXPECT_EQ(window.graphView()->selectedTensor(), 0);
  EXPECT_EQ(window.detailsPanel()->page(), qs::widgets::DetailsPanel::Page::Tensor);
  EXPECT_EQ(selectedRow(tensors->tableView()), tensors->proxyModel()->mapFromSource(
                                                   tensors->tableModel()->index(0, 0)).row());
}

TEST(InspectorWindow, SelectByNameFindsTensorsOpsAndTypes) {
  QS_REQUIRE_CORPUS();
  IsolatedSettings settings;
  MainWindow window;
  ASSERT_TRUE(window.openModel(corpusPath("mobilenet_v1_0.25_128_quant.tflite")));
  EXPECT_TRUE(window.selectByName(QStringLiteral("input")));  // tensor 0 in the file
  EXPECT_EQ(window.graphView()->selectedTensor(), 0);
  EXPECT_TRUE(window.selectByName(QStringLiteral("#7")));
  EXPECT_EQ(window.graphView()->selectedOp(), 7);
  EXPECT_TRUE(window.selectByName(QStringLiteral("softmax")));  // the model's only SOFTMAX is its last op
  EXPECT_EQ(window.graphView()->selectedOp(), 30);
  EXPECT_FALSE(window.selectByName(QStringLiteral("no such thing")));
  EXPECT_FALSE(window.selectByName(QStringLiteral("#999")));
}

TEST(InspectorWindow, SelectingATensorOfAnotherSubgraphSwitchesToIt) {
  QS_REQUIRE_CORPUS();
  IsolatedSettings settings;
  MainWindow window;
  ASSERT_TRUE(window.openModel(corpusPath("nested_while.bin")));
  EXPECT_EQ(window.currentSubgraph(), 0);
  emit window.detailsPanel()->tensorActivated(2, 0);
  EXPECT_EQ(window.currentSubgraph(), 2);
  EXPECT_EQ(window.graphView()->selectedTensor(), 0);
}

// `quantscope MODEL --screenshot OUT.png [--select NAME]`, run as a user would.
class ScreenshotCommand : public ::testing::TestWithParam<const char*> {};

TEST_P(ScreenshotCommand, RendersTheWindowToAPng) {
  QS_REQUIRE_CORPUS();
  IsolatedSettings settings;
  const QString model = QString::fromLatin1(GetParam());
  const QString out = artifactPath(QStringLiteral("window_%1.png").arg(QFileInfo(model).completeBaseName()));
  QFile::remove(out);
  QProcess gui;
  auto env = QProcessEnvironment::systemEnvironment();
  env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
  gui.setProcessEnvironment(env);
  gui.start(QStringLiteral(QS_GUI_PATH),
            {corpusPath(model.toStdString()), QStringLiteral("--screenshot"), out, QStringLiteral("--size"),
             QStringLiteral("1400x900")});
  ASSERT_TRUE(gui.waitForFinished(60000));
  EXPECT_EQ(gui.exitCode(), 0) << gui.readAllStandardError().toStdString();
  const QImage image(out);
  ASSERT_FALSE(image.isNull()) << "no PNG at " << out.toStdString();
  EXPECT_EQ(image.width(), 1400);
  EXPECT_EQ(image.height(), 900);
}

INSTANTIATE_TEST_SUITE_P(Models, ScreenshotCommand,
                         ::testing::Values("mobilenet_v1_0.25_224_1_metadata_1.tflite",
                                           "face_detection_short_range.tflite", "multi_signature_model.tflite",
                                           "nested_while.bin"),
                         [](const auto& param_info) {
                           std::string n = param_info.param;
                           for (char& c : n)
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           return n;
                         });

TEST(ScreenshotCommandErrors, BadModelFailsWithoutWritingAFile) {
  qs::test::TempDir dir;
  IsolatedSettings settings;
  const QString bad = QString::fromStdString((dir / "bad.tflite").string());
  {
    QFile f(bad);
    ASSERT_TRUE(f.open(QIODevice::WriteOnly));
    f.write("definitely not a model");
  }
  const QString out = QString::fromStdString((dir / "out.png").string());
  QProcess gui;
  auto env = QProcessEnvironment::systemEnvironment();
  env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
  gui.setProcessEnvironment(env);
  gui.start(QStringLiteral(QS_GUI_PATH), {bad, QStringLiteral("--screenshot"), out});
  ASSERT_TRUE(gui.waitForFinished(60000));
  EXPECT_EQ(gui.exitCode(), 1);
  EXPECT_TRUE(gui.readAllStandardError().contains("bad.tflite"));
  EXPECT_FALSE(QFileInfo::exists(out));
}

}  // namespace
