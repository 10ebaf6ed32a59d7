#include "widgets/graph_overview.h"

#include <QGraphicsView>
#include <QMouseEvent>
#include <QPainter>
#include <QScrollBar>

#include <algorithm>
#include <cmath>

#include "widgets/graph_scene.h"

namespace qs::widgets {

namespace {

constexpr double kMaxWidth = 180;  // thumbnail box, logical pixels
constexpr double kMaxHeight = 180;
constexpr double kMinSide = 48;
constexpr int kPadding = 5;
constexpr int kMargin = 12;  // to the viewport's corner

}  // namespace

GraphOverview::GraphOverview(QGraphicsView* view) : QWidget(view), view_(view) {
  setObjectName(QStringLiteral("graphOverview"));
  setCursor(Qt::PointingHandCursor);
  setAttribute(Qt::WA_NoMousePropagation);
  setToolTip(tr("Overview: click or drag to move the view"));
  hide();
}

void GraphOverview::rebuild(GraphScene* scene) {
  thumbnail_ = QImage();
  hits_.clear();
  selection_ = {};
  if (scene == nullptr || scene->nodeItems().empty()) {
    hide();
    return;
  }
  sceneRect_ = scene->graphRect();
  // One scale when the graph's shape allows; a graph a thousand times taller
  // than wide (a long chain) is stretched across so that it stays visible.
  const double uniform = std::min(kMaxWidth / sceneRect_.width(), kMaxHeight / sceneRect_.height());
  scaleX_ = std::max(uniform, std::min(kMinSide, kMaxWidth) / sceneRect_.width());
  scaleY_ = std::max(uniform, std::min(kMinSide, kMaxHeight) / sceneRect_.height());
  scaleX_ = std::min(scaleX_, kMaxWidth / sceneRect_.width());
  scaleY_ = std::min(scaleY_, kMaxHeight / sceneRect_.height());
  const double w = sceneRect_.width() * scaleX_;
  const double h = sceneRect_.height() * scaleY_;
  const QSize box(static_cast<int>(std::ceil(std::max(w, kMinSide))) + 2 * kPadding,
                  static_cast<int>(std::ceil(std::max(h, kMinSide))) + 2 * kPadding);
  resize(box);
  thumbRect_ = QRectF((box.width() - w) / 2, (box.height() - h) / 2, w, h);

  // Drawn from the items' geometry rather than by rendering the scene: every
  // node gets at least a pixel however far the graph is scaled down.
  const double dpr = devicePixelRatioF();
  thumbnail_ = QImage(QSize(static_cast<int>(std::ceil(w * dpr)), static_cast<int>(std::ceil(h * dpr))),
                      QImage::Format_ARGB32_Premultiplied);
  thumbnail_.setDevicePixelRatio(dpr);
  thumbnail_.fill(Qt::transparent);
  QPainter painter(&thumbnail_);
  const double sx = scaleX_ * dpr;
  const double sy = scaleY_ * dpr;
  const auto toImage = [&](const QPointF& p) {
    return QPointF((p.x() - sceneRect_.left()) * sx, (p.y() - sceneRect_.top()) * sy);
  };
  painter.scale(1 / dpr, 1 / dpr);
  painter.setRenderHint(QPainter::Antialiasing, true);
  painter.setPen(QPen(graphPalette().edge, 1));
  QPolygonF line;
  for (const auto* edge : scene->edgeItems()) {
    line.clear();
    for (const QPointF& p : edge->polyline()) line.push_back(toImage(p));
    painter.drawPolyline(line);
  }
  painter.setRenderHint(QPainter::Antialiasing, false);
  for (const auto* node : scene->nodeItems()) {
    const QRectF r = node->rect();
    const QPointF topLeft = toImage(r.topLeft());
    const QRectF target(topLeft, QSizeF(std::max(1.0, r.width() * sx), std::max(1.0, r.height() * sy)));
    const QColor color = node->kind() == GraphNodeItem::Kind::Op ? categoryColors(node->category).accent
                                                                 : graphPalette().ioBorder;
    painter.fillRect(target, color);
  }
  painter.end();
  reposition();
  update();
}

void GraphOverview::reposition() {
  const QRect vp = view_->viewport()->geometry();
  move(vp.right() - width() - kMargin + 1, vp.bottom() - height() - kMargin + 1);
  raise();
}

void GraphOverview::setMarks(std::vector<QRectF> hits, const QRectF& selection) {
  hits_ = std::move(hits);
  selection_ = selection;
  update();
}

QRectF GraphOverview::toWidget(const QRectF& r) const {
  return QRectF(thumbRect_.left() + (r.left() - sceneRect_.left()) * scaleX_,
                thumbRect_.top() + (r.top() - sceneRect_.top()) * scaleY_, r.width() * scaleX_,
                r.height() * scaleY_);
}

QPointF GraphOverview::toScene(const QPointF& p) const {
  return QPointF(sceneRect_.left() + (p.x() - thumbRect_.left()) / scaleX_,
                 sceneRect_.top() + (p.y() - thumbRect_.top()) / scaleY_);
}

void GraphOverview::paintEvent(QPaintEvent*) {
  QPainter painter(this);
  painter.setRenderHint(QPainter::Antialiasing);
  painter.setPen(QPen(QColor(0xC5, 0xCB, 0xD3), 1));
  painter.setBrush(QColor(255, 255, 255, 236));
  painter.drawRoundedRect(QRectF(rect()).adjusted(0.5, 0.5, -0.5, -0.5), 5, 5);
  if (thumbnail_.isNull()) return;
  painter.drawImage(thumbRect_.topLeft(), thumbnail_);

  const auto& palette = graphPalette();
  painter.setPen(Qt::NoPen);
  painter.setBrush(palette.hit);
  for (const QRectF& hit : hits_) {
    const QRectF r = toWidget(hit);
    painter.drawEllipse(r.center(), 2.5, 2.5);
  }
  if (!selection_.isNull()) {
    painter.setBrush(palette.highlight);
    painter.drawEllipse(toWidget(selection_).center(), 3.5, 3.5);
  }

  // The visible area, clipped to the thumbnail so a zoomed-out view does not
  // draw a frame round the whole widget.
  const QRectF visible = view_->mapToScene(view_->viewport()->rect()).boundingRect();
  const QRectF frame = toWidget(visible).intersected(QRectF(rect()).adjusted(1, 1, -1, -1));
  if (frame.isEmpty()) return;
  QColor fill = palette.highlight;
  fill.setAlpha(28);
  painter.setBrush(fill);
  painter.setPen(QPen(palette.highlight, 1.5));
  painter.drawRect(frame.adjusted(0.75, 0.75, -0.75, -0.75));
}

void GraphOverview::moveViewTo(const QPointF& widgetPoint) { emit moveRequested(toScene(widgetPoint)); }

void GraphOverview::mousePressEvent(QMouseEvent* event) {
  if (event->button() != Qt::LeftButton) return QWidget::mousePressEvent(event);
  dragging_ = true;
  moveViewTo(event->position());
  event->accept();
}

void GraphOverview::mouseMoveEvent(QMouseEvent* event) {
  if (!dragging_) return QWidget::mouseMoveEvent(event);
  moveViewTo(event->position());
  event->accept();
}

void GraphOverview::mouseReleaseEvent(QMouseEvent* event) {
  if (event->button() == Qt::LeftButton) dragging_ = false;
  event->accept();
}

}  // namespace qs::widgets
