// Phases (a) to (c) of the layered layout: cycle breaking, components, rank
// assignment and dummy insertion. All linear in nodes + edges (+ dummies).

#include <algorithm>
#include <limits>
#include <numeric>

#include "layout/layered_phases.h"

namespace qs::layout::detail {
namespace {

// Compressed adjacency: the edge ids leaving (or entering) each node, in
// increasing edge id, so every traversal is deterministic.
struct Adjacency {
  std::vector<uint32_t> start;  // node n owns ids[start[n], start[n + 1])
  std::vector<uint32_t> ids;

  std::span<const uint32_t> of(uint32_t node) const {
    return std::span<const uint32_t>(ids).subspan(start[node], start[node + 1] - start[node]);
  }
};

template <class EndOf>
Adjacency build_adjacency(size_t node_count, size_t edge_count, EndOf end_of) {
  Adjacency adj;
  adj.start.assign(node_count + 1, 0);
  for (uint32_t e = 0; e < edge_count; ++e) {
    if (const auto n = end_of(e); n != kNone) ++adj.start[n + 1];
  }
  std::partial_sum(adj.start.begin(), adj.start.end(), adj.start.begin());
  adj.ids.resize(adj.start.back());
  std::vector<uint32_t> fill(adj.start.begin(), adj.start.end() - 1);
  for (uint32_t e = 0; e < edge_count; ++e) {
    if (const auto n = end_of(e); n != kNone) adj.ids[fill[n]++] = e;
  }
  return adj;
}

bool is_layered(EdgeRole role) { return role == EdgeRole::Down || role == EdgeRole::Reversed; }

// The edge as the layering sees it: upper end first.
LayeredEdge oriented(const Edge& edge, EdgeRole role) {
  return role == EdgeRole::Reversed ? LayeredEdge{edge.to, edge.from} : LayeredEdge{edge.from, edge.to};
}

uint32_t find_root(std::vector<uint32_t>& parent, uint32_t node) {
  while (parent[node] != node) {
    parent[node] = parent[parent[node]];  // path halving
    node = parent[node];
  }
  return node;
}

}  // namespace

std::vector<EdgeRole> break_cycles(const Graph& graph) {
  const auto n = static_cast<uint32_t>(graph.nodes.size());
  std::vector<EdgeRole> roles(graph.edges.size(), EdgeRole::Down);
  for (size_t e = 0; e < graph.edges.size(); ++e) {
    const auto& edge = graph.edges[e];
    if (edge.from >= n || edge.to >= n) {
      roles[e] = EdgeRole::Invalid;
    } else if (edge.from == edge.to) {
      roles[e] = EdgeRole::SelfLoop;
    }
  }
  const auto out = build_adjacency(
      n, roles.size(), [&](uint32_t e) { return roles[e] == EdgeRole::Down ? graph.edges[e].from : kNone; });

  // Sources first, so the edges that get reversed are the ones pointing
  // back against the flow from the inputs, not arbitrary ones.
  std::vector<uint32_t> in_degree(n, 0);
  for (size_t e = 0; e < roles.size(); ++e) {
    if (roles[e] == EdgeRole::Down) ++in_degree[graph.edges[e].to];
  }
  std::vector<uint32_t> roots;
  roots.reserve(n);
  for (uint32_t v = 0; v < n; ++v) {
    if (in_degree[v] == 0) roots.push_back(v);
  }
  for (uint32_t v = 0; v < n; ++v) {
    if (in_degree[v] != 0) roots.push_back(v);
  }

  enum : uint8_t { kUnseen, kOnStack, kDone };
  std::vector<uint8_t> state(n, kUnseen);
  struct Frame {
    uint32_t node;
    uint32_t next;  // index into out.of(node)
  };
  std::vector<Frame> stack;
  for (const auto root : roots) {
    if (state[root] != kUnseen) continue;
    state[root] = kOnStack;
    stack.push_back({root, 0});
    while (!stack.empty()) {
      auto& frame = stack.back();
      const auto edges = out.of(frame.node);
      if (frame.next == edges.size()) {
        state[frame.node] = kDone;
        stack.pop_back();
        continue;
      }
      const auto e = edges[frame.next++];
      const auto target = graph.edges[e].to;
      if (state[target] == kOnStack) {
        roles[e] = EdgeRole::Reversed;
      } else if (state[target] == kUnseen) {
        state[target] = kOnStack;
        stack.push_back({target, 0});  // invalidates `frame`; not used again
      }
    }
  }
  return roles;
}

Components find_components(const Graph& graph, std::span<const EdgeRole> roles) {
  const auto n = static_cast<uint32_t>(graph.nodes.size());
  std::vector<uint32_t> parent(n);
  std::iota(parent.begin(), parent.end(), 0u);
  for (size_t e = 0; e < roles.size(); ++e) {
    if (!is_layered(roles[e])) continue;
    const auto a = find_root(parent, graph.edges[e].from);
    const auto b = find_root(parent, graph.edges[e].to);
    if (a != b) parent[std::max(a, b)] = std::min(a, b);
  }
  Components out;
  out.of_node.assign(n, kNone);
  std::vector<uint32_t> id_of_root(n, kNone);
  for (uint32_t v = 0; v < n; ++v) {
    const auto root = find_root(parent, v);
    if (id_of_root[root] == kNone) {
      id_of_root[root] = static_cast<uint32_t>(out.members.size());
      out.members.emplace_back();
    }
    out.of_node[v] = id_of_root[root];
    out.members[id_of_root[root]].push_back(v);
  }
  return out;
}

std::vector<uint32_t> assign_ranks(const Graph& graph, std::span<const EdgeRole> roles,
                                   const Components& components) {
  const auto n = static_cast<uint32_t>(graph.nodes.size());
  const auto upper_of = [&](uint32_t e) {
    return is_layered(roles[e]) ? oriented(graph.edges[e], roles[e]).upper : kNone;
  };
  const auto lower_of = [&](uint32_t e) {
    return is_layered(roles[e]) ? oriented(graph.edges[e], roles[e]).lower : kNone;
  };
  const auto out = build_adjacency(n, roles.size(), upper_of);
  const auto in = build_adjacency(n, roles.size(), lower_of);

  // Kahn's algorithm with a FIFO seeded in index order: a deterministic
  // topological order, in which longest-path ranks are one relaxation each.
  std::vector<uint32_t> pending(n);
  std::vector<uint32_t> topo;
  topo.reserve(n);
  for (uint32_t v = 0; v < n; ++v) {
    pending[v] = static_cast<uint32_t>(in.of(v).size());
    if (pending[v] == 0) topo.push_back(v);
  }
  std::vector<uint32_t> rank(n, 0);
  for (size_t head = 0; head < topo.size(); ++head) {
    const auto v = topo[head];
    for (const auto e : out.of(v)) {
      const auto w = lower_of(e);
      rank[w] = std::max(rank[w], rank[v] + 1);
      if (--pending[w] == 0) topo.push_back(w);
    }
  }

  // Longest path stacks every source on the top rank, far from its
  // consumers (a model input used only at the end gets an edge across the
  // whole drawing). Moving a node down by one shortens its outgoing edges
  // and lengthens its incoming ones, so it pays when it has more of the
  // former. Bottom-up, each node sees its successors' final ranks.
  for (auto it = topo.rbegin(); it != topo.rend(); ++it) {
    const auto v = *it;
    const auto outs = out.of(v);
    if (outs.size() <= in.of(v).size()) continue;
    auto lowest = std::numeric_limits<uint32_t>::max();
    for (const auto e : outs) lowest = std::min(lowest, rank[lower_of(e)]);
    if (lowest - 1 > rank[v]) rank[v] = lowest - 1;
  }

  // Moving nodes down can empty a rank (the top one, say); close the gaps so
  // every component's ranks are 0, 1, 2, ... with no empty band.
  std::vector<uint32_t> renumber;
  for (const auto& members : components.members) {
    uint32_t count = 0;
    for (const auto v : members) count = std::max(count, rank[v] + 1);
    renumber.assign(count + 1, 0);
    for (const auto v : members) renumber[rank[v] + 1] = 1;
    std::partial_sum(renumber.begin(), renumber.end(), renumber.begin());
    for (const auto v : members) rank[v] = renumber[rank[v]];
  }
  return rank;
}

LayeredGraph build_layered_graph(std::span<const double> widths, std::span<const uint32_t> ranks,
                                 std::span<const LayeredEdge> edges) {
  LayeredGraph g;
  g.real_count = static_cast<uint32_t>(widths.size());
  g.rank.assign(ranks.begin(), ranks.end());
  g.width.assign(widths.begin(), widths.end());

  // Parallel edges would draw as one line anyway; one chain of dummies for
  // all of them keeps long bundles from widening the drawing.
  std::vector<uint32_t> by_pair(edges.size());
  std::iota(by_pair.begin(), by_pair.end(), 0u);
  std::sort(by_pair.begin(), by_pair.end(), [&](uint32_t a, uint32_t b) {
    const auto& x = edges[a];
    const auto& y = edges[b];
    return x.upper != y.upper ? x.upper < y.upper : x.lower != y.lower ? x.lower < y.lower : a < b;
  });
  g.chain_of_edge.assign(edges.size(), kNone);
  for (size_t i = 0; i < by_pair.size(); ++i) {
    const auto& edge = edges[by_pair[i]];
    if (i > 0 && edge.upper == edges[by_pair[i - 1]].upper && edge.lower == edges[by_pair[i - 1]].lower) {
      g.chain_of_edge[by_pair[i]] = g.chain_of_edge[by_pair[i - 1]];
      continue;
    }
    std::vector<uint32_t> chain{edge.upper};
    for (auto r = g.rank[edge.upper] + 1; r < g.rank[edge.lower]; ++r) {
      chain.push_back(g.size());
      g.rank.push_back(r);
      g.width.push_back(0);
    }
    chain.push_back(edge.lower);
    g.chain_of_edge[by_pair[i]] = static_cast<uint32_t>(g.chains.size());
    g.chains.push_back(std::move(chain));
  }

  g.up.resize(g.size());
  g.down.resize(g.size());
  for (const auto& chain : g.chains) {
    for (size_t i = 0; i + 1 < chain.size(); ++i) {
      g.down[chain[i]].push_back(chain[i + 1]);
      g.up[chain[i + 1]].push_back(chain[i]);
    }
  }
  uint32_t rank_count = 0;
  for (const auto r : g.rank) rank_count = std::max(rank_count, r + 1);
  g.layers.resize(rank_count);
  g.pos.assign(g.size(), 0);
  return g;
}

}  // namespace qs::layout::detail
