// Recurrent kernels: LSTM, UNIDIRECTIONAL_SEQUENCE_LSTM,
// BIDIRECTIONAL_SEQUENCE_LSTM, SVDF, RNN, UNIDIRECTIONAL_SEQUENCE_RNN and
// BIDIRECTIONAL_SEQUENCE_RNN.
//
// Small cases are worked by hand (the arithmetic is in the comments); the
// rest run against the cell formulas written out plainly below in double
// precision, per batch row and per time step, for every option (CIFG,
// peepholes, projection, layer norm, clipping, time-major or not). State
// tensors are variables, so a second invoke must continue where the first
// stopped: that is what streaming models rely on. The corpus' LSTM fixtures
// and the MNIST LSTM are checked against the same formulas with their own
// weights.

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <functional>
#include <random>

#include "format/model_file.h"
#include "format/op_options.h"
#include "runtime/interpreter.h"
#include "support/corpus.h"
#include "support/kernel_checks.h"

namespace qs::test {
namespace {

using format::BuiltinOp;
using format::TensorType;
using runtime::Flavor;
using runtime::Shape;
using Act = tfl::ActivationFunctionType;

// Gate order of the TFLite tensors: input, forget, cell, output.
constexpr size_t kI = 0;
constexpr size_t kF = 1;
constexpr size_t kG = 2;
constexpr size_t kO = 3;
constexpr std::array<const char*, 4> kGateNames = {"input", "forget", "cell", "output"};

// Tolerance against the double-precision formulas: a few float roundings
// per step, accumulated over a handful of steps.
constexpr float kTolerance = 2e-5f;

double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

double activate(Act fn, double x) {
  switch (fn) {
    case Act::NONE:
      return x;
    case Act::RELU:
      return std::max(0.0, x);
    case Act::RELU_N1_TO_1:
      return std::clamp(x, -1.0, 1.0);
    case Act::RELU6:
      return std::clamp(x, 0.0, 6.0);
    case Act::TANH:
      return std::tanh(x);
    case Act::SIGN_BIT:
      return std::signbit(x) ? 1.0 : 0.0;
  }
  return x;
}

double clip(double x, float limit) { return limit > 0 ? std::clamp(x, -double(limit), double(limit)) : x; }

// A variable (state) tensor, zero unless `init` is given.
int variable(OpTest& t, const std::string& name, const Shape& shape, const std::vector<float>& init = {}) {
  const int id = init.empty() ? t.output(name, TensorType::FLOAT32, shape, /*internal=*/true)
                              : t.constant<float>(name, shape, init);
  t.subgraph().tensors[static_cast<size_t>(id)].is_variable = true;
  return id;
}

// Index of element (t, b) in a sequence tensor of rows.
size_t row_index(bool time_major, int max_time, int n_batch, int t, int b) {
  return static_cast<size_t>(time_major ? t * n_batch + b : b * max_time + t);
}

// LSTM ---------------------------------------------------------------------

// An LSTM cell as the tests describe it: sizes, options and every weight,
// independent of the kernel's data structures.
struct LstmSpec {
  int n_input = 2;
  int n_cell = 3;
  int n_output = 3;
  int n_aux = 0;
  bool cifg = false;
  bool peephole = false;
  bool projection = false;
  bool projection_bias = false;
  bool layer_norm = false;
  bool diagonal = false;  // recurrent weights are [n_cell] vectors
  Act activation = Act::TANH;
  float cell_clip = 0;
  float proj_clip = 0;
  std::array<std::vector<float>, 4> w, r, b, ln, aux_w, peep;  // peep[kG] unused
  std::vector<float> proj, proj_b;
};

LstmSpec random_lstm(LstmSpec s, uint32_t seed) {
  if (!s.projection) s.n_output = s.n_cell;
  for (size_t g = 0; g < 4; ++g) {
    const uint32_t k = seed * 16 + static_cast<uint32_t>(g);
    const auto n_cell = static_cast<size_t>(s.n_cell);
    s.w[g] = random_floats(n_cell * static_cast<size_t>(s.n_input), k, -0.6f, 0.6f);
    s.r[g] =
        random_floats(s.diagonal ? n_cell : n_cell * static_cast<size_t>(s.n_output), k + 1000, -0.6f, 0.6f);
    s.b[g] = random_floats(n_cell, k + 2000, -0.3f, 0.3f);
    s.ln[g] = random_floats(n_cell, k + 3000, 0.5f, 1.5f);
    s.aux_w[g] = random_floats(n_cell * static_cast<size_t>(s.n_aux), k + 4000, -0.6f, 0.6f);
    s.peep[g] = random_floats(n_cell, k + 5000, -0.5f, 0.5f);
  }
  s.proj = random_floats(static_cast<size_t>(s.n_output * s.n_cell), seed + 6000, -0.8f, 0.8f);
  s.proj_b = random_floats(static_cast<size_t>(s.n_output), seed + 7000, -0.2f, 0.2f);
  return s;
}

// One step of one batch row, straight from the LSTM formulas:
//   z_gate = W·x + W_aux·aux + R·h + p ⊙ c + b  (layer norm: ln ⊙ normalize(...) + b)
//   f = σ(z_f); g = act(z_g); i = σ(z_i), or 1 − f for CIFG
//   c' = clip(f·c + i·g); o = σ(z_o) with the peephole on c'
//   h' = clip(P·(o·act(c')) + p_b), or o·act(c') without projection
void naive_lstm_step(const LstmSpec& s, const float* x, const float* aux, std::vector<double>& h,
                     std::vector<double>& c) {
  const auto n_cell = static_cast<size_t>(s.n_cell);
  auto pre = [&](size_t g, const std::vector<double>& cell) {
    std::vector<double> z(n_cell);
    for (size_t k = 0; k < n_cell; ++k) {
      double sum = 0;
      for (int i = 0; i < s.n_input; ++i) sum += double(s.w[g][k * size_t(s.n_input) + size_t(i)]) * x[i];
      for (int j = 0; j < s.n_aux; ++j) sum += double(s.aux_w[g][k * size_t(s.n_aux) + size_t(j)]) * aux[j];
      if (s.diagonal) {
        sum += double(s.r[g][k]) * h[k];
      } else {
        for (int j = 0; j < s.n_output; ++j)
          sum += double(s.r[g][k * size_t(s.n_output) + size_t(j)]) * h[size_t(j)];
      }
      if (s.peephole && g != kG) sum += double(s.peep[g][k]) * cell[k];
      z[k] = sum;
    }
    if (s.layer_norm) {
      double mean = 0, var = 0;
      for (double v : z) mean += v;
      mean /= double(n_cell);
      for (double v : z) var += (v - mean) * (v - mean);
      var /= double(n_cell);
      for (size_t k = 0; k < n_cell; ++k)
        z[k] = (z[k] - mean) / std::sqrt(var + 1e-8) * s.ln[g][k] + s.b[g][k];
    } else {
      for (size_t k = 0; k < n_cell; ++k) z[k] += s.b[g][k];
    }
    return z;
  };
  const std::vector<double> zf = pre(kF, c);
  const std::vector<double> zg = pre(kG, c);
  const std::vector<double> zi = s.cifg ? std::vector<double>{} : pre(kI, c);
  std::vector<double> new_c(n_cell);
  for (size_t k = 0; k < n_cell; ++k) {
    const double f = sigmoid(zf[k]);
    const double i = s.cifg ? 1 - f : sigmoid(zi[k]);
    new_c[k] = clip(f * c[k] + i * activate(s.activation, zg[k]), s.cell_clip);
  }
  const std::vector<double> zo = pre(kO, new_c);
  std::vector<double> m(n_cell);
  for (size_t k = 0; k < n_cell; ++k) m[k] = sigmoid(zo[k]) * activate(s.activation, new_c[k]);
  std::vector<double> new_h(static_cast<size_t>(s.n_output));
  for (size_t j = 0; j < new_h.size(); ++j) {
    if (!s.projection) {
      new_h[j] = m[j];
      continue;
    }
    double sum = s.projection_bias ? s.proj_b[j] : 0.0;
    for (size_t k = 0; k < n_cell; ++k) sum += double(s.proj[j * n_cell + k]) * m[k];
    new_h[j] = clip(sum, s.proj_clip);
  }
  h = new_h;
  c = new_c;
}

// States of a batch of cells, one vector per batch row.
struct NaiveStates {
  std::vector<std::vector<double>> h, c;
  NaiveStates(const LstmSpec& s, int n_batch)
      : h(size_t(n_batch), std::vector<double>(size_t(s.n_output))),
        c(size_t(n_batch), std::vector<double>(size_t(s.n_cell))) {}
};

// Runs the naive cell over a sequence tensor and writes h into `out` (rows of
// `out_width`, from `out_offset`), walking backwards unless `forward`.
void naive_lstm_sequence(const LstmSpec& s, const std::vector<float>& input, const std::vector<float>* aux,
                         int max_time, int n_batch, bool time_major, bool forward, NaiveStates& st,
                         std::vector<float>& out, int out_width, int out_offset = 0) {
  for (int k = 0; k < max_time; ++k) {
    const int t = forward ? k : max_time - 1 - k;
    for (int b = 0; b < n_batch; ++b) {
      const size_t row = row_index(time_major, max_time, n_batch, t, b);
      const float* a = aux != nullptr ? aux->data() + row * size_t(s.n_aux) : nullptr;
      naive_lstm_step(s, input.data() + row * size_t(s.n_input), a, st.h[size_t(b)], st.c[size_t(b)]);
      for (int j = 0; j < s.n_output; ++j) {
        out[row * size_t(out_width) + size_t(out_offset + j)] = float(st.h[size_t(b)][size_t(j)]);
      }
    }
  }
}

// Adds inputs 1-17 of a cell (weights, peepholes, biases, projection) as
// constants, -1 where absent.
std::vector<int32_t> lstm_cell_inputs(OpTest& t, const LstmSpec& s, const std::string& prefix) {
  std::vector<int32_t> ids;
  auto add = [&](const std::string& name, Shape shape, const std::vector<float>& v) {
    return t.constant<float>(prefix + name, std::move(shape), v);
  };
  for (size_t g = 0; g < 4; ++g) {
    ids.push_back(g == kI && s.cifg ? -1 : add(cat("w_", kGateNames[g]), {s.n_cell, s.n_input}, s.w[g]));
  }
  for (size_t g = 0; g < 4; ++g) {
    const Shape shape = s.diagonal ? Shape{s.n_cell} : Shape{s.n_cell, s.n_output};
    ids.push_back(g == kI && s.cifg ? -1 : add(cat("r_", kGateNames[g]), shape, s.r[g]));
  }
  for (size_t g : {kI, kF, kO}) {
    const bool present = s.peephole && !(g == kI && s.cifg);
    ids.push_back(present ? add(cat("p_", kGateNames[g]), {s.n_cell}, s.peep[g]) : -1);
  }
  for (size_t g = 0; g < 4; ++g) {
    ids.push_back(g == kI && s.cifg ? -1 : add(cat("b_", kGateNames[g]), {s.n_cell}, s.b[g]));
  }
  ids.push_back(s.projection ? add("proj", {s.n_output, s.n_cell}, s.proj) : -1);
  ids.push_back(s.projection && s.projection_bias ? add("proj_b", {s.n_output}, s.proj_b) : -1);
  return ids;
}

std::vector<int32_t> layer_norm_inputs(OpTest& t, const LstmSpec& s) {
  std::vector<int32_t> ids;
  for (size_t g = 0; g < 4; ++g) {
    const bool present = s.layer_norm && !(g == kI && s.cifg);
    ids.push_back(present ? t.constant<float>(cat("ln_", kGateNames[g]), {s.n_cell}, s.ln[g]) : -1);
  }
  return ids;
}

format::OpOptions sequence_lstm_options(const LstmSpec& s, bool time_major) {
  tfl::UnidirectionalSequenceLSTMOptionsT o;
  o.fused_activation_function = s.activation;
  o.cell_clip = s.cell_clip;
  o.proj_clip = s.proj_clip;
  o.time_major = time_major;
  o.diagonal_recurrent_tensors = s.diagonal;
  return format::make_options(o);
}

format::OpOptions lstm_options(const LstmSpec& s) {
  tfl::LSTMOptionsT o;
  o.fused_activation_function = s.activation;
  o.cell_clip = s.cell_clip;
  o.proj_clip = s.proj_clip;
  return format::make_options(o);
}

// x [T,B,n_input] (or [B,T,n_input]) -> UNIDIRECTIONAL_SEQUENCE_LSTM -> y.
// The 24-input form is used when `layer_norm_form` (with absent
// coefficients unless the spec has layer norm).
OpTest sequence_lstm_model(const LstmSpec& s, int max_time, int n_batch, bool time_major,
                           bool layer_norm_form = true) {
  OpTest t;
  const int x =
      t.input("x", TensorType::FLOAT32,
              time_major ? Shape{max_time, n_batch, s.n_input} : Shape{n_batch, max_time, s.n_input});
  std::vector<int32_t> ids = lstm_cell_inputs(t, s, "");
  ids.insert(ids.begin(), x);
  ids.push_back(variable(t, "h", {n_batch, s.n_output}));
  ids.push_back(variable(t, "c", {n_batch, s.n_cell}));
  if (layer_norm_form || s.layer_norm) {
    for (int32_t id : layer_norm_inputs(t, s)) ids.push_back(id);
  }
  const int y = t.output("y", TensorType::FLOAT32);
  t.op(BuiltinOp::UNIDIRECTIONAL_SEQUENCE_LSTM, ids, {y}, sequence_lstm_options(s, time_major));
  return t;
}

// Runs the sequence LSTM in both flavours and compares with the formulas.
void check_sequence_lstm(const LstmSpec& spec, int max_time, int n_batch, bool time_major, uint32_t seed) {
  SCOPED_TRACE(cat("time_major=", time_major, " cifg=", spec.cifg, " peephole=", spec.peephole,
                   " projection=", spec.projection, " layer_norm=", spec.layer_norm));
  const LstmSpec s = random_lstm(spec, seed);
  const auto input = random_floats(size_t(max_time * n_batch * s.n_input), seed + 99, -1.5f, 1.5f);
  std::vector<float> want(size_t(max_time * n_batch * s.n_output));
  NaiveStates st(s, n_batch);
  naive_lstm_sequence(s, input, nullptr, max_time, n_batch, time_major, true, st, want, s.n_output);

  OpTest t = sequence_lstm_model(s, max_time, n_batch, time_major);
  const Shape in_shape =
      time_major ? Shape{max_time, n_batch, s.n_input} : Shape{n_batch, max_time, s.n_input};
  const Shape out_shape =
      time_major ? Shape{max_time, n_batch, s.n_output} : Shape{n_batch, max_time, s.n_output};
  for (Flavor flavor : {Flavor::kFast, Flavor::kReference}) {
    auto out = t.run({host_tensor<float>(in_shape, input)}, flavor);
    ASSERT_TRUE(out.has_value()) << out.error().message;
    EXPECT_EQ(out->at(0).shape, out_shape);
    expect_near_all(out->at(0).values<float>(), want, kTolerance,
                    flavor == Flavor::kFast ? "fast" : "reference");
  }
}

// LSTM with batch 1, 2 inputs, one cell; starting state h = 0.5, c = 1.0;
// x = [1, 2]. The final states are subgraph outputs too, so they can be read.
OpTest hand_lstm_model(bool cifg_peephole_projection, float cell_clip, float proj_clip) {
  OpTest t;
  const int x = t.input("x", TensorType::FLOAT32, {1, 2});
  auto w = [&](const char* name, std::vector<float> v) {
    return t.constant<float>(name, {1, static_cast<int32_t>(v.size())}, v);
  };
  auto v1 = [&](const char* name, float v) { return t.constant<float>(name, {1}, {v}); };
  const bool special = cifg_peephole_projection;
  std::vector<int32_t> ids = {
      x,
      special ? -1 : w("w_i", {0.1f, 0.2f}),
      w("w_f", {0.3f, -0.1f}),
      w("w_g", {-0.2f, 0.4f}),
      w("w_o", {0.0f, 0.5f}),
      special ? -1 : w("r_i", {0.5f}),
      w("r_f", {1.0f}),
      w("r_g", {-1.0f}),
      w("r_o", {0.2f}),
      -1,
      special ? v1("p_f", 0.5f) : -1,
      special ? v1("p_o", -0.5f) : -1,
      special ? -1 : v1("b_i", 0.1f),
      v1("b_f", 0.0f),
      v1("b_g", 0.2f),
      v1("b_o", -0.1f),
      special ? w("proj", {2.0f}) : -1,
      special ? v1("proj_b", 0.1f) : -1,
  };
  const int h = variable(t, "h", {1, 1}, {0.5f});
  const int c = variable(t, "c", {1, 1}, {1.0f});
  ids.push_back(h);
  ids.push_back(c);
  const int y = t.output("y", TensorType::FLOAT32);
  t.subgraph().outputs.push_back(c);
  tfl::LSTMOptionsT o;
  o.fused_activation_function = Act::TANH;
  o.cell_clip = cell_clip;
  o.proj_clip = proj_clip;
  t.op(BuiltinOp::LSTM, ids, {y}, format::make_options(o));
  return t;
}

TEST(KernelsSequence, LstmOneStepByHand) {
  // z_i = 0.1·1 + 0.2·2 + 0.5·0.5 + 0.1   = 0.85  i = σ(0.85) = 0.700567
  // z_f = 0.3·1 − 0.1·2 + 1.0·0.5 + 0     = 0.6   f = σ(0.6)  = 0.645656
  // z_g = −0.2·1 + 0.4·2 − 1.0·0.5 + 0.2  = 0.3   g = tanh(0.3) = 0.291313
  // z_o = 0·1 + 0.5·2 + 0.2·0.5 − 0.1     = 1.0   o = σ(1)    = 0.731059
  // c' = f·1.0 + i·g = 0.645656 + 0.204088 = 0.849740
  // h' = o·tanh(c') = 0.731059 · 0.690928 = 0.505113
  for (Flavor flavor : {Flavor::kFast, Flavor::kReference}) {
    auto out = hand_lstm_model(false, 0, 0).run({host_tensor<float>({1, 2}, {1, 2})}, flavor);
    ASSERT_TRUE(out.has_value()) << out.error().message;
    EXPECT_EQ(out->at(0).shape, (Shape{1, 1}));
    expect_near_all(out->at(0).values<float>(), {0.5051131f}, 1e-6f);
    expect_near_all(out->at(1).values<float>(), {0.8497404f}, 1e-6f);
  }
}

TEST(KernelsSequence, LstmCifgPeepholeProjectionAndClipsByHand) {
  // CIFG (no input gate: i = 1 − f), peepholes p_f = 0.5, p_o = −0.5,
  // projection P = 2, p_b = 0.1, cell_clip 0.7.
  // z_f = 0.6 + 0.5·c(1.0) = 1.1           f = σ(1.1) = 0.750260
  // g = tanh(0.3) = 0.291313
  // c' = f·1.0 + (1 − f)·g = 0.823012 → clipped to 0.7
  // z_o = 1.0 − 0.5·0.7 = 0.65             o = σ(0.65) = 0.657010
  // m = o·tanh(0.7) = 0.397076;  h' = 2·m + 0.1 = 0.894152
  auto out = hand_lstm_model(true, 0.7f, 0).run({host_tensor<float>({1, 2}, {1, 2})});
  ASSERT_TRUE(out.has_value()) << out.error().message;
  expect_near_all(out->at(0).values<float>(), {0.8941519f}, 1e-6f);
  expect_near_all(out->at(1).values<float>(), {0.7f}, 1e-7f);
  // Without the clip: c' = 0.823012; z_o = 1 − 0.5·0.823012 = 0.588494,
  // o = 0.643019, m = o·tanh(c') = 0.435135, h' = 2·m + 0.1 = 0.970270
  for (Flavor flavor : {Flavor::kFast, Flavor::kReference}) {
    out = hand_lstm_model(true, 0, 0).run({host_tensor<float>({1, 2}, {1, 2})}, flavor);
    ASSERT_TRUE(out.has_value()) << out.error().message;
    expect_near_all(out->at(0).values<float>(), {0.9702705f}, 1e-6f);
    expect_near_all(out->at(1).values<float>(), {0.8230125f}, 1e-6f);
  }
  // proj_clip 0.8 clips h' = 0.894152 to 0.8.
  out = hand_lstm_model(true, 0.7f, 0.8f).run({host_tensor<float>({1, 2}, {1, 2})});
  ASSERT_TRUE(out.has_value()) << out.error().message;
  expect_near_all(out->at(0).values<float>(), {0.8f}, 1e-7f);
}

TEST(KernelsSequence, SequenceLstmMatchesFormulaForEveryOption) {
  LstmSpec basic;
  LstmSpec cifg;
  cifg.cifg = true;
  LstmSpec peephole;
  peephole.peephole = true;
  LstmSpec cifg_peephole = peephole;
  cifg_peephole.cifg = true;
  LstmSpec projection;
  projection.projection = true;
  projection.n_output = 2;
  LstmSpec projection_bias = projection;
  projection_bias.projection_bias = true;
  projection_bias.proj_clip = 0.1f;  // small enough to bite
  LstmSpec layer_norm;
  layer_norm.layer_norm = true;
  LstmSpec layer_norm_cifg = layer_norm;
  layer_norm_cifg.cifg = true;
  layer_norm_cifg.peephole = true;
  LstmSpec cell_clip;
  cell_clip.cell_clip = 0.15f;
  LstmSpec relu;
  relu.activation = Act::RELU;
  LstmSpec everything;
  everything.peephole = everything.projection = everything.projection_bias = everything.layer_norm = true;
  everything.n_output = 4;
  everything.cell_clip = 0.5f;
  everything.proj_clip = 0.3f;
  uint32_t seed = 1;
  for (const LstmSpec& s : {basic, cifg, peephole, cifg_peephole, projection, projection_bias, layer_norm,
                            layer_norm_cifg, cell_clip, relu, everything}) {
    for (bool time_major : {true, false}) check_sequence_lstm(s, 4, 2, time_major, seed++);
  }
}

TEST(KernelsSequence, SequenceLstmDiagonalRecurrentWeights) {
  LstmSpec s;
  s.diagonal = true;
  check_sequence_lstm(s, 3, 2, false, 7);
  s.peephole = true;
  check_sequence_lstm(s, 3, 2, true, 8);
}

TEST(KernelsSequence, LstmOpIsOneStepInBothInputForms) {
  LstmSpec spec;
  spec.peephole = spec.projection = spec.projection_bias = true;
  spec.n_output = 2;
  const LstmSpec s = random_lstm(spec, 21);
  const int n_batch = 3;
  const auto input = random_floats(size_t(n_batch * s.n_input), 22, -1, 1);
  std::vector<float> want(size_t(n_batch * s.n_output));
  NaiveStates st(s, n_batch);
  naive_lstm_sequence(s, input, nullptr, 1, n_batch, true, true, st, want, s.n_output);
  for (bool form24 : {false, true}) {
    OpTest t;
    const int x = t.input("x", TensorType::FLOAT32, {n_batch, s.n_input});
    std::vector<int32_t> ids = lstm_cell_inputs(t, s, "");
    ids.insert(ids.begin(), x);
    ids.push_back(variable(t, "h", {n_batch, s.n_output}));
    ids.push_back(variable(t, "c", {n_batch, s.n_cell}));
    if (form24) ids.insert(ids.end(), {-1, -1, -1, -1});
    const int y = t.output("y", TensorType::FLOAT32);
    t.op(BuiltinOp::LSTM, ids, {y}, lstm_options(s));
    auto out = t.run({host_tensor<float>({n_batch, s.n_input}, input)});
    ASSERT_TRUE(out.has_value()) << out.error().message;
    EXPECT_EQ(out->at(0).shape, (Shape{n_batch, s.n_output}));
    expect_near_all(out->at(0).values<float>(), want, kTolerance, form24 ? "24 inputs" : "20 inputs");
  }
}

// Two invokes over halves of a sequence equal one invoke over all of it:
// the states persist in the interpreter between runs.
TEST(KernelsSequence, SequenceLstmStateCarriesOverBetweenInvokes) {
  LstmSpec spec;
  spec.peephole = true;
  const LstmSpec s = random_lstm(spec, 31);
  const int n_batch = 2;
  for (bool time_major : {true, false}) {
    SCOPED_TRACE(cat("time_major=", time_major));
    // Sequences per batch row of 6 steps; the halves are steps 0-2 and 3-5.
    const auto full = random_floats(size_t(6 * n_batch * s.n_input), 32, -1, 1);
    auto half = [&](int first) {
      std::vector<float> out;
      for (int a = 0; a < (time_major ? 3 : n_batch); ++a) {
        for (int b = 0; b < (time_major ? n_batch : 3); ++b) {
          const int t = time_major ? first + a : first + b;
          const int batch = time_major ? b : a;
          const size_t row = row_index(time_major, 6, n_batch, t, batch);
          out.insert(out.end(), full.begin() + long(row * size_t(s.n_input)),
                     full.begin() + long((row + 1) * size_t(s.n_input)));
        }
      }
      return out;
    };
    auto shape = [&](int steps) {
      return time_major ? Shape{steps, n_batch, s.n_input} : Shape{n_batch, steps, s.n_input};
    };
    OpTest whole = sequence_lstm_model(s, 6, n_batch, time_major);
    auto all = whole.run({host_tensor<float>(shape(6), full)});
    ASSERT_TRUE(all.has_value()) << all.error().message;

    OpTest t = sequence_lstm_model(s, 3, n_batch, time_major);
    auto interp = runtime::Interpreter::create(std::make_shared<format::Model>(t.model()));
    ASSERT_TRUE(interp.has_value()) << interp.error().message;
    auto first = run_once(**interp, {host_tensor<float>(shape(3), half(0))});
    auto second = run_once(**interp, {host_tensor<float>(shape(3), half(3))});
    ASSERT_TRUE(first.has_value() && second.has_value());
    // Row (t, b) of the whole run against the matching half.
    const auto whole_out = all->at(0).values<float>();
    const auto first_out = first->at(0).values<float>();
    const auto second_out = second->at(0).values<float>();
    for (int t6 = 0; t6 < 6; ++t6) {
      for (int b = 0; b < n_batch; ++b) {
        const auto& part = t6 < 3 ? first_out : second_out;
        const size_t row_whole = row_index(time_major, 6, n_batch, t6, b);
        const size_t row_part = row_index(time_major, 3, n_batch, t6 % 3, b);
        for (int j = 0; j < s.n_output; ++j) {
          EXPECT_FLOAT_EQ(part[row_part * size_t(s.n_output) + size_t(j)],
                          whole_out[row_whole * size_t(s.n_output) + size_t(j)])
              << "step " << t6 << " batch " << b;
        }
      }
    }
  }
}

TEST(KernelsSequence, LstmStateStartsFromTheVariableBuffer) {
  const LstmSpec s = random_lstm(LstmSpec{}, 41);
  const std::vector<float> h0 = {0.3f, -0.2f, 0.1f};
  const std::vector<float> c0 = {1.0f, -0.5f, 0.25f};
  const auto input = random_floats(size_t(2 * s.n_input), 42, -1, 1);
  NaiveStates st(s, 1);
  st.h[0].assign(h0.begin(), h0.end());
  st.c[0].assign(c0.begin(), c0.end());
  std::vector<float> want(size_t(2 * s.n_output));
  naive_lstm_sequence(s, input, nullptr, 2, 1, false, true, st, want, s.n_output);

  OpTest t;
  const int x = t.input("x", TensorType::FLOAT32, {1, 2, s.n_input});
  std::vector<int32_t> ids = lstm_cell_inputs(t, s, "");
  ids.insert(ids.begin(), x);
  ids.push_back(variable(t, "h", {1, s.n_output}, h0));
  ids.push_back(variable(t, "c", {1, s.n_cell}, c0));
  const int y = t.output("y", TensorType::FLOAT32);
  t.op(BuiltinOp::UNIDIRECTIONAL_SEQUENCE_LSTM, ids, {y}, sequence_lstm_options(s, false));
  auto out = t.run({host_tensor<float>({1, 2, s.n_input}, input)});
  ASSERT_TRUE(out.has_value()) << out.error().message;
  expect_near_all(out->at(0).values<float>(), want, kTolerance);
}

TEST(KernelsSequence, LstmFastAndReferenceAgreeOnLargerCells) {
  LstmSpec spec;
  spec.n_input = 13;
  spec.n_cell = 24;
  spec.n_output = 10;
  spec.peephole = spec.projection = spec.projection_bias = spec.layer_norm = true;
  const LstmSpec s = random_lstm(spec, 51);
  const auto input = random_floats(size_t(5 * 3 * s.n_input), 52, -2, 2);
  OpTest t = sequence_lstm_model(s, 5, 3, false);
  auto fast = t.run({host_tensor<float>({3, 5, s.n_input}, input)}, Flavor::kFast);
  auto reference = t.run({host_tensor<float>({3, 5, s.n_input}, input)}, Flavor::kReference);
  ASSERT_TRUE(fast.has_value() && reference.has_value());
  expect_near_all(fast->at(0).values<float>(), reference->at(0).values<float>(), 1e-5f);
}

// BIDIRECTIONAL_SEQUENCE_LSTM: x, forward cell (17), backward cell (17),
// four states, aux input and 8 aux weights.
struct BidiCase {
  bool merge = false;
  bool time_major = true;
  int aux_mode = 0;  // 0: none, 1: aux input with weights, 2: aux input as backward input
};

void check_bidirectional_lstm(const BidiCase& c, uint32_t seed) {
  SCOPED_TRACE(cat("merge=", c.merge, " time_major=", c.time_major, " aux_mode=", c.aux_mode));
  const int T = 3, B = 2;
  LstmSpec fw_spec;
  fw_spec.n_aux = c.aux_mode == 1 ? 2 : 0;
  LstmSpec bw_spec = fw_spec;
  bw_spec.n_cell = 2;
  bw_spec.cifg = true;
  bw_spec.peephole = true;
  const LstmSpec fw = random_lstm(fw_spec, seed);
  const LstmSpec bw = random_lstm(bw_spec, seed + 1);
  const auto input = random_floats(size_t(T * B * fw.n_input), seed + 2, -1, 1);
  const int n_aux_values = c.aux_mode == 1 ? fw.n_aux : fw.n_input;
  const auto aux = random_floats(size_t(T * B * n_aux_values), seed + 3, -1, 1);
  auto seq_shape = [&](int n) { return c.time_major ? Shape{T, B, n} : Shape{B, T, n}; };

  const int width = c.merge ? fw.n_output + bw.n_output : 0;
  std::vector<float> want_fw(size_t(T * B * (c.merge ? width : fw.n_output)));
  std::vector<float> want_bw(size_t(T * B * bw.n_output));
  NaiveStates fw_state(fw, B), bw_state(bw, B);
  const std::vector<float>* cross = c.aux_mode == 1 ? &aux : nullptr;
  naive_lstm_sequence(fw, input, cross, T, B, c.time_major, true, fw_state, want_fw,
                      c.merge ? width : fw.n_output);
  naive_lstm_sequence(bw, c.aux_mode == 2 ? aux : input, cross, T, B, c.time_major, false, bw_state,
                      c.merge ? want_fw : want_bw, c.merge ? width : bw.n_output, c.merge ? fw.n_output : 0);

  OpTest t;
  const int x = t.input("x", TensorType::FLOAT32, seq_shape(fw.n_input));
  const int a = c.aux_mode != 0 ? t.input("aux", TensorType::FLOAT32, seq_shape(n_aux_values)) : -1;
  std::vector<int32_t> ids = {x};
  for (int32_t id : lstm_cell_inputs(t, fw, "fw_")) ids.push_back(id);
  for (int32_t id : lstm_cell_inputs(t, bw, "bw_")) ids.push_back(id);
  ids.push_back(variable(t, "fw_h", {B, fw.n_output}));
  ids.push_back(variable(t, "fw_c", {B, fw.n_cell}));
  ids.push_back(variable(t, "bw_h", {B, bw.n_output}));
  ids.push_back(variable(t, "bw_c", {B, bw.n_cell}));
  ids.push_back(a);
  for (const LstmSpec* s : {&fw, &bw}) {
    for (size_t g = 0; g < 4; ++g) {
      const bool present = c.aux_mode == 1 && !(g == kI && s->cifg);
      ids.push_back(present ? t.constant<float>(cat(s == &fw ? "fw" : "bw", "_aux_", kGateNames[g]),
                                                {s->n_cell, s->n_aux}, s->aux_w[g])
                            : -1);
    }
  }
  std::vector<int32_t> outs = {t.output("y_fw", TensorType::FLOAT32)};
  if (!c.merge) outs.push_back(t.output("y_bw", TensorType::FLOAT32));
  tfl::BidirectionalSequenceLSTMOptionsT o;
  o.fused_activation_function = Act::TANH;
  o.merge_outputs = c.merge;
  o.time_major = c.time_major;
  t.op(BuiltinOp::BIDIRECTIONAL_SEQUENCE_LSTM, ids, outs, format::make_options(o));

  std::vector<HostTensor> inputs = {host_tensor<float>(seq_shape(fw.n_input), input)};
  if (a >= 0) inputs.push_back(host_tensor<float>(seq_shape(n_aux_values), aux));
  for (Flavor flavor : {Flavor::kFast, Flavor::kReference}) {
    auto out = t.run(inputs, flavor);
    ASSERT_TRUE(out.has_value()) << out.error().message;
    EXPECT_EQ(out->at(0).shape, seq_shape(c.merge ? width : fw.n_output));
    expect_near_all(out->at(0).values<float>(), want_fw, kTolerance, "forward");
    if (!c.merge) {
      EXPECT_EQ(out->at(1).shape, seq_shape(bw.n_output));
      expect_near_all(out->at(1).values<float>(), want_bw, kTolerance, "backward");
    }
  }
}

TEST(KernelsSequence, BidirectionalLstmMatchesTwoCellsOverTheSequence) {
  uint32_t seed = 60;
  for (bool merge : {false, true}) {
    for (bool time_major : {true, false}) {
      for (int aux_mode : {0, 1, 2}) check_bidirectional_lstm({merge, time_major, aux_mode}, seed += 4);
    }
  }
}

// Errors -------------------------------------------------------------------

Result<std::vector<HostTensor>> run_edited_lstm(const std::function<void(OpTest&, format::Operator&)>& edit) {
  LstmSpec spec;
  spec.peephole = true;
  const LstmSpec s = random_lstm(spec, 71);
  OpTest t = sequence_lstm_model(s, 2, 1, false);
  edit(t, t.subgraph().operators[0]);
  return t.run({host_tensor<float>({1, 2, s.n_input}, random_floats(size_t(2 * s.n_input), 72, -1, 1))});
}

TEST(KernelsSequence, LstmErrorsNameTheInput) {
  const std::string op = "UNIDIRECTIONAL_SEQUENCE_LSTM";
  expect_error(run_edited_lstm([](OpTest&, format::Operator& o) { o.inputs[2] = -1; }), op,
               "input 2 (input-to-forget weights) is missing");
  expect_error(run_edited_lstm([](OpTest& t, format::Operator& o) {
                 t.subgraph().tensors[size_t(o.inputs[7])].shape = {3, 2};
               }),
               op, "input 7 (recurrent-to-cell weights), tensor");
  expect_error(run_edited_lstm([](OpTest&, format::Operator& o) { o.inputs[5] = -1; }), op,
               "must be both present or both absent (CIFG)");
  expect_error(run_edited_lstm([](OpTest&, format::Operator& o) { o.inputs[10] = -1; }), op,
               "peephole weights (inputs 9, 10, 11) must be all present or all absent");
  expect_error(run_edited_lstm([](OpTest& t, format::Operator& o) {
                 t.subgraph().tensors[size_t(o.inputs[19])].is_variable = false;
               }),
               op, "input 19 (cell state), tensor");
  expect_error(run_edited_lstm([](OpTest& t, format::Operator& o) {
                 t.subgraph().tensors[size_t(o.inputs[18])].shape = {1, 2};
               }),
               op, "input 18 (output state)");
  expect_error(run_edited_lstm([](OpTest&, format::Operator& o) { o.inputs.resize(21); }), op,
               "expects 20 or 24 inputs, has 21");
  expect_error(run_edited_lstm([](OpTest& t, format::Operator& o) {
                 const int bias = t.constant<float>("proj_b", {3}, {0, 0, 0});
                 o.inputs[17] = bias;
               }),
               op, "is given without projection weights");
  expect_error(run_edited_lstm([](OpTest& t, format::Operator& o) {
                 o.inputs[0] = t.constant<float>("flat_x", {2, 2}, {1, 2, 3, 4});
               }),
               op, "input 0 (input), tensor");
  expect_error(run_edited_lstm([](OpTest& t, format::Operator& o) {
                 auto& w = t.subgraph().tensors[size_t(o.inputs[3])];
                 w.type = TensorType::INT8;
               }),
               op, "hybrid kernels (integer weights, float activations) are not supported");
}

TEST(KernelsSequence, LstmBasicKernelTypeIsReported) {
  OpTest t;
  const int x = t.input("x", TensorType::FLOAT32, {1, 2});
  const int y = t.output("y", TensorType::FLOAT32);
  tfl::LSTMOptionsT o;
  o.kernel_type = tfl::LSTMKernelType::BASIC;
  t.op(BuiltinOp::LSTM, {x, x, x, x, x}, {y}, format::make_options(o));
  expect_error(t.run({host_tensor<float>({1, 2}, {1, 2})}), "LSTM", "kernel_type BASIC");
}

// SVDF ---------------------------------------------------------------------

struct SvdfSpec {
  int n_batch = 1, input_size = 2, num_filters = 2, memory = 2, rank = 1;
  bool bias = true;
  Act activation = Act::NONE;
  std::vector<float> feature, time, b;
};

OpTest svdf_model(const SvdfSpec& s, const std::vector<float>& initial_state = {}) {
  OpTest t;
  const int x = t.input("x", TensorType::FLOAT32, {s.n_batch, s.input_size});
  const int wf = t.constant<float>("feature", {s.num_filters, s.input_size}, s.feature);
  const int wt = t.constant<float>("time", {s.num_filters, s.memory}, s.time);
  const int b = s.bias ? t.constant<float>("bias", {s.num_filters / s.rank}, s.b) : -1;
  const int state = variable(t, "state", {s.n_batch, s.memory * s.num_filters}, initial_state);
  const int y = t.output("y", TensorType::FLOAT32);
  tfl::SVDFOptionsT o;
  o.rank = s.rank;
  o.fused_activation_function = s.activation;
  t.op(BuiltinOp::SVDF, {x, wf, wt, b, state}, {y}, format::make_options(o));
  return t;
}

TEST(KernelsSequence, SvdfByHandOverTwoInvokes) {
  SvdfSpec s;
  s.feature = {1, 2, 0.5f, -1};  // filter 0: [1, 2]; filter 1: [0.5, −1]
  s.time = {1, 0.5f, 2, -1};     // filter 0: [1, 0.5]; filter 1: [2, −1] (oldest first)
  s.b = {0.1f, -0.2f};
  OpTest t = svdf_model(s);
  auto interp = runtime::Interpreter::create(std::make_shared<format::Model>(t.model()));
  ASSERT_TRUE(interp.has_value()) << interp.error().message;
  // x = [1, 1]: features 1+2 = 3 and 0.5−1 = −0.5 become the newest memory:
  // filter 0 [0, 3] · [1, 0.5] = 1.5; filter 1 [0, −0.5] · [2, −1] = 0.5
  // output = bias + filtered = [1.6, 0.3]
  auto first = run_once(**interp, {host_tensor<float>({1, 2}, {1, 1})});
  ASSERT_TRUE(first.has_value()) << first.error().message;
  EXPECT_EQ(first->at(0).shape, (Shape{1, 2}));
  expect_near_all(first->at(0).values<float>(), {1.6f, 0.3f}, 1e-6f);
  // x = [2, 0]: features 2 and 1; memories [3, 2] and [−0.5, 1]:
  // filter 0: 3·1 + 2·0.5 = 4; filter 1: −0.5·2 + 1·(−1) = −2 → [4.1, −2.2]
  auto second = run_once(**interp, {host_tensor<float>({1, 2}, {2, 0})});
  ASSERT_TRUE(second.has_value()) << second.error().message;
  expect_near_all(second->at(0).values<float>(), {4.1f, -2.2f}, 1e-6f);
}

TEST(KernelsSequence, SvdfShiftsTheGivenStateBeforeWriting) {
  // Initial memories [5, 7] and [−1, 3]: the run first drops 5 and −1, so
  // with x = [1, 1] they become [7, 3] and [3, −0.5]:
  // filter 0: 7·1 + 3·0.5 = 8.5; filter 1: 3·2 − 0.5·(−1) = 6.5 → bias added
  SvdfSpec s;
  s.feature = {1, 2, 0.5f, -1};
  s.time = {1, 0.5f, 2, -1};
  s.b = {0.1f, -0.2f};
  auto out = svdf_model(s, {5, 7, -1, 3}).run({host_tensor<float>({1, 2}, {1, 1})});
  ASSERT_TRUE(out.has_value()) << out.error().message;
  expect_near_all(out->at(0).values<float>(), {8.6f, 6.3f}, 1e-5f);
}

TEST(KernelsSequence, SvdfMatchesFormulaWithRankAndActivation) {
  SvdfSpec s;
  s.n_batch = 2;
  s.input_size = 5;
  s.num_filters = 6;
  s.memory = 4;
  s.rank = 2;
  s.activation = Act::RELU;
  s.feature = random_floats(30, 81, -1, 1);
  s.time = random_floats(24, 82, -1, 1);
  s.b = random_floats(3, 83, -0.5f, 0.5f);
  for (bool bias : {true, false}) {
    s.bias = bias;
    OpTest t = svdf_model(s);
    for (Flavor flavor : {Flavor::kFast, Flavor::kReference}) {
      SCOPED_TRACE(cat("bias=", bias, " flavor=", flavor == Flavor::kFast ? "fast" : "reference"));
      runtime::InterpreterOptions options;
      options.flavor = flavor;
      auto interp = runtime::Interpreter::create(std::make_shared<format::Model>(t.model()), options);
      ASSERT_TRUE(interp.has_value()) << interp.error().message;
      // memory[b][f] holds the last `memory` feature values, oldest first.
      std::vector<std::vector<double>> memory(size_t(s.n_batch * s.num_filters),
                                              std::vector<double>(size_t(s.memory)));
      for (int step = 0; step < 6; ++step) {
        const auto x = random_floats(size_t(s.n_batch * s.input_size), 84 + uint32_t(step), -1, 1);
        std::vector<float> want;
        for (int b = 0; b < s.n_batch; ++b) {
          std::vector<double> filtered(size_t(s.num_filters));
          for (int f = 0; f < s.num_filters; ++f) {
            auto& mem = memory[size_t(b * s.num_filters + f)];
            mem.erase(mem.begin());
            double feature = 0;
            for (int i = 0; i < s.input_size; ++i) {
              feature += double(s.feature[size_t(f * s.input_size + i)]) * x[size_t(b * s.input_size + i)];
            }
            mem.push_back(feature);
            for (int m = 0; m < s.memory; ++m)
              filtered[size_t(f)] += mem[size_t(m)] * s.time[size_t(f * s.memory + m)];
          }
          for (int u = 0; u < s.num_filters / s.rank; ++u) {
            double sum = bias ? s.b[size_t(u)] : 0.0;
            for (int r = 0; r < s.rank; ++r) sum += filtered[size_t(u * s.rank + r)];
            want.push_back(float(std::max(0.0, sum)));
          }
        }
        auto out = run_once(**interp, {host_tensor<float>({s.n_batch, s.input_size}, x)});
        ASSERT_TRUE(out.has_value()) << out.error().message;
        EXPECT_EQ(out->at(0).shape, (Shape{s.n_batch, s.num_filters / s.rank}));
        expect_near_all(out->at(0).values<float>(), want, 1e-5f, cat("step ", step));
      }
    }
  }
}

TEST(KernelsSequence, SvdfErrors) {
  SvdfSpec s;
  s.feature = {1, 2, 0.5f, -1};
  s.time = {1, 0.5f, 2, -1};
  s.b = {0.1f, -0.2f};
  const auto x = host_tensor<float>({1, 2}, {1, 1});
  SvdfSpec rank3 = s;
  rank3.rank = 3;
  rank3.b = {0};
  expect_error(svdf_model(rank3).run({x}), "SVDF",
               "rank 3 must be positive and divide the number of filters (2");
  OpTest bad_state = svdf_model(s);
  bad_state.subgraph().tensors[size_t(bad_state.subgraph().operators[0].inputs[4])].shape = {1, 3};
  expect_error(bad_state.run({x}), "SVDF", "input 4 (state), tensor");
  OpTest missing = svdf_model(s);
  missing.subgraph().operators[0].inputs[2] = -1;
  expect_error(missing.run({x}), "SVDF", "input 2 (time weights) is missing");
  OpTest bad_bias = svdf_model(s);
  bad_bias.subgraph().tensors[size_t(bad_bias.subgraph().operators[0].inputs[3])].shape = {3};
  expect_error(bad_bias.run({x}), "SVDF", "input 3 (bias), tensor");
}

// RNN ----------------------------------------------------------------------

struct RnnSpec {
  int n_input = 3, n_units = 4, n_aux = 0;
  Act activation = Act::TANH;
  std::vector<float> w, r, b, aux_w;
};

RnnSpec random_rnn(RnnSpec s, uint32_t seed) {
  s.w = random_floats(size_t(s.n_units * s.n_input), seed, -0.7f, 0.7f);
  s.r = random_floats(size_t(s.n_units * s.n_units), seed + 1, -0.7f, 0.7f);
  s.b = random_floats(size_t(s.n_units), seed + 2, -0.3f, 0.3f);
  s.aux_w = random_floats(size_t(s.n_units * s.n_aux), seed + 3, -0.7f, 0.7f);
  return s;
}

// h' = act(W·x + W_aux·aux + R·h + b), per batch row.
void naive_rnn_sequence(const RnnSpec& s, const std::vector<float>& input, const std::vector<float>* aux,
                        int max_time, int n_batch, bool time_major, bool forward,
                        std::vector<std::vector<double>>& h, std::vector<float>& out, int out_width,
                        int out_offset = 0) {
  for (int k = 0; k < max_time; ++k) {
    const int t = forward ? k : max_time - 1 - k;
    for (int b = 0; b < n_batch; ++b) {
      const size_t row = row_index(time_major, max_time, n_batch, t, b);
      std::vector<double> next(size_t(s.n_units));
      for (int u = 0; u < s.n_units; ++u) {
        double sum = s.b[size_t(u)];
        for (int i = 0; i < s.n_input; ++i) {
          sum += double(s.w[size_t(u * s.n_input + i)]) * input[row * size_t(s.n_input) + size_t(i)];
        }
        for (int i = 0; i < s.n_aux; ++i) {
          sum += double(s.aux_w[size_t(u * s.n_aux + i)]) * (*aux)[row * size_t(s.n_aux) + size_t(i)];
        }
        for (int j = 0; j < s.n_units; ++j)
          sum += double(s.r[size_t(u * s.n_units + j)]) * h[size_t(b)][size_t(j)];
        next[size_t(u)] = activate(s.activation, sum);
      }
      h[size_t(b)] = next;
      for (int u = 0; u < s.n_units; ++u)
        out[row * size_t(out_width) + size_t(out_offset + u)] = float(next[size_t(u)]);
    }
  }
}

std::vector<int32_t> rnn_cell_inputs(OpTest& t, const RnnSpec& s, const std::string& prefix, int n_batch,
                                     const std::vector<float>& h0 = {}) {
  return {t.constant<float>(prefix + "w", {s.n_units, s.n_input}, s.w),
          t.constant<float>(prefix + "r", {s.n_units, s.n_units}, s.r),
          t.constant<float>(prefix + "b", {s.n_units}, s.b),
          variable(t, prefix + "h", {n_batch, s.n_units}, h0)};
}

TEST(KernelsSequence, RnnByHand) {
  // W = [[1, 0], [0.5, −1]], R = [[0.5, 0], [0, 1]], b = [0.1, 0.2], RELU,
  // h0 = [1, −1], x = [2, 1]:
  //   z0 = 1·2 + 0·1 + 0.5·1 + 0·(−1) + 0.1 = 2.6
  //   z1 = 0.5·2 − 1·1 + 0·1 + 1·(−1) + 0.2 = −0.8 → 0
  // then x = [0, 0]: z0 = 0.5·2.6 + 0.1 = 1.4; z1 = 0 + 0.2 = 0.2
  OpTest t;
  const int x = t.input("x", TensorType::FLOAT32, {1, 2});
  const int w = t.constant<float>("w", {2, 2}, {1, 0, 0.5f, -1});
  const int r = t.constant<float>("r", {2, 2}, {0.5f, 0, 0, 1});
  const int b = t.constant<float>("b", {2}, {0.1f, 0.2f});
  const int h = variable(t, "h", {1, 2}, {1, -1});
  const int y = t.output("y", TensorType::FLOAT32);
  tfl::RNNOptionsT o;
  o.fused_activation_function = Act::RELU;
  t.op(BuiltinOp::RNN, {x, w, r, b, h}, {y}, format::make_options(o));
  for (Flavor flavor : {Flavor::kFast, Flavor::kReference}) {
    runtime::InterpreterOptions options;
    options.flavor = flavor;
    auto interp = runtime::Interpreter::create(std::make_shared<format::Model>(t.model()), options);
    ASSERT_TRUE(interp.has_value()) << interp.error().message;
    auto first = run_once(**interp, {host_tensor<float>({1, 2}, {2, 1})});
    ASSERT_TRUE(first.has_value()) << first.error().message;
    EXPECT_EQ(first->at(0).shape, (Shape{1, 2}));
    expect_near_all(first->at(0).values<float>(), {2.6f, 0.0f}, 1e-6f);
    auto second = run_once(**interp, {host_tensor<float>({1, 2}, {0, 0})});
    ASSERT_TRUE(second.has_value()) << second.error().message;
    expect_near_all(second->at(0).values<float>(), {1.4f, 0.2f}, 1e-6f);
  }
}

TEST(KernelsSequence, SequenceRnnMatchesFormulaAndKeepsItsState) {
  const RnnSpec s = random_rnn(RnnSpec{}, 91);
  const int T = 4, B = 2;
  for (bool time_major : {true, false}) {
    SCOPED_TRACE(cat("time_major=", time_major));
    OpTest t;
    const Shape shape = time_major ? Shape{T, B, s.n_input} : Shape{B, T, s.n_input};
    const int x = t.input("x", TensorType::FLOAT32, shape);
    std::vector<int32_t> ids = rnn_cell_inputs(t, s, "", B);
    ids.insert(ids.begin(), x);
    const int y = t.output("y", TensorType::FLOAT32);
    tfl::SequenceRNNOptionsT o;
    o.time_major = time_major;
    o.fused_activation_function = s.activation;
    t.op(BuiltinOp::UNIDIRECTIONAL_SEQUENCE_RNN, ids, {y}, format::make_options(o));
    for (Flavor flavor : {Flavor::kFast, Flavor::kReference}) {
      runtime::InterpreterOptions options;
      options.flavor = flavor;
      auto interp = runtime::Interpreter::create(std::make_shared<format::Model>(t.model()), options);
      ASSERT_TRUE(interp.has_value()) << interp.error().message;
      std::vector<std::vector<double>> h(size_t(B), std::vector<double>(size_t(s.n_units)));
      for (int invoke = 0; invoke < 2; ++invoke) {
        const auto input = random_floats(size_t(T * B * s.n_input), 92 + uint32_t(invoke), -1, 1);
        std::vector<float> want(size_t(T * B * s.n_units));
        naive_rnn_sequence(s, input, nullptr, T, B, time_major, true, h, want, s.n_units);
        auto out = run_once(**interp, {host_tensor<float>(shape, input)});
        ASSERT_TRUE(out.has_value()) << out.error().message;
        EXPECT_EQ(out->at(0).shape, time_major ? (Shape{T, B, s.n_units}) : (Shape{B, T, s.n_units}));
        expect_near_all(out->at(0).values<float>(), want, kTolerance, cat("invoke ", invoke));
      }
    }
  }
}

TEST(KernelsSequence, BidirectionalRnnMatchesTwoCells) {
  const int T = 3, B = 2;
  uint32_t seed = 100;
  for (bool merge : {false, true}) {
    for (bool time_major : {true, false}) {
      for (int aux_mode : {0, 1, 2}) {
        SCOPED_TRACE(cat("merge=", merge, " time_major=", time_major, " aux_mode=", aux_mode));
        RnnSpec fw_spec;
        fw_spec.n_aux = aux_mode == 1 ? 2 : 0;
        fw_spec.activation = Act::RELU6;
        RnnSpec bw_spec = fw_spec;
        bw_spec.n_units = 2;
        const RnnSpec fw = random_rnn(fw_spec, seed += 5);
        const RnnSpec bw = random_rnn(bw_spec, seed + 50);
        auto shape = [&](int n) { return time_major ? Shape{T, B, n} : Shape{B, T, n}; };
        const auto input = random_floats(size_t(T * B * fw.n_input), seed + 1, -1, 1);
        const int n_aux_values = aux_mode == 1 ? fw.n_aux : fw.n_input;
        const auto aux = random_floats(size_t(T * B * n_aux_values), seed + 2, -1, 1);
        const int width = merge ? fw.n_units + bw.n_units : 0;
        std::vector<float> want_fw(size_t(T * B * (merge ? width : fw.n_units)));
        std::vector<float> want_bw(size_t(T * B * bw.n_units));
        std::vector<std::vector<double>> hf(size_t(B), std::vector<double>(size_t(fw.n_units)));
        std::vector<std::vector<double>> hb(size_t(B), std::vector<double>(size_t(bw.n_units)));
        const std::vector<float>* cross = aux_mode == 1 ? &aux : nullptr;
        naive_rnn_sequence(fw, input, cross, T, B, time_major, true, hf, want_fw, merge ? width : fw.n_units);
        naive_rnn_sequence(bw, aux_mode == 2 ? aux : input, cross, T, B, time_major, false, hb,
                           merge ? want_fw : want_bw, merge ? width : bw.n_units, merge ? fw.n_units : 0);

        OpTest t;
        const int x = t.input("x", TensorType::FLOAT32, shape(fw.n_input));
        const int a = aux_mode != 0 ? t.input("aux", TensorType::FLOAT32, shape(n_aux_values)) : -1;
        std::vector<int32_t> ids = {x};
        for (int32_t id : rnn_cell_inputs(t, fw, "fw_", B)) ids.push_back(id);
        for (int32_t id : rnn_cell_inputs(t, bw, "bw_", B)) ids.push_back(id);
        ids.push_back(a);
        ids.push_back(aux_mode == 1 ? t.constant<float>("fw_aux", {fw.n_units, fw.n_aux}, fw.aux_w) : -1);
        ids.push_back(aux_mode == 1 ? t.constant<float>("bw_aux", {bw.n_units, bw.n_aux}, bw.aux_w) : -1);
        std::vector<int32_t> outs = {t.output("y_fw", TensorType::FLOAT32)};
        if (!merge) outs.push_back(t.output("y_bw", TensorType::FLOAT32));
        tfl::BidirectionalSequenceRNNOptionsT o;
        o.time_major = time_major;
        o.merge_outputs = merge;
        o.fused_activation_function = Act::RELU6;
        t.op(BuiltinOp::BIDIRECTIONAL_SEQUENCE_RNN, ids, outs, format::make_options(o));
        std::vector<HostTensor> inputs = {host_tensor<float>(shape(fw.n_input), input)};
        if (a >= 0) inputs.push_back(host_tensor<float>(shape(n_aux_values), aux));
        for (Flavor flavor : {Flavor::kFast, Flavor::kReference}) {
          auto out = t.run(inputs, flavor);
          ASSERT_TRUE(out.has_value()) << out.error().message;
          EXPECT_EQ(out->at(0).shape, shape(merge ? width : fw.n_units));
          expect_near_all(out->at(0).values<float>(), want_fw, kTolerance, "forward");
          if (!merge) {
            EXPECT_EQ(out->at(1).shape, shape(bw.n_units));
            expect_near_all(out->at(1).values<float>(), want_bw, kTolerance, "backward");
          }
        }
      }
    }
  }
}

TEST(KernelsSequence, RnnErrors) {
  const RnnSpec s = random_rnn(RnnSpec{}, 111);
  auto build = [&](const std::function<void(OpTest&, std::vector<int32_t>&)>& edit) {
    OpTest t;
    const int x = t.input("x", TensorType::FLOAT32, {2, s.n_input});
    std::vector<int32_t> ids = rnn_cell_inputs(t, s, "", 2);
    ids.insert(ids.begin(), x);
    edit(t, ids);
    const int y = t.output("y", TensorType::FLOAT32);
    t.op(BuiltinOp::RNN, ids, {y}, format::make_options(tfl::RNNOptionsT{}));
    return t.run({host_tensor<float>({2, s.n_input}, random_floats(size_t(2 * s.n_input), 112, -1, 1))});
  };
  expect_error(build([](OpTest&, std::vector<int32_t>& ids) { ids[3] = -1; }), "RNN",
               "input 3 (bias) is missing");
  expect_error(build([](OpTest& t, std::vector<int32_t>& ids) {
                 t.subgraph().tensors[size_t(ids[2])].shape = {4, 3};
               }),
               "RNN", "input 2 (recurrent weights), tensor");
  expect_error(build([](OpTest& t, std::vector<int32_t>& ids) {
                 t.subgraph().tensors[size_t(ids[4])].is_variable = false;
               }),
               "RNN", "must be a variable tensor");
  expect_error(build([](OpTest& t, std::vector<int32_t>& ids) {
                 t.subgraph().tensors[size_t(ids[4])].shape = {1, 8};
               }),
               "RNN", "input 4 (hidden state)");
  expect_error(build([](OpTest&, std::vector<int32_t>& ids) { ids.push_back(-1); }), "RNN",
               "expects 5 inputs, has 6");
}

// Corpus -------------------------------------------------------------------

std::shared_ptr<format::Model> load_model(const std::string& file) {
  auto opened = format::ModelFile::open(corpus_model(file));
  if (!opened) {
    ADD_FAILURE() << opened.error().message;
    return nullptr;
  }
  return std::make_shared<format::Model>(opened->to_model());
}

std::vector<float> tensor_floats(const format::Model& m, int32_t index) {
  if (index < 0) return {};
  const auto data = m.tensor_data(m.subgraphs[0].tensors[size_t(index)]);
  std::vector<float> out(data.size() / sizeof(float));
  std::memcpy(out.data(), data.data(), out.size() * sizeof(float));
  return out;
}

// The LstmSpec of an LSTM / UNIDIRECTIONAL_SEQUENCE_LSTM op of a model, read
// from its tensors.
LstmSpec spec_from_model(const format::Model& m, const format::Operator& op, Act activation, float cell_clip,
                         float proj_clip) {
  const auto& tensors = m.subgraphs[0].tensors;
  auto in = [&](size_t k) { return k < op.inputs.size() ? op.inputs[k] : -1; };
  LstmSpec s;
  const auto& w_out = tensors[size_t(in(4))].shape;
  s.n_cell = w_out[0];
  s.n_input = w_out[1];
  s.n_output = tensors[size_t(in(8))].shape[1];
  s.cifg = in(1) < 0;
  s.peephole = in(10) >= 0;
  s.projection = in(16) >= 0;
  s.projection_bias = in(17) >= 0;
  s.layer_norm = in(21) >= 0;
  s.activation = activation;
  s.cell_clip = cell_clip;
  s.proj_clip = proj_clip;
  for (size_t g = 0; g < 4; ++g) {
    s.w[g] = tensor_floats(m, in(1 + g));
    s.r[g] = tensor_floats(m, in(5 + g));
    s.b[g] = tensor_floats(m, in(12 + g));
    s.ln[g] = tensor_floats(m, in(20 + g));
  }
  s.peep[kI] = tensor_floats(m, in(9));
  s.peep[kF] = tensor_floats(m, in(10));
  s.peep[kO] = tensor_floats(m, in(11));
  s.proj = tensor_floats(m, in(16));
  s.proj_b = tensor_floats(m, in(17));
  return s;
}

// The LiteRT LSTM fixtures (layer norm + projection, or peepholes), three
// invokes each so the variable states carry over, against the formulas with
// the models' own weights.
TEST(KernelsSequence, CorpusLstmFixturesMatchTheFormula) {
  QS_REQUIRE_CORPUS();
  for (const char* file :
       {"lstm.bin", "custom_lstm.bin", "lstm_calibrated.bin", "lstm_calibrated2.bin",
        "unidirectional_sequence_lstm.bin", "unidirectional_sequence_lstm_calibrated.bin"}) {
    SCOPED_TRACE(file);
    auto model = load_model(file);
    ASSERT_NE(model, nullptr);
    const format::Operator& op = model->subgraphs[0].operators[0];
    const bool sequence = op.code.builtin == BuiltinOp::UNIDIRECTIONAL_SEQUENCE_LSTM;
    LstmSpec s;
    bool time_major = true;
    if (sequence) {
      const auto* o = format::options_as<tfl::UnidirectionalSequenceLSTMOptionsT>(op);
      ASSERT_NE(o, nullptr);
      s = spec_from_model(*model, op, o->fused_activation_function, o->cell_clip, o->proj_clip);
      time_major = o->time_major;
    } else {
      const auto* o = format::options_as<tfl::LSTMOptionsT>(op);
      ASSERT_NE(o, nullptr);
      s = spec_from_model(*model, op, o->fused_activation_function, o->cell_clip, o->proj_clip);
    }
    auto interp = runtime::Interpreter::create(model);
    ASSERT_TRUE(interp.has_value()) << interp.error().message;
    const Shape in_shape = (*interp)->input(0).shape;
    const int max_time = sequence ? (time_major ? in_shape[0] : in_shape[1]) : 1;
    const int n_batch = sequence ? (time_major ? in_shape[1] : in_shape[0]) : in_shape[0];
    NaiveStates st(s, n_batch);
    for (uint32_t invoke = 0; invoke < 3; ++invoke) {
      const auto input = random_floats(size_t(runtime::element_count(in_shape)), 120 + invoke, -1, 1);
      std::vector<float> want(size_t(max_time * n_batch * s.n_output));
      naive_lstm_sequence(s, input, nullptr, max_time, n_batch, time_major, true, st, want, s.n_output);
      auto out = run_once(**interp, {host_tensor<float>(in_shape, input)});
      ASSERT_TRUE(out.has_value()) << out.error().message;
      expect_near_all(out->at(0).values<float>(), want, kTolerance, cat("invoke ", invoke));
    }
  }
}

// svdf_calibrated.bin is a quantizer fixture whose state is [1,9] where the
// weights call for [1,42] (memory 7 × 6 filters): TFLite's SVDF rejects it
// too, and the error must say which tensor is wrong.
TEST(KernelsSequence, CorpusSvdfFixtureWithAMisshapenStateIsRejected) {
  QS_REQUIRE_CORPUS();
  auto model = load_model("svdf_calibrated.bin");
  ASSERT_NE(model, nullptr);
  auto interp = runtime::Interpreter::create(model);
  ASSERT_TRUE(interp.has_value()) << interp.error().message;
  auto out = run_once(**interp, {host_tensor<float>({1, 4}, {0.1f, 0.2f, 0.3f, 0.4f})});
  expect_error(out, "SVDF",
               "input 4 (state), tensor 4 'activation_state4', has shape [1,9] (9 values), expected 42");
}

// 28×28 8-bit grayscale BMP (palette, rows stored bottom-up) scaled to [0, 1].
std::vector<float> read_mnist_bmp(const std::filesystem::path& path) {
  const std::vector<uint8_t> bytes = read_file(path);
  if (bytes.size() < 1078 + 28 * 28) return {};
  uint32_t offset = 0;
  std::memcpy(&offset, bytes.data() + 10, 4);
  std::vector<float> image(28 * 28);
  for (size_t row = 0; row < 28; ++row) {
    for (size_t col = 0; col < 28; ++col) {
      const uint8_t index = bytes[offset + (27 - row) * 28 + col];
      const uint8_t gray = bytes[54 + size_t(index) * 4];  // palette entry: blue, green, red, 0
      image[row * 28 + col] = float(gray) / 255.0f;
    }
  }
  return image;
}

// trained_lstm.tflite: UNIDIRECTIONAL_SEQUENCE_LSTM over the 28 rows of an
// MNIST image, then RESHAPE, FULLY_CONNECTED and SOFTMAX. The LSTM alone
// (cut out of the model) must match the formulas with the model's weights;
// the whole model, when the other kernels exist, must read the nine as a 9.
TEST(KernelsSequence, CorpusMnistLstm) {
  QS_REQUIRE_CORPUS();
  auto model = load_model("trained_lstm.tflite");
  ASSERT_NE(model, nullptr);
  const std::vector<float> image = read_mnist_bmp(shared_dir() / "data" / "mnist_nine.bmp");
  ASSERT_EQ(image.size(), 28u * 28u);

  auto lstm_only = std::make_shared<format::Model>(*model);
  format::Subgraph& sg = lstm_only->subgraphs[0];
  const format::Operator op = sg.operators[0];
  ASSERT_EQ(op.code.builtin, BuiltinOp::UNIDIRECTIONAL_SEQUENCE_LSTM);
  sg.operators.resize(1);
  sg.outputs = {op.outputs[0]};
  lstm_only->signatures.clear();
  const auto* o = format::options_as<tfl::UnidirectionalSequenceLSTMOptionsT>(op);
  ASSERT_NE(o, nullptr);
  const LstmSpec s =
      spec_from_model(*lstm_only, op, o->fused_activation_function, o->cell_clip, o->proj_clip);
  NaiveStates st(s, 1);
  std::vector<float> want(size_t(28 * s.n_output));
  naive_lstm_sequence(s, image, nullptr, 28, 1, o->time_major, true, st, want, s.n_output);
  for (Flavor flavor : {Flavor::kFast, Flavor::kReference}) {
    runtime::InterpreterOptions options;
    options.flavor = flavor;
    auto interp = runtime::Interpreter::create(lstm_only, options);
    ASSERT_TRUE(interp.has_value()) << interp.error().message;
    auto out = run_once(**interp, {host_tensor<float>({1, 28, 28}, image)});
    ASSERT_TRUE(out.has_value()) << out.error().message;
    EXPECT_EQ(out->at(0).shape, (Shape{1, 28, s.n_output}));
    expect_near_all(out->at(0).values<float>(), want, 1e-4f);
  }

  auto whole = runtime::Interpreter::create(model);
  if (!whole && whole.error().message.find("is not supported") != std::string::npos) {
    GTEST_SKIP() << "the rest of the model needs kernels this build lacks: " << whole.error().message;
  }
  ASSERT_TRUE(whole.has_value()) << whole.error().message;
  auto out = run_once(**whole, {host_tensor<float>({1, 28, 28}, image)});
  ASSERT_TRUE(out.has_value()) << out.error().message;
  const auto scores = out->at(0).values<float>();
  ASSERT_EQ(scores.size(), 10u);
  EXPECT_EQ(std::max_element(scores.begin(), scores.end()) - scores.begin(), 9);
}

}  // namespace
}  // namespace qs::test
