#include "quant/subgraph_quantizer.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <limits>

#include "format/op_options.h"

namespace qs::quant::integer {
Grid grid_of(TensorType type) {
  switch (type) {
    case TensorType::UINT8:
      return {type, 0, 255};
    case TensorType::INT16:
      return {type, -32768, 32767};
    case TensorType::INT32:
      return {type, std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max()};
    case TensorType::INT64:
      return {type, std::numeric_limits<int64_t>::min() / 2, std::numeric_limits<int64_t>::max() / 2};
    default:
      return {TensorType::INT8, -128, 127};
  }
}

TensorType activation_type(IntegerScheme s) {
  switch (s) {
    case IntegerScheme::kInt16x8:
      return TensorType::INT16;
    case IntegerScheme::kUint8:
      return TensorType::UINT8;
    default:
      return TensorType::INT8;
  }
}

std::string type_suffix(TensorType t) {
  std::string s = format::type_name(t);
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return "_" + s;
}

// The same real grid on another integer type (int8 <-> uint8 move the zero
// point by 128).
Params on_type(Params p, TensorType from, TensorType to) {
  if (from == TensorType::INT8 && to == TensorType::UINT8) p.zero_point += 128;
  if (from == TensorType::UINT8 && to == TensorType::INT8) p.zero_point -= 128;
  return p;
}

std::vector<float> floats_of(std::span<const uint8_t> data) {
  std::vector<float> v(data.size() / sizeof(float));
  std::memcpy(v.data(), data.data(), v.size() * sizeof(float));
  return v;
}

template <class T>
format::Bytes bytes_of(const std::vector<int64_t>& q) {
  std::vector<uint8_t> out(q.size() * sizeof(T));
  for (size_t i = 0; i < q.size(); ++i) {
    const auto v = static_cast<T>(q[i]);
    std::memcpy(out.data() + i * sizeof(T), &v, sizeof(T));
  }
  return format::Bytes::own(std::move(out));
}

format::Bytes integer_bytes(TensorType type, const std::vector<int64_t>& q) {
  switch (type) {
    case TensorType::UINT8:
      return bytes_of<uint8_t>(q);
    case TensorType::INT16:
      return bytes_of<int16_t>(q);
    case TensorType::INT32:
      return bytes_of<int32_t>(q);
    case TensorType::INT64:
      return bytes_of<int64_t>(q);
    default:
      return bytes_of<int8_t>(q);
  }
}

bool is_activation(const format::Model& m, const format::Tensor& t) {
  return t.type == TensorType::FLOAT32 && !t.is_variable && m.tensor_data(t).empty();
}

Status SubgraphQuantizer::decide() {
  const size_t n = sg_.tensors.size();
  params_.assign(n, std::nullopt);
  producer_.assign(n, -1);
  readers_.assign(n, 0);
  for (size_t o = 0; o < sg_.operators.size(); ++o) {
    for (int32_t t : sg_.operators[o].outputs)
      if (t >= 0) producer_[static_cast<size_t>(t)] = static_cast<int>(o);
    for (int32_t t : sg_.operators[o].inputs)
      if (t >= 0) ++readers_[static_cast<size_t>(t)];
  }
  quantized_.assign(sg_.operators.size(), false);
  float_op_.assign(sg_.operators.size(), false);
  for (size_t o = 0; o < sg_.operators.size(); ++o) {
    const format::Operator& op = sg_.operators[o];
    float_op_[o] = touches_float(op) && !fold_.dropped.contains({s_, static_cast<int>(o)});
    if (!float_op_[o]) continue;
    std::string why = why_float(o);
    if (why.empty()) {
      quantized_[o] = true;
      ++quantized_ops;
      set_output_params(o);
    } else {
      kept_float.push_back(
          cat("op #", o, " ", format::op_name(op.code.builtin), " ('", first_output_name(op), "'): ", why));
    }
  }
  // Integer model inputs and outputs need parameters whatever reads or
  // writes them.
  if (entry_) {
    for (int32_t t : sg_.inputs) {
      if (is_activation_index(t) && io_type(t) != TensorType::FLOAT32 && !params_of(t))
        return fail(
            cat("input '", name(t), "': no range to quantize it with (calibrate, or give --mean-std)"));
    }
    for (int32_t t : sg_.outputs) {
      if (is_activation_index(t) && io_type(t) != TensorType::FLOAT32 && !params_of(t))
        return fail(cat("output '", name(t), "': no range to quantize it with"));
    }
  }
  return {};
}

void SubgraphQuantizer::rewrite() {
  std::vector<format::Operator> out;
  const std::vector<format::Operator> ops = sg_.operators;
  // Home types first: views are made against them.
  home_.assign(sg_.tensors.size(), TensorType::FLOAT32);
  for (size_t t = 0; t < sg_.tensors.size(); ++t) {
    if (!is_activation(m_, sg_.tensors[t])) continue;
    const int p = producer_[t];
    home_[t] = p >= 0 && quantized_[static_cast<size_t>(p)] ? act_ : TensorType::FLOAT32;
  }
  if (entry_) {
    for (const auto* list : {&sg_.inputs, &sg_.outputs}) {
      for (int32_t t : *list)
        if (is_activation(m_, sg_.tensors[static_cast<size_t>(t)]))
          home_[static_cast<size_t>(t)] = io_type(t);
    }
  }
  for (size_t t = 0; t < sg_.tensors.size(); ++t) {
    if (home_[t] != TensorType::FLOAT32) retype(static_cast<int32_t>(t), home_[t]);
  }
  for (int32_t t = 0; t < static_cast<int32_t>(sg_.tensors.size()); ++t) {
    if (home_[static_cast<size_t>(t)] != TensorType::FLOAT32)
      views_[{t, key_of(t, home_[static_cast<size_t>(t)])}] = t;
  }

  for (size_t o = 0; o < ops.size(); ++o) {
    format::Operator op = ops[o];
    if (fold_.dropped.contains({s_, static_cast<int>(o)})) {
      plan_.warnings.push_back(
          cat("FAKE_QUANT op #", o, " removed: its range now lives in the integer tensors"));
      continue;
    }
    if (!float_op_[o]) {
      out.push_back(std::move(op));
      continue;
    }
    const bool q = quantized_[o];
    const bool recurrent = q && recurrent_kind(op) != Recurrent::kNone;
    const auto rule = op_rule(op.code.builtin);
    std::vector<format::Operator> after;
    if (recurrent) rewrite_recurrent(op, out);
    for (size_t i = 0; i < op.inputs.size() && !recurrent; ++i) {
      const int32_t t = op.inputs[i];
      if (t < 0 || original_type(t) != TensorType::FLOAT32) continue;
      if (!q) {
        if (is_activation_index(t)) op.inputs[i] = view(t, TensorType::FLOAT32, {}, out);
        continue;
      }
      if (rule->weighted() && static_cast<int>(i) == rule->weight_input) {
        op.inputs[i] = quantize_weight(o, op, *rule);
      } else if (rule->weighted() && static_cast<int>(i) == rule->bias_input) {
        const auto done = bias_slot_.find(o);
        op.inputs[i] = done != bias_slot_.end() ? done->second : quantize_bias(o, op, *rule);
      } else if (is_activation_index(t)) {
        op.inputs[i] = view(t, act_, needed_params(o, *rule, t), out);
      } else {
        op.inputs[i] = quantize_constant(o, *rule, t);
      }
    }
    for (size_t k = 0; k < op.outputs.size(); ++k) {
      const int32_t t = op.outputs[k];
      if (t < 0 || !is_activation_index(t)) continue;
      const TensorType made = q ? act_ : TensorType::FLOAT32;
      if (made == home_[static_cast<size_t>(t)]) continue;
      // A model output of another type than its producer makes: the
      // producer writes a copy, converted into the output right after.
      const int32_t copy = new_view(t, made, made == TensorType::FLOAT32 ? std::nullopt : params_of(t));
      op.outputs[k] = copy;
      after.push_back(conversion(copy, t, "to the model output's type"));
    }
    if (q && !recurrent) adjust_options(op);
    out.push_back(std::move(op));
    for (auto& c : after) out.push_back(std::move(c));
  }
  sg_.operators = std::move(out);
  // Inserted ops are numbered in the final list.
  for (size_t i = 0; i < sg_.operators.size(); ++i) {
    for (auto& ins : plan_.inserted) {
      if (ins.subgraph == s_ && ins.op < 0 && sg_.operators[i].outputs.size() == 1 &&
          sg_.operators[i].outputs[0] == ins.output)
        ins.op = static_cast<int>(i);
    }
  }
}

std::string SubgraphQuantizer::first_output_name(const format::Operator& op) const {
  return !op.outputs.empty() && op.outputs[0] >= 0 ? name(op.outputs[0]) : std::string();
}

TensorType SubgraphQuantizer::original_type(int32_t t) const {
  auto it = original_types_.find(t);
  return it != original_types_.end() ? it->second : sg_.tensors[static_cast<size_t>(t)].type;
}

bool SubgraphQuantizer::is_activation_index(int32_t t) const {
  const format::Tensor& x = sg_.tensors[static_cast<size_t>(t)];
  return original_type(t) == TensorType::FLOAT32 && !x.is_variable && m_.tensor_data(x).empty();
}

bool SubgraphQuantizer::touches_float(const format::Operator& op) const {
  for (const auto* list : {&op.inputs, &op.outputs}) {
    for (int32_t t : *list)
      if (t >= 0 && sg_.tensors[static_cast<size_t>(t)].type == TensorType::FLOAT32) return true;
  }
  return false;
}

bool SubgraphQuantizer::is_io(const std::vector<int32_t>& list, int32_t t) const {
  return std::find(list.begin(), list.end(), t) != list.end();
}

TensorType SubgraphQuantizer::io_type(int32_t t) const {
  if (is_io(sg_.inputs, t)) return opt_.input_type;
  if (is_io(sg_.outputs, t)) return opt_.output_type;
  return TensorType::FLOAT32;
}

std::optional<Params> SubgraphQuantizer::grid_params(double lo, double hi, std::string origin) const {
  const calib::QuantGrid g = calib::make_grid(lo, hi, bits_);
  Params p{g.scale, g.zero_point, std::make_pair(lo, hi), std::move(origin)};
  if (act_ == TensorType::UINT8) p.zero_point += 128;
  return p;
}

std::optional<Params> SubgraphQuantizer::range_params(int32_t t) const {
  const format::Tensor& x = sg_.tensors[static_cast<size_t>(t)];
  if (entry_ && is_io(sg_.inputs, t)) {
    for (const auto& ms : opt_.mean_std) {
      if (ms.input != x.name) continue;
      if (act_ == TensorType::INT16) {
        // Symmetric 16 bit: the range the mean/std_dev pair spans on 8 bits.
        return grid_params((0 - ms.mean) / ms.std_dev, (255 - ms.mean) / ms.std_dev,
                           cat("mean ", ms.mean, ", std_dev ", ms.std_dev, " (as a range)"));
      }
      Params p{1.0 / ms.std_dev, static_cast<int64_t>(ms.mean), std::nullopt,
               cat("mean ", ms.mean, ", std_dev ", ms.std_dev, ": scale 1/std_dev, zero point mean")};
      if (act_ == TensorType::INT8) p.zero_point -= 128;
      p.range = std::make_pair((grid_of(act_).qmin - p.zero_point) * p.scale,
                               (grid_of(act_).qmax - p.zero_point) * p.scale);
      return p;
    }
  }
  if (auto it = fold_.ranges.find({s_, t}); it != fold_.ranges.end()) {
    return grid_params(it->second.lo, it->second.hi, it->second.origin);
  }
  if (opt_.stats != nullptr) {
    if (const calib::TensorRecord* rec = opt_.stats->find(calib::TensorKey{s_, t});
        rec != nullptr && rec->stats.count > 0) {
      auto it = opt_.method_for.find(x.name);
      const calib::RangeMethod method = it != opt_.method_for.end() ? it->second : opt_.method;
      const calib::RangeChoice c = calib::choose_range(rec->stats, method, bits_, opt_.method_options);
      return grid_params(c.lo, c.hi,
                         cat(calib::method_name(method), " on ", opt_.stats->samples, " samples: [", c.lo,
                             ", ", c.hi, "], ", 100 * c.clipped, "% clipped"));
    }
  }
  if (x.quantization && x.quantization->min.size() == 1 && x.quantization->max.size() == 1) {
    const double lo = x.quantization->min[0];
    const double hi = x.quantization->max[0];
    return grid_params(lo, hi, cat("min/max stored in the model: [", lo, ", ", hi, "]"));
  }
  if (opt_.default_range) {
    return grid_params(opt_.default_range->first, opt_.default_range->second,
                       cat("--default-range [", opt_.default_range->first, ", ", opt_.default_range->second,
                           "]: no statistics for this tensor"));
  }
  return std::nullopt;
}

std::optional<Params> SubgraphQuantizer::params_of(int32_t t) {
  auto& p = params_[static_cast<size_t>(t)];
  if (!p) p = range_params(t);
  return p;
}

std::string SubgraphQuantizer::why_float(size_t o) {
  const format::Operator& op = sg_.operators[o];
  const std::string type = format::op_name(op.code.builtin);
  if (opt_.keep_float.op_types.contains(type)) return "kept float (by op type)";
  if (s_ == 0 && opt_.keep_float.op_indices.contains(static_cast<int>(o))) return "kept float (by op index)";
  for (int32_t t : op.outputs) {
    if (t >= 0 && opt_.keep_float.tensors.contains(name(t)))
      return cat("kept float (by tensor '", name(t), "')");
  }
  if (recurrent_kind(op) != Recurrent::kNone) return why_recurrent_float(op);
  const auto rule = op_rule(op.code.builtin);
  if (!rule) return "no integer rule for this op";
  if (!rule->supports(opt_.scheme)) return cat("TFLite has no ", scheme_name(opt_.scheme), " kernel for it");
  for (int32_t t : op.outputs) {
    if (t < 0) continue;
    const bool real = is_activation_index(t);
    if (rule->output == OutputRule::kNone && real) return cat("output '", name(t), "' is float");
    if (rule->output != OutputRule::kNone && !real)
      return cat("output '", name(t), "' is not a float activation");
  }
  for (size_t i = 0; i < op.inputs.size(); ++i) {
    const int32_t t = op.inputs[i];
    if (t < 0) continue;
    const format::Tensor& x = sg_.tensors[static_cast<size_t>(t)];
    if (x.is_variable) return cat("input '", x.name, "' is a variable");
    if (rule->weighted() && static_cast<int>(i) == rule->weight_input && x.type != TensorType::FLOAT32)
      return cat("filter '", x.name, "' is already ", format::type_name(x.type));
    if (x.type != TensorType::FLOAT32) continue;
    const bool constant = !m_.tensor_data(x).empty();
    if (rule->weighted() &&
        (static_cast<int>(i) == rule->weight_input || static_cast<int>(i) == rule->bias_input)) {
      if (!constant)
        return cat(static_cast<int>(i) == rule->weight_input ? "filter" : "bias", " '", x.name,
                   "' is not constant");
      continue;
    }
    if (!constant && !params_of(t)) return cat("no range for input '", x.name, "'");
  }
  if (rule->weighted()) {
    const int32_t in = op.inputs.size() > static_cast<size_t>(rule->data_input)
                           ? op.inputs[static_cast<size_t>(rule->data_input)]
                           : -1;
    if (in < 0 || !is_activation_index(in)) return "its data input is not a float activation";
    if (static_cast<size_t>(rule->weight_input) >= op.inputs.size() ||
        op.inputs[static_cast<size_t>(rule->weight_input)] < 0)
      return "it has no filter";
  }
  if (op.code.builtin == BuiltinOp::RSQRT && !op.inputs.empty() && op.inputs[0] >= 0) {
    const auto p = params_of(op.inputs[0]);
    if (p && p->range && p->range->first <= 0)
      return "TFLite's integer RSQRT needs positive inputs, and the input's range reaches 0 or below";
  }
  if (rule->output == OutputRule::kOwnRange || rule->output == OutputRule::kShared) {
    for (int32_t t : op.outputs) {
      if (t >= 0 && !params_of(t)) return cat("no range for output '", name(t), "'");
    }
  }
  if (rule->output == OutputRule::kSameAsInput) {
    const auto d = static_cast<size_t>(rule->data_input);
    if (d >= op.inputs.size() || op.inputs[d] < 0 ||
        sg_.tensors[static_cast<size_t>(op.inputs[d])].type != TensorType::FLOAT32)
      return "its data input is not float";
    if (!is_activation_index(op.inputs[d])) return "its data input is a constant";
  }
  return {};
}

void SubgraphQuantizer::set_output_params(size_t o) {
  const format::Operator& op = sg_.operators[o];
  if (recurrent_kind(op) != Recurrent::kNone) {
    set_recurrent_output_params(op);
    return;
  }
  const OpRule rule = *op_rule(op.code.builtin);
  if (rule.output == OutputRule::kNone) return;
  for (int32_t t : op.outputs) {
    if (t < 0) continue;
    auto& p = params_[static_cast<size_t>(t)];
    switch (rule.output) {
      case OutputRule::kFixed: {
        const FixedParams f = fixed_output(op.code.builtin, opt_.scheme);
        p = Params{
            f.scale, f.zero_point, std::nullopt,
            cat("fixed by ", format::op_name(op.code.builtin), "'s ", scheme_name(opt_.scheme), " kernel")};
        break;
      }
      case OutputRule::kSameAsInput: {
        const int32_t in = op.inputs[static_cast<size_t>(rule.data_input)];
        p = *params_of(in);
        p->origin =
            cat("same as input '", name(in), "' (", format::op_name(op.code.builtin), " keeps the scale)");
        break;
      }
      case OutputRule::kNone:
      case OutputRule::kOwnRange:
      case OutputRule::kShared:
        p = params_of(t);
    }
  }
}

Params SubgraphQuantizer::needed_params(size_t o, const OpRule& rule, int32_t t) {
  if (rule.output == OutputRule::kShared) return *params_[static_cast<size_t>(sg_.operators[o].outputs[0])];
  return *params_of(t);
}

SubgraphQuantizer::ViewKey SubgraphQuantizer::key_of(int32_t t, TensorType type) {
  if (type == TensorType::FLOAT32) return {static_cast<int>(type), 0, 0};
  const Params p = on_type(*params_of(t), act_, type);
  return {static_cast<int>(type), p.scale, p.zero_point};
}

void SubgraphQuantizer::set_quantization(format::Tensor& x, const Params& p) {
  format::Quantization q;
  q.scale = {static_cast<float>(p.scale)};
  q.zero_point = {p.zero_point};
  if (p.range) {
    q.min = {static_cast<float>(p.range->first)};
    q.max = {static_cast<float>(p.range->second)};
  }
  x.quantization = q;
}

void SubgraphQuantizer::record(int32_t t, TensorType to, const Params& p, std::string origin) {
  plan_.tensors.push_back({s_,
                           t,
                           name(t),
                           TensorType::FLOAT32,
                           to,
                           {static_cast<float>(p.scale)},
                           {p.zero_point},
                           0,
                           std::move(origin)});
}

void SubgraphQuantizer::retype(int32_t t, TensorType type) {
  format::Tensor& x = sg_.tensors[static_cast<size_t>(t)];
  original_types_[t] = x.type;
  const Params p = on_type(*params_of(t), act_, type);
  x.type = type;
  set_quantization(x, p);
  record(t, type, p, p.origin);
}

int32_t SubgraphQuantizer::new_view(int32_t t, TensorType type, const std::optional<Params>& p,
                                    const std::string& suffix) {
  format::Tensor copy = sg_.tensors[static_cast<size_t>(t)];
  copy.name += suffix.empty() ? type_suffix(type) : suffix;
  copy.type = type;
  copy.buffer = 0;
  copy.quantization.reset();
  const auto index = static_cast<int32_t>(sg_.tensors.size());
  if (p) {
    const Params on = on_type(*p, act_, type);
    set_quantization(copy, on);
    original_types_[index] = TensorType::FLOAT32;
    sg_.tensors.push_back(std::move(copy));
    record(index, type, on, on.origin);
  } else {
    original_types_[index] = TensorType::FLOAT32;
    sg_.tensors.push_back(std::move(copy));
  }
  params_.push_back(p);
  home_.push_back(type);
  producer_.push_back(-1);
  readers_.push_back(0);
  views_[{t, p ? ViewKey{static_cast<int>(type), on_type(*p, act_, type).scale,
                         on_type(*p, act_, type).zero_point}
               : ViewKey{static_cast<int>(type), 0, 0}}] = index;
  return index;
}

format::Operator SubgraphQuantizer::conversion(int32_t from, int32_t to, const std::string& why) {
  format::Operator op;
  const bool to_float = sg_.tensors[static_cast<size_t>(to)].type == TensorType::FLOAT32;
  op.code = {to_float ? BuiltinOp::DEQUANTIZE : BuiltinOp::QUANTIZE, "", 1};
  op.inputs = {from};
  op.outputs = {to};
  plan_.inserted.push_back({s_, -1, format::op_name(op.code.builtin), from, to, why});
  return op;
}

int32_t SubgraphQuantizer::view(int32_t t, TensorType type, std::optional<Params> p,
                                std::vector<format::Operator>& out) {
  ViewKey key{static_cast<int>(type), 0, 0};
  if (type != TensorType::FLOAT32) {
    const Params on = on_type(*p, act_, type);
    key = {static_cast<int>(type), on.scale, on.zero_point};
  }
  if (home_[static_cast<size_t>(t)] == TensorType::FLOAT32 && type == TensorType::FLOAT32) return t;
  if (auto it = views_.find({t, key}); it != views_.end()) return it->second;
  // Converted from the tensor as it is stored at its index.
  const bool requantize = type != TensorType::FLOAT32 && home_[static_cast<size_t>(t)] == type;
  if (p && requantize) {
    p->origin = cat("requantized for its reader (", p->origin, ")");
  }
  const int32_t v = new_view(t, type, p, requantize ? "_requantized" : std::string());
  out.push_back(conversion(t, v,
                           type == TensorType::FLOAT32 ? cat("float input of an op kept float")
                           : requantize                ? "the reader needs the output's scale"
                                                       : "integer input of a quantized op"));
  return v;
}

int32_t SubgraphQuantizer::writable_constant(int32_t t) {
  if (readers_[static_cast<size_t>(t)] <= 1) {
    replaced_.insert(sg_.tensors[static_cast<size_t>(t)].buffer);
    original_types_[t] = TensorType::FLOAT32;
    return t;
  }
  format::Tensor copy = sg_.tensors[static_cast<size_t>(t)];
  const auto index = static_cast<int32_t>(sg_.tensors.size());
  sg_.tensors.push_back(std::move(copy));
  original_types_[index] = TensorType::FLOAT32;
  params_.push_back(std::nullopt);
  home_.push_back(TensorType::FLOAT32);
  producer_.push_back(-1);
  readers_.push_back(0);
  return index;
}

void SubgraphQuantizer::store(int32_t t, TensorType type, const std::vector<int64_t>& q,
                              format::Quantization quant, std::string origin) {
  format::Tensor& x = sg_.tensors[static_cast<size_t>(t)];
  x.type = type;
  x.buffer = m_.add_buffer(integer_bytes(type, q));
  plan_.tensors.push_back({s_, t, x.name, TensorType::FLOAT32, type, quant.scale, quant.zero_point,
                           quant.quantized_dimension, std::move(origin)});
  x.quantization = std::move(quant);
}

SubgraphQuantizer::Filter& SubgraphQuantizer::filter_of(size_t o, const format::Operator& op,
                                                        const OpRule& rule) {
  auto it = filters_.find(o);
  if (it != filters_.end()) return it->second;
  Filter f;
  const int32_t w = sg_.operators[o].inputs[static_cast<size_t>(rule.weight_input)];
  const format::Tensor& x = sg_.tensors[static_cast<size_t>(w)];
  f.values = floats_of(m_.tensor_data(x));
  const bool per_tensor = opt_.scheme == IntegerScheme::kUint8 ||
                          opt_.per_tensor_ops.contains(format::op_name(op.code.builtin)) ||
                          rule.weight_axis >= static_cast<int>(x.shape.size());
  f.axis = per_tensor ? -1 : rule.weight_axis;
  f.layout = ChannelLayout::of(x.shape, f.axis, f.values.size());
  if (opt_.scheme != IntegerScheme::kUint8) f.scales = symmetric_scales(f.values, f.layout);
  return filters_.emplace(o, std::move(f)).first->second;
}

double SubgraphQuantizer::input_scale(size_t o, const OpRule& rule) {
  const int32_t in = sg_.operators[o].inputs[static_cast<size_t>(rule.data_input)];
  return params_of(in)->scale;
}

int32_t SubgraphQuantizer::quantize_bias(size_t o, const format::Operator& op, const OpRule& rule) {
  const int32_t b = sg_.operators[o].inputs[static_cast<size_t>(rule.bias_input)];
  Filter& f = filter_of(o, op, rule);
  if (f.scales.empty()) uint8_filter_params(f);
  std::vector<float> bias = floats_of(m_.tensor_data(sg_.tensors[static_cast<size_t>(b)]));
  const double s_in = input_scale(o, rule);
  const bool corrected = correct_bias(o, rule, f, bias);
  const bool wide = opt_.scheme == IntegerScheme::kInt16x8;
  const TensorType type = wide ? TensorType::INT64 : TensorType::INT32;
  const auto limit = static_cast<double>(std::numeric_limits<int32_t>::max());
  const bool per_channel = f.scales.size() > 1 && f.scales.size() == bias.size();
  std::vector<int64_t> q(bias.size());
  std::vector<float> scales;
  size_t widened = 0;
  for (size_t c = 0; c < bias.size(); ++c) {
    float& s_w = f.scales[per_channel ? c : 0];
    // A bias too large for int32 at s_in·s_w: widen the weight scale
    // until it fits, as TFLite's converter does (the weights lose
    // resolution instead of the bias saturating).
    if (!wide && std::abs(bias[c]) / (s_in * s_w) > limit) {
      s_w = static_cast<float>(std::abs(bias[c]) / (s_in * limit) * (1 + 1e-6));
      ++widened;
    }
  }
  const auto scale_of = [&](size_t c) { return static_cast<float>(s_in * f.scales[per_channel ? c : 0]); };
  for (size_t c = 0; c < bias.size(); ++c) {
    const double v = std::round(static_cast<double>(bias[c]) * (1.0 / static_cast<double>(scale_of(c))));
    // int64 biases (16x8) saturate at ±2^62: far beyond any accumulator,
    // and a conversion out of int64's range would be undefined.
    const double bound = wide ? 4.6116860184273879e18 : limit;
    q[c] = static_cast<int64_t>(std::clamp(v, -bound, bound));
  }
  if (per_channel) {
    for (size_t c = 0; c < bias.size(); ++c) scales.push_back(scale_of(c));
  } else {
    scales = {scale_of(0)};
  }
  const int32_t slot = writable_constant(b);
  format::Quantization quant;
  quant.scale = scales;
  quant.zero_point.assign(scales.size(), 0);
  quant.quantized_dimension = 0;
  store(slot, type, q, quant,
        cat("bias of ", format::op_name(op.code.builtin), ": ", wide ? "int64" : "int32",
            " at input scale × weight scale", per_channel ? " per channel" : "",
            corrected ? "; corrected for the filter's rounding (its mean effect at the input's mean)" : "",
            widened > 0 ? cat("; ", widened, " weight scale(s) widened so the bias fits int32")
                        : std::string()));
  return slot;
}

bool SubgraphQuantizer::correct_bias(size_t o, const OpRule& rule, const Filter& f, std::vector<float>& bias) const {
  if (opt_.scheme != IntegerScheme::kUint8 || opt_.stats == nullptr) return false;
  const format::Operator& op = sg_.operators[o];
  const int32_t in = op.inputs[static_cast<size_t>(rule.data_input)];
  const calib::TensorRecord* rec = opt_.stats->find(calib::TensorKey{s_, in});
  const int32_t w = op.inputs[static_cast<size_t>(rule.weight_input)];
  const auto layout =
      ChannelLayout::of(sg_.tensors[static_cast<size_t>(w)].shape, rule.weight_axis, f.values.size());
  if (rec == nullptr || rec->stats.count == 0 || layout.channels != bias.size()) return false;
  // Output channel c is off by Σ_k ΔW_ck · x_k; its expectation with every
  // input at the input tensor's mean is what the bias gives back.
  const double mean = rec->stats.mean();
  const auto q = quantize_affine(f.values, f.scales[0], f.zero_point, 0, 255);
  std::vector<double> shift(bias.size(), 0.0);
  for (size_t i = 0; i < f.values.size(); ++i) {
    shift[layout.channel_of(i)] += static_cast<double>(q[i] - f.zero_point) * f.scales[0] - f.values[i];
  }
  for (size_t c = 0; c < bias.size(); ++c) bias[c] = static_cast<float>(bias[c] - mean * shift[c]);
  return true;
}

void SubgraphQuantizer::uint8_filter_params(Filter& f) {
  const auto [lo, hi] = mse_range(f.values, 255);
  const calib::QuantGrid g = calib::make_grid(lo, hi, calib::Bits::kInt8);
  f.scales = {static_cast<float>(g.scale)};
  f.zero_point = g.zero_point + 128;
  f.range = {lo, hi};
}

int32_t SubgraphQuantizer::quantize_weight(size_t o, const format::Operator& op, const OpRule& rule) {
  Filter& f = filter_of(o, op, rule);
  if (f.scales.empty()) uint8_filter_params(f);
  // The bias comes first in this op's slot order only in TRANSPOSE_CONV;
  // it may widen the scales, so settle it before quantizing the filter.
  if (rule.bias_input >= 0 && static_cast<size_t>(rule.bias_input) < op.inputs.size() &&
      op.inputs[static_cast<size_t>(rule.bias_input)] >= 0 && !bias_done_.contains(o)) {
    bias_done_.insert(o);
    bias_slot_[o] = quantize_bias(o, op, rule);
  }
  const int32_t w = sg_.operators[o].inputs[static_cast<size_t>(rule.weight_input)];
  const int32_t slot = writable_constant(w);
  format::Quantization quant;
  quant.scale = f.scales;
  std::vector<int64_t> q;
  TensorType type = TensorType::INT8;
  std::string how;
  if (opt_.scheme == IntegerScheme::kUint8) {
    type = TensorType::UINT8;
    q = quantize_affine(f.values, f.scales[0], f.zero_point, 0, 255);
    quant.zero_point = {f.zero_point};
    how = cat("uint8 asymmetric per tensor, least-squares range [", f.range.first, ", ", f.range.second, "]");
  } else {
    const auto q8 = quantize_with_scales(f.values, f.layout, f.scales);
    q.assign(q8.begin(), q8.end());
    quant.zero_point.assign(f.scales.size(), 0);
    quant.quantized_dimension = std::max(f.axis, 0);
    how = f.axis < 0 ? "int8 symmetric per tensor, max|w|/127"
                     : cat("int8 symmetric per channel (axis ", f.axis, "), max|w|/127");
  }
  store(slot, type, q, quant, cat("filter of ", format::op_name(op.code.builtin), ": ", how));
  return slot;
}

int32_t SubgraphQuantizer::quantize_constant(size_t o, const OpRule& rule, int32_t t) {
  const format::Operator& op = sg_.operators[o];
  const std::vector<float> values = floats_of(m_.tensor_data(sg_.tensors[static_cast<size_t>(t)]));
  Params p;
  if (rule.output == OutputRule::kShared) {
    p = *params_[static_cast<size_t>(op.outputs[0])];
    p.origin = "the op's output parameters (shared)";
  } else if (rule.output == OutputRule::kSameAsInput) {
    p = *params_of(op.inputs[static_cast<size_t>(rule.data_input)]);
    p.origin = "the data input's parameters";
  } else {
    float lo = 0;
    float hi = 0;
    for (float v : values) {
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
    p = *grid_params(lo, hi, cat("own min/max [", lo, ", ", hi, "]"));
  }
  const int32_t slot = writable_constant(t);
  const Grid g = grid_of(act_);
  format::Quantization quant;
  quant.scale = {static_cast<float>(p.scale)};
  quant.zero_point = {p.zero_point};
  store(slot, act_, quantize_affine(values, p.scale, p.zero_point, g.qmin, g.qmax), quant,
        cat("constant operand of ", format::op_name(op.code.builtin), ": ", p.origin));
  return slot;
}

void SubgraphQuantizer::adjust_options(format::Operator& op) {
  if (opt_.scheme != IntegerScheme::kInt16x8) return;
  // 16x8 ADD/SUB use the general-scale kernel; the schema's default
  // (power-of-two scales only) would reject calibrated scales.
  if (op.code.builtin == BuiltinOp::ADD) {
    tfl::AddOptionsT o;
    if (const auto* cur = format::options_as<tfl::AddOptionsT>(op)) o = *cur;
    o.pot_scale_int16 = false;
    op.options = format::make_options(std::move(o));
  } else if (op.code.builtin == BuiltinOp::SUB) {
    tfl::SubOptionsT o;
    if (const auto* cur = format::options_as<tfl::SubOptionsT>(op)) o = *cur;
    o.pot_scale_int16 = false;
    op.options = format::make_options(std::move(o));
  }
}

}  // namespace qs::quant::integer
