#include "widgets/graph_items.h"

#include <QPainter>
#include <QStyleOptionGraphicsItem>

#include <algorithm>
#include <cmath>
#include <limits>

namespace qs::widgets {

namespace {

QColor withAlpha(QColor color, int alpha) {
  color.setAlpha(alpha);
  return color;
}

QColor mix(const QColor& a, const QColor& b, double t) {
  return QColor::fromRgbF(static_cast<float>(a.redF() + (b.redF() - a.redF()) * t),
                          static_cast<float>(a.greenF() + (b.greenF() - a.greenF()) * t),
                          static_cast<float>(a.blueF() + (b.blueF() - a.blueF()) * t));
}

QPen makePen(const QColor& color, double width, Qt::PenStyle style = Qt::SolidLine) {
  QPen pen(color, width, style, Qt::RoundCap, Qt::RoundJoin);
  return pen;
}

QPen cosmeticPen(const QColor& color, double width) {
  QPen pen(color, width, Qt::SolidLine, Qt::FlatCap, Qt::MiterJoin);
  pen.setCosmetic(true);
  return pen;
}

double levelOfDetail(const QStyleOptionGraphicsItem* option, const QPainter* painter) {
  return option != nullptr ? option->levelOfDetailFromTransform(painter->worldTransform())
                           : std::sqrt(std::abs(painter->worldTransform().determinant()));
}

double distanceToSegment(const QPointF& p, const QPointF& a, const QPointF& b) {
  const QPointF ab = b - a;
  const double len2 = QPointF::dotProduct(ab, ab);
  double t = len2 > 0 ? QPointF::dotProduct(p - a, ab) / len2 : 0;
  t = std::clamp(t, 0.0, 1.0);
  const QPointF d = p - (a + t * ab);
  return std::hypot(d.x(), d.y());
}

constexpr double kArrowLength = 7;
constexpr double kArrowHalfWidth = 3.6;

}  // namespace

GraphSceneStyle::GraphSceneStyle() : fonts(makeGraphFonts()), palette(graphPalette()) {
  for (int c = 0; c < kOpCategoryCount; ++c) {
    const auto& colors = categoryColors(static_cast<OpCategory>(c));
    auto& cat = categories[static_cast<size_t>(c)];
    cat.fill = QBrush(colors.fill);
    cat.accent = QBrush(colors.accent);
    cat.block = QBrush(mix(colors.accent, colors.fill, 0.3));
    cat.border = makePen(withAlpha(colors.accent, 150), 1);
    cat.borderSmall = cosmeticPen(withAlpha(colors.accent, 200), 1);
    cat.text = QPen(colors.text);
    cat.separator = makePen(withAlpha(colors.accent, 70), 1);
  }
  bodyBrush = QBrush(palette.nodeBody);
  ioBrush = QBrush(palette.ioFill);
  stateBrush = QBrush(palette.stateFill);
  tagBrush = QBrush(palette.tagFill);
  hitFillBrush = QBrush(palette.hitFill);
  highlightBrush = QBrush(palette.highlight);
  hitBrush = QBrush(palette.hit);
  edgeBrush = QBrush(palette.edge);
  edgeHighlightBrush = QBrush(palette.related);
  labelBackBrush = QBrush(withAlpha(palette.background, 225));

  ioBorder = makePen(palette.ioBorder, 1.1);
  stateBorder = makePen(palette.ioBorder, 1.1, Qt::DashLine);
  ioText = QPen(palette.ioText);
  detailText = QPen(palette.detailText);
  detailMuted = QPen(palette.detailMuted);
  tagText = QPen(palette.tagText);
  tagBorder = makePen(palette.tagBorder, 0.8);

  selectedBorder = makePen(palette.highlight, 2);
  selectedHalo = makePen(withAlpha(palette.highlight, 60), 6);
  relatedBorder = makePen(withAlpha(palette.highlight, 200), 1.5);
  hitBorder = makePen(palette.hit, 2);
  hitHalo = makePen(withAlpha(palette.hit, 70), 6);

  edgePen = makePen(palette.edge, 1.0);
  edgeHighlightPen = makePen(palette.related, 2.4);
  edgeHitPen = makePen(palette.hit, 2.4);
  edgeLowPen = cosmeticPen(palette.edge, 1);
  edgeSmallPen = cosmeticPen(palette.edge, 1);
  edgeSmallPen.setCapStyle(Qt::RoundCap);
  ioBorderSmall = cosmeticPen(palette.ioBorder, 1);
  edgeLowHighlightPen = cosmeticPen(palette.related, 2);
  edgeLabelPen = QPen(palette.edgeLabel);
  edgeLabelHighlightPen = QPen(palette.related);
}

// GraphNodeItem --------------------------------------------------------------

GraphNodeItem::GraphNodeItem(const GraphSceneStyle* style, Kind kind, int index, int node, const QRectF& rect)
    : style_(style), rect_(rect), index_(index), node_(node), kind_(kind) {
  setAcceptedMouseButtons(Qt::NoButton);
  setZValue(1);
}

void GraphNodeItem::setHighlight(uint8_t flags) {
  if (flags == highlight_) return;
  highlight_ = flags;
  update();
}

QRectF GraphNodeItem::boundingRect() const {
  // Room for the selection halo.
  return rect_.adjusted(-4, -4, 4, 4);
}

void GraphNodeItem::paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget*) {
  const double lod = levelOfDetail(option, painter);
  if (kind_ == Kind::Op) {
    paintOp(painter, lod);
  } else {
    paintTensor(painter, lod);
  }
}

