#pragma once
// Arithmetic shared by the recurrent kernels (LSTM, RNN, SVDF families):
// batched matrix products over rows that may be strided, the fused
// activations TFLite applies to whole vectors, and the addressing of a time
// step inside a sequence tensor. Each function has a plain-loop form for the
// reference flavour and an Eigen form for the fast one.

#include <cstdint>

#include "qs/tfl/tflite_enums_generated.h"

namespace qs::runtime::kernels::recurrent {

// `count` rows of floats, row r starting at data + r * stride.
struct ConstRows {
  const float* data = nullptr;
  int count = 0;
  int64_t stride = 0;
};
struct Rows {
  float* data = nullptr;
  int count = 0;
  int64_t stride = 0;
};

// out[b][r] += Σ_c weights[r][c] · in[b][c] for each of the `in.count` rows;
// `weights` is [rows, cols] row-major and `out` dense ([in.count, rows]).
void accumulate_product(const float* weights, int rows, int cols, ConstRows in, float* out, bool plain);

// 1 / (1 + e^−x), in place.
void sigmoid_in_place(float* values, int64_t count, bool plain);

// A fused activation applied to a whole vector, as TFLite's
// ApplyActivationToVector does for recurrent ops: TANH is a real tanh here
// (not a clamp), SIGN_BIT gives 1 for negative values and 0 otherwise, and
// NONE leaves the values as they are.
void apply_activation(float* values, int64_t count, tfl::ActivationFunctionType fn, bool plain);

// Clamps to [−limit, limit] (the cell_clip / proj_clip of LSTMs).
void clip_in_place(float* values, int64_t count, float limit);

// Where a sequence lives: [max_time, n_batch, width] when time major, else
// [n_batch, max_time, width].
struct SequenceLayout {
  int max_time = 1;
  int n_batch = 1;
  bool time_major = true;
};

// The n_batch rows of time step `t` in a sequence tensor whose rows are
// `width` floats, starting `offset` floats into each row.
ConstRows time_step(const SequenceLayout& layout, const float* data, int64_t width, int t);
Rows time_step(const SequenceLayout& layout, float* data, int64_t width, int t, int64_t offset = 0);

}  // namespace qs::runtime::kernels::recurrent
