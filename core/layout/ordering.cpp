// Phase (d) of the layered layout: the left-to-right order of every rank,
// chosen to reduce edge crossings. Each sweep is O(V log V + E); the number
// of sweeps is capped by the caller.

#include <algorithm>
#include <numeric>

#include "layout/layered_phases.h"

namespace qs::layout::detail {
namespace {

using Neighbours = std::vector<std::vector<uint32_t>>;

// Inversions among `values` (each < `bound`): pairs i < j with v[i] > v[j].
uint64_t count_inversions(std::span<const uint32_t> values, size_t bound) {
  std::vector<uint32_t> tree(bound + 1, 0);  // Fenwick tree of counts
  uint64_t inversions = 0;
  for (size_t seen = 0; seen < values.size(); ++seen) {
    uint64_t at_most = 0;
    for (auto i = values[seen] + 1; i > 0; i -= i & (~i + 1)) at_most += tree[i];
    inversions += seen - at_most;
    for (auto i = values[seen] + 1; i <= bound; i += i & (~i + 1)) ++tree[i];
  }
  return inversions;
}

// Reorders layer `r` by the mean position of each node's neighbours on the
// adjacent rank. Nodes without such neighbours keep their slot; ties keep
// the current order, so a sweep never shuffles for no reason.
void sort_by_barycentre(LayeredGraph& g, uint32_t r, const Neighbours& neighbours) {
  auto& layer = g.layers[r];
  struct Keyed {
    double key;
    uint32_t slot;
    uint32_t node;
  };
  std::vector<Keyed> movable;
  movable.reserve(layer.size());
  for (uint32_t slot = 0; slot < layer.size(); ++slot) {
    const auto v = layer[slot];
    if (neighbours[v].empty()) continue;
    double sum = 0;
    for (const auto w : neighbours[v]) sum += g.pos[w];
    movable.push_back({sum / static_cast<double>(neighbours[v].size()), slot, v});
  }
  std::sort(movable.begin(), movable.end(),
            [](const Keyed& a, const Keyed& b) { return a.key != b.key ? a.key < b.key : a.slot < b.slot; });
  size_t next = 0;
  for (uint32_t slot = 0; slot < layer.size(); ++slot) {
    if (neighbours[layer[slot]].empty()) continue;
    layer[slot] = movable[next++].node;
    g.pos[layer[slot]] = slot;
  }
}

// Positions of a node's neighbours, ascending.
void sorted_positions(const LayeredGraph& g, const std::vector<uint32_t>& neighbours,
                      std::vector<uint32_t>& out) {
  out.clear();
  for (const auto w : neighbours) out.push_back(g.pos[w]);
  std::sort(out.begin(), out.end());
}

// Crossings between the edges of u and of v towards one rank when u is left
// of v: pairs (a, b) with a from u, b from v and a > b. Both lists sorted.
uint64_t pair_crossings(std::span<const uint32_t> u, std::span<const uint32_t> v) {
  uint64_t crossings = 0;
  size_t j = 0;
  for (const auto a : u) {
    while (j < v.size() && v[j] < a) ++j;
    crossings += j;
  }
  return crossings;
}

// The sorted neighbour positions of every node of one layer, towards both
// adjacent ranks. Those ranks do not change while the layer is being
// transposed, so the lists are built once per layer and pass and just travel
// with their node when it is swapped.
class LayerNeighbourhood {
 public:
  void build(const LayeredGraph& g, const std::vector<uint32_t>& layer) {
    fill(g, layer, g.up, up_start_, up_);
    fill(g, layer, g.down, down_start_, down_);
    of_slot_.resize(layer.size());
    std::iota(of_slot_.begin(), of_slot_.end(), 0u);
  }

  // Crossings of the nodes in `left` and `right` (slots) with left before right.
  uint64_t crossings(size_t left, size_t right) const {
    const auto a = of_slot_[left];
    const auto b = of_slot_[right];
    return pair_crossings(span(up_start_, up_, a), span(up_start_, up_, b)) +
           pair_crossings(span(down_start_, down_, a), span(down_start_, down_, b));
  }

  void swap_slots(size_t i, size_t j) { std::swap(of_slot_[i], of_slot_[j]); }

 private:
  static void fill(const LayeredGraph& g, const std::vector<uint32_t>& layer, const Neighbours& side,
                   std::vector<uint32_t>& start, std::vector<uint32_t>& values) {
    start.assign(1, 0);
    values.clear();
    for (const auto v : layer) {
      for (const auto w : side[v]) values.push_back(g.pos[w]);
      std::sort(values.begin() + start.back(), values.end());
      start.push_back(static_cast<uint32_t>(values.size()));
    }
  }

  static std::span<const uint32_t> span(const std::vector<uint32_t>& start,
                                        const std::vector<uint32_t>& values, uint32_t i) {
    return std::span<const uint32_t>(values).subspan(start[i], start[i + 1] - start[i]);
  }

