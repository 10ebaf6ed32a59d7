#include "runtime/kernels/shape_util.h"

#include <algorithm>
#include <limits>

namespace qs::runtime::kernels {

Result<size_t> element_bytes(const OpContext& ctx, const Tensor& t) {
  const auto bits = format::type_bits(t.type);
  if (!bits || *bits < 8 || *bits > 64) {
    return ctx.error(cat(tensor_label(t), " has element type ", format::type_name(t.type),
                         ", which this op does not support"));
  }
  return static_cast<size_t>(*bits / 8);
}

int64_t product(std::span<const int32_t> shape, size_t begin, size_t end) {
  int64_t n = 1;
  for (size_t k = begin; k < end && k < shape.size(); ++k) n *= shape[k];
  return n;
}

std::vector<int64_t> row_major_strides(std::span<const int32_t> shape) {
  std::vector<int64_t> strides(shape.size(), 1);
  for (size_t k = shape.size(); k-- > 1;) strides[k - 1] = strides[k] * shape[k];
  return strides;
}

namespace {

struct Axis {
  int64_t size;
  int64_t dst_stride;
  int64_t src_stride;
};

// Drops unit axes and merges neighbours that are contiguous in both views,
// so a transpose of [1,64,64,3] by (0,1,2,3) becomes one run of 12288.
std::vector<Axis> merge_axes(std::span<const int64_t> dims, std::span<const int64_t> dst_strides,
                             std::span<const int64_t> src_strides) {
  std::vector<Axis> merged;  // innermost first
  for (size_t k = dims.size(); k-- > 0;) {
    if (dims[k] == 1) continue;
    const Axis a{dims[k], dst_strides[k], src_strides[k]};
    if (!merged.empty()) {
      Axis& inner = merged.back();
      if (a.dst_stride == inner.dst_stride * inner.size && a.src_stride == inner.src_stride * inner.size) {
        inner.size *= a.size;
        continue;
      }
    }
    merged.push_back(a);
  }
  std::reverse(merged.begin(), merged.end());
  return merged;
}

}  // namespace

void copy_strided(std::span<const int64_t> dims, std::byte* dst, std::span<const int64_t> dst_strides,
                  int64_t dst_offset, const std::byte* src, std::span<const int64_t> src_strides,
                  int64_t src_offset, size_t elem_bytes) {
  if (std::any_of(dims.begin(), dims.end(), [](int64_t d) { return d <= 0; })) return;
  std::vector<Axis> axes = merge_axes(dims, dst_strides, src_strides);
  if (axes.empty()) axes.push_back({1, 1, 1});
  const Axis inner = axes.back();
  axes.pop_back();
  const bool contiguous = inner.dst_stride == 1 && inner.src_stride == 1;
  const auto elem = static_cast<int64_t>(elem_bytes);

  with_word(elem_bytes, [&]<class W>() {
    std::vector<int64_t> index(axes.size(), 0);
    int64_t d = dst_offset;
    int64_t s = src_offset;
    while (true) {
      if (contiguous) {
        std::memcpy(dst + d * elem, src + s * elem, static_cast<size_t>(inner.size * elem));
      } else {
        W* out = reinterpret_cast<W*>(dst) + d;
        const W* in = reinterpret_cast<const W*>(src) + s;
        for (int64_t i = 0; i < inner.size; ++i) out[i * inner.dst_stride] = in[i * inner.src_stride];
      }
      // Odometer over the outer axes.
      size_t k = axes.size();
      for (; k-- > 0;) {
        d += axes[k].dst_stride;
        s += axes[k].src_stride;
        if (++index[k] < axes[k].size) break;
        d -= axes[k].dst_stride * axes[k].size;
        s -= axes[k].src_stride * axes[k].size;
        index[k] = 0;
      }
      if (k == static_cast<size_t>(-1)) break;
    }
  });
}

void gather_strided(std::span<const int64_t> dims, std::byte* dst, const std::byte* src,
                    std::span<const int64_t> src_strides, int64_t src_offset, size_t elem_bytes) {
  std::vector<int64_t> dst_strides(dims.size(), 1);
  for (size_t k = dims.size(); k-- > 1;) dst_strides[k - 1] = dst_strides[k] * dims[k];
  copy_strided(dims, dst, dst_strides, 0, src, src_strides, src_offset, elem_bytes);
}

void fill_elements(std::byte* dst, int64_t count, const std::byte* value, size_t elem_bytes) {
  if (count <= 0) return;
  with_word(elem_bytes, [&]<class W>() {
    W v;
    std::memcpy(&v, value, sizeof(W));
    std::fill_n(reinterpret_cast<W*>(dst), count, v);
  });
}

bool defer_until_values_known(OpContext& ctx, std::initializer_list<const Tensor*> inputs) {
  const bool known = std::all_of(inputs.begin(), inputs.end(),
                                 [&](const Tensor* t) { return t == nullptr || ctx.values_known(*t); });
  if (known) return false;
  for (int i = 0; i < ctx.output_count(); ++i) ctx.mark_output_dynamic(i);
  return true;
}

Status expect_inputs(const OpContext& ctx, int count) {
  for (int i = 0; i < count; ++i) {
    if (ctx.input(i) == nullptr)
      return ctx.error(cat("expects ", count, " inputs, input ", i, " is missing"));
  }
  return {};
}

Status expect_outputs(const OpContext& ctx, int count) {
  if (ctx.output_count() == count) return {};
  return ctx.error(cat("expects ", count, " outputs, has ", ctx.output_count()));
}

Status expect_same_type(const OpContext& ctx, const Tensor& out, const Tensor& in) {
  if (out.type == in.type) return {};
  return ctx.error(cat("output ", tensor_label(out), " is ", format::type_name(out.type), ", input ",
                       tensor_label(in), " is ", format::type_name(in.type)));
}

Status expect_max_rank(const OpContext& ctx, const Tensor& t, int max_rank) {
  if (t.rank() <= max_rank) return {};
  return ctx.error(cat(tensor_label(t), " has shape ", format::shape_string(t.shape), ", at most rank ",
                       max_rank, " is supported"));
}

std::string tensor_label(const Tensor& t) { return cat("tensor ", t.index, " '", t.name, "'"); }

Result<std::vector<int64_t>> read_ints(const OpContext& ctx, const Tensor& t, int64_t count) {
  auto values = read_index_values(ctx, t);
  if (!values) return values;
  if (count >= 0 && static_cast<int64_t>(values->size()) != count) {
    return ctx.error(
        cat(tensor_label(t), " has shape ", format::shape_string(t.shape), ", expected ", count, " values"));
  }
  return values;
}

Result<int64_t> read_scalar_int(const OpContext& ctx, const Tensor& t) {
  auto values = read_ints(ctx, t, 1);
  if (!values) return tl::unexpected(values.error());
  return (*values)[0];
}

Result<Shape> to_shape(const OpContext& ctx, std::span<const int64_t> values, const Tensor& source) {
  Shape shape;
  shape.reserve(values.size());
  for (int64_t v : values) {
    if (v < std::numeric_limits<int32_t>::min() || v > std::numeric_limits<int32_t>::max()) {
      return ctx.error(cat(tensor_label(source), ": dimension ", v, " is out of range"));
    }
    shape.push_back(static_cast<int32_t>(v));
  }
  return shape;
}

}  // namespace qs::runtime::kernels
