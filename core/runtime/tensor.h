#pragma once
// A tensor as the interpreter and its kernels see it: the model's
// declaration (name, type, quantization) plus the shape and memory of the
// current run. Kernels read inputs and write outputs through these views;
// the interpreter owns the memory.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "format/model.h"
#include "format/tensor_type.h"

namespace qs::runtime {

using Shape = std::vector<int32_t>;

// Product of the dimensions (1 for a scalar). Shapes reaching kernels are
// validated, so no overflow check here.
int64_t element_count(std::span<const int32_t> shape);

// Where a tensor's memory comes from.
enum class Storage : uint8_t {
  kConstant,  // the model's buffer (never written)
  kArena,     // planned slot in the interpreter's arena, reused after last use
  kDynamic,   // own heap block, sized when the shape becomes known at run time
  kPersistent,  // lives for the interpreter's lifetime: inputs, outputs, variables
};

struct Tensor {
  int32_t index = -1;  // in its subgraph
  std::string_view name;
  format::TensorType type = format::TensorType::FLOAT32;
  Shape shape;
  std::byte* data = nullptr;
  size_t bytes = 0;  // size of `data` for the current shape
  const format::Quantization* quantization = nullptr;
  Storage storage = Storage::kArena;
  bool is_variable = false;  // state kept across runs (ops update it in place)

  int64_t elements() const { return element_count(shape); }
  int rank() const { return static_cast<int>(shape.size()); }
  int32_t dim(int i) const { return shape[static_cast<size_t>(i)]; }
  bool is_constant() const { return storage == Storage::kConstant; }

  // Element access; the caller has checked `type`.
  template <class T>
  std::span<const T> values() const {
    return {reinterpret_cast<const T*>(data), static_cast<size_t>(elements())};
  }
  template <class T>
  std::span<T> mutable_values() {
    return {reinterpret_cast<T*>(data), static_cast<size_t>(elements())};
  }
};

}  // namespace qs::runtime
