#include "quant/recipe.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "io/atomic_file.h"

namespace qs::quant {
namespace {

using nlohmann::json;
using format::TensorType;

std::string io_name(TensorType t) {
  switch (t) {
    case TensorType::INT8:
      return "int8";
    case TensorType::UINT8:
      return "uint8";
    case TensorType::INT16:
      return "int16";
    default:
      return "float32";
  }
}

std::optional<TensorType> parse_io(const std::string& s) {
  if (s == "float32") return TensorType::FLOAT32;
  if (s == "int8") return TensorType::INT8;
  if (s == "uint8") return TensorType::UINT8;
  if (s == "int16") return TensorType::INT16;
  return std::nullopt;
}

const std::set<std::string>& known_fields() {
  static const std::set<std::string> k = {
      "format",     "version",  "tool",          "mode",         "min_elements",     "strict",
      "input_type", "output_type", "stats",      "range_method", "percentile",       "symmetric_percentile",
      "range_method_for", "mean_std", "default_range", "keep_float", "per_tensor_ops", "stats_samples",
      "stats_model_sha256"};
  return k;
}

}  // namespace

std::optional<IntegerScheme> parse_scheme(std::string_view mode) {
  if (mode == "int8") return IntegerScheme::kInt8;
  if (mode == "int16x8") return IntegerScheme::kInt16x8;
  if (mode == "uint8") return IntegerScheme::kUint8;
  return std::nullopt;
}

std::string recipe_json(const Recipe& r) {
  const FullIntegerOptions& o = r.integer;
  json j = {{"format", "quantscope.recipe"}, {"version", kRecipeFormatVersion}, {"tool", o.tool}, {"mode", r.mode}};
  if (r.mode == "dynamic") j["min_elements"] = r.min_elements;
  if (!parse_scheme(r.mode)) return j.dump(1) + "\n";
  json methods = json::object();
  for (const auto& [n, m] : o.method_for) methods[n] = std::string(calib::method_name(m));
  json ms = json::array();
  for (const auto& x : o.mean_std) ms.push_back({{"input", x.input}, {"mean", x.mean}, {"std_dev", x.std_dev}});
  j["strict"] = o.strict;
  j["input_type"] = io_name(o.input_type);
  j["output_type"] = io_name(o.output_type);
  if (!r.stats.empty()) j["stats"] = r.stats.string();
  if (o.stats != nullptr) {
    j["stats_samples"] = o.stats->samples;
    j["stats_model_sha256"] = o.stats->model.sha256;
  }
  j["range_method"] = std::string(calib::method_name(o.method));
  j["percentile"] = o.method_options.percentile;
  j["symmetric_percentile"] = o.method_options.symmetric_percentile;
  j["range_method_for"] = methods;
  j["mean_std"] = ms;
  if (o.default_range) j["default_range"] = {o.default_range->first, o.default_range->second};
  j["keep_float"] = {{"op_types", o.keep_float.op_types},
                     {"tensors", o.keep_float.tensors},
                     {"op_indices", o.keep_float.op_indices}};
  j["per_tensor_ops"] = o.per_tensor_ops;
  return j.dump(1) + "\n";
}

Result<Recipe> parse_recipe(std::string_view text, const std::string& where) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::exception& e) {
    return fail(cat(where, ": not JSON: ", e.what()));
  }
  if (!j.is_object() || j.value("format", "") != "quantscope.recipe")
    return fail(cat(where, ": not a QuantScope recipe (\"format\": \"quantscope.recipe\")"));
  if (j.value("version", 0) != kRecipeFormatVersion)
    return fail(cat(where, ": recipe version ", j.value("version", 0), ", this build reads ", kRecipeFormatVersion));
  for (const auto& [key, value] : j.items()) {
    if (!known_fields().contains(key)) return fail(cat(where, ": unknown field '", key, "'"));
  }
  Recipe r;
  std::string field;
  try {
    field = "mode";
    r.mode = j.at("mode").get<std::string>();
    if (r.mode != "float16" && r.mode != "dynamic" && !parse_scheme(r.mode))
      return fail(cat(where, ": mode '", r.mode, "' (float16, dynamic, int8, int16x8, uint8)"));
    FullIntegerOptions& o = r.integer;
    if (auto s = parse_scheme(r.mode)) o.scheme = *s;
    field = "min_elements";
    r.min_elements = j.value("min_elements", r.min_elements);
    field = "strict";
    o.strict = j.value("strict", false);
    // Legacy uint8 models are uint8 end to end unless the recipe says otherwise.
    o.input_type = o.output_type = r.mode == "uint8" ? TensorType::UINT8 : TensorType::FLOAT32;
    for (const char* io : {"input_type", "output_type"}) {
      field = io;
      if (!j.contains(io)) continue;
      const auto t = parse_io(j[io].get<std::string>());
      if (!t) return fail(cat(where, ": ", io, " '", j[io].get<std::string>(), "' (float32, int8, uint8, int16)"));
      (field == "input_type" ? o.input_type : o.output_type) = *t;
    }
    field = "stats";
    if (j.contains("stats")) r.stats = j["stats"].get<std::string>();
    field = "range_method";
    if (j.contains("range_method")) {
      const auto m = calib::parse_method(j["range_method"].get<std::string>());
      if (!m) return fail(cat(where, ": range_method '", j["range_method"].get<std::string>(), "'"));
      o.method = *m;
    }
    field = "percentile";
    o.method_options.percentile = j.value("percentile", o.method_options.percentile);
    field = "symmetric_percentile";
    o.method_options.symmetric_percentile = j.value("symmetric_percentile", false);
    field = "range_method_for";
    const json methods = j.value("range_method_for", json::object());
    for (const auto& [n, m] : methods.items()) {
      const auto method = calib::parse_method(m.get<std::string>());
      if (!method) return fail(cat(where, ": range_method_for '", n, "': '", m.get<std::string>(), "'"));
      o.method_for[n] = *method;
    }
    field = "mean_std";
    for (const auto& x : j.value("mean_std", json::array()))
      o.mean_std.push_back({x.at("input").get<std::string>(), x.at("mean").get<double>(), x.at("std_dev").get<double>()});
    field = "default_range";
    if (j.contains("default_range")) {
      const auto v = j["default_range"].get<std::vector<double>>();
      if (v.size() != 2) return fail(cat(where, ": default_range needs [MIN, MAX]"));
      o.default_range = std::make_pair(v[0], v[1]);
    }
    field = "keep_float";
    if (j.contains("keep_float")) {
      const json& k = j["keep_float"];
      o.keep_float.op_types = k.value("op_types", std::set<std::string>{});
      o.keep_float.tensors = k.value("tensors", std::set<std::string>{});
      o.keep_float.op_indices = k.value("op_indices", std::set<int>{});
    }
    field = "per_tensor_ops";
    o.per_tensor_ops = j.value("per_tensor_ops", std::set<std::string>{});
    o.tool = j.value("tool", o.tool);
  } catch (const json::exception& e) {
    return fail(cat(where, ": field '", field, "': ", e.what()));
  }
  return r;
}

Result<Recipe> load_recipe(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(cat(path.string(), ": cannot open"));
  std::stringstream text;
  text << in.rdbuf();
  auto r = parse_recipe(text.str(), path.string());
  // A relative statistics path is relative to the recipe, as save_recipe
  // writes it, so that a folder of recipe and statistics can move.
  if (r && !r->stats.empty() && r->stats.is_relative()) r->stats = path.parent_path() / r->stats;
  return r;
}

Status save_recipe(const Recipe& recipe, const std::filesystem::path& path) {
  auto file = io::AtomicFile::create(path);
  if (!file) return tl::unexpected(file.error());
  Recipe relative = recipe;
  if (!recipe.stats.empty()) {
    std::error_code ec;
    const auto base = std::filesystem::absolute(path, ec).parent_path();
    const auto rel = std::filesystem::relative(std::filesystem::absolute(recipe.stats, ec), base, ec);
    if (!ec && !rel.empty()) relative.stats = rel;
  }
  const std::string text = recipe_json(relative);
  if (auto s = file->write(std::as_bytes(std::span(text.data(), text.size()))); !s) return s;
  return file->commit();
}

}  // namespace qs::quant
