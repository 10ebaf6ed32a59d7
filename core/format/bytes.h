#pragma once
// An immutable run of bytes that may borrow from a larger owner (a memory
// mapped model file) or own its storage. Copies share the storage, so an
// editable Model loaded from a 2 GB file costs no copy of its weights until
// a buffer is replaced.

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace qs::format {

class Bytes {
 public:
  Bytes() = default;

  static Bytes own(std::vector<uint8_t> data);
  static Bytes copy_of(std::span<const uint8_t> data);
  // `view` must stay valid as long as `owner` lives.
  static Bytes borrow(std::shared_ptr<const void> owner, std::span<const uint8_t> view);

  std::span<const uint8_t> span() const { return view_; }
  const uint8_t* data() const { return view_.data(); }
  size_t size() const { return view_.size(); }
  bool empty() const { return view_.empty(); }

  friend bool operator==(const Bytes& a, const Bytes& b);

 private:
  std::shared_ptr<const void> owner_;
  std::span<const uint8_t> view_;
};

}  // namespace qs::format
