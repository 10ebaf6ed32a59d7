// `quantscope-cli quantize`: writes a quantized copy of a float model and,
// with --plan, what was decided for every tensor (core/quant).

#include <cctype>
#include <cmath>
#include <optional>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "cli/cli_util.h"
#include "cli/commands.h"
#include "format/model_file.h"
#include "format/write_model.h"
#include "calib/stats_file.h"
#include "common/sha256.h"
#include "quant/dynamic_range.h"
#include "quant/full_integer.h"
#include "quant/recipe.h"
#include "quant/float16.h"

namespace qs::cli {
namespace {

constexpr const char* kHelp =
    "usage: quantscope-cli quantize MODEL --mode MODE --out OUT.tflite [options]\n"
    "\n"
    "Writes a quantized copy of the float MODEL (atomically; never over MODEL).\n"
    "\n"
    "Modes:\n"
    "  float16   float32 constants stored as float16, each behind a DEQUANTIZE\n"
    "            op (half the weight bytes; no data needed)\n"
    "  dynamic   dynamic range: weights of FULLY_CONNECTED (per tensor), CONV_2D\n"
    "            and DEPTHWISE_CONV_2D (per channel) with at least --min-elements\n"
    "            values as int8, symmetric; activations stay float\n"
    "  int8      full integer: int8 activations from --stats, int8 per-channel\n"
    "            weights, int32 bias; ops without an int8 kernel stay float\n"
    "            behind DEQUANTIZE/QUANTIZE (or, with --strict, are an error)\n"
    "  int16x8   int16 symmetric activations, int8 weights, int64 bias\n"
    "  uint8     legacy QUANTIZED_UINT8: uint8 everywhere (weights asymmetric\n"
    "            per tensor); inputs from --mean-std; I/O uint8 by default\n"
    "\n"
    "Options:\n"
    "  --stats FILE             calibration statistics of MODEL (calibrate)\n"
    "  --method M               range method: minmax (default), moving-average,\n"
    "                           percentile, entropy, mse\n"
    "  --percentile P           for --method percentile (default 99.999)\n"
    "  --method-for NAME=M      range method for one tensor (repeatable)\n"
    "  --strict                 fail, listing every op that would stay float\n"
    "  --input-type T           float32 (default), int8, uint8 (int8 mode), int16\n"
    "  --output-type T          likewise for the outputs\n"
    "  --mean-std INPUT=M,S     real = (q - M) / S for that input (repeatable);\n"
    "                           M an integer 0..255, S > 0\n"
    "  --default-range MIN:MAX  range for activations with no statistics (listed)\n"
    "  --keep-float X           keep float: an op type (SOFTMAX), an op index\n"
    "                           (#12) or the name of a tensor an op writes\n"
    "  --per-tensor-fc          FULLY_CONNECTED weights per tensor (TFLite Micro,\n"
    "                           NNAPI)\n"
    "  --per-tensor OPTYPE      that op type's weights per tensor (repeatable)\n"
    "  --min-elements N         for dynamic (default 1024)\n"
    "  --plan FILE              every tensor's new type, parameters and why, every\n"
    "                           inserted op (JSON)\n"
    "  --recipe FILE            take every choice from a recipe (JSON, as\n"
    "                           --save-recipe writes it); options given as well\n"
    "                           override it\n"
    "  --save-recipe FILE       write this run's choices as a recipe\n"
    "\n"
    "Every choice also goes into the output's \"quantscope\" metadata entry.\n";

struct Options {
  std::string model;
  std::string out;
  std::string plan;
  std::string save_recipe;
  quant::Recipe recipe;  // mode and every choice (from --recipe, then the options)
  std::optional<format::TensorType> input_type;
  std::optional<format::TensorType> output_type;
};

bool same_file(const std::string& a, const std::string& b) {
  std::error_code ec;
  return std::filesystem::equivalent(a, b, ec);
}

std::optional<format::TensorType> parse_io_type(const std::string& v) {
  if (v == "float32") return format::TensorType::FLOAT32;
  if (v == "int8") return format::TensorType::INT8;
  if (v == "uint8") return format::TensorType::UINT8;
  if (v == "int16") return format::TensorType::INT16;
  return std::nullopt;
}

bool is_op_type(const std::string& v) {
  if (v.empty()) return false;
  for (unsigned char c : v)
    if (!(std::isupper(c) || std::isdigit(c) || c == '_')) return false;
  return format::parse_op_name(v).has_value();
}

// One option and its value; an empty string on success, else the message.
std::string apply(Options& opt, const std::string& a, const std::string& v) {
  auto& in = opt.recipe.integer;
  if (a == "--mode") {
    opt.recipe.mode = v;
  } else if (a == "--out") {
    opt.out = v;
  } else if (a == "--plan") {
    opt.plan = v;
  } else if (a == "--save-recipe") {
    opt.save_recipe = v;
  } else if (a == "--recipe") {
    // Read before the other options (run_quantize), which then override it.
  } else if (a == "--stats") {
    opt.recipe.stats = v;
  } else if (a == "--per-tensor") {
    if (!is_op_type(v)) return cat(a, ": '", v, "' is not an op type (e.g. FULLY_CONNECTED)");
    in.per_tensor_ops.insert(v);
  } else if (a == "--min-elements") {
    const auto n = parse_float(v);
    if (!n || *n < 1 || *n != std::floor(*n)) return cat(a, ": needs a positive count");
    opt.recipe.min_elements = static_cast<size_t>(*n);
  } else if (a == "--method") {
    const auto m = calib::parse_method(v);
    if (!m) return cat(a, ": unknown method '", v, "' (minmax, moving-average, percentile, entropy, mse)");
    in.method = *m;
  } else if (a == "--percentile") {
    const auto p = parse_float(v);
    if (!p || *p <= 50 || *p > 100) return cat(a, ": needs a percentile in (50, 100]");
    in.method_options.percentile = *p;
  } else if (a == "--method-for") {
    const auto eq = v.rfind('=');
    const auto m = eq == std::string::npos ? std::nullopt : calib::parse_method(v.substr(eq + 1));
    if (!m || eq == 0) return cat(a, ": needs NAME=METHOD, not '", v, "'");
    in.method_for[v.substr(0, eq)] = *m;
  } else if (a == "--input-type" || a == "--output-type") {
    const auto t = parse_io_type(v);
    if (!t) return cat(a, ": unknown type '", v, "' (float32, int8, uint8, int16)");
    (a == "--input-type" ? opt.input_type : opt.output_type) = *t;
  } else if (a == "--mean-std") {
    const auto eq = v.rfind('=');
    const auto pair = eq == std::string::npos ? std::nullopt : parse_float_list(v.substr(eq + 1));
    if (!pair || pair->size() != 2 || eq == 0) return cat(a, ": needs INPUT=MEAN,STD_DEV, not '", v, "'");
    in.mean_std.push_back({v.substr(0, eq), (*pair)[0], (*pair)[1]});
  } else if (a == "--default-range") {
    const auto colon = v.find(':', 1);
    const auto lo = colon == std::string::npos ? std::nullopt : parse_float(v.substr(0, colon));
    const auto hi = colon == std::string::npos ? std::nullopt : parse_float(v.substr(colon + 1));
    if (!lo || !hi) return cat(a, ": needs MIN:MAX, not '", v, "'");
    in.default_range = std::make_pair(double{*lo}, double{*hi});
  } else if (a == "--keep-float") {
    if (v.size() > 1 && v[0] == '#') {
      const auto n = parse_float(v.substr(1));
      if (!n || *n < 0 || *n != std::floor(*n)) return cat(a, ": '", v, "' is not an op index");
      in.keep_float.op_indices.insert(static_cast<int>(*n));
    } else if (is_op_type(v)) {
      in.keep_float.op_types.insert(v);
    } else {
      in.keep_float.tensors.insert(v);
    }
  } else {
    return cat("unknown option '", a, "'");
  }
  return {};
}

}  // namespace

int run_quantize(const std::vector<std::string>& args) {
  Options opt;
  for (size_t i = 0; i + 1 < args.size(); ++i) {
    if (args[i] != "--recipe") continue;
    auto r = quant::load_recipe(args[i + 1]);
    if (!r) return input_error(r.error().message);
    opt.recipe = std::move(*r);
    // The recipe's I/O types count as given: the mode's defaults apply only
    // when nothing chose them.
    opt.input_type = opt.recipe.integer.input_type;
    opt.output_type = opt.recipe.integer.output_type;
  }
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") {
      std::fputs(kHelp, stdout);
      return 0;
    }
    if (a == "--strict") {
      opt.recipe.integer.strict = true;
    } else if (a == "--per-tensor-fc") {
      opt.recipe.integer.per_tensor_ops.insert("FULLY_CONNECTED");
    } else if (a.rfind("--", 0) == 0) {
      if (i + 1 >= args.size()) return usage_error("quantize", cat(a, ": needs a value"));
      if (auto why = apply(opt, a, args[++i]); !why.empty()) return usage_error("quantize", why);
    } else if (opt.model.empty()) {
      opt.model = a;
    } else {
      return usage_error("quantize", cat("unexpected argument '", a, "'"));
    }
  }
  const std::string& mode = opt.recipe.mode;
  if (opt.model.empty() || mode.empty() || opt.out.empty()) {
    std::fputs(kHelp, stderr);
    return kExitUsage;
  }
  const auto scheme = quant::parse_scheme(mode);
  if (mode != "float16" && mode != "dynamic" && !scheme) {
    return usage_error("quantize", cat("unknown mode '", mode, "' (float16, dynamic, int8, int16x8, uint8)"));
  }
  if (same_file(opt.model, opt.out)) {
    return usage_error("quantize", cat("--out '", opt.out, "' is the input model; refusing to overwrite it"));
  }
  for (const std::string* extra : {&opt.plan, &opt.save_recipe}) {
    if (!extra->empty() && (same_file(opt.model, *extra) || *extra == opt.out)) {
      return usage_error("quantize", cat("'", *extra, "' would overwrite the model or the output"));
    }
  }
  auto file = format::ModelFile::open(opt.model);
  if (!file) return input_error(file.error().message);
  const std::string tool = cat("quantscope-cli ", QS_VERSION);
  opt.recipe.integer.tool = tool;
  Result<quant::QuantizedModel> result = fail("no mode");
  calib::StatsSet stats;  // outlives the run: the saved recipe reads it
  if (mode == "float16") {
    result = quant::to_float16(file->to_model(), tool);
  } else if (mode == "dynamic") {
    result = quant::to_dynamic_range(file->to_model(), {opt.recipe.min_elements, tool});
  } else {
    quant::FullIntegerOptions& in = opt.recipe.integer;
    in.scheme = *scheme;
    in.tool = tool;
    // Legacy uint8 models are uint8 end to end unless told otherwise.
    const auto io_default =
        *scheme == quant::IntegerScheme::kUint8 ? format::TensorType::UINT8 : format::TensorType::FLOAT32;
    in.input_type = opt.input_type.value_or(io_default);
    in.output_type = opt.output_type.value_or(io_default);
    if (!opt.recipe.stats.empty()) {
      auto loaded = calib::load_stats(opt.recipe.stats);
      if (!loaded) return input_error(loaded.error().message);
      auto sha = sha256_file(opt.model);
      if (!sha) return input_error(sha.error().message);
      if (auto s = calib::check_model(*loaded, *sha, opt.model); !s) return input_error(s.error().message);
      stats = std::move(*loaded);
      in.stats = &stats;
    }
    result = quant::to_full_integer(file->to_model(), in);
  }
  if (!result) return input_error(cat(opt.model, ": ", result.error().message));
  if (auto s = format::write_file(result->model, opt.out); !s) return input_error(s.error().message);
  if (!opt.plan.empty()) {
    if (auto s = quant::save_plan(result->plan, opt.plan); !s) return input_error(s.error().message);
  }
  if (!opt.save_recipe.empty()) {
    if (auto s = quant::save_recipe(opt.recipe, opt.save_recipe); !s) return input_error(s.error().message);
  }
  for (const auto& w : result->plan.warnings) std::fprintf(stderr, "warning: %s\n", w.c_str());
  size_t changed = 0;
  for (const auto& t : result->plan.tensors) changed += t.from != t.to ? 1 : 0;
  if (scheme) {
    size_t float_ops = 0;
    for (const auto& w : result->plan.warnings) float_ops += w.rfind("stays float:", 0) == 0 ? 1 : 0;
    std::printf("wrote %s (%s): %zu tensors changed type, %zu ops inserted, %zu ops stay float\n",
                opt.out.c_str(), mode.c_str(), changed, result->plan.inserted.size(), float_ops);
    return 0;
  }
  std::printf("wrote %s (%s): %zu tensors changed type, %zu ops inserted, %zu kept float32\n",
              opt.out.c_str(), mode.c_str(), changed, result->plan.inserted.size(),
              result->plan.tensors.size() - changed);
  return 0;
}

}  // namespace qs::cli
