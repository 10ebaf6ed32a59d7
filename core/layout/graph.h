#pragma once
// The abstract input of the layout engine: a directed graph whose nodes are
// boxes of a given size (scene units) and whose edges point in data-flow
// direction. Nothing here knows about models; core/layout/model_graph.h turns
// a subgraph into one of these.
//
// Cycles, self-loops and parallel edges are all allowed: the layout breaks
// cycles itself. An edge naming a node that does not exist is tolerated too
// (it is left unrouted), so a caller's bug costs a missing line, not a crash.

#include <cstdint>
#include <vector>

namespace qs::layout {

struct Size {
  double width = 0;
  double height = 0;

  friend bool operator==(const Size&, const Size&) = default;
};

struct Point {
  double x = 0;
  double y = 0;

  friend bool operator==(const Point&, const Point&) = default;
};

// Axis-aligned, y pointing down (scene coordinates).
struct Rect {
  double x = 0;
  double y = 0;
  double width = 0;
  double height = 0;

  double right() const { return x + width; }
  double bottom() const { return y + height; }
  Point top_centre() const { return {x + width / 2, y}; }
  Point bottom_centre() const { return {x + width / 2, y + height}; }
  // Open intersection: rectangles that only touch do not intersect.
  bool intersects(const Rect& other) const {
    return x < other.right() && other.x < right() && y < other.bottom() && other.y < bottom();
  }

  friend bool operator==(const Rect&, const Rect&) = default;
};

struct Edge {
  uint32_t from = 0;
  uint32_t to = 0;

  friend bool operator==(const Edge&, const Edge&) = default;
};

struct Graph {
  std::vector<Size> nodes;  // node i has size nodes[i]
  std::vector<Edge> edges;  // edge i is edges[i]

  uint32_t add_node(Size size) {
    nodes.push_back(size);
    return static_cast<uint32_t>(nodes.size() - 1);
  }
  uint32_t add_edge(uint32_t from, uint32_t to) {
    edges.push_back({from, to});
    return static_cast<uint32_t>(edges.size() - 1);
  }
};

}  // namespace qs::layout
