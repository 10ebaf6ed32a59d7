#include "runtime/kernels/lstm_ops.h"

#include <array>
#include <memory>
#include <string>
#include <vector>

#include "runtime/kernels/lstm_cell.h"
#include "runtime/kernels/rnn_checks.h"

namespace qs::runtime::kernels {
namespace {

using lstm::Gate;
using recurrent::float_data;
using recurrent::mutable_float_data;

constexpr std::array<const char*, 4> kGateNames = {"input", "forget", "cell", "output"};
constexpr std::array<Gate, 4> kGates = {lstm::kInputGate, lstm::kForgetGate, lstm::kCellGate,
                                        lstm::kOutputGate};

// Input positions of LSTM and UNIDIRECTIONAL_SEQUENCE_LSTM (TFLite's
// lstm_shared.h): 1-4 input-to-gate weights, 5-8 recurrent-to-gate weights,
// 9-11 peepholes (cell-to-input/forget/output), 12-15 gate biases, 16-17
// projection weights and bias, 18-19 the states, 20-23 layer norm
// coefficients (24-input form only).
constexpr int kInputTensor = 0;
constexpr int kOutputStateTensor = 18;
constexpr int kCellStateTensor = 19;
constexpr int kLayerNormTensors = 20;

// BIDIRECTIONAL_SEQUENCE_LSTM: positions 1-17 for the forward cell, the same
// 17 again for the backward cell, then the four states, an auxiliary input
// and its weights (4 per direction).
constexpr int kBackwardShift = 17;
constexpr int kFwOutputStateTensor = 35;
constexpr int kFwCellStateTensor = 36;
constexpr int kBwOutputStateTensor = 37;
constexpr int kBwCellStateTensor = 38;
constexpr int kAuxInputTensor = 39;
constexpr int kFwAuxWeightsTensors = 40;
constexpr int kBwAuxWeightsTensors = 44;

// Where one cell's tensors sit among the op's inputs; -1: the op has none.
struct CellPositions {
  std::array<int, 4> input_weights{};
  std::array<int, 4> recurrent_weights{};
  std::array<int, 4> peephole{-1, -1, -1, -1};
  std::array<int, 4> bias{};
  std::array<int, 4> layer_norm{-1, -1, -1, -1};
  std::array<int, 4> aux_weights{-1, -1, -1, -1};
  int projection_weights = -1;
  int projection_bias = -1;
  int output_state = -1;
  int cell_state = -1;
  std::string label;  // "" or "forward " / "backward ", for messages
};

CellPositions cell_positions(int shift, int output_state, int cell_state, std::string label) {
  CellPositions p;
  for (Gate g : kGates) {
    p.input_weights[g] = shift + 1 + g;
    p.recurrent_weights[g] = shift + 5 + g;
    p.bias[g] = shift + 12 + g;
  }
  p.peephole = {shift + 9, shift + 10, -1, shift + 11};
  p.projection_weights = shift + 16;
  p.projection_bias = shift + 17;
  p.output_state = output_state;
  p.cell_state = cell_state;
  p.label = std::move(label);
  return p;
}

std::string gate_role(const CellPositions& p, const char* before, Gate g, const char* after) {
  return cat(p.label, before, kGateNames[g], after);
}

struct CellDims {
  int n_cell = 0;
  int n_output = 0;
};

Status check_gate_weights(const OpContext& ctx, const CellPositions& p, int n_input, const CellDims& d,
                          bool diagonal, bool& cifg) {
  for (Gate g : kGates) {
    const std::string input_role = gate_role(p, "input-to-", g, " weights");
    const std::string recurrent_role = gate_role(p, "recurrent-to-", g, " weights");
    auto w = g == lstm::kInputGate
                 ? recurrent::optional_float_input(ctx, p.input_weights[g], input_role, {d.n_cell, n_input})
                 : recurrent::required_float_input(ctx, p.input_weights[g], input_role, {d.n_cell, n_input});
    if (!w) return tl::unexpected(w.error());
    auto r = [&] {
      auto check = g == lstm::kInputGate ? recurrent::optional_float_input : recurrent::required_float_input;
      return diagonal ? check(ctx, p.recurrent_weights[g], recurrent_role, {d.n_cell})
                      : check(ctx, p.recurrent_weights[g], recurrent_role, {d.n_cell, d.n_output});
    }();
    if (!r) return tl::unexpected(r.error());
    if (g == lstm::kInputGate) {
      cifg = *w == nullptr;
      if (cifg != (*r == nullptr)) {
        return ctx.error(cat(recurrent::input_label(p.input_weights[g], input_role), " and ",
                             recurrent::input_label(p.recurrent_weights[g], recurrent_role),
                             " must be both present or both absent (CIFG)"));
      }
    }
  }
  return {};
}

Status check_peepholes(const OpContext& ctx, const CellPositions& p, const CellDims& d, bool cifg) {
  std::array<bool, 4> present{};
  for (Gate g : {lstm::kInputGate, lstm::kForgetGate, lstm::kOutputGate}) {
    auto t = recurrent::optional_float_input(ctx, p.peephole[g],
                                             gate_role(p, "cell-to-", g, " (peephole) weights"), {d.n_cell});
    if (!t) return tl::unexpected(t.error());
    present[g] = *t != nullptr;
  }
  const bool all =
      (present[lstm::kInputGate] || cifg) && present[lstm::kForgetGate] && present[lstm::kOutputGate];
  const bool none = !present[lstm::kInputGate] && !present[lstm::kForgetGate] && !present[lstm::kOutputGate];
  if (all || none) return {};
  return ctx.error(cat(p.label, "peephole weights (inputs ", p.peephole[lstm::kInputGate], ", ",
                       p.peephole[lstm::kForgetGate], ", ", p.peephole[lstm::kOutputGate],
                       ") must be all present or all absent"));
}

Status check_biases(const OpContext& ctx, const CellPositions& p, const CellDims& d, bool cifg) {
  for (Gate g : kGates) {
    const std::string role = gate_role(p, "", g, " gate bias");
    if (g == lstm::kInputGate && cifg) {
      if (ctx.input(p.bias[g]) != nullptr) {
        return ctx.error(cat(recurrent::input_label(p.bias[g], role), " must be absent in a CIFG cell"));
      }
      continue;
    }
    if (auto t = recurrent::required_float_input(ctx, p.bias[g], role, {d.n_cell}); !t) {
      return tl::unexpected(t.error());
    }
  }
  return {};
}

Status check_projection(const OpContext& ctx, const CellPositions& p, const CellDims& d) {
  auto weights = recurrent::optional_float_input(ctx, p.projection_weights, p.label + "projection weights",
                                                 {d.n_output, d.n_cell});
  if (!weights) return tl::unexpected(weights.error());
  auto bias =
      recurrent::optional_float_input(ctx, p.projection_bias, p.label + "projection bias", {d.n_output});
  if (!bias) return tl::unexpected(bias.error());
  if (*weights == nullptr && *bias != nullptr) {
    return ctx.error(cat(recurrent::input_label(p.projection_bias, p.label + "projection bias"),
                         " is given without projection weights"));
  }
  if (*weights == nullptr && d.n_output != d.n_cell) {
    return ctx.error(cat(p.label, "output size ", d.n_output,
                         " (from the recurrent weights) differs from the cell size ", d.n_cell,
                         " but there are no projection weights"));
  }
  return {};
}

Status check_layer_norm(const OpContext& ctx, const CellPositions& p, const CellDims& d, bool cifg) {
  for (Gate g : kGates) {
    if (p.layer_norm[g] < 0) continue;
    const std::string role = gate_role(p, "", g, " layer norm coefficients");
    if (g == lstm::kInputGate && cifg) {
      if (ctx.input(p.layer_norm[g]) != nullptr) {
        return ctx.error(
            cat(recurrent::input_label(p.layer_norm[g], role), " must be absent in a CIFG cell"));
      }
      continue;
    }
    if (auto t = recurrent::required_float_input(ctx, p.layer_norm[g], role, {d.n_cell}); !t) {
      return tl::unexpected(t.error());
    }
  }
  return {};
}

Status check_aux_weights(const OpContext& ctx, const CellPositions& p, const CellDims& d, int n_aux,
                         bool cifg) {
  for (Gate g : kGates) {
    if (p.aux_weights[g] < 0 || (g == lstm::kInputGate && cifg)) continue;
    auto t = recurrent::required_float_input(ctx, p.aux_weights[g],
                                             gate_role(p, "aux-input-to-", g, " weights"), {d.n_cell, n_aux});
    if (!t) return tl::unexpected(t.error());
  }
  return {};
}

// Checks every tensor of one cell against the input sizes; n_cell and
// n_output come from the output gate's weights, as in TFLite.
Result<CellDims> check_cell(const OpContext& ctx, const CellPositions& p, int n_batch, int n_input, int n_aux,
                            bool diagonal) {
  CellDims d;
  const int w_out = p.input_weights[lstm::kOutputGate];
  auto input_to_output = recurrent::float_input_of_rank(ctx, w_out, p.label + "input-to-output weights", 2);
  if (!input_to_output) return tl::unexpected(input_to_output.error());
  d.n_cell = (*input_to_output)->dim(0);
  const int r_out = p.recurrent_weights[lstm::kOutputGate];
  auto recurrent_to_output =
      recurrent::float_input_of_rank(ctx, r_out, p.label + "recurrent-to-output weights", diagonal ? 1 : 2);
  if (!recurrent_to_output) return tl::unexpected(recurrent_to_output.error());
  d.n_output = diagonal ? d.n_cell : (*recurrent_to_output)->dim(1);

  bool cifg = false;
  if (auto s = check_gate_weights(ctx, p, n_input, d, diagonal, cifg); !s) return tl::unexpected(s.error());
  if (auto s = check_peepholes(ctx, p, d, cifg); !s) return tl::unexpected(s.error());
  if (auto s = check_biases(ctx, p, d, cifg); !s) return tl::unexpected(s.error());
  if (auto s = check_projection(ctx, p, d); !s) return tl::unexpected(s.error());
  if (auto s = check_layer_norm(ctx, p, d, cifg); !s) return tl::unexpected(s.error());
  if (auto s = check_aux_weights(ctx, p, d, n_aux, cifg); !s) return tl::unexpected(s.error());
  const int64_t batch = n_batch;
  if (auto s =
          recurrent::float_state_input(ctx, p.output_state, p.label + "output state", batch * d.n_output);
      !s) {
    return tl::unexpected(s.error());
  }
  if (auto s = recurrent::float_state_input(ctx, p.cell_state, p.label + "cell state", batch * d.n_cell);
      !s) {
    return tl::unexpected(s.error());
  }
  return d;
}

struct CellOptions {
  tfl::ActivationFunctionType activation = tfl::ActivationFunctionType::NONE;
  float cell_clip = 0.0f;
  float proj_clip = 0.0f;
};

template <class T>
Result<CellOptions> cell_options(const OpContext& ctx, const T& o) {
  if (auto s = recurrent::expect_known_activation(ctx, o.fused_activation_function); !s) {
    return tl::unexpected(s.error());
  }
  if (!(o.cell_clip >= 0.0f) || !(o.proj_clip >= 0.0f)) {
    return ctx.error(
        cat("cell_clip (", o.cell_clip, ") and proj_clip (", o.proj_clip, ") must not be negative"));
  }
  return CellOptions{o.fused_activation_function, o.cell_clip, o.proj_clip};
}

// One cell run over the op's input: LSTM and UNIDIRECTIONAL_SEQUENCE_LSTM have
// one, BIDIRECTIONAL_SEQUENCE_LSTM two.
struct Direction {
  CellPositions positions;
  lstm::CellConfig config;
  lstm::SequenceLayout layout;
  bool diagonal = false;
  int input = kInputTensor;  // the op input the cell reads
  int aux = -1;              // its auxiliary input; -1 for none
  int output = 0;
};

lstm::CellConfig cell_config(const CellOptions& o, int n_input, int n_aux, const CellDims& d, bool plain) {
  lstm::CellConfig c;
  c.n_input = n_input;
  c.n_aux = n_aux;
  c.n_cell = d.n_cell;
  c.n_output = d.n_output;
  c.activation = o.activation;
  c.cell_clip = o.cell_clip;
  c.proj_clip = o.proj_clip;
  c.plain = plain;
  return c;
}

// The single cell of LSTM and UNIDIRECTIONAL_SEQUENCE_LSTM. In the 24-input
// form the cell has layer norm when the forget gate's coefficients are given
// (TFLite's rule); otherwise inputs 20-23 are ignored.
CellPositions single_cell_positions(const OpContext& ctx) {
  CellPositions p = cell_positions(0, kOutputStateTensor, kCellStateTensor, "");
  if (ctx.input_count() == 24 && ctx.input(kLayerNormTensors + lstm::kForgetGate) != nullptr) {
    for (Gate g : kGates) p.layer_norm[g] = kLayerNormTensors + g;
  }
  return p;
}

Result<std::vector<Direction>> plan_lstm(OpContext& ctx, bool plain) {
  const auto& o = options_or_default<tfl::LSTMOptionsT>(ctx);
  if (o.kernel_type != tfl::LSTMKernelType::FULL) {
    return ctx.error("kernel_type BASIC (the 5-input LSTM cell) is not supported, only FULL");
  }
  auto opts = cell_options(ctx, o);
  if (!opts) return tl::unexpected(opts.error());
  if (auto s = recurrent::expect_input_count(ctx, {20, 24}); !s) return tl::unexpected(s.error());
  if (auto s = recurrent::expect_output_count(ctx, 1); !s) return tl::unexpected(s.error());
  if (auto s = recurrent::expect_float_output(ctx, 0); !s) return tl::unexpected(s.error());
  auto input = recurrent::float_input_of_rank(ctx, kInputTensor, "input", 2);
  if (!input) return tl::unexpected(input.error());
  const int n_batch = (*input)->dim(0);
  const int n_input = (*input)->dim(1);

  Direction d;
  d.positions = single_cell_positions(ctx);
  auto dims = check_cell(ctx, d.positions, n_batch, n_input, 0, false);
  if (!dims) return tl::unexpected(dims.error());
  d.config = cell_config(*opts, n_input, 0, *dims, plain);
  d.layout.sequence = {1, n_batch, true};
  d.layout.output_width = dims->n_output;
  ctx.set_output_shape(0, {n_batch, dims->n_output});
  return std::vector<Direction>{std::move(d)};
}

// [max_time, n_batch, n] or [n_batch, max_time, n].
recurrent::SequenceLayout sequence_of(const Tensor& input, bool time_major) {
  return {time_major ? input.dim(0) : input.dim(1), time_major ? input.dim(1) : input.dim(0), time_major};
}

Result<std::vector<Direction>> plan_unidirectional(OpContext& ctx, bool plain) {
  const auto& o = options_or_default<tfl::UnidirectionalSequenceLSTMOptionsT>(ctx);
  auto opts = cell_options(ctx, o);
  if (!opts) return tl::unexpected(opts.error());
  if (auto s = recurrent::expect_input_count(ctx, {20, 24}); !s) return tl::unexpected(s.error());
  if (auto s = recurrent::expect_output_count(ctx, 1); !s) return tl::unexpected(s.error());
  if (auto s = recurrent::expect_float_output(ctx, 0); !s) return tl::unexpected(s.error());
  auto input = recurrent::float_input_of_rank(ctx, kInputTensor, "input", 3);
  if (!input) return tl::unexpected(input.error());
  const recurrent::SequenceLayout seq = sequence_of(**input, o.time_major);
  const int n_input = (*input)->dim(2);

  Direction d;
  d.positions = single_cell_positions(ctx);
  d.diagonal = o.diagonal_recurrent_tensors;
  auto dims = check_cell(ctx, d.positions, seq.n_batch, n_input, 0, d.diagonal);
  if (!dims) return tl::unexpected(dims.error());
  d.config = cell_config(*opts, n_input, 0, *dims, plain);
  d.layout.sequence = seq;
  d.layout.output_width = dims->n_output;
  Shape out = (*input)->shape;
  out[2] = dims->n_output;
  ctx.set_output_shape(0, std::move(out));
  return std::vector<Direction>{std::move(d)};
}

// The auxiliary input of BIDIRECTIONAL_SEQUENCE_LSTM has two uses (TFLite's
// bidirectional_sequence_lstm.cc): with auxiliary weights it feeds both cells
// as a second input ("cross links", stacked bidirectional layers); without
// them it replaces the input of the backward cell.
struct AuxUse {
  int n_aux = 0;  // > 0: fed to both cells through their aux weights
  int bw_input = kInputTensor;
};

Result<AuxUse> plan_aux_input(const OpContext& ctx, const Tensor& input) {
  const bool has_weights = ctx.input(kFwAuxWeightsTensors + lstm::kForgetGate) != nullptr;
  if (!has_weights) {
    for (int i = kFwAuxWeightsTensors; i < kBwAuxWeightsTensors + 4; ++i) {
      if (ctx.input(i) != nullptr) {
        return ctx.error(cat(recurrent::input_label(i, "auxiliary weights"),
                             " is given without forward aux-input-to-forget weights (input ",
                             kFwAuxWeightsTensors + lstm::kForgetGate,
                             "): auxiliary weights must be all present or all absent"));
      }
    }
  }
  if (!has_weights && ctx.input(kAuxInputTensor) == nullptr) return AuxUse{};
  auto aux = recurrent::float_input_of_rank(ctx, kAuxInputTensor, "auxiliary input", 3);
  if (!aux) return tl::unexpected(aux.error());
  const Tensor& a = **aux;
  const bool same_steps = a.dim(0) == input.dim(0) && a.dim(1) == input.dim(1);
  if (has_weights) {
    if (!same_steps) {
      return ctx.error(cat(recurrent::input_label(kAuxInputTensor, "auxiliary input"), " has shape ",
                           format::shape_string(a.shape),
                           ", its first two dimensions must match the input's ",
                           format::shape_string(input.shape)));
    }
    return AuxUse{a.dim(2), kInputTensor};
  }
  if (a.shape != input.shape) {
    return ctx.error(cat(recurrent::input_label(kAuxInputTensor, "auxiliary input"), " has shape ",
                         format::shape_string(a.shape),
                         "; used as the backward input it must match the input's ",
                         format::shape_string(input.shape)));
  }
  return AuxUse{0, kAuxInputTensor};
}

Result<std::vector<Direction>> plan_bidirectional(OpContext& ctx, bool plain) {
  const auto& o = options_or_default<tfl::BidirectionalSequenceLSTMOptionsT>(ctx);
  auto opts = cell_options(ctx, o);
  if (!opts) return tl::unexpected(opts.error());
  if (auto s = recurrent::expect_input_count(ctx, {48}); !s) return tl::unexpected(s.error());
  if (auto s = recurrent::expect_output_count(ctx, o.merge_outputs ? 1 : 2); !s)
    return tl::unexpected(s.error());
  auto input = recurrent::float_input_of_rank(ctx, kInputTensor, "input", 3);
  if (!input) return tl::unexpected(input.error());
  const recurrent::SequenceLayout seq = sequence_of(**input, o.time_major);
  const int n_input = (*input)->dim(2);
  auto aux = plan_aux_input(ctx, **input);
  if (!aux) return tl::unexpected(aux.error());

  std::vector<Direction> cells(2);
  cells[0].positions = cell_positions(0, kFwOutputStateTensor, kFwCellStateTensor, "forward ");
  cells[1].positions = cell_positions(kBackwardShift, kBwOutputStateTensor, kBwCellStateTensor, "backward ");
  std::array<CellDims, 2> dims;
  for (size_t k = 0; k < 2; ++k) {
    Direction& d = cells[k];
    if (aux->n_aux > 0) {
      const int first = k == 0 ? kFwAuxWeightsTensors : kBwAuxWeightsTensors;
      for (Gate g : kGates) d.positions.aux_weights[g] = first + g;
      d.aux = kAuxInputTensor;
    }
    auto checked = check_cell(ctx, d.positions, seq.n_batch, n_input, aux->n_aux, false);
    if (!checked) return tl::unexpected(checked.error());
    dims[k] = *checked;
    d.config = cell_config(*opts, n_input, aux->n_aux, *checked, plain);
    d.layout.sequence = seq;
  }
  cells[1].input = aux->bw_input;
  cells[1].layout.forward = false;
  const int merged_width = dims[0].n_output + dims[1].n_output;
  cells[0].layout.output_width = o.merge_outputs ? merged_width : dims[0].n_output;
  cells[1].layout.output_width = o.merge_outputs ? merged_width : dims[1].n_output;
  cells[1].layout.output_offset = o.merge_outputs ? dims[0].n_output : 0;
  cells[1].output = o.merge_outputs ? 0 : 1;

  for (int i = 0; i < ctx.output_count(); ++i) {
    if (auto s = recurrent::expect_float_output(ctx, i); !s) return tl::unexpected(s.error());
    const int width = cells[static_cast<size_t>(i)].layout.output_width;
    ctx.set_output_shape(
        i, o.time_major ? Shape{seq.max_time, seq.n_batch, width} : Shape{seq.n_batch, seq.max_time, width});
  }
  return cells;
}

lstm::CellWeights gather_weights(const OpContext& ctx, const Direction& d) {
  lstm::CellWeights w;
  const CellPositions& p = d.positions;
  for (Gate g : kGates) {
    lstm::GateWeights& gw = w.gates[g];
    gw.input = float_data(ctx.input(p.input_weights[g]));
    gw.aux = float_data(ctx.input(p.aux_weights[g]));
    gw.recurrent = float_data(ctx.input(p.recurrent_weights[g]));
    gw.peephole = float_data(ctx.input(p.peephole[g]));
    gw.layer_norm = float_data(ctx.input(p.layer_norm[g]));
    gw.bias = float_data(ctx.input(p.bias[g]));
  }
  w.projection = float_data(ctx.input(p.projection_weights));
  w.projection_bias = float_data(ctx.input(p.projection_bias));
  w.recurrent_diagonal = d.diagonal;
  return w;
}

using Planner = Result<std::vector<Direction>> (*)(OpContext&, bool);

class LstmKernel final : public Kernel {
 public:
  LstmKernel(Planner planner, bool plain) : planner_(planner), plain_(plain) {}

