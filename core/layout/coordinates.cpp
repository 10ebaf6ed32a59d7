// Phase (e) of the layered layout: x coordinates, by Brandes and Köpf, "Fast
// and Simple Horizontal Coordinate Assignment" (GD 2001), with the two-pass
// block compaction of dagre (which sidesteps the class-shift step that the
// 2020 erratum of the paper corrects).
//
//  1. Mark type-1 conflicts: a segment that crosses an inner segment (both
//     ends dummies) may not be aligned, so long edges win and run straight.
//  2. Four times (align with upper or lower neighbours, scanning layers left
//     to right or right to left): put each node in one vertical block with a
//     median neighbour unless that crosses an earlier alignment or a marked
//     segment. A block is drawn as one straight vertical line. Departing from
//     the paper: a node and its neighbour are aligned only if each is a
//     median of the other's neighbours (so a fork and its merge pick the same
//     branch and the main line does not drift sideways block after block);
//     dummies count first (long edges run straight); and of two medians the
//     one that continues a path is tried first (an op lines up with the op
//     feeding it, not with a side input such as a state tensor).
//  3. Compact each of the four: blocks as far left as the spacing allows
//     (longest path in the block graph), then each pulled right up to its
//     right neighbours.
//  4. Shift the four to the narrowest one and form the balanced candidate:
//     each node at the mean of its two median x. Each candidate keeps every
//     pair of neighbours in a layer at least their separation apart, so
//     their order statistics do too: the balanced one has no overlaps.
//  5. Keep whichever of the five has the least total weighted horizontal
//     edge length (dot's objective: weights 1 / 2 / 8 for real-real,
//     real-dummy and dummy-dummy segments), the balanced one on ties. Where
//     one direction suits the graph (side inputs all on one side), that
//     avoids the staircase drift the balanced one inherits from the others.
//
// Everything is linear in nodes + segments (sorting each node's few
// neighbours aside), with no recursion.

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

#include "layout/layered_phases.h"

namespace qs::layout::detail {
namespace {

using Layers = std::vector<std::vector<uint32_t>>;
using Neighbours = std::vector<std::vector<uint32_t>>;

// Sorted keys of the segments that may not be aligned; a segment is named by
// its two ends, smaller first (there is at most one segment per pair).
class Conflicts {
 public:
  void add(uint32_t a, uint32_t b) { keys_.push_back(key(a, b)); }
  void seal() { std::sort(keys_.begin(), keys_.end()); }
  bool has(uint32_t a, uint32_t b) const { return std::binary_search(keys_.begin(), keys_.end(), key(a, b)); }

