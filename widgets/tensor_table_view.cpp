#include "widgets/tensor_table_view.h"

#include <QHeaderView>
#include <QLineEdit>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>

#include <utility>

#include "widgets/table_selection.h"
#include "widgets/tensor_table_model.h"

namespace qs::widgets {

TensorTableView::TensorTableView(QWidget* parent)
    : QWidget(parent),
      model_(new TensorTableModel(this)),
      proxy_(new QSortFilterProxyModel(this)),
      filter_(new QLineEdit(this)),
      view_(new QTableView(this)) {
  proxy_->setSourceModel(model_);
  proxy_->setSortRole(TensorTableModel::SortRole);
  proxy_->setSortCaseSensitivity(Qt::CaseInsensitive);
  proxy_->setFilterCaseSensitivity(Qt::CaseInsensitive);
  proxy_->setFilterKeyColumn(-1);

  filter_->setObjectName(QStringLiteral("tensorFilter"));
  filter_->setPlaceholderText(tr("Filter tensors (name, type, kind, …)"));
  filter_->setClearButtonEnabled(true);
  // Tensor names are full of '/', '.', ':' and '[]': a fixed string matches
  // what the user typed, where a pattern would misread it.
  connect(filter_, &QLineEdit::textChanged, proxy_, &QSortFilterProxyModel::setFilterFixedString);

  view_->setObjectName(QStringLiteral("tensorTable"));
  view_->setModel(proxy_);
  view_->setSortingEnabled(true);
  view_->sortByColumn(TensorTableModel::IndexColumn, Qt::AscendingOrder);
  view_->setSelectionBehavior(QAbstractItemView::SelectRows);
  view_->setAlternatingRowColors(true);
  view_->setWordWrap(false);
  view_->setTextElideMode(Qt::ElideMiddle);  // tensor names differ at both ends
  view_->verticalHeader()->hide();            // the # column already numbers rows
  view_->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
  // One line of text per row: the style's default leaves room for two, and
  // models have hundreds of tensors to scan.
  view_->verticalHeader()->setDefaultSectionSize(view_->fontMetrics().height() + 6);
  view_->horizontalHeader()->setStretchLastSection(true);
  view_->horizontalHeader()->setHighlightSections(false);

  connect(view_, &QTableView::activated, this, &TensorTableView::emitForRow);
  connect(view_, &QTableView::clicked, this, &TensorTableView::emitForRow);

  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(filter_);
  layout->addWidget(view_);
  setFocusProxy(view_);
}

void TensorTableView::setModel(std::shared_ptr<const format::Model> model, int subgraph) {
  model_->setModel(std::move(model), subgraph);
  // Once per model rather than ResizeToContents, which would re-measure on
  // every scroll and filter step and fight the user's own column widths.
  view_->resizeColumnsToContents();
  // Some converters emit names hundreds of characters long; past this width
  // the middle is elided and the tooltip has the rest.
  constexpr int kMaxNameWidth = 420;
  if (view_->columnWidth(TensorTableModel::NameColumn) > kMaxNameWidth)
    view_->setColumnWidth(TensorTableModel::NameColumn, kMaxNameWidth);
}

void TensorTableView::selectTensor(int tensor) { selectSourceRow(view_, proxy_, tensor); }

void TensorTableView::emitForRow(const QModelIndex& proxyIndex) {
  if (!proxyIndex.isValid()) return;
  const int tensor = proxy_->data(proxyIndex, TensorTableModel::TensorIndexRole).toInt();
  emit tensorActivated(model_->subgraph(), tensor);
}

}  // namespace qs::widgets
