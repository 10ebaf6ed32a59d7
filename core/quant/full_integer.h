#pragma once
// The full-integer modes: `int8` (TFLite's Optimize.DEFAULT with
// representative data), `int16x8` (16-bit activations, 8-bit weights) and
// `uint8` (legacy QUANTIZED_UINT8 with mean/std_dev inputs).
//
// Every op with a rule (quant/op_rules) and a kernel for the scheme runs on
// integers: activations get their parameters from a range (calibration
// statistics with a range method, min/max stored in the model, the input's
// mean/std_dev, or a default range), weights are symmetric int8 per channel
// (uint8: asymmetric per tensor), biases int32 (int64 for 16x8) at
// s_in·s_w. Everything else stays float behind DEQUANTIZE/QUANTIZE ops, or,
// with `strict`, the run fails listing each such op. Model inputs and
// outputs are float32 unless asked otherwise.
//
// Tensors keep their indices: a tensor lives in its producer's type, and
// a consumer of the other kind reads a converted copy (`<name>_int8`,
// `<name>_requantized`, ...). A model input or output keeps the index and
// name with the I/O type asked for, so signatures stay valid.

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "calib/range_methods.h"
#include "calib/stats_file.h"
#include "common/status.h"
#include "format/model.h"
#include "quant/model_edit.h"
#include "quant/op_rules.h"

namespace qs::quant {

// real = (q − mean) / std_dev for one model input.
struct InputMeanStd {
  std::string input;  // the input tensor's name
  double mean = 0;
  double std_dev = 1;
};

struct KeepFloat {
  std::set<std::string> op_types;  // "SOFTMAX"
  std::set<std::string> tensors;   // an op is kept when it writes one of these
  std::set<int> op_indices;        // in subgraph 0
  bool empty() const { return op_types.empty() && tensors.empty() && op_indices.empty(); }
};

struct FullIntegerOptions {
  IntegerScheme scheme = IntegerScheme::kInt8;
  bool strict = false;  // fail instead of keeping an op float
  // FLOAT32 or the scheme's integer type (int8 also takes UINT8).
  format::TensorType input_type = format::TensorType::FLOAT32;
  format::TensorType output_type = format::TensorType::FLOAT32;

  const calib::StatsSet* stats = nullptr;  // checked against the model by the caller
  calib::RangeMethod method = calib::RangeMethod::kMinMax;
  calib::MethodOptions method_options;
  std::map<std::string, calib::RangeMethod> method_for;  // tensor name -> method
  std::vector<InputMeanStd> mean_std;
  std::optional<std::pair<double, double>> default_range;  // for tensors with no other
  KeepFloat keep_float;
  std::set<std::string> per_tensor_ops;  // weighted op types quantized per tensor ("FULLY_CONNECTED")
  std::string tool = "quantscope";
};

// Fails (nothing written, nothing half-done) on an option that names
// nothing in the model, a std_dev ≤ 0 or a mean outside the input type, an
// I/O type the scheme cannot have, an activation with no range under
// `strict`, or, with `strict`, on ops that would stay float (all listed).
Result<QuantizedModel> to_full_integer(const format::Model& model, const FullIntegerOptions& options);

}  // namespace qs::quant
