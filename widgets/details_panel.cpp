#include "widgets/details_panel.h"

#include <QApplication>
#include <QClipboard>
#include <QFormLayout>
#include <QFutureWatcher>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QScrollArea>
#include <QStackedWidget>
#include <QStringList>
#include <QTabWidget>
#include <QTableView>
#include <QTableWidget>
#include <QToolButton>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include <qcustomplot.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "format/tensor_type.h"
#include "widgets/op_options_text.h"
#include "widgets/panel_style.h"
#include "widgets/tensor_table_model.h"
#include "widgets/tensor_values_model.h"

namespace qs::widgets {

namespace {

// Channels listed before the quantization table scrolls.
constexpr int kQuantRows = 8;

QString qstr(const std::string& s) { return QString::fromStdString(s); }

QString shapeText(const std::vector<int32_t>& shape) { return qstr(format::shape_string(shape)); }

// One line: "scale 0.0078125, zero point 128", "8 channels along dimension 0", ...
QString quantizationSummary(const std::optional<format::Quantization>& q) {
  if (!q) return {};
  if (q->per_channel())
    return QObject::tr("%1 channels along dimension %2").arg(q->scale.size()).arg(q->quantized_dimension);
  if (q->has_scale()) {
    QString text = QObject::tr("scale %1").arg(style::floatText(q->scale.front()));
    if (!q->zero_point.empty()) text += QObject::tr(", zero point %1").arg(q->zero_point.front());
    return text;
  }
  if (q->min.size() == 1 && q->max.size() == 1)
    return QObject::tr("range [%1, %2]").arg(style::floatText(q->min.front()), style::floatText(q->max.front()));
  if (!q->min.empty() || !q->max.empty())
    return QObject::tr("%1 channel ranges (dimension %2)")
        .arg(std::max(q->min.size(), q->max.size()))
        .arg(q->quantized_dimension);
  if (q->details) return QObject::tr("custom scheme (blockwise or other details)");
  return {};
}

// The same, short, for table cells: "0.0078125 · (q − 128)" is the formula
// real = scale · (q − zero point) itself.
QString compactQuantization(const std::optional<format::Quantization>& q) {
  if (!q) return {};
  if (q->has_scale() && !q->per_channel()) {
    const QString scale = style::floatText(q->scale.front());
    const int64_t zp = q->zero_point.empty() ? 0 : q->zero_point.front();
    if (zp == 0) return QStringLiteral("%1 · q").arg(scale);
    if (zp < 0) return QStringLiteral("%1 · (q + %2)").arg(scale).arg(-zp);
    return QStringLiteral("%1 · (q − %2)").arg(scale).arg(zp);
  }
  if (q->per_channel()) return QObject::tr("%1 channels (dim %2)").arg(q->scale.size()).arg(q->quantized_dimension);
  return quantizationSummary(q);
}

// The integer range a quantized type can store; nothing for wide types,
// whose range would dwarf the data in a plot.
std::optional<std::pair<double, double>> storableRange(format::TensorType type) {
  using T = format::TensorType;
  switch (type) {
    case T::INT8: return std::pair{-128.0, 127.0};
    case T::UINT8: return std::pair{0.0, 255.0};
    case T::INT16: return std::pair{-32768.0, 32767.0};
    case T::UINT16: return std::pair{0.0, 65535.0};
    case T::INT4: return std::pair{-8.0, 7.0};
    case T::UINT4: return std::pair{0.0, 15.0};
    case T::INT2: return std::pair{-2.0, 1.0};
    default: return std::nullopt;
  }
}

QTableWidgetItem* item(const QString& text, const QString& tooltip = {}) {
  auto* it = new QTableWidgetItem(text);
  if (!tooltip.isEmpty()) it->setToolTip(tooltip);
  return it;
}

QTableWidgetItem* numberItem(const QString& text) {
  auto* it = item(text);
  it->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
  return it;
}

QLabel* valueLabel(QWidget* parent) {
  auto* label = new QLabel(parent);
  label->setTextInteractionFlags(Qt::TextSelectableByMouse);
  label->setWordWrap(true);
  return label;
}

QCustomPlot* makePlot(QWidget* parent, const QString& objectName) {
  auto* plot = new QCustomPlot(parent);
  plot->setObjectName(objectName);
  style::stylePlot(plot);
  plot->setMinimumHeight(240);
  plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
  plot->axisRect()->setRangeDrag(Qt::Horizontal);
  plot->axisRect()->setRangeZoom(Qt::Horizontal);
  return plot;
}

void drawHistogram(QCustomPlot* plot, const inspect::Histogram& h, const QString& xLabel) {
  plot->clearPlottables();
  plot->clearItems();
  if (h.counts.empty()) {
    plot->replot();
    return;
  }
  QVector<double> keys, values;
  keys.reserve(static_cast<qsizetype>(h.counts.size()));
  values.reserve(static_cast<qsizetype>(h.counts.size()));
  double width = h.width;
  if (width <= 0) width = std::max(std::abs(h.lo) * 0.02, 1e-6);  // every value equal: one slim bar
  double top = 0;
  for (size_t i = 0; i < h.counts.size(); ++i) {
    keys << (h.width > 0 ? h.bin_lo(i) + width / 2 : h.lo);
    values << static_cast<double>(h.counts[i]);
    top = std::max(top, static_cast<double>(h.counts[i]));
  }
  auto* bars = new QCPBars(plot->xAxis, plot->yAxis);
  bars->setWidth(width);
  bars->setData(keys, values, true);
  QColor fill = style::accent();
  fill.setAlphaF(0.78f);
  bars->setBrush(fill);
  bars->setPen(Qt::NoPen);
  if (h.counts.size() <= 48) bars->setPen(QPen(style::accent().darker(130), 1));  // few wide bars: outline them

  plot->xAxis->setLabel(xLabel);
  plot->yAxis->setLabel(QObject::tr("elements"));
  const double lo = h.width > 0 ? h.lo : h.lo - 2 * width;
  const double hi = h.width > 0 ? h.hi() : h.lo + 2 * width;
  const double pad = (hi - lo) * 0.02;
  plot->xAxis->setRange(lo - pad, hi + pad);
  plot->yAxis->setRange(0, top > 0 ? top * 1.08 : 1);
  plot->replot();
}

}  // namespace

// QuantizationTableModel -------------------------------------------------------

QuantizationTableModel::QuantizationTableModel(QObject* parent) : QAbstractTableModel(parent) {}

void QuantizationTableModel::setQuantization(const std::optional<format::Quantization>& quantization) {
  beginResetModel();
  q_ = quantization.value_or(format::Quantization{});
  ranges_.clear();
  rows_ = static_cast<int>(std::max({q_.scale.size(), q_.zero_point.size(), q_.min.size(), q_.max.size()}));
  endResetModel();
}

void QuantizationTableModel::setChannelRanges(std::vector<inspect::ChannelRange> ranges) {
  ranges_ = std::move(ranges);
  if (rows_ > 0) emit dataChanged(index(0, DataMinColumn), index(rows_ - 1, DataMaxColumn));
}

void QuantizationTableModel::clear() { setQuantization(std::nullopt); }

int QuantizationTableModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : rows_; }

