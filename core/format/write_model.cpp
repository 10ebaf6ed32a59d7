#include "format/write_model.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <tuple>

#include "qs/tfl/tflite_generated.h"

namespace qs::format {

namespace {

// Alignment of data placed after the FlatBuffer; generous enough for any
// SIMD load and for mmap-friendly readers.
constexpr uint64_t kTailAlignment = 64;
// Matches the schema's force_align on Buffer.data.
constexpr size_t kInlineAlignment = 16;

uint64_t align_up(uint64_t v, uint64_t a) { return (v + a - 1) / a * a; }

// A finished FlatBuffer plus the data that follows it in the file.
struct FileImage {
  flatbuffers::DetachedBuffer flatbuffer;
  struct Tail {
    uint64_t offset;
    std::span<const uint8_t> data;
  };
  std::vector<Tail> tail;
  uint64_t total_size = 0;
};

class Serializer {
 public:
  Serializer(const Model& model, const WriteOptions& options) : model_(model) {
    uint64_t total = 0;
    for (const auto& b : model.buffers) total += b.data.size();
    for (const auto& sg : model.subgraphs) {
      for (const auto& op : sg.operators) total += op.custom_options.size();
    }
    external_ = total > options.inline_data_limit;
  }

  Result<FileImage> run() {
    if (model_.subgraphs.empty()) return fail("cannot write a model without subgraphs");
    // FlatBuffers are built back to front: big data first keeps the graph
    // tables together at the front of the file, where readers start.
    std::vector<flatbuffers::Offset<tfl::Buffer>> buffers;
    buffers.reserve(model_.buffers.size());
    for (size_t i = 0; i < model_.buffers.size(); ++i) buffers.push_back(write_buffer(i));
    auto buffers_vec = fbb_.CreateVector(buffers);

    std::vector<flatbuffers::Offset<tfl::SubGraph>> subgraphs;
    for (size_t i = 0; i < model_.subgraphs.size(); ++i) {
      auto sg = write_subgraph(model_.subgraphs[i], i);
      if (!sg) return tl::unexpected(sg.error());
      subgraphs.push_back(*sg);
    }
    auto subgraphs_vec = fbb_.CreateVector(subgraphs);

    std::vector<flatbuffers::Offset<tfl::OperatorCode>> codes;
    for (const OpCode& c : codes_) {
      const auto code = static_cast<int32_t>(c.builtin);
      const auto legacy = static_cast<int8_t>(std::min<int32_t>(code, static_cast<int32_t>(BuiltinOp::PLACEHOLDER_FOR_GREATER_OP_CODES)));
      codes.push_back(tfl::CreateOperatorCode(fbb_, legacy, c.custom_code.empty() ? 0 : fbb_.CreateString(c.custom_code),
                                              c.version, c.builtin));
    }
    auto codes_vec = fbb_.CreateVector(codes);

    std::vector<flatbuffers::Offset<tfl::Metadata>> metadata;
    for (const auto& m : model_.metadata) metadata.push_back(tfl::CreateMetadata(fbb_, fbb_.CreateString(m.name), m.buffer));
    std::vector<flatbuffers::Offset<tfl::SignatureDef>> signatures;
    for (const auto& s : model_.signatures) signatures.push_back(write_signature(s));
    std::vector<flatbuffers::Offset<tfl::ExternalBufferGroup>> groups;
    for (const auto& g : model_.external_buffer_groups) groups.push_back(tfl::CreateExternalBufferGroup(fbb_, g.get()));
    std::vector<flatbuffers::Offset<tfl::ExternalBuffer>> externals;
    for (const auto& e : model_.external_buffers) externals.push_back(tfl::CreateExternalBuffer(fbb_, e.get()));

    auto root = tfl::CreateModel(
        fbb_, model_.version, codes_vec, subgraphs_vec,
        model_.description.empty() ? 0 : fbb_.CreateString(model_.description), buffers_vec,
        model_.metadata_buffer.empty() ? 0 : fbb_.CreateVector(model_.metadata_buffer),
        metadata.empty() ? 0 : fbb_.CreateVector(metadata), signatures.empty() ? 0 : fbb_.CreateVector(signatures),
        groups.empty() ? 0 : fbb_.CreateVector(groups), externals.empty() ? 0 : fbb_.CreateVector(externals));
    tfl::FinishModelBuffer(fbb_, root);
    if (fbb_.GetSize() >= FLATBUFFERS_MAX_BUFFER_SIZE) {
      return fail("the model's graph alone exceeds the 2 GB FlatBuffer limit");
    }
    return place_tail();
  }

