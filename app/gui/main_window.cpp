#include "gui/main_window.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QComboBox>
#include <QDebug>
#include <QDir>
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
#include <QUrl>
#include <QVBoxLayout>

#include <exception>
#include <filesystem>
#include <new>
#include <utility>

#include "format/model_file.h"
#include "inspect/model_info.h"
#include "widgets/tensor_table_view.h"

namespace qs::app {

namespace {

constexpr auto kRecentFilesKey = "recentFiles";
constexpr auto kLastDirectoryKey = "lastDirectory";
constexpr auto kGeometryKey = "mainWindow/geometry";
constexpr auto kStateKey = "mainWindow/state";

// The first local file among dropped URLs: dropping several files opens one,
// as there is only ever one model open.
QString droppedFile(const QMimeData* mime) {
  if (mime == nullptr || !mime->hasUrls()) return {};
  for (const QUrl& url : mime->urls())
    if (url.isLocalFile()) return url.toLocalFile();
  return {};
}

QString subgraphLabel(const format::Model& model, size_t index) {
  const format::Subgraph& sg = model.subgraphs[index];
  QString label = QStringLiteral("%1: %2").arg(index).arg(
      sg.name.empty() ? MainWindow::tr("(unnamed)") : QString::fromStdString(sg.name));
  // Converters often leave subgraphs unnamed; the signature key is then the
  // only name a user knows them by.
  QStringList keys;
  for (const format::Signature& s : model.signatures)
    if (s.subgraph_index == index) keys << QString::fromStdString(s.key);
  if (!keys.isEmpty()) label += QStringLiteral(" [%1]").arg(keys.join(QStringLiteral(", ")));
  return label;
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
      subgraphBar_(new QWidget(this)),
      table_(new widgets::TensorTableView(this)),
      summary_(new QLabel(this)) {
  setAcceptDrops(true);
  // Dropping a model anywhere opens it, the filter box included, rather than
  // pasting its URL into the filter.
  table_->filterEdit()->setAcceptDrops(false);

  auto* welcome = new QLabel(tr("Open a TensorFlow Lite model with File › Open (%1),\n"
                                "or drop one on this window.")
                                 .arg(QKeySequence(QKeySequence::Open).toString(QKeySequence::NativeText)),
                             pages_);
  welcome->setAlignment(Qt::AlignCenter);
  welcome->setEnabled(false);  // drawn greyed: a hint, not content

  subgraphs_->setObjectName(QStringLiteral("subgraphSelector"));
  subgraphs_->setSizeAdjustPolicy(QComboBox::AdjustToContents);
  connect(subgraphs_, &QComboBox::currentIndexChanged, this, &MainWindow::showSubgraph);
  auto* barLayout = new QHBoxLayout(subgraphBar_);
  barLayout->setContentsMargins(0, 0, 0, 0);
  auto* subgraphLabelWidget = new QLabel(tr("&Subgraph:"), subgraphBar_);
  subgraphLabelWidget->setBuddy(subgraphs_);
  barLayout->addWidget(subgraphLabelWidget);
  barLayout->addWidget(subgraphs_);
  barLayout->addStretch(1);
  subgraphBar_->hide();

  auto* content = new QWidget(pages_);
  auto* contentLayout = new QVBoxLayout(content);
  contentLayout->addWidget(subgraphBar_);
  contentLayout->addWidget(table_);

  pages_->addWidget(welcome);
  pages_->addWidget(content);
  setCentralWidget(pages_);

  summary_->setObjectName(QStringLiteral("modelSummary"));
  summary_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  statusBar()->addWidget(summary_, 1);

  createMenus();

  setWindowTitle(tr("QuantScope"));
  resize(1000, 700);  // first run; restoreGeometry() wins afterwards
  const auto settings = openSettings();
  restoreGeometry(settings->value(kGeometryKey).toByteArray());
  restoreState(settings->value(kStateKey).toByteArray());
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
  QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
  quit->setShortcut(QKeySequence::Quit);
  quit->setMenuRole(QAction::QuitRole);
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
  QString summary;
  try {
    // The file system takes bytes; encodeName gives the ones the user's
    // locale maps this name to, as every other program on the system does.
    auto file = format::ModelFile::open(std::filesystem::path(QFile::encodeName(absolute).toStdString()));
    if (!file) return tl::unexpected(file.error());
    model = std::make_shared<const format::Model>(file->to_model());
    summary = summaryText(absolute, inspect::summarize(*file), *model);
  } catch (const std::bad_alloc&) {
    // Core reports every fault in the file as an Error; running out of
    // memory on a huge model is the one failure left to catch here.
    return fail(cat(absolute.toStdString(), ": not enough memory to open the model"));
  }

  // Everything that can fail has succeeded: only now replace the old model.
  path_ = absolute;
  model_ = std::move(model);
  {
    const QSignalBlocker blocker(subgraphs_);
    subgraphs_->clear();
    for (size_t i = 0; i < model_->subgraphs.size(); ++i) subgraphs_->addItem(subgraphLabel(*model_, i));
    subgraphs_->setCurrentIndex(model_->subgraphs.empty() ? -1 : 0);
  }
  subgraphBar_->setVisible(model_->subgraphs.size() > 1);
  showSubgraph(0);
  pages_->setCurrentIndex(1);
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
  QMessageBox::warning(this, tr("Could not open model"), message);
  return false;
}

void MainWindow::showSubgraph(int index) { table_->setModel(model_, index); }

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