int QuantizationTableModel::columnCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : ColumnCount;
}

QVariant QuantizationTableModel::data(const QModelIndex& index, int role) const {
  if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) return {};
  const auto row = static_cast<size_t>(index.row());
  // A per-tensor value (one entry) applies to every row.
  const auto pick = [row](const auto& values) -> std::optional<double> {
    if (values.empty()) return std::nullopt;
    return static_cast<double>(values.size() == 1 ? values.front() : row < values.size() ? values[row] : values.back());
  };
  std::optional<double> value;
  switch (index.column()) {
    case ChannelColumn: value = static_cast<double>(row); break;
    case ScaleColumn: value = pick(q_.scale); break;
    case ZeroPointColumn: value = pick(q_.zero_point); break;
    case MinColumn: value = pick(q_.min); break;
    case MaxColumn: value = pick(q_.max); break;
    case DataMinColumn:
      if (row < ranges_.size() && !std::isnan(ranges_[row].min)) value = ranges_[row].min;
      break;
    case DataMaxColumn:
      if (row < ranges_.size() && !std::isnan(ranges_[row].max)) value = ranges_[row].max;
      break;
    default: break;
  }
  switch (role) {
    case Qt::DisplayRole:
      if (!value) return {};
      switch (index.column()) {
        case ChannelColumn:
        case ZeroPointColumn: return QString::number(static_cast<qlonglong>(*value));
        case ScaleColumn:
        case MinColumn:
        case MaxColumn: return style::floatText(static_cast<float>(*value));
        default: return style::number(*value);
      }
    case SortRole: return value ? QVariant(*value) : QVariant();
    case Qt::TextAlignmentRole: return QVariant::fromValue(Qt::Alignment(Qt::AlignRight | Qt::AlignVCenter));
    default: return {};
  }
}

QVariant QuantizationTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount)
    return QAbstractTableModel::headerData(section, orientation, role);
  if (role == Qt::DisplayRole) {
    switch (section) {
      case ChannelColumn: return tr("Channel");
      case ScaleColumn: return tr("Scale");
      case ZeroPointColumn: return tr("Zero point");
      case MinColumn: return tr("Min");
      case MaxColumn: return tr("Max");
      case DataMinColumn: return tr("Data min");
      case DataMaxColumn: return tr("Data max");
      default: return {};
    }
  }
  if (role == Qt::ToolTipRole) {
    switch (section) {
      case MinColumn:
      case MaxColumn: return tr("Float range recorded in the file (calibration)");
      case DataMinColumn:
      case DataMaxColumn: return tr("Range of the dequantized constant data of this channel");
      default: return {};
    }
  }
  return {};
}

// DetailsPanel -----------------------------------------------------------------

struct DetailsPanel::GraphIndex {
  std::vector<int> producer;               // per tensor: op index, -1 for none
  std::vector<std::vector<int>> consumers;  // per tensor: op indices, in order
};

DetailsPanel::DetailsPanel(QWidget* parent) : QWidget(parent) {
  setObjectName(QStringLiteral("detailsPanel"));
  stack_ = new QStackedWidget(this);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(stack_);

  empty_label_ = style::note(this);
  empty_label_->setText(tr("Select an op or a tensor to see its details."));
  empty_label_->setAlignment(Qt::AlignCenter);
  stack_->addWidget(empty_label_);
  buildOpPage();
  buildTensorPage();
  stack_->setCurrentIndex(0);
}

DetailsPanel::~DetailsPanel() = default;

namespace {

// A page that scrolls as a whole; returns the layout to fill.
QVBoxLayout* scrollPage(QStackedWidget* stack, const QString& objectName) {
  auto* scroll = new QScrollArea(stack);
  scroll->setObjectName(objectName);
  scroll->setWidgetResizable(true);
  scroll->setFrameShape(QFrame::NoFrame);
  auto* content = new QWidget(scroll);
  auto* layout = new QVBoxLayout(content);
  layout->setContentsMargins(14, 12, 14, 14);
  layout->setSpacing(6);
  scroll->setWidget(content);
  stack->addWidget(scroll);
  return layout;
}

}  // namespace

