#include "gui/main_window.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QComboBox>
#include <QDebug>
#include <QDir>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QKeySequence>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QSettings>
#include <QStackedWidget>
#include <QStatusBar>
#include <QTabWidget>
#include <QUrl>
#include <QVBoxLayout>

#include <cmath>
#include <exception>
#include <filesystem>
#include <new>
#include <utility>

#include "format/model_file.h"
#include "format/tensor_type.h"
#include "inspect/model_info.h"
#include "widgets/details_panel.h"
#include "widgets/graph_find_bar.h"
#include "widgets/graph_view.h"
#include "widgets/model_overview.h"
#include "widgets/op_table_view.h"
#include "widgets/tensor_table_view.h"

namespace qs::app {

namespace {

constexpr auto kRecentFilesKey = "recentFiles";
constexpr auto kLastDirectoryKey = "lastDirectory";
constexpr auto kGeometryKey = "mainWindow/geometry";
constexpr auto kStateKey = "mainWindow/state";
constexpr auto kTensorTableKey = "tables/tensorHeader";
constexpr auto kOpTableKey = "tables/opHeader";

// What a chooser entry shows: a subgraph, and the signature naming its
// tensors (-1 for none).
constexpr int kSubgraphRole = Qt::UserRole;
constexpr int kSignatureRole = Qt::UserRole + 1;

// The first local file among dropped URLs: dropping several files opens one,
// as there is only ever one model open.
QString droppedFile(const QMimeData* mime) {
  if (mime == nullptr || !mime->hasUrls()) return {};
  for (const QUrl& url : mime->urls())
    if (url.isLocalFile()) return url.toLocalFile();
  return {};
}

// Converters often leave subgraphs unnamed; the signature entries listed
// below them then give the names a user knows them by.
QString subgraphLabel(const format::Model& model, size_t index) {
  const format::Subgraph& sg = model.subgraphs[index];
  return QStringLiteral("%1: %2").arg(index).arg(sg.name.empty() ? MainWindow::tr("(unnamed)")
                                                                 : QString::fromStdString(sg.name));
}

QString signatureLabel(const format::Signature& signature) {
  return MainWindow::tr("signature: %1 → subgraph %2")
      .arg(QString::fromStdString(signature.key))
      .arg(signature.subgraph_index);
}

int signatureIndex(const format::Model& model, const QString& key) {
  const std::string wanted = key.toStdString();
  for (size_t i = 0; i < model.signatures.size(); ++i)
    if (model.signatures[i].key == wanted) return static_cast<int>(i);
  return -1;
}

QString summaryText(const QString& path, const inspect::ModelInfo& info, const format::Model& model) {
  size_t tensors = 0;
  for (const format::Subgraph& sg : model.subgraphs) tensors += sg.tensors.size();
  const QLocale locale;
  QStringList parts{
      QFileInfo(path).fileName(),
      locale.formattedDataSize(static_cast<qint64>(info.file_bytes)),
      MainWindow::tr("%1 ops").arg(locale.toString(static_cast<qulonglong>(info.operator_count))),
      MainWindow::tr("%1 tensors").arg(locale.toString(static_cast<qulonglong>(tensors)))};
  if (model.subgraphs.size() > 1)
    parts << MainWindow::tr("%1 subgraphs").arg(model.subgraphs.size());
  return parts.join(QStringLiteral("  ·  "));
}

}  // namespace

std::unique_ptr<QSettings> openSettings() {
  const QString dir = qEnvironmentVariable("QS_SETTINGS_DIR");
  if (!dir.isEmpty())
    return std::make_unique<QSettings>(QDir(dir).filePath(QStringLiteral("QuantScope.ini")),
                                       QSettings::IniFormat);
  return std::make_unique<QSettings>(QStringLiteral("QuantScope"), QStringLiteral("QuantScope"));
}

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent),
      pages_(new QStackedWidget(this)),
      subgraphs_(new QComboBox(this)),
      chooserLabel_(new QLabel(this)),
      subgraphBar_(new QWidget(this)),
      centreTabs_(new QTabWidget(this)),
      graph_(new widgets::GraphView(this)),
      findBar_(new widgets::GraphFindBar(graph_, this)),
      overview_(new widgets::ModelOverview(this)),
      details_(new widgets::DetailsPanel(this)),
      table_(new widgets::TensorTableView(this)),
      opTable_(new widgets::OpTableView(this)),
      tableTabs_(new QTabWidget(this)),
      summary_(new QLabel(this)) {
  setAcceptDrops(true);
  // Dropping a model anywhere opens it, the filter boxes included, rather
  // than pasting its URL into them.
  table_->filterEdit()->setAcceptDrops(false);
  opTable_->filterEdit()->setAcceptDrops(false);

  auto* welcome = new QLabel(tr("Open a TensorFlow Lite model with File › Open (%1),\n"
                                "or drop one on this window.")
                                 .arg(QKeySequence(QKeySequence::Open).toString(QKeySequence::NativeText)),
                             pages_);
  welcome->setAlignment(Qt::AlignCenter);
  welcome->setEnabled(false);  // drawn greyed: a hint, not content

  subgraphs_->setObjectName(QStringLiteral("subgraphSelector"));
  subgraphs_->setSizeAdjustPolicy(QComboBox::AdjustToContents);
  connect(subgraphs_, &QComboBox::currentIndexChanged, this, &MainWindow::onChooserChanged);
  auto* barLayout = new QHBoxLayout(subgraphBar_);
  barLayout->setContentsMargins(6, 4, 6, 0);
  chooserLabel_->setBuddy(subgraphs_);
  barLayout->addWidget(chooserLabel_);
  barLayout->addWidget(subgraphs_);
  barLayout->addStretch(1);
  subgraphBar_->hide();

  auto* graphPage = new QWidget(centreTabs_);
  auto* graphLayout = new QVBoxLayout(graphPage);
  graphLayout->setContentsMargins(0, 0, 0, 0);
  graphLayout->setSpacing(0);
  graphLayout->addWidget(findBar_);
  graphLayout->addWidget(graph_, 1);
  findBar_->hide();
  connect(findBar_, &widgets::GraphFindBar::closeRequested, this, [this] {
    findBar_->reset();
    findBar_->hide();
    graph_->setFocus();
  });
  centreTabs_->setObjectName(QStringLiteral("centreTabs"));
  centreTabs_->setDocumentMode(true);
  centreTabs_->addTab(graphPage, tr("&Graph"));
  centreTabs_->addTab(overview_, tr("&Overview"));

  auto* content = new QWidget(pages_);
  auto* contentLayout = new QVBoxLayout(content);
  contentLayout->setContentsMargins(0, 0, 0, 0);
  contentLayout->setSpacing(0);
  contentLayout->addWidget(subgraphBar_);
  contentLayout->addWidget(centreTabs_, 1);

  pages_->addWidget(welcome);
  pages_->addWidget(content);
  setCentralWidget(pages_);

  summary_->setObjectName(QStringLiteral("modelSummary"));
  summary_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  statusBar()->addWidget(summary_, 1);

  createDocks();
  createMenus();
  connectSelection();

  setWindowTitle(tr("QuantScope"));
  resize(1400, 900);  // first run; restoreGeometry() wins afterwards
  const auto settings = openSettings();
  restoreGeometry(settings->value(kGeometryKey).toByteArray());
  restoreState(settings->value(kStateKey).toByteArray());
  table_->restoreHeaderState(settings->value(kTensorTableKey).toByteArray());
  opTable_->restoreHeaderState(settings->value(kOpTableKey).toByteArray());
}

