// Layered layout (Sugiyama, Tagawa and Toda 1981), the pipeline every
// dataflow-graph viewer uses, as six named phases:
//
//  (a) break_cycles        DFS from the sources; edges closing a cycle are
//                          reversed for the layering (drawn pointing up).
//  (b) assign_ranks        longest path from the sources, then nodes with
//                          more outputs than inputs pulled down to their
//                          consumers (so a late-used input sits next to its
//                          consumer instead of on the top rank).
//  (c) build_layered_graph a dummy node on every rank a long edge crosses,
//                          so that every edge joins adjacent ranks.
//  (d) reduce_crossings    DFS initial order, then alternating down/up
//                          barycentre sweeps with adjacent swaps (a fixed
//                          number), keeping the best order seen.
//  (e) assign_x            Brandes-Köpf: nodes grouped into vertical blocks
//                          along median neighbours (long edges first), blocks
//                          compacted four ways and balanced; y is one band
//                          per rank, as tall as the rank's tallest node,
//                          nodes centred in it.
//  (f) route_edges         source bottom centre -> dummy positions -> target
//                          top centre (reversed edges: top to bottom).
//
// Unconnected parts (components) are laid out separately by (c)-(e) and put
// side by side; they share the rank bands so that equal ranks line up.
// Every phase is linear or O(n log n) in nodes + edges + dummies per sweep
// and the sweeps are capped, so 10 000-node graphs take milliseconds.
// No hashing, no pointers as keys, fixed iteration orders: the output is a
// pure function of the input.

#include "layout/layered_layout.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <span>

#include "layout/layered_phases.h"

namespace qs::layout {
namespace {

using detail::EdgeRole;
using detail::kNone;
using detail::LayeredGraph;

double non_negative(double value) { return std::isfinite(value) && value > 0 ? value : 0; }

LayoutOptions sanitised(LayoutOptions options) {
  options.node_spacing = non_negative(options.node_spacing);
  options.rank_spacing = non_negative(options.rank_spacing);
  options.edge_spacing = non_negative(options.edge_spacing);
  options.component_spacing = non_negative(options.component_spacing);
  options.crossing_sweeps = std::max(options.crossing_sweeps, 0);
  return options;
}

std::vector<Size> sanitised_sizes(const Graph& graph) {
  std::vector<Size> sizes(graph.nodes.size());
  for (size_t i = 0; i < sizes.size(); ++i) {
    sizes[i] = {non_negative(graph.nodes[i].width), non_negative(graph.nodes[i].height)};
  }
  return sizes;
}

// Sweeps cost O(nodes + dummies) each. A graph whose edges span many ranks
// can have dozens of dummies per node; fewer sweeps then keep the time
// bounded (about 1M node visits per component) at some cost in crossings.
int sweep_budget(const LayeredGraph& g, int requested) {
  constexpr uint64_t kNodeVisits = 1'000'000;
  constexpr int kAtLeast = 2;  // one down and one up sweep always pay
  const auto affordable = kNodeVisits / std::max<uint64_t>(g.size(), 1);
  return std::min(requested, static_cast<int>(std::max<uint64_t>(affordable, kAtLeast)));
}

// One component after phases (c) to (e), in its own x frame.
struct PlacedComponent {
  const std::vector<uint32_t>* members = nullptr;  // local real node -> graph node
  std::vector<uint32_t> edges;                     // graph edges, by local edge index
  LayeredGraph layered;
  std::vector<double> x;  // centre x per layered node
  uint64_t crossings = 0;
};

// Vertical extent of every rank: all components share these bands.
struct Bands {
  std::vector<double> top;
  std::vector<double> height;

