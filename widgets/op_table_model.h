#pragma once
// The operators of one subgraph as a table: one row per op, in execution
// order. Like TensorTableModel, every cell is worked out once in setModel().

#include <QAbstractTableModel>
#include <QString>

#include <cstdint>
#include <memory>
#include <vector>

#include "format/model.h"

namespace qs::widgets {

class OpTableModel : public QAbstractTableModel {
  Q_OBJECT

 public:
  enum Column : int {
    IndexColumn,
    TypeColumn,         // "CONV_2D", "CUSTOM:TFLite_Detection_PostProcess"
    VersionColumn,
    InputsColumn,       // inputs present (omitted optional ones not counted)
    OutputsColumn,
    OutputShapeColumn,  // "[1,64,64,8]"; several outputs joined with "; "
    OutputTypeColumn,   // "INT8"; distinct types of several outputs joined with ", "
    ActivationColumn,   // fused activation ("RELU6"), empty for none
    ParametersColumn,   // elements of the op's constant inputs
    ColumnCount
  };

  enum Role : int {
    // What to sort by: a qint64 for the index, version, counts, the first
    // output's element count (shape) and the parameters; the text elsewhere.
    SortRole = Qt::UserRole + 1,
    // The op's index in its subgraph (an int), whatever the column.
    OpIndexRole,
  };

  explicit OpTableModel(QObject* parent = nullptr);

  // Shows subgraph `subgraph` of `model`; a null model or an index out of
  // range empties the table.
  void setModel(std::shared_ptr<const format::Model> model, int subgraph);
  void clear();

  const std::shared_ptr<const format::Model>& model() const { return model_; }
  int subgraph() const { return subgraph_; }

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation,
                      int role = Qt::DisplayRole) const override;

 private:
  struct Row {
    QString type;
    int version = 1;
    int inputs = 0;
    int outputs = 0;
    QString output_shape;
    QString output_type;
    QString activation;
    qint64 parameters = 0;
    qint64 output_elements = -1;  // of the first output; -1 when not fixed
    QString inputs_tooltip;
    QString outputs_tooltip;
    QString type_tooltip;
  };

  std::shared_ptr<const format::Model> model_;
  int subgraph_ = -1;
  std::vector<Row> rows_;
};

}  // namespace qs::widgets
