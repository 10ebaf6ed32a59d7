#pragma once
// QuantScope's main window. One model is open at a time; opening another
// replaces it, and a file that fails to open leaves the current one in place.

#include <QMainWindow>
#include <QString>
#include <QStringList>

#include <memory>

#include "common/status.h"
#include "format/model.h"

class QComboBox;
class QLabel;
class QMenu;
class QSettings;
class QStackedWidget;

namespace qs::widgets {
class TensorTableView;
}

namespace qs::app {

// Settings of the GUI. $QS_SETTINGS_DIR, when set, holds them in an INI file
// there instead of the user's configuration, so tests and throwaway runs
// never read or write $HOME.
std::unique_ptr<QSettings> openSettings();

class MainWindow : public QMainWindow {
  Q_OBJECT

 public:
  static constexpr int kMaxRecentFiles = 10;

  explicit MainWindow(QWidget* parent = nullptr);
  ~MainWindow() override;

  // Opens `path` in place of the current model. On failure returns the
  // one-line reason (naming the file) and changes nothing. Never shows a
  // dialog, so scripts and tests can call it.
  Status openModel(const QString& path);
  // openModel() for user actions: a failure is reported in a message box.
  bool openModelOrWarn(const QString& path);

  // Absolute path of the open model; empty when none is.
  const QString& currentPath() const { return path_; }
  // Most recent first.
  static QStringList recentFiles();

 protected:
  void closeEvent(QCloseEvent* event) override;
  void dragEnterEvent(QDragEnterEvent* event) override;
  void dropEvent(QDropEvent* event) override;

 private:
  void createMenus();
  void showOpenDialog();
  void rebuildRecentMenu();
  void setRecentFiles(const QStringList& files);
  void showSubgraph(int index);

  QString path_;
  std::shared_ptr<const format::Model> model_;

  QStackedWidget* pages_;
  QComboBox* subgraphs_;
  QWidget* subgraphBar_;
  widgets::TensorTableView* table_;
  QLabel* summary_;
  QMenu* recentMenu_ = nullptr;
};

}  // namespace qs::app