  double bottom(uint32_t rank) const { return top[rank] + height[rank]; }
};

PlacedComponent place_component(const std::vector<uint32_t>& members, std::vector<uint32_t> edges,
                                const Graph& graph, std::span<const EdgeRole> roles,
                                std::span<const uint32_t> ranks, std::span<const uint32_t> local,
                                std::span<const Size> sizes, const LayoutOptions& options) {
  PlacedComponent out;
  out.members = &members;
  out.edges = std::move(edges);
  std::vector<double> widths(members.size());
  std::vector<uint32_t> local_ranks(members.size());
  for (size_t i = 0; i < members.size(); ++i) {
    widths[i] = sizes[members[i]].width;
    local_ranks[i] = ranks[members[i]];
  }
  std::vector<detail::LayeredEdge> layered_edges(out.edges.size());
  for (size_t i = 0; i < out.edges.size(); ++i) {
    const auto& edge = graph.edges[out.edges[i]];
    const bool up = roles[out.edges[i]] == EdgeRole::Reversed;
    layered_edges[i] = {local[up ? edge.to : edge.from], local[up ? edge.from : edge.to]};
  }
  out.layered = detail::build_layered_graph(widths, local_ranks, layered_edges);
  detail::set_initial_order(out.layered);
  out.crossings = detail::reduce_crossings(out.layered, sweep_budget(out.layered, options.crossing_sweeps));
  out.x = detail::assign_x(out.layered, options);
  return out;
}

Bands rank_bands(std::span<const uint32_t> ranks, std::span<const Size> sizes, double rank_spacing) {
  uint32_t count = 0;
  for (const auto r : ranks) count = std::max(count, r + 1);
  Bands bands;
  bands.height.assign(count, 0);
  for (size_t v = 0; v < ranks.size(); ++v) {
    bands.height[ranks[v]] = std::max(bands.height[ranks[v]], sizes[v].height);
  }
  bands.top.assign(count, 0);
  for (uint32_t r = 1; r < count; ++r) bands.top[r] = bands.bottom(r - 1) + rank_spacing;
  return bands;
}

// The polyline of one layered chain, top to bottom. Through a band of
// height the line stays vertical, so it never cuts a node's box sideways.
std::vector<Point> chain_points(const PlacedComponent& c, const std::vector<uint32_t>& chain, double x_offset,
                                const Bands& bands, std::span<const NodePlacement> nodes) {
  std::vector<Point> points;
  points.reserve(2 * chain.size());
  points.push_back(nodes[(*c.members)[chain.front()]].rect.bottom_centre());
  for (size_t i = 1; i + 1 < chain.size(); ++i) {
    const auto d = chain[i];
    const auto x = x_offset + c.x[d];
    const auto r = c.layered.rank[d];
    points.push_back({x, bands.top[r]});
    if (bands.height[r] > 0) points.push_back({x, bands.bottom(r)});
  }
  points.push_back(nodes[(*c.members)[chain.back()]].rect.top_centre());
  return points;
}

// Room a self-loop takes to the right of its node: inside the gap that
// spacing leaves there.
double loop_margin(const LayoutOptions& options) {
  return std::min(options.node_spacing, options.edge_spacing) / 2;
}

// Out of the bottom, round the right side, into the top.
std::vector<Point> self_loop_points(const Rect& box, const LayoutOptions& options) {
  const auto side = loop_margin(options);
  const auto drop = options.rank_spacing / 4;
  const auto centre = box.x + box.width / 2;
  return {box.bottom_centre(),
          {centre, box.bottom() + drop},
          {box.right() + side, box.bottom() + drop},
          {box.right() + side, box.y - drop},
          {centre, box.y - drop},
          box.top_centre()};
}

// Phases (c) to (e) for every component, each with its own local numbering.
std::vector<PlacedComponent> place_components(const Graph& graph, std::span<const EdgeRole> roles,
                                              const detail::Components& components,
                                              std::span<const uint32_t> ranks, std::span<const Size> sizes,
                                              const LayoutOptions& options) {
  std::vector<uint32_t> local(graph.nodes.size(), kNone);
  for (const auto& members : components.members) {
    for (uint32_t i = 0; i < members.size(); ++i) local[members[i]] = i;
  }
  std::vector<std::vector<uint32_t>> edges_of(components.members.size());
  for (uint32_t e = 0; e < roles.size(); ++e) {
    if (roles[e] == EdgeRole::Down || roles[e] == EdgeRole::Reversed) {
      edges_of[components.of_node[graph.edges[e].from]].push_back(e);
    }
  }
  std::vector<PlacedComponent> placed;
  placed.reserve(components.members.size());
  for (size_t c = 0; c < components.members.size(); ++c) {
    placed.push_back(place_component(components.members[c], std::move(edges_of[c]), graph, roles, ranks,
                                     local, sizes, options));
  }
  return placed;
}

// Components left to right, in order of their smallest node: the x offset
// of each.
std::vector<double> pack_components(const std::vector<PlacedComponent>& placed, const Graph& graph,
                                    std::span<const EdgeRole> roles, const LayoutOptions& options) {
  std::vector<uint8_t> has_loop(graph.nodes.size(), 0);
  for (size_t e = 0; e < roles.size(); ++e) {
    if (roles[e] == EdgeRole::SelfLoop) has_loop[graph.edges[e].from] = 1;
  }
  std::vector<double> offsets(placed.size(), 0);
  double cursor = 0;
  for (size_t c = 0; c < placed.size(); ++c) {
    const auto& pc = placed[c];
    offsets[c] = cursor;
    double right = 0;
    for (uint32_t v = 0; v < pc.layered.size(); ++v) {
      const bool loop = !pc.layered.is_dummy(v) && has_loop[(*pc.members)[v]];
      right = std::max(right, pc.x[v] + pc.layered.width[v] / 2 + (loop ? loop_margin(options) : 0));
    }
    cursor += right + options.component_spacing;
  }
  return offsets;
}

void place_nodes(Layout& layout, const std::vector<PlacedComponent>& placed, std::span<const double> offsets,
                 std::span<const uint32_t> ranks, std::span<const Size> sizes, const Bands& bands) {
  for (size_t c = 0; c < placed.size(); ++c) {
    const auto& pc = placed[c];
    for (uint32_t v = 0; v < pc.layered.real_count; ++v) {
      const auto node = (*pc.members)[v];
      const auto r = ranks[node];
      const auto& size = sizes[node];
      layout.nodes[node] = {{offsets[c] + pc.x[v] - size.width / 2,
                             bands.top[r] + (bands.height[r] - size.height) / 2, size.width, size.height},
                            r};
    }
  }
}

// (f) Polylines, once every node has its box.
void route_edges(Layout& layout, const Graph& graph, std::span<const EdgeRole> roles,
                 const std::vector<PlacedComponent>& placed, std::span<const double> offsets,
                 const Bands& bands, const LayoutOptions& options) {
  for (size_t c = 0; c < placed.size(); ++c) {
    const auto& pc = placed[c];
    for (size_t i = 0; i < pc.edges.size(); ++i) {
      const auto e = pc.edges[i];
      const auto& chain = pc.layered.chains[pc.layered.chain_of_edge[i]];
      auto& route = layout.edges[e];
      route.points = chain_points(pc, chain, offsets[c], bands, layout.nodes);
      // Laid out from `to` down to `from`: walk it backwards so the line
      // still starts at the source.
      route.reversed = roles[e] == EdgeRole::Reversed;
      if (route.reversed) std::reverse(route.points.begin(), route.points.end());
    }
  }
  for (size_t e = 0; e < roles.size(); ++e) {
    if (roles[e] == EdgeRole::SelfLoop) {
      layout.edges[e].points = self_loop_points(layout.nodes[graph.edges[e].from].rect, options);
    }
  }
}

// Moves everything so that the bounding box starts at (0, 0).
void normalise(Layout& layout) {
  double left = std::numeric_limits<double>::infinity();
  double top = left;
  double right = -left;
  double bottom = -left;
  const auto include = [&](const Point& p) {
    left = std::min(left, p.x);
    top = std::min(top, p.y);
    right = std::max(right, p.x);
    bottom = std::max(bottom, p.y);
  };
  for (const auto& node : layout.nodes) {
    include({node.rect.x, node.rect.y});
    include({node.rect.right(), node.rect.bottom()});
  }
  for (const auto& edge : layout.edges) {
    for (const auto& p : edge.points) include(p);
  }
  if (layout.nodes.empty()) return;
  for (auto& node : layout.nodes) {
    node.rect.x -= left;
    node.rect.y -= top;
  }
  for (auto& edge : layout.edges) {
    for (auto& p : edge.points) p = {p.x - left, p.y - top};
  }
  layout.bounds = {0, 0, right - left, bottom - top};
}

}  // namespace

Layout compute_layered_layout(const Graph& graph, const LayoutOptions& raw_options) {
  const auto options = sanitised(raw_options);
  const auto sizes = sanitised_sizes(graph);
  const auto roles = detail::break_cycles(graph);
  const auto components = detail::find_components(graph, roles);
  const auto ranks = detail::assign_ranks(graph, roles, components);
  const auto placed = place_components(graph, roles, components, ranks, sizes, options);
  const auto bands = rank_bands(ranks, sizes, options.rank_spacing);
  const auto offsets = pack_components(placed, graph, roles, options);

  Layout layout;
  layout.nodes.resize(graph.nodes.size());
  layout.edges.resize(graph.edges.size());
  layout.rank_count = static_cast<uint32_t>(bands.top.size());
  for (const auto& pc : placed) layout.crossings += pc.crossings;
  place_nodes(layout, placed, offsets, ranks, sizes, bands);
  route_edges(layout, graph, roles, placed, offsets, bands, options);
  normalise(layout);
  return layout;
}

}  // namespace qs::layout
