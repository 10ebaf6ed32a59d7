// bench_kernels: how fast do our heavy float kernels run on one thread,
// next to this machine's fp32 GEMM peak measured in the same run (oneDNN's
// sgemm, best of a few sizes)? A report, not a test: it prints figures and
// exits 0 whatever they are, and non-zero only if something does not work
// (a model fails to run, or the fast flavour disagrees with the reference
// loops on the synthetic MobileNet).
//
//   bench_kernels [SECONDS_PER_CASE]   (default 0.4)
//
// Times are the thread's CPU time, medians of repeated calls. Cases:
// single ops through the interpreter (as a model runs them), the
// oneDNN convolution alone in its two activation layouts (NHWC in place vs
// oneDNN's blocked layout with reorders) and with/without the clamp
// post-op, and a synthetic MobileNetV1-1.0-224 (random weights, the real
// layer shapes) end to end.

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <functional>
#include <limits>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "format/op_options.h"
#include "runtime/interpreter.h"
#include "runtime/kernels/dnnl_primitives.h"
#include "support/model_builder.h"

namespace {

using qs::format::BuiltinOp;
using qs::format::TensorType;
namespace tfl = qs::tfl;
namespace rk = qs::runtime::kernels;

int g_failures = 0;

void failure(const std::string& what) {
  std::fprintf(stderr, "bench_kernels: FAILED: %s\n", what.c_str());
  ++g_failures;
}

double g_seconds_per_case = 0.4;

struct Timing {
  double median = 0;  // seconds per call
  double best = 0;
};

// This thread's CPU time. Everything here runs on the calling thread (see
// dnnl_engine.h), so CPU time is the compute time, and time spent waiting
// for the CPU on a shared machine does not count. (Sharing still costs
// cache, so figures on a busy machine stay somewhat pessimistic.)
double thread_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// Calls `fn` until g_seconds_per_case of CPU time has passed (at least 5
// times, after 2 warm-up calls); the median is the figure reported.
Timing time_it(const std::function<bool()>& fn) {
  for (int i = 0; i < 2; ++i) {
    if (!fn()) return {};
  }
  std::vector<double> runs;
  const double start = thread_seconds();
  while (runs.size() < 5 || thread_seconds() - start < g_seconds_per_case) {
    const double t0 = thread_seconds();
    if (!fn()) return {};
    runs.push_back(thread_seconds() - t0);
  }
  std::sort(runs.begin(), runs.end());
  return {runs[runs.size() / 2], runs.front()};
}

std::vector<float> random_floats(size_t n, uint32_t seed, float lo, float hi) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> v(n);
  for (float& x : v) x = dist(rng);
  return v;
}

qs::format::Bytes bytes_of(const std::vector<float>& v) {
  std::vector<uint8_t> raw(v.size() * sizeof(float));
  std::memcpy(raw.data(), v.data(), raw.size());
  return qs::format::Bytes::own(std::move(raw));
}

size_t count(const std::vector<int32_t>& shape) {
  size_t n = 1;
  for (int32_t d : shape) n *= static_cast<size_t>(d);
  return n;
}

// Peak ------------------------------------------------------------------------------

double sgemm_peak_gflops() {
  double peak = 0;
  std::printf("oneDNN sgemm, 1 thread (the yardstick):\n");
  for (int n : {256, 384, 512, 768, 1024}) {
    const auto a = random_floats(static_cast<size_t>(n) * n, 1, -1, 1);
    const auto b = random_floats(static_cast<size_t>(n) * n, 2, -1, 1);
    std::vector<float> c(static_cast<size_t>(n) * n);
    bool ok = true;
    const Timing t = time_it([&] {
      ok = static_cast<bool>(rk::dnnl_sgemm_row_major(n, n, n, a.data(), b.data(), c.data()));
      return ok;
    });
    if (!ok) {
      failure("dnnl_sgemm failed");
      return 0;
    }
    const double gflops = 2.0 * n * n * n / t.median * 1e-9;
    std::printf("  %4d x %4d x %4d  %7.1f GFLOP/s (best run %.1f)\n", n, n, n, gflops,
                2.0 * n * n * n / t.best * 1e-9);
    peak = std::max(peak, gflops);
  }
  std::printf("  peak: %.1f GFLOP/s\n\n", peak);
  return peak;
}