void MainWindow::createDocks() {
  detailsDock_ = new QDockWidget(tr("Details"), this);
  detailsDock_->setObjectName(QStringLiteral("detailsDock"));  // saveState() keys docks by name
  detailsDock_->setWidget(details_);
  addDockWidget(Qt::RightDockWidgetArea, detailsDock_);

  tableTabs_->setDocumentMode(true);
  tableTabs_->addTab(table_, tr("Tensors"));
  tableTabs_->addTab(opTable_, tr("Ops"));
  tablesDock_ = new QDockWidget(tr("Tables"), this);
  tablesDock_->setObjectName(QStringLiteral("tablesDock"));
  tablesDock_->setWidget(tableTabs_);
  addDockWidget(Qt::BottomDockWidgetArea, tablesDock_);
  resizeDocks({detailsDock_}, {460}, Qt::Horizontal);
  resizeDocks({tablesDock_}, {220}, Qt::Vertical);
}

void MainWindow::connectSelection() {
  connect(graph_, &widgets::GraphView::opSelected, this, &MainWindow::onOpSelected);
  connect(graph_, &widgets::GraphView::tensorSelected, this, &MainWindow::onTensorSelected);
  connect(opTable_, &widgets::OpTableView::opActivated, this, &MainWindow::onOpSelected);
  connect(table_, &widgets::TensorTableView::tensorActivated, this, &MainWindow::onTensorSelected);
  connect(details_, &widgets::DetailsPanel::opActivated, this, &MainWindow::onOpSelected);
  connect(details_, &widgets::DetailsPanel::tensorActivated, this, &MainWindow::onTensorSelected);
  connect(overview_, &widgets::ModelOverview::tensorActivated, this, [this](int subgraph, int tensor) {
    centreTabs_->setCurrentIndex(0);  // the overview names it; the graph shows it
    onTensorSelected(subgraph, tensor);
  });
}

