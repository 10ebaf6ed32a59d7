#include "widgets/graph_scene.h"

#include <QElapsedTimer>
#include <QFontMetricsF>
#include <QHash>

#include <algorithm>
#include <cmath>
#include <tuple>

#include "format/op_options.h"

namespace qs::widgets {

namespace {

// Node metrics, scene units (pixels at 100%).
constexpr double kPadX = 10;          // text to the box's sides
constexpr double kHeaderPadY = 5;     // above and below the title
constexpr double kBodyPadTop = 4;     // title band to the first detail line
constexpr double kBodyPadBottom = 5;  // last detail line to the bottom
constexpr double kMinOpWidth = 64;
constexpr double kRoleGap = 7;  // role column to value column
constexpr double kTagGap = 10;  // title to the activation chip
constexpr double kTagPadX = 4;
constexpr double kMaxTitleWidth = 280;  // longer custom codes and tensor names are elided
constexpr double kMaxValueWidth = 300;
constexpr size_t kMaxDetailLines = 6;  // past this, "+N more"
constexpr double kPillPadX = 16;
constexpr double kPillPadY = 5;
constexpr double kSceneMargin = 40;

// Layout spacing: a little more air between ranks than the engine's default
// so edge labels fit under their source.
layout::LayoutOptions layoutOptions() {
  layout::LayoutOptions options;
  options.node_spacing = 28;
  options.rank_spacing = 50;
  options.edge_spacing = 14;
  options.component_spacing = 60;
  return options;
}

// Font metrics with a memo of widths: models repeat the same op names,
// roles and shapes thousands of times, and shaping text is the main cost of
// building a big scene.
class TextMeasure {
 public:
  explicit TextMeasure(const QFont& font) : fm_(font) {}

  const QFontMetricsF& metrics() const { return fm_; }

  double width(const QString& text) {
    if (text.isEmpty()) return 0;
    const auto it = widths_.constFind(text);
    if (it != widths_.constEnd()) return *it;
    const double w = fm_.horizontalAdvance(text);
    widths_.insert(text, w);
    return w;
  }

  // Elides only when needed: measuring is much cheaper than eliding.
  QString fit(const QString& text, Qt::TextElideMode mode, double maxWidth) {
    return width(text) <= maxWidth ? text : fm_.elidedText(text, mode, maxWidth);
  }

