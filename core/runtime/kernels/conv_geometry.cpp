#include "runtime/kernels/conv_geometry.h"

#include <algorithm>
#include <limits>

namespace qs::runtime::kernels {
namespace {

// Sizes from a model file can be anything: the arithmetic is done in 64
// bits and a result that does not fit an int becomes -1, which the kernels
// report as a window that does not fit.
int narrow(int64_t v) {
  return v < std::numeric_limits<int>::min() || v > std::numeric_limits<int>::max() ? -1
                                                                                    : static_cast<int>(v);
}

int64_t effective(int filter, int dilation) { return (int64_t{filter} - 1) * dilation + 1; }

}  // namespace

int tflite_out_size(PaddingKind padding, int in, int filter, int stride, int dilation) {
  if (stride <= 0) return 0;
  // C++ division truncates toward zero, as in TFLite.
  const int64_t out = padding == PaddingKind::kSame
                          ? (int64_t{in} + stride - 1) / stride
                          : (int64_t{in} + stride - effective(filter, dilation)) / stride;
  return narrow(out);
}

int tflite_pad_before(int in, int filter, int stride, int dilation, int out) {
  const int64_t total = (int64_t{out} - 1) * stride + effective(filter, dilation) - in;
  return narrow(std::max<int64_t>(total, 0) / 2);
}

WindowAxis conv_axis(PaddingKind padding, int in, int filter, int stride, int dilation) {
  WindowAxis a;
  a.in = in;
  a.filter = filter;
  a.stride = stride;
  a.dilation = dilation;
  a.out = tflite_out_size(padding, in, filter, stride, dilation);
  a.pad_before = tflite_pad_before(in, filter, stride, dilation, a.out);
  // Whatever the last window reaches beyond the input (VALID with a stride
  // that does not divide evenly reaches less than the input: 0).
  const int64_t reach = (int64_t{a.out} - 1) * stride + effective(filter, dilation) - in - a.pad_before;
  a.pad_after = narrow(std::max<int64_t>(0, reach));
  // Every window position the loops compute must fit an int too.
  const int64_t last_tap = (int64_t{a.out} - 1) * stride + effective(filter, dilation);
  if (narrow(last_tap) < 0 || a.pad_before < 0 || a.pad_after < 0) a.out = -1;
  return a;
}

WindowAxis transpose_conv_axis(PaddingKind padding, int in, int filter, int stride, int out) {
  WindowAxis a;
  a.in = in;
  a.filter = filter;
  a.stride = stride;
  a.dilation = 1;
  a.out = out;
  // As TFLite: the forward output size of `out` is computed first and the
  // padding derived from it, not from `in`.
  const int forward_out = tflite_out_size(padding, out, filter, stride, 1);
  a.pad_before = tflite_pad_before(out, filter, stride, 1, forward_out);
  a.pad_after = narrow((int64_t{in} - 1) * stride + filter - a.pad_before - out);
  return a;
}

}  // namespace qs::runtime::kernels
