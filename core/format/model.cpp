#include "format/model.h"

namespace qs::format {

std::span<const uint8_t> Model::tensor_data(const Tensor& tensor) const {
  if (tensor.buffer == 0 || tensor.buffer >= buffers.size()) return {};
  return buffers[tensor.buffer].data.span();
}

uint32_t Model::add_buffer(Bytes data) {
  if (buffers.empty()) buffers.emplace_back();  // keep the sentinel first
  buffers.push_back(Buffer{std::move(data)});
  return static_cast<uint32_t>(buffers.size() - 1);
}

}  // namespace qs::format
