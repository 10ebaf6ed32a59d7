#pragma once
// A heap block aligned for vector loads (64 bytes: one AVX-512 register or
// cache line), zero-filled on allocation.

#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>

namespace qs::runtime {

inline constexpr size_t kTensorAlignment = 64;

class AlignedBuffer {
 public:
  AlignedBuffer() = default;
  explicit AlignedBuffer(size_t bytes) { resize(bytes); }

  // Reallocates (losing the contents) only when growing.
  void resize(size_t bytes) {
    if (bytes <= capacity_ && data_ != nullptr) return;
    const size_t rounded = (std::max<size_t>(bytes, 1) + kTensorAlignment - 1) / kTensorAlignment * kTensorAlignment;
    auto* p = static_cast<std::byte*>(std::aligned_alloc(kTensorAlignment, rounded));
    if (p == nullptr) throw std::bad_alloc();
    std::memset(p, 0, rounded);
    data_.reset(p);
    capacity_ = rounded;
  }
  std::byte* data() const { return data_.get(); }
  size_t capacity() const { return capacity_; }

 private:
  struct Free {
    void operator()(std::byte* p) const { std::free(p); }
  };
  std::unique_ptr<std::byte[], Free> data_;
  size_t capacity_ = 0;
};

}  // namespace qs::runtime
