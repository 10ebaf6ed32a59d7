// bench_runtime: how fast does our float interpreter run real networks?
// A report, not a test: it prints figures and exits 0 whatever they are,
// and non-zero only if something does not work.
//
//   bench_runtime [SAMPLES]     (default 200 per measurement)
//
// Measured in the same run, on the same inputs:
//  - single-thread fp32 GEMM peak: oneDNN's sgemm on 1024^3 (the yardstick
//    for GFLOP/s of the convolution-heavy synthetic MobileNetV1-1.0-224);
//  - our interpreter with 1 and 2 workers (samples per second);
//  - LiteRT.js (Google's WebAssembly LiteRT under Node) on the same model
//    file, one thread, when node and the package are installed.
// Models: mobilenet_v1_0.25_224_1_metadata_1.tflite from the corpus (when
// present) and a synthetic MobileNetV1-1.0-224 written by our writer.

#include <oneapi/dnnl/dnnl.h>
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "format/model_file.h"
#include "format/write_model.h"
#include "io/npy.h"
#include "runtime/batch_runner.h"
#include "support/corpus.h"
#include "support/mobilenet_builder.h"
#include "support/subprocess.h"
#include "support/temp_dir.h"

namespace {

using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;
using namespace qs;

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

[[noreturn]] void die(const std::string& message) {
  std::fprintf(stderr, "bench_runtime: %s\n", message.c_str());
  std::exit(1);
}

// Best of several single-thread sgemm runs, in GFLOP/s.
double sgemm_peak_gflops() {
  omp_set_num_threads(1);
  const dnnl_dim_t n = 1024;
  std::vector<float> a(n * n, 0.5f), b(n * n, 0.25f), c(n * n);
  double best = 0;
  for (int rep = 0; rep < 8; ++rep) {
    const auto t0 = Clock::now();
    if (dnnl_sgemm('N', 'N', n, n, n, 1.0f, a.data(), n, b.data(), n, 0.0f, c.data(), n) != dnnl_success) {
      die("dnnl_sgemm failed");
    }
    best = std::max(best, 2.0 * double(n) * n * n / seconds_since(t0) / 1e9);
  }
  return best;
}

std::vector<float> random_image(size_t count, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> v(count);
  for (float& x : v) x = dist(rng);
  return v;
}

struct Throughput {
  double samples_per_second = 0;
  double ms_per_sample = 0;
};

// Runs `samples` samples (after a warm-up of one per worker).
Throughput measure(std::shared_ptr<const format::Model> model, int workers, size_t samples,
                   const std::vector<float>& image) {
  runtime::BatchOptions options;
  options.workers = workers;
  auto runner = runtime::BatchRunner::create(model, options);
  if (!runner) die(runner.error().message);
  runtime::BatchCallbacks callbacks;
  callbacks.fill = [&](size_t, runtime::Interpreter& interp) {
    return interp.set_input(0, std::as_bytes(std::span(image)));
  };
  if (auto s = (*runner)->run(static_cast<size_t>(workers), callbacks); !s) die(s.error().message);
  const auto t0 = Clock::now();
  if (auto s = (*runner)->run(samples, callbacks); !s) die(s.error().message);
  const double elapsed = seconds_since(t0);
  return {double(samples) / elapsed, 1000.0 * elapsed / double(samples)};
}

std::string env_or(const char* name, const char* fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? v : fallback;
}

// Mean ms per run of LiteRT.js on `model` with `image` as its only input,
// or a negative value (and a note) when it can't run here.
double litert_ms(const fs::path& model, const std::vector<float>& image, const std::vector<int64_t>& shape,
                 size_t repeat, const fs::path& work, std::string& note) {
  const std::string node = env_or("QS_NODE", QS_NODE_PATH);
  const std::string modules = env_or("QS_LITERT_NODE_MODULES", QS_LITERT_NODE_MODULES_DEFAULT);
  if (node.empty() || !fs::exists(node)) {
    note = "node not found";
    return -1;
  }
  if (!fs::exists(fs::path(modules) / "@litertjs" / "core")) {
    note = "@litertjs/core not installed in " + modules + " (scripts/test.sh runs npm ci)";
    return -1;
  }
  const fs::path in = work / "in", out = work / "out", log = work / "litert.out";
  fs::create_directories(in);
  io::Array array;
  array.dtype = io::DType::kFloat32;
  array.shape = shape;
  array.data.resize(image.size() * sizeof(float));
  std::memcpy(array.data.data(), image.data(), array.data.size());
  if (auto s = io::write_npy(array, in / "input_0.npy"); !s) die(s.error().message);
  std::vector<std::string> args{node,      QS_LITERT_RUNNER, model.string(), in.string(), out.string(),
                                "--repeat", std::to_string(repeat), "--node-modules", modules};
  const auto p = qs::test::run_process(args, log, work / "litert.err");
  if (!p.started || p.exit_code != 0) {
    note = p.started ? "LiteRT.js run failed (exit " + std::to_string(p.exit_code) + ")" : p.error;
    return -1;
  }
  const std::string line = qs::test::slurp(log);
  const auto at = line.find("\"mean_ms\":");
  if (at == std::string::npos) {
    note = "no timing in LiteRT.js output";
    return -1;
  }
  return std::strtod(line.c_str() + at + 10, nullptr);
}

struct Row {
  std::string model;
  double flops = 0;
};

}  // namespace