MainWindow::~MainWindow() = default;

void MainWindow::createMenus() {
  QMenu* file = menuBar()->addMenu(tr("&File"));

  QAction* open = file->addAction(tr("&Open…"), this, &MainWindow::showOpenDialog);
  open->setShortcut(QKeySequence::Open);
  open->setStatusTip(tr("Open a TensorFlow Lite model"));

  recentMenu_ = file->addMenu(tr("Open &Recent"));
  // Another QuantScope window may have changed the list since we last looked.
  connect(recentMenu_, &QMenu::aboutToShow, this, &MainWindow::rebuildRecentMenu);
  rebuildRecentMenu();

  file->addSeparator();
  exportPng_ = file->addAction(tr("Export Graph as &PNG…"), this, [this] { showExportDialog(false); });
  exportSvg_ = file->addAction(tr("Export Graph as S&VG…"), this, [this] { showExportDialog(true); });
  exportPng_->setEnabled(false);
  exportSvg_->setEnabled(false);

  file->addSeparator();
  QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
  quit->setShortcut(QKeySequence::Quit);
  quit->setMenuRole(QAction::QuitRole);

  QMenu* view = menuBar()->addMenu(tr("&View"));
  QAction* find = view->addAction(tr("&Find in Graph…"), this, [this] {
    centreTabs_->setCurrentIndex(0);
    findBar_->show();
    findBar_->activate();
  });
  find->setShortcut(QKeySequence::Find);
  view->addSeparator();
  view->addAction(tr("Zoom &In"), QKeySequence::ZoomIn, graph_, &widgets::GraphView::zoomIn);
  view->addAction(tr("Zoom &Out"), QKeySequence::ZoomOut, graph_, &widgets::GraphView::zoomOut);
  view->addAction(tr("&Actual Size"), QKeySequence(Qt::CTRL | Qt::Key_1), graph_, &widgets::GraphView::resetZoom);
  view->addAction(tr("&Fit Graph"), QKeySequence(Qt::CTRL | Qt::Key_0), graph_, &widgets::GraphView::fitToView);
  view->addSeparator();
  QAction* labels = view->addAction(tr("&Edge Labels"));
  labels->setCheckable(true);
  labels->setChecked(graph_->edgeLabelsVisible());
  connect(labels, &QAction::toggled, graph_, &widgets::GraphView::setEdgeLabelsVisible);
  QAction* mapAction = view->addAction(tr("Over&view Map"));
  mapAction->setCheckable(true);
  mapAction->setChecked(graph_->isOverviewEnabled());
  connect(mapAction, &QAction::toggled, graph_, &widgets::GraphView::setOverviewEnabled);
  view->addSeparator();
  view->addAction(detailsDock_->toggleViewAction());
  view->addAction(tablesDock_->toggleViewAction());
}

void MainWindow::showExportDialog(bool svg) {
  if (!model_) return;
  const QString suffix = svg ? QStringLiteral("svg") : QStringLiteral("png");
  const QString suggested = QFileInfo(path_).completeBaseName() + QLatin1Char('.') + suffix;
  const QString path = QFileDialog::getSaveFileName(
      this, svg ? tr("Export Graph as SVG") : tr("Export Graph as PNG"),
      QDir(QFileInfo(path_).absolutePath()).filePath(suggested),
      svg ? tr("SVG images (*.svg)") : tr("PNG images (*.png)"));
  if (path.isEmpty()) return;
  // The model is never a valid export target: refuse rather than clobber it.
  if (QFileInfo(path).absoluteFilePath() == path_) {
    warn(tr("Export failed"), tr("%1 is the open model; choose another file.").arg(path));
    return;
  }
  const Status status = exportGraph(path);
  if (!status) warn(tr("Export failed"), QString::fromStdString(status.error().message));
}

