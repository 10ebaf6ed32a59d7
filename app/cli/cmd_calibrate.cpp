// `quantscope-cli calibrate`: runs a float model over calibration data and
// writes the per-tensor statistics file (core/calib).

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <charconv>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "calib/calibrate.h"
#include "cli/cli_util.h"
#include "cli/commands.h"
#include "common/sha256.h"
#include "format/model_file.h"

namespace qs::cli {
namespace {

constexpr const char* kHelp =
    "usage: quantscope-cli calibrate MODEL --data PATH [--data PATH ...] --out STATS.json\n"
    "                                [image, array and run options]\n"
    "\n"
    "Runs MODEL (float) over calibration samples and writes the statistics of\n"
    "every float tensor: min, max, mean, std, moving-average min/max and a\n"
    "2048-bin histogram, with the model's SHA-256, the sources and the\n"
    "preprocessing. `quantscope-cli stats` shows the ranges they give.\n"
    "\n"
    "data (repeat --data; folders are read recursively, .txt files list paths):\n"
    "  --data PATH           images (.png .jpg .jpeg .bmp), .npy, .npz, raw .bin,\n"
    "                        .wav (16-bit PCM); an array [N, ...] holds N samples\n"
    "  --data INPUT=PATH     feed PATH to the model input named INPUT (models\n"
    "                        with several inputs; .npz keys match input names)\n"
    "  --raw-dtype T         element type of .bin files (default: the input's)\n"
    "  --raw-shape D0,D1,..  shape of each .bin file (default: [N] + input shape)\n"
    "  --window K[:HOP]      K consecutive rows of array data make one sample,\n"
    "                        advancing HOP rows (default 1)\n"
    "\n"
    "image preprocessing (recorded in the stats file):\n"
    "  --image-size WxH      resize to W x H (default: the input's size)\n"
    "  --image-resize stretch|crop\n"
    "                        ignore the aspect ratio, or scale the short side and\n"
    "                        crop the centre (default stretch)\n"
    "  --image-channels rgb|bgr|gray\n"
    "  --image-layout nhwc|nchw\n"
    "  --image-range LO:HI   map pixels 0..255 to LO..HI\n"
    "  --image-mean M[,M,M] --image-std S[,S,S]\n"
    "                        map pixels to (p - mean) / std per channel\n"
    "                        (default: the model's metadata normalisation; a\n"
    "                        float input without one needs a mapping)\n"
    "\n"
    "run:\n"
    "  --out STATS.json      the statistics file (written atomically)\n"
    "  --signature KEY       calibrate this signature instead of subgraph 0\n"
    "  --limit N             use the first N samples\n"
    "  --workers N           parallel workers (default: one per core)\n"
    "  --skip-bad            skip unreadable files and samples, listing why\n"
    "\n"
    "A progress line (samples/s, ETA) goes to stderr; Ctrl-C stops cleanly and\n"
    "writes nothing.\n";

std::atomic<bool> g_interrupted{false};

extern "C" void on_interrupt(int) { g_interrupted = true; }

struct Options {
  std::string model;
  std::vector<std::string> data;
  std::string out;
  std::string signature;
  int workers = 0;
  calib::SourceOptions sources;
};

std::optional<int64_t> parse_int(const std::string& s) {
  int64_t v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

// The model input a `--data INPUT=PATH` names, if the part before '=' is one.
calib::DataSpec data_spec(const std::string& arg, const std::vector<calib::InputInfo>& inputs) {
  const auto eq = arg.find('=');
  if (eq != std::string::npos) {
    const std::string name = arg.substr(0, eq);
    for (const auto& in : inputs) {
      if (in.name == name) return {arg.substr(eq + 1), name};
    }
  }
  return {arg, ""};
}

class ProgressLine {
 public:
  ProgressLine() : tty_(isatty(STDERR_FILENO) != 0) {}
  void show(const calib::Progress& p) {
    const std::string line =
        cat("calibrate: ", p.done, "/", p.total, " samples, ", format_fixed(p.samples_per_second(), 1),
            " samples/s, ETA ", format_duration(p.eta_seconds()));
    if (tty_) {
      std::fprintf(stderr, "\r%-72s", line.c_str());
    } else if (p.done == p.total || p.seconds - last_ >= 2.0) {
      std::fprintf(stderr, "%s\n", line.c_str());
      last_ = p.seconds;
    }
    shown_ = true;
  }
  void finish() {
    if (tty_ && shown_) std::fputc('\n', stderr);
  }

 private:
  bool tty_;
  bool shown_ = false;
  double last_ = -10;
};

int calibrate(const Options& opt) {
  for (const auto& d : opt.data) {
    std::error_code ec;
    const std::string path = d.substr(d.find('=') == std::string::npos ? 0 : d.find('=') + 1);
    if (std::filesystem::equivalent(d, opt.out, ec) || std::filesystem::equivalent(path, opt.out, ec) ||
        std::filesystem::equivalent(opt.model, opt.out, ec)) {
      return usage_error("calibrate",
                         cat("--out '", opt.out, "' is an input file; refusing to overwrite it"));
    }
  }
  auto file = format::ModelFile::open(opt.model);
  if (!file) return input_error(file.error().message);
  auto model = std::make_shared<const format::Model>(file->to_model());
  auto sha = sha256_file(opt.model);
  if (!sha) return input_error(sha.error().message);

  calib::CalibrateOptions run;
  run.workers = opt.workers;
  run.signature = opt.signature;
  auto inputs = calib::model_inputs(*model, 0, opt.signature);
  if (!inputs) return input_error(cat(opt.model, ": ", inputs.error().message));
  std::vector<calib::DataSpec> data;
  for (const auto& d : opt.data) data.push_back(data_spec(d, *inputs));
  auto samples = calib::SampleSet::open(*inputs, data, opt.sources);
  if (!samples) return input_error(samples.error().message);

  ProgressLine progress;
  run.progress = [&](const calib::Progress& p) { progress.show(p); };
  run.skip_bad = opt.sources.skip_bad;
  run.cancel = &g_interrupted;
  run.tool = cat("quantscope-cli ", QS_VERSION);
  struct sigaction action {};
  action.sa_handler = on_interrupt;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  auto stats =
      calib::calibrate(model, {std::filesystem::path(opt.model).filename().string(), *sha}, *samples, run);
  progress.finish();
  if (!stats) {
    if (g_interrupted) {
      std::fprintf(stderr, "calibrate: interrupted; nothing written\n");
      return 130;
    }
    return input_error(stats.error().message);
  }
  if (auto s = calib::save_stats(*stats, opt.out); !s) return input_error(s.error().message);
  size_t unreached = 0;
  for (const auto& t : stats->tensors) unreached += t.stats.count == 0 ? 1 : 0;
  const auto& r = stats->runs.back();
  std::printf("wrote %s: %zu samples, %zu float tensors", opt.out.c_str(), stats->samples,
              stats->tensors.size());
  if (unreached > 0) std::printf(" (%zu never written by this data)", unreached);
  std::printf("\n");
  for (const auto& in : r.inputs) {
    std::printf("  input '%s': %s, %zu samples%s%s\n", in.input.c_str(), in.kind.c_str(), in.samples,
                in.image ? cat(", ", calib::describe(*in.image)).c_str() : "",
                in.details.empty() ? "" : cat(", ", in.details).c_str());
  }
  if (!r.skipped.empty()) {
    std::printf("  skipped %zu:\n", r.skipped.size());
    for (size_t i = 0; i < r.skipped.size() && i < 20; ++i) {
      std::printf("    %s: %s\n", r.skipped[i].what.c_str(), r.skipped[i].why.c_str());
    }
    if (r.skipped.size() > 20)
      std::printf("    ... and %zu more (all in %s)\n", r.skipped.size() - 20, opt.out.c_str());
  }
  return 0;
}

}  // namespace

int run_calibrate(const std::vector<std::string>& args) {
  Options opt;
  calib::ImagePreprocess& image = opt.sources.image;
  std::optional<std::vector<float>> mean, stddev;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    std::string v;
    const auto value = [&]() -> bool {
      if (i + 1 >= args.size()) return false;
      v = args[++i];
      return true;
    };
    const auto bad = [&](const std::string& what) { return usage_error("calibrate", cat(a, ": ", what)); };
    if (a == "--help" || a == "-h") {
      std::fputs(kHelp, stdout);
      return 0;
    }
    if (a.rfind("--", 0) == 0 && a != "--skip-bad" && !value()) return bad("needs a value");
    if (a == "--data") {
      opt.data.push_back(v);
    } else if (a == "--out") {
      opt.out = v;
    } else if (a == "--signature") {
      opt.signature = v;
    } else if (a == "--limit") {
      const auto n = parse_int(v);
      if (!n || *n <= 0) return bad("needs a positive count");
      opt.sources.limit = static_cast<size_t>(*n);
    } else if (a == "--workers") {
      const auto n = parse_int(v);
      if (!n || *n <= 0 || *n > 256) return bad("needs a count from 1 to 256");
      opt.workers = static_cast<int>(*n);
    } else if (a == "--skip-bad") {
      opt.sources.skip_bad = true;
    } else if (a == "--image-size") {
      const auto x = v.find('x');
      const auto w = x == std::string::npos ? std::nullopt : parse_int(v.substr(0, x));
      const auto h = x == std::string::npos ? std::nullopt : parse_int(v.substr(x + 1));
      if (!w || !h || *w <= 0 || *h <= 0 || *w > 16384 || *h > 16384) return bad("needs WxH, e.g. 224x224");
      image.width = static_cast<int>(*w);
      image.height = static_cast<int>(*h);
    } else if (a == "--image-resize") {
      if (v == "stretch") {
        image.resize = calib::ResizeMode::kStretch;
      } else if (v == "crop") {
        image.resize = calib::ResizeMode::kCenterCrop;
      } else {
        return bad("needs stretch or crop");
      }
    } else if (a == "--image-channels") {
      if (v == "rgb") {
        image.channels = calib::ChannelOrder::kRgb;
      } else if (v == "bgr") {
        image.channels = calib::ChannelOrder::kBgr;
      } else if (v == "gray" || v == "grey") {
        image.channels = calib::ChannelOrder::kGray;
      } else {
        return bad("needs rgb, bgr or gray");
      }
    } else if (a == "--image-layout") {
      if (v == "nhwc") {
        image.layout = calib::Layout::kNhwc;
      } else if (v == "nchw") {
        image.layout = calib::Layout::kNchw;
      } else {
        return bad("needs nhwc or nchw");
      }
    } else if (a == "--image-range") {
      const auto colon = v.find(':', 1);  // LO may be negative
      const auto lo = colon == std::string::npos ? std::nullopt : parse_float(v.substr(0, colon));
      const auto hi = colon == std::string::npos ? std::nullopt : parse_float(v.substr(colon + 1));
      if (!lo || !hi || !(*hi > *lo)) return bad("needs LO:HI with LO < HI, e.g. -1:1");
      image.values = calib::ValueMapping{calib::ValueMapping::Kind::kRange, *lo, *hi, {}, {}};
    } else if (a == "--image-mean" || a == "--image-std") {
      auto list = parse_float_list(v);
      if (!list || (list->size() != 1 && list->size() != 3)) return bad("needs one or three numbers");
      (a == "--image-mean" ? mean : stddev) = std::move(*list);
    } else if (a == "--raw-dtype") {
      const auto d = parse_dtype(v);
      if (!d)
        return bad(
            cat("unknown dtype '", v, "' (float32, float16, float64, int8, uint8, int16, int32, ...)"));
      opt.sources.raw.dtype = *d;
    } else if (a == "--raw-shape") {
      auto shape = parse_shape(v);
      if (!shape) return bad("needs positive dimensions, e.g. 200,128");
      opt.sources.raw.shape = std::move(*shape);
    } else if (a == "--window") {
      const auto colon = v.find(':');
      const auto k = parse_int(v.substr(0, colon));
      const auto hop =
          colon == std::string::npos ? std::optional<int64_t>(1) : parse_int(v.substr(colon + 1));
      if (!k || !hop || *k <= 0 || *hop <= 0) return bad("needs K or K:HOP, positive");
      opt.sources.window = {*k, *hop};
    } else if (!a.empty() && a[0] == '-') {
      return usage_error("calibrate", cat("unknown option '", a, "'"));
    } else if (opt.model.empty()) {
      opt.model = a;
    } else {
      return usage_error("calibrate", cat("one model at a time ('", a, "' is extra)"));
    }
  }
  if (mean.has_value() != stddev.has_value()) {
    return usage_error("calibrate", "--image-mean and --image-std go together");
  }
  if (mean) {
    if (image.values)
      return usage_error("calibrate", "--image-range and --image-mean/--image-std exclude each other");
    image.values = calib::ValueMapping{calib::ValueMapping::Kind::kMeanStd, 0, 0, *mean, *stddev};
  }
  if (opt.model.empty() || opt.data.empty() || opt.out.empty()) {
    std::fputs(kHelp, stderr);
    return kExitUsage;
  }
  return calibrate(opt);
}

}  // namespace qs::cli