void DetailsPanel::buildOpPage() {
  QVBoxLayout* layout = scrollPage(stack_, QStringLiteral("opPage"));
  QWidget* content = layout->parentWidget();

  op_title_ = style::title(content);
  op_title_->setObjectName(QStringLiteral("opTitle"));
  op_title_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  op_subtitle_ = style::subtitle(content);
  op_subtitle_->setObjectName(QStringLiteral("opSubtitle"));
  layout->addWidget(op_title_);
  layout->addWidget(op_subtitle_);

  layout->addWidget(style::heading(tr("Attributes"), content));
  options_caption_ = style::note(content);
  options_caption_->setObjectName(QStringLiteral("optionsCaption"));
  layout->addWidget(options_caption_);
  custom_caption_ = style::note(content);
  custom_caption_->setObjectName(QStringLiteral("customOptionsCaption"));
  layout->addWidget(custom_caption_);
  options_table_ = style::table(2, content);
  options_table_->setObjectName(QStringLiteral("optionsTable"));
  options_table_->setHorizontalHeaderLabels({tr("Name"), tr("Value")});
  layout->addWidget(options_table_);

  const QStringList tensorColumns{tr("Slot"), tr("#"), tr("Name"), tr("Type"), tr("Shape"), tr("Quantization"),
                                  tr("Kind")};
  const auto makeTensorTable = [&](const QString& name) {
    auto* table = style::table(static_cast<int>(tensorColumns.size()), content);
    table->setObjectName(name);
    table->setHorizontalHeaderLabels(tensorColumns);
    table->setCursor(Qt::PointingHandCursor);
    table->setToolTip(tr("Click a row to show that tensor"));
    style::alignHeaderRight(table, 1);
    table->horizontalHeaderItem(5)->setToolTip(tr("real = scale · (q − zero point)"));
    // Click or Enter on a row shows the tensor.
    const auto activate = [this, table](int row) {
      const QTableWidgetItem* it = table->item(row, 1);
      if (it == nullptr) return;
      const int tensor = it->data(Qt::UserRole).toInt();
      if (tensor >= 0) emit tensorActivated(subgraph_, tensor);
    };
    connect(table, &QTableWidget::cellClicked, this, [activate](int row, int) { activate(row); });
    connect(table, &QTableWidget::itemActivated, this, [activate](QTableWidgetItem* it) { activate(it->row()); });
    return table;
  };
  inputs_caption_ = style::heading(tr("Inputs"), content);
  layout->addWidget(inputs_caption_);
  inputs_table_ = makeTensorTable(QStringLiteral("inputsTable"));
  layout->addWidget(inputs_table_);
  outputs_caption_ = style::heading(tr("Outputs"), content);
  layout->addWidget(outputs_caption_);
  outputs_table_ = makeTensorTable(QStringLiteral("outputsTable"));
  layout->addWidget(outputs_table_);
  intermediates_caption_ = style::heading(tr("Intermediates"), content);
  layout->addWidget(intermediates_caption_);
  intermediates_table_ = makeTensorTable(QStringLiteral("intermediatesTable"));
  layout->addWidget(intermediates_table_);
  layout->addStretch(1);
}

void DetailsPanel::buildTensorPage() {
  QVBoxLayout* layout = scrollPage(stack_, QStringLiteral("tensorPage"));
  QWidget* content = layout->parentWidget();

  auto* titleRow = new QHBoxLayout();
  tensor_title_ = style::title(content);
  tensor_title_->setObjectName(QStringLiteral("tensorTitle"));
  copy_name_ = new QToolButton(content);
  copy_name_->setObjectName(QStringLiteral("copyTensorName"));
  copy_name_->setText(tr("Copy name"));
  copy_name_->setToolButtonStyle(Qt::ToolButtonTextOnly);
  copy_name_->setAutoRaise(true);
  connect(copy_name_, &QToolButton::clicked, this,
          [this] { QApplication::clipboard()->setText(tensor_name_); });
  titleRow->addWidget(tensor_title_, 1);
  titleRow->addWidget(copy_name_, 0, Qt::AlignTop);
  layout->addLayout(titleRow);
  tensor_subtitle_ = style::subtitle(content);
  tensor_subtitle_->setObjectName(QStringLiteral("tensorSubtitle"));
  layout->addWidget(tensor_subtitle_);

  layout->addWidget(style::heading(tr("Properties"), content));
  properties_ = new QFormLayout();
  properties_->setLabelAlignment(Qt::AlignLeft);
  properties_->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
  properties_->setHorizontalSpacing(16);
  properties_->setVerticalSpacing(4);
  const auto addRow = [&](const QString& label, const QString& name) {
    QLabel* value = valueLabel(content);
    value->setObjectName(name);
    QLabel* key = style::subtitle(content);
    key->setText(label);
    properties_->addRow(key, value);
    return value;
  };
  prop_type_ = addRow(tr("Type"), QStringLiteral("propType"));
  prop_shape_ = addRow(tr("Shape"), QStringLiteral("propShape"));
  prop_signature_ = addRow(tr("Shape signature"), QStringLiteral("propSignature"));
  prop_elements_ = addRow(tr("Elements"), QStringLiteral("propElements"));
  prop_buffer_ = addRow(tr("Buffer"), QStringLiteral("propBuffer"));
  prop_kind_ = addRow(tr("Kind"), QStringLiteral("propKind"));
  prop_signature_names_ = addRow(tr("Signature"), QStringLiteral("propSignatureNames"));
  prop_signature_names_->setTextFormat(Qt::PlainText);  // aliases are the converter's strings
  prop_sparsity_ = addRow(tr("Sparsity"), QStringLiteral("propSparsity"));
  producer_label_ = addRow(tr("Produced by"), QStringLiteral("producerLabel"));
  consumers_label_ = addRow(tr("Consumed by"), QStringLiteral("consumersLabel"));
  for (QLabel* link : {producer_label_, consumers_label_}) {
    link->setTextFormat(Qt::RichText);
    link->setTextInteractionFlags(Qt::LinksAccessibleByMouse | Qt::LinksAccessibleByKeyboard);
    connect(link, &QLabel::linkActivated, this, &DetailsPanel::onLink);
  }
  layout->addLayout(properties_);

  quant_heading_ = style::heading(tr("Quantization"), content);
  layout->addWidget(quant_heading_);
  quant_summary_ = valueLabel(content);
  quant_summary_->setObjectName(QStringLiteral("quantizationSummary"));
  layout->addWidget(quant_summary_);
  quant_model_ = new QuantizationTableModel(this);
  quant_view_ = new QTableView(content);
  quant_view_->setObjectName(QStringLiteral("quantizationTable"));
  quant_view_->setModel(quant_model_);
  style::setUpTable(quant_view_);
  quant_view_->horizontalHeader()->setDefaultAlignment(Qt::AlignRight | Qt::AlignVCenter);
  layout->addWidget(quant_view_);

  stats_heading_ = style::heading(tr("Statistics"), content);
  layout->addWidget(stats_heading_);
  stats_status_ = style::note(content);
  stats_status_->setObjectName(QStringLiteral("statsStatus"));
  layout->addWidget(stats_status_);
  stats_table_ = style::table(3, content);
  stats_table_->setObjectName(QStringLiteral("statsTable"));
  stats_table_->setHorizontalHeaderLabels({tr("Statistic"), tr("Stored values"), tr("Real values")});
  stats_table_->setSelectionMode(QAbstractItemView::NoSelection);
  style::alignHeaderRight(stats_table_, 1);
  style::alignHeaderRight(stats_table_, 2);
  stats_table_->setFocusPolicy(Qt::NoFocus);
  layout->addWidget(stats_table_);

  plot_tabs_ = new QTabWidget(content);
  plot_tabs_->setObjectName(QStringLiteral("plotTabs"));
  plot_tabs_->setDocumentMode(true);
  histogram_plot_ = makePlot(plot_tabs_, QStringLiteral("histogramPlot"));
  stored_plot_ = makePlot(plot_tabs_, QStringLiteral("storedHistogramPlot"));
  channel_plot_ = makePlot(plot_tabs_, QStringLiteral("channelPlot"));
  // The raw elements, as Netron lists them, decoded as the rows scroll by.
  values_model_ = new TensorValuesModel(this);
  values_view_ = new QTableView(plot_tabs_);
  values_view_->setObjectName(QStringLiteral("valuesTable"));
  values_view_->setModel(values_model_);
  values_view_->verticalHeader()->hide();
  values_view_->verticalHeader()->setDefaultSectionSize(values_view_->fontMetrics().height() + 6);
  values_view_->horizontalHeader()->setStretchLastSection(true);
  values_view_->setAlternatingRowColors(true);
  values_view_->hide();
  channel_plot_->setMinimumHeight(280);
  style::legendOnTop(channel_plot_);
  layout->addWidget(plot_tabs_);
  layout->addStretch(1);
}

