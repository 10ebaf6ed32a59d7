#include "runtime/kernels/lstm_cell.h"

#include <algorithm>
#include <cmath>

namespace qs::runtime::kernels::lstm {
namespace {

using recurrent::accumulate_product;
using recurrent::apply_activation;
using recurrent::clip_in_place;
using recurrent::sigmoid_in_place;

// Each row becomes (x − mean) / sqrt(variance + 1e-8), as TFLite's
// MeanStddevNormalization (tensor_utils) computes it.
void normalize_rows(float* values, int n_batch, int n_cell) {
  constexpr float kEpsilon = 1e-8f;
  for (int b = 0; b < n_batch; ++b) {
    float* row = values + static_cast<int64_t>(b) * n_cell;
    float sum = 0.0f;
    for (int i = 0; i < n_cell; ++i) sum += row[i];
    const float mean = sum / static_cast<float>(n_cell);
    float squares = 0.0f;
    for (int i = 0; i < n_cell; ++i) squares += (row[i] - mean) * (row[i] - mean);
    const float inverse_stddev = 1.0f / std::sqrt(squares / static_cast<float>(n_cell) + kEpsilon);
    for (int i = 0; i < n_cell; ++i) row[i] = (row[i] - mean) * inverse_stddev;
  }
}

// gate[b][c] += vector[c] · batch[b][c]: peepholes and diagonal recurrent
// weights.
void accumulate_diagonal(const float* vector, const float* batch, int n_batch, int n_cell, float* gate) {
  for (int b = 0; b < n_batch; ++b) {
    const int64_t row = static_cast<int64_t>(b) * n_cell;
    for (int c = 0; c < n_cell; ++c) gate[row + c] += vector[c] * batch[row + c];
  }
}

// The pre-activation value of one gate for the whole batch, into `gate`
// ([n_batch, n_cell]). `output_state` is the previous h; `cell_state` the
// cell the peephole looks at.
void gate_input(const GateWeights& g, const CellConfig& cfg, bool recurrent_diagonal, ConstRows input,
                ConstRows aux, const float* output_state, const float* cell_state, float* gate) {
  const int n_batch = input.count;
  const int n_cell = cfg.n_cell;
  const bool layer_norm = g.layer_norm != nullptr;
  // With layer norm the bias is added after normalising.
  for (int b = 0; b < n_batch; ++b) {
    float* row = gate + static_cast<int64_t>(b) * n_cell;
    if (layer_norm) {
      std::fill_n(row, n_cell, 0.0f);
    } else {
      std::copy_n(g.bias, n_cell, row);
    }
  }
  accumulate_product(g.input, n_cell, cfg.n_input, input, gate, cfg.plain);
  if (aux.data != nullptr && g.aux != nullptr)
    accumulate_product(g.aux, n_cell, cfg.n_aux, aux, gate, cfg.plain);
  if (recurrent_diagonal) {
    accumulate_diagonal(g.recurrent, output_state, n_batch, n_cell, gate);
  } else {
    accumulate_product(g.recurrent, n_cell, cfg.n_output, ConstRows{output_state, n_batch, cfg.n_output},
                       gate, cfg.plain);
  }
  if (g.peephole != nullptr) accumulate_diagonal(g.peephole, cell_state, n_batch, n_cell, gate);
  if (layer_norm) {
    normalize_rows(gate, n_batch, n_cell);
    for (int b = 0; b < n_batch; ++b) {
      float* row = gate + static_cast<int64_t>(b) * n_cell;
      for (int c = 0; c < n_cell; ++c) row[c] = row[c] * g.layer_norm[c] + g.bias[c];
    }
  }
}

// c' = f ⊙ c + g ⊙ i (i = 1 − f for CIFG), then the optional clip.
void update_cell(const CellConfig& cfg, bool cifg, int64_t count, const float* input_gate,
                 const float* forget_gate, const float* cell_gate, float* cell_state) {
  for (int64_t i = 0; i < count; ++i) {
    const float keep = cell_state[i] * forget_gate[i];
    const float admit = cifg ? 1.0f - forget_gate[i] : input_gate[i];
    cell_state[i] = keep + cell_gate[i] * admit;
  }
  if (cfg.cell_clip > 0.0f) clip_in_place(cell_state, count, cfg.cell_clip);
}

// h' = P·m + p_b (clipped) or m, into output_state.
void update_output_state(const CellWeights& w, const CellConfig& cfg, int n_batch, const float* cell_output,
                         float* output_state) {
  const int64_t count = static_cast<int64_t>(n_batch) * cfg.n_output;
  if (w.projection == nullptr) {
    std::copy_n(cell_output, count, output_state);
    return;
  }
  for (int b = 0; b < n_batch; ++b) {
    float* row = output_state + static_cast<int64_t>(b) * cfg.n_output;
    if (w.projection_bias != nullptr) {
      std::copy_n(w.projection_bias, cfg.n_output, row);
    } else {
      std::fill_n(row, cfg.n_output, 0.0f);
    }
  }
  accumulate_product(w.projection, cfg.n_output, cfg.n_cell, ConstRows{cell_output, n_batch, cfg.n_cell},
                     output_state, cfg.plain);
  if (cfg.proj_clip > 0.0f) clip_in_place(output_state, count, cfg.proj_clip);
}

}  // namespace

void CellScratch::resize(int n_batch, int n_cell) {
  const auto size = static_cast<size_t>(n_batch) * static_cast<size_t>(n_cell);
  for (auto& g : gates) g.resize(size);
  cell_output.resize(size);
}

void step(const CellWeights& w, const CellConfig& cfg, ConstRows input, ConstRows aux, float* output_state,
          float* cell_state, Rows output, CellScratch& scratch) {
  const int n_batch = input.count;
  const int64_t count = static_cast<int64_t>(n_batch) * cfg.n_cell;
  const bool cifg = w.cifg();
  const bool diagonal = w.recurrent_diagonal;
  float* input_gate = scratch.gates[kInputGate].data();
  float* forget_gate = scratch.gates[kForgetGate].data();
  float* cell_gate = scratch.gates[kCellGate].data();
  float* output_gate = scratch.gates[kOutputGate].data();

  if (!cifg) {
    gate_input(w.gates[kInputGate], cfg, diagonal, input, aux, output_state, cell_state, input_gate);
    sigmoid_in_place(input_gate, count, cfg.plain);
  }
  gate_input(w.gates[kForgetGate], cfg, diagonal, input, aux, output_state, cell_state, forget_gate);
  sigmoid_in_place(forget_gate, count, cfg.plain);
  gate_input(w.gates[kCellGate], cfg, diagonal, input, aux, output_state, cell_state, cell_gate);
  apply_activation(cell_gate, count, cfg.activation, cfg.plain);
  update_cell(cfg, cifg, count, input_gate, forget_gate, cell_gate, cell_state);
  // The output gate's peephole sees the updated cell.
  gate_input(w.gates[kOutputGate], cfg, diagonal, input, aux, output_state, cell_state, output_gate);
  sigmoid_in_place(output_gate, count, cfg.plain);

  float* m = scratch.cell_output.data();
  std::copy_n(cell_state, count, m);
  apply_activation(m, count, cfg.activation, cfg.plain);
  for (int64_t i = 0; i < count; ++i) m[i] *= output_gate[i];

  // Every gate has read the previous h by now.
  update_output_state(w, cfg, n_batch, m, output_state);
  for (int b = 0; b < n_batch; ++b) {
    std::copy_n(output_state + static_cast<int64_t>(b) * cfg.n_output, cfg.n_output,
                output.data + b * output.stride);
  }
}

void run_sequence(const CellWeights& w, const CellConfig& cfg, const SequenceLayout& layout,
                  const float* input, const float* aux, float* output, float* output_state, float* cell_state,
                  CellScratch& scratch) {
  const recurrent::SequenceLayout& seq = layout.sequence;
  scratch.resize(seq.n_batch, cfg.n_cell);
  for (int k = 0; k < seq.max_time; ++k) {
    const int t = layout.forward ? k : seq.max_time - 1 - k;
    const ConstRows x = recurrent::time_step(seq, input, cfg.n_input, t);
    const ConstRows a = aux != nullptr ? recurrent::time_step(seq, aux, cfg.n_aux, t) : ConstRows{};
    const Rows out = recurrent::time_step(seq, output, layout.output_width, t, layout.output_offset);
    step(w, cfg, x, a, output_state, cell_state, out, scratch);
  }
}

}  // namespace qs::runtime::kernels::lstm
