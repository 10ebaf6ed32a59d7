#include "runtime/resource_store.h"

namespace qs::runtime {

int32_t ResourceStore::handle_for(const std::string& container, const std::string& shared_name) {
  auto [it, inserted] = names_.try_emplace({container, shared_name}, static_cast<int32_t>(names_.size()));
  if (inserted) variables_[it->second] = {};
  return it->second;
}

ResourceVariable* ResourceStore::find(int32_t id) {
  auto it = variables_.find(id);
  return it == variables_.end() ? nullptr : &it->second;
}

}  // namespace qs::runtime
