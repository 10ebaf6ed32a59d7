#pragma once
// The op table as a widget: a filter box over a sortable table, like
// TensorTableView. The filter matches any column, ignoring case ("conv",
// "relu6", "int8"). Activating a row (click, Enter) emits opActivated.

#include <QByteArray>
#include <QWidget>

#include <memory>

#include "format/model.h"

class QLineEdit;
class QSortFilterProxyModel;
class QTableView;

namespace qs::widgets {

class OpTableModel;

class OpTableView : public QWidget {
  Q_OBJECT

 public:
  explicit OpTableView(QWidget* parent = nullptr);

  // Same contract as OpTableModel::setModel; the filter text is kept.
  void setModel(std::shared_ptr<const format::Model> model, int subgraph);

  OpTableModel* tableModel() const { return model_; }
  QSortFilterProxyModel* proxyModel() const { return proxy_; }
  QTableView* tableView() const { return view_; }
  QLineEdit* filterEdit() const { return filter_; }

  // Highlights op `op` of the shown subgraph (no signal).
  void selectOp(int op);

  // The columns' widths, order and sort, for the window to keep between
  // runs. Widths fitted to a model's contents are fitted again for the
  // next model; once the user sets one by hand, the user's widths stay.
  QByteArray saveHeaderState() const;
  // False (changing nothing) for data that saveHeaderState did not make.
  bool restoreHeaderState(const QByteArray& state);
  // True once a column width was set by hand (or restored as such).
  bool columnWidthsChosen() const { return widthsChosen_; }

 signals:
  void opActivated(int subgraph, int op);

 private:
  void emitForRow(const QModelIndex& proxyIndex);
  void fitColumns();
  void onSectionResized(int logicalIndex);

  OpTableModel* model_;
  QSortFilterProxyModel* proxy_;
  QLineEdit* filter_;
  QTableView* view_;
  bool fitting_ = false;  // our own resizing, not the user's
  bool widthsChosen_ = false;
};

}  // namespace qs::widgets
