#pragma once
// The details of whatever is selected in the model: an operator (type,
// version, decoded options, input and output tensors) or a tensor (shape,
// type, buffer, producer and consumers, quantization parameters, and for
// constant data its statistics with a histogram and, for weights quantized
// per channel, each channel's range).
//
// Statistics of tensors above kBackgroundElements are computed on a worker
// thread while the panel says "computing…"; a result that arrives after the
// selection moved on is dropped.

#include <QAbstractTableModel>
#include <QWidget>

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "format/model.h"
#include "inspect/tensor_stats.h"

class QFormLayout;
class QLabel;
class QStackedWidget;
class QTabWidget;
class QTableView;
class QTableWidget;
class QToolButton;
class QVBoxLayout;
class QCustomPlot;

namespace qs::widgets {

class TensorValuesModel;

// A tensor's quantization parameters, one row per channel (one row when
// quantized per tensor): scale, zero point, the recorded float range if any
// and, once statistics are known, the range the channel's data really uses.
class QuantizationTableModel : public QAbstractTableModel {
  Q_OBJECT

 public:
  enum Column : int {
    ChannelColumn,
    ScaleColumn,
    ZeroPointColumn,
    MinColumn,       // recorded in the file (calibration range)
    MaxColumn,
    DataMinColumn,   // of the dequantized data (from statistics)
    DataMaxColumn,
    ColumnCount
  };
  // A double for numeric columns (channel, scale, zero point, ranges).
  static constexpr int SortRole = Qt::UserRole + 1;

  explicit QuantizationTableModel(QObject* parent = nullptr);

  void setQuantization(const std::optional<format::Quantization>& quantization);
  // Per-channel data ranges from TensorStats::channels (empty: unknown).
  void setChannelRanges(std::vector<inspect::ChannelRange> ranges);
  void clear();

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

 private:
  format::Quantization q_;
  int rows_ = 0;
  std::vector<inspect::ChannelRange> ranges_;
};

class DetailsPanel : public QWidget {
  Q_OBJECT

 public:
  // Tensors with more elements than this get their statistics off the GUI
  // thread.
  static constexpr uint64_t kBackgroundElements = 1'000'000;

  enum class Page { Empty, Op, Tensor };

  explicit DetailsPanel(QWidget* parent = nullptr);
  ~DetailsPanel() override;

  // The model the indices below refer to; clears what is shown.
  void setModel(std::shared_ptr<const format::Model> model);
  // Out-of-range indices show the empty page.
  void showOp(int subgraph, int op);
  void showTensor(int subgraph, int tensor);
  void clear();

  Page page() const { return page_; }
  int shownSubgraph() const { return subgraph_; }
  int shownIndex() const { return index_; }  // op or tensor index; -1 when empty
  // True while statistics of the shown tensor are being computed.
  bool statsPending() const { return pending_; }
  // Statistics of the shown tensor, once known (null otherwise or on error).
  const inspect::TensorStats* stats() const { return stats_ ? &*stats_ : nullptr; }

  // Parts, for tests and for the window to arrange.
  QTableWidget* optionsTable() const { return options_table_; }
  QTableWidget* inputsTable() const { return inputs_table_; }
  QTableWidget* outputsTable() const { return outputs_table_; }
  QTableView* quantizationTable() const { return quant_view_; }
  QuantizationTableModel* quantizationModel() const { return quant_model_; }
  QCustomPlot* histogramPlot() const { return histogram_plot_; }
  QCustomPlot* storedHistogramPlot() const { return stored_plot_; }
  QCustomPlot* channelPlot() const { return channel_plot_; }
  QTabWidget* plotTabs() const { return plot_tabs_; }

 signals:
  // A tensor row of the op page (input, output, intermediate) was clicked.
  void tensorActivated(int subgraph, int tensor);
  // A producer or consumer link of the tensor page was clicked.
  void opActivated(int subgraph, int op);
  // The statistics part of the tensor page is final: figures and plots, an
  // error, or the note that the tensor has no constant data. Emitted within
  // showTensor() for small tensors, later for large ones.
  void statsShown();

 private:
  struct GraphIndex;
  using StatsResult = Result<inspect::TensorStats>;

  void buildOpPage();
  void buildTensorPage();
  void fillOp(int subgraph, int op);
  void fillTensor(int subgraph, int tensor);
  void fillTensorTable(QTableWidget* table, int subgraph, const format::Operator& op,
                       const std::vector<int32_t>& tensors, int which);
  void startStats(int subgraph, int tensor);
  void showStats(const StatsResult& result);
  void resetStatsView();
  void clearPlotTabs();
  const GraphIndex& graphIndex(int subgraph);
  void onLink(const QString& link);

  std::shared_ptr<const format::Model> model_;
  std::vector<std::unique_ptr<GraphIndex>> graph_index_;
  Page page_ = Page::Empty;
  int subgraph_ = -1;
  int index_ = -1;
  quint64 job_ = 0;  // bumped whenever the selection changes
  bool pending_ = false;
  std::optional<inspect::TensorStats> stats_;

  QStackedWidget* stack_ = nullptr;
  QLabel* empty_label_ = nullptr;

  // Op page.
  QLabel* op_title_ = nullptr;
  QLabel* op_subtitle_ = nullptr;
  QLabel* options_caption_ = nullptr;
  QTableWidget* options_table_ = nullptr;
  QLabel* custom_caption_ = nullptr;
  QLabel* inputs_caption_ = nullptr;
  QTableWidget* inputs_table_ = nullptr;
  QLabel* outputs_caption_ = nullptr;
  QTableWidget* outputs_table_ = nullptr;
  QLabel* intermediates_caption_ = nullptr;
  QTableWidget* intermediates_table_ = nullptr;

  // Tensor page.
  QLabel* tensor_title_ = nullptr;
  QToolButton* copy_name_ = nullptr;
  QLabel* tensor_subtitle_ = nullptr;
  QFormLayout* properties_ = nullptr;
  QLabel* prop_type_ = nullptr;
  QLabel* prop_shape_ = nullptr;
  QLabel* prop_signature_ = nullptr;
  QLabel* prop_elements_ = nullptr;
  QLabel* prop_buffer_ = nullptr;
  QLabel* prop_kind_ = nullptr;
  QLabel* prop_signature_names_ = nullptr;  // the tensor's aliases in signatures
  QLabel* prop_sparsity_ = nullptr;
  QLabel* producer_label_ = nullptr;
  QLabel* consumers_label_ = nullptr;
  QLabel* quant_heading_ = nullptr;
  QLabel* quant_summary_ = nullptr;
  QTableView* quant_view_ = nullptr;
  QuantizationTableModel* quant_model_ = nullptr;
  QLabel* stats_heading_ = nullptr;
  QLabel* stats_status_ = nullptr;
  QTableWidget* stats_table_ = nullptr;
  QTabWidget* plot_tabs_ = nullptr;
  QCustomPlot* histogram_plot_ = nullptr;
  QCustomPlot* stored_plot_ = nullptr;
  QCustomPlot* channel_plot_ = nullptr;
  QTableView* values_view_ = nullptr;
  TensorValuesModel* values_model_ = nullptr;
  QString tensor_name_;
};

}  // namespace qs::widgets
