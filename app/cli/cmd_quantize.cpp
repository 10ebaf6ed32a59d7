// `quantscope-cli quantize`: writes a quantized copy of a float model and,
// with --plan, what was decided for every tensor (core/quant).

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "cli/cli_util.h"
#include "cli/commands.h"
#include "format/model_file.h"
#include "format/write_model.h"
#include "quant/dynamic_range.h"
#include "quant/float16.h"

namespace qs::cli {
namespace {

constexpr const char* kHelp =
    "usage: quantscope-cli quantize MODEL --mode MODE --out OUT.tflite [--plan PLAN.json]\n"
    "\n"
    "Writes a quantized copy of the float MODEL (atomically; never over MODEL).\n"
    "\n"
    "  --mode float16   float32 constants stored as float16, each behind a\n"
    "                   DEQUANTIZE op (half the weight bytes; no data needed)\n"
    "  --mode dynamic   dynamic range: weights of FULLY_CONNECTED (per tensor),\n"
    "                   CONV_2D and DEPTHWISE_CONV_2D (per channel) with at least\n"
    "                   --min-elements values (default 1024) as int8, symmetric;\n"
    "                   the ops run hybrid, activations stay float (other ops'\n"
    "                   weights stay float32 so far; the plan says so)\n"
    "  --min-elements N for dynamic\n"
    "  --plan FILE      every tensor's new type and why, every inserted op (JSON)\n"
    "\n"
    "The other modes of the TFLite converter (int8, int16x8, uint8)\n"
    "are not implemented yet: asking for one is a usage error.\n";

constexpr const char* kPlannedModes[] = {"int8", "int16x8", "uint8"};

struct Options {
  std::string model;
  std::string mode;
  std::string out;
  std::string plan;
  size_t min_elements = 1024;
};

bool same_file(const std::string& a, const std::string& b) {
  std::error_code ec;
  return std::filesystem::equivalent(a, b, ec);
}

}  // namespace

int run_quantize(const std::vector<std::string>& args) {
  Options opt;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") {
      std::fputs(kHelp, stdout);
      return 0;
    }
    if (a.rfind("--", 0) == 0) {
      if (i + 1 >= args.size()) return usage_error("quantize", cat(a, ": needs a value"));
      const std::string& v = args[++i];
      if (a == "--mode") {
        opt.mode = v;
      } else if (a == "--out") {
        opt.out = v;
      } else if (a == "--plan") {
        opt.plan = v;
      } else if (a == "--min-elements") {
        const auto n = parse_float(v);
        if (!n || *n < 1 || *n != std::floor(*n))
          return usage_error("quantize", cat(a, ": needs a positive count"));
        opt.min_elements = static_cast<size_t>(*n);
      } else {
        return usage_error("quantize", cat("unknown option '", a, "'"));
      }
    } else if (opt.model.empty()) {
      opt.model = a;
    } else {
      return usage_error("quantize", cat("unexpected argument '", a, "'"));
    }
  }
  if (opt.model.empty() || opt.mode.empty() || opt.out.empty()) {
    std::fputs(kHelp, stderr);
    return kExitUsage;
  }
  if (opt.mode != "float16" && opt.mode != "dynamic") {
    for (const char* planned : kPlannedModes) {
      if (opt.mode == planned)
        return usage_error("quantize", cat("mode '", opt.mode, "' is not implemented yet"));
    }
    return usage_error("quantize",
                       cat("unknown mode '", opt.mode, "' (float16, dynamic, int8, int16x8, uint8)"));
  }
  if (same_file(opt.model, opt.out)) {
    return usage_error("quantize", cat("--out '", opt.out, "' is the input model; refusing to overwrite it"));
  }
  if (!opt.plan.empty() && (same_file(opt.model, opt.plan) || opt.plan == opt.out)) {
    return usage_error("quantize", cat("--plan '", opt.plan, "' would overwrite the model or the output"));
  }
  auto file = format::ModelFile::open(opt.model);
  if (!file) return input_error(file.error().message);
  const std::string tool = cat("quantscope-cli ", QS_VERSION);
  auto result = opt.mode == "float16" ? quant::to_float16(file->to_model(), tool)
                                      : quant::to_dynamic_range(file->to_model(), {opt.min_elements, tool});
  if (!result) return input_error(cat(opt.model, ": ", result.error().message));
  if (auto s = format::write_file(result->model, opt.out); !s) return input_error(s.error().message);
  if (!opt.plan.empty()) {
    if (auto s = quant::save_plan(result->plan, opt.plan); !s) return input_error(s.error().message);
  }
  for (const auto& w : result->plan.warnings) std::fprintf(stderr, "warning: %s\n", w.c_str());
  size_t changed = 0;
  for (const auto& t : result->plan.tensors) changed += t.from != t.to ? 1 : 0;
  std::printf("wrote %s (%s): %zu tensors changed type, %zu ops inserted, %zu kept float32\n",
              opt.out.c_str(), opt.mode.c_str(), changed, result->plan.inserted.size(),
              result->plan.tensors.size() - changed);
  return 0;
}

}  // namespace qs::cli
