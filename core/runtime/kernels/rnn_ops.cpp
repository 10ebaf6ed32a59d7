#include "runtime/kernels/rnn_ops.h"

#include <algorithm>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "runtime/kernels/rnn_checks.h"
#include "runtime/kernels/rnn_math.h"

// One step of the basic RNN cell, per batch row (TFLite's
// kernel_utils::RnnBatchStep):
//   h' = act(W·x + W_aux·aux + R·h + b)
// h' is both the step's output and the new hidden state.

namespace qs::runtime::kernels {
namespace {

using recurrent::ConstRows;
using recurrent::float_data;
using recurrent::mutable_float_data;
using recurrent::Rows;

// Where one cell's tensors sit among the op's inputs; -1: the op has none.
struct CellPositions {
  int weights = -1;
  int recurrent_weights = -1;
  int bias = -1;
  int hidden_state = -1;
  int aux_weights = -1;
  std::string label;  // "" or "forward " / "backward ", for messages
};

// RNN and UNIDIRECTIONAL_SEQUENCE_RNN.
constexpr int kInputTensor = 0;
const CellPositions kSingleCell{1, 2, 3, 4, -1, ""};

// BIDIRECTIONAL_SEQUENCE_RNN: the auxiliary input and its weights are
// optional (see plan_bidirectional).
const CellPositions kForwardCell{1, 2, 3, 4, -1, "forward "};
const CellPositions kBackwardCell{5, 6, 7, 8, -1, "backward "};
constexpr int kAuxInputTensor = 9;
constexpr int kFwAuxWeightsTensor = 10;
constexpr int kBwAuxWeightsTensor = 11;

struct Cell {
  CellPositions positions;
  int n_input = 0;
  int n_aux = 0;
  int n_units = 0;
  recurrent::SequenceLayout sequence;
  bool forward = true;
  int input = kInputTensor;  // the op input the cell reads
  int aux = -1;              // its auxiliary input; -1 for none
  int output = 0;
  int output_width = 0;
  int output_offset = 0;
};

// Checks one cell's tensors; returns its number of units.
Result<int> check_cell(const OpContext& ctx, const CellPositions& p, int n_batch, int n_input, int n_aux) {
  auto weights = recurrent::float_input_of_rank(ctx, p.weights, p.label + "input weights", 2);
  if (!weights) return tl::unexpected(weights.error());
  const int units = (*weights)->dim(0);
  if (auto s = recurrent::expect_float_shape(ctx, p.weights, p.label + "input weights", **weights,
                                             {units, n_input});
      !s) {
    return tl::unexpected(s.error());
  }
  if (auto t = recurrent::required_float_input(ctx, p.recurrent_weights, p.label + "recurrent weights",
                                               {units, units});
      !t) {
    return tl::unexpected(t.error());
  }
  if (auto t = recurrent::required_float_input(ctx, p.bias, p.label + "bias", {units}); !t) {
    return tl::unexpected(t.error());
  }
  if (p.aux_weights >= 0) {
    if (auto t = recurrent::required_float_input(ctx, p.aux_weights, p.label + "aux-input weights",
                                                 {units, n_aux});
        !t) {
      return tl::unexpected(t.error());
    }
  }
  if (auto t = recurrent::float_state_input(ctx, p.hidden_state, p.label + "hidden state", {n_batch, units});
      !t) {
    return tl::unexpected(t.error());
  }
  return units;
}

struct Options {
  tfl::ActivationFunctionType activation = tfl::ActivationFunctionType::NONE;
  bool time_major = false;
  bool merge_outputs = false;
};

Result<std::vector<Cell>> plan_rnn(OpContext& ctx, const Options&) {
  auto input = recurrent::float_input_of_rank(ctx, kInputTensor, "input", 2);
  if (!input) return tl::unexpected(input.error());
  Cell c;
  c.positions = kSingleCell;
  c.n_input = (*input)->dim(1);
  c.sequence = {1, (*input)->dim(0), true};
  auto units = check_cell(ctx, c.positions, c.sequence.n_batch, c.n_input, 0);
  if (!units) return tl::unexpected(units.error());
  c.n_units = c.output_width = *units;
  ctx.set_output_shape(0, {c.sequence.n_batch, c.n_units});
  return std::vector<Cell>{std::move(c)};
}

recurrent::SequenceLayout sequence_of(const Tensor& input, bool time_major) {
  return {time_major ? input.dim(0) : input.dim(1), time_major ? input.dim(1) : input.dim(0), time_major};
}

Result<std::vector<Cell>> plan_unidirectional(OpContext& ctx, const Options& o) {
  auto input = recurrent::float_input_of_rank(ctx, kInputTensor, "input", 3);
  if (!input) return tl::unexpected(input.error());
  Cell c;
  c.positions = kSingleCell;
  c.n_input = (*input)->dim(2);
  c.sequence = sequence_of(**input, o.time_major);
  auto units = check_cell(ctx, c.positions, c.sequence.n_batch, c.n_input, 0);
  if (!units) return tl::unexpected(units.error());
  c.n_units = c.output_width = *units;
  Shape out = (*input)->shape;
  out[2] = c.n_units;
  ctx.set_output_shape(0, std::move(out));
  return std::vector<Cell>{std::move(c)};
}

// As in BIDIRECTIONAL_SEQUENCE_LSTM (TFLite's bidirectional_sequence_rnn.cc):
// with auxiliary weights the auxiliary input feeds both cells; without them
// it replaces the backward cell's input.
Result<std::vector<Cell>> plan_bidirectional(OpContext& ctx, const Options& o) {
  auto input = recurrent::float_input_of_rank(ctx, kInputTensor, "input", 3);
  if (!input) return tl::unexpected(input.error());
  const Tensor& in = **input;
  const bool fw_aux = ctx.input(kFwAuxWeightsTensor) != nullptr;
  const bool bw_aux = ctx.input(kBwAuxWeightsTensor) != nullptr;
  if (fw_aux != bw_aux) {
    return ctx.error(cat("the auxiliary weights (inputs ", kFwAuxWeightsTensor, " and ", kBwAuxWeightsTensor,
                         ") must be both present or both absent"));
  }
  std::vector<Cell> cells(2);
  cells[0].positions = kForwardCell;
  cells[1].positions = kBackwardCell;
  int n_aux = 0;
  if (fw_aux || ctx.input(kAuxInputTensor) != nullptr) {
    auto aux = recurrent::float_input_of_rank(ctx, kAuxInputTensor, "auxiliary input", 3);
    if (!aux) return tl::unexpected(aux.error());
    const Tensor& a = **aux;
    const bool usable = fw_aux ? a.dim(0) == in.dim(0) && a.dim(1) == in.dim(1) : a.shape == in.shape;
    if (!usable) {
      return ctx.error(cat(recurrent::input_label(kAuxInputTensor, "auxiliary input"), " has shape ",
                           format::shape_string(a.shape), ", which does not fit the input's ",
                           format::shape_string(in.shape)));
    }
    if (fw_aux) {
      n_aux = a.dim(2);
      cells[0].positions.aux_weights = kFwAuxWeightsTensor;
      cells[1].positions.aux_weights = kBwAuxWeightsTensor;
      cells[0].aux = cells[1].aux = kAuxInputTensor;
    } else {
      cells[1].input = kAuxInputTensor;
    }
  }
  for (Cell& c : cells) {
    c.n_input = in.dim(2);
    c.n_aux = n_aux;
    c.sequence = sequence_of(in, o.time_major);
    auto units = check_cell(ctx, c.positions, c.sequence.n_batch, c.n_input, n_aux);
    if (!units) return tl::unexpected(units.error());
    c.n_units = c.output_width = *units;
  }
  cells[1].forward = false;
  if (o.merge_outputs) {
    cells[0].output_width = cells[1].output_width = cells[0].n_units + cells[1].n_units;
    cells[1].output_offset = cells[0].n_units;
  } else {
    cells[1].output = 1;
  }
  for (int i = 0; i < ctx.output_count(); ++i) {
    const Cell& c = cells[static_cast<size_t>(i)];
    ctx.set_output_shape(i, o.time_major ? Shape{c.sequence.max_time, c.sequence.n_batch, c.output_width}
                                         : Shape{c.sequence.n_batch, c.sequence.max_time, c.output_width});
  }
  return cells;
}

// h' = act(W·x + W_aux·aux + R·h + b) for the batch rows of one time step.
void rnn_step(const OpContext& ctx, const Cell& c, tfl::ActivationFunctionType activation, bool plain,
              ConstRows input, ConstRows aux, float* hidden, Rows output, std::vector<float>& scratch) {
  const int n_batch = input.count;
  const float* bias = float_data(ctx.input(c.positions.bias));
  scratch.resize(static_cast<size_t>(n_batch) * static_cast<size_t>(c.n_units));
  for (int b = 0; b < n_batch; ++b)
    std::copy_n(bias, c.n_units, scratch.data() + static_cast<int64_t>(b) * c.n_units);
  recurrent::accumulate_product(float_data(ctx.input(c.positions.weights)), c.n_units, c.n_input, input,
                                scratch.data(), plain);
  if (aux.data != nullptr) {
    recurrent::accumulate_product(float_data(ctx.input(c.positions.aux_weights)), c.n_units, c.n_aux, aux,
                                  scratch.data(), plain);
  }
  recurrent::accumulate_product(float_data(ctx.input(c.positions.recurrent_weights)), c.n_units, c.n_units,
                                {hidden, n_batch, c.n_units}, scratch.data(), plain);
  recurrent::apply_activation(scratch.data(), static_cast<int64_t>(scratch.size()), activation, plain);
  std::copy(scratch.begin(), scratch.end(), hidden);
  for (int b = 0; b < n_batch; ++b) {
    std::copy_n(scratch.data() + static_cast<int64_t>(b) * c.n_units, c.n_units,
                output.data + b * output.stride);
  }
}

using Planner = Result<std::vector<Cell>> (*)(OpContext&, const Options&);

// Reads RNNOptions, SequenceRNNOptions or BidirectionalSequenceRNNOptions.
template <class T>
Options read_options(const OpContext& ctx) {
  const auto& o = options_or_default<T>(ctx);
  Options out;
  out.activation = o.fused_activation_function;
  if constexpr (!std::is_same_v<T, tfl::RNNOptionsT>) out.time_major = o.time_major;
  if constexpr (std::is_same_v<T, tfl::BidirectionalSequenceRNNOptionsT>) out.merge_outputs = o.merge_outputs;
  return out;
}

// What differs between the three ops.
struct OpSpec {
  Options (*options)(const OpContext&);
  Planner planner;
  int inputs;
  int outputs;  // without merged outputs
};

class RnnKernel final : public Kernel {
 public:
  RnnKernel(OpSpec spec, bool plain) : spec_(spec), plain_(plain) {}

