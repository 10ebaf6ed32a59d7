#include "runtime/kernels/slice_strided.h"

#include <algorithm>

namespace qs::runtime::kernels {
namespace {

bool bit(int32_t mask, int i) { return i >= 0 && i < 32 && ((static_cast<uint32_t>(mask) >> i) & 1U) != 0; }

// One effective dimension after the masks are resolved: the slice spec that
// applies to it, and the size of the (possibly inserted) dimension.
struct Dim {
  int64_t size = 1;
  int64_t begin = 0;
  int64_t end = 0;
  int64_t stride = 1;
  bool begin_masked = false;
  bool end_masked = false;
  bool shrink = false;
};

// TFLite's expansion: the ellipsis stands for as many full dimensions as
// the spec leaves unnamed; new axes (not at the ellipsis) insert a
// dimension of 1; dimensions past the spec are taken whole.
Result<std::vector<Dim>> effective_dims(std::span<const int32_t> input_shape, const StridedSliceSpec& spec) {
  const int rank = static_cast<int>(input_shape.size());
  const int n = static_cast<int>(spec.begin.size());
  int add_axes = 0;
  int ellipses = 0;
  for (int i = 0; i < n; ++i) {
    if (bit(spec.ellipsis_mask, i)) {
      ++ellipses;
    } else if (bit(spec.new_axis_mask, i)) {
      ++add_axes;
    }
  }
  if (ellipses > 1) return fail("more than one ellipsis in ellipsis_mask");
  if (n - add_axes - ellipses > rank) {
    return fail(cat("the slice names ", n - add_axes - ellipses, " dimensions, the input has ", rank));
  }
  const int eff_rank = rank + add_axes;

  // Which effective dims the ellipsis covers, and which are new axes.
  std::vector<bool> in_ellipsis(static_cast<size_t>(eff_rank), false);
  std::vector<bool> new_axis(static_cast<size_t>(eff_rank), false);
  int ellipsis_start = eff_rank;
  int expanded = 0;
  for (int i = 0; i < eff_rank;) {
    if (bit(spec.ellipsis_mask, i)) {
      ellipsis_start = i;
      const int ellipsis_end = std::max(i + 1, std::min(i + 1 + add_axes + rank - n, eff_rank));
      expanded = ellipsis_end - ellipsis_start - 1;
      for (; i < ellipsis_end; ++i) in_ellipsis[static_cast<size_t>(i)] = true;
      continue;
    }
    if (bit(spec.new_axis_mask, i - expanded)) new_axis[static_cast<size_t>(i)] = true;
    ++i;
  }

  std::vector<Dim> dims(static_cast<size_t>(eff_rank));
  int added_ellipsis = 0;
  int added_axes = 0;
  for (int i = 0; i < eff_rank; ++i) {
    Dim& d = dims[static_cast<size_t>(i)];
    if (in_ellipsis[static_cast<size_t>(i)]) {
      added_ellipsis = std::max(0, i - ellipsis_start);
      d.begin_masked = d.end_masked = true;
      d.size = input_shape[static_cast<size_t>(i - added_axes)];
    } else if (new_axis[static_cast<size_t>(i)]) {
      d.size = 1;
      d.end = 1;
      ++added_axes;
    } else if (i >= n + expanded) {
      d.begin_masked = d.end_masked = true;
      d.size = input_shape[static_cast<size_t>(i - added_axes)];
    } else {
      const int k = i - added_ellipsis;  // index into the spec
      d.begin = spec.begin[static_cast<size_t>(k)];
      d.end = spec.end[static_cast<size_t>(k)];
      d.stride = spec.strides[static_cast<size_t>(k)];
      d.begin_masked = bit(spec.begin_mask, k);
      d.end_masked = bit(spec.end_mask, k);
      d.shrink = bit(spec.shrink_axis_mask, k);
      d.size = input_shape[static_cast<size_t>(i - added_axes)];
    }
  }
  return dims;
}

int64_t clamp_for(int64_t v, int64_t size, int64_t stride) {
  return stride > 0 ? std::clamp<int64_t>(v, 0, size) : std::clamp<int64_t>(v, -1, size - 1);
}

}  // namespace

Result<StridedSlicePlan> plan_strided_slice(std::span<const int32_t> input_shape,
                                            const StridedSliceSpec& spec) {
  if (spec.end.size() != spec.begin.size() || spec.strides.size() != spec.begin.size()) {
    return fail("begin, end and strides must have the same length");
  }
  if (spec.begin.size() > 31) return fail("at most 31 slice indices are supported");
  auto dims = effective_dims(input_shape, spec);
  if (!dims) return tl::unexpected(dims.error());

  StridedSlicePlan plan;
  int64_t input_stride = 1;  // row-major stride of the effective dim, innermost first
  const size_t eff_rank = dims->size();
  plan.counts.resize(eff_rank);
  plan.src_strides.resize(eff_rank);
  std::vector<bool> shrunk(eff_rank, false);
  for (size_t k = eff_rank; k-- > 0;) {
    const Dim& d = (*dims)[k];
    if (d.stride == 0) return fail(cat("stride of dimension ", k, " is 0"));
    int64_t start = 0;
    int64_t count = 0;
    if (d.shrink) {
      // One element at `begin` (TFLite leaves the output unwritten for an
      // index out of range; that is an error here).
      start = d.begin_masked ? 0 : (d.begin < 0 ? d.begin + d.size : d.begin);
      if (start < 0 || start >= d.size) {
        return fail(cat("index ", d.begin, " of shrunk dimension ", k, " is out of range for size ", d.size));
      }
      count = 1;
      shrunk[k] = true;
    } else {
      start = clamp_for(d.begin < 0 ? d.begin + d.size : d.begin, d.size, d.stride);
      if (d.begin_masked) start = d.stride > 0 ? 0 : d.size - 1;
      int64_t end = spec.offset ? d.end + start : d.end;
      end = clamp_for(end < 0 ? end + d.size : end, d.size, d.stride);
      if (d.end_masked) end = d.stride > 0 ? d.size : -1;
      const int64_t span = d.stride > 0 ? end - start : start - end;
      const int64_t step = d.stride > 0 ? d.stride : -d.stride;
      count = span > 0 ? (span + step - 1) / step : 0;
    }
    plan.counts[k] = count;
    plan.src_strides[k] = input_stride * d.stride;
    if (count > 0) plan.src_offset += start * input_stride;
    input_stride *= d.size;
  }
  for (size_t k = 0; k < eff_rank; ++k) {
    if (!shrunk[k]) plan.output_shape.push_back(static_cast<int32_t>(plan.counts[k]));
  }
  return plan;
}

}  // namespace qs::runtime::kernels
