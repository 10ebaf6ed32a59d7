#pragma once
// The tensors of one subgraph as a table: one row per tensor, in file order.
// Every cell is worked out once in setModel(), because views and sort/filter
// proxies ask for the same cells over and over while a large model scrolls.

#include <QAbstractTableModel>
#include <QString>

#include <cstdint>
#include <memory>
#include <vector>

#include "format/model.h"

namespace qs::widgets {

class TensorTableModel : public QAbstractTableModel {
  Q_OBJECT

 public:
  enum Column : int {
    IndexColumn,
    NameColumn,
    TypeColumn,
    ShapeColumn,
    KindColumn,
    BytesColumn,
    QuantizationColumn,
    ColumnCount
  };

  enum Role : int {
    // What to sort by: a qint64 for the index, the element count (shape) and
    // the constant bytes, so 900 sorts before 1000; the display text elsewhere.
    SortRole = Qt::UserRole + 1,
    // The tensor's index in its subgraph (an int), whatever the column; lets
    // a view behind a proxy find the tensor a row stands for.
    TensorIndexRole,
    // The Kind below (an int).
    KindRole,
  };

  // Tensors that are several things at once are shown as the first that
  // applies, in this order.
  enum class Kind : int { Input, Output, Variable, Constant, Activation };

  explicit TensorTableModel(QObject* parent = nullptr);

  // Shows subgraph `subgraph` of `model`; a null model or an index out of
  // range empties the table.
  void setModel(std::shared_ptr<const format::Model> model, int subgraph);
  void clear();

  const std::shared_ptr<const format::Model>& model() const { return model_; }
  int subgraph() const { return subgraph_; }

  static QString kindName(Kind kind);

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation,
                      int role = Qt::DisplayRole) const override;

 private:
  struct Row {
    QString name;
    QString type;
    QString shape;
    QString shape_tooltip;
    QString quantization;
    QString quantization_tooltip;
    Kind kind = Kind::Activation;
    qint64 elements = -1;  // -1: not known from the shape (dynamic or overflowing)
    qint64 bytes = 0;      // constant data only
  };

  std::shared_ptr<const format::Model> model_;
  int subgraph_ = -1;
  std::vector<Row> rows_;
};

}  // namespace qs::widgets
