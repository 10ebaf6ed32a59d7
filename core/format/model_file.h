#pragma once
// A verified, read-only view of a .tflite file. Opening maps the file and
// checks it completely (FlatBuffers verifier, then the format's own rules) so
// that every accessor afterwards can trust indices and sizes. Nothing is
// copied: inspecting a model with gigabytes of weights reads only its graph.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>

#include "common/status.h"
#include "format/model.h"
#include "format/tensor_type.h"

namespace qs::tfl {
struct Model;
}

namespace qs::format {

class ModelFile {
 public:
  // Errors read "<path>: <what is wrong, naming the element>".
  static Result<ModelFile> open(const std::filesystem::path& path);
  // Same checks on bytes already in memory; `name` stands in for the path.
  static Result<ModelFile> from_bytes(std::vector<uint8_t> bytes, std::string name);

  const std::string& name() const { return name_; }
  std::span<const uint8_t> bytes() const { return bytes_; }
  // The verified FlatBuffer root (include "qs/tfl/tflite_generated.h").
  const tfl::Model& root() const { return *root_; }

  // Data of buffer `index`, wherever it is stored (inside the FlatBuffer or
  // after it); empty for the sentinel or an empty buffer.
  std::span<const uint8_t> buffer_data(uint32_t index) const;
  // The resolved code of operator_codes[index].
  BuiltinOp builtin_code(uint32_t opcode_index) const;

  // The editable form; constant data keeps borrowing this file's mapping.
  Model to_model() const;

 private:
  ModelFile() = default;
  static Result<ModelFile> verify(std::shared_ptr<const void> owner, std::span<const uint8_t> bytes,
                                  std::string name);

  std::shared_ptr<const void> owner_;
  std::span<const uint8_t> bytes_;
  std::string name_;
  const tfl::Model* root_ = nullptr;
};

}  // namespace qs::format
