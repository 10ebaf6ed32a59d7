#pragma once
// One registration function per family of kernels; each lives in its own
// file of this folder and is called by builtin_kernels().

#include "runtime/kernel_registry.h"

namespace qs::runtime::kernels {

void register_elementwise(KernelRegistry& registry);   // arithmetic, comparison, unary maths, CAST
void register_activations(KernelRegistry& registry);   // RELU family, LOGISTIC, TANH, GELU, SOFTMAX, ...
void register_shape_ops(KernelRegistry& registry);     // RESHAPE, TRANSPOSE, CONCAT, SLICE, GATHER, PAD, ...
void register_reductions(KernelRegistry& registry);    // MEAN, SUM, REDUCE_*, ARG_MAX/MIN
void register_image_ops(KernelRegistry& registry);     // RESIZE_*, SPACE_TO_DEPTH, ...
void register_convolutions(KernelRegistry& registry);  // CONV_2D, DEPTHWISE, TRANSPOSE_CONV, pools
void register_matmul(KernelRegistry& registry);        // FULLY_CONNECTED, BATCH_MATMUL
void register_sequence(KernelRegistry& registry);      // LSTM, UNIDIRECTIONAL_SEQUENCE_LSTM, SVDF, RNN
void register_quantization(KernelRegistry& registry);  // DEQUANTIZE, QUANTIZE
void register_integer_matmul(KernelRegistry& registry);  // FULLY_CONNECTED on int8/uint8
void register_control_flow(KernelRegistry& registry);  // WHILE, IF, CALL_ONCE, variables, composites

}  // namespace qs::runtime::kernels