 private:
  QFontMetricsF fm_;
  QHash<QString, double> widths_;
};

QString angleShape(const format::Tensor& tensor) { return QChar(0x27E8) + shapeText(tensor) + QChar(0x27E9); }

// Detail rows of an op node: (role, value).
struct Row {
  QString role;
  QString value;
};

void subgraphRow(const format::Model& model, std::vector<Row>& rows, const char* role, int32_t index) {
  QString value = QStringLiteral("subgraph %1").arg(index);
  if (index >= 0 && static_cast<size_t>(index) < model.subgraphs.size() &&
      !model.subgraphs[index].name.empty())
    value += QStringLiteral(" · ") + QString::fromStdString(model.subgraphs[index].name);
  rows.push_back({QString::fromUtf8(role), value});
}

std::vector<Row> opRows(const format::Model& model, const format::Subgraph& sg, const format::Operator& op,
                        const layout::ModelNode& node) {
  std::vector<Row> rows;
  if (const auto* o = format::options_as<tfl::WhileOptionsT>(op)) {
    subgraphRow(model, rows, "cond", o->cond_subgraph_index);
    subgraphRow(model, rows, "body", o->body_subgraph_index);
  } else if (const auto* i = format::options_as<tfl::IfOptionsT>(op)) {
    subgraphRow(model, rows, "then", i->then_subgraph_index);
    subgraphRow(model, rows, "else", i->else_subgraph_index);
  } else if (const auto* c = format::options_as<tfl::CallOnceOptionsT>(op)) {
    subgraphRow(model, rows, "init", c->init_subgraph_index);
  }
  const size_t room = kMaxDetailLines > rows.size() ? kMaxDetailLines - rows.size() : 0;
  const size_t shown = node.constants.size() > room ? (room > 0 ? room - 1 : 0) : node.constants.size();
  for (size_t k = 0; k < shown; ++k) {
    const auto& constant = node.constants[k];
    const auto& tensor = sg.tensors[constant.tensor];
    rows.push_back({inputRoleName(op.code.builtin, constant.slot),
                    angleShape(tensor) + QLatin1Char(' ') + typeText(tensor.type)});
  }
  if (shown < node.constants.size())
    rows.push_back({QString(), QStringLiteral("+%1 more").arg(node.constants.size() - shown)});
  return rows;
}

// The title of an input, output or state pill: the tensor's name, or
// "alias ← name" when a signature names it. The alias is what its caller
// uses, so it stays whole and the tensor name gives way; the specific part
// of a TF name is at its end, so that is the part kept.
QString pillTitle(TextMeasure& fm, const format::Tensor& tensor, uint32_t index, const QString& alias) {
  QString name = QString::fromStdString(tensor.name);
  if (name.isEmpty()) name = QStringLiteral("tensor %1").arg(index);
  if (alias.isEmpty() || alias == name) return fm.fit(name, Qt::ElideLeft, kMaxTitleWidth);
  const QString head = fm.fit(alias, Qt::ElideRight, kMaxTitleWidth / 2) + QStringLiteral(" \u2190 ");
  return head + fm.fit(name, Qt::ElideLeft, std::max(kMaxTitleWidth / 3, kMaxTitleWidth - fm.width(head)));
}

}  // namespace

GraphScene::GraphScene(QObject* parent) : QGraphicsScene(parent) {
  setItemIndexMethod(QGraphicsScene::BspTreeIndex);
  setBackgroundBrush(style_.palette.background);
}

GraphScene::~GraphScene() = default;

void GraphScene::clearGraph() {
  clear();
  nodes_.clear();
  edges_.clear();
  labels_.clear();
  graph_ = {};
  layout_ = {};
  tensorEdgeOffsets_.clear();
  tensorEdgeList_.clear();
  tensorNodeOffsets_.clear();
  tensorNodeList_.clear();
  nodeEdgeOffsets_.clear();
  nodeEdgeList_.clear();
  graphRect_ = {};
  setSceneRect(QRectF(0, 0, 1, 1));
}

void GraphScene::build(const format::Model& model, int subgraph, const TensorAliases& aliases) {
  clearGraph();
  timings_ = {};
  if (subgraph < 0 || static_cast<size_t>(subgraph) >= model.subgraphs.size()) return;
  const auto& sg = model.subgraphs[static_cast<size_t>(subgraph)];

  QElapsedTimer timer;
  timer.start();
  graph_ = layout::build_model_graph(model, static_cast<uint32_t>(subgraph));
  timings_.graphMs = static_cast<double>(timer.nsecsElapsed()) / 1e6;

  timer.restart();
  std::vector<GraphNodeItem*> items;
  sizeNodes(model, sg, aliases, items);
  double sceneMs = static_cast<double>(timer.nsecsElapsed()) / 1e6;

  timer.restart();
  layout_ = layout::layout_model_graph(graph_, layoutOptions());
  timings_.layoutMs = static_cast<double>(timer.nsecsElapsed()) / 1e6;

  timer.restart();
  nodes_ = std::move(items);
  for (size_t i = 0; i < nodes_.size(); ++i) {
    const auto& r = layout_.nodes[i].rect;
    nodes_[i]->setBox(QRectF(r.x, r.y, r.width, r.height));
  }
  buildEdges(sg);
  placeEdgeLabels(sg);
  buildTensorIndex(sg);

  const auto& b = layout_.bounds;
  QRectF extent(b.x, b.y, b.width, b.height);
  for (const auto* label : labels_) extent |= label->rect();
  graphRect_ = extent.adjusted(-kSceneMargin, -kSceneMargin, kSceneMargin, kSceneMargin);
  setSceneRect(graphRect_);
  // Qt's automatic BSP depth (15 for 24 000 items) takes ~10x longer to
  // build than depth 9 and, as the tree splits x and y alternately whatever
  // the aspect of a tall graph, queries no faster (see bench_graph_view).
  const double itemCount = static_cast<double>(nodes_.size() + edges_.size() + labels_.size());
  setBspTreeDepth(std::clamp(static_cast<int>(std::log2(std::max(itemCount, 2.0))) - 5, 4, 10));
  for (auto* edge : edges_) addItem(edge);
  for (auto* label : labels_) addItem(label);
  for (auto* node : nodes_) addItem(node);
  sceneMs += static_cast<double>(timer.nsecsElapsed()) / 1e6;
  timings_.sceneMs = sceneMs;
}

void GraphScene::sizeNodes(const format::Model& model, const format::Subgraph& sg,
                           const TensorAliases& aliases, std::vector<GraphNodeItem*>& items) {
  TextMeasure titleFm(style_.fonts.title);
  TextMeasure detailFm(style_.fonts.detail);
  TextMeasure tagFm(style_.fonts.tag);
  const double titleH = titleFm.metrics().height();
  const double detailH = detailFm.metrics().height();
  const double lineH = detailFm.metrics().lineSpacing();
  const double tagH = tagFm.metrics().height() + 3;

  items.reserve(graph_.nodes.size());
  for (size_t n = 0; n < graph_.nodes.size(); ++n) {
    auto& node = graph_.nodes[n];
    const int index = static_cast<int>(node.index);
    GraphNodeItem::Kind kind = GraphNodeItem::Kind::Op;
    switch (node.kind) {
      case layout::ModelNodeKind::Op:
        kind = GraphNodeItem::Kind::Op;
        break;
      case layout::ModelNodeKind::Input:
        kind = GraphNodeItem::Kind::Input;
        break;
      case layout::ModelNodeKind::Output:
        kind = GraphNodeItem::Kind::Output;
        break;
      case layout::ModelNodeKind::State:
        kind = GraphNodeItem::Kind::State;
        break;
    }

    double width = 0;
    double height = 0;
    auto* item = new GraphNodeItem(&style_, kind, index, static_cast<int>(n), QRectF());
    if (kind == GraphNodeItem::Kind::Op) {
      const auto& op = sg.operators[node.index];
      item->category = opCategory(op.code.builtin);
      const QString title = titleFm.fit(opTitle(op), Qt::ElideRight, kMaxTitleWidth);
      const double titleW = titleFm.width(title);
      const QString tag = fusedActivationName(op);
      const double tagW = tag.isEmpty() ? 0 : tagFm.width(tag) + 2 * kTagPadX;
      const auto rows = opRows(model, sg, op, node);

      double roleW = 0;
      double valueW = 0;
      std::vector<QString> values;
      values.reserve(rows.size());
      for (const auto& row : rows) {
        roleW = std::max(roleW, detailFm.width(row.role));
        values.push_back(detailFm.fit(row.value, Qt::ElideRight, kMaxValueWidth));
        valueW = std::max(valueW, detailFm.width(values.back()));
      }
      const double headerH = titleH + 2 * kHeaderPadY;
      width = std::max(kMinOpWidth, 2 * kPadX + titleW + (tag.isEmpty() ? 0 : kTagGap + tagW));
      if (!rows.empty()) width = std::max(width, 2 * kPadX + roleW + kRoleGap + valueW);
      width = std::ceil(width);
      height =
          rows.empty()
              ? headerH
              : std::ceil(headerH + kBodyPadTop + lineH * static_cast<double>(rows.size()) + kBodyPadBottom);

      const bool centred = rows.empty() && tag.isEmpty();
      item->title = {(title), QPointF(centred ? (width - titleW) / 2 : kPadX, kHeaderPadY)};
      if (!tag.isEmpty()) {
        item->tagRect = QRectF(width - kPadX - tagW + 3, (headerH - tagH) / 2, tagW, tagH);
        item->tag = {(tag),
                     item->tagRect.topLeft() + QPointF(kTagPadX, (tagH - tagFm.metrics().height()) / 2)};
      }
      item->headerHeight = rows.empty() ? 0 : headerH;
      item->lines.reserve(2 * rows.size());
      for (size_t r = 0; r < rows.size(); ++r) {
        const double y = headerH + kBodyPadTop + lineH * static_cast<double>(r);
        item->lines.push_back({(rows[r].role), QPointF(kPadX, y)});
        item->lines.push_back({(values[r]), QPointF(kPadX + roleW + kRoleGap, y)});
      }
    } else {
      const auto& tensor = sg.tensors[node.index];
      const QString name = pillTitle(titleFm, tensor, node.index, aliases.value(index));
      const QString summary = tensorSummary(tensor);
      const double nameW = titleFm.width(name);
      const double summaryW = detailFm.width(summary);
      width = std::ceil(std::max(nameW, summaryW) + 2 * kPillPadX);
      height = std::ceil(titleH + detailH + 2 * kPillPadY + 1);
      item->title = {(name), QPointF((width - nameW) / 2, kPillPadY)};
      item->lines.push_back({(summary), QPointF((width - summaryW) / 2, kPillPadY + titleH + 1)});
    }
    node.size = {width, height};
    // Sized now, moved to its place after the layout.
    item->setBox(QRectF(0, 0, width, height));
    items.push_back(item);
  }
}

void GraphScene::buildEdges(const format::Subgraph&) {
  edges_.reserve(graph_.edges.size());
  QPolygonF points;
  for (size_t e = 0; e < graph_.edges.size(); ++e) {
    const auto& edge = graph_.edges[e];
    const auto& route = layout_.edges[e];
    points.clear();
    points.reserve(static_cast<qsizetype>(route.points.size()));
    for (const auto& p : route.points) points.push_back(QPointF(p.x, p.y));
    edges_.push_back(new GraphEdgeItem(&style_, static_cast<int>(e), static_cast<int>(edge.tensor),
                                       static_cast<int>(edge.from), static_cast<int>(edge.to), points));
  }
}

namespace {

// A uniform grid of rectangles for "does this box touch anything?" queries
// while placing labels. Each rectangle has an owner (an edge, or -1). Cells
// hold linked lists in flat arrays: no allocation per cell, and the cell
// size grows for huge scenes so the head array stays small.
class RectGrid {
 public:
  RectGrid(const QRectF& bounds, double cell) : origin_(bounds.topLeft()) {
    constexpr double kMaxCells = 1 << 20;
    cell_ = std::max(cell, std::sqrt(bounds.width() * bounds.height() / kMaxCells));
    cols_ = static_cast<int64_t>(bounds.width() / cell_) + 1;
    rows_ = static_cast<int64_t>(bounds.height() / cell_) + 1;
    heads_.assign(static_cast<size_t>(cols_ * rows_), kEnd);
  }

