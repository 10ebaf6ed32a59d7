#include "widgets/graph_view.h"

#include <QApplication>
#include <QContextMenuEvent>
#include <QDir>
#include <QHelpEvent>
#include <QImage>
#include <QImageWriter>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QNativeGestureEvent>
#include <QPainter>
#include <QRegularExpression>
#include <QSaveFile>
#include <QScrollBar>
#include <QShowEvent>
#include <QSvgGenerator>
#include <QToolTip>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "widgets/graph_overview.h"

namespace qs::widgets {

namespace {

constexpr double kMaxZoom = 6.0;
constexpr double kZoomStep = 1.25;
// Below this a selection or find jump zooms to 100% so the target is legible.
constexpr double kReadableZoom = 0.6;
// Initial view: the fitted graph if at least this legible, else 100% at the top.
constexpr double kInitialFitZoom = 0.55;
// PNG export: 2x where the whole graph fits (crisp on high-density screens).
constexpr double kPngScale = 2.0;
// A crop's edges stay this far from the nodes they pass (scene units, a
// fraction of the 50-unit gap between ranks).
constexpr double kCropGap = 12;
// Click tolerance for edges, in viewport pixels.
constexpr double kEdgePickPixels = 5;

QString escaped(const QString& text) { return text.toHtmlEscaped(); }

QString tensorName(const format::Subgraph& sg, int t) {
  const auto& name = sg.tensors[static_cast<size_t>(t)].name;
  return name.empty() ? QStringLiteral("tensor %1").arg(t) : QString::fromStdString(name);
}

QString quantText(const format::Tensor& tensor) {
  if (!tensor.quantization || !tensor.quantization->has_scale()) return {};
  const auto& q = *tensor.quantization;
  if (q.per_channel()) {
    return QStringLiteral("per-channel (%1 scales, axis %2)").arg(q.scale.size()).arg(q.quantized_dimension);
  }
  const long long zp = q.zero_point.empty() ? 0 : static_cast<long long>(q.zero_point.front());
  return QStringLiteral("scale %1, zero point %2")
      .arg(static_cast<double>(q.scale.front()), 0, 'g', 6)
      .arg(zp);
}

// The signature that names tensors of `subgraph`, or null.
const format::Signature* signatureOf(const format::Model& model, int subgraph, int signature) {
  if (signature < 0 || static_cast<size_t>(signature) >= model.signatures.size()) return nullptr;
  const format::Signature& sig = model.signatures[static_cast<size_t>(signature)];
  return static_cast<int64_t>(sig.subgraph_index) == subgraph ? &sig : nullptr;
}

TensorAliases signatureAliases(const format::Signature* sig) {
  TensorAliases aliases;
  if (sig == nullptr) return aliases;
  for (const auto* maps : {&sig->inputs, &sig->outputs})
    for (const format::TensorMap& m : *maps)
      aliases.insert(static_cast<int>(m.tensor_index), QString::fromStdString(m.name));
  return aliases;
}

// Moves the top and bottom of `crop` inwards until they cut through no node
// box, so a partial export starts and ends between ranks. Left unchanged
// where that would leave nothing (a single node taller than the crop).
QRectF avoidCuttingNodes(QRectF crop, const std::vector<GraphNodeItem*>& nodes) {
  const QRectF original = crop;
  // A move can bring the edge onto a node of the next band; a few rounds settle it.
  for (int round = 0; round < 4; ++round) {
    bool moved = false;
    for (const auto* node : nodes) {
      const QRectF r = node->rect();
      if (r.right() < crop.left() || r.left() > crop.right()) continue;
      if (r.top() < crop.top() && r.bottom() > crop.top()) {
        crop.setTop(r.bottom() + kCropGap);
        moved = true;
      }
      if (r.top() < crop.bottom() && r.bottom() > crop.bottom()) {
        crop.setBottom(r.top() - kCropGap);
        moved = true;
      }
    }
    if (!moved) break;
  }
  return crop.height() > 0 ? crop : original;
}

// Temporarily draws the scene without selection and find marks.
class PlainScene {
 public:
  explicit PlainScene(GraphScene* scene) : scene_(scene), previous_(scene->style().plain) {
    scene_->style().plain = true;
  }
  ~PlainScene() { scene_->style().plain = previous_; }
  PlainScene(const PlainScene&) = delete;
  PlainScene& operator=(const PlainScene&) = delete;