  std::vector<uint32_t> up_start_, up_, down_start_, down_;
  std::vector<uint32_t> of_slot_;  // node list index of the node now in each slot
};

// Swaps adjacent nodes wherever that removes crossings (with both adjacent
// ranks), until a pass changes nothing or `max_passes` is reached. Each swap
// strictly lowers the total, so this only ever helps. After the first pass
// only layers next to a change can improve, so only they are looked at.
void transpose(LayeredGraph& g, int max_passes) {
  const auto rank_count = g.layers.size();
  std::vector<uint8_t> changed(rank_count, 1);  // in the previous pass (all, to start)
  std::vector<uint8_t> changed_now(rank_count, 0);
  LayerNeighbourhood around;
  for (int pass = 0; pass < max_passes; ++pass) {
    bool improved = false;
    std::fill(changed_now.begin(), changed_now.end(), 0);
    for (size_t r = 0; r < rank_count; ++r) {
      auto& layer = g.layers[r];
      const bool worth_it = changed[r] || (r > 0 && (changed[r - 1] || changed_now[r - 1])) ||
                            (r + 1 < rank_count && changed[r + 1]);
      if (layer.size() < 2 || !worth_it) continue;
      around.build(g, layer);
      for (size_t i = 0; i + 1 < layer.size(); ++i) {
        if (around.crossings(i + 1, i) < around.crossings(i, i + 1)) {
          std::swap(layer[i], layer[i + 1]);
          around.swap_slots(i, i + 1);
          g.pos[layer[i]] = static_cast<uint32_t>(i);
          g.pos[layer[i + 1]] = static_cast<uint32_t>(i + 1);
          changed_now[r] = 1;
          improved = true;
        }
      }
    }
    if (!improved) break;
    changed.swap(changed_now);
  }
}

}  // namespace

void set_initial_order(LayeredGraph& g) {
  for (auto& layer : g.layers) layer.clear();
  std::vector<uint8_t> placed(g.size(), 0);
  std::vector<uint32_t> stack;
  const auto visit_from = [&](uint32_t root) {
    stack.push_back(root);
    while (!stack.empty()) {
      const auto v = stack.back();
      stack.pop_back();
      if (placed[v]) continue;
      placed[v] = 1;
      g.layers[g.rank[v]].push_back(v);
      // Reversed, so the first child is visited first.
      for (auto it = g.down[v].rbegin(); it != g.down[v].rend(); ++it) {
        if (!placed[*it]) stack.push_back(*it);
      }
    }
  };
  for (uint32_t v = 0; v < g.real_count; ++v) {
    if (g.up[v].empty()) visit_from(v);
  }
  for (uint32_t v = 0; v < g.size(); ++v) visit_from(v);  // unreachable only if ranks were inconsistent
  refresh_positions(g);
}

void refresh_positions(LayeredGraph& g) {
  for (const auto& layer : g.layers) {
    for (uint32_t i = 0; i < layer.size(); ++i) g.pos[layer[i]] = i;
  }
}

uint64_t count_crossings(const LayeredGraph& g) {
  uint64_t total = 0;
  std::vector<uint32_t> sequence, targets;
  for (size_t r = 0; r + 1 < g.layers.size(); ++r) {
    // Lower ends in the order of their upper ends (then lower ends): every
    // inversion is one crossing.
    sequence.clear();
    for (const auto u : g.layers[r]) {
      sorted_positions(g, g.down[u], targets);
      sequence.insert(sequence.end(), targets.begin(), targets.end());
    }
    total += count_inversions(sequence, g.layers[r + 1].size());
  }
  return total;
}

uint64_t reduce_crossings(LayeredGraph& g, int sweeps) {
  constexpr int kTransposePasses = 4;
  auto best = count_crossings(g);
  auto best_layers = g.layers;
  const auto rank_count = static_cast<uint32_t>(g.layers.size());
  // Sweeps that stop paying off rarely start again: give up after a few.
  constexpr int kPatience = 4;
  int stale = 0;
  for (int sweep = 0; sweep < sweeps && best > 0 && stale < kPatience; ++sweep) {
    if (sweep % 2 == 0) {
      for (uint32_t r = 1; r < rank_count; ++r) sort_by_barycentre(g, r, g.up);
    } else {
      for (uint32_t r = rank_count - 1; r-- > 0;) sort_by_barycentre(g, r, g.down);
    }
    transpose(g, kTransposePasses);
    const auto crossings = count_crossings(g);
    if (crossings < best) {
      best = crossings;
      best_layers = g.layers;
      stale = 0;
    } else {
      ++stale;
    }
  }
  g.layers = std::move(best_layers);
  refresh_positions(g);
  return best;
}

}  // namespace qs::layout::detail