// Models ------------------------------------------------------------------------------

// A model under construction: one subgraph, tensors appended in order.
struct Builder {
  qs::format::Model model;
  uint32_t seed = 1;

  Builder() {
    model.buffers.emplace_back();
    model.subgraphs.emplace_back();
  }
  qs::format::Subgraph& sg() { return model.subgraphs[0]; }

  int tensor(const std::string& name, std::vector<int32_t> shape) {
    return qs::test::add_tensor(sg(), name, TensorType::FLOAT32, std::move(shape));
  }
  // Uniform in +-sqrt(3 / fan_in): unit-variance outputs for unit inputs.
  int weights(const std::string& name, std::vector<int32_t> shape, int fan_in) {
    const float a = std::sqrt(3.0f / static_cast<float>(fan_in));
    return qs::test::add_constant(model, sg(), name, TensorType::FLOAT32, shape,
                                  bytes_of(random_floats(count(shape), seed++, -a, a)));
  }
  int bias(const std::string& name, int n) {
    return qs::test::add_constant(model, sg(), name, TensorType::FLOAT32, {n},
                                  bytes_of(random_floats(static_cast<size_t>(n), seed++, -0.1f, 0.1f)));
  }
};

qs::format::OpOptions conv_options(int stride, tfl::ActivationFunctionType act) {
  tfl::Conv2DOptionsT o;
  o.padding = tfl::Padding::SAME;
  o.stride_h = o.stride_w = stride;
  o.fused_activation_function = act;
  return qs::format::make_options(o);
}

qs::format::OpOptions depthwise_options(int stride, tfl::ActivationFunctionType act) {
  tfl::DepthwiseConv2DOptionsT o;
  o.padding = tfl::Padding::SAME;
  o.stride_h = o.stride_w = stride;
  o.depth_multiplier = 1;
  o.fused_activation_function = act;
  return qs::format::make_options(o);
}

struct Net {
  qs::format::Model model;
  std::vector<int32_t> input_shape;
  double flops = 0;
};

// The layer shapes of MobileNetV1-1.0-224 (Howard et al. 2017, table 1):
// conv 3x3/2 to 32, 13 depthwise-separable blocks, global average pool, a
// 1024 -> 1001 classifier (a FULLY_CONNECTED here, the 1x1 conv it is).
Net mobilenet_v1() {
  Builder b;
  Net net;
  net.input_shape = {1, 224, 224, 3};
  const auto relu6 = tfl::ActivationFunctionType::RELU6;
  int x = b.tensor("input", net.input_shape);
  b.sg().inputs = {x};
  int size = 112, channels = 32;
  {
    const int w = b.weights("conv0/w", {32, 3, 3, 3}, 27);
    const int y = b.tensor("conv0", {1, size, size, channels});
    qs::test::add_op(b.sg(), BuiltinOp::CONV_2D, {x, w, b.bias("conv0/b", 32)}, {y}, conv_options(2, relu6));
    net.flops += 2.0 * size * size * channels * 27;
    x = y;
  }
  const std::pair<int, int> blocks[] = {{1, 64},  {2, 128}, {1, 128}, {2, 256}, {1, 256},  {2, 512}, {1, 512},
                                        {1, 512}, {1, 512}, {1, 512}, {1, 512}, {2, 1024}, {1, 1024}};
  int i = 0;
  for (const auto& [stride, out] : blocks) {
    ++i;
    size = (size + stride - 1) / stride;
    const int dw_w = b.weights(qs::cat("dw", i, "/w"), {1, 3, 3, channels}, 9);
    const int dw = b.tensor(qs::cat("dw", i), {1, size, size, channels});
    qs::test::add_op(b.sg(), BuiltinOp::DEPTHWISE_CONV_2D,
                     {x, dw_w, b.bias(qs::cat("dw", i, "/b"), channels)}, {dw},
                     depthwise_options(stride, relu6));
    net.flops += 2.0 * size * size * channels * 9;
    const int pw_w = b.weights(qs::cat("pw", i, "/w"), {out, 1, 1, channels}, channels);
    const int pw = b.tensor(qs::cat("pw", i), {1, size, size, out});
    qs::test::add_op(b.sg(), BuiltinOp::CONV_2D, {dw, pw_w, b.bias(qs::cat("pw", i, "/b"), out)}, {pw},
                     conv_options(1, relu6));
    net.flops += 2.0 * size * size * channels * out;
    channels = out;
    x = pw;
  }
  tfl::Pool2DOptionsT pool;
  pool.padding = tfl::Padding::VALID;
  pool.filter_height = pool.filter_width = size;
  pool.stride_h = pool.stride_w = 1;
  const int pooled = b.tensor("pool", {1, 1, 1, channels});
  qs::test::add_op(b.sg(), BuiltinOp::AVERAGE_POOL_2D, {x}, {pooled}, qs::format::make_options(pool));
  const int fc_w = b.weights("logits/w", {1001, channels}, channels);
  const int logits = b.tensor("logits", {1, 1001});
  qs::test::add_op(b.sg(), BuiltinOp::FULLY_CONNECTED, {pooled, fc_w, b.bias("logits/b", 1001)}, {logits},
                   qs::format::make_options(tfl::FullyConnectedOptionsT{}));
  net.flops += 2.0 * channels * 1001;
  b.sg().outputs = {logits};
  net.model = std::move(b.model);
  return net;
}