  Status prepare(OpContext& ctx) override {
    auto plan = planner_(ctx, plain_);
    if (!plan) return tl::unexpected(plan.error());
    cells_ = std::move(*plan);
    return {};
  }

  Status eval(OpContext& ctx) override {
    for (const Direction& d : cells_) {
      const lstm::CellWeights w = gather_weights(ctx, d);
      const float* aux = d.aux >= 0 ? float_data(ctx.input(d.aux)) : nullptr;
      lstm::run_sequence(w, d.config, d.layout, float_data(ctx.input(d.input)), aux,
                         mutable_float_data(&ctx.output(d.output)),
                         mutable_float_data(ctx.state_input(d.positions.output_state)),
                         mutable_float_data(ctx.state_input(d.positions.cell_state)), scratch_);
    }
    return {};
  }

 private:
  Planner planner_;
  bool plain_;
  std::vector<Direction> cells_;
  lstm::CellScratch scratch_;
};

void add_both_flavours(KernelRegistry& registry, format::BuiltinOp op, Planner planner) {
  registry.add(op, Domain::kPlain, Flavor::kFast,
               [planner] { return std::make_unique<LstmKernel>(planner, false); });
  registry.add(op, Domain::kPlain, Flavor::kReference,
               [planner] { return std::make_unique<LstmKernel>(planner, true); });
}

}  // namespace

void register_lstm_ops(KernelRegistry& registry) {
  add_both_flavours(registry, format::BuiltinOp::LSTM, plan_lstm);
  add_both_flavours(registry, format::BuiltinOp::UNIDIRECTIONAL_SEQUENCE_LSTM, plan_unidirectional);
  add_both_flavours(registry, format::BuiltinOp::BIDIRECTIONAL_SEQUENCE_LSTM, plan_bidirectional);
}

}  // namespace qs::runtime::kernels
