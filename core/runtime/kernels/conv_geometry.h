#pragma once
// Window geometry shared by the convolution and pooling kernels (fast,
// reference and hybrid alike): output sizes and padding exactly as TFLite
// computes them (tensorflow/lite/kernels/padding.h: ComputeOutSize,
// ComputePaddingWithOffset).

#include <cstdint>

namespace qs::runtime::kernels {

enum class PaddingKind : uint8_t { kSame, kValid };

// One spatial axis of a sliding window.
struct WindowAxis {
  int in = 0;      // input extent
  int filter = 0;  // filter extent (before dilation)
  int stride = 1;
  int dilation = 1;    // TFLite's factor: 1 means no dilation
  int out = 0;         // output extent
  int pad_before = 0;  // TFLite's padding value (the smaller half for SAME)
  int pad_after = 0;   // what the window needs past the end, >= 0

  int effective_filter() const { return (filter - 1) * dilation + 1; }
  bool operator==(const WindowAxis&) const = default;
};

// SAME: ceil(in / stride); VALID: (in + stride - effective_filter) / stride,
// which is negative when the filter is larger than the input.
int tflite_out_size(PaddingKind padding, int in, int filter, int stride, int dilation);

// TFLite's padding for an axis whose output extent is already known: half of
// the total (rounded down) goes before, never negative.
int tflite_pad_before(int in, int filter, int stride, int dilation, int out);

// The axis for a convolution or pooling window over `in`. `out` is negative
// when the window does not fit (VALID with a filter larger than the input
// plus a stride, or sizes whose arithmetic would overflow an int).
WindowAxis conv_axis(PaddingKind padding, int in, int filter, int stride, int dilation);

// The axis of a transposed convolution producing `out` from `in`: TFLite
// derives the padding as if `out` were the input of the forward
// convolution (transpose_conv.cc calls ComputePaddingHeightWidth with the
// output size). pad_after here is what a deconvolution needs so that
// (in - 1) * stride + filter == pad_before + out + pad_after; it may be
// negative when output_shape asks for more than the input covers (and is
// -1 when it would overflow an int).
WindowAxis transpose_conv_axis(PaddingKind padding, int in, int filter, int stride, int out);

// NHWC convolution geometry (also used for pooling and depthwise).
struct ConvGeometry {
  int batch = 0;
  int in_channels = 0;
  int out_channels = 0;
  WindowAxis h;
  WindowAxis w;
  // CONV_2D: input_channels / filter_input_channels. DEPTHWISE_CONV_2D: the
  // input channels (one group per input channel).
  int groups = 1;
  int depth_multiplier = 1;  // DEPTHWISE_CONV_2D only

  int64_t output_elements() const { return int64_t{batch} * h.out * w.out * out_channels; }
  // Multiply-adds of the convolution (2 flops each), for benchmarks.
  int64_t macs() const { return output_elements() * h.filter * w.filter * (in_channels / groups); }
  bool operator==(const ConvGeometry&) const = default;
};

}  // namespace qs::runtime::kernels