  Status prepare(OpContext& ctx) override {
    opts_ = spec_.options(ctx);
    if (auto s = recurrent::expect_known_activation(ctx, opts_.activation); !s) return s;
    if (auto s = recurrent::expect_input_count(ctx, {spec_.inputs}); !s) return s;
    if (auto s = recurrent::expect_output_count(ctx, opts_.merge_outputs ? 1 : spec_.outputs); !s) return s;
    for (int i = 0; i < ctx.output_count(); ++i) {
      if (auto s = recurrent::expect_float_output(ctx, i); !s) return s;
    }
    auto plan = spec_.planner(ctx, opts_);
    if (!plan) return tl::unexpected(plan.error());
    cells_ = std::move(*plan);
    return {};
  }

  Status eval(OpContext& ctx) override {
    for (const Cell& c : cells_) {
      const float* input = float_data(ctx.input(c.input));
      const float* aux = c.aux >= 0 ? float_data(ctx.input(c.aux)) : nullptr;
      float* output = mutable_float_data(&ctx.output(c.output));
      float* hidden = mutable_float_data(ctx.state_input(c.positions.hidden_state));
      for (int k = 0; k < c.sequence.max_time; ++k) {
        const int t = c.forward ? k : c.sequence.max_time - 1 - k;
        const ConstRows x = recurrent::time_step(c.sequence, input, c.n_input, t);
        const ConstRows a = aux != nullptr ? recurrent::time_step(c.sequence, aux, c.n_aux, t) : ConstRows{};
        const Rows out = recurrent::time_step(c.sequence, output, c.output_width, t, c.output_offset);
        rnn_step(ctx, c, opts_.activation, plain_, x, a, hidden, out, scratch_);
      }
    }
    return {};
  }

 private:
  OpSpec spec_;
  bool plain_;
  Options opts_;
  std::vector<Cell> cells_;
  std::vector<float> scratch_;
};

void add_both_flavours(KernelRegistry& registry, format::BuiltinOp op, OpSpec spec) {
  registry.add(op, Domain::kPlain, Flavor::kFast,
               [spec] { return std::make_unique<RnnKernel>(spec, false); });
  registry.add(op, Domain::kPlain, Flavor::kReference,
               [spec] { return std::make_unique<RnnKernel>(spec, true); });
}

}  // namespace

void register_rnn_ops(KernelRegistry& registry) {
  add_both_flavours(registry, format::BuiltinOp::RNN, {read_options<tfl::RNNOptionsT>, plan_rnn, 5, 1});
  add_both_flavours(registry, format::BuiltinOp::UNIDIRECTIONAL_SEQUENCE_RNN,
                    {read_options<tfl::SequenceRNNOptionsT>, plan_unidirectional, 5, 1});
  add_both_flavours(registry, format::BuiltinOp::BIDIRECTIONAL_SEQUENCE_RNN,
                    {read_options<tfl::BidirectionalSequenceRNNOptionsT>, plan_bidirectional, 12, 2});
}

}  // namespace qs::runtime::kernels
