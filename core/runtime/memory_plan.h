#pragma once
// Offsets in one arena for tensors with known lifetimes, so that tensors
// alive at the same time never overlap and dead ones are reused.

#include <cstddef>
#include <cstdint>
#include <vector>

namespace qs::runtime {

struct Lifetime {
  int first = 0;  // index of the op that writes it (-1: before the first op)
  int last = 0;   // index of the last op that reads it (inclusive)
  size_t bytes = 0;
};

struct MemoryPlan {
  std::vector<size_t> offsets;  // per Lifetime, multiples of `alignment`
  size_t arena_bytes = 0;
};

// Greedy by size: the largest tensors are placed first, each at the lowest
// offset that does not overlap a placed tensor whose lifetime intersects
// its own. Deterministic.
MemoryPlan plan_memory(const std::vector<Lifetime>& tensors, size_t alignment);

}  // namespace qs::runtime
