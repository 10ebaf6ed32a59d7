#pragma once
// Pieces shared by the data-movement kernels (shape_*.cpp, slice_*.cpp):
// element sizes, strided copies, reading small integer tensors, and the
// "values known" protocol for ops whose output shape comes from an input's
// values. Most of these ops never look at an element's value, so one
// implementation moves elements of any fixed size as raw words.

#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <span>
#include <vector>

#include "runtime/kernels/kernel_util.h"

namespace qs::runtime::kernels {

// Bytes per element for ops that move values without interpreting them
// (1, 2, 4 or 8); an error naming `t` for packed sub-byte and
// variable-size types.
Result<size_t> element_bytes(const OpContext& ctx, const Tensor& t);

// Calls `f.template operator()<W>()` with the unsigned word type W of
// `bytes` bytes (1, 2, 4 or 8): moving a float as a uint32_t moves the same
// bits, so one instantiation per size serves every element type.
template <class F>
void with_word(size_t bytes, F&& f) {
  switch (bytes) {
    case 1:
      f.template operator()<uint8_t>();
      break;
    case 2:
      f.template operator()<uint16_t>();
      break;
    case 4:
      f.template operator()<uint32_t>();
      break;
    default:
      f.template operator()<uint64_t>();
      break;
  }
}

// memcpy that tolerates empty ranges with null pointers (zero-size tensors
// may have no memory).
inline void copy_bytes(void* dst, const void* src, size_t bytes) {
  if (bytes != 0) std::memcpy(dst, src, bytes);
}

inline void zero_bytes(void* dst, size_t bytes) {
  if (bytes != 0) std::memset(dst, 0, bytes);
}

// Product of shape[begin, end).
int64_t product(std::span<const int32_t> shape, size_t begin, size_t end);

// Row-major strides, in elements, of `shape`.
std::vector<int64_t> row_major_strides(std::span<const int32_t> shape);

// Copies the elements of an index space `dims` from one strided view to
// another: for every index i, dst[dst_offset + Σ i_k·dst_strides_k] =
// src[src_offset + Σ i_k·src_strides_k] (offsets and strides in elements;
// source strides may be negative or zero). Dimensions that are contiguous in
// both views are merged, and runs contiguous in both are copied with
// memcpy. Transpose, slice, reverse, broadcast, tile, pad and the
// space/depth rearrangements are all one call of this.
void copy_strided(std::span<const int64_t> dims, std::byte* dst, std::span<const int64_t> dst_strides,
                  int64_t dst_offset, const std::byte* src, std::span<const int64_t> src_strides,
                  int64_t src_offset, size_t elem_bytes);

// The same with a dense row-major destination starting at `dst`.
void gather_strided(std::span<const int64_t> dims, std::byte* dst, const std::byte* src,
                    std::span<const int64_t> src_strides, int64_t src_offset, size_t elem_bytes);

// Fills `count` elements of `elem_bytes` bytes at `dst` with the element at
// `value`.
void fill_elements(std::byte* dst, int64_t count, const std::byte* value, size_t elem_bytes);

// The "values known" protocol: while planning, when the values of any of
// `inputs` (null entries are skipped) cannot be read yet, marks every output
// dynamic and returns true; the caller then returns and is prepared again at
// run time.
bool defer_until_values_known(OpContext& ctx, std::initializer_list<const Tensor*> inputs);

// Fails unless the op has at least `count` inputs present.
Status expect_inputs(const OpContext& ctx, int count);
// Fails unless the op has exactly `count` outputs.
Status expect_outputs(const OpContext& ctx, int count);
// Fails unless output `out` has the same element type as input `in`.
Status expect_same_type(const OpContext& ctx, const Tensor& out, const Tensor& in);
// Fails when `t` has more than `max_rank` dimensions.
Status expect_max_rank(const OpContext& ctx, const Tensor& t, int max_rank);

// A tensor naming for messages: "tensor 3 'name'".
std::string tensor_label(const Tensor& t);

// The values of an INT32/INT64 tensor that must hold exactly `count` values
// (-1: any count).
Result<std::vector<int64_t>> read_ints(const OpContext& ctx, const Tensor& t, int64_t count = -1);
// The single value of an INT32/INT64 tensor of one element (scalar or [1]).
Result<int64_t> read_scalar_int(const OpContext& ctx, const Tensor& t);

// A shape from int64 values, failing when a value does not fit a dimension.
Result<Shape> to_shape(const OpContext& ctx, std::span<const int64_t> values, const Tensor& source);

}  // namespace qs::runtime::kernels