// One op with a constant weight (and bias), input "x", output "y".
Net single_op(BuiltinOp op, std::vector<int32_t> input, std::vector<int32_t> weights,
              qs::format::OpOptions options, double flops) {
  Builder b;
  Net net;
  net.input_shape = input;
  const int x = b.tensor("x", std::move(input));
  const int fan_in = static_cast<int>(count(weights) / static_cast<size_t>(weights[0]));
  const int units = op == BuiltinOp::DEPTHWISE_CONV_2D ? weights.back() : weights[0];
  const int w = b.weights("w", std::move(weights), fan_in);
  const int y = b.tensor("y", {});
  qs::test::add_op(b.sg(), op, {x, w, b.bias("b", units)}, {y}, std::move(options));
  b.sg().inputs = {x};
  b.sg().outputs = {y};
  net.model = std::move(b.model);
  net.flops = flops;
  return net;
}

std::unique_ptr<qs::runtime::Interpreter> interpreter(const Net& net, qs::runtime::Flavor flavor,
                                                      const std::vector<float>& input) {
  qs::runtime::InterpreterOptions options;
  options.flavor = flavor;
  auto interp = qs::runtime::Interpreter::create(std::make_shared<qs::format::Model>(net.model), options);
  if (!interp) {
    failure(interp.error().message);
    return nullptr;
  }
  std::vector<std::byte> bytes(input.size() * sizeof(float));
  std::memcpy(bytes.data(), input.data(), bytes.size());
  if (auto s = (*interp)->set_input(0, bytes); !s) {
    failure(s.error().message);
    return nullptr;
  }
  return std::move(*interp);
}

// Seconds per invoke() of `net` (fast flavour); 0 on failure.
double time_net(const Net& net, const std::string& name) {
  const auto input = random_floats(count(net.input_shape), 7, 0, 1);
  auto interp = interpreter(net, qs::runtime::Flavor::kFast, input);
  if (!interp) return 0;
  bool ok = true;
  const Timing t = time_it([&] {
    if (auto s = interp->invoke(); !s) {
      failure(qs::cat(name, ": ", s.error().message));
      ok = false;
    }
    return ok;
  });
  return ok ? t.median : 0;
}

void report(const std::string& name, double seconds, double flops, double peak) {
  if (seconds <= 0) return;
  const double gflops = flops / seconds * 1e-9;
  std::printf("  %-44s %8.3f ms %7.1f GFLOP/s %5.0f%% of peak\n", name.c_str(), seconds * 1e3, gflops,
              peak > 0 ? 100.0 * gflops / peak : 0.0);
}

// Single ops through the interpreter -------------------------------------------------------