  void add(const QRectF& r, int owner = -1) {
    const auto id = static_cast<uint32_t>(rects_.size());
    rects_.push_back(r);
    owners_.push_back(owner);
    forCells(r, [&](size_t cell) {
      links_.push_back({id, heads_[cell]});
      heads_[cell] = static_cast<uint32_t>(links_.size() - 1);
      return false;
    });
  }

  // How many distinct owners other than `ignore` have a rectangle meeting
  // `r`, counting up to `limit`.
  int owners(const QRectF& r, int ignore, int limit) const {
    int found[8];
    int count = 0;
    limit = std::min(limit, 8);
    forCells(r, [&](size_t cell) {
      for (uint32_t l = heads_[cell]; l != kEnd; l = links_[l].next) {
        const uint32_t id = links_[l].id;
        const int owner = owners_[id];
        if (owner == ignore || !rects_[id].intersects(r)) continue;
        if (std::find(found, found + count, owner) != found + count) continue;
        found[count++] = owner;
        if (count >= limit) return true;
      }
      return false;
    });
    return count;
  }

  // True if `r` intersects a rectangle not owned by `ignore`.
  bool hits(const QRectF& r, int ignore = -2) const {
    return forCells(r, [&](size_t cell) {
      for (uint32_t l = heads_[cell]; l != kEnd; l = links_[l].next) {
        const uint32_t id = links_[l].id;
        if (owners_[id] != ignore && rects_[id].intersects(r)) return true;
      }
      return false;
    });
  }

