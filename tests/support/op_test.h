#pragma once
// Kernel tests: build a model around one op (or a few), run it through the
// interpreter, read the outputs back.
//
//   OpTest t;
//   int x = t.input("x", TensorType::FLOAT32, {2, 2});
//   int w = t.constant<float>("w", {2, 2}, {1, 2, 3, 4});
//   int y = t.output("y", TensorType::FLOAT32);
//   t.op(BuiltinOp::ADD, {x, w}, {y}, format::make_options(tfl::AddOptionsT{}));
//   auto out = t.run({host_tensor<float>({2, 2}, {1, 1, 1, 1})});
//   EXPECT_EQ(out->at(0).values<float>(), (std::vector<float>{2, 3, 4, 5}));

#include <cstring>
#include <string>
#include <vector>

#include "common/status.h"
#include "format/model.h"
#include "runtime/interpreter.h"

namespace qs::test {

// A tensor's value outside the interpreter.
struct HostTensor {
  format::TensorType type = format::TensorType::FLOAT32;
  runtime::Shape shape;
  std::vector<std::byte> bytes;

  template <class T>
  std::vector<T> values() const {
    std::vector<T> out(bytes.size() / sizeof(T));
    if (!out.empty()) std::memcpy(out.data(), bytes.data(), out.size() * sizeof(T));
    return out;
  }
};

template <class T>
constexpr format::TensorType type_of();
template <> constexpr format::TensorType type_of<float>() { return format::TensorType::FLOAT32; }
template <> constexpr format::TensorType type_of<int32_t>() { return format::TensorType::INT32; }
template <> constexpr format::TensorType type_of<int64_t>() { return format::TensorType::INT64; }
template <> constexpr format::TensorType type_of<int8_t>() { return format::TensorType::INT8; }
template <> constexpr format::TensorType type_of<uint8_t>() { return format::TensorType::UINT8; }
template <> constexpr format::TensorType type_of<int16_t>() { return format::TensorType::INT16; }
template <> constexpr format::TensorType type_of<bool>() { return format::TensorType::BOOL; }

template <class T>
HostTensor host_tensor(runtime::Shape shape, const std::vector<T>& values) {
  HostTensor h{type_of<T>(), std::move(shape), std::vector<std::byte>(values.size() * sizeof(T))};
  if constexpr (std::is_same_v<T, bool>) {
    for (size_t i = 0; i < values.size(); ++i) h.bytes[i] = std::byte{values[i] ? uint8_t{1} : uint8_t{0}};
  } else if (!values.empty()) {  // memcpy from an empty vector's null data() is undefined
    std::memcpy(h.bytes.data(), values.data(), h.bytes.size());
  }
  return h;
}

class OpTest {
 public:
  OpTest();

  // A runtime input of the subgraph (in call order). `signature` is the
  // shape_signature (empty: none).
  int input(std::string name, format::TensorType type, runtime::Shape shape, runtime::Shape signature = {});
  // A constant tensor holding `values`.
  template <class T>
  int constant(std::string name, runtime::Shape shape, const std::vector<T>& values) {
    return constant_bytes(std::move(name), type_of<T>(), std::move(shape), host_tensor<T>({}, values).bytes);
  }
  int constant_bytes(std::string name, format::TensorType type, runtime::Shape shape,
                     const std::vector<std::byte>& bytes);
  // A tensor written by an op; an output of the subgraph unless `internal`.
  // `shape` is what the converter would have declared (kernels compute the
  // real one).
  int output(std::string name, format::TensorType type, runtime::Shape shape = {}, bool internal = false);
  // Sets quantization parameters on tensor `t`.
  void quantize(int t, std::vector<float> scale, std::vector<int64_t> zero_point, int32_t dimension = 0);
  void op(format::BuiltinOp op, std::vector<int32_t> inputs, std::vector<int32_t> outputs,
          format::OpOptions options = {});

  // Runs the model once with `inputs` (one per input(), in order); inputs
  // whose shape differs from the declared one are resized first.
  Result<std::vector<HostTensor>> run(const std::vector<HostTensor>& inputs,
                                      runtime::Flavor flavor = runtime::Flavor::kFast);

  format::Model& model() { return *model_; }
  format::Subgraph& subgraph() { return model_->subgraphs[0]; }

 private:
  std::shared_ptr<format::Model> model_;
};

// Runs `interp` once on `inputs` and copies its outputs out.
Result<std::vector<HostTensor>> run_once(runtime::Interpreter& interp, const std::vector<HostTensor>& inputs,
                                         runtime::Observer* observer = nullptr);

}  // namespace qs::test
