#pragma once
// The shared look of the reading panels (details panel, model overview):
// titles, section headings, compact tables that show all their rows, plots
// with the application's fonts, and number formatting. Internal to
// qs_widgets.

#include <QColor>
#include <QString>

#include <cstdint>

class QCustomPlot;
class QLabel;
class QTableView;
class QTableWidget;
class QWidget;

namespace qs::widgets::style {

// Large bold text, wrapping.
QLabel* title(QWidget* parent);
// Secondary text under a title, in the palette's muted colour.
QLabel* subtitle(QWidget* parent);
// A section heading ("Inputs", "Statistics").
QLabel* heading(const QString& text, QWidget* parent);
// Muted explanatory text, wrapping.
QLabel* note(QWidget* parent);

// A read-only table of `columns` columns, one line per row, no row header,
// alternating rows, never a horizontal scroll bar; give it its width with
// stretchColumn() or shrinkToContents() and its height with fitHeight().
QTableWidget* table(int columns, QWidget* parent);
// The same settings for a table view over an item model.
void setUpTable(QTableView* view);
// Every column as wide as its contents, except `column`, which takes the
// rest of the width (and elides its text in the middle when short of room).
void stretchColumn(QTableView* view, int column);
// Columns as wide as their contents, and the table exactly as wide as its
// columns (plus a vertical scroll bar when more than `maxRows` rows).
void shrinkToContents(QTableView* view, int maxRows = 1 << 20);
// Gives `view` a fixed height that shows every row (up to `maxRows`, then
// it scrolls), so a panel scrolls as one page instead of many small ones.
void fitHeight(QTableView* view, int maxRows = 1 << 20);
// Right-aligns the header of numeric column `column`.
void alignHeaderRight(QTableWidget* table, int column);

// Plots: the widget's font, light grid, no outer margins wasted.
void stylePlot(QCustomPlot* plot);
// Moves the legend above the axis rect, in one row, so it never covers data.
void legendOnTop(QCustomPlot* plot);
QColor accent();       // bars and ranges
QColor accentLight();  // backgrounds of ranges

// "864 B", "453.0 KiB", "1.21 MiB".
QString bytes(uint64_t bytes);
// "1,234,567" in the user's locale.
QString count(uint64_t n);
// Up to 6 significant digits; "NaN", "inf" spelled out.
QString number(double value);
// The shortest text that reads back as the same float ("0.0078125").
QString floatText(float value);
// Long tensor names wrap at '/', ';', ':' and '_' (zero-width spaces).
QString breakable(const QString& name);

}  // namespace qs::widgets::style