void GraphNodeItem::paintOp(QPainter* painter, double lod) const {
  const auto& s = *style_;
  const auto& cat = s.categories[static_cast<size_t>(category)];
  const uint8_t hl = s.plain ? uint8_t{0} : highlight_;

  if (lod < GraphSceneStyle::kLodBlocks) {
    painter->setRenderHint(QPainter::Antialiasing, false);
    const QBrush& brush = (hl & HighlightSelected) != 0 ? s.highlightBrush
                          : (hl & HighlightHit) != 0    ? s.hitBrush
                                                        : cat.block;
    painter->fillRect(rect_, brush);
    return;
  }

  painter->setRenderHint(QPainter::Antialiasing, true);
  const double r = GraphSceneStyle::kCornerRadius;

  // Halo first, under the box.
  if ((hl & (HighlightSelected | HighlightHit)) != 0) {
    painter->setPen((hl & HighlightSelected) != 0 ? s.selectedHalo : s.hitHalo);
    painter->setBrush(Qt::NoBrush);
    painter->drawRoundedRect(rect_.adjusted(-1, -1, 1, 1), r + 1, r + 1);
  }

  // The title band fills the whole box; the body is painted over its lower part.
  painter->setPen(Qt::NoPen);
  painter->setBrush(cat.fill);
  painter->drawRoundedRect(rect_, r, r);
  if (headerHeight > 0) {
    const double top = rect_.top() + headerHeight;
    painter->setBrush((hl & HighlightHit) != 0 && (hl & HighlightSelected) == 0 ? s.hitFillBrush
                                                                                : s.bodyBrush);
    painter->drawRect(QRectF(rect_.left(), top, rect_.width(), rect_.bottom() - r - top + 0.5));
    painter->drawRoundedRect(QRectF(rect_.left(), rect_.bottom() - 2 * r, rect_.width(), 2 * r), r, r);
    painter->setPen(cat.separator);
    painter->drawLine(QPointF(rect_.left() + 0.5, top), QPointF(rect_.right() - 0.5, top));
  }

  painter->setBrush(Qt::NoBrush);
  if ((hl & HighlightSelected) != 0) {
    painter->setPen(s.selectedBorder);
  } else if ((hl & HighlightHit) != 0) {
    painter->setPen(s.hitBorder);
  } else if ((hl & HighlightRelated) != 0) {
    painter->setPen(s.relatedBorder);
  } else {
    painter->setPen(lod < GraphSceneStyle::kLodText ? cat.borderSmall : cat.border);
  }
  painter->drawRoundedRect(rect_.adjusted(0.5, 0.5, -0.5, -0.5), r - 0.5, r - 0.5);

  if (lod < GraphSceneStyle::kLodText) return;

  const QStaticText* text = texts();
  painter->setPen(cat.text);
  painter->setFont(s.fonts.title);
  painter->drawStaticText(rect_.topLeft() + title.pos, text[0]);

  if (!tag.text.isEmpty()) {
    painter->setPen(s.tagBorder);
    painter->setBrush(s.tagBrush);
    painter->drawRoundedRect(tagRect.translated(rect_.topLeft()), 3, 3);
    painter->setPen(s.tagText);
    painter->setFont(s.fonts.tag);
    painter->drawStaticText(rect_.topLeft() + tag.pos, text[1]);
  }

  if (lod < GraphSceneStyle::kLodDetails || lines.empty()) return;
  painter->setFont(s.fonts.detail);
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].text.isEmpty()) continue;
    // Roles (even entries) muted, values (odd) in the text colour.
    painter->setPen(i % 2 == 0 ? s.detailMuted : s.detailText);
    painter->drawStaticText(rect_.topLeft() + lines[i].pos, text[2 + i]);
  }
}

