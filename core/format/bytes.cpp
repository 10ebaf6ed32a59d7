#include "format/bytes.h"

#include <algorithm>

namespace qs::format {

Bytes Bytes::own(std::vector<uint8_t> data) {
  auto storage = std::make_shared<const std::vector<uint8_t>>(std::move(data));
  Bytes b;
  b.view_ = std::span<const uint8_t>(storage->data(), storage->size());
  b.owner_ = std::move(storage);
  return b;
}

Bytes Bytes::copy_of(std::span<const uint8_t> data) {
  return own(std::vector<uint8_t>(data.begin(), data.end()));
}

Bytes Bytes::borrow(std::shared_ptr<const void> owner, std::span<const uint8_t> view) {
  Bytes b;
  b.owner_ = std::move(owner);
  b.view_ = view;
  return b;
}

bool operator==(const Bytes& a, const Bytes& b) {
  return std::ranges::equal(a.view_, b.view_);
}

}  // namespace qs::format
