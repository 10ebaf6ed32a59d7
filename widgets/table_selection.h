#pragma once
// Selecting a row of a sorted, filtered table from outside (the graph, the
// details panel), shared by the tensor and op tables.

class QSortFilterProxyModel;
class QTableView;

namespace qs::widgets {

// Selects and scrolls to source row `row` without emitting activation; when
// the filter hides it, the selection is cleared instead.
void selectSourceRow(QTableView* view, QSortFilterProxyModel* proxy, int row);

}  // namespace qs::widgets
