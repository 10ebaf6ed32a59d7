#include "format/model_file.h"

#include <algorithm>

#include "format/mapped_file.h"
#include "format/validate.h"
#include "qs/tfl/tflite_generated.h"

namespace qs::format {

namespace {

// Enough for any real graph (a 10 000-op model has well under a million
// tables) while bounding the work a hostile file can cause.
constexpr flatbuffers::uoffset_t kMaxTables = 1u << 26;
constexpr flatbuffers::uoffset_t kMaxDepth = 64;
// The identifier follows the 4-byte root offset.
constexpr size_t kIdentifierOffset = sizeof(flatbuffers::uoffset_t);

std::string identifier_of(std::span<const uint8_t> bytes) {
  std::string id(reinterpret_cast<const char*>(bytes.data()) + kIdentifierOffset,
                 flatbuffers::kFileIdentifierLength);
  for (char& c : id) {
    if (c < 32 || c > 126) c = '?';
  }
  return id;
}

}  // namespace

Result<ModelFile> ModelFile::open(const std::filesystem::path& path) {
  auto mapped = MappedFile::open(path);
  if (!mapped) return tl::unexpected(with_context(path.string(), mapped.error()));
  const auto& mapping = *mapped;
  mapping->advise(MappedFile::Access::kRandom);
  auto file = verify(mapping, mapping->bytes(), path.string());
  mapping->advise(MappedFile::Access::kNormal);
  return file;
}

Result<ModelFile> ModelFile::from_bytes(std::vector<uint8_t> bytes, std::string name) {
  auto storage = std::make_shared<const std::vector<uint8_t>>(std::move(bytes));
  const std::span<const uint8_t> view(storage->data(), storage->size());
  return verify(std::move(storage), view, std::move(name));
}

Result<ModelFile> ModelFile::verify(std::shared_ptr<const void> owner, std::span<const uint8_t> bytes,
                                    std::string name) {
  constexpr size_t kMinSize = kIdentifierOffset + flatbuffers::kFileIdentifierLength;
  if (bytes.size() < kMinSize) {
    return fail(cat(name, ": not a TFLite model: the file has only ", bytes.size(), " bytes"));
  }
  if (!tfl::ModelBufferHasIdentifier(bytes.data())) {
    return fail(cat(name, ": not a TFLite model: file identifier is '", identifier_of(bytes),
                    "', expected 'TFL3'"));
  }
  // Files over 2 GB keep their FlatBuffer at the front and the big buffers
  // after it; the FlatBuffer itself can't exceed the 2 GB offset range.
  const size_t fb_size = std::min<size_t>(bytes.size(), FLATBUFFERS_MAX_BUFFER_SIZE - 1);
  flatbuffers::Verifier verifier(bytes.data(), fb_size, kMaxDepth, kMaxTables);
  if (!tfl::VerifyModelBuffer(verifier)) {
    return fail(cat(name, ": the FlatBuffer structure is invalid (truncated or corrupt file: ",
                    "an offset, vector length or table lies outside the ", bytes.size(), "-byte file)"));
  }
  const tfl::Model* root = tfl::GetModel(bytes.data());
  if (auto ok = validate_model(*root, bytes); !ok) return tl::unexpected(with_context(name, ok.error()));

  ModelFile file;
  file.owner_ = std::move(owner);
  file.bytes_ = bytes;
  file.name_ = std::move(name);
  file.root_ = root;
  return file;
}

std::span<const uint8_t> ModelFile::buffer_data(uint32_t index) const {
  const auto* buffers = root_->buffers();
  if (buffers == nullptr || index >= buffers->size()) return {};
  const auto* b = buffers->Get(index);
  if (b->offset() > 1) return bytes_.subspan(static_cast<size_t>(b->offset()), static_cast<size_t>(b->size()));
  if (b->data() == nullptr) return {};
  return {b->data()->data(), b->data()->size()};
}

BuiltinOp ModelFile::builtin_code(uint32_t opcode_index) const {
  const auto* c = root_->operator_codes()->Get(opcode_index);
  return static_cast<BuiltinOp>(
      resolved_builtin_code(c->deprecated_builtin_code(), static_cast<int32_t>(c->builtin_code())));
}

}  // namespace qs::format
