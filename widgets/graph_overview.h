#pragma once
// The graph view's mini-map: a thumbnail of the whole scene in a corner of
// the view with the visible area outlined. Clicking or dragging in it asks
// the view to move there (moveRequested). The thumbnail is rendered once per model; moving the view
// only repaints the outline.

#include <QImage>
#include <QWidget>

#include <vector>

class QGraphicsView;

namespace qs::widgets {

class GraphScene;

class GraphOverview final : public QWidget {
  Q_OBJECT

 public:
  // A child of `view` (not of its viewport, which scrolls its children).
  explicit GraphOverview(QGraphicsView* view);

  // Re-renders the thumbnail from `scene` (null: empty).
  void rebuild(GraphScene* scene);
  // Keeps to the bottom-right corner of the viewport.
  void reposition();
  // Markers: find matches and the selection, in scene coordinates.
  void setMarks(std::vector<QRectF> hits, const QRectF& selection);

  // Scene point under a widget point.
  QPointF toScene(const QPointF& widgetPoint) const;

 signals:
  // A click or drag: the view should centre on `scenePoint`.
  void moveRequested(const QPointF& scenePoint);

 protected:
  void paintEvent(QPaintEvent* event) override;
  void mousePressEvent(QMouseEvent* event) override;
  void mouseMoveEvent(QMouseEvent* event) override;
  void mouseReleaseEvent(QMouseEvent* event) override;

 private:
  QRectF toWidget(const QRectF& sceneRect) const;
  void moveViewTo(const QPointF& widgetPoint);

  QGraphicsView* view_;
  QImage thumbnail_;
  QRectF sceneRect_;   // what the thumbnail shows
  QRectF thumbRect_;   // where it is drawn, widget coordinates
  double scaleX_ = 1;  // widget pixels per scene unit
  double scaleY_ = 1;
  std::vector<QRectF> hits_;
  QRectF selection_;
  bool dragging_ = false;
};

}  // namespace qs::widgets