 private:
  static uint64_t key(uint32_t a, uint32_t b) {
    return (static_cast<uint64_t>(std::min(a, b)) << 32) | std::max(a, b);
  }
  std::vector<uint64_t> keys_;
};

// A dummy's upper neighbour, when it is a dummy too: their segment is inner.
uint32_t inner_upper(const LayeredGraph& g, uint32_t v) {
  return g.is_dummy(v) && !g.up[v].empty() && g.is_dummy(g.up[v][0]) ? g.up[v][0] : kNone;
}

// Step 1 (the paper's Alg. 1): between inner segments (k0, k1) of the layer
// above, every non-inner segment reaching outside that window crosses one.
Conflicts mark_type1_conflicts(const LayeredGraph& g) {
  Conflicts conflicts;
  for (size_t r = 1; r < g.layers.size(); ++r) {
    const auto& layer = g.layers[r];
    const auto above = static_cast<uint32_t>(g.layers[r - 1].size());
    uint32_t k0 = 0;
    size_t scan = 0;
    for (size_t i = 0; i < layer.size(); ++i) {
      const auto inner = inner_upper(g, layer[i]);
      if (inner == kNone && i + 1 != layer.size()) continue;
      const auto k1 = inner != kNone ? g.pos[inner] : above;
      for (; scan <= i; ++scan) {
        const auto v = layer[scan];
        for (const auto u : g.up[v]) {
          if ((g.pos[u] < k0 || g.pos[u] > k1) && !(g.is_dummy(u) && g.is_dummy(v))) conflicts.add(u, v);
        }
      }
      k0 = k1;
    }
  }
  conflicts.seal();
  return conflicts;
}

// The neighbours on one side that a node would like to share a block with:
// the median one or two, counting only dummies when there are any, so long
// edges are straightened first. Of two, the one that continues a path (has
// neighbours further on) comes first.
using Partners = std::array<uint32_t, 2>;

// One of the four directions: the layers in scanning order (top-down or
// bottom-up, each left-to-right or mirrored), the side aligned with
// ("towards", the layer scanned before) and every node's partners on both
// sides.
struct Direction {
  Layers layers;
  std::vector<uint32_t> pos;  // position in the mirrored or plain layer
  const Neighbours* towards = nullptr;
  std::vector<Partners> partners_towards;
  std::vector<Partners> partners_away;
  bool mirrored = false;
};

Partners partners(const LayeredGraph& g, const std::vector<uint32_t>& pos, const Neighbours& side,
                  const Neighbours& further, uint32_t node, std::vector<uint32_t>& scratch) {
  scratch.clear();
  for (const auto w : side[node]) {
    if (g.is_dummy(w)) scratch.push_back(w);
  }
  if (scratch.empty()) scratch.assign(side[node].begin(), side[node].end());
  if (scratch.empty()) return {kNone, kNone};
  std::sort(scratch.begin(), scratch.end(), [&](uint32_t a, uint32_t b) { return pos[a] < pos[b]; });
  Partners out{scratch[(scratch.size() - 1) / 2], scratch[scratch.size() / 2]};
  if (further[out[0]].empty() && !further[out[1]].empty()) std::swap(out[0], out[1]);
  return out;
}

Direction direction(const LayeredGraph& g, bool bottom_up, bool mirrored) {
  Direction d;
  d.layers = g.layers;
  if (bottom_up) std::reverse(d.layers.begin(), d.layers.end());
  if (mirrored) {
    for (auto& layer : d.layers) std::reverse(layer.begin(), layer.end());
  }
  d.pos.assign(g.size(), 0);
  for (const auto& layer : d.layers) {
    for (uint32_t i = 0; i < layer.size(); ++i) d.pos[layer[i]] = i;
  }
  d.towards = bottom_up ? &g.down : &g.up;
  const auto* away = bottom_up ? &g.up : &g.down;
  d.partners_towards.resize(g.size());
  d.partners_away.resize(g.size());
  std::vector<uint32_t> scratch;
  for (uint32_t v = 0; v < g.size(); ++v) {
    d.partners_towards[v] = partners(g, d.pos, *d.towards, *d.towards, v, scratch);
    d.partners_away[v] = partners(g, d.pos, *away, *away, v, scratch);
  }
  d.mirrored = mirrored;
  return d;
}

// Blocks as cyclic lists: align[v] is the next node down the block (the last
// points back to the root), root[v] the block's first node.
struct Blocks {
  std::vector<uint32_t> root;
  std::vector<uint32_t> align;
};

// Step 2 (Alg. 2), aligning only mutual partners: v with w when w is one of
// v's partners and v one of w's. Plain BK lines a fork up with its first
// child but the matching merge with its median parent, so every
// fork-and-merge block (a residual or attention block) shifts the main line
// sideways and a 10 000-op network drifts into a long diagonal; mutual
// partners keep the line in one column.
Blocks align_vertically(const LayeredGraph& g, const Direction& d, const Conflicts& conflicts) {
  Blocks b;
  b.root.resize(g.size());
  b.align.resize(g.size());
  for (uint32_t v = 0; v < g.size(); ++v) b.root[v] = b.align[v] = v;
  for (const auto& layer : d.layers) {
    int64_t taken = -1;  // rightmost position aligned to so far in the layer
    for (const auto v : layer) {
      for (const auto w : d.partners_towards[v]) {
        if (w == kNone || b.align[v] != v) break;
        const auto& back = d.partners_away[w];
        if (back[0] != v && back[1] != v) continue;
        if (taken < static_cast<int64_t>(d.pos[w]) && !conflicts.has(v, w)) {
          b.align[w] = v;
          b.root[v] = b.root[w];
          b.align[v] = b.root[v];
          taken = d.pos[w];
        }
      }
    }
  }
  return b;
}

double separation(const LayeredGraph& g, uint32_t a, uint32_t b, const LayoutOptions& options) {
  const auto gap = g.is_dummy(a) || g.is_dummy(b) ? options.edge_spacing : options.node_spacing;
  return (g.width[a] + g.width[b]) / 2 + gap;
}

// Step 3: x of every node in the direction's own frame (mirrored back).
std::vector<double> compact(const LayeredGraph& g, const Direction& d, const Blocks& b,
                            const LayoutOptions& options) {
  // Block graph: an edge from the block of each node to the block of its
  // right neighbour, weighted by their separation. It is acyclic because
  // alignments never cross.
  struct Link {
    uint32_t from, to;
    double gap;
  };
  std::vector<Link> links;
  for (const auto& layer : d.layers) {
    for (size_t i = 1; i < layer.size(); ++i) {
      links.push_back(
          {b.root[layer[i - 1]], b.root[layer[i]], separation(g, layer[i - 1], layer[i], options)});
    }
  }
  std::vector<uint32_t> out_start(g.size() + 1, 0);
  for (const auto& link : links) ++out_start[link.from + 1];
  for (size_t i = 1; i < out_start.size(); ++i) out_start[i] += out_start[i - 1];
  std::vector<uint32_t> out(links.size());
  std::vector<uint32_t> in_count(g.size(), 0);
  {
    auto fill = out_start;
    for (uint32_t l = 0; l < links.size(); ++l) {
      out[fill[links[l].from]++] = l;
      ++in_count[links[l].to];
    }
  }

  // Kahn's algorithm from the roots without left neighbours, in layer order.
  std::vector<uint32_t> order;
  for (const auto& layer : d.layers) {
    for (const auto v : layer) {
      if (b.root[v] == v && in_count[v] == 0) order.push_back(v);
    }
  }
  for (size_t head = 0; head < order.size(); ++head) {
    for (auto i = out_start[order[head]]; i < out_start[order[head] + 1]; ++i) {
      if (--in_count[links[out[i]].to] == 0) order.push_back(links[out[i]].to);
    }
  }

  std::vector<double> xs(g.size(), 0);
  for (const auto block : order) {  // leftmost place, after all blocks to the left
    for (auto i = out_start[block]; i < out_start[block + 1]; ++i) {
      const auto& link = links[out[i]];
      xs[link.to] = std::max(xs[link.to], xs[block] + link.gap);
    }
  }
  for (auto it = order.rbegin(); it != order.rend(); ++it) {  // then up to the right neighbours
    const auto block = *it;
    if (out_start[block] == out_start[block + 1]) continue;
    auto room = std::numeric_limits<double>::infinity();
    for (auto i = out_start[block]; i < out_start[block + 1]; ++i) {
      room = std::min(room, xs[links[out[i]].to] - links[out[i]].gap);
    }
    xs[block] = std::max(xs[block], room);
  }

  std::vector<double> x(g.size());
  for (uint32_t v = 0; v < g.size(); ++v) x[v] = d.mirrored ? -xs[b.root[v]] : xs[b.root[v]];
  return x;
}

// Dot's objective: total weighted horizontal extent of the segments.
double weighted_length(const LayeredGraph& g, const std::vector<double>& x) {
  double total = 0;
  for (uint32_t v = 0; v < g.size(); ++v) {
    for (const auto w : g.down[v]) {
      const int dummies = (g.is_dummy(v) ? 1 : 0) + (g.is_dummy(w) ? 1 : 0);
      total += (dummies == 2 ? 8 : dummies == 1 ? 2 : 1) * std::abs(x[v] - x[w]);
    }
  }
  return total;
}

struct Extent {
  double left = std::numeric_limits<double>::infinity();
  double right = -std::numeric_limits<double>::infinity();
};

Extent extent(const LayeredGraph& g, const std::vector<double>& x) {
  Extent e;
  for (uint32_t v = 0; v < g.size(); ++v) {
    e.left = std::min(e.left, x[v] - g.width[v] / 2);
    e.right = std::max(e.right, x[v] + g.width[v] / 2);
  }
  return e;
}

}  // namespace

std::vector<double> assign_x(const LayeredGraph& g, const LayoutOptions& options) {
  if (g.size() == 0) return {};
  const auto conflicts = mark_type1_conflicts(g);
  // Order: top-down left, top-down mirrored, bottom-up left, bottom-up mirrored.
  std::array<std::vector<double>, 4> candidates;
  for (int i = 0; i < 4; ++i) {
    const auto d = direction(g, i >= 2, i % 2 == 1);
    candidates[i] = compact(g, d, align_vertically(g, d, conflicts), options);
  }

  // Step 4: align to the narrowest candidate (left-scanning ones by their
  // left edge, mirrored ones by their right edge), then the mean of medians.
  std::array<Extent, 4> extents;
  size_t narrowest = 0;
  for (size_t i = 0; i < 4; ++i) {
    extents[i] = extent(g, candidates[i]);
    const auto width = extents[i].right - extents[i].left;
    if (width < extents[narrowest].right - extents[narrowest].left) narrowest = i;
  }
  for (size_t i = 0; i < 4; ++i) {
    const auto shift =
        i % 2 == 0 ? extents[narrowest].left - extents[i].left : extents[narrowest].right - extents[i].right;
    for (auto& value : candidates[i]) value += shift;
  }
  std::vector<double> x(g.size());
  for (uint32_t v = 0; v < g.size(); ++v) {
    std::array<double, 4> values{candidates[0][v], candidates[1][v], candidates[2][v], candidates[3][v]};
    std::sort(values.begin(), values.end());
    x[v] = (values[1] + values[2]) / 2;
  }

  // Step 5.
  auto best = weighted_length(g, x);
  for (auto& candidate : candidates) {
    if (const auto length = weighted_length(g, candidate); length < best) {
      best = length;
      x.swap(candidate);
    }
  }
  const auto left = extent(g, x).left;
  for (auto& value : x) value -= left;
  return x;
}

}  // namespace qs::layout::detail
