#include "widgets/panel_style.h"

#include <QApplication>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QPalette>
#include <QScrollBar>
#include <QTableWidget>

#include <qcustomplot.h>

#include <array>
#include <charconv>
#include <cmath>

namespace qs::widgets::style {

namespace {

QColor muted(const QWidget* w) {
  QColor c = w->palette().color(QPalette::WindowText);
  c.setAlphaF(0.62f);
  return c;
}

}  // namespace

QLabel* title(QWidget* parent) {
  auto* label = new QLabel(parent);
  QFont f = label->font();
  f.setPointSizeF(f.pointSizeF() * 1.35);
  f.setBold(true);
  label->setFont(f);
  label->setWordWrap(true);
  label->setTextFormat(Qt::PlainText);
  return label;
}

QLabel* subtitle(QWidget* parent) {
  auto* label = new QLabel(parent);
  QPalette p = label->palette();
  p.setColor(QPalette::WindowText, muted(label));
  label->setPalette(p);
  label->setWordWrap(true);
  return label;
}

QLabel* heading(const QString& text, QWidget* parent) {
  auto* label = new QLabel(text, parent);
  QFont f = label->font();
  f.setBold(true);
  f.setPointSizeF(f.pointSizeF() * 1.08);
  label->setFont(f);
  label->setContentsMargins(0, 10, 0, 2);
  return label;
}

QLabel* note(QWidget* parent) {
  auto* label = subtitle(parent);
  label->setTextFormat(Qt::PlainText);
  return label;
}

void setUpTable(QTableView* t) {
  t->setEditTriggers(QAbstractItemView::NoEditTriggers);
  t->setSelectionBehavior(QAbstractItemView::SelectRows);
  t->setSelectionMode(QAbstractItemView::SingleSelection);
  t->setAlternatingRowColors(true);
  t->setWordWrap(false);
  t->setShowGrid(false);
  t->setFrameShape(QFrame::StyledPanel);
  t->setTextElideMode(Qt::ElideMiddle);  // tensor names differ at both ends
  t->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  t->setFocusPolicy(Qt::StrongFocus);
  t->verticalHeader()->hide();
  t->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
  t->verticalHeader()->setDefaultSectionSize(t->fontMetrics().height() + 8);
  t->horizontalHeader()->setStretchLastSection(false);
  t->horizontalHeader()->setHighlightSections(false);
  t->horizontalHeader()->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);
  t->horizontalHeader()->setMinimumSectionSize(36);
}

QTableWidget* table(int columns, QWidget* parent) {
  auto* t = new QTableWidget(0, columns, parent);
  setUpTable(t);
  return t;
}

namespace {

constexpr int kColumnPadding = 14;

void contentsWidths(QTableView* view) {
  view->resizeColumnsToContents();
  const int columns = view->model() != nullptr ? view->model()->columnCount() : 0;
  for (int c = 0; c < columns; ++c)
    if (!view->isColumnHidden(c)) view->setColumnWidth(c, view->columnWidth(c) + kColumnPadding);
}

}  // namespace

void stretchColumn(QTableView* view, int column) {
  contentsWidths(view);
  QHeaderView* header = view->horizontalHeader();
  const int columns = view->model() != nullptr ? view->model()->columnCount() : 0;
  for (int c = 0; c < columns; ++c)
    header->setSectionResizeMode(c, c == column ? QHeaderView::Stretch : QHeaderView::Interactive);
  view->setMinimumWidth(0);
  view->setMaximumWidth(QWIDGETSIZE_MAX);
}

void shrinkToContents(QTableView* view, int maxRows) {
  contentsWidths(view);
  const int rows = view->model() != nullptr ? view->model()->rowCount() : 0;
  int width = view->horizontalHeader()->length() + 2 * view->frameWidth();
  if (rows > maxRows) width += view->verticalScrollBar()->sizeHint().width();
  view->setFixedWidth(width);
}

void fitHeight(QTableView* view, int maxRows) {
  const int rows = view->model() != nullptr ? view->model()->rowCount() : 0;
  const int shown = std::min(rows, maxRows);
  int h = 2 * view->frameWidth();
  if (!view->horizontalHeader()->isHidden()) h += view->horizontalHeader()->sizeHint().height();
  h += shown * view->verticalHeader()->defaultSectionSize();
  if (view->horizontalScrollBarPolicy() != Qt::ScrollBarAlwaysOff)
    h += view->horizontalScrollBar()->sizeHint().height();
  view->setVerticalScrollBarPolicy(rows > maxRows ? Qt::ScrollBarAlwaysOn : Qt::ScrollBarAlwaysOff);
  view->setFixedHeight(h);
}