 private:
  flatbuffers::Offset<tfl::Buffer> write_buffer(size_t i) {
    const Bytes& data = model_.buffers[i].data;
    if (data.empty()) return tfl::CreateBuffer(fbb_);
    if (external_) {
      // Offset 1 is a placeholder (any value > 1 means "external"); the real
      // offset is patched in once the FlatBuffer's size is known.
      pending_buffers_.push_back({static_cast<uint32_t>(i), data.span()});
      return tfl::CreateBuffer(fbb_, 0, 1, data.size());
    }
    fbb_.ForceVectorAlignment(data.size(), 1, kInlineAlignment);
    return tfl::CreateBuffer(fbb_, fbb_.CreateVector(data.data(), data.size()));
  }

  uint32_t opcode_index(const OpCode& code) {
    const auto key = std::make_tuple(static_cast<int32_t>(code.builtin), code.custom_code, code.version);
    auto [it, inserted] = code_index_.try_emplace(key, static_cast<uint32_t>(codes_.size()));
    if (inserted) codes_.push_back(code);
    return it->second;
  }

  flatbuffers::Offset<tfl::QuantizationParameters> write_quantization(const Quantization& q) {
    auto vec_or_null = [&](const auto& v) { return v.empty() ? 0 : fbb_.CreateVector(v); };
    auto min = vec_or_null(q.min);
    auto max = vec_or_null(q.max);
    auto scale = vec_or_null(q.scale);
    auto zp = vec_or_null(q.zero_point);
    auto details_type = tfl::QuantizationDetails::NONE;
    flatbuffers::Offset<void> details = 0;
    if (q.details) {
      details_type = q.details->type;
      details = q.details->Pack(fbb_);
    }
    return tfl::CreateQuantizationParameters(fbb_, min, max, scale, zp, details_type, details, q.quantized_dimension);
  }

  flatbuffers::Offset<tfl::Tensor> write_tensor(const Tensor& t) {
    auto shape = fbb_.CreateVector(t.shape);
    auto name = fbb_.CreateString(t.name);
    auto quant = t.quantization ? write_quantization(*t.quantization) : 0;
    auto sparsity = t.sparsity ? tfl::CreateSparsityParameters(fbb_, t.sparsity.get()) : 0;
    auto signature = t.shape_signature.empty() ? 0 : fbb_.CreateVector(t.shape_signature);
    flatbuffers::Offset<flatbuffers::Vector<flatbuffers::Offset<tfl::VariantSubType>>> variants = 0;
    if (!t.variant_tensors.empty()) {
      std::vector<flatbuffers::Offset<tfl::VariantSubType>> v;
      for (const auto& vt : t.variant_tensors) v.push_back(tfl::CreateVariantSubType(fbb_, vt.get()));
      variants = fbb_.CreateVector(v);
    }
    return tfl::CreateTensor(fbb_, shape, t.type, t.buffer, name, quant, t.is_variable, sparsity, signature,
                             t.has_rank, variants, t.external_buffer);
  }

