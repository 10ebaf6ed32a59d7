#pragma once
// Layered ("Sugiyama") layout of a directed graph: data flows downwards,
// nodes sit on horizontal ranks, long edges bend through the ranks they
// cross. See layered_layout.cpp for the algorithm.
//
// The result is a pure function of the input: the same Graph and options give
// bit-identical coordinates, on every run and platform with IEEE doubles.

#include <cstdint>
#include <vector>

#include "layout/graph.h"

namespace qs::layout {

struct LayoutOptions {
  // Horizontal gap between two nodes on the same rank.
  double node_spacing = 24;
  // Vertical gap between the bottom of one rank and the top of the next.
  double rank_spacing = 48;
  // Horizontal gap next to an edge passing through a rank (between two
  // passing edges, or a passing edge and a node): smaller than node_spacing
  // so bundles of long edges stay compact.
  double edge_spacing = 12;
  // Horizontal gap between the bounding boxes of unconnected parts of the graph.
  double component_spacing = 48;
  // Crossing reduction: at most this many barycentre sweeps (each one down
  // or up); fewer when the graph has hundreds of thousands of nodes and
  // dummies, to bound the time. 0 keeps the initial depth-first order.
  int crossing_sweeps = 16;
};

struct NodePlacement {
  Rect rect;          // top-left corner and size
  uint32_t rank = 0;  // 0 is the top rank; all nodes of a rank share a band of y

  friend bool operator==(const NodePlacement&, const NodePlacement&) = default;
};

struct EdgeRoute {
  // Starts on the source's box and ends on the target's box. A downward edge
  // leaves the source's bottom centre and enters the target's top centre,
  // through one bend point per rank band it crosses (two when the band has
  // height). A reversed edge (one turned round to break a cycle) leaves the
  // source's top centre and enters the target's bottom centre. A self-loop
  // leaves the bottom centre, runs round the node's right side and enters
  // the top centre. Empty only for an edge naming a node that does not exist.
  std::vector<Point> points;
  bool reversed = false;

  friend bool operator==(const EdgeRoute&, const EdgeRoute&) = default;
};

struct Layout {
  std::vector<NodePlacement> nodes;  // one per Graph node, same index
  std::vector<EdgeRoute> edges;      // one per Graph edge, same index
  Rect bounds;                       // all boxes and points; its corner is (0, 0)
  uint32_t rank_count = 0;
  // Crossings between edge segments of adjacent ranks in the final order
  // (edges sharing a dummy chain count once); a quality figure.
  uint64_t crossings = 0;

  friend bool operator==(const Layout&, const Layout&) = default;
};

Layout compute_layered_layout(const Graph& graph, const LayoutOptions& options = {});

}  // namespace qs::layout
