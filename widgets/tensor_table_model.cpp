#include "widgets/tensor_table_model.h"

#include <QLocale>
#include <QStringList>

#include <algorithm>
#include <array>
#include <charconv>
#include <limits>
#include <tuple>
#include <utility>

#include "format/tensor_type.h"

namespace qs::widgets {

namespace {

// The shortest text that reads back as the same float: scales are stored as
// float32, and printing more digits than that invents precision ("0.0078125"
// rather than "0.00781250000").
QString float_text(float value) {
  std::array<char, 32> buffer{};
  const auto [end, ec] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
  if (ec != std::errc()) return QString::number(static_cast<double>(value));
  return QString::fromLatin1(buffer.data(), static_cast<qsizetype>(end - buffer.data()));
}

QString shape_text(const std::vector<int32_t>& shape) {
  return QString::fromStdString(format::shape_string(shape));
}

// Per-channel parameters can run to thousands of values; a tooltip shows the
// first few so it stays on screen.
template <class T, class Format>
QString value_list(const std::vector<T>& values, Format format) {
  constexpr size_t kShown = 8;
  QStringList parts;
  for (size_t i = 0; i < std::min(values.size(), kShown); ++i) parts << format(values[i]);
  QString text = parts.join(QStringLiteral(", "));
  if (values.size() > kShown) text += QStringLiteral(", … (%1 in all)").arg(values.size());
  return text;
}

QString int_text(int64_t value) { return QString::number(value); }

std::pair<QString, QString> quantization_text(const std::optional<format::Quantization>& q) {
  if (!q) return {};
  QStringList tip;
  if (!q->scale.empty()) tip << QStringLiteral("scale: %1").arg(value_list(q->scale, float_text));
  if (!q->zero_point.empty())
    tip << QStringLiteral("zero point: %1").arg(value_list(q->zero_point, int_text));
  if (!q->min.empty()) tip << QStringLiteral("min: %1").arg(value_list(q->min, float_text));
  if (!q->max.empty()) tip << QStringLiteral("max: %1").arg(value_list(q->max, float_text));

  QString text;
  if (q->per_channel()) {
    text = QStringLiteral("%1 channels (dim %2)").arg(q->scale.size()).arg(q->quantized_dimension);
  } else if (q->has_scale()) {
    text = QStringLiteral("scale %1").arg(float_text(q->scale.front()));
    if (!q->zero_point.empty()) text += QStringLiteral(", zero point %1").arg(q->zero_point.front());
  } else if (q->min.size() == 1 && q->max.size() == 1) {
    // Calibrated but not yet quantized: only the observed range is known.
    text = QStringLiteral("range [%1, %2]").arg(float_text(q->min.front()), float_text(q->max.front()));
  } else if (!q->min.empty() || !q->max.empty()) {
    text = QStringLiteral("%1 channel ranges (dim %2)")
               .arg(std::max(q->min.size(), q->max.size()))
               .arg(q->quantized_dimension);
  } else if (q->details) {
    text = QStringLiteral("custom scheme");
  }
  return {text, tip.join(QLatin1Char('\n'))};
}

}  // namespace

TensorTableModel::TensorTableModel(QObject* parent) : QAbstractTableModel(parent) {}

QString TensorTableModel::kindName(Kind kind) {
  switch (kind) {
    case Kind::Input: return tr("input");
    case Kind::Output: return tr("output");
    case Kind::Variable: return tr("variable");
    case Kind::Constant: return tr("constant");
    case Kind::Activation: return tr("activation");
  }
  return {};
}

void TensorTableModel::setModel(std::shared_ptr<const format::Model> model, int subgraph) {
  beginResetModel();
  rows_.clear();
  model_.reset();
  subgraph_ = -1;
  if (model && subgraph >= 0 && static_cast<size_t>(subgraph) < model->subgraphs.size()) {
    model_ = std::move(model);
    subgraph_ = subgraph;
    const format::Subgraph& sg = model_->subgraphs[static_cast<size_t>(subgraph)];

    // Indices come from a verified file, but a Model can also be built or
    // edited in memory, so out-of-range ones are ignored rather than trusted.
    std::vector<bool> is_input(sg.tensors.size()), is_output(sg.tensors.size());
    for (const int32_t t : sg.inputs)
      if (t >= 0 && static_cast<size_t>(t) < sg.tensors.size()) is_input[static_cast<size_t>(t)] = true;
    for (const int32_t t : sg.outputs)
      if (t >= 0 && static_cast<size_t>(t) < sg.tensors.size()) is_output[static_cast<size_t>(t)] = true;

    rows_.reserve(sg.tensors.size());
    for (size_t i = 0; i < sg.tensors.size(); ++i) {
      const format::Tensor& t = sg.tensors[i];
      Row row;
      row.name = QString::fromStdString(t.name);
      row.type = QString::fromStdString(format::type_name(t.type));
      row.shape = shape_text(t.shape);
      if (!t.shape_signature.empty() && t.shape_signature != t.shape) {
        row.shape += tr(" (signature %1)").arg(shape_text(t.shape_signature));
        row.shape_tooltip = tr("-1 in the signature: the size is fixed only at run time");
      }
      if (const auto n = format::element_count(t.shape); n && *n <= static_cast<uint64_t>(std::numeric_limits<qint64>::max()))
        row.elements = static_cast<qint64>(*n);
      row.bytes = static_cast<qint64>(model_->tensor_data(t).size());
      if (is_input[i]) row.kind = Kind::Input;
      else if (is_output[i]) row.kind = Kind::Output;
      else if (t.is_variable) row.kind = Kind::Variable;
      else if (row.bytes > 0) row.kind = Kind::Constant;
      else row.kind = Kind::Activation;
      std::tie(row.quantization, row.quantization_tooltip) = quantization_text(t.quantization);
      rows_.push_back(std::move(row));
    }
  }
  endResetModel();
}

void TensorTableModel::clear() { setModel(nullptr, -1); }

int TensorTableModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(rows_.size());
}