void bench_ops(double peak) {
  const auto relu6 = tfl::ActivationFunctionType::RELU6;
  std::printf("Single ops through the interpreter (fast flavour, RELU6 fused, batch 1):\n");
  struct Case {
    std::string name;
    Net net;
  };
  const Case cases[] = {
      {"CONV_2D 1x1 112x112x64 -> 128", single_op(BuiltinOp::CONV_2D, {1, 112, 112, 64}, {128, 1, 1, 64},
                                                  conv_options(1, relu6), 2.0 * 112 * 112 * 64 * 128)},
      {"CONV_2D 1x1 14x14x512 -> 512", single_op(BuiltinOp::CONV_2D, {1, 14, 14, 512}, {512, 1, 1, 512},
                                                 conv_options(1, relu6), 2.0 * 14 * 14 * 512 * 512)},
      {"CONV_2D 3x3 56x56x128 -> 128", single_op(BuiltinOp::CONV_2D, {1, 56, 56, 128}, {128, 3, 3, 128},
                                                 conv_options(1, relu6), 2.0 * 56 * 56 * 128 * 128 * 9)},
      {"CONV_2D 3x3/2 224x224x3 -> 32", single_op(BuiltinOp::CONV_2D, {1, 224, 224, 3}, {32, 3, 3, 3},
                                                  conv_options(2, relu6), 2.0 * 112 * 112 * 32 * 27)},
      {"DEPTHWISE_CONV_2D 3x3 112x112x64",
       single_op(BuiltinOp::DEPTHWISE_CONV_2D, {1, 112, 112, 64}, {1, 3, 3, 64}, depthwise_options(1, relu6),
                 2.0 * 112 * 112 * 64 * 9)},
      {"DEPTHWISE_CONV_2D 3x3/2 112x112x64",
       single_op(BuiltinOp::DEPTHWISE_CONV_2D, {1, 112, 112, 64}, {1, 3, 3, 64}, depthwise_options(2, relu6),
                 2.0 * 56 * 56 * 64 * 9)},
      {"DEPTHWISE_CONV_2D 3x3 14x14x512",
       single_op(BuiltinOp::DEPTHWISE_CONV_2D, {1, 14, 14, 512}, {1, 3, 3, 512}, depthwise_options(1, relu6),
                 2.0 * 14 * 14 * 512 * 9)},
      {"FULLY_CONNECTED 1024 -> 1000",
       single_op(BuiltinOp::FULLY_CONNECTED, {1, 1024}, {1000, 1024},
                 qs::format::make_options(tfl::FullyConnectedOptionsT{}), 2.0 * 1024 * 1000)},
  };
  for (const Case& c : cases) report(c.name, time_net(c.net, c.name), c.net.flops, peak);
  std::printf("  (depthwise and batch-1 FC are memory-bound: their GFLOP/s is not comparable to GEMM's)\n\n");
}

// The oneDNN convolution alone: layouts and the clamp post-op ----------------------------

