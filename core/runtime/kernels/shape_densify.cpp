// DENSIFY: a sparse constant (TACO-style levels, as TFLite stores pruned
// weights) expanded into its dense shape. The sparsity parameters live on
// the model's tensor declaration, reached through the host's model.
//
// The format (tflite schema, SparsityParameters): the tensor's dense
// dimensions, plus one block dimension per entry of block_map, are visited in
// traversal_order; each level is DENSE (every index 0..dense_size-1) or
// SPARSE_CSR (for position p of the enclosing level, the indices
// array_indices[array_segments[p] .. array_segments[p+1]]). The buffer holds
// the values of the innermost level in visiting order.

#include "runtime/kernels/shape_families.h"
#include "runtime/kernels/shape_util.h"

namespace qs::runtime::kernels {
namespace {

constexpr int kInput = 0;
constexpr int kOutput = 0;

std::vector<int64_t> index_vector(const tfl::SparseIndexVectorUnion& u) {
  if (const auto* v = u.AsInt32Vector()) return {v->values.begin(), v->values.end()};
  if (const auto* v = u.AsUint16Vector()) return {v->values.begin(), v->values.end()};
  if (const auto* v = u.AsUint8Vector()) return {v->values.begin(), v->values.end()};
  return {};
}

// The model's declaration of the op's input 0: the subgraph is the one whose
// operator list holds this op.
const format::Tensor* input_declaration(const OpContext& ctx) {
  const format::Model& model = ctx.host().model();
  const format::Operator* op = &ctx.op();
  for (const format::Subgraph& sg : model.subgraphs) {
    for (const format::Operator& candidate : sg.operators) {
      if (&candidate != op) continue;
      const auto index = static_cast<size_t>(ctx.input(kInput)->index);
      return index < sg.tensors.size() ? &sg.tensors[index] : nullptr;
    }
  }
  return nullptr;
}

struct Level {
  bool sparse = false;
  int64_t dense_size = 0;
  std::vector<int64_t> segments;
  std::vector<int64_t> indices;
};

struct SparseLayout {
  Shape dense_shape;
  std::vector<int32_t> traversal;  // level -> dimension (dense dims, then block dims)
  std::vector<int32_t> block_map;  // block dim -> dense dim it subdivides
  std::vector<int64_t> block_size;
  std::vector<Level> levels;
};

Result<SparseLayout> read_layout(const OpContext& ctx, const Tensor& x) {
  const format::Tensor* decl = input_declaration(ctx);
  if (decl == nullptr || !decl->sparsity) {
    return ctx.error(cat(tensor_label(x), " has no sparsity parameters"));
  }
  const tfl::SparsityParametersT& sp = *decl->sparsity;
  SparseLayout layout;
  layout.dense_shape = x.shape;
  layout.traversal = sp.traversal_order;
  layout.block_map = sp.block_map;
  const size_t rank = x.shape.size();
  const size_t levels = rank + sp.block_map.size();
  bool ok = sp.traversal_order.size() == levels && sp.dim_metadata.size() == levels;
  std::vector<bool> seen(levels, false);
  for (size_t l = 0; ok && l < levels; ++l) {
    const int32_t d = sp.traversal_order[l];
    // Dense dimensions come first, block dimensions after them.
    ok = d >= 0 && static_cast<size_t>(d) < levels && !seen[static_cast<size_t>(d)] &&
         (l < rank) == (static_cast<size_t>(d) < rank) && sp.dim_metadata[l] != nullptr;
    if (ok) seen[static_cast<size_t>(d)] = true;
  }
  for (int32_t d : sp.block_map) ok = ok && d >= 0 && static_cast<size_t>(d) < rank;
  if (!ok) return ctx.error(cat(tensor_label(x), " has inconsistent sparsity parameters"));
  for (const auto& m : sp.dim_metadata) {
    Level level;
    level.sparse = m->format == tfl::DimensionType::SPARSE_CSR;
    level.dense_size = m->dense_size;
    if (level.sparse) {
      level.segments = index_vector(m->array_segments);
      level.indices = index_vector(m->array_indices);
    }
    layout.levels.push_back(std::move(level));
  }
  // A block dimension's size is the dense size of the level that visits it.
  layout.block_size.assign(sp.block_map.size(), 1);
  for (size_t l = rank; l < levels; ++l) {
    layout.block_size[static_cast<size_t>(layout.traversal[l]) - rank] = layout.levels[l].dense_size;
  }
  return layout;
}

// Walks the levels depth first, writing each stored value to its dense
// position; every index is checked, so a corrupt tensor gives an error.
class Densifier {
 public:
  Densifier(const SparseLayout& layout, const std::byte* values, int64_t value_count, std::byte* out,
            size_t elem)
      : layout_(layout),
        values_(values),
        value_count_(value_count),
        out_(out),
        elem_(elem),
        coords_(layout.levels.size(), 0),
        strides_(row_major_strides(layout.dense_shape)) {}

