#pragma once
// Hybrid ("dynamic range") kernels: float activations, int8 constant weights
// with symmetric scales. TFLite quantizes the float input on the fly (per
// batch row for FULLY_CONNECTED / BATCH_MATMUL, per image for the
// convolutions), multiplies in int32 and scales the sums back to float. We
// follow its reference paths step for step (tensor_utils
// SymmetricQuantizeFloats / AsymmetricQuantizeFloats, fully_connected.cc
// EvalHybridDense, conv.cc EvalHybrid / EvalHybridPerChannel,
// depthwise_conv.cc EvalHybridPerChannel, batch_matmul.cc EvalHybrid) so the
// float results agree with TFLite, including the rounding of the quantized
// input. Plain loops: these models are rare and small.

#include <cstdint>
#include <span>

#include "runtime/kernels/conv_geometry.h"
#include "runtime/kernels/kernel_util.h"
#include "runtime/kernels/reference_matmul.h"

namespace qs::runtime::kernels::hybrid {

// Symmetric int8 in [-127, 127]: scale = max|v| / 127, q = round(v / scale)
// (round half away from zero). All-zero input: q = 0, scale 1.
float symmetric_quantize(std::span<const float> values, int8_t* quantized);

// Asymmetric int8 in [-128, 127] over [min(v, 0), max(v, 0)], the zero
// point nudged to an integer (from whichever end loses less), q = round(zp +
// v / scale). A constant-zero input gives q = 0, scale 1, zero point 0.
struct AsymmetricParams {
  float scale = 1.0f;
  int32_t zero_point = 0;
};
AsymmetricParams asymmetric_quantize(std::span<const float> values, int8_t* quantized);

// The fused activations TFLite's hybrid FULLY_CONNECTED applies (clamps, and
// also TANH and SIGN_BIT).
void apply_activation(tfl::ActivationFunctionType fn, std::span<float> values);

// FULLY_CONNECTED: weights [out, in] int8; `scales` has one entry
// (per-tensor) or `out` entries (per output unit).
void fully_connected(int batches, int in_features, int out_features, const float* input,
                     const int8_t* weights, std::span<const float> scales, const float* bias,
                     bool asymmetric_inputs, tfl::ActivationFunctionType activation, float* output);

// CONV_2D with one filter scale, groups == 1: symmetric per-image input.
void conv2d_per_tensor(const ConvGeometry& g, const float* input, const int8_t* filter, float filter_scale,
                       const float* bias, ActivationRange act, float* output);

// CONV_2D with per-output-channel scales (or grouped): asymmetric per-image
// input. `scales` has out_channels entries.
void conv2d_per_channel(const ConvGeometry& g, const float* input, const int8_t* filter,
                        std::span<const float> scales, const float* bias, ActivationRange act, float* output);

// DEPTHWISE_CONV_2D: asymmetric per-image input; `scales` has out_channels
// entries.
void depthwise_conv2d(const ConvGeometry& g, const float* input, const int8_t* filter,
                      std::span<const float> scales, const float* bias, ActivationRange act, float* output);

// BATCH_MATMUL with float lhs and int8 rhs; each lhs row is quantized on
// its own. `scales` has one entry or cols() entries (per output column).
void batch_matmul(const reference::BatchMatMulShape& s, const float* lhs, const int8_t* rhs,
                  std::span<const float> scales, bool asymmetric_inputs, float* output);

}  // namespace qs::runtime::kernels::hybrid