Status MainWindow::exportGraph(const QString& path) {
  if (!model_) return fail("no model is open");
  QString error;
  if (path.endsWith(QStringLiteral(".svg"), Qt::CaseInsensitive)) {
    if (!graph_->exportSvg(path, &error)) return fail(error.toStdString());
    statusBar()->showMessage(tr("Graph exported to %1").arg(path), 5000);
    return {};
  }
  widgets::GraphView::PngExport done;
  if (!graph_->exportPng(path, &error, &done)) return fail(error.toStdString());
  if (!done.cropped) {
    statusBar()->showMessage(tr("Graph exported to %1").arg(path), 5000);
    return {};
  }
  // The whole graph would be unreadably small: the PNG holds a legible part
  // of it, and the user must know which part and where the rest is.
  const QRectF graph = graph_->graphScene()->graphRect();
  statusBar()->showMessage(
      tr("Graph exported to %1 in part: at 100%, the %2 × %3 px around the view of a %4 × %5 px graph "
         "(too big for one PNG). Export as SVG for the whole graph.")
          .arg(path)
          .arg(std::lround(done.source.width()))
          .arg(std::lround(done.source.height()))
          .arg(std::lround(graph.width()))
          .arg(std::lround(graph.height())),
      30000);
  return {};
}

void MainWindow::warn(const QString& title, const QString& message) {
  auto* box = new QMessageBox(QMessageBox::Warning, title, message, QMessageBox::Ok, this);
  box->setAttribute(Qt::WA_DeleteOnClose);
  box->setWindowModality(Qt::WindowModal);
  box->open();
}

void MainWindow::showOpenDialog() {
  const QString startDir = openSettings()->value(kLastDirectoryKey).toString();
  const QString path = QFileDialog::getOpenFileName(
      this, tr("Open Model"), startDir, tr("TFLite models (*.tflite *.bin);;All files (*)"));
  if (path.isEmpty()) return;
  openSettings()->setValue(kLastDirectoryKey, QFileInfo(path).absolutePath());
  openModelOrWarn(path);
}

Status MainWindow::openModel(const QString& path) {
  const QString absolute = QFileInfo(path).absoluteFilePath();
  std::shared_ptr<const format::Model> model;
  inspect::ModelInfo info;
  QString summary;
  try {
    // The file system takes bytes; encodeName gives the ones the user's
    // locale maps this name to, as every other program on the system does.
    auto file = format::ModelFile::open(std::filesystem::path(QFile::encodeName(absolute).toStdString()));
    if (!file) return tl::unexpected(file.error());
    model = std::make_shared<const format::Model>(file->to_model());
    info = inspect::summarize(*file);
    summary = summaryText(absolute, info, *model);
  } catch (const std::bad_alloc&) {
    // Core reports every fault in the file as an Error; running out of
    // memory on a huge model is the one failure left to catch here.
    return fail(cat(absolute.toStdString(), ": not enough memory to open the model"));
  }

  // Everything that can fail has succeeded: only now replace the old model.
  path_ = absolute;
  model_ = std::move(model);
  fillChooser();
  details_->setModel(model_);
  overview_->setInfo(info);
  showSubgraph(0);
  pages_->setCurrentIndex(1);
  exportPng_->setEnabled(true);
  exportSvg_->setEnabled(true);
  summary_->setText(summary);
  summary_->setToolTip(path_);
  setWindowFilePath(path_);
  setWindowTitle(QFileInfo(path_).fileName());

  QStringList recent = recentFiles();
  recent.removeAll(path_);
  recent.prepend(path_);
  setRecentFiles(recent);
  return {};
}

bool MainWindow::openModelOrWarn(const QString& path) {
  const Status status = openModel(path);
  if (status) return true;
  const QString message = QString::fromStdString(status.error().message);
  // Also on stderr: started from a script or without a display, nobody may
  // ever see the box.
  qWarning().noquote() << message;
  // A recent file that has since been deleted or moved will never open again.
  if (!QFileInfo::exists(path)) {
    QStringList recent = recentFiles();
    if (recent.removeAll(QFileInfo(path).absoluteFilePath()) > 0) setRecentFiles(recent);
  }
  warn(tr("Could not open model"), message);
  return false;
}

