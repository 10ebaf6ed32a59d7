#include "support/op_test.h"

#include "support/model_builder.h"

namespace qs::test {

OpTest::OpTest() : model_(std::make_shared<format::Model>()) {
  model_->buffers.emplace_back();
  model_->subgraphs.emplace_back();
  model_->subgraphs[0].name = "main";
}

int OpTest::input(std::string name, format::TensorType type, runtime::Shape shape, runtime::Shape signature) {
  const int t = add_tensor(subgraph(), std::move(name), type, std::move(shape));
  subgraph().tensors.back().shape_signature = std::move(signature);
  subgraph().inputs.push_back(t);
  return t;
}

int OpTest::constant_bytes(std::string name, format::TensorType type, runtime::Shape shape,
                           const std::vector<std::byte>& bytes) {
  std::vector<uint8_t> raw(bytes.size());
  if (!bytes.empty()) std::memcpy(raw.data(), bytes.data(), bytes.size());
  return add_constant(*model_, subgraph(), std::move(name), type, std::move(shape), format::Bytes::own(std::move(raw)));
}

int OpTest::output(std::string name, format::TensorType type, runtime::Shape shape, bool internal) {
  const int t = add_tensor(subgraph(), std::move(name), type, std::move(shape));
  if (!internal) subgraph().outputs.push_back(t);
  return t;
}

void OpTest::quantize(int t, std::vector<float> scale, std::vector<int64_t> zero_point, int32_t dimension) {
  format::Quantization q;
  q.scale = std::move(scale);
  q.zero_point = std::move(zero_point);
  q.quantized_dimension = dimension;
  subgraph().tensors[static_cast<size_t>(t)].quantization = std::move(q);
}

void OpTest::op(format::BuiltinOp op, std::vector<int32_t> inputs, std::vector<int32_t> outputs,
                format::OpOptions options) {
  add_op(subgraph(), op, std::move(inputs), std::move(outputs), std::move(options));
}

Result<std::vector<HostTensor>> OpTest::run(const std::vector<HostTensor>& inputs, runtime::Flavor flavor) {
  runtime::InterpreterOptions options;
  options.flavor = flavor;
  auto interp = runtime::Interpreter::create(model_, options);
  if (!interp) return tl::unexpected(interp.error());
  return run_once(**interp, inputs);
}

Result<std::vector<HostTensor>> run_once(runtime::Interpreter& interp, const std::vector<HostTensor>& inputs,
                                         runtime::Observer* observer) {
  if (static_cast<int>(inputs.size()) != interp.input_count()) {
    return fail(cat("the model takes ", interp.input_count(), " inputs, given ", inputs.size()));
  }
  for (size_t i = 0; i < inputs.size(); ++i) {
    const int k = static_cast<int>(i);
    if (interp.input(k).shape != inputs[i].shape) {
      if (auto s = interp.resize_input(k, inputs[i].shape); !s) return tl::unexpected(s.error());
    }
  }
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (auto s = interp.set_input(static_cast<int>(i), inputs[i].bytes); !s) return tl::unexpected(s.error());
  }
  if (auto s = interp.invoke(observer); !s) return tl::unexpected(s.error());
  std::vector<HostTensor> out;
  for (int i = 0; i < interp.output_count(); ++i) {
    const runtime::Tensor& t = interp.output(i);
    HostTensor h{t.type, t.shape, std::vector<std::byte>(t.bytes)};
    if (t.bytes > 0) std::memcpy(h.bytes.data(), t.data, t.bytes);
    out.push_back(std::move(h));
  }
  return out;
}

}  // namespace qs::test