void DetailsPanel::setModel(std::shared_ptr<const format::Model> model) {
  model_ = std::move(model);
  graph_index_.clear();
  if (model_) graph_index_.resize(model_->subgraphs.size());
  clear();
}

void DetailsPanel::clear() {
  ++job_;
  pending_ = false;
  stats_.reset();
  page_ = Page::Empty;
  subgraph_ = -1;
  index_ = -1;
  quant_model_->clear();
  stack_->setCurrentIndex(0);
}

const DetailsPanel::GraphIndex& DetailsPanel::graphIndex(int subgraph) {
  auto& slot = graph_index_[static_cast<size_t>(subgraph)];
  if (!slot) {
    slot = std::make_unique<GraphIndex>();
    const format::Subgraph& sg = model_->subgraphs[static_cast<size_t>(subgraph)];
    slot->producer.assign(sg.tensors.size(), -1);
    slot->consumers.resize(sg.tensors.size());
    for (size_t o = 0; o < sg.operators.size(); ++o) {
      const auto& op = sg.operators[o];
      for (const int32_t t : op.outputs)
        if (t >= 0 && static_cast<size_t>(t) < sg.tensors.size() && slot->producer[static_cast<size_t>(t)] < 0)
          slot->producer[static_cast<size_t>(t)] = static_cast<int>(o);
      for (const int32_t t : op.inputs) {
        if (t < 0 || static_cast<size_t>(t) >= sg.tensors.size()) continue;
        auto& list = slot->consumers[static_cast<size_t>(t)];
        if (list.empty() || list.back() != static_cast<int>(o)) list.push_back(static_cast<int>(o));
      }
    }
  }
  return *slot;
}

void DetailsPanel::showOp(int subgraph, int op) {
  if (!model_ || subgraph < 0 || static_cast<size_t>(subgraph) >= model_->subgraphs.size() || op < 0 ||
      static_cast<size_t>(op) >= model_->subgraphs[static_cast<size_t>(subgraph)].operators.size()) {
    clear();
    return;
  }
  ++job_;
  pending_ = false;
  stats_.reset();
  page_ = Page::Op;
  subgraph_ = subgraph;
  index_ = op;
  fillOp(subgraph, op);
  stack_->setCurrentIndex(1);
}

void DetailsPanel::showTensor(int subgraph, int tensor) {
  if (!model_ || subgraph < 0 || static_cast<size_t>(subgraph) >= model_->subgraphs.size() || tensor < 0 ||
      static_cast<size_t>(tensor) >= model_->subgraphs[static_cast<size_t>(subgraph)].tensors.size()) {
    clear();
    return;
  }
  ++job_;
  pending_ = false;
  stats_.reset();
  page_ = Page::Tensor;
  subgraph_ = subgraph;
  index_ = tensor;
  stack_->setCurrentIndex(2);
  fillTensor(subgraph, tensor);
}