 private:
  static constexpr uint32_t kEnd = 0xFFFFFFFFu;
  struct Link {
    uint32_t id;
    uint32_t next;
  };

  template <class F>
  bool forCells(const QRectF& r, F&& f) const {
    const auto clampCol = [&](double x) {
      return std::clamp<int64_t>(static_cast<int64_t>(std::floor((x - origin_.x()) / cell_)), 0, cols_ - 1);
    };
    const auto clampRow = [&](double y) {
      return std::clamp<int64_t>(static_cast<int64_t>(std::floor((y - origin_.y()) / cell_)), 0, rows_ - 1);
    };
    const int64_t x0 = clampCol(r.left());
    const int64_t x1 = clampCol(r.right());
    const int64_t y0 = clampRow(r.top());
    const int64_t y1 = clampRow(r.bottom());
    for (int64_t y = y0; y <= y1; ++y) {
      for (int64_t x = x0; x <= x1; ++x) {
        if (f(static_cast<size_t>(y * cols_ + x))) return true;
      }
    }
    return false;
  }

  QPointF origin_;
  double cell_ = 64;
  int64_t cols_ = 1;
  int64_t rows_ = 1;
  std::vector<uint32_t> heads_;
  std::vector<Link> links_;
  std::vector<QRectF> rects_;
  std::vector<int> owners_;
};

// The vertical-tangent cubic between p and q (see smoothEdgePath): x follows
// smoothstep, y is monotonic in t.
QPointF cubicPoint(const QPointF& p, const QPointF& q, double t) {
  const double dx = q.x() - p.x();
  const double dy = q.y() - p.y();
  return {p.x() + dx * (3 * t * t - 2 * t * t * t), p.y() + dy * (1.5 * t * (1 - t) + t * t * t)};
}

// t where the cubic p->q reaches height y (clamped to the segment).
double cubicTAtY(const QPointF& p, const QPointF& q, double y) {
  const bool down = q.y() >= p.y();
  double lo = 0;
  double hi = 1;
  for (int i = 0; i < 30; ++i) {
    const double mid = (lo + hi) / 2;
    const double my = cubicPoint(p, q, mid).y();
    if ((my < y) == down) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  return (lo + hi) / 2;
}

}  // namespace

void GraphScene::placeEdgeLabels(const format::Subgraph& sg) {
  // One label per tensor leaving a node: of a fan-out, the edge whose first
  // segment is the most vertical carries it. Edges out of input and state
  // pills carry none: the pill already says the same.
  //
  // A label sits beside the first segment of its edge, right or left of the
  // curve, at the first of a few heights where it touches no node, no other
  // label and at most one other edge (preferably none). Where nothing fits
  // it is left out, as in dense fans: the tooltip has it.
  TextMeasure fm(style_.fonts.edgeLabel);
  const double labelH = fm.metrics().height() + 1;
  constexpr double kCell = 96;
  const auto& lb = layout_.bounds;
  const QRectF area = QRectF(lb.x, lb.y, lb.width, lb.height).adjusted(-200, -50, 400, 50);
  RectGrid hard(area, kCell);  // nodes and placed labels
  RectGrid soft(area, kCell);  // edge curves
  for (const auto* node : nodes_) hard.add(node->rect().adjusted(-3, -2, 3, 2));
  for (size_t e = 0; e < edges_.size(); ++e) {
    const auto& poly = edges_[e]->polyline();
    for (qsizetype i = 0; i + 1 < poly.size(); ++i) {
      const QPointF p = poly[i];
      const QPointF q = poly[i + 1];
      if (std::abs(p.x() - q.x()) < 0.5) {
        soft.add(
            QRectF(QPointF(p.x() - 1, std::min(p.y(), q.y())), QPointF(p.x() + 1, std::max(p.y(), q.y()))),
            static_cast<int>(e));
        continue;
      }
      constexpr int kSamples = 6;
      QPointF prev = p;
      for (int k = 1; k <= kSamples; ++k) {
        const QPointF next = cubicPoint(p, q, static_cast<double>(k) / kSamples);
        soft.add(QRectF(prev, next).normalized().adjusted(-1, -1, 1, 1), static_cast<int>(e));
        prev = next;
      }
    }
  }

  // Edges are grouped by consumer: collect per (from, tensor) with a sort.
  std::vector<uint32_t> order(edges_.size());
  for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    const auto& ea = graph_.edges[a];
    const auto& eb = graph_.edges[b];
    return std::tie(ea.from, ea.tensor, a) < std::tie(eb.from, eb.tensor, b);
  });
  const auto slant = [&](uint32_t e) {
    const auto& poly = edges_[e]->polyline();
    return poly.size() < 2 ? 0.0 : std::abs(poly[1].x() - poly[0].x());
  };
  static constexpr double kHeights[] = {0.5, 0.34, 0.66, 0.2, 0.8};
  for (size_t i = 0; i < order.size();) {
    const auto& first = graph_.edges[order[i]];
    size_t j = i;
    uint32_t chosen = order[i];
    while (j < order.size() && graph_.edges[order[j]].from == first.from &&
           graph_.edges[order[j]].tensor == first.tensor) {
      if (slant(order[j]) < slant(chosen)) chosen = order[j];
      ++j;
    }
    i = j;
    const auto source = graph_.nodes[first.from].kind;
    if (source == layout::ModelNodeKind::Input || source == layout::ModelNodeKind::State) continue;
    auto* item = edges_[chosen];
    const auto& poly = item->polyline();
    if (poly.size() < 2) continue;
    const QPointF a = poly[0];
    const QPointF b = poly[1];
    const QString text = tensorSummary(sg.tensors[first.tensor]);
    const double labelW = fm.width(text) + 4;

    // The first spot crossed by no other edge; else the first crossed by
    // just one (the label's background hides that line); else none.
    QRectF best;
    int bestCrossings = 2;
    for (const double f : kHeights) {
      const double yc = a.y() + f * (b.y() - a.y());
      const double y0 = yc - labelH / 2;
      const double y1 = yc + labelH / 2;
      const double xa = cubicPoint(a, b, cubicTAtY(a, b, y0)).x();
      const double xb = cubicPoint(a, b, cubicTAtY(a, b, y1)).x();
      const QRectF candidates[] = {QRectF(std::max(xa, xb) + 4, y0, labelW, labelH),
                                   QRectF(std::min(xa, xb) - 4 - labelW, y0, labelW, labelH)};
      for (const QRectF& r : candidates) {
        if (hard.hits(r)) continue;
        const int crossings = soft.owners(r.adjusted(1, 1, -1, -1), static_cast<int>(chosen), 2);
        if (crossings < bestCrossings) {
          best = r;
          bestCrossings = crossings;
        }
        if (bestCrossings == 0) break;
      }
      if (bestCrossings == 0) break;
    }
    if (best.isNull()) continue;
    hard.add(best.adjusted(-2, -1, 2, 1));
    labels_.push_back(new GraphLabelItem(&style_, item, text, best));
    item->setLabel(labels_.back());
  }
}

