#pragma once
// The full-integer modes' work on one subgraph (quant/full_integer drives
// it): decide which ops run on integers and every activation's parameters,
// then rebuild the op list with the conversions. The recurrent ops' tensor
// by tensor scheme lives in recurrent_ops.cpp.

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "calib/range_methods.h"
#include "common/status.h"
#include "format/model.h"
#include "quant/fake_quant.h"
#include "quant/full_integer.h"
#include "quant/op_rules.h"
#include "quant/quant_plan.h"
#include "quant/weights.h"

namespace qs::quant::integer {

using format::BuiltinOp;
using format::TensorType;

// One tensor's integer parameters and why they are what they are.
struct Params {
  double scale = 1;
  int64_t zero_point = 0;
  std::optional<std::pair<double, double>> range;  // the real range they came from
  std::string origin;
};

struct Grid {
  TensorType type;
  int64_t qmin;
  int64_t qmax;
};

// The value range of an integer tensor type.
Grid grid_of(TensorType type);
// The activation type of a scheme: INT8, INT16, UINT8.
TensorType activation_type(IntegerScheme s);
// "_int8", "_float32", ...: the name suffix of a converted copy.
std::string type_suffix(TensorType t);
// The same real grid on another integer type (int8 <-> uint8 move the zero
// point by 128).
Params on_type(Params p, TensorType from, TensorType to);
std::vector<float> floats_of(std::span<const uint8_t> data);
// Little-endian bytes of `q` as `type`'s elements.
format::Bytes integer_bytes(TensorType type, const std::vector<int64_t>& q);
// A FLOAT32 tensor that is neither constant nor a variable.
bool is_activation(const format::Model& m, const format::Tensor& t);

// Rewrites one subgraph. Decides first (which ops run on integers, every
// activation's parameters), then rebuilds the op list with conversions.
class SubgraphQuantizer {
 public:
  SubgraphQuantizer(format::Model& m, int index, bool entry, const FullIntegerOptions& opt, QuantPlan& plan,
                    std::set<uint32_t>& replaced, const FakeQuantFold& fold)
      : fold_(fold),
        m_(m),
        sg_(m.subgraphs[static_cast<size_t>(index)]),
        s_(index),
        entry_(entry),
        opt_(opt),
        plan_(plan),
        replaced_(replaced),
        act_(activation_type(opt.scheme)),
        bits_(opt.scheme == IntegerScheme::kInt16x8 ? calib::Bits::kInt16 : calib::Bits::kInt8) {}

  // Ops kept float, as "op #3 SOFTMAX ('out'): why", for --strict.
  std::vector<std::string> kept_float;
  size_t quantized_ops = 0;

  Status decide();

  void rewrite();

 private:
  using ViewKey = std::tuple<int, double, int64_t>;  // type, scale, zero point

  const FakeQuantFold& fold_;

  format::Model& m_;
  format::Subgraph& sg_;
  int s_;
  bool entry_;
  const FullIntegerOptions& opt_;
  QuantPlan& plan_;
  std::set<uint32_t>& replaced_;
  TensorType act_;
  calib::Bits bits_;

  std::vector<std::optional<Params>> params_;  // activation parameters on `act_`
  std::vector<int> producer_;
  std::vector<int> readers_;
  std::vector<bool> quantized_;
  std::vector<bool> float_op_;  // reads or writes a float tensor (as read)
  std::vector<TensorType> home_;
  std::map<std::pair<int32_t, ViewKey>, int32_t> views_;
  std::map<int32_t, TensorType> original_types_;  // before retype()

  const std::string& name(int32_t t) const { return sg_.tensors[static_cast<size_t>(t)].name; }

  std::string first_output_name(const format::Operator& op) const;

  TensorType original_type(int32_t t) const;

  bool is_activation_index(int32_t t) const;

  bool touches_float(const format::Operator& op) const;

  bool is_io(const std::vector<int32_t>& list, int32_t t) const;

  TensorType io_type(int32_t t) const;

  // ---- deciding -------------------------------------------------------

  std::optional<Params> grid_params(double lo, double hi, std::string origin) const;

  // An activation's parameters from its own range (nullopt: none known).
  std::optional<Params> range_params(int32_t t) const;

  std::optional<Params> params_of(int32_t t);

  // Empty when op `o` can run on integers; otherwise why not.
  std::string why_float(size_t o);

  void set_output_params(size_t o);