namespace {

// The names signatures give tensor `tensor` of `subgraph`, one per line:
// "serving_default · input “x”". Callers of the model (the TFLite
// SignatureRunner, TF's saved-model API) know a tensor only by these.
QString signatureNames(const format::Model& model, int subgraph, int tensor) {
  QStringList lines;
  for (const format::Signature& sig : model.signatures) {
    if (static_cast<int64_t>(sig.subgraph_index) != subgraph) continue;
    for (const auto& [maps, role] :
         {std::pair{&sig.inputs, QObject::tr("input")}, std::pair{&sig.outputs, QObject::tr("output")}})
      for (const format::TensorMap& m : *maps)
        if (static_cast<int64_t>(m.tensor_index) == tensor)
          lines << QStringLiteral("%1 · %2 “%3”").arg(qstr(sig.key), role, qstr(m.name));
  }
  return lines.join(QLatin1Char('\n'));
}

QString subgraphText(const format::Model& model, int subgraph) {
  const auto& name = model.subgraphs[static_cast<size_t>(subgraph)].name;
  if (name.empty()) return QObject::tr("subgraph %1").arg(subgraph);
  return QObject::tr("subgraph %1 “%2”").arg(subgraph).arg(qstr(name));
}

}  // namespace

void DetailsPanel::fillOp(int subgraph, int opIndex) {
  const format::Subgraph& sg = model_->subgraphs[static_cast<size_t>(subgraph)];
  const format::Operator& op = sg.operators[static_cast<size_t>(opIndex)];

  if (op.code.builtin == format::BuiltinOp::CUSTOM) {
    op_title_->setText(op.code.custom_code.empty() ? tr("CUSTOM") : qstr(op.code.custom_code));
    op_subtitle_->setText(tr("Custom op · op %1 of %2 · version %3")
                              .arg(opIndex)
                              .arg(subgraphText(*model_, subgraph))
                              .arg(op.code.version));
  } else {
    op_title_->setText(qstr(format::op_name(op.code.builtin)));
    op_subtitle_->setText(
        tr("Op %1 of %2 · version %3").arg(opIndex).arg(subgraphText(*model_, subgraph)).arg(op.code.version));
  }

  // Builtin options, field by field.
  const DecodedOptions options = decode_options(op);
  options_table_->setRowCount(0);
  if (options.type.empty()) {
    options_caption_->setText(tr("No builtin options."));
  } else if (!options.decoded) {
    options_caption_->setText(qstr(options.summary()));
  } else if (options.fields.empty()) {
    options_caption_->setText(tr("%1: no fields.").arg(qstr(options.type)));
  } else {
    options_caption_->setText(qstr(options.type));
  }
  for (const OptionField& field : options.fields) {
    QString value = qstr(field.value);
    QStringList names;
    for (const int32_t g : field.subgraphs)
      if (g >= 0 && static_cast<size_t>(g) < model_->subgraphs.size() &&
          !model_->subgraphs[static_cast<size_t>(g)].name.empty())
        names << QStringLiteral("“%1”").arg(qstr(model_->subgraphs[static_cast<size_t>(g)].name));
    if (!names.isEmpty()) value += QStringLiteral("  (%1)").arg(names.join(QStringLiteral(", ")));
    const int row = options_table_->rowCount();
    options_table_->insertRow(row);
    options_table_->setItem(row, 0, item(qstr(field.name)));
    options_table_->setItem(row, 1, item(value, value));
  }
  // Custom options: size, and their FlexBuffer contents when decodable.
  if (!op.custom_options.empty()) {
    const auto custom = decode_custom_options(op);
    custom_caption_->setText(custom.empty()
                                 ? tr("Custom options: %1 (not a FlexBuffer map)").arg(style::bytes(op.custom_options.size()))
                                 : tr("Custom options: %1, FlexBuffers").arg(style::bytes(op.custom_options.size())));
    for (const OptionField& field : custom) {
      const int row = options_table_->rowCount();
      options_table_->insertRow(row);
      options_table_->setItem(row, 0, item(qstr(field.name)));
      options_table_->setItem(row, 1, item(qstr(field.value), qstr(field.value)));
    }
    custom_caption_->show();
  } else {
    custom_caption_->hide();
  }
  options_table_->setVisible(options_table_->rowCount() > 0);
  options_caption_->setVisible(!options.type.empty() || op.custom_options.empty());
  style::stretchColumn(options_table_, 1);
  style::fitHeight(options_table_);

  fillTensorTable(inputs_table_, subgraph, op, op.inputs, 0);
  fillTensorTable(outputs_table_, subgraph, op, op.outputs, 1);
  fillTensorTable(intermediates_table_, subgraph, op, op.intermediates, 2);
  inputs_caption_->setText(tr("Inputs (%1)").arg(op.inputs.size()));
  outputs_caption_->setText(tr("Outputs (%1)").arg(op.outputs.size()));
  intermediates_caption_->setText(tr("Intermediates (%1)").arg(op.intermediates.size()));
  inputs_table_->setVisible(!op.inputs.empty());
  intermediates_caption_->setVisible(!op.intermediates.empty());
  intermediates_table_->setVisible(!op.intermediates.empty());
}

