// The layered layout engine on hand-built graphs and a 10 000-op synthetic
// network: geometric invariants (no overlaps, edges downward and attached to
// their nodes), determinism, cycles, and crossing reduction on an example
// whose optimum is known.

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <map>

#include "layout/layered_layout.h"
#include "layout/layered_phases.h"
#include "layout/layout_check.h"

namespace qs::layout {
namespace {

void expect_valid_layout(const Graph& g, const Layout& layout, const LayoutOptions& options = {}) {
  const auto status = check_layout(g, layout, options);
  EXPECT_TRUE(status.has_value()) << (status ? "" : status.error().message);
}

// Every coordinate as its bit pattern, so even 0.0 and -0.0 differ.
std::vector<uint64_t> bits(const Layout& layout) {
  std::vector<uint64_t> out;
  const auto add = [&](double value) { out.push_back(std::bit_cast<uint64_t>(value)); };
  for (const auto& node : layout.nodes) {
    for (const auto value : {node.rect.x, node.rect.y, node.rect.width, node.rect.height}) add(value);
    out.push_back(node.rank);
  }
  for (const auto& edge : layout.edges) {
    out.push_back(edge.points.size() * 2 + (edge.reversed ? 1 : 0));
    for (const auto& p : edge.points) {
      add(p.x);
      add(p.y);
    }
  }
  for (const auto value : {layout.bounds.x, layout.bounds.y, layout.bounds.width, layout.bounds.height})
    add(value);
  out.push_back(layout.rank_count);
  out.push_back(layout.crossings);
  return out;
}

void expect_identical(const Layout& a, const Layout& b) { EXPECT_TRUE(bits(a) == bits(b)); }

// Deterministic everywhere (std distributions differ between libraries).
struct Lcg {
  uint64_t state;
  uint32_t below(uint32_t n) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<uint32_t>(state >> 33) % n;
  }
};

// A ResNet/transformer/inception mix of at least `ops` ops after one input:
// a long chain of blocks with branches, merges and residual skips.
Graph synthetic_network(uint32_t ops, uint32_t seed) {
  Graph g;
  Lcg rng{seed};
  const auto op = [&](std::initializer_list<uint32_t> inputs) {
    const auto v = g.add_node({60.0 + rng.below(140), rng.below(4) == 0 ? 48.0 : 30.0});
    for (const auto input : inputs) g.add_edge(input, v);
    return v;
  };
  auto x = g.add_node({120, 30});
  while (g.nodes.size() < ops + 1) {
    switch (rng.below(3)) {
      case 0: {  // residual block
        const auto a = op({x});
        x = op({op({op({a})}), x});
        break;
      }
      case 1: {  // attention with residual and norm
        const auto q = op({x}), k = op({x}), v = op({x});
        const auto scores = op({op({q, k})});
        x = op({op({op({op({scores, v})}), x})});
        break;
      }
      default: {  // inception: 2-4 branches of 1-3 ops, concatenated
        const auto concat = g.add_node({160, 30});
        for (uint32_t b = 0, n = 2 + rng.below(3); b < n; ++b) {
          auto y = x;
          for (uint32_t i = 0, len = 1 + rng.below(3); i < len; ++i) y = op({y});
          g.add_edge(y, concat);
        }
        x = concat;
      }
    }
  }
  op({x});
  return g;
}

// Anything goes: cycles, self-loops, parallel edges, isolated nodes.
Graph random_graph(uint32_t nodes, uint32_t edges, uint32_t seed) {
  Graph g;
  Lcg rng{seed};
  for (uint32_t i = 0; i < nodes; ++i) g.add_node({20.0 + rng.below(100), 20.0 + rng.below(30)});
  for (uint32_t i = 0; i < edges; ++i) g.add_edge(rng.below(nodes), rng.below(nodes));
  return g;
}

Graph chain(uint32_t length, Size size = {80, 30}) {
  Graph g;
  for (uint32_t i = 0; i < length; ++i) g.add_node(size);
  for (uint32_t i = 0; i + 1 < length; ++i) g.add_edge(i, i + 1);
  return g;
}

TEST(Layout, EmptyGraph) {
  const auto layout = compute_layered_layout(Graph{});
  EXPECT_TRUE(layout.nodes.empty());
  EXPECT_EQ(layout.bounds, Rect{});
  EXPECT_EQ(layout.rank_count, 0u);
}

TEST(Layout, ChainIsStraightAndDownward) {
  const auto g = chain(5);
  const auto layout = compute_layered_layout(g);
  expect_valid_layout(g, layout);
  EXPECT_EQ(layout.rank_count, 5u);
  for (uint32_t i = 0; i < 5; ++i) {
    EXPECT_EQ(layout.nodes[i].rank, i);
    EXPECT_DOUBLE_EQ(layout.nodes[i].rect.x, layout.nodes[0].rect.x);
  }
  for (const auto& edge : layout.edges) EXPECT_EQ(edge.points.size(), 2u);
  EXPECT_EQ(layout.bounds, (Rect{0, 0, 80, 5 * 30 + 4 * LayoutOptions{}.rank_spacing}));
}

TEST(Layout, RankHeightIsTallestNodeAndSpacingIsKept) {
  Graph g;
  const auto top = g.add_node({40, 20});
  const auto left = g.add_node({100, 60});
  const auto right = g.add_node({30, 10});
  g.add_edge(top, left);
  g.add_edge(top, right);
  LayoutOptions options;
  options.node_spacing = 17;
  options.rank_spacing = 33;
  const auto layout = compute_layered_layout(g, options);
  expect_valid_layout(g, layout, options);
  const auto& a = layout.nodes[left].rect;
  const auto& b = layout.nodes[right].rect;
  // Rank 1 is 60 tall, starting 20 + 33 down; the short node is centred in it.
  EXPECT_DOUBLE_EQ(a.y, 53);
  EXPECT_DOUBLE_EQ(b.y, 53 + 25);
  const auto gap = a.x < b.x ? b.x - a.right() : a.x - b.right();
  EXPECT_GE(gap, 17 - 1e-9);
  // The parent sits between its children.
  const auto centre = layout.nodes[top].rect.x + 20;
  EXPECT_GT(centre, std::min(a.x, b.x));
  EXPECT_LT(centre, std::max(a.right(), b.right()));
}

TEST(Layout, LongEdgeBendsThroughEveryRankItCrosses) {
  // 0 -> 1 -> 2 -> 3 and a skip 0 -> 3: the skip needs two dummies.
  auto g = chain(4);
  const auto skip = g.add_edge(0, 3);
  const auto layout = compute_layered_layout(g);
  expect_valid_layout(g, layout);
  // Start, two points per band of ranks 1 and 2, end.
  EXPECT_EQ(layout.edges[skip].points.size(), 6u);
}

// Like an RNN cell chain where every op also reads its own state tensor:
// the chain of ops is the backbone and stays one vertical line. (The first
// op has two equal sources above it and may sit between them.)
TEST(Layout, ChainWithSideInputsStaysStraight) {
  auto g = chain(8, {120, 40});
  for (uint32_t op = 1; op < 8; ++op) g.add_edge(g.add_node({90, 30}), op);
  const auto layout = compute_layered_layout(g);
  expect_valid_layout(g, layout);
  for (uint32_t op = 2; op < 8; ++op) {
    EXPECT_DOUBLE_EQ(layout.nodes[op].rect.x, layout.nodes[1].rect.x) << "op " << op;
  }
}

// Residual blocks: the skip edges are the spine; the branches bulge out and
// come back, so the drawing does not drift sideways block after block.
TEST(Layout, ResidualBlocksDoNotDrift) {
  Graph g;
  auto x = g.add_node({100, 30});
  const auto spine = x;
  for (int block = 0; block < 200; ++block) {
    auto y = x;
    for (int i = 0; i < 3; ++i) {
      const auto next = g.add_node({100, 30});
      g.add_edge(y, next);
      y = next;
    }
    const auto add = g.add_node({100, 30});
    g.add_edge(y, add);
    g.add_edge(x, add);
    x = add;
  }
  const auto layout = compute_layered_layout(g);
  expect_valid_layout(g, layout);
  EXPECT_LT(layout.bounds.width, 400);
  EXPECT_DOUBLE_EQ(layout.nodes[x].rect.x, layout.nodes[spine].rect.x);
}

TEST(Layout, SourcesArePulledDownToTheirConsumer) {
  // A second input used only by the last op of a chain belongs next to it.
  auto g = chain(6);
  const auto late_input = g.add_node({80, 30});
  g.add_edge(late_input, 5);
  const auto layout = compute_layered_layout(g);
  expect_valid_layout(g, layout);
  EXPECT_EQ(layout.nodes[late_input].rank, 4u);
}

TEST(Layout, CycleIsBrokenAndEveryNodePlaced) {
  Graph g;
  for (int i = 0; i < 5; ++i) g.add_node({60, 24});
  g.add_edge(0, 1);
  g.add_edge(1, 2);
  g.add_edge(2, 3);
  const auto back = g.add_edge(3, 1);  // closes 1 -> 2 -> 3 -> 1
  g.add_edge(3, 4);
  const auto layout = compute_layered_layout(g);
  expect_valid_layout(g, layout);
  size_t reversed = 0;
  for (const auto& edge : layout.edges) reversed += edge.reversed ? 1 : 0;
  EXPECT_EQ(reversed, 1u);
  EXPECT_TRUE(layout.edges[back].reversed);
}

TEST(Layout, CycleWithoutSourceIsBroken) {
  Graph g;
  for (int i = 0; i < 3; ++i) g.add_node({60, 24});
  g.add_edge(0, 1);
  g.add_edge(1, 2);
  g.add_edge(2, 0);
  g.add_edge(1, 0);  // a 2-cycle inside the 3-cycle
  const auto layout = compute_layered_layout(g);
  expect_valid_layout(g, layout);
  EXPECT_EQ(layout.rank_count, 3u);
}

TEST(Layout, SelfLoopsParallelEdgesAndBadEdgesAreTolerated) {
  auto g = chain(4);
  const auto loop = g.add_edge(2, 2);
  const auto twin_a = g.add_edge(0, 3);
  const auto twin_b = g.add_edge(0, 3);
  const auto bad = g.add_edge(1, 99);
  const auto layout = compute_layered_layout(g);
  expect_valid_layout(g, layout);
  EXPECT_EQ(layout.edges[twin_a].points, layout.edges[twin_b].points);
  EXPECT_TRUE(layout.edges[bad].points.empty());
  EXPECT_GE(layout.edges[loop].points.size(), 4u);
}

TEST(Layout, BadSizesAndOptionsAreClamped) {
  Graph g;
  g.add_node({-5, NAN});
  g.add_node({INFINITY, 10});
  g.add_edge(0, 1);
  LayoutOptions options;
  options.node_spacing = -1;
  options.rank_spacing = NAN;
  options.crossing_sweeps = -3;
  const auto layout = compute_layered_layout(g, options);
  for (const auto& node : layout.nodes) {
    EXPECT_TRUE(std::isfinite(node.rect.x) && std::isfinite(node.rect.y));
    EXPECT_GE(node.rect.width, 0);
    EXPECT_GE(node.rect.height, 0);
  }
}

TEST(Layout, ComponentsSitSideBySideAndShareRanks) {
  auto g = chain(3);
  const auto a = g.add_node({50, 30});
  const auto b = g.add_node({50, 30});
  g.add_edge(a, b);
  const auto lonely = g.add_node({20, 20});
  const auto layout = compute_layered_layout(g);
  expect_valid_layout(g, layout);
  EXPECT_EQ(layout.nodes[a].rank, 0u);
  EXPECT_EQ(layout.nodes[lonely].rank, 0u);
  EXPECT_DOUBLE_EQ(layout.nodes[a].rect.y, layout.nodes[0].rect.y);
  EXPECT_GT(layout.nodes[a].rect.x, layout.nodes[0].rect.right());
  EXPECT_GT(layout.nodes[lonely].rect.x, layout.nodes[b].rect.right());
}

// Two crossed pairs between two ranks: in index order a->x, b->w, c->z,
// d->y cross twice; the optimum (w x y z under b a d c) has none.
TEST(LayoutPhases, CrossingReductionUntanglesCrossedPairs) {
  const std::vector<double> widths(8, 10.0);
  const std::vector<uint32_t> ranks{0, 0, 0, 0, 1, 1, 1, 1};
  const std::vector<detail::LayeredEdge> edges{{0, 5}, {1, 4}, {2, 7}, {3, 6}};
  auto g = detail::build_layered_graph(widths, ranks, edges);
  g.layers = {{0, 1, 2, 3}, {4, 5, 6, 7}};
  detail::refresh_positions(g);
  ASSERT_EQ(detail::count_crossings(g), 2u);
  EXPECT_EQ(detail::reduce_crossings(g, 4), 0u);
  EXPECT_EQ(detail::count_crossings(g), 0u);
}

// Over three ranks: a twisted ladder whose middle is reversed relative to
// both ends. Barycentre sweeps must propagate the fix through a layer.
TEST(LayoutPhases, CrossingReductionOverSeveralRanks) {
  const std::vector<double> widths(9, 10.0);
  const std::vector<uint32_t> ranks{0, 0, 0, 1, 1, 1, 2, 2, 2};
  const std::vector<detail::LayeredEdge> edges{{0, 5}, {1, 4}, {2, 3}, {3, 8}, {4, 7}, {5, 6}};
  auto g = detail::build_layered_graph(widths, ranks, edges);
  g.layers = {{0, 1, 2}, {3, 4, 5}, {6, 7, 8}};
  detail::refresh_positions(g);
  ASSERT_EQ(detail::count_crossings(g), 6u);
  EXPECT_EQ(detail::reduce_crossings(g, 8), 0u);
}

TEST(LayoutPhases, CountCrossingsCountsEachPairOnce) {
  // Complete bipartite K(3,3) in index order: C(3,2)^2 = 9 crossings.
  const std::vector<double> widths(6, 10.0);
  const std::vector<uint32_t> ranks{0, 0, 0, 1, 1, 1};
  std::vector<detail::LayeredEdge> edges;
  for (uint32_t a = 0; a < 3; ++a) {
    for (uint32_t b = 3; b < 6; ++b) edges.push_back({a, b});
  }
  auto g = detail::build_layered_graph(widths, ranks, edges);
  g.layers = {{0, 1, 2}, {3, 4, 5}};
  detail::refresh_positions(g);
  EXPECT_EQ(detail::count_crossings(g), 9u);
}

TEST(LayoutPhases, DummiesAndSharedChains) {
  const std::vector<double> widths{10, 10, 10};
  const std::vector<uint32_t> ranks{0, 1, 3};
  const std::vector<detail::LayeredEdge> edges{{0, 2}, {0, 1}, {0, 2}};
  const auto g = detail::build_layered_graph(widths, ranks, edges);
  EXPECT_EQ(g.size(), 3u + 2u);  // one chain of two dummies for both 0 -> 2
  EXPECT_EQ(g.chain_of_edge[0], g.chain_of_edge[2]);
  EXPECT_EQ(g.chains[g.chain_of_edge[0]].size(), 4u);
  EXPECT_TRUE(g.is_dummy(3) && g.is_dummy(4));
}

TEST(LayoutPhases, RanksPointEveryLayeredEdgeDownwards) {
  const auto g = synthetic_network(600, 7);
  const auto roles = detail::break_cycles(g);
  const auto components = detail::find_components(g, roles);
  const auto ranks = detail::assign_ranks(g, roles, components);
  for (size_t e = 0; e < g.edges.size(); ++e) {
    ASSERT_EQ(roles[e], detail::EdgeRole::Down);  // the network is acyclic
    EXPECT_LT(ranks[g.edges[e].from], ranks[g.edges[e].to]);
  }
}

TEST(Layout, CrossingReductionNeverMakesThingsWorse) {
  for (uint32_t seed = 1; seed <= 20; ++seed) {
    const auto g = random_graph(60, 90, seed);
    LayoutOptions none;
    none.crossing_sweeps = 0;
    const auto before = compute_layered_layout(g, none);
    const auto after = compute_layered_layout(g);
    expect_valid_layout(g, before, none);
    expect_valid_layout(g, after);
    EXPECT_LE(after.crossings, before.crossings) << "seed " << seed;
  }
}

TEST(Layout, RandomGraphsWithCyclesKeepTheInvariants) {
  for (uint32_t seed = 1; seed <= 30; ++seed) {
    const auto g = random_graph(40 + seed, 3 * seed, seed);
    expect_valid_layout(g, compute_layered_layout(g));
  }
}

TEST(Layout, SameInputGivesBitIdenticalOutput) {
  const auto g = synthetic_network(2000, 3);
  expect_identical(compute_layered_layout(g), compute_layered_layout(g));
}

// A ResNet/transformer-like network of 10 000 ops: correctness only; the
// timing lives in the benchmark.
TEST(Layout, TenThousandOps) {
  const auto g = synthetic_network(10000, 1);
  ASSERT_GE(g.nodes.size(), 10000u);
  const auto layout = compute_layered_layout(g);
  expect_valid_layout(g, layout);
  EXPECT_GT(layout.rank_count, 1000u);
  // Tall, not a diagonal: fork-and-merge blocks must not shift the main line.
  EXPECT_LT(layout.bounds.width, 10000);
}

}  // namespace
}  // namespace qs::layout