const QStaticText* GraphNodeItem::texts() const {
  if (!texts_) {
    texts_ = std::make_unique<QStaticText[]>(2 + lines.size());
    const auto prepare = [](QStaticText& target, const QString& text) {
      target.setTextFormat(Qt::PlainText);  // tensor names may contain '<'
      target.setText(text);
    };
    prepare(texts_[0], title.text);
    prepare(texts_[1], tag.text);
    for (size_t i = 0; i < lines.size(); ++i) prepare(texts_[2 + i], lines[i].text);
  }
  return texts_.get();
}

void GraphNodeItem::paintTensor(QPainter* painter, double lod) const {
  const auto& s = *style_;
  const uint8_t hl = s.plain ? uint8_t{0} : highlight_;
  const bool state = kind_ == Kind::State;

  if (lod < GraphSceneStyle::kLodBlocks) {
    painter->setRenderHint(QPainter::Antialiasing, false);
    const QBrush& brush = (hl & HighlightSelected) != 0 ? s.highlightBrush
                          : (hl & HighlightHit) != 0    ? s.hitBrush
                                                        : s.edgeBrush;
    painter->fillRect(rect_, brush);
    return;
  }

  painter->setRenderHint(QPainter::Antialiasing, true);
  const double r = rect_.height() / 2;
  if ((hl & (HighlightSelected | HighlightHit)) != 0) {
    painter->setPen((hl & HighlightSelected) != 0 ? s.selectedHalo : s.hitHalo);
    painter->setBrush(Qt::NoBrush);
    painter->drawRoundedRect(rect_.adjusted(-1, -1, 1, 1), r + 1, r + 1);
  }
  if ((hl & HighlightSelected) != 0) {
    painter->setPen(s.selectedBorder);
  } else if ((hl & HighlightHit) != 0) {
    painter->setPen(s.hitBorder);
  } else {
    painter->setPen(state ? s.stateBorder : lod < GraphSceneStyle::kLodText ? s.ioBorderSmall : s.ioBorder);
  }
  painter->setBrush((hl & HighlightHit) != 0 && (hl & HighlightSelected) == 0 ? s.hitFillBrush
                    : state                                                   ? s.stateBrush
                                                                              : s.ioBrush);
  painter->drawRoundedRect(rect_.adjusted(0.5, 0.5, -0.5, -0.5), r - 0.5, r - 0.5);

  if (lod < GraphSceneStyle::kLodText) return;
  const QStaticText* text = texts();
  painter->setPen(s.ioText);
  painter->setFont(s.fonts.title);
  painter->drawStaticText(rect_.topLeft() + title.pos, text[0]);
  if (lod < GraphSceneStyle::kLodDetails) return;
  painter->setPen(s.detailMuted);
  painter->setFont(s.fonts.detail);
  for (size_t i = 0; i < lines.size(); ++i)
    painter->drawStaticText(rect_.topLeft() + lines[i].pos, text[2 + i]);
}