 private:
  GraphScene* scene_;
  bool previous_;
};

}  // namespace

GraphView::GraphView(QWidget* parent)
    : QGraphicsView(parent), scene_(new GraphScene(this)), overview_(nullptr) {
  setObjectName(QStringLiteral("graphView"));
  setScene(scene_);
  setDragMode(QGraphicsView::ScrollHandDrag);
  // The view hit-tests itself: no scene mouse events, no per-move item lookups.
  setInteractive(false);
  setRenderHints(QPainter::Antialiasing | QPainter::TextAntialiasing);
  setViewportUpdateMode(QGraphicsView::SmartViewportUpdate);
  setOptimizationFlags(QGraphicsView::DontSavePainterState | QGraphicsView::DontAdjustForAntialiasing);
  setCacheMode(QGraphicsView::CacheNone);
  setTransformationAnchor(QGraphicsView::NoAnchor);
  setResizeAnchor(QGraphicsView::AnchorViewCenter);
  setAlignment(Qt::AlignCenter);
  setFrameShape(QFrame::NoFrame);
  setFocusPolicy(Qt::StrongFocus);
  overview_ = new GraphOverview(this);
  connect(overview_, &GraphOverview::moveRequested, this, [this](const QPointF& scenePoint) {
    initialViewPending_ = false;
    centerOn(scenePoint);
  });
}

GraphView::~GraphView() = default;

// Model ----------------------------------------------------------------------

void GraphView::setModel(std::shared_ptr<const format::Model> model, int subgraph, int signature) {
  clearSelectionMarks();
  hitItems_.clear();
  hitRects_.clear();
  tensorNames_.clear();
  selectedOp_ = -1;
  selectedTensor_ = -1;
  selectionRect_ = {};
  model_ = std::move(model);
  subgraph_ = subgraph;
  const format::Signature* sig = model_ ? signatureOf(*model_, subgraph, signature) : nullptr;
  signature_ = sig != nullptr ? signature : -1;
  if (model_) {
    scene_->build(*model_, subgraph, signatureAliases(sig));
  } else {
    scene_->clearGraph();
  }
  if (overview_ != nullptr) overview_->rebuild(overviewEnabled_ ? scene_ : nullptr);
  initialViewPending_ = true;
  if (isVisible() && !viewport()->size().isEmpty()) applyInitialView();
  updateOverview();
  emit graphChanged();
}

void GraphView::clear() { setModel(nullptr, 0); }

void GraphView::applyInitialView() {
  initialViewPending_ = false;
  if (scene_->nodeItems().empty()) {
    setTransform(QTransform());
    return;
  }
  const double fit = fitZoom();
  if (fit >= kInitialFitZoom) {
    fitToView();
    return;
  }
  // Too big to read whole: 100% at the top. Centred on what the first
  // screen holds when it fits across, else on the first node (an input).
  setZoom(1.0);
  const QRectF graph = scene_->graphRect();
  const QSizeF visible = QSizeF(viewport()->size()) / zoom();
  const double bottom = graph.top() + visible.height();
  QRectF extent;
  for (const auto* node : scene_->nodeItems()) {
    if (node->rect().top() < bottom) extent |= node->rect();
  }
  const double x = extent.width() <= visible.width() - 40 ? extent.center().x()
                                                          : scene_->nodeItems().front()->rect().center().x();
  centerOn(QPointF(x, graph.top() + visible.height() / 2));
}

// Selection ------------------------------------------------------------------

void GraphView::mark(QGraphicsItem* item, uint8_t bit) {
  if (auto* node = qgraphicsitem_cast<GraphNodeItem*>(item)) {
    node->setHighlight(node->highlight() | bit);
  } else if (auto* edge = qgraphicsitem_cast<GraphEdgeItem*>(item)) {
    edge->setHighlight(edge->highlight() | bit);
  }
}

void GraphView::clearSelectionMarks() {
  constexpr uint8_t kBits = HighlightSelected | HighlightRelated;
  for (QGraphicsItem* item : selectionItems_) {
    if (auto* node = qgraphicsitem_cast<GraphNodeItem*>(item)) {
      node->setHighlight(node->highlight() & ~kBits);
    } else if (auto* edge = qgraphicsitem_cast<GraphEdgeItem*>(item)) {
      edge->setHighlight(edge->highlight() & ~kBits);
    }
  }
  selectionItems_.clear();
}

void GraphView::selectNode(GraphNodeItem* node, bool notify, bool centre) {
  if (node == nullptr) return;
  if (node->kind() != GraphNodeItem::Kind::Op) {
    // An input, output or state pill is its tensor.
    selectTensorInternal(node->index(), notify, centre);
    return;
  }
  clearSelectionMarks();
  selectedOp_ = node->index();
  selectedTensor_ = -1;
  mark(node, HighlightSelected);
  selectionItems_.push_back(node);
  for (const auto e : scene_->nodeEdges(node->node())) {
    auto* edge = scene_->edgeItems()[e];
    mark(edge, HighlightRelated);
    selectionItems_.push_back(edge);
  }
  selectionRect_ = node->rect();
  if (centre) centreOn(selectionRect_);
  updateOverview();
  if (notify) emit opSelected(subgraph_, selectedOp_);
}

void GraphView::selectTensorInternal(int tensor, bool notify, bool centre) {
  const auto edges = scene_->tensorEdges(tensor);
  const auto nodes = scene_->tensorNodes(tensor);
  if (edges.empty() && nodes.empty()) {
    clearSelection();
    return;
  }
  clearSelectionMarks();
  selectedOp_ = -1;
  selectedTensor_ = tensor;
  QRectF focus;
  for (const auto n : nodes) {
    auto* node = scene_->nodeItems()[n];
    // Its own pill is the selection; an op folding or producing it is related.
    const bool own = node->kind() != GraphNodeItem::Kind::Op;
    mark(node, own ? HighlightSelected : HighlightRelated);
    selectionItems_.push_back(node);
    if (own && focus.isNull()) focus = node->rect();
  }
  for (const auto e : edges) {
    auto* edge = scene_->edgeItems()[e];
    mark(edge, HighlightSelected);
    selectionItems_.push_back(edge);
  }
  if (focus.isNull() && !edges.empty()) {
    // The tensor leaves its producer here: centre on the edge's start.
    const QPointF start = scene_->edgeItems()[edges.front()]->labelAnchor();
    focus = QRectF(start - QPointF(1, 1), QSizeF(2, 2));
  }
  if (focus.isNull()) focus = scene_->nodeItems()[nodes.front()]->rect();
  selectionRect_ = focus;
  if (centre) centreOn(focus);
  updateOverview();
  if (notify) emit tensorSelected(subgraph_, tensor);
}

void GraphView::selectOp(int op) {
  initialViewPending_ = false;
  if (auto* node = scene_->opItem(op)) {
    selectNode(node, false, true);
  } else {
    clearSelection();
  }
}

void GraphView::selectTensor(int tensor) {
  initialViewPending_ = false;
  selectTensorInternal(tensor, false, true);
}

void GraphView::clearSelection() {
  clearSelectionMarks();
  selectedOp_ = -1;
  selectedTensor_ = -1;
  selectionRect_ = {};
  updateOverview();
}

void GraphView::selectPick(const Pick& pick, bool notify) {
  if (pick.node != nullptr) {
    selectNode(pick.node, notify, false);
  } else if (pick.edge != nullptr) {
    selectTensorInternal(pick.edge->tensor(), notify, false);
  } else {
    const bool had = selectedOp_ >= 0 || selectedTensor_ >= 0;
    clearSelection();
    if (notify && had) emit selectionCleared();
  }
}

void GraphView::centreOn(const QRectF& rect) {
  if (zoom() < kReadableZoom) setZoom(1.0);
  centerOn(rect.center());
}

GraphView::Pick GraphView::pickAt(const QPoint& pos) const {
  Pick pick;
  const double tolerance = kEdgePickPixels / std::max(zoom(), 1e-6);
  const QPointF p = mapToScene(pos);
  const QRectF area(p - QPointF(tolerance, tolerance), QSizeF(2 * tolerance, 2 * tolerance));
  double best = tolerance;
  const auto items = scene_->items(area, Qt::IntersectsItemBoundingRect, Qt::DescendingOrder, transform());
  for (QGraphicsItem* item : items) {
    if (auto* node = qgraphicsitem_cast<GraphNodeItem*>(item)) {
      if (node->rect().contains(p)) {
        pick.node = node;
        pick.edge = nullptr;
        return pick;
      }
    } else if (auto* label = qgraphicsitem_cast<GraphLabelItem*>(item)) {
      // A click on a visible label is a click on its edge.
      if (scene_->style().edgeLabels && zoom() >= GraphSceneStyle::kLodEdgeLabels &&
          label->rect().contains(p)) {
        best = 0;
        pick.edge = label->edge();
      }
    } else if (auto* edge = qgraphicsitem_cast<GraphEdgeItem*>(item)) {
      const double d = edge->distanceTo(p);
      if (d < best) {
        best = d;
        pick.edge = edge;
      }
    }
  }
  return pick;
}

// Find -----------------------------------------------------------------------

void GraphView::ensureTensorNames() const {
  if (!tensorNames_.empty() || !model_ || subgraph_ < 0 ||
      static_cast<size_t>(subgraph_) >= model_->subgraphs.size())
    return;
  const auto& sg = model_->subgraphs[static_cast<size_t>(subgraph_)];
  tensorNames_.reserve(sg.tensors.size());
  for (const auto& tensor : sg.tensors) tensorNames_.push_back(QString::fromStdString(tensor.name));
}

QRectF GraphView::hitRect(const Hit& hit) const {
  if (hit.kind == Hit::Kind::Op) {
    const auto* node = scene_->opItem(hit.index);
    return node != nullptr ? node->rect() : QRectF();
  }
  for (const auto n : scene_->tensorNodes(hit.index)) {
    const auto* node = scene_->nodeItems()[n];
    if (node->kind() != GraphNodeItem::Kind::Op) return node->rect();
  }
  const auto edges = scene_->tensorEdges(hit.index);
  if (!edges.empty()) {
    const QPointF a = scene_->edgeItems()[edges.front()]->labelAnchor();
    return QRectF(a - QPointF(1, 1), QSizeF(2, 2));
  }
  const auto nodes = scene_->tensorNodes(hit.index);
  return nodes.empty() ? QRectF() : scene_->nodeItems()[nodes.front()]->rect();
}

QList<GraphView::Hit> GraphView::find(const QString& rawText) const {
  QList<Hit> hits;
  const QString text = rawText.trimmed();
  if (text.isEmpty() || !model_ || subgraph_ < 0 ||
      static_cast<size_t>(subgraph_) >= model_->subgraphs.size())
    return hits;
  const auto& sg = model_->subgraphs[static_cast<size_t>(subgraph_)];
  const int opCount = static_cast<int>(sg.operators.size());

  static const QRegularExpression indexPattern(QStringLiteral("^#\\s*(\\d+)$|^(\\d+)$"));
  const auto index = indexPattern.match(text);
  if (index.hasMatch()) {
    const bool hash = !index.captured(1).isEmpty();
    bool ok = false;
    const int op = (hash ? index.captured(1) : index.captured(2)).toInt(&ok);
    if (ok && op >= 0 && op < opCount) hits.push_back({Hit::Kind::Op, op});
    if (hash) return hits;
  }

  // An op name or custom code: exactly the ops of that type.
  const QString upper = text.toUpper();
  QList<Hit> typed;
  for (int op = 0; op < opCount; ++op) {
    const auto& code = sg.operators[static_cast<size_t>(op)].code;
    const bool custom = code.builtin == format::BuiltinOp::CUSTOM && !code.custom_code.empty();
    const QString name = custom ? QString::fromStdString(code.custom_code)
                                : QString::fromLatin1(format::op_name(code.builtin).c_str());
    if (name.compare(text, Qt::CaseInsensitive) == 0 || (custom && upper == QLatin1String("CUSTOM")))
      typed.push_back({Hit::Kind::Op, op});
  }
  QList<Hit> found;
  if (!typed.isEmpty()) {
    found = typed;
  } else {
    for (int op = 0; op < opCount; ++op) {
      const auto& code = sg.operators[static_cast<size_t>(op)].code;
      const QString name = code.builtin == format::BuiltinOp::CUSTOM && !code.custom_code.empty()
                               ? QString::fromStdString(code.custom_code)
                               : QString::fromLatin1(format::op_name(code.builtin).c_str());
      if (name.contains(text, Qt::CaseInsensitive)) found.push_back({Hit::Kind::Op, op});
    }
    ensureTensorNames();
    for (int t = 0; t < static_cast<int>(tensorNames_.size()); ++t) {
      if (tensorNames_[static_cast<size_t>(t)].contains(text, Qt::CaseInsensitive) &&
          scene_->isTensorShown(t))
        found.push_back({Hit::Kind::Tensor, t});
    }
  }
  // Top to bottom, then left to right, so "next" walks down the graph.
  std::vector<std::pair<QPointF, Hit>> placed;
  placed.reserve(static_cast<size_t>(found.size()));
  for (const Hit& hit : found) {
    if (!hits.isEmpty() && hit == hits.front()) continue;
    placed.emplace_back(hitRect(hit).center(), hit);
  }
  std::stable_sort(placed.begin(), placed.end(), [](const auto& a, const auto& b) {
    if (a.first.y() != b.first.y()) return a.first.y() < b.first.y();
    return a.first.x() < b.first.x();
  });
  for (const auto& entry : placed) hits.push_back(entry.second);
  return hits;
}

void GraphView::setHighlightedHits(const QList<Hit>& hits) {
  for (QGraphicsItem* item : hitItems_) {
    if (auto* node = qgraphicsitem_cast<GraphNodeItem*>(item)) {
      node->setHighlight(node->highlight() & ~HighlightHit);
    } else if (auto* edge = qgraphicsitem_cast<GraphEdgeItem*>(item)) {
      edge->setHighlight(edge->highlight() & ~HighlightHit);
    }
  }
  hitItems_.clear();
  hitRects_.clear();
  for (const Hit& hit : hits) {
    if (hit.kind == Hit::Kind::Op) {
      if (auto* node = scene_->opItem(hit.index)) {
        mark(node, HighlightHit);
        hitItems_.push_back(node);
      }
    } else {
      for (const auto e : scene_->tensorEdges(hit.index)) {
        mark(scene_->edgeItems()[e], HighlightHit);
        hitItems_.push_back(scene_->edgeItems()[e]);
      }
      for (const auto n : scene_->tensorNodes(hit.index)) {
        auto* node = scene_->nodeItems()[n];
        if (node->kind() == GraphNodeItem::Kind::Op) continue;
        mark(node, HighlightHit);
        hitItems_.push_back(node);
      }
    }
    const QRectF r = hitRect(hit);
    if (!r.isNull()) hitRects_.push_back(r);
  }
  updateOverview();
}

void GraphView::activateHit(const Hit& hit) {
  initialViewPending_ = false;
  if (hit.kind == Hit::Kind::Op) {
    if (auto* node = scene_->opItem(hit.index)) selectNode(node, true, true);
  } else {
    selectTensorInternal(hit.index, true, true);
  }
}

// Zoom -----------------------------------------------------------------------

double GraphView::zoom() const { return transform().m11(); }

double GraphView::fitZoom() const {
  const QRectF r = scene_->graphRect();
  const QSize vp = viewport()->size();
  if (r.isEmpty() || vp.isEmpty()) return 1.0;
  return std::min(vp.width() / r.width(), vp.height() / r.height());
}

void GraphView::zoomAround(double target, const QPoint& pos) {
  initialViewPending_ = false;
  const double minZoom = std::min(0.1, fitZoom() * 0.8);
  target = std::clamp(target, std::max(minZoom, 1e-4), kMaxZoom);
  if (std::abs(target - zoom()) < 1e-9) return;
  const QPointF anchor = mapToScene(pos);
  setTransform(QTransform::fromScale(target, target));
  // Keep the anchor's scene point under the same viewport pixel.
  const QPointF moved = mapFromScene(anchor);
  const QPointF delta = moved - QPointF(pos);
  horizontalScrollBar()->setValue(horizontalScrollBar()->value() + static_cast<int>(std::lround(delta.x())));
  verticalScrollBar()->setValue(verticalScrollBar()->value() + static_cast<int>(std::lround(delta.y())));
  updateOverview();
  emit zoomChanged(zoom());
}

void GraphView::setZoom(double z) { zoomAround(z, viewport()->rect().center()); }
void GraphView::zoomIn() { setZoom(zoom() * kZoomStep); }
void GraphView::zoomOut() { setZoom(zoom() / kZoomStep); }
void GraphView::resetZoom() { setZoom(1.0); }

void GraphView::fitToView() {
  initialViewPending_ = false;
  const QRectF r = scene_->graphRect();
  if (r.isEmpty()) return;
  const double target = std::min(1.0, fitZoom());
  setTransform(QTransform::fromScale(target, target));
  centerOn(r.center());
  updateOverview();
  emit zoomChanged(zoom());
}

// Edge labels, overview ------------------------------------------------------

bool GraphView::edgeLabelsVisible() const { return scene_->style().edgeLabels; }

void GraphView::setEdgeLabelsVisible(bool visible) {
  if (scene_->style().edgeLabels == visible) return;
  scene_->style().edgeLabels = visible;
  viewport()->update();
}

void GraphView::setOverviewEnabled(bool enabled) {
  if (overviewEnabled_ == enabled) return;
  overviewEnabled_ = enabled;
  overview_->rebuild(enabled ? scene_ : nullptr);
  updateOverview();
}

void GraphView::updateOverview() {
  if (overview_ == nullptr) return;
  // Shown only when part of the graph is out of view.
  const QRectF visible = mapToScene(viewport()->rect()).boundingRect();
  const bool wanted = overviewEnabled_ && !scene_->nodeItems().empty() &&
                      !visible.contains(scene_->graphRect().adjusted(30, 30, -30, -30));
  if (wanted) {
    overview_->setMarks(hitRects_, selectionRect_);
    overview_->reposition();
    overview_->show();
    overview_->update();
  } else {
    overview_->hide();
  }
}

// Events ---------------------------------------------------------------------

bool GraphView::viewportEvent(QEvent* event) {
  switch (event->type()) {
    case QEvent::Resize:
      // Scroll bars coming or going resize the viewport, not the view.
      if (overview_ != nullptr) overview_->reposition();
      break;
    case QEvent::ToolTip: {
      auto* help = static_cast<QHelpEvent*>(event);
      const QString text = toolTipFor(pickAt(help->pos()));
      if (text.isEmpty()) {
        QToolTip::hideText();
        event->ignore();
      } else {
        QToolTip::showText(help->globalPos(), text, viewport());
      }
      return true;
    }
    case QEvent::NativeGesture: {
      auto* gesture = static_cast<QNativeGestureEvent*>(event);
      if (gesture->gestureType() == Qt::ZoomNativeGesture) {
        initialViewPending_ = false;
        zoomAround(zoom() * (1.0 + gesture->value()), gesture->position().toPoint());
        return true;
      }
      break;
    }
    default:
      break;
  }
  return QGraphicsView::viewportEvent(event);
}

void GraphView::wheelEvent(QWheelEvent* event) {
  initialViewPending_ = false;
  if ((event->modifiers() & Qt::ControlModifier) != 0) {
    const double steps = event->angleDelta().y() / 120.0;
    if (steps != 0) zoomAround(zoom() * std::pow(kZoomStep, steps), event->position().toPoint());
    event->accept();
    return;
  }
  QGraphicsView::wheelEvent(event);
}

void GraphView::keyPressEvent(QKeyEvent* event) {
  initialViewPending_ = false;
  switch (event->key()) {
    case Qt::Key_Plus:
    case Qt::Key_Equal:
      zoomIn();
      return;
    case Qt::Key_Minus:
      zoomOut();
      return;
    case Qt::Key_0:
      fitToView();
      return;
    case Qt::Key_1:
      resetZoom();
      return;
    case Qt::Key_Escape:
      if (selectedOp_ >= 0 || selectedTensor_ >= 0) {
        clearSelection();
        emit selectionCleared();
        return;
      }
      break;
    default:
      break;
  }
  QGraphicsView::keyPressEvent(event);
}

void GraphView::mousePressEvent(QMouseEvent* event) {
  initialViewPending_ = false;
  if (event->button() == Qt::LeftButton) {
    pressed_ = true;
    pressPos_ = event->position().toPoint();
  }
  QGraphicsView::mousePressEvent(event);
}

void GraphView::mouseReleaseEvent(QMouseEvent* event) {
  QGraphicsView::mouseReleaseEvent(event);
  if (event->button() != Qt::LeftButton || !pressed_) return;
  pressed_ = false;
  const QPoint pos = event->position().toPoint();
  // A press and release in place is a click; anything longer was a pan.
  if ((pos - pressPos_).manhattanLength() > QApplication::startDragDistance()) return;
  selectPick(pickAt(pos), true);
}

void GraphView::contextMenuEvent(QContextMenuEvent* event) {
  const Pick pick = pickAt(event->pos());
  if (pick.node != nullptr && pick.node->kind() == GraphNodeItem::Kind::Op) {
    selectNode(pick.node, true, false);
    emit contextMenuRequestedForOp(pick.node->index(), event->globalPos());
    event->accept();
    return;
  }
  if (pick.node != nullptr || pick.edge != nullptr) {
    const int tensor = pick.node != nullptr ? pick.node->index() : pick.edge->tensor();
    selectTensorInternal(tensor, true, false);
    emit contextMenuRequestedForTensor(tensor, event->globalPos());
    event->accept();
    return;
  }
  QGraphicsView::contextMenuEvent(event);
}

void GraphView::resizeEvent(QResizeEvent* event) {
  QGraphicsView::resizeEvent(event);
  if (initialViewPending_ && !viewport()->size().isEmpty()) applyInitialView();
  updateOverview();
}

void GraphView::showEvent(QShowEvent* event) {
  QGraphicsView::showEvent(event);
  // A model set while hidden (another tab) at an unchanged size gets no
  // resize event.
  if (initialViewPending_ && !viewport()->size().isEmpty()) applyInitialView();
  updateOverview();
}

void GraphView::scrollContentsBy(int dx, int dy) {
  QGraphicsView::scrollContentsBy(dx, dy);
  if (overview_ != nullptr && overview_->isVisible()) overview_->update();
}

// Tooltips -------------------------------------------------------------------

QString GraphView::toolTipFor(const Pick& pick) const {
  if (!model_ || (pick.node == nullptr && pick.edge == nullptr)) return {};
  const auto& sg = model_->subgraphs[static_cast<size_t>(subgraph_)];
  QString html;
  const auto tensorLine = [&](int t) {
    const auto& tensor = sg.tensors[static_cast<size_t>(t)];
    return QStringLiteral("%1 <span style='color:#6a7380'>%2</span>")
        .arg(escaped(tensorName(sg, t)), escaped(tensorSummary(tensor)));
  };
  if (pick.node != nullptr && pick.node->kind() == GraphNodeItem::Kind::Op) {
    const int op = pick.node->index();
    const auto& o = sg.operators[static_cast<size_t>(op)];
    html += QStringLiteral("<b>%1</b> &nbsp;op #%2").arg(escaped(opTitle(o))).arg(op);
    const QString fused = fusedActivationName(o);
    if (!fused.isEmpty()) html += QStringLiteral(" &nbsp;+ %1").arg(fused);
    html += QStringLiteral("<br><span style='color:#6a7380'>%1</span>")
                .arg(opCategoryName(opCategory(o.code.builtin)));
    constexpr int kMaxRows = 12;
    int rows = 0;
    html += QStringLiteral("<br><br><b>Inputs</b>");
    for (size_t slot = 0; slot < o.inputs.size(); ++slot) {
      const int t = o.inputs[slot];
      if (t < 0 || static_cast<size_t>(t) >= sg.tensors.size()) continue;
      if (++rows > kMaxRows) {
        html += QStringLiteral("<br>…");
        break;
      }
      html += QStringLiteral("<br>%1: %2")
                  .arg(escaped(inputRoleName(o.code.builtin, static_cast<uint32_t>(slot))), tensorLine(t));
    }
    html += QStringLiteral("<br><b>Outputs</b>");
    for (const int t : o.outputs) {
      if (t < 0 || static_cast<size_t>(t) >= sg.tensors.size()) continue;
      html += QStringLiteral("<br>%1").arg(tensorLine(t));
    }
  } else {
    const int t = pick.node != nullptr ? pick.node->index() : pick.edge->tensor();
    const auto& tensor = sg.tensors[static_cast<size_t>(t)];
    QString kind = QStringLiteral("tensor");
    if (pick.node != nullptr) {
      kind = pick.node->kind() == GraphNodeItem::Kind::Input    ? QStringLiteral("input")
             : pick.node->kind() == GraphNodeItem::Kind::Output ? QStringLiteral("output")
                                                                : QStringLiteral("state / variable");
    }
    html += QStringLiteral("<b>%1</b> &nbsp;%2 #%3").arg(escaped(tensorName(sg, t)), kind).arg(t);
    if (const format::Signature* sig = signatureOf(*model_, subgraph_, signature_)) {
      for (const auto& [maps, role] : {std::pair{&sig->inputs, "input"}, std::pair{&sig->outputs, "output"}})
        for (const format::TensorMap& m : *maps)
          if (static_cast<int>(m.tensor_index) == t)
            html += QStringLiteral("<br>signature %1 %2 “%3”")
                        .arg(escaped(QString::fromStdString(sig->key)), QLatin1String(role),
                             escaped(QString::fromStdString(m.name)));
    }
    html += QStringLiteral("<br>%1").arg(escaped(tensorSummary(tensor)));
    const QString quant = quantText(tensor);
    if (!quant.isEmpty()) html += QStringLiteral("<br>%1").arg(escaped(quant));
    const auto consumers = scene_->tensorEdges(t).size();
    if (consumers > 0)
      html += QStringLiteral("<br>%1 reader%2").arg(consumers).arg(consumers == 1 ? "" : "s");
  }
  return QStringLiteral("<div style='white-space:pre'>%1</div>").arg(html);
}

// Export ---------------------------------------------------------------------

GraphView::PngExport GraphView::planPng(const QPointF& focus) const {
  const QRectF graph = scene_->graphRect();
  double scale = kPngScale;
  scale = std::min(scale, kPngMaxSide / graph.width());
  scale = std::min(scale, kPngMaxSide / graph.height());
  scale = std::min(scale, std::sqrt(kPngMaxPixels / (graph.width() * graph.height())));
  if (scale >= 1) return {graph, scale, false};

  // At 100%, as much as fits round the focus. The full width where it can:
  // ranks run top to bottom, so a band across the graph is what reads.
  const double width = std::min(graph.width(), kPngMaxSide);
  const double height = std::min({graph.height(), kPngMaxSide, std::floor(kPngMaxPixels / width)});
  // Centred on the focus, moved back inside the graph where it would leave it.
  const auto start = [](double centre, double size, double low, double high) {
    return std::max(low, std::min(centre - size / 2, high - size));
  };
  const QRectF crop(start(focus.x(), width, graph.left(), graph.right()),
                    start(focus.y(), height, graph.top(), graph.bottom()), width, height);
  return {avoidCuttingNodes(crop, scene_->nodeItems()), 1.0, true};
}

bool GraphView::exportPng(const QString& path, QString* error, PngExport* done) {
  const auto fail = [&](const QString& message) {
    if (error != nullptr) *error = message;
    return false;
  };
  if (scene_->nodeItems().empty() || scene_->graphRect().isEmpty())
    return fail(tr("There is no graph to export."));

  QSaveFile file(path);
  if (!file.open(QIODevice::WriteOnly))
    return fail(tr("Cannot write %1: %2").arg(QDir::toNativeSeparators(path), file.errorString()));

  const PngExport plan = planPng(mapToScene(viewport()->rect().center()));
  const QRectF source = plan.source;
  const double scale = plan.scale;
  const QSize size(std::max(1, static_cast<int>(std::floor(source.width() * scale))),
                   std::max(1, static_cast<int>(std::floor(source.height() * scale))));
  // Opaque: the scene paints its background, and PNG stores three channels.
  QImage image(size, QImage::Format_RGB32);
  if (image.isNull()) {
    file.cancelWriting();
    return fail(tr("Not enough memory for a %1×%2 image.").arg(size.width()).arg(size.height()));
  }
  image.setDotsPerMeterX(static_cast<int>(std::lround(96 / 0.0254 * scale)));
  image.setDotsPerMeterY(static_cast<int>(std::lround(96 / 0.0254 * scale)));
  {
    const PlainScene plain(scene_);
    QPainter painter(&image);
    painter.setRenderHints(QPainter::Antialiasing | QPainter::TextAntialiasing |
                           QPainter::SmoothPixmapTransform);
    scene_->render(&painter, QRectF(QPointF(0, 0), QSizeF(size)), source, Qt::IgnoreAspectRatio);
  }
  QImageWriter writer(&file, "png");
  if (!writer.write(image)) {
    file.cancelWriting();
    return fail(tr("Cannot write %1: %2").arg(QDir::toNativeSeparators(path), writer.errorString()));
  }
  if (!file.commit())
    return fail(tr("Cannot write %1: %2").arg(QDir::toNativeSeparators(path), file.errorString()));
  if (done != nullptr) *done = plan;
  return true;
}

bool GraphView::exportSvg(const QString& path, QString* error) {
  const auto fail = [&](const QString& message) {
    if (error != nullptr) *error = message;
    return false;
  };
  const QRectF source = scene_->graphRect();
  if (scene_->nodeItems().empty() || source.isEmpty()) return fail(tr("There is no graph to export."));

  QSaveFile file(path);
  if (!file.open(QIODevice::WriteOnly))
    return fail(tr("Cannot write %1: %2").arg(QDir::toNativeSeparators(path), file.errorString()));

  const QSize size(static_cast<int>(std::ceil(source.width())), static_cast<int>(std::ceil(source.height())));
  QSvgGenerator svg;
  svg.setOutputDevice(&file);
  svg.setSize(size);
  svg.setViewBox(QRectF(QPointF(0, 0), source.size()));
  svg.setResolution(96);
  svg.setTitle(QStringLiteral("QuantScope graph"));
  if (model_ && subgraph_ >= 0 && static_cast<size_t>(subgraph_) < model_->subgraphs.size()) {
    const auto& name = model_->subgraphs[static_cast<size_t>(subgraph_)].name;
    svg.setDescription(
        QStringLiteral("Subgraph %1%2")
            .arg(subgraph_)
            .arg(name.empty() ? QString() : QStringLiteral(" (%1)").arg(QString::fromStdString(name))));
  }
  {
    const PlainScene plain(scene_);
    QPainter painter;
    if (!painter.begin(&svg)) {
      file.cancelWriting();
      return fail(
          tr("Cannot write %1: the SVG generator failed to start.").arg(QDir::toNativeSeparators(path)));
    }
    painter.setRenderHints(QPainter::Antialiasing | QPainter::TextAntialiasing);
    scene_->render(&painter, QRectF(QPointF(0, 0), source.size()), source, Qt::IgnoreAspectRatio);
    painter.end();
  }
  if (file.error() != QFileDevice::NoError) {
    const QString message = file.errorString();
    file.cancelWriting();
    return fail(tr("Cannot write %1: %2").arg(QDir::toNativeSeparators(path), message));
  }
  if (!file.commit())
    return fail(tr("Cannot write %1: %2").arg(QDir::toNativeSeparators(path), file.errorString()));
  return true;
}

}  // namespace qs::widgets
