// `quantscope-cli stats`: what a stats file says, per tensor and range
// method; merges several stats files of one model.

#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "calib/range_methods.h"
#include "calib/stats_file.h"
#include "cli/cli_util.h"
#include "cli/commands.h"

namespace qs::cli {
namespace {

constexpr const char* kHelp =
    "usage: quantscope-cli stats STATS.json [MORE.json ...] [--tensor NAME]\n"
    "                            [--method M[,M...]] [--bits 8|16] [--percentile P]\n"
    "                            [--symmetric] [--json] [--out MERGED.json]\n"
    "\n"
    "Prints what calibration saw for every float tensor and the range each\n"
    "method chooses, with the fraction of values it clips and the expected\n"
    "SQNR. Several files (of one model) are merged first; --out saves the\n"
    "merged statistics.\n"
    "\n"
    "  --tensor NAME      one tensor in detail: histogram, every method, 8 and 16 bit\n"
    "  --method M,...     minmax, moving-average, percentile, entropy (kl), mse\n"
    "                     (default: all)\n"
    "  --bits 8|16        int8 (asymmetric) or int16 (symmetric) grids (default 8)\n"
    "  --percentile P     for the percentile method (default 99.999)\n"
    "  --symmetric        percentile of |x|, range [-t, t]\n"
    "  --json             machine-readable output\n"
    "  --out FILE         write the merged statistics\n";

struct Options {
  std::vector<std::string> files;
  std::string tensor;
  std::vector<calib::RangeMethod> methods{std::begin(calib::kAllMethods), std::end(calib::kAllMethods)};
  calib::Bits bits = calib::Bits::kInt8;
  calib::MethodOptions method_options;
  bool json = false;
  std::string out;
};

std::string num(double v) {
  if (!std::isfinite(v)) return v > 0 ? "inf" : v < 0 ? "-inf" : "nan";
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.4g", v);
  return buffer;
}

std::string percent(double fraction) {
  char buffer[32];
  if (fraction > 0 && fraction < 1e-4) {
    std::snprintf(buffer, sizeof buffer, "%.1e%%", 100 * fraction);
  } else {
    std::snprintf(buffer, sizeof buffer, "%.3g%%", 100 * fraction);
  }
  return buffer;
}

const char* bits_name(calib::Bits b) { return b == calib::Bits::kInt8 ? "int8" : "int16"; }

void print_header(const calib::StatsSet& s, const Options& opt) {
  std::printf("%s: model '%s' (SHA-256 %s), %zu samples in %zu run%s\n", opt.files.front().c_str(),
              s.model.file.c_str(), s.model.sha256.substr(0, 16).c_str(), s.samples, s.runs.size(),
              s.runs.size() == 1 ? "" : "s");
  for (const auto& run : s.runs) {
    for (const auto& in : run.inputs) {
      std::printf("  input '%s': %s, %zu samples", in.input.c_str(), in.kind.c_str(), in.samples);
      if (in.image) std::printf(", %s", calib::describe(*in.image).c_str());
      if (!in.details.empty()) std::printf(", %s", in.details.c_str());
      std::printf("\n");
    }
    if (!run.skipped.empty()) std::printf("  %zu skipped (listed in the file)\n", run.skipped.size());
  }
}

// A one-line picture of the histogram: 64 columns, heights on a log scale
// so tails stay visible.
std::string sparkline(const calib::Histogram& h, double lo, double hi) {
  static const char* kLevels[] = {" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
  constexpr int kColumns = 64;
  if (h.empty() || !(hi > lo)) return "";
  std::vector<double> col(kColumns, 0);
  for (int i = 0; i < calib::Histogram::kBins; ++i) {
    const double c = static_cast<double>(h.counts()[static_cast<size_t>(i)]);
    if (c == 0) continue;
    const double mid = 0.5 * (h.edge(i) + h.edge(i + 1));
    const int k = std::clamp(static_cast<int>((mid - lo) / (hi - lo) * kColumns), 0, kColumns - 1);
    col[static_cast<size_t>(k)] += c;
  }
  double top = 0;
  for (double c : col) top = std::max(top, std::log1p(c));
  std::string out;
  for (double c : col) out += kLevels[c == 0 ? 0 : 1 + static_cast<int>(std::log1p(c) / top * 7.999)];
  return out;
}

int print_tensor(const calib::StatsSet& s, const Options& opt) {
  const calib::TensorRecord* t = s.find(opt.tensor);
  if (t == nullptr) return input_error(cat(opt.files.front(), ": no tensor named '", opt.tensor, "'"));
  const calib::TensorStatistics& st = t->stats;
  std::printf("tensor '%s' (subgraph %d, #%d), shape %s\n", t->name.c_str(), t->key.subgraph, t->key.tensor,
              format::shape_string(t->shape).c_str());
  std::printf("  values %llu (zeros %s, non-finite %llu)\n", static_cast<unsigned long long>(st.count),
              percent(st.count ? static_cast<double>(st.zeros) / static_cast<double>(st.count) : 0).c_str(),
              static_cast<unsigned long long>(st.nonfinite));
  if (st.count == 0) {
    std::printf("  never written by the calibration data\n");
    return 0;
  }
  std::printf("  min %s  max %s  mean %s  std %s\n", num(st.min).c_str(), num(st.max).c_str(),
              num(st.mean()).c_str(), num(st.stddev()).c_str());
  std::printf("  moving average (%llu updates): min %s  max %s\n",
              static_cast<unsigned long long>(st.average_max.updates), num(st.average_min.value()).c_str(),
              num(st.average_max.value()).c_str());
  std::printf("  histogram %s .. %s (bin width %s)\n  |%s|\n", num(st.min).c_str(), num(st.max).c_str(),
              num(st.histogram.bin_width()).c_str(), sparkline(st.histogram, st.min, st.max).c_str());
  std::printf("\n  %-15s %-26s %10s %8s   %-26s %10s %8s\n", "method", "int8 range", "clipped", "SQNR dB",
              "int16 range", "clipped", "SQNR dB");
  for (calib::RangeMethod m : opt.methods) {
    const auto r8 = calib::choose_range(st, m, calib::Bits::kInt8, opt.method_options);
    const auto r16 = calib::choose_range(st, m, calib::Bits::kInt16, opt.method_options);
    std::printf("  %-15s %-26s %10s %8.1f   %-26s %10s %8.1f\n", std::string(calib::method_name(m)).c_str(),
                cat("[", num(r8.lo), ", ", num(r8.hi), "]").c_str(), percent(r8.clipped).c_str(), r8.sqnr_db,
                cat("[", num(r16.lo), ", ", num(r16.hi), "]").c_str(), percent(r16.clipped).c_str(),
                r16.sqnr_db);
  }
  return 0;
}

void print_table(const calib::StatsSet& s, const Options& opt) {
  size_t width = 6;
  for (const auto& t : s.tensors) width = std::max(width, std::min<size_t>(t.name.size(), 48));
  std::printf("\n%-*s %10s %10s %8s", static_cast<int>(width), "tensor", "min", "max", "zeros");
  for (calib::RangeMethod m : opt.methods) std::printf("  %-24s", std::string(calib::method_name(m)).c_str());
  std::printf("\n%-*s %10s %10s %8s", static_cast<int>(width), "", "", "", "");
  for (size_t i = 0; i < opt.methods.size(); ++i)
    std::printf("  %-24s", cat(bits_name(opt.bits), " range, SQNR").c_str());
  std::printf("\n");
  for (const auto& t : s.tensors) {
    const auto& st = t.stats;
    std::string name = t.name.size() > 48 ? "..." + t.name.substr(t.name.size() - 45) : t.name;
    if (st.count == 0) {
      std::printf("%-*s %10s\n", static_cast<int>(width), name.c_str(), "(never written)");
      continue;
    }
    std::printf("%-*s %10s %10s %8s", static_cast<int>(width), name.c_str(), num(st.min).c_str(),
                num(st.max).c_str(),
                percent(static_cast<double>(st.zeros) / static_cast<double>(st.count)).c_str());
    for (calib::RangeMethod m : opt.methods) {
      const auto r = calib::choose_range(st, m, opt.bits, opt.method_options);
      std::printf("  %-24s", cat("[", num(r.lo), ", ", num(r.hi), "] ", format_fixed(r.sqnr_db, 1)).c_str());
    }
    std::printf("\n");
  }
}

void print_json(const calib::StatsSet& s, const Options& opt) {
  nlohmann::json tensors = nlohmann::json::array();
  for (const auto& t : s.tensors) {
    if (!opt.tensor.empty() && t.name != opt.tensor) continue;
    nlohmann::json ranges = nlohmann::json::object();
    for (calib::RangeMethod m : opt.methods) {
      for (calib::Bits b : {calib::Bits::kInt8, calib::Bits::kInt16}) {
        const auto r = calib::choose_range(t.stats, m, b, opt.method_options);
        ranges[std::string(calib::method_name(m))][bits_name(b)] = {
            {"min", r.lo},
            {"max", r.hi},
            {"scale", r.grid.scale},
            {"zero_point", r.grid.zero_point},
            {"clipped", r.clipped},
            {"sqnr_db", std::isfinite(r.sqnr_db) ? nlohmann::json(r.sqnr_db) : nlohmann::json(nullptr)}};
      }
    }
    const auto& st = t.stats;
    tensors.push_back({{"name", t.name},
                       {"subgraph", t.key.subgraph},
                       {"tensor", t.key.tensor},
                       {"count", st.count},
                       {"min", st.count ? nlohmann::json(st.min) : nlohmann::json(nullptr)},
                       {"max", st.count ? nlohmann::json(st.max) : nlohmann::json(nullptr)},
                       {"mean", st.mean()},
                       {"std", st.stddev()},
                       {"ranges", ranges}});
  }
  const nlohmann::json doc = {{"format", "quantscope.stats-ranges"},
                              {"model", {{"file", s.model.file}, {"sha256", s.model.sha256}}},
                              {"samples", s.samples},
                              {"percentile", opt.method_options.percentile},
                              {"tensors", tensors}};
  std::printf("%s\n", doc.dump(1).c_str());
}

}  // namespace

int run_stats(const std::vector<std::string>& args) {
  Options opt;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    std::string v;
    const auto value = [&]() {
      if (i + 1 >= args.size()) return false;
      v = args[++i];
      return true;
    };
    if (a == "--help" || a == "-h") {
      std::fputs(kHelp, stdout);
      return 0;
    } else if (a == "--json") {
      opt.json = true;
    } else if (a == "--symmetric") {
      opt.method_options.symmetric_percentile = true;
    } else if (a == "--tensor" || a == "--method" || a == "--bits" || a == "--percentile" || a == "--out") {
      if (!value()) return usage_error("stats", cat(a, " needs a value"));
      if (a == "--tensor") {
        opt.tensor = v;
      } else if (a == "--out") {
        opt.out = v;
      } else if (a == "--bits") {
        if (v != "8" && v != "16") return usage_error("stats", "--bits needs 8 or 16");
        opt.bits = v == "8" ? calib::Bits::kInt8 : calib::Bits::kInt16;
      } else if (a == "--percentile") {
        const auto p = parse_float(v);
        if (!p || *p <= 50 || *p > 100)
          return usage_error("stats", "--percentile needs a value in (50, 100]");
        opt.method_options.percentile = *p;
      } else {
        opt.methods.clear();
        size_t start = 0;
        while (start <= v.size()) {
          const size_t comma = v.find(',', start);
          const std::string name =
              v.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
          const auto m = calib::parse_method(name);
          if (!m) {
            return usage_error("stats", cat("unknown method '", name,
                                            "' (minmax, moving-average, percentile, entropy, mse)"));
          }
          opt.methods.push_back(*m);
          if (comma == std::string::npos) break;
          start = comma + 1;
        }
      }
    } else if (!a.empty() && a[0] == '-') {
      return usage_error("stats", cat("unknown option '", a, "'"));
    } else {
      opt.files.push_back(a);
    }
  }
  if (opt.files.empty()) {
    std::fputs(kHelp, stderr);
    return kExitUsage;
  }
  auto merged = calib::load_stats(opt.files.front());
  if (!merged) return input_error(merged.error().message);
  for (size_t f = 1; f < opt.files.size(); ++f) {
    auto more = calib::load_stats(opt.files[f]);
    if (!more) return input_error(more.error().message);
    if (auto s = calib::merge_stats(*merged, *more); !s) {
      return input_error(
          cat(opt.files[f], ": cannot merge into ", opt.files.front(), ": ", s.error().message));
    }
  }
  if (!opt.out.empty()) {
    for (const auto& f : opt.files) {
      std::error_code ec;
      if (std::filesystem::equivalent(f, opt.out, ec)) {
        return usage_error("stats", cat("--out '", opt.out, "' is an input; refusing to overwrite it"));
      }
    }
    if (auto s = calib::save_stats(*merged, opt.out); !s) return input_error(s.error().message);
  }
  if (opt.json) {
    if (!opt.tensor.empty() && merged->find(opt.tensor) == nullptr) {
      return input_error(cat(opt.files.front(), ": no tensor named '", opt.tensor, "'"));
    }
    print_json(*merged, opt);
    return 0;
  }
  print_header(*merged, opt);
  if (!opt.out.empty()) std::printf("wrote merged statistics to %s\n", opt.out.c_str());
  if (!opt.tensor.empty()) return print_tensor(*merged, opt);
  print_table(*merged, opt);
  return 0;
}

}  // namespace qs::cli