void MainWindow::fillChooser() {
  const QSignalBlocker blocker(subgraphs_);
  subgraphs_->clear();
  for (size_t i = 0; i < model_->subgraphs.size(); ++i) {
    subgraphs_->addItem(subgraphLabel(*model_, i));
    subgraphs_->setItemData(subgraphs_->count() - 1, static_cast<int>(i), kSubgraphRole);
    subgraphs_->setItemData(subgraphs_->count() - 1, -1, kSignatureRole);
  }
  bool separated = false;
  for (size_t i = 0; i < model_->signatures.size(); ++i) {
    const format::Signature& signature = model_->signatures[i];
    if (signature.subgraph_index >= model_->subgraphs.size()) continue;  // nothing to show
    if (!separated) subgraphs_->insertSeparator(subgraphs_->count());
    separated = true;
    subgraphs_->addItem(signatureLabel(signature));
    subgraphs_->setItemData(subgraphs_->count() - 1, static_cast<int>(signature.subgraph_index),
                            kSubgraphRole);
    subgraphs_->setItemData(subgraphs_->count() - 1, static_cast<int>(i), kSignatureRole);
  }
  subgraphs_->setCurrentIndex(model_->subgraphs.empty() ? -1 : 0);
  chooserLabel_->setText(separated ? tr("&Show:") : tr("&Subgraph:"));
  // Shown only when there is a choice: a second subgraph, or a signature's
  // names to put on the one there is.
  subgraphBar_->setVisible(model_->subgraphs.size() + (separated ? 1 : 0) > 1);
}

void MainWindow::onChooserChanged(int row) {
  const QVariant subgraph = subgraphs_->itemData(row, kSubgraphRole);
  if (!subgraph.isValid()) return;  // the separator
  showEntry(subgraph.toInt(), subgraphs_->itemData(row, kSignatureRole).toInt());
}

int MainWindow::currentSubgraph() const { return model_ ? graph_->subgraph() : -1; }

QString MainWindow::currentSignature() const {
  const int signature = model_ ? graph_->signature() : -1;
  return signature < 0 ? QString()
                       : QString::fromStdString(model_->signatures[static_cast<size_t>(signature)].key);
}

void MainWindow::showSubgraph(int index) { showEntry(index, -1); }

bool MainWindow::showSignature(const QString& key) {
  if (!model_) return false;
  const int signature = signatureIndex(*model_, key);
  if (signature < 0 ||
      model_->signatures[static_cast<size_t>(signature)].subgraph_index >= model_->subgraphs.size())
    return false;
  showEntry(static_cast<int>(model_->signatures[static_cast<size_t>(signature)].subgraph_index), signature);
  return true;
}

void MainWindow::showEntry(int subgraph, int signature) {
  if (!model_ || subgraph < 0 || static_cast<size_t>(subgraph) >= model_->subgraphs.size()) return;
  const int row = subgraphs_->findData(signature < 0 ? QVariant(subgraph) : QVariant(signature),
                                       signature < 0 ? kSubgraphRole : kSignatureRole);
  if (row >= 0 && subgraphs_->currentIndex() != row) {
    const QSignalBlocker blocker(subgraphs_);
    subgraphs_->setCurrentIndex(row);
  }
  graph_->setModel(model_, subgraph, signature);
  table_->setModel(model_, subgraph);
  opTable_->setModel(model_, subgraph);
  details_->clear();
}

void MainWindow::onOpSelected(int subgraph, int op) {
  if (subgraph != currentSubgraph()) showSubgraph(subgraph);
  selectOp(op);
}

void MainWindow::onTensorSelected(int subgraph, int tensor) {
  if (subgraph != currentSubgraph()) showSubgraph(subgraph);
  selectTensor(tensor);
}

void MainWindow::selectOp(int op) {
  const int sg = currentSubgraph();
  if (sg < 0 || op < 0 || static_cast<size_t>(op) >= model_->subgraphs[static_cast<size_t>(sg)].operators.size())
    return;
  graph_->selectOp(op);
  opTable_->selectOp(op);
  details_->showOp(sg, op);
}