  Result<flatbuffers::Offset<tfl::Operator>> write_operator(const Operator& op, size_t sg_index, size_t op_index) {
    if (op.code.builtin == BuiltinOp::CUSTOM && op.code.custom_code.empty()) {
      return fail(cat("subgraph ", sg_index, " operator #", op_index, " is CUSTOM without a custom code name"));
    }
    const uint32_t code = opcode_index(op.code);
    auto inputs = fbb_.CreateVector(op.inputs);
    auto outputs = fbb_.CreateVector(op.outputs);
    auto intermediates = op.intermediates.empty() ? 0 : fbb_.CreateVector(op.intermediates);
    auto t1 = tfl::BuiltinOptions::NONE;
    flatbuffers::Offset<void> o1 = 0;
    if (const auto* u = op.options.first()) {
      t1 = u->type;
      o1 = u->Pack(fbb_);
    }
    auto t2 = tfl::BuiltinOptions2::NONE;
    flatbuffers::Offset<void> o2 = 0;
    if (const auto* u = op.options.second()) {
      t2 = u->type;
      o2 = u->Pack(fbb_);
    }
    flatbuffers::Offset<flatbuffers::Vector<uint8_t>> custom = 0;
    uint64_t large_offset = 0;
    uint64_t large_size = 0;
    if (!op.custom_options.empty()) {
      if (external_) {
        large_offset = 1;  // patched later, like buffers
        large_size = op.custom_options.size();
        pending_custom_.push_back({static_cast<uint32_t>(sg_index), static_cast<uint32_t>(op_index), op.custom_options.span()});
      } else {
        custom = fbb_.CreateVector(op.custom_options.data(), op.custom_options.size());
      }
    }
    flatbuffers::Offset<flatbuffers::Vector<uint8_t>> mutating = 0;
    if (!op.mutating_variable_inputs.empty()) {
      std::vector<uint8_t> flags(op.mutating_variable_inputs.begin(), op.mutating_variable_inputs.end());
      mutating = fbb_.CreateVector(flags);
    }
    return tfl::CreateOperator(fbb_, code, inputs, outputs, t1, o1, custom,
                               static_cast<tfl::CustomOptionsFormat>(op.custom_options_format), mutating, intermediates,
                               large_offset, large_size, t2, o2, op.debug_metadata_index);
  }

  Result<flatbuffers::Offset<tfl::SubGraph>> write_subgraph(const Subgraph& sg, size_t index) {
    std::vector<flatbuffers::Offset<tfl::Tensor>> tensors;
    tensors.reserve(sg.tensors.size());
    for (const auto& t : sg.tensors) tensors.push_back(write_tensor(t));
    auto tensors_vec = fbb_.CreateVector(tensors);
    std::vector<flatbuffers::Offset<tfl::Operator>> ops;
    ops.reserve(sg.operators.size());
    for (size_t i = 0; i < sg.operators.size(); ++i) {
      auto op = write_operator(sg.operators[i], index, i);
      if (!op) return tl::unexpected(op.error());
      ops.push_back(*op);
    }
    auto ops_vec = fbb_.CreateVector(ops);
    auto inputs = fbb_.CreateVector(sg.inputs);
    auto outputs = fbb_.CreateVector(sg.outputs);
    auto name = sg.name.empty() ? 0 : fbb_.CreateString(sg.name);
    return tfl::CreateSubGraph(fbb_, tensors_vec, inputs, outputs, ops_vec, name, sg.debug_metadata_index);
  }

  flatbuffers::Offset<tfl::SignatureDef> write_signature(const Signature& s) {
    auto maps = [&](const std::vector<TensorMap>& list) {
      std::vector<flatbuffers::Offset<tfl::TensorMap>> v;
      for (const auto& m : list) v.push_back(tfl::CreateTensorMap(fbb_, fbb_.CreateString(m.name), m.tensor_index));
      return fbb_.CreateVector(v);
    };
    auto inputs = maps(s.inputs);
    auto outputs = maps(s.outputs);
    return tfl::CreateSignatureDef(fbb_, inputs, outputs, fbb_.CreateString(s.key), s.subgraph_index);
  }

  // Lays the external data out after the FlatBuffer and patches the
  // placeholder offsets in place (the fields exist, so mutation succeeds).
  Result<FileImage> place_tail() {
    FileImage image;
    image.flatbuffer = fbb_.Release();
    uint64_t cursor = image.flatbuffer.size();
    if (pending_buffers_.empty() && pending_custom_.empty()) {
      image.total_size = cursor;
      return image;
    }
    auto* root = tfl::GetMutableModel(image.flatbuffer.data());
    for (const auto& p : pending_buffers_) {
      cursor = align_up(cursor, kTailAlignment);
      auto* b = root->mutable_buffers()->GetMutableObject(p.buffer);
      if (!b->mutate_offset(cursor)) return fail(cat("internal: cannot place buffer #", p.buffer));
      image.tail.push_back({cursor, p.data});
      cursor += p.data.size();
    }
    for (const auto& p : pending_custom_) {
      cursor = align_up(cursor, kTailAlignment);
      auto* op = root->mutable_subgraphs()->GetMutableObject(p.subgraph)->mutable_operators()->GetMutableObject(p.op);
      if (!op->mutate_large_custom_options_offset(cursor)) return fail("internal: cannot place custom options");
      image.tail.push_back({cursor, p.data});
      cursor += p.data.size();
    }
    image.total_size = cursor;
    return image;
  }

