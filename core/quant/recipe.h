#pragma once
// Every choice of a quantization run, as a file (`quantize --recipe`,
// `--save-recipe`) and as the "quantscope" metadata entry of the model it
// made, so that a run can be repeated and a file tells how it was made.
//
// {"format": "quantscope.recipe", "version": 1, "mode": "int8",
//  "stats": "stats.json", "range_method": "percentile", ...}; every field
// but "mode" is optional (docs/recipe.md lists them). Unknown fields are
// errors: a misspelt option must not be silently ignored.

#include <filesystem>
#include <string>
#include <string_view>

#include "common/status.h"
#include "quant/full_integer.h"

namespace qs::quant {

inline constexpr int kRecipeFormatVersion = 1;

struct Recipe {
  std::string mode;  // float16, dynamic, int8, int16x8, uint8
  size_t min_elements = 1024;        // dynamic
  FullIntegerOptions integer;        // int8, int16x8, uint8 (its `stats` pointer is not saved)
  std::filesystem::path stats;       // the statistics file, when the mode uses one
};

std::string recipe_json(const Recipe& recipe);
// Errors name `where` and the field at fault.
Result<Recipe> parse_recipe(std::string_view text, const std::string& where);

// A relative "stats" path is taken relative to the recipe file, and
// save_recipe writes it so.
Result<Recipe> load_recipe(const std::filesystem::path& path);
// Written atomically.
Status save_recipe(const Recipe& recipe, const std::filesystem::path& path);

// The integer scheme a mode name stands for (nullopt: float16, dynamic or
// unknown).
std::optional<IntegerScheme> parse_scheme(std::string_view mode);

}  // namespace qs::quant
