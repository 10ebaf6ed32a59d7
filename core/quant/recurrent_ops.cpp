// SVDF and the full LSTMs in int8 (SubgraphQuantizer's recurrent part):
// TFLite's quantizer takes them tensor by tensor
// (tools/optimize/operator_property.cc, quantize_model.cc): the kernels
// read int8 activations, 16-bit states and a mix of 8, 10, 16 and 32-bit
// constants, several with scales derived from others.

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

#include "quant/subgraph_quantizer.h"

namespace qs::quant::integer {

SubgraphQuantizer::Recurrent SubgraphQuantizer::recurrent_kind(const format::Operator& op) {
  const auto b = op.code.builtin;
  if ((b == BuiltinOp::LSTM && (op.inputs.size() == 24 || op.inputs.size() == 20)) ||
      (b == BuiltinOp::UNIDIRECTIONAL_SEQUENCE_LSTM && op.inputs.size() == 24))
    return Recurrent::kLstm;
  if (b == BuiltinOp::SVDF && op.inputs.size() == 5) return Recurrent::kSvdf;
  return Recurrent::kNone;
}

int32_t SubgraphQuantizer::slot(const format::Operator& op, size_t i) {
  return i < op.inputs.size() ? op.inputs[i] : -1;
}

std::optional<std::pair<double, double>> SubgraphQuantizer::raw_range(int32_t t) const {
  const auto p = range_params(t);
  return p ? p->range : std::nullopt;
}

std::string SubgraphQuantizer::why_recurrent_float(const format::Operator& op) {
  if (opt_.scheme != IntegerScheme::kInt8)
    return cat("TFLite's integer ", format::op_name(op.code.builtin), " kernel takes int8 activations only");
  const int32_t in = slot(op, 0);
  if (in < 0 || !is_activation_index(in)) return "its input is not a float activation";
  if (!params_of(in)) return cat("no range for input '", name(in), "'");
  const int32_t out = op.outputs.empty() ? -1 : op.outputs[0];
  if (out < 0 || !is_activation_index(out)) return "its output is not a float activation";
  if (!raw_range(out)) return cat("no range for output '", name(out), "'");
  const auto constant = [&](size_t i) {
    const int32_t t = slot(op, i);
    return t < 0 || (sg_.tensors[static_cast<size_t>(t)].type == TensorType::FLOAT32 &&
                     !m_.tensor_data(sg_.tensors[static_cast<size_t>(t)]).empty());
  };
  const auto state = [&](size_t i) -> std::string {
    const int32_t t = slot(op, i);
    if (t < 0 || !sg_.tensors[static_cast<size_t>(t)].is_variable ||
        sg_.tensors[static_cast<size_t>(t)].type != TensorType::FLOAT32)
      return cat("operand ", i, " is not a float state variable");
    if (!raw_range(t)) return cat("no range for state '", name(t), "'");
    return {};
  };
  if (recurrent_kind(op) == Recurrent::kSvdf) {
    for (size_t i : {1, 2, 3})
      if (!constant(i)) return cat("operand ", i, " is not a float constant");
    if (slot(op, 1) < 0 || slot(op, 2) < 0) return "it has no weights";
    return state(4);
  }
  for (size_t i : {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 20, 21, 22, 23})
    if (i < op.inputs.size() && !constant(i)) return cat("operand ", i, " is not a float constant");
  for (size_t i : {18, 19})
    if (auto why = state(i); !why.empty()) return why;
  // The integer kernel reads the scales of five intermediate tensors
  // (the layer-norm inputs and the hidden state), which only a model
  // converted for quantization carries, with their calibrated ranges.
  if (op.intermediates.size() != 5) return "it has no intermediate tensors for the integer kernel";
  for (size_t k = 0; k < 5; ++k) {
    const bool used = k < 4 ? lstm_layer_norm(op) : lstm_projection(op);
    const int32_t t = op.intermediates[k];
    if (used && (t < 0 || !raw_range(t))) return cat("no range for intermediate ", k);
  }
  return {};
}

void SubgraphQuantizer::set_recurrent_output_params(const format::Operator& op) {
  const int32_t out = op.outputs[0];
  auto r = *raw_range(out);
  std::string origin = params_of(out)->origin;
  if (recurrent_kind(op) == Recurrent::kLstm) {
    // The output and the activation state are one value: one grid over
    // both ranges (the state's also covers the very first step's input).
    const auto st = *raw_range(op.inputs[18]);
    r = {std::min(r.first, st.first), std::max(r.second, st.second)};
    origin =
        cat("shared with the activation state '", name(op.inputs[18]), "': [", r.first, ", ", r.second, "]");
  }
  params_[static_cast<size_t>(out)] = grid_params(r.first, r.second, origin);
}

float SubgraphQuantizer::symmetric_constant(format::Operator& op, size_t i, int bits, TensorType type,
                                            const std::string& what) {
  const int32_t t = op.inputs[i];
  const std::vector<float> v = floats_of(m_.tensor_data(sg_.tensors[static_cast<size_t>(t)]));
  std::vector<int64_t> q(v.size());
  float scale = 1;
  if (bits == 8) {
    // As the converter's weight quantizer: max|w| / 127, multiplying by 127 / range.
    SymmetricInt8 s8 = quantize_symmetric(v);
    q.assign(s8.values.begin(), s8.values.end());
    scale = s8.scale;
  } else {
    float range = 0;
    for (float x : v) range = std::max(range, std::abs(x));
    // 16 bits: the narrow range ±32767. 10 bits (SVDF time weights):
    // ±512 over the range, as the converter's quantizer divides it.
    const float qmax = bits == 16 ? 32767.0f : static_cast<float>(1 << (bits - 1));
    scale = range > 0 ? range / qmax : 1.0f;
    const float inverse = 1.0f / scale;
    for (size_t k = 0; k < v.size(); ++k)
      q[k] = static_cast<int64_t>(std::clamp(std::round(v[k] * inverse), -qmax, qmax));
  }
  const int32_t target = writable_constant(t);
  format::Quantization quant;
  quant.scale = {scale};
  quant.zero_point = {0};
  store(target, type, q, quant,
        cat(what, ": ", bits, "-bit symmetric per tensor, max|w|/",
            bits == 8    ? 127
            : bits == 16 ? 32767
                         : 1 << (bits - 1)));
  op.inputs[i] = target;
  return scale;
}

void SubgraphQuantizer::bias_constant(format::Operator& op, size_t i, double scale, const std::string& why) {
  const int32_t t = slot(op, i);
  if (t < 0) return;
  const std::vector<float> v = floats_of(m_.tensor_data(sg_.tensors[static_cast<size_t>(t)]));
  const auto limit = static_cast<double>(std::numeric_limits<int32_t>::max());
  std::vector<int64_t> q(v.size());
  const double inverse = 1.0 / static_cast<double>(static_cast<float>(scale));
  for (size_t k = 0; k < v.size(); ++k)
    q[k] = static_cast<int64_t>(std::clamp(std::round(static_cast<double>(v[k]) * inverse), -limit, limit));
  const int32_t target = writable_constant(t);
  format::Quantization quant;
  quant.scale = {static_cast<float>(scale)};
  quant.zero_point = {0};
  store(target, TensorType::INT32, q, quant, cat("bias: int32 at ", why));
  op.inputs[i] = target;
}

void SubgraphQuantizer::retype_internal(int32_t t, TensorType type, double scale, int64_t zero_point,
                                        std::string origin) {
  format::Tensor& x = sg_.tensors[static_cast<size_t>(t)];
  x.type = type;
  format::Quantization q;
  q.scale = {static_cast<float>(scale)};
  q.zero_point = {zero_point};
  x.quantization = q;
  plan_.tensors.push_back(
      {s_, t, x.name, TensorType::FLOAT32, type, q.scale, q.zero_point, 0, std::move(origin)});
}

double SubgraphQuantizer::magnitude(int32_t t) const {
  const auto r = *raw_range(t);
  return std::max(std::abs(r.first), std::abs(r.second));
}

void SubgraphQuantizer::rewrite_recurrent(format::Operator& op, std::vector<format::Operator>& out) {
  const int32_t in = op.inputs[0];
  const double s_in = params_of(in)->scale;
  op.inputs[0] = view(in, act_, params_of(in), out);
  if (recurrent_kind(op) == Recurrent::kSvdf) {
    symmetric_constant(op, 1, 8, TensorType::INT8, "SVDF feature weights");
    // 10 bits: the kernel keeps 6 for the sum over time.
    const float s_time = symmetric_constant(op, 2, 10, TensorType::INT16, "SVDF time weights");
    const int32_t state = op.inputs[4];
    const double s_state = magnitude(state) / 32767.0;
    retype_internal(state, TensorType::INT16, s_state, 0,
                    cat("SVDF state: int16 symmetric, max|x| / 32767 over [", raw_range(state)->first, ", ",
                        raw_range(state)->second, "]"));
    bias_constant(op, 3, static_cast<double>(s_time) * static_cast<float>(s_state),
                  "time-weight scale × state scale");
    return;
  }
  const bool ln = lstm_layer_norm(op);
  const bool projection = lstm_projection(op);
  std::array<float, 24> s{};
  for (size_t i : {1, 2, 3, 4, 5, 6, 7, 8, 16})
    if (slot(op, i) >= 0) s[i] = symmetric_constant(op, i, 8, TensorType::INT8, "LSTM weights");
  for (size_t i : {9, 10, 11})
    if (slot(op, i) >= 0) s[i] = symmetric_constant(op, i, 16, TensorType::INT16, "LSTM peephole weights");
  for (size_t i : {20, 21, 22, 23})
    if (slot(op, i) >= 0) s[i] = symmetric_constant(op, i, 16, TensorType::INT16, "LSTM layer-norm weights");
  // Activation state: the output's grid (set_recurrent_output_params).
  const Params& shared = *params_[static_cast<size_t>(op.outputs[0])];
  retype_internal(op.inputs[18], TensorType::INT8, shared.scale, shared.zero_point, shared.origin);
  // Cell state: int16 over the smallest power of two ≥ its range (at
  // least 1), so the kernel can shift instead of rescale.
  {
    const int32_t cell = op.inputs[19];
    const double m = magnitude(cell);
    int pot = 0;
    for (int k = 0; k < 10; ++k)
      if (std::pow(2.0, pot) < m) ++pot;
    retype_internal(
        cell, TensorType::INT16, std::pow(2.0, pot) / 32768.0, 0,
        cat("LSTM cell state: int16 over ±2^", pot, " (the power of two covering max|x| ", m, ")"));
  }
  std::array<double, 5> s_mid{};
  for (size_t k = 0; k < 5; ++k) {
    const int32_t t = op.intermediates[k];
    if (t < 0) continue;
    const auto r = raw_range(t);
    if (k < 4 && ln) {
      s_mid[k] = magnitude(t) / 32767.0;
      retype_internal(t, TensorType::INT16, s_mid[k], 0,
                      cat("LSTM layer-norm input ", k, ": int16 symmetric"));
    } else {
      // Without layer norm (0-3) or projection (4) the kernel ignores it.
      const auto p = r ? grid_params(r->first, r->second, "") : std::optional<Params>(Params{});
      s_mid[k] = p->scale;
      retype_internal(t, TensorType::INT8, p->scale, p->zero_point,
                      r ? cat("LSTM intermediate ", k, ": int8 from [", r->first, ", ", r->second, "]")
                        : cat("LSTM intermediate ", k, ": unused by the kernel"));
    }
  }
  for (size_t g = 0; g < 4; ++g) {
    if (ln) {
      bias_constant(op, 12 + g, static_cast<double>(s[20 + g]) * std::pow(2.0, -10),
                    "layer-norm weight scale × 2^-10");
    } else {
      bias_constant(op, 12 + g, s_in * static_cast<double>(s[1 + g]), "input scale × input-weight scale");
    }
  }
  if (projection)
    bias_constant(op, 17, static_cast<double>(s[16]) * s_mid[4], "projection-weight scale × hidden scale");
}

}  // namespace qs::quant::integer