  struct PendingBuffer {
    uint32_t buffer;
    std::span<const uint8_t> data;
  };
  struct PendingCustom {
    uint32_t subgraph;
    uint32_t op;
    std::span<const uint8_t> data;
  };

  const Model& model_;
  bool external_ = false;
  flatbuffers::FlatBufferBuilder fbb_{1 << 20};
  std::vector<OpCode> codes_;
  std::map<std::tuple<int32_t, std::string, int32_t>, uint32_t> code_index_;
  std::vector<PendingBuffer> pending_buffers_;
  std::vector<PendingCustom> pending_custom_;
};

class TempFile {
 public:
  explicit TempFile(const std::filesystem::path& target)
      : path_(target.string() + ".partial-XXXXXX") {}
  ~TempFile() {
    if (fd_ >= 0) ::close(fd_);
    if (!committed_ && created_) ::unlink(path_.c_str());
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;

  Status create() {
    fd_ = ::mkstemp(path_.data());
    if (fd_ < 0) return fail(cat("cannot create a file next to it: ", std::strerror(errno)));
    created_ = true;
    return {};
  }
  Status write_at_end(std::span<const uint8_t> data) {
    while (!data.empty()) {
      const ssize_t n = ::write(fd_, data.data(), data.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        return fail(cat("write failed: ", std::strerror(errno)));
      }
      data = data.subspan(static_cast<size_t>(n));
    }
    return {};
  }
  Status pad_to(uint64_t offset, uint64_t current) {
    static constexpr uint8_t zeros[kTailAlignment] = {};
    while (current < offset) {
      const auto n = std::min<uint64_t>(offset - current, kTailAlignment);
      if (auto s = write_at_end({zeros, static_cast<size_t>(n)}); !s) return s;
      current += n;
    }
    return {};
  }
  Status commit(const std::filesystem::path& target) {
    if (::fsync(fd_) != 0) return fail(cat("cannot flush: ", std::strerror(errno)));
    if (::close(fd_) != 0) {
      fd_ = -1;
      return fail(cat("cannot close: ", std::strerror(errno)));
    }
    fd_ = -1;
    // mkstemp creates 0600; a model is an ordinary document.
    ::chmod(path_.c_str(), 0644);
    if (::rename(path_.c_str(), target.c_str()) != 0) return fail(cat("cannot rename into place: ", std::strerror(errno)));
    committed_ = true;
    return {};
  }

 private:
  std::string path_;
  int fd_ = -1;
  bool created_ = false;
  bool committed_ = false;
};

}  // namespace

Result<std::vector<uint8_t>> serialize(const Model& model, const WriteOptions& options) {
  auto image = Serializer(model, options).run();
  if (!image) return tl::unexpected(image.error());
  std::vector<uint8_t> out(static_cast<size_t>(image->total_size), 0);
  std::copy_n(image->flatbuffer.data(), image->flatbuffer.size(), out.begin());
  for (const auto& t : image->tail) std::copy(t.data.begin(), t.data.end(), out.begin() + static_cast<ptrdiff_t>(t.offset));
  return out;
}

Status write_file(const Model& model, const std::filesystem::path& path, const WriteOptions& options) {
  auto image = Serializer(model, options).run();
  if (!image) return tl::unexpected(with_context(path.string(), image.error()));
  TempFile file(path);
  auto status = file.create();
  if (status) status = file.write_at_end({image->flatbuffer.data(), image->flatbuffer.size()});
  uint64_t cursor = image->flatbuffer.size();
  for (const auto& t : image->tail) {
    if (!status) break;
    status = file.pad_to(t.offset, cursor);
    if (status) status = file.write_at_end(t.data);
    cursor = t.offset + t.data.size();
  }
  if (status) status = file.commit(path);
  if (!status) return tl::unexpected(with_context(path.string(), status.error()));
  return {};
}

}  // namespace qs::format
