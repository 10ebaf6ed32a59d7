#pragma once
// The editable, in-memory form of a TFLite model. Plain structs: the
// quantizer rewrites them, the writer serialises them. Constant data is held
// as Bytes, so a Model read from a file shares the file's mapping until a
// buffer is replaced.
//
// Rarely edited parts of the format (sparsity, blockwise quantization
// details, variant sub-types, op options) are kept as the generated
// object-API types, opaque here, so they survive a round trip untouched;
// include "format/op_options.h" to decode op options.

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "format/bytes.h"
#include "format/tensor_type.h"

namespace qs::tfl {
struct QuantizationDetailsUnion;
struct SparsityParametersT;
struct VariantSubTypeT;
struct BuiltinOptionsUnion;
struct BuiltinOptions2Union;
struct ExternalBufferGroupT;
struct ExternalBufferT;
}  // namespace qs::tfl

namespace qs::format {

// real = scale * (q - zero_point); per channel along `quantized_dimension`
// when there is more than one scale.
struct Quantization {
  std::vector<float> min;
  std::vector<float> max;
  std::vector<float> scale;
  std::vector<int64_t> zero_point;
  int32_t quantized_dimension = 0;
  // Blockwise / custom schemes, as read.
  std::shared_ptr<const tfl::QuantizationDetailsUnion> details;

  bool has_scale() const { return !scale.empty(); }
  bool per_channel() const { return scale.size() > 1; }
};

struct Tensor {
  std::string name;
  TensorType type = TensorType::FLOAT32;
  std::vector<int32_t> shape;
  // `shape` with -1 for dimensions fixed only at run time; empty if absent.
  std::vector<int32_t> shape_signature;
  bool has_rank = false;
  uint32_t buffer = 0;  // 0: no constant data
  std::optional<Quantization> quantization;
  bool is_variable = false;
  std::shared_ptr<const tfl::SparsityParametersT> sparsity;
  std::vector<std::shared_ptr<const tfl::VariantSubTypeT>> variant_tensors;
  uint32_t external_buffer = 0;
};

struct OpCode {
  BuiltinOp builtin = BuiltinOp::ADD;
  std::string custom_code;  // for BuiltinOp::CUSTOM
  int32_t version = 1;

  friend bool operator==(const OpCode&, const OpCode&) = default;
};

// An op's builtin options: immutable, shared between copies of a Model.
// Replace the whole value to edit it.
class OpOptions {
 public:
  OpOptions() = default;
  OpOptions(std::shared_ptr<const tfl::BuiltinOptionsUnion> first,
            std::shared_ptr<const tfl::BuiltinOptions2Union> second)
      : first_(std::move(first)), second_(std::move(second)) {}

  // Null when the op carries none of that union.
  const tfl::BuiltinOptionsUnion* first() const { return first_.get(); }
  const tfl::BuiltinOptions2Union* second() const { return second_.get(); }

 private:
  std::shared_ptr<const tfl::BuiltinOptionsUnion> first_;
  std::shared_ptr<const tfl::BuiltinOptions2Union> second_;
};

struct Operator {
  OpCode code;
  std::vector<int32_t> inputs;  // -1: omitted optional input
  std::vector<int32_t> outputs;
  std::vector<int32_t> intermediates;
  OpOptions options;
  Bytes custom_options;
  int8_t custom_options_format = 0;  // 0: FlexBuffers
  std::vector<bool> mutating_variable_inputs;
  int32_t debug_metadata_index = -1;
};

struct Subgraph {
  std::string name;
  std::vector<Tensor> tensors;
  std::vector<int32_t> inputs;
  std::vector<int32_t> outputs;
  std::vector<Operator> operators;  // execution order
  int32_t debug_metadata_index = -1;
};

struct Buffer {
  Bytes data;
};

struct Metadata {
  std::string name;
  uint32_t buffer = 0;
};

struct TensorMap {
  std::string name;
  uint32_t tensor_index = 0;
};

struct Signature {
  std::string key;
  uint32_t subgraph_index = 0;
  std::vector<TensorMap> inputs;
  std::vector<TensorMap> outputs;
};

struct Model {
  uint32_t version = 3;
  std::string description;
  std::vector<Subgraph> subgraphs;
  // buffers[0] is the empty sentinel every data-less tensor points at.
  std::vector<Buffer> buffers;
  std::vector<Metadata> metadata;
  std::vector<int32_t> metadata_buffer;  // legacy list of metadata buffers
  std::vector<Signature> signatures;
  // Constant data kept in other files (format 3d); carried through as read.
  std::vector<std::shared_ptr<const tfl::ExternalBufferGroupT>> external_buffer_groups;
  std::vector<std::shared_ptr<const tfl::ExternalBufferT>> external_buffers;

  // The data of a tensor's buffer (empty when it has none or the index is bad).
  std::span<const uint8_t> tensor_data(const Tensor& tensor) const;
  // Appends a buffer and returns its index.
  uint32_t add_buffer(Bytes data);
};

}  // namespace qs::format
