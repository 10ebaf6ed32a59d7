#pragma once
// The float LSTM cell behind TFLite's LSTM, UNIDIRECTIONAL_SEQUENCE_LSTM and
// BIDIRECTIONAL_SEQUENCE_LSTM ops: one time step over a batch, and the loop
// over a sequence. Plain pointers and sizes; the op glue (lstm_ops.cpp)
// checks every shape before anything here runs.
//
// Per gate (input i, forget f and output o use the sigmoid; the cell gate g
// uses the op's fused activation, usually tanh):
//   gate = W·x + W_aux·aux + R·h + p ⊙ c + b
//   with layer norm:  gate = ln ⊙ normalize(W·x + W_aux·aux + R·h + p ⊙ c) + b
// then
//   c' = f ⊙ c + g ⊙ i          (CIFG: i = 1 − f), clipped to ±cell_clip if > 0
//   o  sees c' (the updated cell) through its peephole
//   m  = o ⊙ act(c')
//   h' = P·m + p_b, clipped to ±proj_clip if > 0; h' = m without projection
// The order of operations follows tensorflow/lite/kernels/lstm_eval.cc
// (LstmStepFloat), so float rounding stays close to TFLite's.

#include <array>
#include <cstdint>
#include <vector>

#include "runtime/kernels/rnn_math.h"

namespace qs::runtime::kernels::lstm {

using recurrent::ConstRows;
using recurrent::Rows;

enum Gate : uint8_t { kInputGate = 0, kForgetGate = 1, kCellGate = 2, kOutputGate = 3 };

// The parameters of one gate. Null means absent.
struct GateWeights {
  const float* input = nullptr;       // [n_cell, n_input]; null for the input gate of a CIFG cell
  const float* aux = nullptr;         // [n_cell, n_aux]; only with an auxiliary input
  const float* recurrent = nullptr;   // [n_cell, n_output], or [n_cell] when diagonal
  const float* peephole = nullptr;    // [n_cell]; never for the cell gate
  const float* layer_norm = nullptr;  // [n_cell]
  const float* bias = nullptr;        // [n_cell]
};

struct CellWeights {
  std::array<GateWeights, 4> gates;        // indexed by Gate
  const float* projection = nullptr;       // [n_output, n_cell]
  const float* projection_bias = nullptr;  // [n_output]
  // Recurrent weights are vectors applied element-wise (n_output == n_cell).
  bool recurrent_diagonal = false;

  // "Coupled input and forget gate": the input gate is 1 − f.
  bool cifg() const { return gates[kInputGate].input == nullptr; }
};

struct CellConfig {
  int n_input = 0;
  int n_aux = 0;  // 0 without auxiliary input
  int n_cell = 0;
  int n_output = 0;
  tfl::ActivationFunctionType activation = tfl::ActivationFunctionType::TANH;
  float cell_clip = 0.0f;  // 0: no clipping
  float proj_clip = 0.0f;
  // Reference flavour: plain loops instead of Eigen's products and functions.
  bool plain = false;
};

// Gate buffers for one step over a batch; kept by the kernel across runs.
struct CellScratch {
  std::array<std::vector<float>, 4> gates;
  std::vector<float> cell_output;  // m

  void resize(int n_batch, int n_cell);
};

// One step for a batch: reads the input (and aux) rows, updates output_state
// [n_batch, n_output] and cell_state [n_batch, n_cell] in place and copies h'
// into the output rows. `aux.data` is null without auxiliary input.
void step(const CellWeights& w, const CellConfig& cfg, ConstRows input, ConstRows aux, float* output_state,
          float* cell_state, Rows output, CellScratch& scratch);

// How a sequence is walked and where the cell writes. The output's rows are
// `output_width` floats and the cell fills n_output of them from
// `output_offset` on (BIDIRECTIONAL_SEQUENCE_LSTM merges both directions into
// one tensor this way).
struct SequenceLayout {
  recurrent::SequenceLayout sequence;
  bool forward = true;  // false: from the last time step to the first
  int output_width = 0;
  int output_offset = 0;
};

// Runs the cell over every time step. The states carry over from step to
// step and keep the last step's values, so the next run continues from them.
void run_sequence(const CellWeights& w, const CellConfig& cfg, const SequenceLayout& layout,
                  const float* input, const float* aux, float* output, float* output_state, float* cell_state,
                  CellScratch& scratch);

}  // namespace qs::runtime::kernels::lstm