void bench_layouts(double peak) {
  std::printf("oneDNN convolution alone (RELU6): NHWC in place vs blocked layout + reorders:\n");
  struct Case {
    std::string name;
    rk::ConvKind kind;
    int size, in_c, out_c, k, stride;
  };
  const Case cases[] = {
      {"1x1 112x112x64 -> 128", rk::ConvKind::kConv, 112, 64, 128, 1, 1},
      {"3x3 56x56x128 -> 128", rk::ConvKind::kConv, 56, 128, 128, 3, 1},
      {"depthwise 3x3 112x112x64", rk::ConvKind::kDepthwise, 112, 64, 64, 3, 1},
      {"depthwise 3x3/2 112x112x64", rk::ConvKind::kDepthwise, 112, 64, 64, 3, 2},
  };
  const rk::ActivationRange relu6{0.0f, 6.0f, true};
  const rk::ActivationRange finite_only{std::numeric_limits<float>::lowest(),
                                        std::numeric_limits<float>::max(), true};
  const rk::ActivationRange none{};
  for (const Case& c : cases) {
    rk::ConvGeometry g;
    g.batch = 1;
    g.in_channels = c.in_c;
    g.out_channels = c.out_c;
    g.groups = c.kind == rk::ConvKind::kDepthwise ? c.in_c : 1;
    g.h = rk::conv_axis(rk::PaddingKind::kSame, c.size, c.k, c.stride, 1);
    g.w = g.h;
    const double flops = 2.0 * static_cast<double>(g.macs());
    const auto input = random_floats(static_cast<size_t>(c.size) * c.size * c.in_c, 3, 0, 1);
    const size_t filter_count = c.kind == rk::ConvKind::kDepthwise
                                    ? static_cast<size_t>(c.k * c.k * c.out_c)
                                    : static_cast<size_t>(c.out_c * c.k * c.k * c.in_c);
    const auto filter = random_floats(filter_count, 4, -0.1f, 0.1f);
    const auto bias = random_floats(static_cast<size_t>(c.out_c), 5, -0.1f, 0.1f);
    std::vector<float> output(static_cast<size_t>(g.output_elements()));
    struct Variant {
      const char* label;
      rk::ActivationLayout layout;
      rk::ActivationRange act;
    };
    const Variant variants[] = {{"nhwc", rk::ActivationLayout::kNhwc, relu6},
                                {"blocked+reorders", rk::ActivationLayout::kPreferred, relu6},
                                {"nhwc, finite clamp only", rk::ActivationLayout::kNhwc, finite_only},
                                {"nhwc, no post-op", rk::ActivationLayout::kNhwc, none}};
    for (const Variant& v : variants) {
      auto conv = rk::DnnlConvolution::create(c.kind, g, true, v.act, v.layout);
      if (!conv) {
        failure(qs::cat(c.name, " ", v.label, ": ", conv.error().message));
        continue;
      }
      if (auto s = (*conv)->set_weights(filter.data()); !s) failure(s.error().message);
      bool ok = true;
      const Timing t = time_it([&] {
        ok = static_cast<bool>((*conv)->run(input.data(), bias.data(), output.data()));
        return ok;
      });
      if (!ok) {
        failure(qs::cat(c.name, " ", v.label, " failed to run"));
        continue;
      }
      report(qs::cat(c.name, " [", v.label, "]"), t.median, flops, peak);
      std::printf("  %-44s   (oneDNN: %s)\n", "", (*conv)->implementation().c_str());
    }
  }
  std::printf("\n");
}

// MobileNetV1 end to end ---------------------------------------------------------------------

void bench_mobilenet(double peak) {
  std::printf("Synthetic MobileNetV1-1.0-224 (fast flavour, batch 1):\n");
  const Net net = mobilenet_v1();
  const double seconds = time_net(net, "MobileNetV1");
  report(qs::cat("whole model (", net.flops * 1e-9, " GFLOP)"), seconds, net.flops, peak);
  if (seconds > 0 && peak > 0) {
    const double fraction = net.flops / seconds * 1e-9 / peak;
    std::printf("  goal: at least 60%% of peak -> %s\n", fraction >= 0.6 ? "met" : "NOT met");
  }

  // The reference loops must agree (once; they take a few seconds).
  const auto input = random_floats(count(net.input_shape), 7, 0, 1);
  auto fast = interpreter(net, qs::runtime::Flavor::kFast, input);
  auto ref = interpreter(net, qs::runtime::Flavor::kReference, input);
  if (!fast || !ref) return;
  if (auto s = fast->invoke(); !s) return failure(s.error().message);
  const auto t0 = std::chrono::steady_clock::now();
  if (auto s = ref->invoke(); !s) return failure(s.error().message);
  const double ref_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const auto a = fast->output(0).values<float>();
  const auto b = ref->output(0).values<float>();
  float scale = 1.0f, worst = 0.0f;
  for (float v : b) scale = std::max(scale, std::abs(v));
  for (size_t i = 0; i < a.size(); ++i) worst = std::max(worst, std::abs(a[i] - b[i]));
  std::printf("  reference flavour: %.0f ms; largest difference %.2g (relative to max |output| %.3g)\n",
              ref_seconds * 1e3, worst / scale, scale);
  if (!(worst <= 1e-4f * scale)) failure("MobileNetV1: fast and reference flavours disagree");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1) g_seconds_per_case = std::max(0.05, std::atof(argv[1]));
  const double peak = sgemm_peak_gflops();
  bench_ops(peak);
  bench_layouts(peak);
  bench_mobilenet(peak);
  return g_failures == 0 ? 0 : 1;
}