// GraphEdgeItem --------------------------------------------------------------

QPointF finalDirection(const QPolygonF& points) {
  // The last two distinct points.
  qsizetype last = points.size() - 1;
  if (last < 1) return {0, 1};
  qsizetype prev = last - 1;
  while (prev > 0 && points[prev] == points[last]) --prev;
  const QPointF a = points[prev];
  const QPointF b = points[last];
  if (std::abs(b.y() - a.y()) > 1e-9) return {0, b.y() > a.y() ? 1.0 : -1.0};
  const double len = std::hypot(b.x() - a.x(), b.y() - a.y());
  return len > 0 ? (b - a) / len : QPointF(0, 1);
}

QPointF smoothEdgePath(const QPolygonF& points, double endGap, QPainterPath& out) {
  out = QPainterPath();
  if (points.size() < 2) {
    if (!points.isEmpty()) out.moveTo(points.front());
    return {0, 1};
  }
  // Drop repeated points: they would make zero-length segments.
  QPolygonF pts;
  pts.reserve(points.size());
  for (const QPointF& p : points) {
    if (pts.isEmpty() || p != pts.back()) pts.push_back(p);
  }
  if (pts.size() < 2) pts.push_back(pts.front() + QPointF(0, 1));

  // The curve reaches the last point vertically unless its segment is flat.
  const QPointF a = pts[pts.size() - 2];
  const QPointF b = pts.back();
  const QPointF dir = finalDirection(pts);
  const double segment = std::hypot(b.x() - a.x(), b.y() - a.y());
  const double gap = std::min(endGap, segment * 0.5);
  pts.back() = b - dir * gap;

  out.moveTo(pts.front());
  for (qsizetype i = 0; i + 1 < pts.size(); ++i) {
    const QPointF p = pts[i];
    const QPointF q = pts[i + 1];
    const double dy = q.y() - p.y();
    if (std::abs(p.x() - q.x()) < 1e-9 || std::abs(dy) < 1e-9) {
      out.lineTo(q);
    } else {
      out.cubicTo(QPointF(p.x(), p.y() + dy / 2), QPointF(q.x(), q.y() - dy / 2), q);
    }
  }
  return dir;
}

GraphEdgeItem::GraphEdgeItem(const GraphSceneStyle* style, int edge, int tensor, int from, int to,
                             const QPolygonF& points)
    : style_(style), polyline_(points), edge_(edge), tensor_(tensor), from_(from), to_(to) {
  setAcceptedMouseButtons(Qt::NoButton);
  setZValue(0);
  const QPointF dir = finalDirection(polyline_);
  const QPointF tip = polyline_.isEmpty() ? QPointF() : polyline_.back();
  const QPointF base = tip - dir * kArrowLength;
  const QPointF normal(-dir.y(), dir.x());
  arrow_ = {tip, base + normal * kArrowHalfWidth, base - normal * kArrowHalfWidth};
  updateBounds();
}

const QPainterPath& GraphEdgeItem::path() const {
  if (!pathReady_) {
    smoothEdgePath(polyline_, kArrowLength, path_);
    pathReady_ = true;
  }
  return path_;
}

QPointF GraphEdgeItem::labelAnchor() const {
  if (polyline_.size() < 2) return polyline_.isEmpty() ? QPointF() : polyline_.front();
  return (polyline_[0] + polyline_[1]) / 2;
}

