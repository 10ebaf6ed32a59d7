#pragma once
// The scene items of the graph view: one GraphNodeItem per node of the
// layout::ModelGraph (op, input, output, state), one GraphEdgeItem per edge
// (a tensor from its producer to one reader) and a GraphLabelItem per edge
// label.
//
// Items paint themselves from data prepared when the scene is built (text,
// geometry; pens and brushes shared in GraphSceneStyle), with levels of
// detail: below 30% zoom a plain block and a straight polyline, then boxes
// and curves without text, titles from 42%, constants from 52%, edge labels
// from 60%. An item's static texts and curve are made on its first detailed
// paint and kept, so painting allocates nothing after that and the many
// items of a big graph never seen up close cost no text layout at all.
// Items take no mouse events: the view hit-tests and selects.

#include <QBrush>
#include <QGraphicsItem>
#include <QPainterPath>
#include <QPen>
#include <QPolygonF>
#include <QStaticText>

#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include "widgets/graph_style.h"

namespace qs::widgets {

class GraphLabelItem;

// Highlight state of an item, a bit set.
enum GraphHighlight : uint8_t {
  HighlightNone = 0,
  HighlightSelected = 1,  // the selection itself
  HighlightRelated = 2,   // an edge of a selected node, a node folding a selected constant
  HighlightHit = 4,       // a find match
};

// Pens, brushes and fonts shared by every item of a scene, built once so
// that paint() only copies handles.
struct GraphSceneStyle {
  GraphSceneStyle();

  GraphFonts fonts;
  GraphPalette palette;
  struct Category {
    QBrush fill;
    QBrush accent;
    QBrush block;  // zoomed far out: between fill and accent
    QPen border;
    QPen borderSmall;  // cosmetic: at least a pixel when zoomed out
    QPen text;
    QPen separator;
  };
  std::array<Category, kOpCategoryCount> categories;

  QBrush bodyBrush, ioBrush, stateBrush, tagBrush, hitFillBrush, highlightBrush, hitBrush, edgeBrush,
      edgeHighlightBrush, labelBackBrush;
  QPen ioBorder, stateBorder, ioText, detailText, detailMuted, tagText, tagBorder;
  QPen selectedBorder, selectedHalo, relatedBorder, hitBorder, hitHalo;
  QPen edgePen, edgeHighlightPen, edgeHitPen, edgeLowPen, edgeLowHighlightPen, edgeLabelPen,
      edgeLabelHighlightPen;
  QPen ioBorderSmall, edgeSmallPen;

  // Levels of detail (scale factors): below kLodBlocks nodes are plain
  // blocks and edges straight polylines; below kLodText boxes and curves
  // with lines at least a pixel wide and no text; below kLodDetails only
  // titles; below kLodEdgeLabels no edge labels.
  static constexpr double kLodBlocks = 0.3;
  static constexpr double kLodText = 0.42;
  static constexpr double kLodDetails = 0.52;
  static constexpr double kLodEdgeLabels = 0.6;
  static constexpr double kCornerRadius = 5;

  bool edgeLabels = true;
  // Set while exporting: draw no selection or find highlights.
  bool plain = false;
};

class GraphNodeItem final : public QGraphicsItem {
 public:
  enum { Type = QGraphicsItem::UserType + 0x51 };
  enum class Kind : uint8_t { Op, Input, Output, State };

  // One line of text at a position relative to the box's top-left corner.
  struct Text {
    QString text;
    QPointF pos;
  };

  GraphNodeItem(const GraphSceneStyle* style, Kind kind, int index, int node, const QRectF& rect);

  int type() const override { return Type; }
  Kind kind() const { return kind_; }
  // Op index for an Op node, tensor index otherwise.
  int index() const { return index_; }
  // Index in the ModelGraph's nodes.
  int node() const { return node_; }
  // The box in scene coordinates (the item sits at the origin).
  const QRectF& rect() const { return rect_; }
  // Sets the box; only before the item joins a scene.
  void setBox(const QRectF& rect) { rect_ = rect; }

  uint8_t highlight() const { return highlight_; }
  void setHighlight(uint8_t flags);

