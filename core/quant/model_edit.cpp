#include "quant/model_edit.h"

#include <algorithm>

namespace qs::quant {

bool is_float_constant(const format::Model& model, const format::Tensor& tensor) {
  return tensor.type == format::TensorType::FLOAT32 && !tensor.is_variable &&
         !model.tensor_data(tensor).empty();
}

void drop_unused_buffers(format::Model& model, const std::set<uint32_t>& candidates) {
  std::set<uint32_t> used;
  for (const auto& sg : model.subgraphs) {
    for (const auto& t : sg.tensors) used.insert(t.buffer);
  }
  for (const auto& meta : model.metadata) used.insert(meta.buffer);
  for (uint32_t b : candidates) {
    if (!used.contains(b) && b < model.buffers.size()) model.buffers[b].data = format::Bytes();
  }
}

void set_recipe_metadata(format::Model& model, const std::string& recipe_json) {
  std::erase_if(model.metadata, [](const format::Metadata& e) { return e.name == "quantscope"; });
  model.metadata.push_back(
      {"quantscope", model.add_buffer(format::Bytes::own({recipe_json.begin(), recipe_json.end()}))});
}

}  // namespace qs::quant
