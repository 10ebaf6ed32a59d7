#pragma once
// The scene of the graph view: builds the ModelGraph of one subgraph, sizes
// its nodes with the view's fonts, lays it out and creates the items. Also
// keeps the lookups the view needs (op -> item, tensor -> edges and nodes).

#include <QGraphicsScene>
#include <QHash>
#include <QString>

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "format/model.h"
#include "layout/model_graph.h"
#include "widgets/graph_items.h"

namespace qs::widgets {

// Names that replace a tensor's own on its input or output pill, by tensor
// index: a signature's aliases ("x" for "serving_default_x:0"), the names
// a caller of the model uses.
using TensorAliases = QHash<int, QString>;

// Milliseconds spent in each phase of the last build.
struct GraphBuildTimings {
  double graphMs = 0;   // build_model_graph
  double layoutMs = 0;  // layout_model_graph
  double sceneMs = 0;   // measuring text, creating and indexing items
};

class GraphScene final : public QGraphicsScene {
  Q_OBJECT

 public:
  explicit GraphScene(QObject* parent = nullptr);
  ~GraphScene() override;

  // Replaces the content with `subgraph` of `model` (which must outlive the
  // scene's use of it; the view holds it). An out-of-range subgraph gives an
  // empty scene. An input or output pill whose tensor has an alias reads
  // "alias ← tensor name".
  void build(const format::Model& model, int subgraph, const TensorAliases& aliases = {});
  void clearGraph();

  const GraphSceneStyle& style() const { return style_; }
  GraphSceneStyle& style() { return style_; }

  const layout::ModelGraph& modelGraph() const { return graph_; }
  const layout::Layout& graphLayout() const { return layout_; }
  const GraphBuildTimings& timings() const { return timings_; }
  // The drawing's extent (nodes, edges, labels) plus a margin.
  QRectF graphRect() const { return graphRect_; }

  // Items by ModelGraph index.
  const std::vector<GraphNodeItem*>& nodeItems() const { return nodes_; }
  const std::vector<GraphEdgeItem*>& edgeItems() const { return edges_; }
  const std::vector<GraphLabelItem*>& labelItems() const { return labels_; }
  GraphNodeItem* opItem(int op) const;
  // Edges carrying `tensor`.
  std::span<const uint32_t> tensorEdges(int tensor) const;
  // Nodes standing for `tensor`: its input/output/state node(s), the ops
  // that fold it as a constant, or its producer when nothing reads it.
  std::span<const uint32_t> tensorNodes(int tensor) const;
  // Edges into or out of node `node` (a ModelGraph index).
  std::span<const uint32_t> nodeEdges(int node) const;
  // Tensors drawn somewhere (an edge or a node), for find.
  bool isTensorShown(int tensor) const;

 private:
  void sizeNodes(const format::Model& model, const format::Subgraph& sg, const TensorAliases& aliases,
                 std::vector<GraphNodeItem*>& items);
  void buildEdges(const format::Subgraph& sg);
  void placeEdgeLabels(const format::Subgraph& sg);
  void buildTensorIndex(const format::Subgraph& sg);

  GraphSceneStyle style_;
  layout::ModelGraph graph_;
  layout::Layout layout_;
  std::vector<GraphNodeItem*> nodes_;
  std::vector<GraphEdgeItem*> edges_;
  std::vector<GraphLabelItem*> labels_;
  std::vector<uint32_t> tensorEdgeOffsets_, tensorEdgeList_;
  std::vector<uint32_t> tensorNodeOffsets_, tensorNodeList_;
  std::vector<uint32_t> nodeEdgeOffsets_, nodeEdgeList_;
  QRectF graphRect_;
  GraphBuildTimings timings_;
};

}  // namespace qs::widgets
