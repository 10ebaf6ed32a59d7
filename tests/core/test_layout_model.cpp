// Model subgraphs as drawable graphs: what becomes a node, what is folded,
// what becomes an edge; and the layout invariants on every subgraph of every
// model in the corpus.

#include <gtest/gtest.h>

#include <map>

#include "format/model_file.h"
#include "layout/layout_check.h"
#include "layout/model_graph.h"
#include "support/corpus.h"

namespace qs::layout {
namespace {

using format::BuiltinOp;
using format::TensorType;

format::Model open_model(const std::string& name) {
  auto file = format::ModelFile::open(test::corpus_model(name));
  EXPECT_TRUE(file.has_value()) << (file ? "" : file.error().message);
  return file ? file->to_model() : format::Model{};
}

std::map<ModelNodeKind, size_t> count_kinds(const ModelGraph& graph) {
  std::map<ModelNodeKind, size_t> counts;
  for (const auto& node : graph.nodes) ++counts[node.kind];
  return counts;
}

Graph as_graph(const ModelGraph& graph) {
  Graph g;
  for (const auto& node : graph.nodes) g.add_node(node.size);
  for (const auto& edge : graph.edges) g.add_edge(edge.from, edge.to);
  return g;
}

void expect_valid_layout(const ModelGraph& graph, const Layout& layout, const std::string& where) {
  const auto status = check_layout(as_graph(graph), layout);
  EXPECT_TRUE(status.has_value()) << where << ": " << (status ? "" : status.error().message);
}

// Every valid input slot of every op is accounted for exactly once: as an
// edge into the op or as a folded constant; every edge carries a tensor its
// source really produces.
void expect_consistent(const format::Model& model, const ModelGraph& graph, const std::string& where) {
  const auto& sg = model.subgraphs[graph.subgraph];
  ASSERT_EQ(graph.op_nodes.size(), sg.operators.size()) << where;
  std::vector<size_t> edges_into(graph.nodes.size(), 0);
  for (const auto& edge : graph.edges) {
    ASSERT_LT(edge.from, graph.nodes.size()) << where;
    ASSERT_LT(edge.to, graph.nodes.size()) << where;
    ++edges_into[edge.to];
    const auto& source = graph.nodes[edge.from];
    const auto& target = graph.nodes[edge.to];
    if (source.kind == ModelNodeKind::Op) {
      const auto& outputs = sg.operators[source.index].outputs;
      EXPECT_NE(std::find(outputs.begin(), outputs.end(), static_cast<int32_t>(edge.tensor)), outputs.end())
          << where;
    } else {
      EXPECT_EQ(source.index, edge.tensor) << where;
    }
    if (target.kind == ModelNodeKind::Op) {
      EXPECT_EQ(sg.operators[target.index].inputs.at(edge.slot), static_cast<int32_t>(edge.tensor)) << where;
    } else {
      ASSERT_EQ(target.kind, ModelNodeKind::Output) << where;
      EXPECT_EQ(sg.outputs.at(edge.slot), static_cast<int32_t>(edge.tensor)) << where;
    }
  }
  for (uint32_t op = 0; op < sg.operators.size(); ++op) {
    const auto& node = graph.nodes[graph.op_nodes[op]];
    EXPECT_EQ(node.kind, ModelNodeKind::Op) << where;
    EXPECT_EQ(node.index, op) << where;
    size_t present = 0;
    for (const auto t : sg.operators[op].inputs) present += t >= 0 ? 1 : 0;
    EXPECT_EQ(edges_into[graph.op_nodes[op]] + node.constants.size(), present) << where << " op " << op;
    for (const auto& c : node.constants) {
      EXPECT_FALSE(model.tensor_data(sg.tensors[c.tensor]).empty()) << where << " op " << op;
    }
  }
  for (const auto& node : graph.nodes) {
    EXPECT_FALSE(node.label.empty()) << where;
    EXPECT_GT(node.size.width, 0) << where;
    EXPECT_GT(node.size.height, 0) << where;
    if (node.kind == ModelNodeKind::Output) {
      EXPECT_LE(edges_into[static_cast<size_t>(&node - graph.nodes.data())], 1u) << where;
    }
  }
}

// A hand-made subgraph with every kind of node:
//   x (input) ---------------------------------> ADD -> y (output)
//   w (constant) -> FULLY_CONNECTED(x, w, -1) ----^
//   state (variable) -> MUL(fc, state) -> z (output)
format::Model every_kind_model() {
  format::Model model;
  model.buffers.resize(2);
  model.buffers[1].data = format::Bytes::own(std::vector<uint8_t>(16, 1));
  format::Subgraph sg;
  const auto tensor = [&](std::string name, uint32_t buffer = 0, bool variable = false) {
    format::Tensor t;
    t.name = std::move(name);
    t.shape = {1, 4};
    t.buffer = buffer;
    t.is_variable = variable;
    sg.tensors.push_back(std::move(t));
    return static_cast<int32_t>(sg.tensors.size() - 1);
  };
  const auto x = tensor("x");
  const auto w = tensor("w", 1);
  const auto fc = tensor("fc");
  const auto y = tensor("y");
  const auto state = tensor("state", 0, true);
  const auto z = tensor("z");
  const auto op = [&](BuiltinOp code, std::vector<int32_t> inputs, std::vector<int32_t> outputs) {
    format::Operator o;
    o.code.builtin = code;
    o.inputs = std::move(inputs);
    o.outputs = std::move(outputs);
    sg.operators.push_back(std::move(o));
  };
  op(BuiltinOp::FULLY_CONNECTED, {x, w, -1}, {fc});
  op(BuiltinOp::ADD, {x, fc}, {y});
  op(BuiltinOp::MUL, {fc, state}, {z});
  sg.inputs = {x};
  sg.outputs = {y, z};
  model.subgraphs.push_back(std::move(sg));
  return model;
}

TEST(ModelGraph, EveryKindOfNode) {
  const auto model = every_kind_model();
  const auto graph = build_model_graph(model, 0);
  expect_consistent(model, graph, "hand-made");
  // inputs, state, ops, outputs.
  ASSERT_EQ(graph.nodes.size(), 7u);
  EXPECT_EQ(graph.nodes[0].kind, ModelNodeKind::Input);
  EXPECT_EQ(graph.nodes[1].kind, ModelNodeKind::State);
  EXPECT_EQ(graph.nodes[1].index, 4u);
  EXPECT_EQ(graph.op_nodes, (std::vector<uint32_t>{2, 3, 4}));
  EXPECT_EQ(graph.nodes[5].kind, ModelNodeKind::Output);
  EXPECT_EQ(graph.nodes[6].kind, ModelNodeKind::Output);
  // The weight is folded at slot 1; the omitted bias is just absent.
  ASSERT_EQ(graph.nodes[2].constants.size(), 1u);
  EXPECT_EQ(graph.nodes[2].constants[0].tensor, 1u);
  EXPECT_EQ(graph.nodes[2].constants[0].slot, 1u);
  EXPECT_EQ(graph.nodes[2].label.at(0), "FULLY_CONNECTED");
  EXPECT_EQ(graph.nodes[2].label.at(1), "#1 FLOAT32 [1,4]");
  // x->FC, x->ADD, FC->ADD, FC->MUL, state->MUL, ADD->y, MUL->z.
  ASSERT_EQ(graph.edges.size(), 7u);
  EXPECT_EQ(graph.edges[0].from, 0u);
  EXPECT_EQ(graph.edges[0].to, 2u);
  EXPECT_EQ(graph.edges[4].from, 1u);
  EXPECT_EQ(graph.edges[4].tensor, 4u);
  EXPECT_EQ(graph.edges[4].slot, 1u);

  const auto layout = layout_model_graph(graph);
  expect_valid_layout(graph, layout, "hand-made");
  // The state tensor is pulled down next to its consumer, not left on top.
  EXPECT_EQ(layout.nodes[1].rank + 1, layout.nodes[4].rank);
}

TEST(ModelGraph, OutOfRangeSubgraphIsEmpty) {
  const auto model = every_kind_model();
  const auto graph = build_model_graph(model, 3);
  EXPECT_TRUE(graph.nodes.empty());
  EXPECT_TRUE(layout_model_graph(graph).nodes.empty());
}

TEST(ModelGraph, ManyConstantsAreSummarised) {
  auto model = every_kind_model();
  auto& fc = model.subgraphs[0].operators[0];
  for (int i = 0; i < 9; ++i) fc.inputs.push_back(1);  // the weight again and again
  const auto graph = build_model_graph(model, 0);
  const auto& node = graph.nodes[graph.op_nodes[0]];
  EXPECT_EQ(node.constants.size(), 10u);
  ASSERT_EQ(node.label.size(), 7u);  // title, five constants, "+5 constants"
  EXPECT_EQ(node.label.back(), "+5 constants");
  EXPECT_EQ(node.size, label_size(node.label));
}

TEST(ModelGraph, LabelSizeGrowsWithText) {
  const auto small = label_size({"ADD"});
  const auto wide = label_size({"DEPTHWISE_CONV_2D", "#1 UINT8 [1,3,3,8]"});
  EXPECT_GT(wide.width, small.width);
  EXPECT_GT(wide.height, small.height);
  EXPECT_DOUBLE_EQ(wide.height - small.height, 18);
}

TEST(ModelGraph, MobilenetIsAChainWithFoldedWeights) {
  QS_REQUIRE_CORPUS();
  const auto model = open_model("mobilenet_v1_0.25_128_quant.tflite");
  ASSERT_EQ(model.subgraphs.size(), 1u);
  const auto graph = build_model_graph(model, 0);
  expect_consistent(model, graph, "mobilenet");
  const auto kinds = count_kinds(graph);
  EXPECT_EQ(kinds.at(ModelNodeKind::Op), 31u);
  EXPECT_EQ(kinds.at(ModelNodeKind::Input), 1u);
  EXPECT_EQ(kinds.at(ModelNodeKind::Output), 1u);
  EXPECT_EQ(kinds.count(ModelNodeKind::State), 0u);
  // 28 convolutions with a filter and a bias, and RESHAPE's shape: the 57
  // constant tensors the catalog lists (UINT8:28, INT32:29).
  size_t folded = 0;
  for (const auto& node : graph.nodes) folded += node.constants.size();
  EXPECT_EQ(folded, 57u);
  EXPECT_EQ(graph.nodes[graph.op_nodes[0]].label.at(0), "CONV_2D");
  // One activation tensor between consecutive nodes: 32 edges in a chain.
  EXPECT_EQ(graph.edges.size(), 32u);

  const auto layout = layout_model_graph(graph);
  expect_valid_layout(graph, layout, "mobilenet");
  EXPECT_EQ(layout.rank_count, 33u);
  EXPECT_EQ(layout.crossings, 0u);
  // A chain is drawn straight: every node centred on one vertical line.
  const auto centre = [&](uint32_t v) { return layout.nodes[v].rect.x + layout.nodes[v].rect.width / 2; };
  for (uint32_t v = 1; v < graph.nodes.size(); ++v) EXPECT_NEAR(centre(v), centre(0), 1e-9);
}

TEST(ModelGraph, EverySubgraphOfWhileModels) {
  QS_REQUIRE_CORPUS();
  for (const auto* name : {"multi_subgraphs_while.bin", "nested_while.bin"}) {
    const auto model = open_model(name);
    ASSERT_GE(model.subgraphs.size(), 3u) << name;
    for (uint32_t s = 0; s < model.subgraphs.size(); ++s) {
      const auto where = std::string(name) + " subgraph " + std::to_string(s);
      const auto& sg = model.subgraphs[s];
      const auto graph = build_model_graph(model, s);
      expect_consistent(model, graph, where);
      auto kinds = count_kinds(graph);
      EXPECT_EQ(kinds[ModelNodeKind::Op], sg.operators.size()) << where;
      EXPECT_EQ(kinds[ModelNodeKind::Input], sg.inputs.size()) << where;
      EXPECT_EQ(kinds[ModelNodeKind::Output], sg.outputs.size()) << where;
      const auto layout = layout_model_graph(graph);
      expect_valid_layout(graph, layout, where);
    }
  }
  // The WHILE of the main graph is an op node like any other.
  const auto model = open_model("multi_subgraphs_while.bin");
  const auto main = build_model_graph(model, 0);
  bool has_while = false;
  for (const auto& node : main.nodes) {
    if (node.kind == ModelNodeKind::Op && !node.label.empty() && node.label[0] == "WHILE") has_while = true;
  }
  EXPECT_TRUE(has_while);
}

TEST(ModelGraph, WholeCorpusLaysOutCleanly) {
  QS_REQUIRE_CORPUS();
  size_t subgraphs = 0;
  for (const auto& path : test::corpus_models()) {
    auto file = format::ModelFile::open(path);
    if (!file) continue;  // deliberately broken files are other tests' business
    const auto model = file->to_model();
    for (uint32_t s = 0; s < model.subgraphs.size(); ++s) {
      const auto where = path.filename().string() + " subgraph " + std::to_string(s);
      const auto graph = build_model_graph(model, s);
      expect_consistent(model, graph, where);
      const auto layout = layout_model_graph(graph);
      expect_valid_layout(graph, layout, where);
      EXPECT_TRUE(layout == layout_model_graph(graph)) << where << ": not deterministic";
      ++subgraphs;
    }
  }
  EXPECT_GT(subgraphs, 150u);
}

}  // namespace
}  // namespace qs::layout