void GraphEdgeItem::setHighlight(uint8_t flags) {
  if (flags == highlight_) return;
  highlight_ = flags;
  // Highlighted edges are drawn over the others.
  setZValue((flags & (HighlightSelected | HighlightRelated)) != 0 ? 0.5 : (flags != 0 ? 0.25 : 0));
  update();
  if (label_ != nullptr) label_->update();
}

void GraphEdgeItem::updateBounds() {
  // The curve's control points stay inside each segment's box, so the
  // polyline's box holds the curve.
  QRectF r = polyline_.boundingRect();
  for (const QPointF& p : arrow_) r |= QRectF(p, QSizeF(0.001, 0.001));
  bounds_ = r.adjusted(-2, -2, 2, 2);
}

QRectF GraphEdgeItem::boundingRect() const { return bounds_; }

double GraphEdgeItem::distanceTo(const QPointF& point) const {
  double best = std::numeric_limits<double>::infinity();
  const auto polygons = path().toSubpathPolygons();
  for (const QPolygonF& poly : polygons) {
    for (qsizetype i = 0; i + 1 < poly.size(); ++i)
      best = std::min(best, distanceToSegment(point, poly[i], poly[i + 1]));
  }
  best = std::min(best, distanceToSegment(point, arrow_[0], (arrow_[1] + arrow_[2]) / 2));
  return best;
}

void GraphEdgeItem::paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget*) {
  const auto& s = *style_;
  const double lod = levelOfDetail(option, painter);
  const uint8_t hl = s.plain ? uint8_t{0} : highlight_;
  const bool strong = (hl & (HighlightSelected | HighlightRelated)) != 0;

  if (lod < GraphSceneStyle::kLodBlocks) {
    painter->setRenderHint(QPainter::Antialiasing, false);
    painter->setPen(strong ? s.edgeLowHighlightPen : s.edgeLowPen);
    painter->drawPolyline(polyline_);
    return;
  }

  painter->setRenderHint(QPainter::Antialiasing, true);
  painter->setBrush(Qt::NoBrush);
  painter->setPen(strong                            ? s.edgeHighlightPen
                  : (hl & HighlightHit) != 0        ? s.edgeHitPen
                  : lod < GraphSceneStyle::kLodText ? s.edgeSmallPen
                                                    : s.edgePen);
  painter->drawPath(path());
  painter->setPen(Qt::NoPen);
  painter->setBrush(strong ? s.edgeHighlightBrush : (hl & HighlightHit) != 0 ? s.hitBrush : s.edgeBrush);
  painter->drawConvexPolygon(arrow_.data(), 3);
}

// GraphLabelItem -------------------------------------------------------------

GraphLabelItem::GraphLabelItem(const GraphSceneStyle* style, GraphEdgeItem* edge, const QString& text,
                               const QRectF& rect)
    : style_(style), edge_(edge), text_(text), rect_(rect) {
  setAcceptedMouseButtons(Qt::NoButton);
  setZValue(0.75);
}

void GraphLabelItem::paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget*) {
  const auto& s = *style_;
  if (!s.edgeLabels || levelOfDetail(option, painter) < GraphSceneStyle::kLodEdgeLabels) return;
  if (!staticText_) {
    staticText_ = std::make_unique<QStaticText>();
    staticText_->setTextFormat(Qt::PlainText);
    staticText_->setText(text_);
  }
  const bool strong = !s.plain && (edge_->highlight() & (HighlightSelected | HighlightRelated)) != 0;
  painter->setRenderHint(QPainter::Antialiasing, true);
  painter->setPen(Qt::NoPen);
  painter->setBrush(s.labelBackBrush);
  painter->drawRoundedRect(rect_, 2, 2);
  painter->setPen(strong ? s.edgeLabelHighlightPen : s.edgeLabelPen);
  painter->setFont(s.fonts.edgeLabel);
  painter->drawStaticText(rect_.topLeft() + QPointF(2, 0.5), *staticText_);
}

}  // namespace qs::widgets
