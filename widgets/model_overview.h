#pragma once
// What `quantscope-cli info` reports, laid out for reading: the file, its
// description and metadata, parameters by element type and the op
// histogram (each a table beside a bar chart), every subgraph's inputs and
// outputs, and the signatures.

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

 signals:
  // An input or output row of a subgraph or signature table was clicked.
  void tensorActivated(int subgraph, int tensor);

 private:
  QTableWidget* ioTable(QWidget* parent);
  void clearSubgraphs();

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
};

}  // namespace qs::widgets
