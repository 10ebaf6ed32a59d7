#pragma once
// Plain-loop convolutions and pools over NHWC float tensors: the reference
// flavour, and the fallback when oneDNN declines a shape. They follow
// TFLite's reference kernels (tensorflow/lite/kernels/internal/reference/
// conv.h, depthwiseconv_float.h, transpose_conv.h, pooling.h): the same loop
// order, so the same float sums.

#include "runtime/kernels/conv_geometry.h"
#include "runtime/kernels/kernel_util.h"

namespace qs::runtime::kernels::reference {

// CONV_2D. filter OHWI [out_channels, h, w, in_channels / groups]; bias may
// be null.
void conv2d(const ConvGeometry& g, const float* input, const float* filter, const float* bias,
            ActivationRange act, float* output);

// DEPTHWISE_CONV_2D. filter [1, h, w, in_channels * depth_multiplier];
// output channel c * depth_multiplier + m reads input channel c.
void depthwise_conv2d(const ConvGeometry& g, const float* input, const float* filter, const float* bias,
                      ActivationRange act, float* output);

// TRANSPOSE_CONV: every input pixel scatters filter OHWI [out_channels, h,
// w, in_channels] into the output; g.h/g.w come from transpose_conv_axis.
void transpose_conv2d(const ConvGeometry& g, const float* input, const float* filter, const float* bias,
                      ActivationRange act, float* output);

enum class PoolKind : uint8_t { kMax, kAverage, kL2 };

// MAX_POOL_2D, AVERAGE_POOL_2D, L2_POOL_2D (in_channels == out_channels).
// Average and L2 divide by the number of elements inside the input, not the
// filter size. Fails (returns false) only if a window covers no input
// element, which TFLite's AveragePool also rejects.
bool pool2d(PoolKind kind, const ConvGeometry& g, const float* input, ActivationRange act, float* output);

}  // namespace qs::runtime::kernels::reference