void GraphScene::buildTensorIndex(const format::Subgraph& sg) {
  const size_t tensors = sg.tensors.size();
  std::vector<std::vector<uint32_t>> edgesOf(tensors);
  std::vector<std::vector<uint32_t>> nodesOf(tensors);
  for (uint32_t e = 0; e < graph_.edges.size(); ++e) edgesOf[graph_.edges[e].tensor].push_back(e);
  for (uint32_t n = 0; n < graph_.nodes.size(); ++n) {
    const auto& node = graph_.nodes[n];
    if (node.kind != layout::ModelNodeKind::Op) {
      nodesOf[node.index].push_back(n);
      continue;
    }
    for (const auto& c : node.constants) {
      auto& list = nodesOf[c.tensor];
      if (list.empty() || list.back() != n) list.push_back(n);
    }
  }
  // Outputs nobody reads: point at the op that makes them.
  for (uint32_t op = 0; op < graph_.op_nodes.size(); ++op) {
    for (const auto t : sg.operators[op].outputs) {
      if (t < 0 || static_cast<size_t>(t) >= tensors) continue;
      if (edgesOf[t].empty() && nodesOf[t].empty()) nodesOf[t].push_back(graph_.op_nodes[op]);
    }
  }
  const auto flatten = [&](const std::vector<std::vector<uint32_t>>& lists, std::vector<uint32_t>& offsets,
                           std::vector<uint32_t>& flat) {
    offsets.assign(tensors + 1, 0);
    for (size_t t = 0; t < tensors; ++t) offsets[t + 1] = offsets[t] + static_cast<uint32_t>(lists[t].size());
    flat.clear();
    flat.reserve(offsets.back());
    for (const auto& list : lists) flat.insert(flat.end(), list.begin(), list.end());
  };
  flatten(edgesOf, tensorEdgeOffsets_, tensorEdgeList_);
  flatten(nodesOf, tensorNodeOffsets_, tensorNodeList_);

  // Node -> edges, counting sort.
  const size_t nodes = graph_.nodes.size();
  nodeEdgeOffsets_.assign(nodes + 1, 0);
  for (const auto& edge : graph_.edges) {
    ++nodeEdgeOffsets_[edge.from + 1];
    if (edge.to != edge.from) ++nodeEdgeOffsets_[edge.to + 1];
  }
  for (size_t n = 0; n < nodes; ++n) nodeEdgeOffsets_[n + 1] += nodeEdgeOffsets_[n];
  nodeEdgeList_.assign(nodeEdgeOffsets_.back(), 0);
  std::vector<uint32_t> fill(nodeEdgeOffsets_.begin(), nodeEdgeOffsets_.end() - 1);
  for (uint32_t e = 0; e < graph_.edges.size(); ++e) {
    const auto& edge = graph_.edges[e];
    nodeEdgeList_[fill[edge.from]++] = e;
    if (edge.to != edge.from) nodeEdgeList_[fill[edge.to]++] = e;
  }
}

