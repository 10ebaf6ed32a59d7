#include "widgets/tensor_table_view.h"

#include <QDataStream>
#include <QHeaderView>
#include <QIODevice>
#include <QLineEdit>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>

#include <utility>

#include "widgets/table_selection.h"
#include "widgets/tensor_table_model.h"

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
  connect(view_->horizontalHeader(), &QHeaderView::sectionResized, this,
          [this](int logicalIndex, int, int) { onSectionResized(logicalIndex); });

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
  if (!widthsChosen_) fitColumns();
}

void TensorTableView::fitColumns() {
  fitting_ = true;
  // Once per model rather than ResizeToContents, which would re-measure on
  // every scroll and filter step and fight the user's own column widths.
  view_->resizeColumnsToContents();
  // Some converters emit names hundreds of characters long; past this width
  // the middle is elided and the tooltip has the rest.
  constexpr int kMaxNameWidth = 420;
  if (view_->columnWidth(TensorTableModel::NameColumn) > kMaxNameWidth)
    view_->setColumnWidth(TensorTableModel::NameColumn, kMaxNameWidth);
  fitting_ = false;
}

void TensorTableView::selectTensor(int tensor) { selectSourceRow(view_, proxy_, tensor); }

void TensorTableView::emitForRow(const QModelIndex& proxyIndex) {
  if (!proxyIndex.isValid()) return;
  const int tensor = proxy_->data(proxyIndex, TensorTableModel::TensorIndexRole).toInt();
  emit tensorActivated(model_->subgraph(), tensor);
}

QByteArray TensorTableView::saveHeaderState() const {
  QByteArray state;
  QDataStream out(&state, QIODevice::WriteOnly);
  out.setVersion(QDataStream::Qt_6_0);
  out << kHeaderStateMagic << widthsChosen_ << view_->horizontalHeader()->saveState();
  return state;
}

bool TensorTableView::restoreHeaderState(const QByteArray& state) {
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

void TensorTableView::onSectionResized(int logicalIndex) {
  // Neither our own fitting nor the last column stretching with the view is
  // the user's choice.
  if (fitting_ || logicalIndex == lastVisibleSection(*view_->horizontalHeader())) return;
  widthsChosen_ = true;
}

}  // namespace qs::widgets
