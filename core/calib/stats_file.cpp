#include "calib/stats_file.h"

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "io/atomic_file.h"

namespace qs::calib {
namespace {

using nlohmann::json;
constexpr const char* kFormat = "quantscope.calibration-stats";

// ±inf (the extremes of a tensor never written) have no JSON form.
json number(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }
double number_or(const json& j, double absent) { return j.is_null() ? absent : j.get<double>(); }

const char* resize_name(ResizeMode m) { return m == ResizeMode::kStretch ? "stretch" : "center-crop"; }
const char* channels_name(ChannelOrder c) {
  return c == ChannelOrder::kRgb ? "rgb" : c == ChannelOrder::kBgr ? "bgr" : "gray";
}
const char* layout_name(Layout l) { return l == Layout::kNhwc ? "nhwc" : "nchw"; }

json to_json(const ValueMapping& v) {
  if (v.kind == ValueMapping::Kind::kRange) return {{"kind", "range"}, {"lo", v.lo}, {"hi", v.hi}};
  return {{"kind", "mean-std"}, {"mean", v.mean}, {"std", v.std}};
}

json to_json(const ResolvedPreprocess& p) {
  return {{"width", p.width},
          {"height", p.height},
          {"resize", resize_name(p.resize)},
          {"channels", channels_name(p.channels)},
          {"layout", layout_name(p.layout)},
          {"values", to_json(p.values)},
          {"values_origin", p.values_origin},
          {"description", describe(p)}};
}

json to_json(const InputSummary& s) {
  json j = {{"input", s.input},
            {"sources", s.sources},
            {"kind", s.kind},
            {"samples", s.samples},
            {"details", s.details}};
  if (s.image) j["image"] = to_json(*s.image);
  return j;
}

json to_json(const Histogram& h) {
  const auto counts = h.counts();
  size_t first = 0, last = counts.size();
  while (first < last && counts[first] == 0) ++first;
  while (last > first && counts[last - 1] == 0) --last;
  return {{"exponent", h.exponent()},
          {"origin", h.origin()},
          {"first", first},
          {"counts", std::vector<uint64_t>(counts.begin() + static_cast<ptrdiff_t>(first),
                                           counts.begin() + static_cast<ptrdiff_t>(last))}};
}

json to_json(const MovingAverage& m) {
  return {{"updates", m.updates}, {"first", m.first}, {"accumulated", m.accumulated}, {"value", m.value()}};
}

json to_json(const TensorRecord& t) {
  const TensorStatistics& s = t.stats;
  json j = {{"subgraph", t.key.subgraph},
            {"tensor", t.key.tensor},
            {"name", t.name},
            {"shape", t.shape},
            {"count", s.count},
            {"zeros", s.zeros},
            {"nonfinite", s.nonfinite},
            {"min", number(s.min)},
            {"max", number(s.max)},
            {"mean", s.moments.mean},
            {"m2", s.moments.m2},
            {"std", s.stddev()},
            {"moving_min", to_json(s.average_min)},
            {"moving_max", to_json(s.average_max)}};
  if (!s.histogram.empty()) j["histogram"] = to_json(s.histogram);
  return j;
}

json to_json(const CalibrationRun& r) {
  json inputs = json::array();
  for (const auto& i : r.inputs) inputs.push_back(to_json(i));
  json skipped = json::array();
  for (const auto& s : r.skipped) skipped.push_back({{"what", s.what}, {"why", s.why}});
  return {{"samples", r.samples}, {"inputs", inputs}, {"skipped", skipped}, {"tool", r.tool}};
}

// Reading --------------------------------------------------------------------

template <class E>
E parse_enum(const std::string& name, std::initializer_list<std::pair<const char*, E>> table,
             const char* field) {
  for (const auto& [text, value] : table) {
    if (name == text) return value;
  }
  throw std::runtime_error(cat("unknown ", field, " '", name, "'"));
}

ValueMapping value_mapping(const json& j) {
  ValueMapping v;
  if (j.at("kind").get<std::string>() == "range") {
    v.kind = ValueMapping::Kind::kRange;
    v.lo = j.at("lo").get<float>();
    v.hi = j.at("hi").get<float>();
  } else {
    v.kind = ValueMapping::Kind::kMeanStd;
    v.mean = j.at("mean").get<std::vector<float>>();
    v.std = j.at("std").get<std::vector<float>>();
  }
  return v;
}

ResolvedPreprocess preprocess(const json& j) {
  ResolvedPreprocess p;
  p.width = j.at("width").get<int>();
  p.height = j.at("height").get<int>();
  p.resize = parse_enum<ResizeMode>(
      j.at("resize").get<std::string>(),
      {{"stretch", ResizeMode::kStretch}, {"center-crop", ResizeMode::kCenterCrop}}, "resize mode");
  p.channels = parse_enum<ChannelOrder>(
      j.at("channels").get<std::string>(),
      {{"rgb", ChannelOrder::kRgb}, {"bgr", ChannelOrder::kBgr}, {"gray", ChannelOrder::kGray}},
      "channel order");
  p.layout = parse_enum<Layout>(j.at("layout").get<std::string>(),
                                {{"nhwc", Layout::kNhwc}, {"nchw", Layout::kNchw}}, "layout");
  p.values = value_mapping(j.at("values"));
  p.values_origin = j.value("values_origin", "");
  return p;
}

InputSummary input_summary(const json& j) {
  InputSummary s;
  s.input = j.at("input").get<std::string>();
  s.sources = j.at("sources").get<std::vector<std::string>>();
  s.kind = j.at("kind").get<std::string>();
  s.samples = j.at("samples").get<size_t>();
  s.details = j.value("details", "");
  if (j.contains("image")) s.image = preprocess(j.at("image"));
  return s;
}

MovingAverage moving_average(const json& j) {
  MovingAverage m;
  m.updates = j.at("updates").get<uint64_t>();
  m.first = j.at("first").get<double>();
  m.accumulated = j.at("accumulated").get<double>();
  return m;
}

Histogram histogram(const json& j) {
  std::vector<uint64_t> counts(Histogram::kBins, 0);
  const auto first = j.at("first").get<size_t>();
  const auto stored = j.at("counts").get<std::vector<uint64_t>>();
  if (first + stored.size() > counts.size()) throw std::runtime_error("histogram has more than 2048 bins");
  std::copy(stored.begin(), stored.end(), counts.begin() + static_cast<ptrdiff_t>(first));
  return Histogram::restore(j.at("exponent").get<int>(), j.at("origin").get<int64_t>(), std::move(counts));
}

TensorRecord tensor_record(const json& j) {
  TensorRecord t;
  t.key = {j.at("subgraph").get<int>(), j.at("tensor").get<int>()};
  t.name = j.at("name").get<std::string>();
  t.shape = j.at("shape").get<std::vector<int32_t>>();
  TensorStatistics& s = t.stats;
  s.count = j.at("count").get<uint64_t>();
  s.zeros = j.at("zeros").get<uint64_t>();
  s.nonfinite = j.at("nonfinite").get<uint64_t>();
  s.min = number_or(j.at("min"), std::numeric_limits<double>::infinity());
  s.max = number_or(j.at("max"), -std::numeric_limits<double>::infinity());
  s.moments.count = s.count;
  s.moments.mean = j.at("mean").get<double>();
  s.moments.m2 = j.at("m2").get<double>();
  s.average_min = moving_average(j.at("moving_min"));
  s.average_max = moving_average(j.at("moving_max"));
  if (j.contains("histogram")) s.histogram = histogram(j.at("histogram"));
  if (s.histogram.total() != s.count) {
    throw std::runtime_error(cat("histogram holds ", s.histogram.total(), " values, count says ", s.count));
  }
  return t;
}

CalibrationRun calibration_run(const json& j) {
  CalibrationRun r;
  r.samples = j.at("samples").get<size_t>();
  for (const auto& i : j.at("inputs")) r.inputs.push_back(input_summary(i));
  for (const auto& s : j.at("skipped"))
    r.skipped.push_back({s.at("what").get<std::string>(), s.at("why").get<std::string>()});
  r.tool = j.value("tool", "");
  return r;
}

bool same_preprocessing(const InputSummary& a, const InputSummary& b) {
  if (a.kind != b.kind || a.image.has_value() != b.image.has_value()) return false;
  if (!a.image) return true;
  return to_json(*a.image) == to_json(*b.image);
}

std::string preprocessing_text(const InputSummary& s) { return s.image ? describe(*s.image) : s.kind; }

}  // namespace

const TensorRecord* StatsSet::find(const TensorKey& key) const {
  const auto it = std::lower_bound(tensors.begin(), tensors.end(), key,
                                   [](const TensorRecord& t, const TensorKey& k) { return t.key < k; });
  return it != tensors.end() && it->key == key ? &*it : nullptr;
}

const TensorRecord* StatsSet::find(const std::string& name) const {
  for (const auto& t : tensors) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

StatsSet make_stats(const format::Model& model, ModelIdentity identity, const StatsCollector& collected,
                    CalibrationRun run) {
  StatsSet set;
  set.model = std::move(identity);
  set.samples = run.samples;
  for (size_t i = 0; i < collected.keys().size(); ++i) {
    const TensorKey& key = collected.keys()[i];
    const format::Tensor& t =
        model.subgraphs[static_cast<size_t>(key.subgraph)].tensors[static_cast<size_t>(key.tensor)];
    set.tensors.push_back({key, t.name, t.shape, collected.stats()[i]});
  }
  set.runs.push_back(std::move(run));
  return set;
}

Status save_stats(const StatsSet& stats, const std::filesystem::path& path) {
  json runs = json::array();
  for (const auto& r : stats.runs) runs.push_back(to_json(r));
  json tensors = json::array();
  for (const auto& t : stats.tensors) tensors.push_back(to_json(t));
  const json doc = {{"format", kFormat},
                    {"version", kStatsFormatVersion},
                    {"model", {{"file", stats.model.file}, {"sha256", stats.model.sha256}}},
                    {"samples", stats.samples},
                    {"histogram_bins", Histogram::kBins},
                    {"moving_average_keep", kMovingAverageKeep},
                    {"runs", runs},
                    {"tensors", tensors}};
  const std::string text = doc.dump(1) + "\n";
  auto file = io::AtomicFile::create(path);
  if (!file) return tl::unexpected(file.error());
  if (auto s = file->write(std::as_bytes(std::span(text))); !s) return s;
  return file->commit();
}

Result<StatsSet> load_stats(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(cat(path.string(), ": cannot open"));
  std::stringstream text;
  text << in.rdbuf();
  try {
    const json doc = json::parse(text.str());
    if (!doc.is_object() || doc.value("format", "") != kFormat) {
      return fail(cat(path.string(), ": not a QuantScope stats file (\"format\" is not \"", kFormat, "\")"));
    }
    const int version = doc.at("version").get<int>();
    if (version > kStatsFormatVersion) {
      return fail(cat(path.string(), ": stats file version ", version,
                      " is newer than this QuantScope reads (", kStatsFormatVersion, ")"));
    }
    if (doc.value("histogram_bins", 0) != Histogram::kBins) {
      return fail(cat(path.string(), ": histograms of ", doc.value("histogram_bins", 0), " bins (expected ",
                      Histogram::kBins, ")"));
    }
    StatsSet set;
    set.model.file = doc.at("model").value("file", "");
    set.model.sha256 = doc.at("model").at("sha256").get<std::string>();
    set.samples = doc.at("samples").get<size_t>();
    for (const auto& r : doc.at("runs")) set.runs.push_back(calibration_run(r));
    for (const auto& t : doc.at("tensors")) {
      try {
        set.tensors.push_back(tensor_record(t));
      } catch (const std::exception& e) {
        return fail(cat(path.string(), ": tensor '", t.value("name", "?"), "': ", e.what()));
      }
    }
    std::sort(set.tensors.begin(), set.tensors.end(),
              [](const TensorRecord& a, const TensorRecord& b) { return a.key < b.key; });
    return set;
  } catch (const std::exception& e) {
    return fail(cat(path.string(), ": malformed stats file: ", e.what()));
  }
}

Status check_model(const StatsSet& stats, const std::string& sha256, const std::string& model_file) {
  if (stats.model.sha256 == sha256) return {};
  return fail(cat("these statistics belong to another model: they were collected on '", stats.model.file,
                  "' (SHA-256 ", stats.model.sha256.substr(0, 16), "...), and '", model_file,
                  "' has SHA-256 ", sha256.substr(0, 16), "..."));
}

Status merge_stats(StatsSet& into, const StatsSet& other) {
  if (auto s = check_model(other, into.model.sha256, into.model.file); !s) return s;
  if (into.tensors.size() != other.tensors.size()) {
    return fail(cat("the statistics cover different tensors (", into.tensors.size(), " and ",
                    other.tensors.size(), ")"));
  }
  for (size_t i = 0; i < into.tensors.size(); ++i) {
    if (into.tensors[i].key != other.tensors[i].key || into.tensors[i].name != other.tensors[i].name) {
      return fail(cat("the statistics cover different tensors: '", into.tensors[i].name, "' and '",
                      other.tensors[i].name, "'"));
    }
  }
  if (!into.runs.empty() && !other.runs.empty()) {
    for (const InputSummary& theirs : other.runs.front().inputs) {
      for (const InputSummary& ours : into.runs.front().inputs) {
        if (ours.input == theirs.input && !same_preprocessing(ours, theirs)) {
          return fail(cat("input '", ours.input, "' was preprocessed differently (", preprocessing_text(ours),
                          " vs ", preprocessing_text(theirs), "): merging would mix two distributions"));
        }
      }
    }
  }
  for (size_t i = 0; i < into.tensors.size(); ++i) into.tensors[i].stats.merge(other.tensors[i].stats);
  into.samples += other.samples;
  into.runs.insert(into.runs.end(), other.runs.begin(), other.runs.end());
  return {};
}

}  // namespace qs::calib
