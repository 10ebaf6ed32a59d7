#include "widgets/op_table_view.h"

#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLineEdit>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>

#include <utility>

#include "widgets/op_table_model.h"
#include "widgets/table_selection.h"

namespace qs::widgets {

OpTableView::OpTableView(QWidget* parent)
    : QWidget(parent),
      model_(new OpTableModel(this)),
      proxy_(new QSortFilterProxyModel(this)),
      filter_(new QLineEdit(this)),
      view_(new QTableView(this)) {
  proxy_->setSourceModel(model_);
  proxy_->setSortRole(OpTableModel::SortRole);
  proxy_->setSortCaseSensitivity(Qt::CaseInsensitive);
  proxy_->setFilterCaseSensitivity(Qt::CaseInsensitive);
  proxy_->setFilterKeyColumn(-1);

  filter_->setObjectName(QStringLiteral("opFilter"));
  filter_->setPlaceholderText(tr("Filter ops (type, shape, activation, …)"));
  filter_->setClearButtonEnabled(true);
  connect(filter_, &QLineEdit::textChanged, proxy_, &QSortFilterProxyModel::setFilterFixedString);

  view_->setObjectName(QStringLiteral("opTable"));
  view_->setModel(proxy_);
  view_->setSortingEnabled(true);
  view_->sortByColumn(OpTableModel::IndexColumn, Qt::AscendingOrder);
  view_->setSelectionBehavior(QAbstractItemView::SelectRows);
  view_->setSelectionMode(QAbstractItemView::SingleSelection);
  view_->setAlternatingRowColors(true);
  view_->setWordWrap(false);
  view_->verticalHeader()->hide();
  view_->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
  view_->verticalHeader()->setDefaultSectionSize(view_->fontMetrics().height() + 6);
  view_->horizontalHeader()->setStretchLastSection(true);
  view_->horizontalHeader()->setHighlightSections(false);

  connect(view_, &QTableView::activated, this, &OpTableView::emitForRow);
  connect(view_, &QTableView::clicked, this, &OpTableView::emitForRow);

  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(filter_);
  layout->addWidget(view_);
  setFocusProxy(view_);
}

void OpTableView::setModel(std::shared_ptr<const format::Model> model, int subgraph) {
  model_->setModel(std::move(model), subgraph);
  view_->resizeColumnsToContents();
}

void OpTableView::selectOp(int op) { selectSourceRow(view_, proxy_, op); }

void OpTableView::emitForRow(const QModelIndex& proxyIndex) {
  if (!proxyIndex.isValid()) return;
  const int op = proxy_->data(proxyIndex, OpTableModel::OpIndexRole).toInt();
  emit opActivated(model_->subgraph(), op);
}

}  // namespace qs::widgets
