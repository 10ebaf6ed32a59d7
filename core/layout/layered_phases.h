#pragma once
// The phases of the layered layout, one function each, exposed so tests can
// check them one at a time (e.g. that crossing reduction really removes
// crossings from a known bad order). compute_layered_layout() in
// layered_layout.h is the only entry point the rest of the program needs.

#include <cstdint>
#include <span>
#include <vector>

#include "layout/graph.h"
#include "layout/layered_layout.h"

namespace qs::layout::detail {

inline constexpr uint32_t kNone = 0xFFFFFFFFu;

// How an edge takes part in the layering.
enum class EdgeRole : uint8_t {
  Down,      // from a higher rank (smaller number) to a lower one, as given
  Reversed,  // turned round to break a cycle: `to` is ranked above `from`
  SelfLoop,  // from == to; routed round its node, not layered
  Invalid,   // names a node that does not exist; ignored
};

// (a) Depth-first search from the sources (then from any node not yet seen),
// both in index order, reversing every edge that closes a cycle (points at a
// node still on the stack). Reversing all of them leaves a DAG.
std::vector<EdgeRole> break_cycles(const Graph& graph);

// Parts of the graph connected by layered edges, ignoring direction.
// Numbered in order of their smallest node; members in increasing order.
struct Components {
  std::vector<uint32_t> of_node;
  std::vector<std::vector<uint32_t>> members;
};
Components find_components(const Graph& graph, std::span<const EdgeRole> roles);

// (b) Rank of every node: longest path from the sources, then every node
// with more outgoing than incoming edges (sources above all) moved down as
// far as its successors allow, which shortens the edges in total. Each
// component's top rank is 0. Every Down edge goes from a smaller rank to a
// larger one, every Reversed edge from a larger rank to a smaller one.
std::vector<uint32_t> assign_ranks(const Graph& graph, std::span<const EdgeRole> roles,
                                   const Components& components);

// An edge of one component, oriented downwards: rank[upper] < rank[lower].
struct LayeredEdge {
  uint32_t upper = 0;
  uint32_t lower = 0;
};

// One component with a dummy node wherever an edge crosses a rank, so every
// edge joins adjacent ranks. Nodes [0, real_count) are the real ones (in the
// caller's local numbering), the rest are dummies of width 0.
struct LayeredGraph {
  uint32_t real_count = 0;
  std::vector<uint32_t> rank;
  std::vector<double> width;
  std::vector<std::vector<uint32_t>> up;      // neighbours on rank - 1
  std::vector<std::vector<uint32_t>> down;    // neighbours on rank + 1
  std::vector<std::vector<uint32_t>> layers;  // left-to-right order per rank
  std::vector<uint32_t> pos;                  // index of a node in its layer
  // Nodes along each distinct (upper, lower) pair, top to bottom; parallel
  // edges share one chain.
  std::vector<std::vector<uint32_t>> chains;
  std::vector<uint32_t> chain_of_edge;  // per LayeredEdge given

  uint32_t size() const { return static_cast<uint32_t>(rank.size()); }
  bool is_dummy(uint32_t node) const { return node >= real_count; }
};

// (c) Requires rank[e.upper] < rank[e.lower] for every edge; layers start
// empty (see set_initial_order).
LayeredGraph build_layered_graph(std::span<const double> widths, std::span<const uint32_t> ranks,
                                 std::span<const LayeredEdge> edges);

// (d) Crossing reduction.
// Fills `layers` in depth-first pre-order from the sources (index order):
// related nodes start out next to each other.
void set_initial_order(LayeredGraph& graph);
// Recomputes `pos` after `layers` was changed by hand.
void refresh_positions(LayeredGraph& graph);
// Crossings between the segments of each pair of adjacent ranks (Fenwick
// tree inversion count, O(E log V)).
uint64_t count_crossings(const LayeredGraph& graph);
// Alternating down/up barycentre sweeps, each followed by adjacent-swap
// passes; keeps the best order seen. Returns its crossing count.
uint64_t reduce_crossings(LayeredGraph& graph, int sweeps);

// (e) Centre x of every node of the component (Brandes-Köpf): the order of
// each layer is kept with the spacing of `options` between neighbours, and
// as many edges as the order allows are vertical, long ones first. The
// leftmost box edge is at x = 0.
std::vector<double> assign_x(const LayeredGraph& graph, const LayoutOptions& options);

}  // namespace qs::layout::detail
