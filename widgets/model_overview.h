#pragma once
// What `quantscope-cli info` reports, laid out for reading: the file, its
// description and metadata, parameters by element type and the op
// histogram (each a table beside a bar chart), every subgraph's inputs and
// outputs, the signatures, and the decoded TFLite Metadata (model name,
// licence, what each input and output holds and how to normalise it).

#include <QWidget>

#include "inspect/model_info.h"

class QCustomPlot;
class QLabel;
class QTableWidget;
class QVBoxLayout;

namespace qs::widgets {

class ModelOverview : public QWidget {
  Q_OBJECT

 public:
  explicit ModelOverview(QWidget* parent = nullptr);

  void setInfo(const inspect::ModelInfo& info);
  void clear();

  // Parts, for tests.
  QLabel* titleLabel() const { return title_; }
  QLabel* summaryLabel() const { return summary_; }
  QTableWidget* parametersTable() const { return params_table_; }
  QCustomPlot* parametersPlot() const { return params_plot_; }
  QTableWidget* operatorsTable() const { return ops_table_; }
  QCustomPlot* operatorsPlot() const { return ops_plot_; }
  QTableWidget* metadataTable() const { return metadata_table_; }
  QTableWidget* signaturesTable() const { return signatures_table_; }
  // One table of inputs and outputs per subgraph, in order.
  const QList<QTableWidget*>& subgraphTables() const { return subgraph_tables_; }
  // The decoded TFLITE_METADATA entry: the model's facts (or why it could
  // not be decoded), then one table of tensor metadata per subgraph (the
  // tensors' descriptions wrap beneath it, in a label named
  // "tensorDescriptions<subgraph>").
  QLabel* modelMetadataLabel() const { return model_metadata_; }
  const QList<QTableWidget*>& tensorMetadataTables() const { return tensor_metadata_tables_; }

 signals:
  // An input or output row of a subgraph or signature table was clicked.
  void tensorActivated(int subgraph, int tensor);

 private:
  QTableWidget* ioTable(QWidget* parent);
  // Clicking a row whose item carries a tensor index (Qt::UserRole) and its
  // subgraph (Qt::UserRole + 1) emits tensorActivated.
  void emitTensorOnClick(QTableWidget* table);
  void clearSubgraphs();
  void clearTfliteMetadata();
  void showTfliteMetadata(const inspect::ModelInfo& info);

  QLabel* title_;
  QLabel* path_;
  QLabel* summary_;
  QLabel* description_;
  QLabel* params_heading_;
  QTableWidget* params_table_;
  QCustomPlot* params_plot_;
  QLabel* ops_heading_;
  QTableWidget* ops_table_;
  QCustomPlot* ops_plot_;
  QLabel* metadata_heading_;
  QTableWidget* metadata_table_;
  QLabel* subgraphs_heading_;
  QVBoxLayout* subgraphs_layout_;
  QList<QTableWidget*> subgraph_tables_;
  QLabel* signatures_heading_;
  QTableWidget* signatures_table_;
  QLabel* model_metadata_heading_;
  QLabel* model_metadata_;
  QVBoxLayout* tensor_metadata_layout_;
  QList<QTableWidget*> tensor_metadata_tables_;
};

}  // namespace qs::widgets
