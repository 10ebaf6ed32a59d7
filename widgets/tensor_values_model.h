#pragma once
// The elements of a constant tensor as a table: the element's index in the
// tensor's shape, the stored value and, for quantized tensors, the real
// value. Decodes rows on demand, so a 100 M-element weight costs nothing
// until scrolled to.

#include <QAbstractTableModel>

#include <memory>
#include <optional>

#include "format/model.h"

namespace qs::widgets {

class TensorValuesModel : public QAbstractTableModel {
  Q_OBJECT

 public:
  enum Column { IndexColumn, StoredColumn, RealColumn, ColumnCount };

  explicit TensorValuesModel(QObject* parent = nullptr);

  // Shows `tensor`'s data (the model is kept alive). Tensors without dense
  // numeric data (no buffer, strings, sparse) give no rows.
  void setTensor(std::shared_ptr<const format::Model> model, const format::Tensor* tensor);
  void clear();
  bool hasRealColumn() const { return real_; }

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

 private:
  std::optional<double> stored(int row) const;
  std::optional<double> real(int row, double stored) const;
  QString indexText(int row) const;

  std::shared_ptr<const format::Model> model_;
  const format::Tensor* tensor_ = nullptr;
  int rows_ = 0;
  bool real_ = false;
};

}  // namespace qs::widgets
