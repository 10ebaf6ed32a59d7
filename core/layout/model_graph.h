#pragma once
// What the graph view draws for one subgraph of a model, and its layout.
//
// Nodes are the operators plus the subgraph's inputs and outputs. Constant
// tensors (weights, biases, shapes) are not nodes: each is listed on the op
// that reads it, which keeps a 30-layer CNN a 30-node chain instead of a
// 90-node comb. Edges are the non-constant tensors, from the node that
// produces one to every node that reads it.

#include <cstdint>
#include <string>
#include <vector>

#include "format/model.h"
#include "layout/graph.h"
#include "layout/layered_layout.h"

namespace qs::layout {

enum class ModelNodeKind : uint8_t {
  Op,      // an operator; `index` is its position in the subgraph's operators
  Input,   // a subgraph input; `index` is the tensor
  Output,  // a subgraph output; `index` is the tensor
  // A tensor read by ops but produced by none and neither an input nor a
  // constant (variables such as LSTM state, or a dangling reference);
  // `index` is the tensor. Drawn like a small input so no edge dangles.
  State,
};

// A constant input of an op, folded into the op's node.
struct FoldedConstant {
  uint32_t tensor = 0;
  uint32_t slot = 0;  // position in the op's inputs
};

struct ModelNode {
  ModelNodeKind kind = ModelNodeKind::Op;
  uint32_t index = 0;
  std::vector<FoldedConstant> constants;  // Op nodes only, in slot order
  // Suggested text, one string per line: a title (op name, or the tensor's
  // name shortened from the left), then details ("#1 INT8 [8,3,3,3]" per
  // folded constant, "+N constants" past a few; type and shape for tensors).
  std::vector<std::string> label;
  // Box for the label (label_size); the view may overwrite it with its own
  // font metrics before calling layout_model_graph.
  Size size;
};

struct ModelEdge {
  uint32_t from = 0;    // node producing the tensor
  uint32_t to = 0;      // node reading it
  uint32_t tensor = 0;  // tensor index in the subgraph
  // Where `to` reads it: position in the op's inputs, or in the subgraph's
  // outputs for an Output node. An op reading a tensor twice gets two edges.
  uint32_t slot = 0;
};

struct ModelGraph {
  uint32_t subgraph = 0;
  // Order: inputs (subgraph input order), state tensors (order of first
  // use), operators (execution order), outputs (subgraph output order).
  std::vector<ModelNode> nodes;
  std::vector<ModelEdge> edges;    // by consumer: op inputs in order, then outputs
  std::vector<uint32_t> op_nodes;  // node of operator i
};

// The drawable graph of model.subgraphs[subgraph]. An out-of-range subgraph
// gives an empty graph; out-of-range tensor indices (possible only in a
// hand-edited Model, never in one read from a verified file) are skipped.
ModelGraph build_model_graph(const format::Model& model, uint32_t subgraph);

// Scene-unit box for label lines: about 8 units per character and 18 per
// line, plus padding.
Size label_size(const std::vector<std::string>& label);

// Lays out `graph` with node i of the layout = graph.nodes[i] (at its
// `size`) and edge i = graph.edges[i].
Layout layout_model_graph(const ModelGraph& graph, const LayoutOptions& options = {});

}  // namespace qs::layout
