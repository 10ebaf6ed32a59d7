#include "widgets/table_selection.h"

#include <QItemSelectionModel>
#include <QSortFilterProxyModel>
#include <QTableView>

namespace qs::widgets {

void selectSourceRow(QTableView* view, QSortFilterProxyModel* proxy, int row) {
  const QModelIndex source = proxy->sourceModel()->index(row, 0);
  const QModelIndex index = proxy->mapFromSource(source);
  if (!index.isValid()) {
    view->clearSelection();
    return;
  }
  // The views emit on click/activation only, so a programmatic selection
  // cannot echo back to whoever asked for it.
  view->selectionModel()->setCurrentIndex(index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
  view->scrollTo(index, QAbstractItemView::PositionAtCenter);
}

}  // namespace qs::widgets
