#pragma once
// A synthetic float MobileNetV1 (Howard et al. 2017) with random weights,
// written by our own model builder: the benchmark's stand-in for the
// 1.0-224 model, which is not in the corpus. Same layers and shapes as the
// published network: a 3x3 stride-2 convolution, 13 depthwise-separable
// blocks, global average pooling, a 1x1 convolution to 1001 classes,
// reshape and softmax; every convolution has a bias and a fused RELU6.

#include <cstdint>

#include "format/model.h"

namespace qs::test {

struct MobileNetSpec {
  float alpha = 1.0f;  // width multiplier
  int32_t resolution = 224;
  int32_t classes = 1001;
};

format::Model mobilenet_v1_model(const MobileNetSpec& spec = {});

// Multiply-adds x 2 of one forward pass (convolutions only), for GFLOP/s.
double mobilenet_v1_flops(const MobileNetSpec& spec = {});

}  // namespace qs::test
