#pragma once
// The tensor table as a widget: a filter box over a sortable table. The
// filter matches any column, ignoring case, so "int8", "constant" or part of
// a name all narrow the list.

#include <QByteArray>
#include <QWidget>

#include <memory>

#include "format/model.h"

class QLineEdit;
class QSortFilterProxyModel;
class QTableView;

namespace qs::widgets {

class TensorTableModel;

class TensorTableView : public QWidget {
  Q_OBJECT

 public:
  explicit TensorTableView(QWidget* parent = nullptr);

  // Same contract as TensorTableModel::setModel; the filter text is kept.
  void setModel(std::shared_ptr<const format::Model> model, int subgraph);

  TensorTableModel* tableModel() const { return model_; }
  QSortFilterProxyModel* proxyModel() const { return proxy_; }
  QTableView* tableView() const { return view_; }
  QLineEdit* filterEdit() const { return filter_; }

  // Highlights tensor `tensor` of the shown subgraph (no signal).
  void selectTensor(int tensor);

  // The columns' widths, order and sort, for the window to keep between
  // runs. Widths fitted to a model's contents are fitted again for the
  // next model; once the user sets one by hand, the user's widths stay.
  QByteArray saveHeaderState() const;
  // False (changing nothing) for data that saveHeaderState did not make.
  bool restoreHeaderState(const QByteArray& state);
  // True once a column width was set by hand (or restored as such).
  bool columnWidthsChosen() const { return widthsChosen_; }

 signals:
  // The user clicked or activated a row.
  void tensorActivated(int subgraph, int tensor);

 private:
  void emitForRow(const QModelIndex& proxyIndex);
  void fitColumns();
  void onSectionResized(int logicalIndex);

  TensorTableModel* model_;
  QSortFilterProxyModel* proxy_;
  QLineEdit* filter_;
  QTableView* view_;
  bool fitting_ = false;  // our own resizing, not the user's
  bool widthsChosen_ = false;
};

}  // namespace qs::widgets