void DetailsPanel::fillTensorTable(QTableWidget* table, int subgraph, const format::Operator& op,
                                   const std::vector<int32_t>& tensors, int which) {
  const format::Subgraph& sg = model_->subgraphs[static_cast<size_t>(subgraph)];
  table->setRowCount(0);
  table->setRowCount(static_cast<int>(tensors.size()));
  std::vector<bool> is_input(sg.tensors.size()), is_output(sg.tensors.size());
  for (const int32_t t : sg.inputs)
    if (t >= 0 && static_cast<size_t>(t) < sg.tensors.size()) is_input[static_cast<size_t>(t)] = true;
  for (const int32_t t : sg.outputs)
    if (t >= 0 && static_cast<size_t>(t) < sg.tensors.size()) is_output[static_cast<size_t>(t)] = true;

  for (size_t i = 0; i < tensors.size(); ++i) {
    const int row = static_cast<int>(i);
    const std::string slot = which == 0   ? input_slot_name(op.code.builtin, i, tensors.size())
                             : which == 1 ? output_slot_name(op.code.builtin, i, tensors.size())
                                          : "intermediate " + std::to_string(i);
    table->setItem(row, 0, item(qstr(slot)));
    const int32_t t = tensors[i];
    auto* indexItem = numberItem(t >= 0 ? QString::number(t) : QStringLiteral("—"));
    indexItem->setData(Qt::UserRole, t >= 0 && static_cast<size_t>(t) < sg.tensors.size() ? t : -1);
    table->setItem(row, 1, indexItem);
    if (t < 0) {
      auto* omitted = item(tr("(omitted optional input)"));
      omitted->setForeground(palette().color(QPalette::PlaceholderText));
      table->setItem(row, 2, omitted);
      continue;
    }
    if (static_cast<size_t>(t) >= sg.tensors.size()) {
      table->setItem(row, 2, item(tr("(no such tensor)")));
      continue;
    }
    const format::Tensor& tensor = sg.tensors[static_cast<size_t>(t)];
    table->setItem(row, 2, item(qstr(tensor.name), qstr(tensor.name)));
    table->setItem(row, 3, item(qstr(format::type_name(tensor.type))));
    table->setItem(row, 4, item(shapeText(tensor.shape)));
    table->setItem(row, 5, item(compactQuantization(tensor.quantization), quantizationSummary(tensor.quantization)));
    TensorTableModel::Kind kind = TensorTableModel::Kind::Activation;
    if (is_input[static_cast<size_t>(t)]) kind = TensorTableModel::Kind::Input;
    else if (is_output[static_cast<size_t>(t)]) kind = TensorTableModel::Kind::Output;
    else if (tensor.is_variable) kind = TensorTableModel::Kind::Variable;
    else if (!model_->tensor_data(tensor).empty()) kind = TensorTableModel::Kind::Constant;
    table->setItem(row, 6, item(TensorTableModel::kindName(kind)));
  }
  // The quantization column only when some tensor of the table has one.
  bool anyQuantization = false;
  for (int r = 0; r < table->rowCount(); ++r)
    anyQuantization |= table->item(r, 5) != nullptr && !table->item(r, 5)->text().isEmpty();
  table->setColumnHidden(5, !anyQuantization);
  style::stretchColumn(table, 2);
  style::fitHeight(table);
}

void DetailsPanel::fillTensor(int subgraph, int tensorIndex) {
  const format::Subgraph& sg = model_->subgraphs[static_cast<size_t>(subgraph)];
  const format::Tensor& tensor = sg.tensors[static_cast<size_t>(tensorIndex)];
  const auto constant = model_->tensor_data(tensor);

  tensor_name_ = qstr(tensor.name);
  tensor_title_->setText(tensor.name.empty() ? tr("(unnamed tensor)") : style::breakable(tensor_name_));
  tensor_title_->setToolTip(tensor_name_);

  const bool isInput = std::find(sg.inputs.begin(), sg.inputs.end(), tensorIndex) != sg.inputs.end();
  const bool isOutput = std::find(sg.outputs.begin(), sg.outputs.end(), tensorIndex) != sg.outputs.end();
  QStringList kinds;
  if (isInput) kinds << TensorTableModel::kindName(TensorTableModel::Kind::Input);
  if (isOutput) kinds << TensorTableModel::kindName(TensorTableModel::Kind::Output);
  if (tensor.is_variable) kinds << TensorTableModel::kindName(TensorTableModel::Kind::Variable);
  if (!constant.empty()) kinds << TensorTableModel::kindName(TensorTableModel::Kind::Constant);
  if (kinds.isEmpty()) kinds << TensorTableModel::kindName(TensorTableModel::Kind::Activation);
  const QString kindText = kinds.join(QStringLiteral(", "));
  tensor_subtitle_->setText(
      tr("Tensor %1 of %2 · %3").arg(tensorIndex).arg(subgraphText(*model_, subgraph)).arg(kindText));

  prop_type_->setText(qstr(format::type_name(tensor.type)));
  prop_shape_->setText(shapeText(tensor.shape) + (tensor.shape.empty() && tensor.has_rank ? tr("  (scalar)") : QString()));
  const bool hasSignature = !tensor.shape_signature.empty();
  prop_signature_->setText(hasSignature ? shapeText(tensor.shape_signature) +
                                              (tensor.shape_signature != tensor.shape
                                                   ? tr("  (−1: size fixed only at run time)")
                                                   : QString())
                                        : QString());
  properties_->setRowVisible(prop_signature_, hasSignature);
  const auto elements = format::element_count(tensor.shape);
  prop_elements_->setText(elements ? style::count(*elements) : tr("not fixed"));
  if (tensor.buffer == 0) {
    prop_buffer_->setText(tr("none (index 0)"));
  } else {
    QString text = tr("#%1 · %2").arg(tensor.buffer).arg(style::bytes(constant.size()));
    if (constant.size() >= 1024) text += tr(" (%1 bytes)").arg(style::count(constant.size()));
    if (constant.empty()) text = tr("#%1 · empty").arg(tensor.buffer);
    prop_buffer_->setText(text);
  }
  prop_kind_->setText(kindText);
  const QString aliases = signatureNames(*model_, subgraph, tensorIndex);
  prop_signature_names_->setText(aliases);
  properties_->setRowVisible(prop_signature_names_, !aliases.isEmpty());
  prop_sparsity_->setText(tensor.sparsity ? tr("sparse (the buffer holds only the stored values)") : QString());
  properties_->setRowVisible(prop_sparsity_, tensor.sparsity != nullptr);

  // Producer and consumers, as links.
  const GraphIndex& index = graphIndex(subgraph);
  const auto opLink = [&](int o) {
    const auto& op = sg.operators[static_cast<size_t>(o)];
    return QStringLiteral("<a href=\"op:%1\">#%1 %2</a>").arg(o).arg(qstr(op_display_name(op.code)).toHtmlEscaped());
  };
  const int producer = index.producer[static_cast<size_t>(tensorIndex)];
  producer_label_->setText(producer >= 0 ? opLink(producer)
                                         : (isInput ? tr("— (subgraph input)") : tr("—")));
  const auto& consumers = index.consumers[static_cast<size_t>(tensorIndex)];
  QStringList links;
  constexpr size_t kMaxLinks = 40;
  for (size_t i = 0; i < consumers.size() && i < kMaxLinks; ++i) links << opLink(consumers[i]);
  QString consumerText = links.isEmpty() ? (isOutput ? tr("— (subgraph output)") : tr("—"))
                                         : links.join(QStringLiteral(", "));
  if (consumers.size() > kMaxLinks) consumerText += tr(" … and %1 more").arg(consumers.size() - kMaxLinks);
  consumers_label_->setText(consumerText);

  // Quantization parameters.
  const QString quant = quantizationSummary(tensor.quantization);
  quant_summary_->setText(quant.isEmpty() ? tr("Not quantized.") : quant);
  quant_model_->setQuantization(tensor.quantization);
  const bool hasParams = quant_model_->rowCount() > 0;
  quant_view_->setVisible(hasParams);
  if (hasParams) {
    // Only the columns the file fills; the data range once statistics are in.
    const auto& q = *tensor.quantization;
    quant_view_->setColumnHidden(QuantizationTableModel::MinColumn, q.min.empty());
    quant_view_->setColumnHidden(QuantizationTableModel::MaxColumn, q.max.empty());
    quant_view_->setColumnHidden(QuantizationTableModel::DataMinColumn, true);
    quant_view_->setColumnHidden(QuantizationTableModel::DataMaxColumn, true);
    style::shrinkToContents(quant_view_, kQuantRows);
    style::fitHeight(quant_view_, kQuantRows);
  }

  resetStatsView();
  if (constant.empty()) {
    stats_status_->setText(tensor.is_variable ? tr("A variable: its values exist only at run time.")
                                              : tr("No constant data: the values exist only at run time."));
    stats_status_->show();
    emit statsShown();
    return;
  }
  startStats(subgraph, tensorIndex);
}

