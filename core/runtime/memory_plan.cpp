#include "runtime/memory_plan.h"

#include <algorithm>
#include <numeric>

namespace qs::runtime {
namespace {

size_t round_up(size_t n, size_t a) { return (n + a - 1) / a * a; }

bool lifetimes_overlap(const Lifetime& a, const Lifetime& b) { return a.first <= b.last && b.first <= a.last; }

}  // namespace

MemoryPlan plan_memory(const std::vector<Lifetime>& tensors, size_t alignment) {
  MemoryPlan plan;
  plan.offsets.assign(tensors.size(), 0);
  std::vector<size_t> order(tensors.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return tensors[a].bytes > tensors[b].bytes; });

  struct Placed {
    size_t offset;
    size_t end;
    size_t index;
  };
  std::vector<Placed> placed;  // kept sorted by offset
  for (size_t i : order) {
    const size_t size = round_up(tensors[i].bytes, alignment);
    if (size == 0) continue;
    // Walk the placed tensors that are alive at the same time, in offset
    // order, and take the first gap that fits.
    size_t candidate = 0;
    for (const Placed& p : placed) {
      if (!lifetimes_overlap(tensors[p.index], tensors[i])) continue;
      if (p.offset >= candidate + size) break;
      candidate = std::max(candidate, p.end);
    }
    plan.offsets[i] = candidate;
    plan.arena_bytes = std::max(plan.arena_bytes, candidate + size);
    Placed entry{candidate, candidate + size, i};
    placed.insert(std::upper_bound(placed.begin(), placed.end(), entry,
                                   [](const Placed& a, const Placed& b) { return a.offset < b.offset; }),
                  entry);
  }
  return plan;
}

}  // namespace qs::runtime