int TensorTableModel::columnCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : ColumnCount;
}

QVariant TensorTableModel::data(const QModelIndex& index, int role) const {
  if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
    return {};
  const Row& row = rows_[static_cast<size_t>(index.row())];
  const int column = index.column();

  switch (role) {
    case Qt::DisplayRole:
      switch (column) {
        case IndexColumn: return index.row();
        case NameColumn: return row.name;
        case TypeColumn: return row.type;
        case ShapeColumn: return row.shape;
        case KindColumn: return kindName(row.kind);
        case BytesColumn: return row.bytes > 0 ? QLocale().toString(row.bytes) : QString();
        case QuantizationColumn: return row.quantization;
        default: return {};
      }
    case SortRole:
      switch (column) {
        case IndexColumn: return static_cast<qint64>(index.row());
        case ShapeColumn: return row.elements;
        case BytesColumn: return row.bytes;
        // Inputs first, activations last: the order of Kind, not the alphabet.
        case KindColumn: return static_cast<qint64>(row.kind);
        default: return data(index, Qt::DisplayRole);
      }
    case Qt::ToolTipRole:
      switch (column) {
        // Long names are elided in the cell.
        case NameColumn: return row.name;
        case ShapeColumn: return row.shape_tooltip.isEmpty() ? QVariant() : row.shape_tooltip;
        case QuantizationColumn:
          return row.quantization_tooltip.isEmpty() ? QVariant() : row.quantization_tooltip;
        default: return {};
      }
    case Qt::TextAlignmentRole:
      if (column == IndexColumn || column == BytesColumn)
        return QVariant::fromValue(Qt::Alignment(Qt::AlignRight | Qt::AlignVCenter));
      return {};
    case TensorIndexRole: return index.row();
    case KindRole: return static_cast<int>(row.kind);
    default: return {};
  }
}

QVariant TensorTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount)
    return QAbstractTableModel::headerData(section, orientation, role);
  if (role == Qt::DisplayRole) {
    switch (section) {
      case IndexColumn: return tr("#");
      case NameColumn: return tr("Name");
      case TypeColumn: return tr("Type");
      case ShapeColumn: return tr("Shape");
      case KindColumn: return tr("Kind");
      case BytesColumn: return tr("Bytes");
      case QuantizationColumn: return tr("Quantization");
      default: return {};
    }
  }
  if (role == Qt::ToolTipRole) {
    switch (section) {
      case IndexColumn: return tr("Index of the tensor in its subgraph");
      case ShapeColumn: return tr("Sorts by element count");
      case BytesColumn: return tr("Size of the constant data stored in the file");
      case QuantizationColumn: return tr("Scale and zero point; real = scale × (q − zero point)");
      default: return {};
    }
  }
  return {};
}

}  // namespace qs::widgets
