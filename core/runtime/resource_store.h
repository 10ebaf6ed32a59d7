#pragma once
// Resource variables (VAR_HANDLE / READ_VARIABLE / ASSIGN_VARIABLE): state
// that outlives one invoke and is shared by every subgraph of a run. A
// handle tensor holds the variable's id as an int32.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "runtime/tensor.h"

namespace qs::runtime {

struct ResourceVariable {
  format::TensorType type = format::TensorType::FLOAT32;
  Shape shape;
  std::vector<std::byte> data;
  bool assigned = false;
};

class ResourceStore {
 public:
  // The id of the variable named (container, shared_name), created on
  // first use.
  int32_t handle_for(const std::string& container, const std::string& shared_name);
  // Null for an id never handed out.
  ResourceVariable* find(int32_t id);
  void clear() { variables_.clear(); names_.clear(); }

 private:
  std::map<std::pair<std::string, std::string>, int32_t> names_;
  std::map<int32_t, ResourceVariable> variables_;
};

}  // namespace qs::runtime