void DetailsPanel::resetStatsView() {
  stats_table_->setRowCount(0);
  stats_table_->hide();
  plot_tabs_->hide();
  clearPlotTabs();
  stats_status_->hide();
}

void DetailsPanel::clearPlotTabs() {
  // A page taken out of a tab widget stays a visible child of it: hide it.
  while (plot_tabs_->count() > 0) plot_tabs_->removeTab(0);
  for (QCustomPlot* plot : {histogram_plot_, stored_plot_, channel_plot_}) plot->hide();
}

void DetailsPanel::startStats(int subgraph, int tensorIndex) {
  const format::Tensor& tensor =
      model_->subgraphs[static_cast<size_t>(subgraph)].tensors[static_cast<size_t>(tensorIndex)];
  const auto elements = format::element_count(tensor.shape).value_or(0);
  if (elements <= kBackgroundElements) {
    showStats(inspect::compute_stats(*model_, tensor));
    return;
  }
  pending_ = true;
  stats_status_->setText(tr("Computing statistics of %1 elements…").arg(style::count(elements)));
  stats_status_->show();
  const quint64 job = job_;
  auto* watcher = new QFutureWatcher<StatsResult>(this);
  connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, job] {
    watcher->deleteLater();
    if (job != job_) return;  // the selection moved on meanwhile
    showStats(watcher->result());
  });
  // The task holds the model, so the data outlives a panel that changes
  // model or closes meanwhile.
  std::shared_ptr<const format::Model> model = model_;
  watcher->setFuture(QtConcurrent::run([model, subgraph, tensorIndex]() -> StatsResult {
    return inspect::compute_stats(
        *model, model->subgraphs[static_cast<size_t>(subgraph)].tensors[static_cast<size_t>(tensorIndex)]);
  }));
}

