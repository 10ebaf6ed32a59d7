#pragma once
// What every quantization mode shares when it rewrites a model: the result
// type, dropping float data nothing reads any more, and the metadata entry
// that records how the file was made.

#include <cstdint>
#include <set>
#include <string>

#include "format/model.h"
#include "quant/quant_plan.h"

namespace qs::quant {

struct QuantizedModel {
  format::Model model;
  QuantPlan plan;
};

// A FLOAT32 tensor with constant data (not a variable's initial value).
bool is_float_constant(const format::Model& model, const format::Tensor& tensor);

// Empties those of `candidates` that no tensor or metadata entry refers to
// (the entries stay, so no buffer index moves).
void drop_unused_buffers(format::Model& model, const std::set<uint32_t>& candidates);

// Replaces the model's "quantscope" metadata entry with `recipe_json`.
void set_recipe_metadata(format::Model& model, const std::string& recipe_json);

}  // namespace qs::quant
