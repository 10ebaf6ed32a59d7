#include "widgets/op_table_view.h"

#include <QDataStream>
#include <QHeaderView>
#include <QIODevice>
#include <QItemSelectionModel>
#include <QLineEdit>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>

#include <utility>

#include "widgets/op_table_model.h"
#include "widgets/table_selection.h"

namespace qs::widgets {

namespace {

// Tags a saved header state, so that anything else under the settings key
// (an older format, a hand edit) is ignored rather than misread.
constexpr quint32 kHeaderStateMagic = 0x51534831;  // "QSH1"

int lastVisibleSection(const QHeaderView& header) {
  for (int visual = header.count() - 1; visual >= 0; --visual) {
    const int logical = header.logicalIndex(visual);
    if (!header.isSectionHidden(logical)) return logical;
  }
  return -1;
}

}  // namespace

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
  connect(view_->horizontalHeader(), &QHeaderView::sectionResized, this,
          [this](int logicalIndex, int, int) { onSectionResized(logicalIndex); });

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
  if (!widthsChosen_) fitColumns();
}

void OpTableView::fitColumns() {
  fitting_ = true;
  view_->resizeColumnsToContents();
  fitting_ = false;
}

void OpTableView::selectOp(int op) { selectSourceRow(view_, proxy_, op); }

void OpTableView::emitForRow(const QModelIndex& proxyIndex) {
  if (!proxyIndex.isValid()) return;
  const int op = proxy_->data(proxyIndex, OpTableModel::OpIndexRole).toInt();
  emit opActivated(model_->subgraph(), op);
}

QByteArray OpTableView::saveHeaderState() const {
  QByteArray state;
  QDataStream out(&state, QIODevice::WriteOnly);
  out.setVersion(QDataStream::Qt_6_0);
  out << kHeaderStateMagic << widthsChosen_ << view_->horizontalHeader()->saveState();
  return state;
}

bool OpTableView::restoreHeaderState(const QByteArray& state) {
  QDataStream in(state);
  in.setVersion(QDataStream::Qt_6_0);
  quint32 magic = 0;
  bool chosen = false;
  QByteArray header;
  in >> magic >> chosen >> header;
  if (in.status() != QDataStream::Ok || magic != kHeaderStateMagic) return false;
  fitting_ = true;
  const bool restored = view_->horizontalHeader()->restoreState(header);
  fitting_ = false;
  if (!restored) return false;
  widthsChosen_ = chosen;
  // The restored sort indicator, applied: the header alone only draws it.
  view_->sortByColumn(view_->horizontalHeader()->sortIndicatorSection(),
                      view_->horizontalHeader()->sortIndicatorOrder());
  return true;
}

void OpTableView::onSectionResized(int logicalIndex) {
  // Neither our own fitting nor the last column stretching with the view is
  // the user's choice.
  if (fitting_ || logicalIndex == lastVisibleSection(*view_->horizontalHeader())) return;
  widthsChosen_ = true;
}

}  // namespace qs::widgets