int main(int argc, char** argv) {
  const size_t samples = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 200;
  qs::test::TempDir temp;
  const double peak = sgemm_peak_gflops();
  std::printf("bench_runtime: %zu samples per measurement\n", samples);
  std::printf("single-thread fp32 GEMM peak (oneDNN sgemm 1024^3): %.1f GFLOP/s\n\n", peak);

  struct Case {
    std::string label;
    fs::path file;
    std::shared_ptr<const format::Model> model;
    double flops;  // 0: not counted
  };
  std::vector<Case> cases;

  const fs::path corpus_model = qs::test::corpus_model("mobilenet_v1_0.25_224_1_metadata_1.tflite");
  if (fs::exists(corpus_model)) {
    auto file = format::ModelFile::open(corpus_model);
    if (!file) die(file.error().message);
    cases.push_back({"mobilenet_v1_0.25_224 (corpus)", corpus_model,
                     std::make_shared<const format::Model>(file->to_model()),
                     qs::test::mobilenet_v1_flops({0.25f, 224, 1001})});
  } else {
    std::printf("(corpus not found: %s; the corpus model is skipped)\n", corpus_model.c_str());
  }
  {
    auto model = std::make_shared<const format::Model>(qs::test::mobilenet_v1_model());
    const fs::path file = temp.path() / "mobilenet_v1_1.0_224_synthetic.tflite";
    if (auto s = format::write_file(*model, file); !s) die(s.error().message);
    cases.push_back({"mobilenet_v1_1.0_224 (synthetic)", file, model, qs::test::mobilenet_v1_flops()});
  }

  std::printf("%-34s %10s %10s %10s %8s %11s %8s %9s %8s\n", "model", "1w ms", "1w /s", "2w /s", "2w/1w",
              "LiteRT ms", "LRT/us", "GFLOP/s", "%peak");
  for (const Case& c : cases) {
    const std::vector<float> image = random_image(224 * 224 * 3, 1);
    const Throughput one = measure(c.model, 1, samples, image);
    const Throughput two = measure(c.model, 2, samples, image);
    std::string note;
    const double litert = litert_ms(c.file, image, {1, 224, 224, 3}, std::min<size_t>(samples, 100),
                                    temp.path() / ("litert_" + std::to_string(&c - cases.data())), note);
    const double gflops = c.flops / (one.ms_per_sample / 1000.0) / 1e9;
    std::printf("%-34s %10.2f %10.1f %10.1f %8.2f ", c.label.c_str(), one.ms_per_sample, one.samples_per_second,
                two.samples_per_second, two.samples_per_second / one.samples_per_second);
    if (litert > 0) {
      std::printf("%11.2f %8.2f ", litert, litert / one.ms_per_sample);
    } else {
      std::printf("%11s %8s ", "-", "-");
    }
    std::printf("%9.1f %7.0f%%\n", gflops, 100.0 * gflops / peak);
    if (!note.empty()) std::printf("  LiteRT.js: %s\n", note.c_str());
  }
  std::printf("\n1w/2w: one or two workers, each single-threaded with its own interpreter. LRT/us: LiteRT.js ms\n"
              "over ours (above 1: we are faster). GFLOP/s counts convolution multiply-adds x2 at one worker.\n");
  return 0;
}