void alignHeaderRight(QTableWidget* table, int column) {
  if (QTableWidgetItem* header = table->horizontalHeaderItem(column))
    header->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
}

QColor accent() { return QColor(0x2f, 0x6f, 0xcf); }
QColor accentLight() { return QColor(0xc9, 0xd9, 0xf2); }

void stylePlot(QCustomPlot* plot) {
  const QFont font = plot->font();
  QFont small = font;
  small.setPointSizeF(font.pointSizeF() * 0.92);
  const QColor text = plot->palette().color(QPalette::WindowText);
  const QColor base = plot->palette().color(QPalette::Base);
  plot->setBackground(base);
  for (QCPAxis* axis : {plot->xAxis, plot->yAxis}) {
    axis->setTickLabelFont(small);
    axis->setLabelFont(font);
    axis->setTickLabelColor(text);
    axis->setLabelColor(text);
    QColor line = text;
    line.setAlphaF(0.55f);
    axis->setBasePen(QPen(line, 1));
    axis->setTickPen(QPen(line, 1));
    axis->setSubTickPen(QPen(line, 1));
    QColor grid = text;
    grid.setAlphaF(0.12f);
    axis->grid()->setPen(QPen(grid, 1, Qt::DotLine));
    axis->grid()->setZeroLinePen(QPen(grid, 1, Qt::SolidLine));
  }
  plot->xAxis2->setVisible(false);
  plot->yAxis2->setVisible(false);
  plot->legend->setFont(small);
  plot->legend->setBrush(QBrush(base));
  QColor border = text;
  border.setAlphaF(0.3f);
  plot->legend->setBorderPen(QPen(border));
  plot->setNoAntialiasingOnDrag(true);
}

void legendOnTop(QCustomPlot* plot) {
  // A row above the axis rect holding the legend, kept to its natural width
  // on the left by an empty element taking the rest.
  plot->plotLayout()->insertRow(0);
  auto* row = new QCPLayoutGrid;
  plot->plotLayout()->addElement(0, 0, row);
  row->addElement(0, 0, plot->legend);
  row->addElement(0, 1, new QCPLayoutElement(plot));
  row->setColumnStretchFactor(0, 0.001);
  row->setColumnStretchFactor(1, 1);
  row->setMargins(QMargins(8, 0, 0, 0));
  plot->legend->setFillOrder(QCPLegend::foColumnsFirst);
  plot->legend->setBrush(Qt::NoBrush);
  plot->legend->setBorderPen(Qt::NoPen);
  plot->legend->setMargins(QMargins(4, 4, 4, 0));
  plot->plotLayout()->setRowStretchFactor(0, 0.001);
  plot->legend->setVisible(true);
}

QString bytes(uint64_t n) {
  if (n < 1024) return QStringLiteral("%1 B").arg(n);
  const double kib = static_cast<double>(n) / 1024.0;
  if (kib < 1024) return QStringLiteral("%1 KiB").arg(kib, 0, 'f', 1);
  const double mib = kib / 1024.0;
  if (mib < 1024) return QStringLiteral("%1 MiB").arg(mib, 0, 'f', mib < 10 ? 2 : 1);
  return QStringLiteral("%1 GiB").arg(mib / 1024.0, 0, 'f', 2);
}

QString count(uint64_t n) { return QLocale().toString(static_cast<qulonglong>(n)); }

QString number(double value) {
  if (std::isnan(value)) return QStringLiteral("NaN");
  if (std::isinf(value)) return value > 0 ? QStringLiteral("inf") : QStringLiteral("−inf");
  if (value == 0) return QStringLiteral("0");
  QString s = QString::number(value, 'g', 6);
  if (s.startsWith(QLatin1Char('-'))) s.replace(0, 1, QChar(0x2212));  // a real minus sign
  return s;
}

QString floatText(float value) {
  std::array<char, 32> buffer{};
  const auto [end, ec] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
  if (ec != std::errc()) return QString::number(static_cast<double>(value));
  return QString::fromLatin1(buffer.data(), static_cast<qsizetype>(end - buffer.data()));
}

QString breakable(const QString& name) {
  QString out;
  out.reserve(name.size() + name.size() / 8);
  for (const QChar c : name) {
    out += c;
    if (c == QLatin1Char('/') || c == QLatin1Char(';') || c == QLatin1Char(':') || c == QLatin1Char('_') ||
        c == QLatin1Char(','))
      out += QChar(0x200B);
  }
  return out;
}

}  // namespace qs::widgets::style
