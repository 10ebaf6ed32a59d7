#include "quant/quant_plan.h"

#include <nlohmann/json.hpp>

#include "io/atomic_file.h"

namespace qs::quant {

std::string plan_json(const QuantPlan& plan) {
  using nlohmann::json;
  json tensors = json::array();
  for (const auto& t : plan.tensors) {
    json j = {{"subgraph", t.subgraph},
              {"tensor", t.tensor},
              {"name", t.name},
              {"from", std::string(format::type_name(t.from))},
              {"to", std::string(format::type_name(t.to))},
              {"origin", t.origin}};
    if (!t.scale.empty()) {
      j["scale"] = t.scale;
      j["zero_point"] = t.zero_point;
      if (t.scale.size() > 1) j["axis"] = t.axis;
    }
    tensors.push_back(std::move(j));
  }
  json inserted = json::array();
  for (const auto& op : plan.inserted) {
    inserted.push_back({{"subgraph", op.subgraph},
                        {"op", op.op},
                        {"type", op.type},
                        {"input", op.input},
                        {"output", op.output},
                        {"why", op.why}});
  }
  const json doc = {{"format", "quantscope.quant-plan"},
                    {"version", kPlanFormatVersion},
                    {"mode", plan.mode},
                    {"tensors", tensors},
                    {"inserted_ops", inserted},
                    {"warnings", plan.warnings}};
  return doc.dump(1) + "\n";
}

Status save_plan(const QuantPlan& plan, const std::filesystem::path& path) {
  auto file = io::AtomicFile::create(path);
  if (!file) return tl::unexpected(file.error());
  const std::string text = plan_json(plan);
  if (auto s = file->write(std::as_bytes(std::span(text.data(), text.size()))); !s) return s;
  return file->commit();
}

}  // namespace qs::quant
