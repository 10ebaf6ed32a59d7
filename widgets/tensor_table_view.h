#pragma once
// The tensor table as a widget: a filter box over a sortable table. The
// filter matches any column, ignoring case, so "int8", "constant" or part of
// a name all narrow the list.

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

 signals:
  // The user clicked or activated a row.
  void tensorActivated(int subgraph, int tensor);

 private:
  void emitForRow(const QModelIndex& proxyIndex);

  TensorTableModel* model_;
  QSortFilterProxyModel* proxy_;
  QLineEdit* filter_;
  QTableView* view_;
};

}  // namespace qs::widgets
