#pragma once
// STRIDED_SLICE's index arithmetic, apart from the kernel so it can be
// tested on its own: masks, ellipsis and new axes resolved into a plain
// strided view of the input. Follows TFLite's strided_slice.cc and
// reference strided_slice.h (start/end clamping, negative strides, the
// `offset` option where `end` counts from `begin`).

#include <cstdint>
#include <span>
#include <vector>

#include "common/status.h"
#include "runtime/tensor.h"

namespace qs::runtime::kernels {

struct StridedSliceSpec {
  std::vector<int64_t> begin;
  std::vector<int64_t> end;
  std::vector<int64_t> strides;
  int32_t begin_mask = 0;
  int32_t end_mask = 0;
  int32_t ellipsis_mask = 0;
  int32_t new_axis_mask = 0;
  int32_t shrink_axis_mask = 0;
  bool offset = false;
};

// The slice as a view of the input, over its "effective" dimensions (the
// input's, with the new axes inserted): element i of the output (in
// row-major order over `counts`) is input[src_offset + Σ i_k·src_strides_k].
struct StridedSlicePlan {
  std::vector<int64_t> counts;
  std::vector<int64_t> src_strides;
  int64_t src_offset = 0;
  Shape output_shape;  // `counts` without the shrunk dimensions
};

// Errors (bad strides, too many indices, a shrunk index out of range) come
// back without the op's name; the kernel adds it.
Result<StridedSlicePlan> plan_strided_slice(std::span<const int32_t> input_shape,
                                            const StridedSliceSpec& spec);

}  // namespace qs::runtime::kernels
