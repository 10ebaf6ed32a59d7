#pragma once
// The model graph of one subgraph: ops as boxes coloured by category with
// their constant inputs listed inside, inputs and outputs as pills, tensors
// as arrows labelled with shape and type. Laid out top to bottom by
// core/layout.
//
// Navigation: drag or wheel to pan, Ctrl+wheel (or pinch) to zoom round the
// cursor, +/- to zoom, 0 to fit, 1 for 100%, Escape to clear the selection;
// the overview in the bottom-right corner moves the view on click or drag.
// A click selects an op, an input/output pill or an edge and emits
// opSelected / tensorSelected; selectOp / selectTensor do the same from the
// outside without emitting, so two views can follow each other.
//
// Big graphs: items draw with levels of detail (plain blocks when zoomed
// out, no text below ~45%), so 10 000 ops pan smoothly.

#include <QGraphicsView>
#include <QList>
#include <QRectF>
#include <QString>

#include <memory>
#include <vector>

#include "format/model.h"
#include "widgets/graph_scene.h"

namespace qs::widgets {

class GraphOverview;

// A find match: an op (by index) or a tensor (by index).
struct GraphHit {
  enum class Kind : uint8_t { Op, Tensor };
  Kind kind = Kind::Op;
  int index = -1;

  friend bool operator==(const GraphHit&, const GraphHit&) = default;
};

class GraphView : public QGraphicsView {
  Q_OBJECT

 public:
  using Hit = GraphHit;

  explicit GraphView(QWidget* parent = nullptr);
  ~GraphView() override;

  // Shows `subgraph` of `model` (null: nothing). The view keeps the model
  // alive. An out-of-range subgraph shows an empty view. `signature`, an
  // index into model->signatures naming this subgraph, puts the
  // signature's names on the input and output pills ("x ← serving_default_x:0");
  // -1 (or a signature of another subgraph) shows the tensors' own names.
  void setModel(std::shared_ptr<const format::Model> model, int subgraph, int signature = -1);
  const std::shared_ptr<const format::Model>& model() const { return model_; }
  // The subgraph shown, -1 without a model.
  int subgraph() const { return model_ ? subgraph_ : -1; }
  // The signature whose names the pills carry, -1 for none.
  int signature() const { return model_ ? signature_ : -1; }
  void clear();

  // The current selection, -1 when it is not of that kind.
  int selectedOp() const { return selectedOp_; }
  int selectedTensor() const { return selectedTensor_; }

  // Ops and tensors matching `text`: "#12" is op 12; "12" is op 12 and the
  // tensors whose name contains "12"; an op name ("CONV_2D", any case) or a
  // custom code is exactly the ops of that type; anything else is the ops
  // whose name contains it and the tensors whose name contains it, ignoring
  // case. Ordered top to bottom through the graph (an index match first).
  QList<Hit> find(const QString& text) const;
  // Marks `hits` (the find bar's matches) until replaced; empty clears.
  void setHighlightedHits(const QList<Hit>& hits);
  // Selects and centres a hit, emitting opSelected / tensorSelected as a
  // click would.
  void activateHit(const Hit& hit);

  // PNG export never goes below 100% (one pixel per scene unit), where
  // node text stops being legible; these bound the image.
  static constexpr double kPngMaxSide = 32000;  // pixels, either side
  // 128 MB as 32-bit pixels: the most Qt's own image reader accepts by
  // default, and about what other viewers open without complaint.
  static constexpr double kPngMaxPixels = 32e6;
  // What exportPng wrote.
  struct PngExport {
    QRectF source;         // the part of the graph in the image, scene units
    double scale = 1;      // image pixels per scene unit
    bool cropped = false;  // `source` is only part of the graph
  };
  // The whole graph at 2x, or at less down to 100% to stay within the
  // bounds above. A graph too big even at 100% (a chain of thousands of
  // ops) is cropped at 100% to the part round the centre of the view, cut
  // between ranks where it can be: a legible part rather than an unreadable
  // whole; `done` says so, and SVG has the whole graph. Without selection
  // or find marks. Written atomically: on failure no file is left and
  // `error` says why.
  bool exportPng(const QString& path, QString* error = nullptr, PngExport* done = nullptr);
  bool exportSvg(const QString& path, QString* error = nullptr);

  bool edgeLabelsVisible() const;
  bool isOverviewEnabled() const { return overviewEnabled_; }
  void setOverviewEnabled(bool enabled);
  // Scale factor: 1 is 100%.
  double zoom() const;

  GraphScene* graphScene() const { return scene_; }
  GraphOverview* overview() const { return overview_; }
  const GraphBuildTimings& buildTimings() const { return scene_->timings(); }

 public slots:
  void selectOp(int op);
  void selectTensor(int tensor);
  void clearSelection();
  // Whole graph in view, at most 100%.
  void fitToView();
  void zoomIn();
  void zoomOut();
  void resetZoom();
  void setZoom(double zoom);
  void setEdgeLabelsVisible(bool visible);

 signals:
  void opSelected(int subgraph, int op);
  void tensorSelected(int subgraph, int tensor);
  // A click on empty space.
  void selectionCleared();
  void contextMenuRequestedForOp(int op, QPoint globalPos);
  void contextMenuRequestedForTensor(int tensor, QPoint globalPos);
  void zoomChanged(double zoom);
  // After setModel / clear (the find bar re-runs its search).
  void graphChanged();

 protected:
  bool viewportEvent(QEvent* event) override;
  void wheelEvent(QWheelEvent* event) override;
  void keyPressEvent(QKeyEvent* event) override;
  void mousePressEvent(QMouseEvent* event) override;
  void mouseReleaseEvent(QMouseEvent* event) override;
  void contextMenuEvent(QContextMenuEvent* event) override;
  void resizeEvent(QResizeEvent* event) override;
  void showEvent(QShowEvent* event) override;
  void scrollContentsBy(int dx, int dy) override;

 private:
  struct Pick {
    GraphNodeItem* node = nullptr;
    GraphEdgeItem* edge = nullptr;
  };
  Pick pickAt(const QPoint& viewportPos) const;
  // Selects what `pick` points at, emitting when `notify`.
  void selectPick(const Pick& pick, bool notify);
  void selectNode(GraphNodeItem* node, bool notify, bool centre);
  void selectTensorInternal(int tensor, bool notify, bool centre);
  void clearSelectionMarks();
  void mark(QGraphicsItem* item, uint8_t bit);
  void centreOn(const QRectF& sceneRect);
  void zoomAround(double zoom, const QPoint& viewportPos);
  double fitZoom() const;
  void applyInitialView();
  void updateOverview();
  QString toolTipFor(const Pick& pick) const;
  // The image exportPng would write, for a view centred on `focus`.
  PngExport planPng(const QPointF& focus) const;
  QRectF hitRect(const Hit& hit) const;
  void ensureTensorNames() const;

  GraphScene* scene_;
  GraphOverview* overview_;
  std::shared_ptr<const format::Model> model_;
  int subgraph_ = 0;
  int signature_ = -1;
  int selectedOp_ = -1;
  int selectedTensor_ = -1;
  QRectF selectionRect_;
  std::vector<QGraphicsItem*> selectionItems_;  // items carrying selection marks
  std::vector<QGraphicsItem*> hitItems_;        // items carrying find marks
  std::vector<QRectF> hitRects_;
  mutable std::vector<QString> tensorNames_;  // for find, filled on first use
  QPoint pressPos_;
  bool pressed_ = false;
  bool initialViewPending_ = false;
  bool overviewEnabled_ = true;
};

}  // namespace qs::widgets
