#include "support/model_builder.h"

#include <cstring>
#include <stdexcept>

#include "format/op_options.h"

namespace qs::test {

using format::BuiltinOp;
using format::Bytes;
using format::Model;
using format::Subgraph;
using format::TensorType;

namespace {

// A tiny LCG: the values only need to be deterministic and not all equal, so
// a corrupted copy of a buffer is told apart from the original.
uint32_t next(uint32_t& state) {
  state = state * 1664525u + 1013904223u;
  return state;
}

Model empty_model(size_t subgraphs) {
  Model m;
  m.description = "qs::test model";
  m.buffers.emplace_back();  // the empty sentinel
  m.subgraphs.resize(subgraphs);
  return m;
}

}  // namespace

Bytes float_data(size_t count, uint32_t seed) {
  std::vector<uint8_t> out(count * sizeof(float));
  uint32_t state = seed;
  for (size_t i = 0; i < count; ++i) {
    const float v = static_cast<float>(static_cast<int32_t>(next(state) >> 8) - (1 << 23)) / float(1 << 23);
    std::memcpy(out.data() + i * sizeof(float), &v, sizeof v);
  }
  return Bytes::own(std::move(out));
}

Bytes int32_data(std::span<const int32_t> values) {
  std::vector<uint8_t> out(values.size_bytes());
  std::memcpy(out.data(), values.data(), out.size());
  return Bytes::own(std::move(out));
}

Bytes int8_data(size_t count, uint32_t seed) {
  std::vector<uint8_t> out(count);
  uint32_t state = seed;
  for (auto& b : out) b = static_cast<uint8_t>(next(state) >> 24);
  return Bytes::own(std::move(out));
}

int32_t add_tensor(Subgraph& sg, std::string name, TensorType type, std::vector<int32_t> shape,
                   uint32_t buffer) {
  format::Tensor t;
  t.name = std::move(name);
  t.type = type;
  t.shape = std::move(shape);
  t.has_rank = true;
  t.buffer = buffer;
  sg.tensors.push_back(std::move(t));
  return static_cast<int32_t>(sg.tensors.size() - 1);
}

int32_t add_constant(Model& model, Subgraph& sg, std::string name, TensorType type,
                     std::vector<int32_t> shape, Bytes data) {
  const uint32_t buffer = model.add_buffer(std::move(data));
  return add_tensor(sg, std::move(name), type, std::move(shape), buffer);
}

void add_op(Subgraph& sg, BuiltinOp op, std::vector<int32_t> inputs, std::vector<int32_t> outputs,
            format::OpOptions options) {
  format::Operator o;
  o.code.builtin = op;
  o.code.version = 1;
  o.inputs = std::move(inputs);
  o.outputs = std::move(outputs);
  o.options = std::move(options);
  sg.operators.push_back(std::move(o));
}

std::vector<uint8_t> to_bytes(const Model& model, const format::WriteOptions& options) {
  auto bytes = format::serialize(model, options);
  if (!bytes) throw std::runtime_error("serialize failed: " + bytes.error().message);
  return std::move(*bytes);
}

Model fc_relu_model(int32_t in, int32_t out) {
  Model m = empty_model(1);
  Subgraph& sg = m.subgraphs[0];
  sg.name = "main";
  add_tensor(sg, "x", TensorType::FLOAT32, {1, in});
  add_constant(m, sg, "fc/weights", TensorType::FLOAT32, {out, in},
               float_data(static_cast<size_t>(out * in), 1));
  add_constant(m, sg, "fc/bias", TensorType::FLOAT32, {out}, float_data(static_cast<size_t>(out), 2));
  add_tensor(sg, "fc", TensorType::FLOAT32, {1, out});
  add_tensor(sg, "y", TensorType::FLOAT32, {1, out});
  add_op(sg, BuiltinOp::FULLY_CONNECTED, {FcRelu::kInput, FcRelu::kWeights, FcRelu::kBias}, {FcRelu::kFcOut},
         format::make_options(tfl::FullyConnectedOptionsT{}));
  add_op(sg, BuiltinOp::RELU, {FcRelu::kFcOut}, {FcRelu::kOutput});
  sg.inputs = {FcRelu::kInput};
  sg.outputs = {FcRelu::kOutput};
  m.signatures.push_back(
      format::Signature{"serving_default", 0, {{"x", FcRelu::kInput}}, {{"y", FcRelu::kOutput}}});
  return m;
}

Model conv_model(bool per_channel_int8) {
  Model m = empty_model(1);
  Subgraph& sg = m.subgraphs[0];
  sg.name = "main";
  add_tensor(sg, "image", TensorType::FLOAT32, {1, 8, 8, 3});
  if (per_channel_int8) {
    add_constant(m, sg, "conv/filter", TensorType::INT8, {8, 3, 3, 3}, int8_data(8 * 3 * 3 * 3));
    format::Quantization q;
    for (int c = 0; c < 8; ++c) {
      q.scale.push_back(0.01f * static_cast<float>(c + 1));
      q.zero_point.push_back(0);
    }
    q.quantized_dimension = 0;
    sg.tensors.back().quantization = q;
    const std::vector<int32_t> bias(8, 7);
    add_constant(m, sg, "conv/bias", TensorType::INT32, {8}, int32_data(bias));
  } else {
    add_constant(m, sg, "conv/filter", TensorType::FLOAT32, {8, 3, 3, 3}, float_data(8 * 3 * 3 * 3, 3));
    add_constant(m, sg, "conv/bias", TensorType::FLOAT32, {8}, float_data(8, 4));
  }
  add_tensor(sg, "features", TensorType::FLOAT32, {1, 6, 6, 8});
  tfl::Conv2DOptionsT options;
  options.padding = tfl::Padding::VALID;
  options.stride_w = 1;
  options.stride_h = 1;
  add_op(sg, BuiltinOp::CONV_2D, {Conv::kInput, Conv::kFilter, Conv::kBias}, {Conv::kOutput},
         format::make_options(options));
  sg.inputs = {Conv::kInput};
  sg.outputs = {Conv::kOutput};
  return m;
}

Model while_model() {
  Model m = empty_model(3);
  {
    Subgraph& main = m.subgraphs[0];
    main.name = "main";
    add_tensor(main, "i", TensorType::INT32, {});
    add_tensor(main, "result", TensorType::INT32, {});
    tfl::WhileOptionsT options;
    options.cond_subgraph_index = 1;
    options.body_subgraph_index = 2;
    add_op(main, BuiltinOp::WHILE, {0}, {1}, format::make_options(options));
    main.inputs = {0};
    main.outputs = {1};
  }
  {
    Subgraph& cond = m.subgraphs[1];
    cond.name = "cond";
    add_tensor(cond, "i", TensorType::INT32, {});
    const int32_t limit[] = {10};
    add_constant(m, cond, "limit", TensorType::INT32, {}, int32_data(limit));
    add_tensor(cond, "keep_going", TensorType::BOOL, {});
    add_op(cond, BuiltinOp::LESS, {0, 1}, {2}, format::make_options(tfl::LessOptionsT{}));
    cond.inputs = {0};
    cond.outputs = {2};
  }
  {
    Subgraph& body = m.subgraphs[2];
    body.name = "body";
    add_tensor(body, "i", TensorType::INT32, {});
    const int32_t one[] = {1};
    add_constant(m, body, "one", TensorType::INT32, {}, int32_data(one));
    add_tensor(body, "next", TensorType::INT32, {});
    add_op(body, BuiltinOp::ADD, {0, 1}, {2}, format::make_options(tfl::AddOptionsT{}));
    body.inputs = {0};
    body.outputs = {2};
  }
  return m;
}

Model if_model() {
  Model m = empty_model(3);
  {
    Subgraph& main = m.subgraphs[0];
    main.name = "main";
    add_tensor(main, "pred", TensorType::BOOL, {});
    add_tensor(main, "x", TensorType::FLOAT32, {4});
    add_tensor(main, "y", TensorType::FLOAT32, {4});
    tfl::IfOptionsT options;
    options.then_subgraph_index = 1;
    options.else_subgraph_index = 2;
    add_op(main, BuiltinOp::IF, {0, 1}, {2}, format::make_options(options));
    main.inputs = {0, 1};
    main.outputs = {2};
  }
  const std::pair<const char*, BuiltinOp> branches[] = {{"then", BuiltinOp::RELU}, {"else", BuiltinOp::NEG}};
  for (size_t b = 0; b < 2; ++b) {
    Subgraph& sg = m.subgraphs[b + 1];
    sg.name = branches[b].first;
    add_tensor(sg, "x", TensorType::FLOAT32, {4});
    add_tensor(sg, "y", TensorType::FLOAT32, {4});
    add_op(sg, branches[b].second, {0}, {1},
           branches[b].second == BuiltinOp::NEG ? format::make_options(tfl::NegOptionsT{})
                                                : format::OpOptions{});
    sg.inputs = {0};
    sg.outputs = {1};
  }
  return m;
}

Model fc_chain_model(int32_t layers, int32_t width) {
  Model m = empty_model(1);
  Subgraph& sg = m.subgraphs[0];
  sg.name = "main";
  int32_t current = add_tensor(sg, "x", TensorType::FLOAT32, {1, width});
  sg.inputs = {current};
  const auto w = static_cast<size_t>(width);
  for (int32_t l = 0; l < layers; ++l) {
    const std::string prefix = "layer" + std::to_string(l);
    const auto seed = static_cast<uint32_t>(l) * 2 + 1;
    const int32_t weights = add_constant(m, sg, prefix + "/weights", TensorType::FLOAT32, {width, width},
                                         float_data(w * w, seed));
    const int32_t bias =
        add_constant(m, sg, prefix + "/bias", TensorType::FLOAT32, {width}, float_data(w, seed + 1));
    const int32_t out =
        add_tensor(sg, l + 1 == layers ? std::string("y") : prefix + "/out", TensorType::FLOAT32, {1, width});
    tfl::FullyConnectedOptionsT options;
    options.fused_activation_function = tfl::ActivationFunctionType::RELU;
    add_op(sg, BuiltinOp::FULLY_CONNECTED, {current, weights, bias}, {out}, format::make_options(options));
    current = out;
  }
  sg.outputs = {current};
  return m;
}

format::Model branchy_chain_model(int blocks) {
  format::Model model;
  model.buffers.emplace_back();
  model.subgraphs.emplace_back();
  auto& sg = model.subgraphs.back();
  sg.name = "main";
  const auto weights =
      add_constant(model, sg, "W", format::TensorType::FLOAT32, {16, 3, 3, 16}, float_data(16 * 3 * 3 * 16));
  const auto bias = add_constant(model, sg, "B", format::TensorType::FLOAT32, {16}, float_data(16));
  const std::vector<int32_t> shape = {1, 8, 8, 16};
  int32_t x = add_tensor(sg, "input", format::TensorType::FLOAT32, shape);
  sg.inputs = {x};
  for (int i = 0; i < blocks; ++i) {
    const std::string p = "block" + std::to_string(i) + "/";
    const auto a = add_tensor(sg, p + "conv", format::TensorType::FLOAT32, shape);
    const auto b = add_tensor(sg, p + "dwconv", format::TensorType::FLOAT32, shape);
    const auto c = add_tensor(sg, p + "add", format::TensorType::FLOAT32, shape);
    const auto d = add_tensor(sg, p + "sigmoid", format::TensorType::FLOAT32, shape);
    const auto y = add_tensor(sg, p + "concat", format::TensorType::FLOAT32, {1, 8, 8, 32});
    add_op(sg, format::BuiltinOp::CONV_2D, {x, weights, bias}, {a});
    add_op(sg, format::BuiltinOp::DEPTHWISE_CONV_2D, {x, weights, bias}, {b});
    add_op(sg, format::BuiltinOp::ADD, {a, b}, {c});
    add_op(sg, format::BuiltinOp::LOGISTIC, {c}, {d});
    add_op(sg, format::BuiltinOp::CONCATENATION, {d, x}, {y});
    x = y;
  }
  sg.outputs = {x};
  return model;
}

}  // namespace qs::test
