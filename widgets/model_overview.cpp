#include "widgets/model_overview.h"

#include <QDir>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QScrollArea>
#include <QScrollBar>
#include <QTableWidget>
#include <QVBoxLayout>

#include <qcustomplot.h>

#include <algorithm>
#include <numeric>
#include <utility>
#include <vector>

#include "format/tensor_type.h"
#include "widgets/panel_style.h"

namespace qs::widgets {

namespace {

// Op kinds listed before the table scrolls.
constexpr int kMaxOpRows = 24;

QString qstr(const std::string& s) { return QString::fromStdString(s); }

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

QString quantizationText(const std::optional<format::Quantization>& q) {
  if (!q) return {};
  if (q->per_channel())
    return QObject::tr("%1 channels (dim %2)").arg(q->scale.size()).arg(q->quantized_dimension);
  if (q->has_scale()) {
    QString text = QObject::tr("scale %1").arg(style::floatText(q->scale.front()));
    if (!q->zero_point.empty()) text += QObject::tr(", zero point %1").arg(q->zero_point.front());
    return text;
  }
  if (q->min.size() == 1 && q->max.size() == 1)
    return QObject::tr("range [%1, %2]").arg(style::floatText(q->min.front()), style::floatText(q->max.front()));
  return {};
}

QString shapeText(const std::vector<int32_t>& shape) { return qstr(format::shape_string(shape)); }

// Text from the model file, shown inside rich text, its line breaks kept.
QString html(const std::string& s) {
  return qstr(s).toHtmlEscaped().replace(QLatin1Char('\n'), QStringLiteral("<br>"));
}

// The TFLite Metadata's model-wide facts: name, version and author on one
// line, then the longer texts, each on its own.
QString modelFactsHtml(const inspect::TfliteMetadata& m) {
  QStringList head;
  if (!m.name.empty()) head << QStringLiteral("<b>%1</b>").arg(html(m.name));
  if (!m.version.empty()) head << QObject::tr("version %1").arg(html(m.version));
  if (!m.author.empty()) head << QObject::tr("by %1").arg(html(m.author));
  if (!m.min_parser_version.empty())
    head << QObject::tr("needs a metadata parser %1 or newer").arg(html(m.min_parser_version));
  QStringList lines;
  if (!head.isEmpty()) lines << head.join(QStringLiteral(" · "));
  if (!m.description.empty()) lines << html(m.description);
  if (!m.license.empty()) lines << QObject::tr("License: %1").arg(html(m.license));
  for (const auto& f : m.associated_files) {
    QString line = QObject::tr("File: %1").arg(html(inspect::describe(f)));
    if (!f.description.empty()) line += QStringLiteral(" — ") + html(f.description);
    lines << line;
  }
  return lines.join(QStringLiteral("<br>"));
}

// What the metadata says about a subgraph as a whole, beyond its tensors.
QString subgraphFactsText(const inspect::SubgraphMetadata& sg) {
  QStringList lines;
  for (const auto& u : sg.input_process_units)
    lines << QObject::tr("Input processing: %1").arg(qstr(inspect::describe(u)));
  for (const auto& u : sg.output_process_units)
    lines << QObject::tr("Output processing: %1").arg(qstr(inspect::describe(u)));
  const auto groupLines = [&lines](const std::vector<inspect::TensorGroup>& groups, const QString& label) {
    for (const auto& g : groups) {
      QStringList names;
      for (const auto& n : g.tensor_names) names << qstr(n);
      lines << QStringLiteral("%1 “%2”: %3").arg(label, qstr(g.name), names.join(QStringLiteral(", ")));
    }
  };
  groupLines(sg.input_groups, QObject::tr("Input group"));
  groupLines(sg.output_groups, QObject::tr("Output group"));
  for (const auto& f : sg.associated_files) {
    QString line = QObject::tr("File: %1").arg(qstr(inspect::describe(f)));
    if (!f.description.empty()) line += QStringLiteral(" — ") + qstr(f.description);
    lines << line;
  }
  for (const auto& c : sg.custom_metadata)
    lines << QObject::tr("Custom metadata “%1” (%2)").arg(qstr(c.name), style::bytes(c.bytes));
  return lines.join(QLatin1Char('\n'));
}

// "input “image”: Input image to be classified.", one line per described
// tensor.
QString tensorDescriptionsText(const inspect::SubgraphMetadata& sg) {
  QStringList lines;
  const auto add = [&lines](const std::vector<inspect::TensorMetadata>& list, const QString& direction) {
    for (const auto& t : list) {
      if (t.description.empty()) continue;
      lines << QStringLiteral("%1 “%2”: %3").arg(direction, qstr(t.name), qstr(t.description));
    }
  };
  add(sg.inputs, QObject::tr("input"));
  add(sg.outputs, QObject::tr("output"));
  return lines.join(QLatin1Char('\n'));
}

// Columns of a tensor metadata table.
enum TensorMetadataColumn {
  kMetaDirection,
  kMetaName,
  kMetaContent,
  kMetaProcessing,
  kMetaRange,
  kMetaFiles,
  kMetaColumns
};

// One row per described input and output. The name cell carries the
// tensor's index in its subgraph, as the input/output tables do, when the
// graph has a tensor at that position.
void addTensorMetadataRows(QTableWidget* table, const std::vector<inspect::TensorMetadata>& list,
                           const std::vector<inspect::TensorSummary>* tensors, int subgraph,
                           const QString& direction) {
  for (size_t i = 0; i < list.size(); ++i) {
    const inspect::TensorMetadata& t = list[i];
    const int row = table->rowCount();
    table->insertRow(row);
    table->setItem(row, kMetaDirection, item(direction));
    auto* name = item(qstr(t.name), qstr(t.description.empty() ? t.name : t.description));
    if (tensors != nullptr && i < tensors->size()) {
      name->setData(Qt::UserRole, static_cast<int>((*tensors)[i].index));
      name->setData(Qt::UserRole + 1, subgraph);
    }
    table->setItem(row, kMetaName, name);
    table->setItem(row, kMetaContent, item(t.content ? qstr(inspect::describe(*t.content)) : QString()));
    QStringList units;
    for (const auto& u : t.process_units) units << qstr(inspect::describe(u));
    const QString processing = units.join(QStringLiteral("; "));
    table->setItem(row, kMetaProcessing, item(processing, processing));
    table->setItem(row, kMetaRange, item(qstr(inspect::describe(t.stats))));
    QStringList files, fileTips;
    for (const auto& f : t.associated_files) {
      files << qstr(f.name);
      fileTips << qstr(inspect::describe(f)) +
                      (f.description.empty() ? QString() : QStringLiteral(": ") + qstr(f.description));
    }
    table->setItem(row, kMetaFiles, item(files.join(QStringLiteral(", ")), fileTips.join(QLatin1Char('\n'))));
  }
}

// Horizontal bars, one per label, largest first at the top, each with its
// value written at its end.
void drawBars(QCustomPlot* plot, const QStringList& labels, const QVector<double>& values,
              const QStringList& valueTexts, const QString& axisLabel) {
  plot->clearPlottables();
  plot->clearItems();
  const auto n = static_cast<int>(labels.size());
  auto ticker = QSharedPointer<QCPAxisTickerText>::create();
  QVector<double> keys;
  for (int i = 0; i < n; ++i) {
    keys << i;
    ticker->addTick(i, labels[i]);
  }
  plot->yAxis->setTicker(ticker);
  plot->yAxis->setRangeReversed(true);
  plot->yAxis->setRange(-0.6, n - 0.4);
  plot->yAxis->grid()->setVisible(false);
  plot->yAxis->setSubTicks(false);
  plot->yAxis->setTickLength(0, 2);

  auto* bars = new QCPBars(plot->yAxis, plot->xAxis);
  bars->setWidth(0.68);
  bars->setData(keys, values, true);
  QColor fill = style::accent();
  fill.setAlphaF(0.82f);
  bars->setBrush(fill);
  bars->setPen(Qt::NoPen);

  const double top = values.isEmpty() ? 1.0 : *std::max_element(values.begin(), values.end());
  // Room on the right for the value texts.
  plot->xAxis->setRange(0, top > 0 ? top * 1.28 : 1);
  plot->xAxis->setLabel(axisLabel);
  QFont small = plot->font();
  small.setPointSizeF(small.pointSizeF() * 0.9);
  for (int i = 0; i < n; ++i) {
    auto* text = new QCPItemText(plot);
    text->setClipToAxisRect(false);
    text->position->setAxes(plot->xAxis, plot->yAxis);
    text->position->setCoords(values[i], i);
    text->setPositionAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    text->setPadding(QMargins(5, 0, 0, 0));
    text->setText(valueTexts.value(i));
    text->setFont(small);
    text->setColor(plot->palette().color(QPalette::WindowText));
  }
  const int rowHeight = plot->fontMetrics().height() + 9;
  plot->setFixedHeight(std::max(120, n * rowHeight + 64));
  plot->replot();
}

QCustomPlot* barPlot(QWidget* parent, const QString& name) {
  auto* plot = new QCustomPlot(parent);
  plot->setObjectName(name);
  style::stylePlot(plot);
  plot->setMinimumWidth(300);
  return plot;
}

}  // namespace

ModelOverview::ModelOverview(QWidget* parent) : QWidget(parent) {
  setObjectName(QStringLiteral("modelOverview"));
  auto* scroll = new QScrollArea(this);
  scroll->setWidgetResizable(true);
  scroll->setFrameShape(QFrame::NoFrame);
  auto* outer = new QVBoxLayout(this);
  outer->setContentsMargins(0, 0, 0, 0);
  outer->addWidget(scroll);
  auto* content = new QWidget(scroll);
  scroll->setWidget(content);
  auto* layout = new QVBoxLayout(content);
  layout->setContentsMargins(16, 14, 16, 16);
  layout->setSpacing(6);

  title_ = style::title(content);
  title_->setObjectName(QStringLiteral("overviewTitle"));
  path_ = style::subtitle(content);
  path_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  summary_ = new QLabel(content);
  summary_->setObjectName(QStringLiteral("overviewSummary"));
  summary_->setWordWrap(true);
  summary_->setTextFormat(Qt::RichText);
  description_ = style::note(content);
  description_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  layout->addWidget(title_);
  layout->addWidget(path_);
  layout->addSpacing(4);
  layout->addWidget(summary_);
  layout->addWidget(description_);

  // Parameters: table beside chart.
  params_heading_ = style::heading(tr("Parameters"), content);
  layout->addWidget(params_heading_);
  auto* paramsRow = new QHBoxLayout();
  params_table_ = style::table(5, content);
  params_table_->setObjectName(QStringLiteral("parametersTable"));
  params_table_->setHorizontalHeaderLabels({tr("Type"), tr("Tensors"), tr("Values"), tr("Bytes"), tr("Share")});
  for (int c = 1; c < 5; ++c) style::alignHeaderRight(params_table_, c);
  params_plot_ = barPlot(content, QStringLiteral("parametersPlot"));
  paramsRow->addWidget(params_table_, 0, Qt::AlignTop);
  paramsRow->addWidget(params_plot_, 1, Qt::AlignTop);
  layout->addLayout(paramsRow);

  // Operators: table beside chart.
  ops_heading_ = style::heading(tr("Operators"), content);
  layout->addWidget(ops_heading_);
  auto* opsRow = new QHBoxLayout();
  ops_table_ = style::table(3, content);
  ops_table_->setObjectName(QStringLiteral("operatorsTable"));
  ops_table_->setHorizontalHeaderLabels({tr("Op"), tr("Count"), tr("Share")});
  for (int c = 1; c < 3; ++c) style::alignHeaderRight(ops_table_, c);
  ops_plot_ = barPlot(content, QStringLiteral("operatorsPlot"));
  opsRow->addWidget(ops_table_, 0, Qt::AlignTop);
  opsRow->addWidget(ops_plot_, 1, Qt::AlignTop);
  layout->addLayout(opsRow);

  subgraphs_heading_ = style::heading(tr("Subgraphs"), content);
  layout->addWidget(subgraphs_heading_);
  subgraphs_layout_ = new QVBoxLayout();
  subgraphs_layout_->setSpacing(4);
  layout->addLayout(subgraphs_layout_);

  signatures_heading_ = style::heading(tr("Signatures"), content);
  layout->addWidget(signatures_heading_);
  signatures_table_ = ioTable(content);
  signatures_table_->setObjectName(QStringLiteral("signaturesTable"));
  signatures_table_->setColumnCount(8);
  signatures_table_->setHorizontalHeaderLabels(
      {tr("Signature"), tr(""), tr("Name"), tr("#"), tr("Tensor"), tr("Type"), tr("Shape"), tr("Quantization")});
  style::alignHeaderRight(signatures_table_, 3);
  layout->addWidget(signatures_table_);

  // The decoded TFLITE_METADATA before the raw list of entries it is one of.
  model_metadata_heading_ = style::heading(tr("Model metadata"), content);
  layout->addWidget(model_metadata_heading_);
  model_metadata_ = new QLabel(content);
  model_metadata_->setObjectName(QStringLiteral("modelMetadata"));
  model_metadata_->setWordWrap(true);
  model_metadata_->setTextFormat(Qt::RichText);
  model_metadata_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  layout->addWidget(model_metadata_);
  tensor_metadata_layout_ = new QVBoxLayout();
  tensor_metadata_layout_->setSpacing(4);
  layout->addLayout(tensor_metadata_layout_);

  metadata_heading_ = style::heading(tr("Metadata"), content);
  layout->addWidget(metadata_heading_);
  metadata_table_ = style::table(3, content);
  metadata_table_->setObjectName(QStringLiteral("metadataTable"));
  metadata_table_->setHorizontalHeaderLabels({tr("Name"), tr("Buffer"), tr("Size")});
  style::alignHeaderRight(metadata_table_, 1);
  style::alignHeaderRight(metadata_table_, 2);
  layout->addWidget(metadata_table_);
  layout->addStretch(1);

  clear();
}

QTableWidget* ModelOverview::ioTable(QWidget* parent) {
  auto* table = style::table(7, parent);
  table->setHorizontalHeaderLabels(
      {tr(""), tr("#"), tr("Name"), tr("Type"), tr("Shape"), tr("Signature"), tr("Quantization")});
  style::alignHeaderRight(table, 1);
  emitTensorOnClick(table);
  return table;
}

void ModelOverview::emitTensorOnClick(QTableWidget* table) {
  table->setCursor(Qt::PointingHandCursor);
  const auto activate = [this, table](int row) {
    for (int c = 0; c < table->columnCount(); ++c) {
      const QTableWidgetItem* it = table->item(row, c);
      if (it != nullptr && it->data(Qt::UserRole).isValid()) {
        emit tensorActivated(it->data(Qt::UserRole + 1).toInt(), it->data(Qt::UserRole).toInt());
        return;
      }
    }
  };
  connect(table, &QTableWidget::cellClicked, this, [activate](int row, int) { activate(row); });
  connect(table, &QTableWidget::itemActivated, this, [activate](QTableWidgetItem* it) { activate(it->row()); });
}

void ModelOverview::clearSubgraphs() {
  while (QLayoutItem* child = subgraphs_layout_->takeAt(0)) {
    delete child->widget();
    delete child;
  }
  subgraph_tables_.clear();
}

void ModelOverview::clearTfliteMetadata() {
  while (QLayoutItem* child = tensor_metadata_layout_->takeAt(0)) {
    delete child->widget();
    delete child;
  }
  tensor_metadata_tables_.clear();
  model_metadata_->clear();
  model_metadata_heading_->hide();
  model_metadata_->hide();
}

void ModelOverview::showTfliteMetadata(const inspect::ModelInfo& info) {
  if (!info.tflite_metadata && info.tflite_metadata_error.empty()) return;
  model_metadata_heading_->show();
  model_metadata_->show();
  if (!info.tflite_metadata) {
    model_metadata_->setText(
        tr("The %1 entry could not be decoded: %2")
            .arg(qstr(std::string(inspect::kTfliteMetadataName)), html(info.tflite_metadata_error)));
    return;
  }
  const inspect::TfliteMetadata& m = *info.tflite_metadata;
  model_metadata_->setText(modelFactsHtml(m));
  QWidget* content = model_metadata_->parentWidget();
  const bool several = m.subgraphs.size() > 1;
  for (size_t g = 0; g < m.subgraphs.size(); ++g) {
    const inspect::SubgraphMetadata& sg = m.subgraphs[g];
    const int index = static_cast<int>(g);
    const inspect::SubgraphSummary* graph = g < info.subgraphs.size() ? &info.subgraphs[g] : nullptr;
    if (several || !sg.name.empty() || !sg.description.empty()) {
      QString caption = tr("Subgraph %1").arg(index);
      if (!sg.name.empty()) caption += QStringLiteral(" “%1”").arg(qstr(sg.name));
      if (!sg.description.empty()) caption += QStringLiteral(": ") + qstr(sg.description);
      auto* label = style::note(content);
      label->setText(caption);
      tensor_metadata_layout_->addWidget(label);
    }
    if (!sg.inputs.empty() || !sg.outputs.empty()) {
      auto* table = style::table(kMetaColumns, content);
      table->setObjectName(QStringLiteral("tensorMetadataTable%1").arg(index));
      table->setHorizontalHeaderLabels(
          {tr(""), tr("Name"), tr("Content"), tr("Processing"), tr("Value range"), tr("Files")});
      emitTensorOnClick(table);
      addTensorMetadataRows(table, sg.inputs, graph != nullptr ? &graph->inputs : nullptr, index,
                            tr("input"));
      addTensorMetadataRows(table, sg.outputs, graph != nullptr ? &graph->outputs : nullptr, index,
                            tr("output"));
      // Columns nothing in this model fills take no room; the last one shown
      // takes the rest of the width.
      int last = kMetaName;
      for (int c = kMetaContent; c < kMetaColumns; ++c) {
        bool empty = true;
        for (int r = 0; r < table->rowCount() && empty; ++r) empty = table->item(r, c)->text().isEmpty();
        table->setColumnHidden(c, empty);
        if (!empty) last = c;
      }
      style::stretchColumn(table, last);
      style::fitHeight(table, 16);
      tensor_metadata_layout_->addWidget(table);
      tensor_metadata_tables_ << table;
    }
    // Descriptions are sentences, too long for a table cell: they wrap
    // beneath it instead.
    if (const QString descriptions = tensorDescriptionsText(sg); !descriptions.isEmpty()) {
      auto* label = style::note(content);
      label->setObjectName(QStringLiteral("tensorDescriptions%1").arg(index));
      label->setText(descriptions);
      label->setTextInteractionFlags(Qt::TextSelectableByMouse);
      tensor_metadata_layout_->addWidget(label);
    }
    if (const QString facts = subgraphFactsText(sg); !facts.isEmpty()) {
      auto* label = style::note(content);
      label->setText(facts);
      tensor_metadata_layout_->addWidget(label);
    }
  }
}

void ModelOverview::clear() {
  title_->setText(tr("No model"));
  path_->clear();
  summary_->clear();
  description_->hide();
  params_table_->setRowCount(0);
  ops_table_->setRowCount(0);
  metadata_table_->setRowCount(0);
  signatures_table_->setRowCount(0);
  params_plot_->clearPlottables();
  params_plot_->clearItems();
  ops_plot_->clearPlottables();
  ops_plot_->clearItems();
  clearSubgraphs();
  clearTfliteMetadata();
  for (QWidget* w : std::initializer_list<QWidget*>{params_heading_, params_table_, params_plot_, ops_heading_, ops_table_,
                                                    ops_plot_, subgraphs_heading_, signatures_heading_,
                                                    signatures_table_, metadata_heading_, metadata_table_})
    w->hide();
}

void ModelOverview::setInfo(const inspect::ModelInfo& info) {
  clear();
  const QString path = qstr(info.path);
  title_->setText(QFileInfo(path).fileName().isEmpty() ? path : QFileInfo(path).fileName());
  path_->setText(QDir::cleanPath(path));

  // One line of the essentials, then the description.
  size_t tensors = 0;
  for (const auto& sg : info.subgraphs) tensors += sg.tensor_count;
  QStringList facts;
  facts << tr("<b>%1</b> (%2 bytes)").arg(style::bytes(info.file_bytes), style::count(info.file_bytes));
  facts << tr("schema version <b>%1</b>").arg(info.schema_version);
  facts << tr("<b>%1</b> %2").arg(info.subgraphs.size()).arg(info.subgraphs.size() == 1 ? tr("subgraph") : tr("subgraphs"));
  facts << tr("<b>%1</b> ops of %2 kinds").arg(style::count(info.operator_count)).arg(info.operators.size());
  facts << tr("<b>%1</b> tensors").arg(style::count(tensors));
  facts << tr("<b>%1</b> parameters in %2")
               .arg(style::count(info.parameter_count), style::bytes(info.parameter_bytes));
  QStringList types;
  for (const auto& [type, n] : info.tensor_types) types << QStringLiteral("%1 ×%2").arg(qstr(type)).arg(n);
  QString summary = facts.join(QStringLiteral(" · "));
  if (!types.isEmpty()) summary += QStringLiteral("<br>") + tr("Tensor types: %1").arg(types.join(QStringLiteral(", ")));
  summary_->setText(summary);
  if (!info.description.empty()) {
    description_->setText(tr("Description: %1").arg(qstr(info.description)));
    description_->show();
  }

  // Parameters by type, largest first.
  std::vector<std::pair<std::string, inspect::TypeTotals>> params(info.parameters_by_type.begin(),
                                                                  info.parameters_by_type.end());
  std::stable_sort(params.begin(), params.end(),
                   [](const auto& a, const auto& b) { return a.second.bytes > b.second.bytes; });
  if (!params.empty()) {
    params_heading_->setText(tr("Parameters: %1 in %2")
                                 .arg(style::count(info.parameter_count), style::bytes(info.parameter_bytes)));
    params_table_->setRowCount(static_cast<int>(params.size()));
    QStringList labels, texts;
    QVector<double> values;
    for (size_t i = 0; i < params.size(); ++i) {
      const auto& [type, t] = params[i];
      const int row = static_cast<int>(i);
      const double share = info.parameter_bytes > 0 ? 100.0 * static_cast<double>(t.bytes) /
                                                          static_cast<double>(info.parameter_bytes)
                                                    : 0.0;
      params_table_->setItem(row, 0, item(qstr(type)));
      params_table_->setItem(row, 1, numberItem(style::count(t.tensors)));
      params_table_->setItem(row, 2, numberItem(style::count(t.elements)));
      params_table_->setItem(row, 3, numberItem(style::bytes(t.bytes)));
      params_table_->setItem(row, 4, numberItem(QStringLiteral("%1%").arg(share, 0, 'f', 1)));
      labels << qstr(type);
      values << static_cast<double>(t.bytes);
      texts << style::bytes(t.bytes);
    }
    style::shrinkToContents(params_table_);
    style::fitHeight(params_table_);
    // The byte axis in a unit that keeps its numbers short.
    const double largest = values.isEmpty() ? 0.0 : *std::max_element(values.begin(), values.end());
    const auto [unit, divisor] = largest >= 10.0 * 1024 * 1024 ? std::pair{tr("MiB"), 1024.0 * 1024.0}
                                 : largest >= 10.0 * 1024     ? std::pair{tr("KiB"), 1024.0}
                                                              : std::pair{tr("bytes"), 1.0};
    for (double& v : values) v /= divisor;
    drawBars(params_plot_, labels, values, texts, tr("constant data (%1)").arg(unit));
    for (QWidget* w : {static_cast<QWidget*>(params_heading_), static_cast<QWidget*>(params_table_),
                       static_cast<QWidget*>(params_plot_)})
      w->show();
  } else {
    params_heading_->setText(tr("Parameters: none"));
    params_heading_->show();
  }

  // Op histogram, most frequent first (then by name).
  std::vector<std::pair<std::string, size_t>> ops(info.operators.begin(), info.operators.end());
  std::stable_sort(ops.begin(), ops.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  ops_heading_->setText(tr("Operators: %1 ops of %2 kinds").arg(style::count(info.operator_count)).arg(ops.size()));
  ops_heading_->show();
  if (!ops.empty()) {
    ops_table_->setRowCount(static_cast<int>(ops.size()));
    QStringList labels, texts;
    QVector<double> values;
    constexpr size_t kMaxBars = 24;
    size_t rest = 0;
    for (size_t i = 0; i < ops.size(); ++i) {
      const auto& [name, n] = ops[i];
      const int row = static_cast<int>(i);
      const double share =
          info.operator_count > 0 ? 100.0 * static_cast<double>(n) / static_cast<double>(info.operator_count) : 0.0;
      ops_table_->setItem(row, 0, item(qstr(name)));
      ops_table_->setItem(row, 1, numberItem(style::count(n)));
      ops_table_->setItem(row, 2, numberItem(QStringLiteral("%1%").arg(share, 0, 'f', 1)));
      if (i < kMaxBars) {
        labels << qstr(name);
        values << static_cast<double>(n);
        texts << style::count(n);
      } else {
        rest += n;
      }
    }
    if (rest > 0) {
      labels << tr("%1 other kinds").arg(ops.size() - kMaxBars);
      values << static_cast<double>(rest);
      texts << style::count(rest);
    }
    style::shrinkToContents(ops_table_, kMaxOpRows);
    style::fitHeight(ops_table_, kMaxOpRows);
    drawBars(ops_plot_, labels, values, texts, tr("ops"));
    // Counts are whole numbers: no ticks in between.
    auto ticker = QSharedPointer<QCPAxisTickerFixed>::create();
    ticker->setTickStep(1.0);
    ticker->setScaleStrategy(QCPAxisTickerFixed::ssMultiples);
    ops_plot_->xAxis->setTicker(ticker);
    ops_plot_->xAxis->setSubTicks(false);
    ops_plot_->replot();
    ops_table_->show();
    ops_plot_->show();
  }

  // Subgraphs: inputs and outputs.
  // One subgraph needs no section of its own: its caption is the heading.
  const bool several = info.subgraphs.size() > 1;
  subgraphs_heading_->setText(tr("Subgraphs (%1)").arg(info.subgraphs.size()));
  subgraphs_heading_->setVisible(several);
  QWidget* content = subgraphs_heading_->parentWidget();
  for (const auto& sg : info.subgraphs) {
    const QString name = sg.name.empty() ? QString() : QStringLiteral(" “%1”").arg(qstr(sg.name));
    QLabel* caption = style::heading(tr("Subgraph %1%2").arg(sg.index).arg(name), content);
    if (several) {
      QFont f = caption->font();
      f.setPointSizeF(font().pointSizeF());
      caption->setFont(f);
      caption->setContentsMargins(0, 6, 0, 0);
    }
    auto* detail = style::subtitle(content);
    // The op list only where the model-wide histogram does not say it.
    QStringList opList;
    if (several) {
      std::vector<std::pair<std::string, size_t>> sgOps(sg.operators.begin(), sg.operators.end());
      std::stable_sort(sgOps.begin(), sgOps.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
      for (const auto& [op, n] : sgOps) opList << QStringLiteral("%1 ×%2").arg(qstr(op)).arg(n);
    }
    detail->setText(tr("%1 ops, %2 tensors · inputs and outputs:%3")
                        .arg(sg.operator_count)
                        .arg(sg.tensor_count)
                        .arg(opList.isEmpty() ? QString() : QStringLiteral("  ") + opList.join(QStringLiteral(", "))));
    auto* table = ioTable(content);
    table->setObjectName(QStringLiteral("subgraphTable%1").arg(sg.index));
    const auto addRows = [&](const std::vector<inspect::TensorSummary>& list, const QString& direction) {
      for (const auto& t : list) {
        const int row = table->rowCount();
        table->insertRow(row);
        table->setItem(row, 0, item(direction));
        auto* index = numberItem(QString::number(t.index));
        index->setData(Qt::UserRole, static_cast<int>(t.index));
        index->setData(Qt::UserRole + 1, static_cast<int>(sg.index));
        table->setItem(row, 1, index);
        table->setItem(row, 2, item(qstr(t.name), qstr(t.name)));
        table->setItem(row, 3, item(qstr(t.type)));
        table->setItem(row, 4, item(shapeText(t.shape)));
        table->setItem(row, 5, item(t.shape_signature.empty() || t.shape_signature == t.shape
                                        ? QString()
                                        : shapeText(t.shape_signature)));
        table->setItem(row, 6, item(quantizationText(t.quantization)));
      }
    };
    addRows(sg.inputs, tr("input"));
    addRows(sg.outputs, tr("output"));
    const bool anySignature = std::any_of(sg.inputs.begin(), sg.inputs.end(), [](const auto& t) {
      return !t.shape_signature.empty() && t.shape_signature != t.shape;
    }) || std::any_of(sg.outputs.begin(), sg.outputs.end(), [](const auto& t) {
      return !t.shape_signature.empty() && t.shape_signature != t.shape;
    });
    table->setColumnHidden(5, !anySignature);
    const bool anyQuantization =
        std::any_of(sg.inputs.begin(), sg.inputs.end(), [](const auto& t) { return !quantizationText(t.quantization).isEmpty(); }) ||
        std::any_of(sg.outputs.begin(), sg.outputs.end(), [](const auto& t) { return !quantizationText(t.quantization).isEmpty(); });
    table->setColumnHidden(6, !anyQuantization);
    style::stretchColumn(table, 2);
    style::fitHeight(table, 16);
    subgraphs_layout_->addWidget(caption);
    subgraphs_layout_->addWidget(detail);
    subgraphs_layout_->addWidget(table);
    subgraph_tables_ << table;
  }

  // Signatures.
  if (!info.signatures.empty()) {
    signatures_heading_->setText(tr("Signatures (%1)").arg(info.signatures.size()));
    for (const auto& sig : info.signatures) {
      const auto addRows = [&](const auto& list, const QString& direction) {
        for (const auto& [alias, t] : list) {
          const int row = signatures_table_->rowCount();
          signatures_table_->insertRow(row);
          signatures_table_->setItem(
              row, 0, item(QStringLiteral("%1 → subgraph %2").arg(qstr(sig.key)).arg(sig.subgraph)));
          signatures_table_->setItem(row, 1, item(direction));
          signatures_table_->setItem(row, 2, item(qstr(alias)));
          auto* index = numberItem(QString::number(t.index));
          index->setData(Qt::UserRole, static_cast<int>(t.index));
          index->setData(Qt::UserRole + 1, static_cast<int>(sig.subgraph));
          signatures_table_->setItem(row, 3, index);
          signatures_table_->setItem(row, 4, item(qstr(t.name), qstr(t.name)));
          signatures_table_->setItem(row, 5, item(qstr(t.type)));
          signatures_table_->setItem(row, 6, item(shapeText(t.shape)));
          signatures_table_->setItem(row, 7, item(quantizationText(t.quantization)));
        }
      };
      addRows(sig.inputs, tr("input"));
      addRows(sig.outputs, tr("output"));
    }
    bool anyQuantization = false;
    for (int r = 0; r < signatures_table_->rowCount(); ++r)
      anyQuantization |= !signatures_table_->item(r, 7)->text().isEmpty();
    signatures_table_->setColumnHidden(7, !anyQuantization);
    style::stretchColumn(signatures_table_, 4);
    style::fitHeight(signatures_table_, 16);
    signatures_heading_->show();
    signatures_table_->show();
  }

  showTfliteMetadata(info);

  // Metadata.
  if (!info.metadata.empty()) {
    metadata_heading_->setText(tr("Metadata (%1)").arg(info.metadata.size()));
    metadata_table_->setRowCount(static_cast<int>(info.metadata.size()));
    for (size_t i = 0; i < info.metadata.size(); ++i) {
      const auto& m = info.metadata[i];
      const int row = static_cast<int>(i);
      metadata_table_->setItem(row, 0, item(qstr(m.name)));
      metadata_table_->setItem(row, 1, numberItem(QString::number(m.buffer)));
      metadata_table_->setItem(row, 2, numberItem(style::bytes(m.bytes)));
    }
    style::shrinkToContents(metadata_table_);
    style::fitHeight(metadata_table_);
    metadata_heading_->show();
    metadata_table_->show();
  }
}

}  // namespace qs::widgets