std::span<const uint32_t> GraphScene::nodeEdges(int node) const {
  if (node < 0 || static_cast<size_t>(node) + 1 >= nodeEdgeOffsets_.size()) return {};
  const auto n = static_cast<size_t>(node);
  return std::span<const uint32_t>(nodeEdgeList_)
      .subspan(nodeEdgeOffsets_[n], nodeEdgeOffsets_[n + 1] - nodeEdgeOffsets_[n]);
}

GraphNodeItem* GraphScene::opItem(int op) const {
  if (op < 0 || static_cast<size_t>(op) >= graph_.op_nodes.size()) return nullptr;
  return nodes_[graph_.op_nodes[static_cast<size_t>(op)]];
}

std::span<const uint32_t> GraphScene::tensorEdges(int tensor) const {
  if (tensor < 0 || static_cast<size_t>(tensor) + 1 >= tensorEdgeOffsets_.size()) return {};
  const auto t = static_cast<size_t>(tensor);
  return std::span<const uint32_t>(tensorEdgeList_)
      .subspan(tensorEdgeOffsets_[t], tensorEdgeOffsets_[t + 1] - tensorEdgeOffsets_[t]);
}

std::span<const uint32_t> GraphScene::tensorNodes(int tensor) const {
  if (tensor < 0 || static_cast<size_t>(tensor) + 1 >= tensorNodeOffsets_.size()) return {};
  const auto t = static_cast<size_t>(tensor);
  return std::span<const uint32_t>(tensorNodeList_)
      .subspan(tensorNodeOffsets_[t], tensorNodeOffsets_[t + 1] - tensorNodeOffsets_[t]);
}

bool GraphScene::isTensorShown(int tensor) const {
  return !tensorEdges(tensor).empty() || !tensorNodes(tensor).empty();
}

}  // namespace qs::widgets