  Status run(const OpContext& ctx) {
    if (!visit(0, 0)) return ctx.error(cat("sparse data is inconsistent: ", problem_));
    return {};
  }

 private:
  bool visit(size_t level, int64_t position) {
    if (level == layout_.levels.size()) return store();
    const Level& l = layout_.levels[level];
    if (!l.sparse) {
      for (int64_t i = 0; i < l.dense_size; ++i) {
        coords_[level] = i;
        if (!visit(level + 1, position * l.dense_size + i)) return false;
      }
      return true;
    }
    if (position < 0 || static_cast<size_t>(position) + 1 >= l.segments.size())
      return fault("segment out of range");
    const int64_t begin = l.segments[static_cast<size_t>(position)];
    const int64_t end = l.segments[static_cast<size_t>(position) + 1];
    if (begin < 0 || end < begin || static_cast<size_t>(end) > l.indices.size())
      return fault("bad segment bounds");
    for (int64_t i = begin; i < end; ++i) {
      coords_[level] = l.indices[static_cast<size_t>(i)];
      if (!visit(level + 1, i)) return false;
    }
    return true;
  }

  bool store() {
    const size_t rank = layout_.dense_shape.size();
    std::vector<int64_t> dense(rank, 0);
    for (size_t l = 0; l < rank; ++l) dense[static_cast<size_t>(layout_.traversal[l])] = coords_[l];
    for (size_t l = rank; l < coords_.size(); ++l) {
      const auto block = static_cast<size_t>(layout_.traversal[l]) - rank;
      const auto d = static_cast<size_t>(layout_.block_map[block]);
      dense[d] = dense[d] * layout_.block_size[block] + coords_[l];
    }
    int64_t flat = 0;
    for (size_t d = 0; d < rank; ++d) {
      if (dense[d] < 0 || dense[d] >= layout_.dense_shape[d]) return fault("index outside the dense shape");
      flat += dense[d] * strides_[d];
    }
    if (next_ >= value_count_) return fault("more positions than stored values");
    std::memcpy(out_ + static_cast<size_t>(flat) * elem_, values_ + static_cast<size_t>(next_) * elem_,
                elem_);
    ++next_;
    return true;
  }

  bool fault(const char* what) {
    problem_ = what;
    return false;
  }

  const SparseLayout& layout_;
  const std::byte* values_;
  int64_t value_count_;
  std::byte* out_;
  size_t elem_;
  std::vector<int64_t> coords_;
  std::vector<int64_t> strides_;
  int64_t next_ = 0;
  const char* problem_ = "";
};

Status densify_prepare(OpContext& ctx) {
  auto in = required_input(ctx, kInput);
  if (!in) return tl::unexpected(in.error());
  const Tensor& x = **in;
  if (auto s = element_bytes(ctx, x); !s) return tl::unexpected(s.error());
  if (auto s = expect_same_type(ctx, ctx.output(kOutput), x); !s) return s;
  if (!x.is_constant()) return ctx.error(cat(tensor_label(x), " must be a constant"));
  if (auto layout = read_layout(ctx, x); !layout) return tl::unexpected(layout.error());
  ctx.set_output_shape(kOutput, x.shape);
  return {};
}

Status densify_eval(OpContext& ctx) {
  const Tensor& x = *ctx.input(kInput);
  Tensor& out = ctx.output(kOutput);
  auto layout = read_layout(ctx, x);
  if (!layout) return tl::unexpected(layout.error());
  const size_t elem = *element_bytes(ctx, x);
  zero_bytes(out.data, out.bytes);
  Densifier densifier(*layout, x.data, static_cast<int64_t>(x.bytes / elem), out.data, elem);
  return densifier.run(ctx);
}

}  // namespace

void register_shape_densify(KernelRegistry& registry) {
  registry.add(format::BuiltinOp::DENSIFY, Domain::kPlain, make_kernel(densify_prepare, densify_eval));
}

}  // namespace qs::runtime::kernels
