#include "widgets/op_table_model.h"

#include <QLocale>
#include <QStringList>

#include <algorithm>
#include <limits>
#include <utility>

#include "format/tensor_type.h"
#include "widgets/op_options_text.h"

namespace qs::widgets {

namespace {

QString qstr(const std::string& s) { return QString::fromStdString(s); }

bool valid_tensor(const format::Subgraph& sg, int32_t t) {
  return t >= 0 && static_cast<size_t>(t) < sg.tensors.size();
}

// "filter  #30 MobilenetV1/Conv2d_0/weights  UINT8[8,3,3,3]" lines.
QString tensor_lines(const format::Subgraph& sg, const format::Operator& op, bool inputs) {
  const auto& list = inputs ? op.inputs : op.outputs;
  QStringList lines;
  for (size_t i = 0; i < list.size(); ++i) {
    const std::string slot = inputs ? input_slot_name(op.code.builtin, i, list.size())
                                    : output_slot_name(op.code.builtin, i, list.size());
    const int32_t t = list[i];
    if (t < 0) {
      lines << QStringLiteral("%1: (omitted)").arg(qstr(slot));
    } else if (!valid_tensor(sg, t)) {
      lines << QStringLiteral("%1: #%2 (no such tensor)").arg(qstr(slot)).arg(t);
    } else {
      const auto& tensor = sg.tensors[static_cast<size_t>(t)];
      lines << QStringLiteral("%1: #%2 %3  %4%5")
                   .arg(qstr(slot))
                   .arg(t)
                   .arg(qstr(tensor.name), qstr(format::type_name(tensor.type)),
                        qstr(format::shape_string(tensor.shape)));
    }
  }
  return lines.join(QLatin1Char('\n'));
}

}  // namespace

OpTableModel::OpTableModel(QObject* parent) : QAbstractTableModel(parent) {}

void OpTableModel::setModel(std::shared_ptr<const format::Model> model, int subgraph) {
  beginResetModel();
  rows_.clear();
  model_.reset();
  subgraph_ = -1;
  if (model && subgraph >= 0 && static_cast<size_t>(subgraph) < model->subgraphs.size()) {
    model_ = std::move(model);
    subgraph_ = subgraph;
    const format::Subgraph& sg = model_->subgraphs[static_cast<size_t>(subgraph)];
    rows_.reserve(sg.operators.size());
    for (const format::Operator& op : sg.operators) {
      Row row;
      row.type = qstr(op_display_name(op.code));
      row.version = op.code.version;
      row.inputs = static_cast<int>(std::count_if(op.inputs.begin(), op.inputs.end(),
                                                  [](int32_t t) { return t >= 0; }));
      row.outputs = static_cast<int>(op.outputs.size());
      row.activation = qstr(fused_activation(op));
      row.type_tooltip = qstr(decode_options(op).summary());

      QStringList shapes, types;
      for (const int32_t t : op.outputs) {
        if (!valid_tensor(sg, t)) continue;
        const auto& tensor = sg.tensors[static_cast<size_t>(t)];
        shapes << qstr(format::shape_string(tensor.shape));
        const QString type = qstr(format::type_name(tensor.type));
        if (!types.contains(type)) types << type;
        if (row.output_elements < 0 && shapes.size() == 1) {
          if (const auto n = format::element_count(tensor.shape);
              n && *n <= static_cast<uint64_t>(std::numeric_limits<qint64>::max()))
            row.output_elements = static_cast<qint64>(*n);
        }
      }
      row.output_shape = shapes.join(QStringLiteral("; "));
      row.output_type = types.join(QStringLiteral(", "));

      // Each constant input once, even when an op reads it twice.
      std::vector<int32_t> seen;
      for (const int32_t t : op.inputs) {
        if (!valid_tensor(sg, t) || std::find(seen.begin(), seen.end(), t) != seen.end()) continue;
        seen.push_back(t);
        const auto& tensor = sg.tensors[static_cast<size_t>(t)];
        if (model_->tensor_data(tensor).empty()) continue;
        if (const auto n = format::element_count(tensor.shape);
            n && *n <= static_cast<uint64_t>(std::numeric_limits<qint64>::max() - row.parameters))
          row.parameters += static_cast<qint64>(*n);
      }
      row.inputs_tooltip = tensor_lines(sg, op, true);
      row.outputs_tooltip = tensor_lines(sg, op, false);
      rows_.push_back(std::move(row));
    }
  }
  endResetModel();
}

void OpTableModel::clear() { setModel(nullptr, -1); }

int OpTableModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(rows_.size());
}

int OpTableModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant OpTableModel::data(const QModelIndex& index, int role) const {
  if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) return {};
  const Row& row = rows_[static_cast<size_t>(index.row())];
  const int column = index.column();

  switch (role) {
    case Qt::DisplayRole:
      switch (column) {
        case IndexColumn: return index.row();
        case TypeColumn: return row.type;
        case VersionColumn: return row.version;
        case InputsColumn: return row.inputs;
        case OutputsColumn: return row.outputs;
        case OutputShapeColumn: return row.output_shape;
        case OutputTypeColumn: return row.output_type;
        case ActivationColumn: return row.activation;
        case ParametersColumn: return row.parameters > 0 ? QLocale().toString(row.parameters) : QString();
        default: return {};
      }
    case SortRole:
      switch (column) {
        case IndexColumn: return static_cast<qint64>(index.row());
        case VersionColumn: return static_cast<qint64>(row.version);
        case InputsColumn: return static_cast<qint64>(row.inputs);
        case OutputsColumn: return static_cast<qint64>(row.outputs);
        case OutputShapeColumn: return row.output_elements;
        case ParametersColumn: return row.parameters;
        default: return data(index, Qt::DisplayRole);
      }
    case Qt::ToolTipRole:
      switch (column) {
        case TypeColumn: return row.type_tooltip.isEmpty() ? QVariant() : row.type_tooltip;
        case InputsColumn: return row.inputs_tooltip.isEmpty() ? QVariant() : row.inputs_tooltip;
        case OutputsColumn:
        case OutputShapeColumn:
        case OutputTypeColumn:
          return row.outputs_tooltip.isEmpty() ? QVariant() : row.outputs_tooltip;
        default: return {};
      }
    case Qt::TextAlignmentRole:
      switch (column) {
        case IndexColumn:
        case VersionColumn:
        case InputsColumn:
        case OutputsColumn:
        case ParametersColumn:
          return QVariant::fromValue(Qt::Alignment(Qt::AlignRight | Qt::AlignVCenter));
        default: return {};
      }
    case OpIndexRole: return index.row();
    default: return {};
  }
}

QVariant OpTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount)
    return QAbstractTableModel::headerData(section, orientation, role);
  if (role == Qt::DisplayRole) {
    switch (section) {
      case IndexColumn: return tr("#");
      case TypeColumn: return tr("Op");
      case VersionColumn: return tr("Version");
      case InputsColumn: return tr("Inputs");
      case OutputsColumn: return tr("Outputs");
      case OutputShapeColumn: return tr("Output shape");
      case OutputTypeColumn: return tr("Output type");
      case ActivationColumn: return tr("Activation");
      case ParametersColumn: return tr("Parameters");
      default: return {};
    }
  }
  if (role == Qt::ToolTipRole) {
    switch (section) {
      case IndexColumn: return tr("Index of the op in its subgraph (execution order)");
      case VersionColumn: return tr("Op version: which kernel features the op needs");
      case InputsColumn: return tr("Inputs present (omitted optional inputs are not counted)");
      case OutputShapeColumn: return tr("Sorts by the element count of the first output");
      case ActivationColumn: return tr("Activation fused into the op");
      case ParametersColumn: return tr("Elements of the op's constant inputs (weights, biases, …)");
      default: return {};
    }
  }
  return {};
}

}  // namespace qs::widgets