  // What a quantized op wants activation `t` to be.
  Params needed_params(size_t o, const OpRule& rule, int32_t t);

  // ---- rewriting ------------------------------------------------------

  ViewKey key_of(int32_t t, TensorType type);

  void set_quantization(format::Tensor& x, const Params& p);

  void record(int32_t t, TensorType to, const Params& p, std::string origin);

  // Gives an activation (kept at its index) its home type.
  void retype(int32_t t, TensorType type);

  int32_t new_view(int32_t t, TensorType type, const std::optional<Params>& p,
                   const std::string& suffix = {});

  format::Operator conversion(int32_t from, int32_t to, const std::string& why);

  // Tensor `t` as `type` with `p` (integer types): the tensor itself when it
  // already is that, else a converted copy, made before its first reader.
  int32_t view(int32_t t, TensorType type, std::optional<Params> p, std::vector<format::Operator>& out);

  // In place when this slot is the constant's only reader, else a copy.
  int32_t writable_constant(int32_t t);

  void store(int32_t t, TensorType type, const std::vector<int64_t>& q, format::Quantization quant,
             std::string origin);

  // Weight scales per op, kept for the bias (which may widen them).
  struct Filter {
    int32_t tensor = -1;
    std::vector<float> values;
    ChannelLayout layout;
    std::vector<float> scales;
    int64_t zero_point = 0;         // uint8 filters only
    std::pair<float, float> range;  // uint8 filters only
    int axis = -1;
  };
  std::map<size_t, Filter> filters_;

  Filter& filter_of(size_t o, const format::Operator& op, const OpRule& rule);

  double input_scale(size_t o, const OpRule& rule);

  int32_t quantize_bias(size_t o, const format::Operator& op, const OpRule& rule);

  // Bias correction for legacy uint8 filters (one scale for the tensor,
  // so most channels get few steps and their rounding shifts the output):
  // subtracts the expected shift, each output channel's summed weight
  // rounding times the input's mean (from the statistics). False when it
  // does not apply (other schemes, no statistics).
  bool correct_bias(size_t o, const OpRule& rule, const Filter& f, std::vector<float>& bias) const;

  // Legacy uint8 filters have one scale for the whole tensor; their range
  // is the one with the least squared error (weights.h: mse_range), not
  // min/max, so that one outlier channel does not flatten the others.
  void uint8_filter_params(Filter& f);

  int32_t quantize_weight(size_t o, const format::Operator& op, const OpRule& rule);
  std::set<size_t> bias_done_;
  std::map<size_t, int32_t> bias_slot_;

  // A constant operand that is not a filter or bias.
  int32_t quantize_constant(size_t o, const OpRule& rule, int32_t t);

  // ---- recurrent ops ---------------------------------------------------
  // SVDF and the full LSTMs follow TFLite's quantizer tensor by tensor
  // (tools/optimize/operator_property.cc, quantize_model.cc): the kernels
  // take int8 activations, 16-bit states and a mix of 8, 10, 16 and 32-bit
  // constants, several with scales derived from others.

  enum class Recurrent { kNone, kLstm, kSvdf };

  static Recurrent recurrent_kind(const format::Operator& op);

  static int32_t slot(const format::Operator& op, size_t i);
  static bool lstm_layer_norm(const format::Operator& op) {
    return op.inputs.size() == 24 && op.inputs[21] >= 0;
  }
  static bool lstm_projection(const format::Operator& op) { return slot(op, 16) >= 0; }

  std::optional<std::pair<double, double>> raw_range(int32_t t) const;

  std::string why_recurrent_float(const format::Operator& op);

  void set_recurrent_output_params(const format::Operator& op);

  // Quantizes constant operand i of `op` symmetrically into `type`: 8 bits
  // as the converter's weights (max|w|/127), 16 bits over ±32767, 10 bits
  // (SVDF time weights) over ±512; returns the scale.
  float symmetric_constant(format::Operator& op, size_t i, int bits, TensorType type,
                           const std::string& what);

  void bias_constant(format::Operator& op, size_t i, double scale, const std::string& why);

  // A state or intermediate tensor, in place.
  void retype_internal(int32_t t, TensorType type, double scale, int64_t zero_point, std::string origin);

  // max|x| of a state or intermediate's range.
  double magnitude(int32_t t) const;

  void rewrite_recurrent(format::Operator& op, std::vector<format::Operator>& out);

  void adjust_options(format::Operator& op);
};

}  // namespace qs::quant::integer
