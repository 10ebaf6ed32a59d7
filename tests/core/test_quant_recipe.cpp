// Recipes (core/quant/recipe): every choice survives a save and a load,
// and a recipe with a mistake in it is refused with the field named.

#include <gtest/gtest.h>

#include <string>

#include "quant/recipe.h"

namespace qs::quant {
namespace {

TEST(QuantRecipe, EveryChoiceSurvivesTheRoundTrip) {
  Recipe r;
  r.mode = "uint8";
  r.stats = "calib/stats.json";
  FullIntegerOptions& o = r.integer;
  o.scheme = IntegerScheme::kUint8;
  o.strict = true;
  o.input_type = format::TensorType::UINT8;
  o.output_type = format::TensorType::FLOAT32;
  o.method = calib::RangeMethod::kPercentile;
  o.method_options.percentile = 99.9;
  o.method_options.symmetric_percentile = true;
  o.method_for = {{"conv1", calib::RangeMethod::kMse}, {"logits", calib::RangeMethod::kEntropy}};
  o.mean_std = {{"image", 128, 127.5}};
  o.default_range = {{-6, 6}};
  o.keep_float.op_types = {"SOFTMAX"};
  o.keep_float.tensors = {"head/out"};
  o.keep_float.op_indices = {3, 7};
  o.per_tensor_ops = {"FULLY_CONNECTED"};
  o.tool = "test";
  auto back = parse_recipe(recipe_json(r), "r.json");
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->mode, "uint8");
  EXPECT_EQ(back->stats, r.stats);
  const FullIntegerOptions& b = back->integer;
  EXPECT_EQ(b.scheme, IntegerScheme::kUint8);
  EXPECT_TRUE(b.strict);
  EXPECT_EQ(b.input_type, format::TensorType::UINT8);
  EXPECT_EQ(b.output_type, format::TensorType::FLOAT32);
  EXPECT_EQ(b.method, calib::RangeMethod::kPercentile);
  EXPECT_DOUBLE_EQ(b.method_options.percentile, 99.9);
  EXPECT_TRUE(b.method_options.symmetric_percentile);
  EXPECT_EQ(b.method_for, o.method_for);
  ASSERT_EQ(b.mean_std.size(), 1u);
  EXPECT_EQ(b.mean_std[0].input, "image");
  EXPECT_DOUBLE_EQ(b.mean_std[0].mean, 128);
  EXPECT_DOUBLE_EQ(b.mean_std[0].std_dev, 127.5);
  EXPECT_EQ(b.default_range, o.default_range);
  EXPECT_EQ(b.keep_float.op_types, o.keep_float.op_types);
  EXPECT_EQ(b.keep_float.tensors, o.keep_float.tensors);
  EXPECT_EQ(b.keep_float.op_indices, o.keep_float.op_indices);
  EXPECT_EQ(b.per_tensor_ops, o.per_tensor_ops);
  EXPECT_EQ(recipe_json(*back), recipe_json(r));
}

TEST(QuantRecipe, Uint8RecipesDefaultToUint8Io) {
  auto r = parse_recipe(R"({"format": "quantscope.recipe", "version": 1, "mode": "uint8"})", "r.json");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->integer.input_type, format::TensorType::UINT8);
  EXPECT_EQ(r->integer.output_type, format::TensorType::UINT8);
}

TEST(QuantRecipe, MistakesAreRefusedNamingTheField) {
  const std::string head = R"({"format": "quantscope.recipe", "version": 1, )";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"("mode": "int8", "stat": "s.json"})", "unknown field 'stat'"},
      {R"("mode": "int4"})", "mode 'int4'"},
      {R"("mode": "int8", "range_method": "median"})", "range_method 'median'"},
      {R"("mode": "int8", "input_type": "int4"})", "input_type 'int4'"},
      {R"("mode": "int8", "strict": "yes"})", "field 'strict'"},
      {R"("mode": "int8", "default_range": [1]})", "default_range needs"},
      {R"("mode": "int8", "mean_std": [{"input": "x", "mean": 1}]})", "field 'mean_std'"},
      {R"("strict": true})", "field 'mode'"},
  };
  for (const auto& [body, says] : cases) {
    auto r = parse_recipe(head + body, "bad.json");
    ASSERT_FALSE(r) << body;
    EXPECT_NE(r.error().message.find(says), std::string::npos) << r.error().message;
    EXPECT_NE(r.error().message.find("bad.json"), std::string::npos) << r.error().message;
  }
  EXPECT_FALSE(parse_recipe("[1, 2]", "x.json"));
  EXPECT_FALSE(parse_recipe(R"({"format": "quantscope.recipe", "version": 2, "mode": "int8"})", "x.json"));
}

}  // namespace
}  // namespace qs::quant