  QRectF boundingRect() const override;
  void paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget* widget) override;

  // Content, filled in by the scene builder.
  OpCategory category = OpCategory::Other;
  Text title;
  Text tag;  // fused activation; empty text for none
  QRectF tagRect;
  std::vector<Text> lines;  // op: role/value pairs (role at even, value at odd); I/O: shape line
  double headerHeight = 0;  // op nodes with a body: height of the title band

 private:
  void paintOp(QPainter* painter, double lod) const;
  void paintTensor(QPainter* painter, double lod) const;
  // Static texts (title, tag, lines), laid out once on the first paint
  // that shows text: most items of a big graph are never seen up close.
  const QStaticText* texts() const;

  mutable std::unique_ptr<QStaticText[]> texts_;

  const GraphSceneStyle* style_;
  QRectF rect_;
  int index_;
  int node_;
  Kind kind_;
  uint8_t highlight_ = HighlightNone;
};

class GraphEdgeItem final : public QGraphicsItem {
 public:
  enum { Type = QGraphicsItem::UserType + 0x52 };

  // `points`: the layout's polyline, source to target.
  GraphEdgeItem(const GraphSceneStyle* style, int edge, int tensor, int from, int to,
                const QPolygonF& points);

  int type() const override { return Type; }
  int edge() const { return edge_; }
  int tensor() const { return tensor_; }
  int fromNode() const { return from_; }
  int toNode() const { return to_; }
  // The smoothed curve (built on first use).
  const QPainterPath& path() const;
  const QPolygonF& polyline() const { return polyline_; }

  // Where the tensor leaves its source: the middle of the first segment.
  QPointF labelAnchor() const;
  // The edge's "shape type" label, if it carries one (owned by the scene).
  GraphLabelItem* label() const { return label_; }
  void setLabel(GraphLabelItem* label) { label_ = label; }
  bool hasLabel() const { return label_ != nullptr; }

  uint8_t highlight() const { return highlight_; }
  void setHighlight(uint8_t flags);

  // Distance from a scene point to the drawn curve (for clicks).
  double distanceTo(const QPointF& point) const;

  QRectF boundingRect() const override;
  void paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget* widget) override;

 private:
  void updateBounds();

  const GraphSceneStyle* style_;
  QPolygonF polyline_;
  mutable QPainterPath path_;
  mutable bool pathReady_ = false;
  std::array<QPointF, 3> arrow_;
  GraphLabelItem* label_ = nullptr;
  QRectF bounds_;
  int edge_;
  int tensor_;
  int from_;
  int to_;
  uint8_t highlight_ = HighlightNone;
};

// An edge's "1×112×112×32 int8" label: its own item, above every edge and
// below the nodes, with a background so that lines passing under it do not
// cut through the text. Drawn from 60% zoom when labels are on; in the
// highlight colour while its edge is selected.
class GraphLabelItem final : public QGraphicsItem {
 public:
  enum { Type = QGraphicsItem::UserType + 0x53 };

  // `rect`: the label's box (text width + 4, font height + 1).
  GraphLabelItem(const GraphSceneStyle* style, GraphEdgeItem* edge, const QString& text, const QRectF& rect);

  int type() const override { return Type; }
  GraphEdgeItem* edge() const { return edge_; }
  const QString& text() const { return text_; }
  const QRectF& rect() const { return rect_; }

  QRectF boundingRect() const override { return rect_; }
  void paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget* widget) override;

 private:
  const GraphSceneStyle* style_;
  GraphEdgeItem* edge_;
  QString text_;
  QRectF rect_;
  mutable std::unique_ptr<QStaticText> staticText_;  // made on first paint
};

// Unit direction in which an edge through `points` reaches its last point
// (vertical unless the last segment is flat).
QPointF finalDirection(const QPolygonF& points);

// A smooth path through `points` with a vertical tangent at every point
// (cubic segments), ending `endGap` short of the last point so an arrow head
// can sit there. Returns the direction of the final approach (unit vector).
QPointF smoothEdgePath(const QPolygonF& points, double endGap, QPainterPath& out);

}  // namespace qs::widgets
