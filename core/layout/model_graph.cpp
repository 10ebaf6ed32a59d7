#include "layout/model_graph.h"

#include <algorithm>

#include "format/tensor_type.h"

namespace qs::layout {
namespace {

constexpr uint32_t kNone = 0xFFFFFFFFu;

// Label metrics (scene units), tuned for a ~12 px monospace-ish UI font.
constexpr double kCharWidth = 8;
constexpr double kLineHeight = 18;
constexpr double kPaddingX = 10;
constexpr double kPaddingY = 6;
constexpr double kMinWidth = 48;
// Longer tensor names are cut from the left: TF scopes put the specific part
// ("conv2d_7/BiasAdd") at the end.
constexpr size_t kMaxTitleChars = 36;
// An LSTM has 20 constant inputs; past this many the node says "+N".
constexpr size_t kMaxConstantLines = 6;

class Builder {
 public:
  Builder(const format::Model& model, const format::Subgraph& sg, ModelGraph& out)
      : model_(model), sg_(sg), out_(out), producer_(sg.tensors.size(), kNone) {}

  void build() {
    for (const auto t : sg_.inputs) {
      if (!valid(t)) continue;
      const auto node = add_tensor_node(ModelNodeKind::Input, t);
      if (producer_[t] == kNone) producer_[t] = node;
    }
    add_state_nodes();
    out_.op_nodes.reserve(sg_.operators.size());
    for (uint32_t op = 0; op < sg_.operators.size(); ++op) {
      out_.op_nodes.push_back(static_cast<uint32_t>(out_.nodes.size()));
      out_.nodes.push_back({ModelNodeKind::Op, op, {}, {}, {}});
      for (const auto t : sg_.operators[op].outputs) {
        if (valid(t) && producer_[t] == kNone) producer_[t] = out_.op_nodes.back();
      }
    }
    for (uint32_t op = 0; op < sg_.operators.size(); ++op) connect_op_inputs(op);
    connect_outputs();
    for (auto& node : out_.nodes) {
      if (node.kind == ModelNodeKind::Op) node.label = op_label(node);
      node.size = label_size(node.label);
    }
  }

 private:
  bool valid(int32_t t) const { return t >= 0 && static_cast<size_t>(t) < sg_.tensors.size(); }

  // Data with no op producing it and not fed in from outside: a weight.
  // Variables are state even when they carry an initial value.
  bool is_constant(uint32_t t) const {
    const auto& tensor = sg_.tensors[t];
    return producer_[t] == kNone && !tensor.is_variable && !model_.tensor_data(tensor).empty();
  }

  uint32_t add_tensor_node(ModelNodeKind kind, uint32_t t) {
    out_.nodes.push_back({kind, t, {}, tensor_label(t), {}});
    return static_cast<uint32_t>(out_.nodes.size() - 1);
  }

  // Runs before op outputs are known as producers, so it marks them first.
  void add_state_nodes() {
    std::vector<uint8_t> produced(sg_.tensors.size(), 0);
    for (const auto& op : sg_.operators) {
      for (const auto t : op.outputs) {
        if (valid(t)) produced[t] = 1;
      }
    }
    const auto needs_state = [&](int32_t t) {
      if (!valid(t) || produced[t] || producer_[t] != kNone) return false;
      return !is_constant(static_cast<uint32_t>(t));
    };
    for (const auto& op : sg_.operators) {
      for (const auto t : op.inputs) {
        if (needs_state(t)) producer_[t] = add_tensor_node(ModelNodeKind::State, t);
      }
    }
    for (const auto t : sg_.outputs) {
      if (needs_state(t)) producer_[t] = add_tensor_node(ModelNodeKind::State, t);
    }
  }

  void connect_op_inputs(uint32_t op) {
    const auto node = out_.op_nodes[op];
    const auto& inputs = sg_.operators[op].inputs;
    for (uint32_t slot = 0; slot < inputs.size(); ++slot) {
      const auto t = inputs[slot];
      if (!valid(t)) continue;  // -1: an omitted optional input
      if (producer_[t] == kNone) {
        out_.nodes[node].constants.push_back({static_cast<uint32_t>(t), slot});
      } else {
        out_.edges.push_back({producer_[t], node, static_cast<uint32_t>(t), slot});
      }
    }
  }

  void connect_outputs() {
    for (uint32_t slot = 0; slot < sg_.outputs.size(); ++slot) {
      const auto t = sg_.outputs[slot];
      if (!valid(t)) continue;
      const auto node = add_tensor_node(ModelNodeKind::Output, t);
      // A constant output has no producer: the node stands alone.
      if (producer_[t] != kNone) out_.edges.push_back({producer_[t], node, static_cast<uint32_t>(t), slot});
    }
  }

  std::string type_and_shape(uint32_t t) const {
    const auto& tensor = sg_.tensors[t];
    return format::type_name(tensor.type) + " " + format::shape_string(tensor.shape);
  }

  std::vector<std::string> tensor_label(uint32_t t) const {
    auto name = sg_.tensors[t].name;
    if (name.empty()) name = "tensor " + std::to_string(t);
    if (name.size() > kMaxTitleChars) name = "..." + name.substr(name.size() - (kMaxTitleChars - 3));
    return {name, type_and_shape(t)};
  }

  std::vector<std::string> op_label(const ModelNode& node) const {
    const auto& code = sg_.operators[node.index].code;
    std::vector<std::string> lines;
    if (code.builtin == format::BuiltinOp::CUSTOM && !code.custom_code.empty()) {
      lines.push_back(code.custom_code);
    } else {
      lines.push_back(format::op_name(code.builtin));
    }
    const auto shown =
        node.constants.size() > kMaxConstantLines ? kMaxConstantLines - 1 : node.constants.size();
    for (size_t i = 0; i < shown; ++i) {
      const auto& c = node.constants[i];
      lines.push_back("#" + std::to_string(c.slot) + " " + type_and_shape(c.tensor));
    }
    if (shown < node.constants.size()) {
      lines.push_back("+" + std::to_string(node.constants.size() - shown) + " constants");
    }
    return lines;
  }

  const format::Model& model_;
  const format::Subgraph& sg_;
  ModelGraph& out_;
  std::vector<uint32_t> producer_;  // node producing each tensor
};

}  // namespace

ModelGraph build_model_graph(const format::Model& model, uint32_t subgraph) {
  ModelGraph out;
  out.subgraph = subgraph;
  if (subgraph >= model.subgraphs.size()) return out;
  Builder(model, model.subgraphs[subgraph], out).build();
  return out;
}

Size label_size(const std::vector<std::string>& label) {
  size_t chars = 0;
  for (const auto& line : label) chars = std::max(chars, line.size());
  const auto lines = std::max<size_t>(label.size(), 1);
  return {std::max(kMinWidth, 2 * kPaddingX + kCharWidth * static_cast<double>(chars)),
          2 * kPaddingY + kLineHeight * static_cast<double>(lines)};
}

Layout layout_model_graph(const ModelGraph& graph, const LayoutOptions& options) {
  Graph g;
  g.nodes.reserve(graph.nodes.size());
  g.edges.reserve(graph.edges.size());
  for (const auto& node : graph.nodes) g.add_node(node.size);
  for (const auto& edge : graph.edges) g.add_edge(edge.from, edge.to);
  return compute_layered_layout(g, options);
}

}  // namespace qs::layout