void DetailsPanel::showStats(const StatsResult& result) {
  pending_ = false;
  if (!result) {
    stats_.reset();
    stats_status_->setText(tr("No statistics: %1").arg(qstr(result.error().message)));
    stats_status_->show();
    emit statsShown();
    return;
  }
  stats_ = *result;
  const inspect::TensorStats& s = *stats_;
  const bool deq = s.dequantized.has_value();
  const bool floating = !inspect::is_integer(s.type) && s.type != format::TensorType::BOOL;

  // The figures, stored and real side by side.
  stats_table_->setRowCount(0);
  stats_table_->setColumnHidden(2, !deq);
  stats_table_->setHorizontalHeaderLabels(
      {tr("Statistic"), deq ? tr("Stored values") : tr("Value"), tr("Real values")});
  const auto addRow = [&](const QString& name, const QString& stored, const QString& real) {
    const int row = stats_table_->rowCount();
    stats_table_->insertRow(row);
    stats_table_->setItem(row, 0, item(name));
    stats_table_->setItem(row, 1, numberItem(stored));
    stats_table_->setItem(row, 2, numberItem(real));
  };
  const auto figures = [&](const auto& get) {
    return std::pair{get(s.values), deq ? get(*s.dequantized) : QString()};
  };
  const auto row = [&](const QString& name, const auto& get) {
    const auto [a, b] = figures(get);
    addRow(name, a, b);
  };
  row(tr("Elements"), [](const inspect::ValueStats& v) { return style::count(v.count); });
  row(tr("Min"), [](const inspect::ValueStats& v) { return style::number(v.min); });
  row(tr("Max"), [](const inspect::ValueStats& v) { return style::number(v.max); });
  row(tr("Mean"), [](const inspect::ValueStats& v) { return style::number(v.mean); });
  row(tr("Std deviation"), [](const inspect::ValueStats& v) { return style::number(v.stddev); });
  row(tr("Zeros"), [](const inspect::ValueStats& v) {
    return QStringLiteral("%1 (%2%)").arg(style::count(v.zeros)).arg(100.0 * v.zero_fraction(), 0, 'f', 1);
  });
  if (floating) {
    row(tr("NaN"), [](const inspect::ValueStats& v) { return style::count(v.nan); });
    row(tr("±Infinity"), [](const inspect::ValueStats& v) {
      return v.inf() == 0 ? QStringLiteral("0")
                          : QStringLiteral("%1 (+%2 / −%3)").arg(v.inf()).arg(v.pos_inf).arg(v.neg_inf);
    });
  }
  style::shrinkToContents(stats_table_);
  style::fitHeight(stats_table_);
  stats_table_->show();

  QStringList notes;
  if (!s.note.empty()) notes << qstr(s.note);
  stats_status_->setText(notes.join(QLatin1Char('\n')));
  stats_status_->setVisible(!notes.isEmpty());

  // Plots.
  clearPlotTabs();
  if (deq) {
    drawHistogram(histogram_plot_, s.dequantized->histogram, tr("real value (scale · (q − zero point))"));
    plot_tabs_->addTab(histogram_plot_, tr("Histogram of real values"));
    drawHistogram(stored_plot_, s.values.histogram, tr("stored integer"));
    plot_tabs_->addTab(stored_plot_, tr("Stored integers"));
  } else {
    drawHistogram(histogram_plot_, s.values.histogram, tr("value"));
    plot_tabs_->addTab(histogram_plot_, tr("Histogram"));
  }
  quant_model_->setChannelRanges(s.channels);
  if (quant_model_->rowCount() > 0 && !s.channels.empty()) {
    quant_view_->setColumnHidden(QuantizationTableModel::DataMinColumn, false);
    quant_view_->setColumnHidden(QuantizationTableModel::DataMaxColumn, false);
    style::shrinkToContents(quant_view_, kQuantRows);
  }
  if (s.channels.size() > 1) {
    channel_plot_->clearPlottables();
    channel_plot_->clearItems();
    QVector<double> keys, lo, hi, rlo, rhi;
    double bottom = std::numeric_limits<double>::infinity(), top = -bottom;
    const auto storable = storableRange(s.type);
    for (size_t c = 0; c < s.channels.size(); ++c) {
      const auto& ch = s.channels[c];
      if (std::isnan(ch.min) || std::isnan(ch.max)) continue;
      keys << static_cast<double>(c);
      lo << ch.min;
      hi << ch.max;
      bottom = std::min(bottom, ch.min);
      top = std::max(top, ch.max);
      if (storable) {
        const double a = static_cast<double>(ch.scale) * (storable->first - static_cast<double>(ch.zero_point));
        const double b = static_cast<double>(ch.scale) * (storable->second - static_cast<double>(ch.zero_point));
        rlo << std::min(a, b);
        rhi << std::max(a, b);
      }
    }
    const double barWidth = keys.size() > 300 ? 1.0 : 0.7;
    if (storable && !rlo.isEmpty()) {
      auto* range = new QCPFinancial(channel_plot_->xAxis, channel_plot_->yAxis);
      range->setName(tr("storable range"));
      range->setChartStyle(QCPFinancial::csCandlestick);
      range->setData(keys, rlo, rhi, rlo, rhi, true);
      range->setWidth(barWidth);
      range->setTwoColored(false);
      range->setBrush(style::accentLight());
      range->setPen(Qt::NoPen);
      // Zoomed to the data, the storable range mostly runs off the plot:
      // that is the point (how much of it each channel uses).
    }
    auto* used = new QCPFinancial(channel_plot_->xAxis, channel_plot_->yAxis);
    used->setName(tr("data range"));
    used->setChartStyle(QCPFinancial::csCandlestick);
    used->setData(keys, lo, hi, lo, hi, true);
    used->setWidth(barWidth * (storable ? 0.6 : 1.0));
    used->setTwoColored(false);
    used->setBrush(style::accent());
    used->setPen(keys.size() > 120 ? QPen(Qt::NoPen) : QPen(style::accent().darker(130), 1));
    channel_plot_->xAxis->setLabel(tr("channel (dimension %1)").arg(s.quantized_dimension));
    channel_plot_->yAxis->setLabel(tr("real value"));
    channel_plot_->xAxis->setRange(-1, static_cast<double>(s.channels.size()));
    if (bottom <= top) {
      double pad = (top - bottom) * 0.08;
      if (pad == 0) pad = std::max(std::abs(top) * 0.1, 1e-6);
      channel_plot_->yAxis->setRange(std::min(bottom - pad, 0.0), std::max(top + pad, 0.0));
    }
    channel_plot_->replot();
    plot_tabs_->addTab(channel_plot_, tr("Per-channel ranges (%1)").arg(s.channels.size()));
  }
  if (model_ && subgraph_ >= 0 && index_ >= 0) {
    values_model_->setTensor(model_, &model_->subgraphs[static_cast<size_t>(subgraph_)].tensors[static_cast<size_t>(index_)]);
    if (values_model_->rowCount() > 0) {
      values_view_->resizeColumnToContents(TensorValuesModel::IndexColumn);
      plot_tabs_->addTab(values_view_, tr("Values (%1)").arg(QLocale().toString(values_model_->rowCount())));
    }
  }
  plot_tabs_->setCurrentIndex(0);
  plot_tabs_->show();
  emit statsShown();
}

void DetailsPanel::onLink(const QString& link) {
  if (!link.startsWith(QStringLiteral("op:"))) return;
  bool ok = false;
  const int op = link.mid(3).toInt(&ok);
  if (ok && subgraph_ >= 0) emit opActivated(subgraph_, op);
}

}  // namespace qs::widgets
