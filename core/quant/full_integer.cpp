#include "quant/full_integer.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <limits>

#include "quant/op_versions.h"
#include "quant/recipe.h"
#include "quant/subgraph_quantizer.h"

namespace qs::quant {
namespace {

using format::TensorType;
using integer::activation_type;
using integer::SubgraphQuantizer;

Status check_options(const format::Model& m, const FullIntegerOptions& opt) {
  const TensorType act = activation_type(opt.scheme);
  for (TensorType t : {opt.input_type, opt.output_type}) {
    const bool ok = t == TensorType::FLOAT32 || t == act ||
                    (opt.scheme == IntegerScheme::kInt8 && t == TensorType::UINT8);
    if (!ok)
      return fail(cat("I/O type ", format::type_name(t), " is not possible in ", scheme_name(opt.scheme),
                      " mode (float32 or ", format::type_name(act),
                      opt.scheme == IntegerScheme::kInt8 ? ", or uint8)" : ")"));
  }
  if (m.subgraphs.empty()) return fail("the model has no subgraph");
  const format::Subgraph& main = m.subgraphs[0];
  for (const auto& ms : opt.mean_std) {
    if (!(ms.std_dev > 0) || !std::isfinite(ms.std_dev))
      return fail(cat("--mean-std ", ms.input, ": std_dev must be > 0, not ", ms.std_dev));
    if (ms.mean != std::floor(ms.mean) || ms.mean < 0 || ms.mean > 255)
      return fail(cat("--mean-std ", ms.input, ": mean must be an integer 0..255, not ", ms.mean));
    const bool found = std::any_of(main.inputs.begin(), main.inputs.end(), [&](int32_t t) {
      return main.tensors[static_cast<size_t>(t)].name == ms.input;
    });
    if (!found) return fail(cat("--mean-std ", ms.input, ": the model has no input named '", ms.input, "'"));
  }
  const auto has_tensor = [&](const std::string& n) {
    for (const auto& sg : m.subgraphs)
      for (const auto& t : sg.tensors)
        if (t.name == n) return true;
    return false;
  };
  for (const auto& n : opt.keep_float.tensors)
    if (!has_tensor(n))
      return fail(cat("--keep-float ", n, ": no tensor or op type of that name in the model"));
  for (const auto& [n, method] : opt.method_for)
    if (!has_tensor(n)) return fail(cat("range method for '", n, "': no tensor of that name in the model"));
  for (const auto& type : opt.keep_float.op_types) {
    bool present = false;
    for (const auto& sg : m.subgraphs)
      for (const auto& op : sg.operators) present = present || format::op_name(op.code.builtin) == type;
    if (!present) return fail(cat("--keep-float ", type, ": the model has no ", type, " op"));
  }
  for (int o : opt.keep_float.op_indices)
    if (o < 0 || static_cast<size_t>(o) >= main.operators.size())
      return fail(cat("--keep-float op #", o, ": subgraph 0 has ops #0..#", main.operators.size() - 1));
  if (opt.default_range && !(opt.default_range->first < opt.default_range->second))
    return fail("--default-range: MIN must be below MAX");
  return {};
}

}  // namespace

Result<QuantizedModel> to_full_integer(const format::Model& input, const FullIntegerOptions& opt) {
  if (auto s = check_options(input, opt); !s) return tl::unexpected(s.error());
  QuantizedModel r;
  r.model = input;
  r.plan.mode = std::string(scheme_name(opt.scheme));
  format::Model& m = r.model;
  std::set<int> entry = {0};
  for (const auto& sig : m.signatures) entry.insert(static_cast<int>(sig.subgraph_index));
  std::set<uint32_t> replaced;
  std::vector<std::string> kept;
  std::vector<std::unique_ptr<SubgraphQuantizer>> parts;
  const FakeQuantFold fold = fold_fake_quant(m);
  for (size_t s = 0; s < m.subgraphs.size(); ++s) {
    auto q = std::make_unique<SubgraphQuantizer>(m, static_cast<int>(s), entry.contains(static_cast<int>(s)),
                                                 opt, r.plan, replaced, fold);
    if (auto st = q->decide(); !st) return fail(cat("subgraph ", s, ": ", st.error().message));
    for (const auto& k : q->kept_float)
      kept.push_back(m.subgraphs.size() > 1 ? cat("subgraph ", s, " ", k) : k);
    parts.push_back(std::move(q));
  }
  size_t quantized_ops = 0;
  for (const auto& q : parts) quantized_ops += q->quantized_ops;
  if (quantized_ops == 0) {
    const bool any_range = opt.stats != nullptr || opt.default_range || !opt.mean_std.empty();
    return fail(any_range
                    ? cat("no op can run on ", scheme_name(opt.scheme), ": ",
                          kept.empty() ? "no float ops" : kept.front())
                    : "no op has ranges for its activations: give --stats (from `quantscope-cli calibrate`) "
                      "or --default-range");
  }
  if (opt.strict) {
    std::vector<std::string> blocking;
    for (const auto& k : kept)
      if (k.find("kept float (by") == std::string::npos) blocking.push_back(k);
    if (!blocking.empty()) {
      std::string list;
      for (const auto& b : blocking) list += "\n  " + b;
      return fail(
          cat("--strict: ", blocking.size(), " op(s) cannot run on ", scheme_name(opt.scheme), ":", list));
    }
  }
  for (auto& q : parts) q->rewrite();
  for (const auto& k : kept) r.plan.warnings.push_back(cat("stays float: ", k));
  for (const auto& t : r.plan.tensors) {
    if (t.origin.rfind("--default-range", 0) == 0)
      r.plan.warnings.push_back(cat("tensor '", t.name, "' uses the default range (no statistics)"));
  }
  raise_op_versions(m);
  drop_unused_buffers(m, replaced);
  Recipe recipe;
  recipe.mode = std::string(scheme_name(opt.scheme));
  recipe.integer = opt;
  set_recipe_metadata(m, recipe_json(recipe));
  return r;
}

}  // namespace qs::quant