void MainWindow::selectTensor(int tensor) {
  const int sg = currentSubgraph();
  if (sg < 0 || tensor < 0 || static_cast<size_t>(tensor) >= model_->subgraphs[static_cast<size_t>(sg)].tensors.size())
    return;
  graph_->selectTensor(tensor);
  table_->selectTensor(tensor);
  details_->showTensor(sg, tensor);
}

bool MainWindow::selectByName(const QString& name) {
  if (!model_ || name.isEmpty()) return false;
  const std::string wanted = name.toStdString();
  const int shown = currentSubgraph();
  // The shown subgraph first: names repeat across subgraphs (a WHILE body
  // reuses its caller's names), and what is on screen is what was meant.
  std::vector<int> order{shown};
  for (int i = 0; i < static_cast<int>(model_->subgraphs.size()); ++i)
    if (i != shown) order.push_back(i);
  for (const int sg : order) {
    const auto& tensors = model_->subgraphs[static_cast<size_t>(sg)].tensors;
    for (size_t t = 0; t < tensors.size(); ++t) {
      if (tensors[t].name == wanted) {
        onTensorSelected(sg, static_cast<int>(t));
        return true;
      }
    }
  }
  if (name.startsWith(QLatin1Char('#'))) {
    bool ok = false;
    const int op = name.mid(1).toInt(&ok);
    const auto& ops = model_->subgraphs[static_cast<size_t>(shown)].operators;
    if (ok && op >= 0 && static_cast<size_t>(op) < ops.size()) {
      selectOp(op);
      return true;
    }
    return false;
  }
  for (const int sg : order) {
    const auto& ops = model_->subgraphs[static_cast<size_t>(sg)].operators;
    for (size_t o = 0; o < ops.size(); ++o) {
      const auto& code = ops[o].code;
      const std::string type = code.builtin == format::BuiltinOp::CUSTOM ? code.custom_code : format::op_name(code.builtin);
      if (QString::fromStdString(type).compare(name, Qt::CaseInsensitive) == 0) {
        onOpSelected(sg, static_cast<int>(o));
        return true;
      }
    }
  }
  return false;
}

QStringList MainWindow::recentFiles() {
  QStringList files = openSettings()->value(kRecentFilesKey).toStringList();
  files.removeAll(QString());
  files.removeDuplicates();
  while (files.size() > kMaxRecentFiles) files.removeLast();
  return files;
}

void MainWindow::setRecentFiles(const QStringList& files) {
  openSettings()->setValue(kRecentFilesKey, files.mid(0, kMaxRecentFiles));
  // Queued: this often runs inside one of the menu's own actions, which
  // rebuilding the menu would delete while it is still being triggered.
  QMetaObject::invokeMethod(this, &MainWindow::rebuildRecentMenu, Qt::QueuedConnection);
}

void MainWindow::rebuildRecentMenu() {
  recentMenu_->clear();
  const QStringList files = recentFiles();
  for (qsizetype i = 0; i < files.size(); ++i) {
    const QString& file = files[i];
    QString name = QFileInfo(file).fileName();
    name.replace(QLatin1Char('&'), QStringLiteral("&&"));  // a literal '&', not a mnemonic
    const QString text = i < 9 ? QStringLiteral("&%1 %2").arg(i + 1).arg(name) : name;
    QAction* action = recentMenu_->addAction(text, this, [this, file] { openModelOrWarn(file); });
    action->setStatusTip(file);
    action->setToolTip(file);
  }
  if (files.isEmpty()) {
    // A placeholder rather than a disabled menu, which would never emit
    // aboutToShow and so never pick up files another window opened.
    recentMenu_->addAction(tr("No recent models"))->setEnabled(false);
  } else {
    recentMenu_->addSeparator();
    recentMenu_->addAction(tr("&Clear Menu"), this, [this] { setRecentFiles({}); });
  }
}

void MainWindow::closeEvent(QCloseEvent* event) {
  const auto settings = openSettings();
  settings->setValue(kGeometryKey, saveGeometry());
  settings->setValue(kStateKey, saveState());
  settings->setValue(kTensorTableKey, table_->saveHeaderState());
  settings->setValue(kOpTableKey, opTable_->saveHeaderState());
  QMainWindow::closeEvent(event);
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event) {
  if (!droppedFile(event->mimeData()).isEmpty()) event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event) {
  const QString path = droppedFile(event->mimeData());
  if (path.isEmpty()) return;
  event->acceptProposedAction();
  openModelOrWarn(path);
}

}  // namespace qs::app
