// Smoke tests of the main window through its public open function, with the
// settings in a temporary folder ($QS_SETTINGS_DIR) and no modal dialogs.

#include <gtest/gtest.h>

#include <QByteArray>
#include <QComboBox>
#include <QCoreApplication>
#include <QDropEvent>
#include <QFile>
#include <QFileInfo>
#include <QHeaderView>
#include <QLabel>
#include <QMenu>
#include <QMessageBox>
#include <QMimeData>
#include <QSettings>
#include <QSortFilterProxyModel>
#include <QStatusBar>
#include <QTableView>
#include <QUrl>

#include <fstream>
#include <optional>
#include <string>

#include "gui/main_window.h"
#include "isolated_settings.h"
#include "support/corpus.h"
#include "support/model_builder.h"
#include "support/temp_dir.h"
#include "widgets/op_table_model.h"
#include "widgets/op_table_view.h"
#include "widgets/tensor_table_model.h"
#include "widgets/tensor_table_view.h"

namespace {

using qs::app::MainWindow;
using qs::widgets::OpTableModel;
using qs::widgets::OpTableView;
using qs::widgets::TensorTableModel;
using qs::widgets::TensorTableView;

QString corpusPath(const std::string& name) {
  return QString::fromStdString(qs::test::corpus_model(name).string());
}

using qs::test::IsolatedSettings;

int tableRows(const MainWindow& window) {
  const auto* table = window.findChild<TensorTableView*>();
  return table == nullptr ? -1 : table->tableModel()->rowCount();
}

QString summary(const MainWindow& window) {
  const auto* label = window.findChild<QLabel*>("modelSummary");
  return label == nullptr ? QString() : label->text();
}

TEST(MainWindow, OpensAModelAndSummarisesIt) {
  QS_REQUIRE_CORPUS();
  IsolatedSettings settings;
  MainWindow window;
  EXPECT_EQ(tableRows(window), 0);

  const QString path = corpusPath("mobilenet_v1_0.25_128_quant.tflite");
  const qs::Status status = window.openModel(path);
  ASSERT_TRUE(status) << status.error().message;

  EXPECT_EQ(window.currentPath(), QFileInfo(path).absoluteFilePath());
  EXPECT_EQ(tableRows(window), 89);
  // quantscope-cli info: 31 ops, 89 tensors, one subgraph.
  const QString text = summary(window);
  EXPECT_TRUE(text.contains("mobilenet_v1_0.25_128_quant.tflite")) << text.toStdString();
  EXPECT_TRUE(text.contains("31 ops")) << text.toStdString();
  EXPECT_TRUE(text.contains("89 tensors")) << text.toStdString();
  EXPECT_FALSE(text.contains("subgraphs")) << text.toStdString();
  EXPECT_TRUE(window.findChild<QComboBox*>("subgraphSelector")->parentWidget()->isHidden());

  // Remembered as a recent file, in the isolated settings only.
  EXPECT_EQ(MainWindow::recentFiles(), QStringList{window.currentPath()});
  EXPECT_TRUE(std::filesystem::exists(settings.iniFile()));
}

TEST(MainWindow, FailedOpenKeepsTheCurrentModel) {
  QS_REQUIRE_CORPUS();
  IsolatedSettings settings;
  MainWindow window;
  ASSERT_TRUE(window.openModel(corpusPath("conv_fc_mnist.tflite")));
  const QString before = window.currentPath();
  const int rows = tableRows(window);
  const QString text = summary(window);
  ASSERT_GT(rows, 0);

  const auto garbage = settings.dir() / "garbage.tflite";
  {
    std::ofstream out(garbage, std::ios::binary);
    for (int i = 0; i < 4096; ++i) out.put(static_cast<char>((i * 7919) & 0xff));
  }
  const auto empty = settings.dir() / "empty.tflite";
  std::ofstream(empty).close();

  for (const std::filesystem::path& bad :
       {settings.dir() / "does-not-exist.tflite", garbage, empty, settings.dir().path()}) {
    SCOPED_TRACE(bad.string());
    const qs::Status status = window.openModel(QString::fromStdString(bad.string()));
    ASSERT_FALSE(status);
    const std::string& message = status.error().message;
    EXPECT_FALSE(message.empty());
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
    EXPECT_NE(message.find(bad.filename().string()), std::string::npos) << message;

    EXPECT_EQ(window.currentPath(), before);
    EXPECT_EQ(tableRows(window), rows);
    EXPECT_EQ(summary(window), text);
  }
  EXPECT_EQ(MainWindow::recentFiles(), QStringList{before});
}

TEST(MainWindow, OpeningReplacesTheModelAndOffersSubgraphs) {
  QS_REQUIRE_CORPUS();
  IsolatedSettings settings;
  MainWindow window;
  ASSERT_TRUE(window.openModel(corpusPath("mobilenet_v1_0.25_128_quant.tflite")));

  // multi_signature_model: subgraphs 'add', 'mul', 'sub' of 3 tensors each.
  ASSERT_TRUE(window.openModel(corpusPath("multi_signature_model.tflite")));
  auto* combo = window.findChild<QComboBox*>("subgraphSelector");
  ASSERT_NE(combo, nullptr);
  EXPECT_FALSE(combo->parentWidget()->isHidden());
  // The subgraphs, a separator, then the signatures (test_signatures.cpp).
  ASSERT_EQ(combo->count(), 7);
  EXPECT_TRUE(combo->itemText(1).contains("mul")) << combo->itemText(1).toStdString();
  EXPECT_TRUE(summary(window).contains("3 subgraphs")) << summary(window).toStdString();
  EXPECT_TRUE(summary(window).contains("3 ops")) << summary(window).toStdString();

  auto* table = window.findChild<TensorTableView*>();
  EXPECT_EQ(table->tableModel()->subgraph(), 0);
  combo->setCurrentIndex(1);
  EXPECT_EQ(table->tableModel()->subgraph(), 1);
  EXPECT_EQ(table->tableModel()->rowCount(), 3);
  EXPECT_EQ(table->tableModel()->index(0, qs::widgets::TensorTableModel::NameColumn).data().toString(),
            "mul_b:0");

  // One subgraph and its signature (serving_default): still a choice, of
  // the names to show.
  ASSERT_TRUE(window.openModel(corpusPath("conv_fc_mnist.tflite")));
  EXPECT_FALSE(combo->parentWidget()->isHidden());
  EXPECT_EQ(combo->count(), 3);
  EXPECT_EQ(table->tableModel()->subgraph(), 0);

  // One subgraph, no signature: nothing to choose, the selector goes away.
  ASSERT_TRUE(window.openModel(corpusPath("mobilenet_v1_0.25_128_quant.tflite")));
  EXPECT_TRUE(combo->parentWidget()->isHidden());
  EXPECT_EQ(table->tableModel()->subgraph(), 0);
}

TEST(MainWindow, DroppedFileIsOpened) {
  QS_REQUIRE_CORPUS();
  IsolatedSettings settings;
  MainWindow window;
  const QString path = corpusPath("conv_fc_mnist.tflite");
  QMimeData mime;
  mime.setUrls({QUrl::fromLocalFile(path)});

  QDragEnterEvent enter(QPoint(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
  QCoreApplication::sendEvent(&window, &enter);
  EXPECT_TRUE(enter.isAccepted());
  QDropEvent drop(QPointF(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
  QCoreApplication::sendEvent(&window, &drop);
  EXPECT_EQ(window.currentPath(), QFileInfo(path).absoluteFilePath());
  EXPECT_GT(tableRows(window), 0);

  // Text that is not a file is refused.
  QMimeData text;
  text.setText("hello");
  QDragEnterEvent refused(QPoint(10, 10), Qt::CopyAction, &text, Qt::LeftButton, Qt::NoModifier);
  refused.setAccepted(false);
  QCoreApplication::sendEvent(&window, &refused);
  EXPECT_FALSE(refused.isAccepted());
}

TEST(MainWindow, RecentFilesAreMostRecentFirstAndCapped) {
  QS_REQUIRE_CORPUS();
  IsolatedSettings settings;
  MainWindow window;
  const auto models = qs::test::corpus_models();
  ASSERT_GT(models.size(), static_cast<size_t>(MainWindow::kMaxRecentFiles + 2));

  QStringList opened;
  for (const auto& model : models) {
    if (window.openModel(QString::fromStdString(model.string()))) opened.prepend(window.currentPath());
    if (opened.size() == MainWindow::kMaxRecentFiles + 2) break;
  }
  ASSERT_EQ(opened.size(), MainWindow::kMaxRecentFiles + 2);
  EXPECT_EQ(MainWindow::recentFiles(), opened.mid(0, MainWindow::kMaxRecentFiles));

  // Reopening moves a file to the front without duplicating it.
  const QString third = opened[2];
  ASSERT_TRUE(window.openModel(third));
  const QStringList recent = MainWindow::recentFiles();
  EXPECT_EQ(recent.size(), MainWindow::kMaxRecentFiles);
  EXPECT_EQ(recent.front(), third);
  EXPECT_EQ(recent.count(third), 1);

  // The menu catches up once the event loop runs.
  QCoreApplication::processEvents();
  QMenu* menu = nullptr;
  for (auto* m : window.findChildren<QMenu*>())
    if (m->title() == MainWindow::tr("Open &Recent")) menu = m;
  ASSERT_NE(menu, nullptr);
  ASSERT_FALSE(menu->actions().isEmpty());
  EXPECT_EQ(menu->actions().front()->statusTip(), third);
}

TEST(MainWindow, GeometryIsSavedOnClose) {
  IsolatedSettings settings;
  {
    MainWindow window;
    window.resize(812, 534);
    window.show();
    window.close();
  }
  const QSettings ini(QString::fromStdString(settings.iniFile().string()), QSettings::IniFormat);
  EXPECT_FALSE(ini.value("mainWindow/geometry").toByteArray().isEmpty());

  MainWindow restored;
  EXPECT_EQ(restored.size(), QSize(812, 534));
}

TEST(MainWindow, TableColumnWidthsAndSortOrderSurviveARestart) {
  QS_REQUIRE_CORPUS();
  IsolatedSettings settings;
  const QString path = corpusPath("conv_fc_mnist.tflite");
  constexpr int kNameWidth = 333;
  constexpr int kOpTypeWidth = 171;
  {
    MainWindow window;
    window.show();
    ASSERT_TRUE(window.openModel(path));
    auto* tensors = window.findChild<TensorTableView*>()->tableView();
    auto* ops = window.findChild<OpTableView*>()->tableView();
    // As a drag of the column edges and a click on a header would.
    tensors->setColumnWidth(TensorTableModel::NameColumn, kNameWidth);
    ops->setColumnWidth(OpTableModel::TypeColumn, kOpTypeWidth);
    tensors->sortByColumn(TensorTableModel::NameColumn, Qt::DescendingOrder);
    window.close();
  }
  MainWindow window;
  window.show();
  auto* tensorView = window.findChild<TensorTableView*>();
  auto* opView = window.findChild<OpTableView*>();
  const auto check = [&](const char* when) {
    SCOPED_TRACE(when);
    EXPECT_EQ(tensorView->tableView()->columnWidth(TensorTableModel::NameColumn), kNameWidth);
    EXPECT_EQ(opView->tableView()->columnWidth(OpTableModel::TypeColumn), kOpTypeWidth);
    const QHeaderView* header = tensorView->tableView()->horizontalHeader();
    EXPECT_EQ(header->sortIndicatorSection(), TensorTableModel::NameColumn);
    EXPECT_EQ(header->sortIndicatorOrder(), Qt::DescendingOrder);
  };
  check("restored");
  // Opening a model fits the columns to it, except those the user sized.
  ASSERT_TRUE(window.openModel(path));
  check("after opening a model");
  EXPECT_EQ(tensorView->proxyModel()->sortColumn(), TensorTableModel::NameColumn);
  const QString first = tensorView->proxyModel()->index(0, TensorTableModel::NameColumn).data().toString();
  const QString last = tensorView->proxyModel()
                           ->index(tensorView->proxyModel()->rowCount() - 1, TensorTableModel::NameColumn)
                           .data()
                           .toString();
  EXPECT_GT(first.compare(last, Qt::CaseInsensitive), 0)
      << first.toStdString() << " / " << last.toStdString();
}

TEST(MainWindow, ColumnsFittedToAModelAreFittedAgainForTheNext) {
  QS_REQUIRE_CORPUS();
  IsolatedSettings settings;
  {
    MainWindow window;
    ASSERT_TRUE(window.openModel(corpusPath("conv_fc_mnist.tflite")));
    window.close();
  }
  MainWindow window;
  auto* tensorView = window.findChild<TensorTableView*>();
  EXPECT_FALSE(tensorView->columnWidthsChosen());
  ASSERT_TRUE(window.openModel(corpusPath("multi_signature_model.tflite")));
  auto* view = tensorView->tableView();
  const int fitted = view->columnWidth(TensorTableModel::NameColumn);
  view->resizeColumnToContents(TensorTableModel::NameColumn);
  EXPECT_EQ(view->columnWidth(TensorTableModel::NameColumn), fitted);
}

TEST(MainWindow, HeaderStateFromElsewhereIsIgnored) {
  IsolatedSettings settings;
  {
    QSettings ini(QString::fromStdString(settings.iniFile().string()), QSettings::IniFormat);
    ini.setValue("tables/tensorHeader", QByteArray("not a header state"));
  }
  MainWindow window;
  auto* tensorView = window.findChild<TensorTableView*>();
  EXPECT_FALSE(tensorView->columnWidthsChosen());
  EXPECT_FALSE(tensorView->restoreHeaderState(QByteArray()));
  EXPECT_TRUE(tensorView->restoreHeaderState(tensorView->saveHeaderState()));
}

TEST(MainWindow, FailedOpenWarnsWithoutBlocking) {
  IsolatedSettings settings;
  MainWindow window;
  window.show();
  // Returns at once (a blocking box would hang this test), with the box up.
  EXPECT_FALSE(window.openModelOrWarn(QString::fromStdString((settings.dir() / "missing.tflite").string())));
  QMessageBox* box = nullptr;
  for (auto* candidate : window.findChildren<QMessageBox*>())
    if (candidate->isVisible()) box = candidate;
  ASSERT_NE(box, nullptr);
  EXPECT_TRUE(box->text().contains("missing.tflite")) << box->text().toStdString();
  EXPECT_EQ(box->windowModality(), Qt::WindowModal);
  box->close();
}

TEST(MainWindow, ExportOfAGraphTooTallForOnePngSaysSo) {
  IsolatedSettings settings;
  // A 1 500-layer chain, written out so the window can open it.
  const auto model = settings.dir() / "chain.tflite";
  {
    const auto bytes = qs::test::to_bytes(qs::test::fc_chain_model(1500, 2));
    std::ofstream out(model, std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  }
  MainWindow window;
  window.show();
  const qs::Status opened = window.openModel(QString::fromStdString(model.string()));
  ASSERT_TRUE(opened) << opened.error().message;

  const QString png = QString::fromStdString((settings.dir() / "chain.png").string());
  const qs::Status status = window.exportGraph(png);
  ASSERT_TRUE(status) << status.error().message;
  EXPECT_TRUE(QFileInfo::exists(png));
  const QString message = window.statusBar()->currentMessage();
  EXPECT_TRUE(message.contains("in part")) << message.toStdString();
  EXPECT_TRUE(message.contains("SVG")) << message.toStdString();

  const QString svg = QString::fromStdString((settings.dir() / "chain.svg").string());
  ASSERT_TRUE(window.exportGraph(svg));
  EXPECT_TRUE(QFileInfo::exists(svg));
  EXPECT_FALSE(window.statusBar()->currentMessage().contains("in part"));
}

}  // namespace
