#include "widgets/tensor_values_model.h"

#include <algorithm>
#include <limits>

#include "inspect/tensor_stats.h"

namespace qs::widgets {

namespace {

// QAbstractItemModel counts rows in int; larger tensors show their first
// 2^31 - 1 elements, which no one scrolls past.
constexpr uint64_t kMaxRows = std::numeric_limits<int>::max();

}  // namespace

TensorValuesModel::TensorValuesModel(QObject* parent) : QAbstractTableModel(parent) {}

void TensorValuesModel::setTensor(std::shared_ptr<const format::Model> model, const format::Tensor* tensor) {
  beginResetModel();
  model_ = std::move(model);
  tensor_ = tensor;
  rows_ = 0;
  real_ = false;
  if (model_ && tensor_ && !tensor_->sparsity && inspect::is_numeric(tensor_->type)) {
    const auto count = format::element_count(tensor_->shape);
    const auto bytes = count ? format::dense_byte_size(tensor_->type, *count) : std::nullopt;
    // Only data that really holds every element (verified files always do).
    if (bytes && *bytes == model_->tensor_data(*tensor_).size() && *bytes > 0) {
      rows_ = static_cast<int>(std::min<uint64_t>(*count, kMaxRows));
      const auto& q = tensor_->quantization;
      real_ = q && q->has_scale() && inspect::is_integer(tensor_->type);
    }
  }
  endResetModel();
}

void TensorValuesModel::clear() { setTensor(nullptr, nullptr); }

int TensorValuesModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : rows_; }

int TensorValuesModel::columnCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : (real_ ? ColumnCount : RealColumn);
}

std::optional<double> TensorValuesModel::stored(int row) const {
  double value = 0;
  if (!inspect::decode_elements(tensor_->type, model_->tensor_data(*tensor_), static_cast<uint64_t>(row), {&value, 1}))
    return std::nullopt;
  return value;
}

std::optional<double> TensorValuesModel::real(int row, double value) const {
  const auto& q = *tensor_->quantization;
  size_t channel = 0;
  if (q.per_channel()) {
    // The channel is the element's coordinate along quantized_dimension.
    const auto dim = static_cast<size_t>(q.quantized_dimension);
    if (dim >= tensor_->shape.size()) return std::nullopt;
    uint64_t inner = 1;
    for (size_t d = dim + 1; d < tensor_->shape.size(); ++d) inner *= static_cast<uint64_t>(tensor_->shape[d]);
    channel = static_cast<size_t>((static_cast<uint64_t>(row) / inner) % static_cast<uint64_t>(tensor_->shape[dim]));
    if (channel >= q.scale.size()) return std::nullopt;
  }
  const double zero = q.zero_point.empty() ? 0.0 : static_cast<double>(q.zero_point[std::min(channel, q.zero_point.size() - 1)]);
  return static_cast<double>(q.scale[channel]) * (value - zero);
}

QString TensorValuesModel::indexText(int row) const {
  // Row-major coordinates, like the tensor's own layout: [n,h,w,c].
  const auto& shape = tensor_->shape;
  std::vector<uint64_t> coords(shape.size());
  auto rest = static_cast<uint64_t>(row);
  for (size_t d = shape.size(); d-- > 0;) {
    const auto extent = static_cast<uint64_t>(std::max(shape[d], 1));
    coords[d] = rest % extent;
    rest /= extent;
  }
  QStringList parts;
  for (const uint64_t c : coords) parts << QString::number(c);
  return QLatin1Char('[') + parts.join(QLatin1Char(',')) + QLatin1Char(']');
}

QVariant TensorValuesModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= rows_ || tensor_ == nullptr) return {};
  if (role == Qt::TextAlignmentRole)
    return index.column() == IndexColumn ? QVariant(Qt::AlignLeft | Qt::AlignVCenter)
                                         : QVariant(Qt::AlignRight | Qt::AlignVCenter);
  if (role != Qt::DisplayRole) return {};
  if (index.column() == IndexColumn) return indexText(index.row());
  const auto value = stored(index.row());
  if (!value) return {};
  if (index.column() == StoredColumn) return QString::number(*value, 'g', 8);
  const auto r = real(index.row(), *value);
  return r ? QVariant(QString::number(*r, 'g', 8)) : QVariant();
}

QVariant TensorValuesModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
  switch (section) {
    case IndexColumn:
      return tr("Index");
    case StoredColumn:
      return real_ ? tr("Stored") : tr("Value");
    case RealColumn:
      return tr("Real (scale · (q − zp))");
    default:
      return {};
  }
}

}  // namespace qs::widgets
