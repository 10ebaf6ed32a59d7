#pragma once
// QuantScope's main window. One model is open at a time; opening another
// replaces it, and a file that fails to open leaves the current one in place.
//
// The graph is the centre (with the model overview as a second tab); the
// details panel docks on the right and the tensor and op tables at the
// bottom. Selecting an op or a tensor anywhere selects it everywhere: every
// view reports user selections through one place (selectOp/selectTensor),
// which updates the others without their signals echoing back.

#include <QMainWindow>
#include <QString>
#include <QStringList>

#include <memory>

#include "common/status.h"
#include "format/model.h"

class QAction;
class QComboBox;
class QDockWidget;
class QLabel;
class QMenu;
class QSettings;
class QStackedWidget;
class QTabWidget;

namespace qs::widgets {
class DetailsPanel;
class GraphFindBar;
class GraphView;
class ModelOverview;
class OpTableView;
class TensorTableView;
}  // namespace qs::widgets

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
  // openModel() for user actions: a failure is reported in a message box
  // that does not block (window-modal, served by the event loop), so a
  // model named on the command line can fail before the window is up.
  bool openModelOrWarn(const QString& path);

  // Absolute path of the open model; empty when none is.
  const QString& currentPath() const { return path_; }
  // Most recent first.
  static QStringList recentFiles();

  // The subgraph shown, -1 without a model.
  int currentSubgraph() const;
  // Shows subgraph `index` under its tensors' own names.
  void showSubgraph(int index);
  // Shows the subgraph of the signature `key`, its inputs and outputs under
  // the signature's names. False (changing nothing) without such a key.
  bool showSignature(const QString& key);
  // The key of the signature shown; empty when a plain subgraph is.
  QString currentSignature() const;

  // Writes the shown graph to `path`: SVG for a .svg name, PNG otherwise.
  // Reports success, and a PNG holding only part of the graph, in the
  // status bar; never shows a dialog.
  Status exportGraph(const QString& path);
  // Selects op `op` / tensor `tensor` of the shown subgraph in every view.
  void selectOp(int op);
  void selectTensor(int tensor);
  // Selects by what a user would type: a tensor name (exact, in the shown
  // subgraph first, then any subgraph), "#N" for op N, or an op type
  // (its first occurrence). Returns false when nothing matches.
  bool selectByName(const QString& name);

  widgets::GraphView* graphView() const { return graph_; }
  widgets::DetailsPanel* detailsPanel() const { return details_; }

 protected:
  void closeEvent(QCloseEvent* event) override;
  void dragEnterEvent(QDragEnterEvent* event) override;
  void dropEvent(QDropEvent* event) override;

 private:
  void createMenus();
  void createDocks();
  void connectSelection();
  void showOpenDialog();
  void showExportDialog(bool svg);
  // A warning box that does not block (see openModelOrWarn).
  void warn(const QString& title, const QString& message);
  // What the chooser lists: the subgraphs, then the signatures.
  void fillChooser();
  void onChooserChanged(int row);
  // Shows `subgraph`, with signature `signature`'s names when >= 0.
  void showEntry(int subgraph, int signature);
  void rebuildRecentMenu();
  void setRecentFiles(const QStringList& files);
  // Selection arriving from a view: follow it into `subgraph` first.
  void onOpSelected(int subgraph, int op);
  void onTensorSelected(int subgraph, int tensor);

  QString path_;
  std::shared_ptr<const format::Model> model_;

  QStackedWidget* pages_;
  QComboBox* subgraphs_;  // subgraphs and signatures
  QLabel* chooserLabel_;
  QWidget* subgraphBar_;
  QTabWidget* centreTabs_;
  widgets::GraphView* graph_;
  widgets::GraphFindBar* findBar_;
  widgets::ModelOverview* overview_;
  widgets::DetailsPanel* details_;
  widgets::TensorTableView* table_;
  widgets::OpTableView* opTable_;
  QTabWidget* tableTabs_;
  QDockWidget* detailsDock_ = nullptr;
  QDockWidget* tablesDock_ = nullptr;
  QLabel* summary_;
  QMenu* recentMenu_ = nullptr;
  QAction* exportPng_ = nullptr;
  QAction* exportSvg_ = nullptr;
};

}  // namespace qs::app
