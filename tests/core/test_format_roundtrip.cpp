// Every corpus model must survive read -> write -> read with identical
// content. "Identical" is judged on the generated object API (independent of
// our Model type), after normalising what legitimately changes in a rewrite:
// the order of the operator-code table (ops are compared by their resolved
// code) and where buffer bytes live (inline or after the FlatBuffer).

#include <gtest/gtest.h>

#include <cctype>
#include <cmath>
#include <cstring>

#include "format/model_file.h"
#include "format/write_model.h"
#include "qs/tfl/tflite_generated.h"
#include "support/corpus.h"

namespace qs::format {
namespace {

struct ResolvedCode {
  int32_t builtin;
  std::string custom;
  int32_t version;
  bool operator==(const ResolvedCode&) const = default;
};

// A ModelT with file-layout details replaced by what they mean.
struct Canonical {
  std::unique_ptr<tfl::ModelT> model;
  std::vector<std::vector<ResolvedCode>> op_codes;  // per subgraph, per op
};

Canonical canonicalize(const ModelFile& file) {
  Canonical c;
  c.model.reset(file.root().UnPack());
  auto& m = *c.model;
  for (size_t i = 0; i < m.buffers.size(); ++i) {
    const auto data = file.buffer_data(static_cast<uint32_t>(i));
    m.buffers[i]->data.assign(data.begin(), data.end());
    m.buffers[i]->offset = 0;
    m.buffers[i]->size = 0;
  }
  for (auto& sg : m.subgraphs) {
    auto& codes = c.op_codes.emplace_back();
    for (auto& op : sg->operators) {
      const auto& oc = *m.operator_codes[op->opcode_index];
      codes.push_back({static_cast<int32_t>(file.builtin_code(op->opcode_index)), oc.custom_code, oc.version});
      op->opcode_index = 0;
      if (op->large_custom_options_offset > 1) {
        const auto bytes = file.bytes().subspan(op->large_custom_options_offset, op->large_custom_options_size);
        op->custom_options.assign(bytes.begin(), bytes.end());
      }
      op->large_custom_options_offset = 0;
      op->large_custom_options_size = 0;
    }
  }
  m.operator_codes.clear();
  return c;
}

// Float fields may hold NaN (e.g. unset ranges); two NaNs are the same content.
bool same_floats(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](float x, float y) {
           return std::memcmp(&x, &y, sizeof x) == 0 || x == y;
         });
}

bool same_quantization(const std::unique_ptr<tfl::QuantizationParametersT>& a,
                       const std::unique_ptr<tfl::QuantizationParametersT>& b) {
  if (!a || !b) return !a && !b;
  return same_floats(a->min, b->min) && same_floats(a->max, b->max) && same_floats(a->scale, b->scale) &&
         a->zero_point == b->zero_point && a->quantized_dimension == b->quantized_dimension &&
         a->details == b->details;
}

// Compares piece by piece so a failure names the element that differs.
void expect_same(const Canonical& a, const Canonical& b, const std::string& what) {
  const auto& ma = *a.model;
  const auto& mb = *b.model;
  EXPECT_EQ(ma.version, mb.version) << what;
  EXPECT_EQ(ma.description, mb.description) << what;
  EXPECT_EQ(ma.metadata_buffer, mb.metadata_buffer) << what;
  ASSERT_EQ(ma.buffers.size(), mb.buffers.size()) << what;
  for (size_t i = 0; i < ma.buffers.size(); ++i) {
    EXPECT_TRUE(ma.buffers[i]->data == mb.buffers[i]->data) << what << ": buffer " << i;
  }
  ASSERT_EQ(ma.metadata.size(), mb.metadata.size()) << what;
  for (size_t i = 0; i < ma.metadata.size(); ++i) EXPECT_TRUE(*ma.metadata[i] == *mb.metadata[i]) << what;
  ASSERT_EQ(ma.signature_defs.size(), mb.signature_defs.size()) << what;
  for (size_t i = 0; i < ma.signature_defs.size(); ++i) {
    EXPECT_TRUE(*ma.signature_defs[i] == *mb.signature_defs[i]) << what << ": signature " << i;
  }
  EXPECT_EQ(ma.external_buffers.size(), mb.external_buffers.size()) << what;
  EXPECT_EQ(ma.external_buffer_groups.size(), mb.external_buffer_groups.size()) << what;
  ASSERT_EQ(ma.subgraphs.size(), mb.subgraphs.size()) << what;
  EXPECT_EQ(a.op_codes, b.op_codes) << what << ": operator codes";
  for (size_t g = 0; g < ma.subgraphs.size(); ++g) {
    const auto& ga = *ma.subgraphs[g];
    const auto& gb = *mb.subgraphs[g];
    const std::string sg = what + ": subgraph " + std::to_string(g);
    EXPECT_EQ(ga.name, gb.name) << sg;
    EXPECT_EQ(ga.inputs, gb.inputs) << sg;
    EXPECT_EQ(ga.outputs, gb.outputs) << sg;
    EXPECT_EQ(ga.debug_metadata_index, gb.debug_metadata_index) << sg;
    ASSERT_EQ(ga.tensors.size(), gb.tensors.size()) << sg;
    for (size_t t = 0; t < ga.tensors.size(); ++t) {
      const auto& ta = *ga.tensors[t];
      const auto& tb = *gb.tensors[t];
      const std::string tn = sg + " tensor " + std::to_string(t) + " '" + ta.name + "'";
      EXPECT_EQ(ta.name, tb.name) << tn;
      EXPECT_EQ(ta.type, tb.type) << tn;
      EXPECT_EQ(ta.shape, tb.shape) << tn;
      EXPECT_EQ(ta.shape_signature, tb.shape_signature) << tn;
      EXPECT_EQ(ta.buffer, tb.buffer) << tn;
      EXPECT_EQ(ta.is_variable, tb.is_variable) << tn;
      EXPECT_EQ(ta.has_rank, tb.has_rank) << tn;
      EXPECT_EQ(ta.external_buffer, tb.external_buffer) << tn;
      EXPECT_TRUE(same_quantization(ta.quantization, tb.quantization)) << tn << ": quantization";
      EXPECT_TRUE(ta.sparsity == tb.sparsity || (ta.sparsity && tb.sparsity && *ta.sparsity == *tb.sparsity))
          << tn << ": sparsity";
      ASSERT_EQ(ta.variant_tensors.size(), tb.variant_tensors.size()) << tn;
      for (size_t v = 0; v < ta.variant_tensors.size(); ++v) {
        EXPECT_TRUE(*ta.variant_tensors[v] == *tb.variant_tensors[v]) << tn;
      }
    }
    ASSERT_EQ(ga.operators.size(), gb.operators.size()) << sg;
    for (size_t o = 0; o < ga.operators.size(); ++o) {
      const auto& oa = *ga.operators[o];
      const auto& ob = *gb.operators[o];
      const std::string on = sg + " operator " + std::to_string(o);
      EXPECT_EQ(oa.inputs, ob.inputs) << on;
      EXPECT_EQ(oa.outputs, ob.outputs) << on;
      EXPECT_EQ(oa.intermediates, ob.intermediates) << on;
      EXPECT_EQ(oa.builtin_options.type, ob.builtin_options.type) << on;
      EXPECT_TRUE(oa.builtin_options == ob.builtin_options) << on << ": builtin options";
      EXPECT_EQ(oa.builtin_options_2.type, ob.builtin_options_2.type) << on;
      EXPECT_TRUE(oa.builtin_options_2 == ob.builtin_options_2) << on << ": builtin options 2";
      EXPECT_EQ(oa.custom_options, ob.custom_options) << on << ": custom options";
      EXPECT_EQ(oa.custom_options_format, ob.custom_options_format) << on;
      EXPECT_EQ(oa.mutating_variable_inputs, ob.mutating_variable_inputs) << on;
      EXPECT_EQ(oa.debug_metadata_index, ob.debug_metadata_index) << on;
    }
  }
}

void round_trip(const std::string& name, const WriteOptions& options, const char* layout) {
  auto original = ModelFile::open(test::corpus_model(name));
  ASSERT_TRUE(original) << original.error().message;
  const Model model = original->to_model();
  auto bytes = serialize(model, options);
  ASSERT_TRUE(bytes) << bytes.error().message;
  auto reread = ModelFile::from_bytes(std::move(*bytes), name + " (rewritten, " + layout + ")");
  ASSERT_TRUE(reread) << reread.error().message;
  expect_same(canonicalize(*original), canonicalize(*reread), name + " [" + layout + "]");
}

std::vector<std::string> corpus_names() {
  std::vector<std::string> names;
  for (const auto& p : test::corpus_models()) names.push_back(p.filename().string());
  return names;
}

std::string test_name(const ::testing::TestParamInfo<std::string>& info) {
  std::string n = info.param;
  for (char& ch : n) {
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  }
  return n;
}

class CorpusModel : public ::testing::TestWithParam<std::string> {};

TEST_P(CorpusModel, RoundTripsInline) { round_trip(GetParam(), WriteOptions{}, "inline"); }

// The > 2 GB layout (data after the FlatBuffer, located by offset/size),
// forced on every model so it is exercised on real graphs.
TEST_P(CorpusModel, RoundTripsWithDataAfterFlatBuffer) {
  round_trip(GetParam(), WriteOptions{.inline_data_limit = 0}, "external");
}

// Writing what we read is a fixed point: a second rewrite gives the same bytes.
TEST_P(CorpusModel, RewriteIsStable) {
  auto original = ModelFile::open(test::corpus_model(GetParam()));
  ASSERT_TRUE(original) << original.error().message;
  auto first = serialize(original->to_model());
  ASSERT_TRUE(first);
  auto reread = ModelFile::from_bytes(*first, GetParam());
  ASSERT_TRUE(reread) << reread.error().message;
  auto second = serialize(reread->to_model());
  ASSERT_TRUE(second);
  EXPECT_TRUE(*first == *second);
}

INSTANTIATE_TEST_SUITE_P(Corpus, CorpusModel, ::testing::ValuesIn(corpus_names()), test_name);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(CorpusModel);

TEST(Corpus, IsPresentAndComplete) {
  QS_REQUIRE_CORPUS();
  // The catalog lists about 170 models; a much smaller count means a broken
  // checkout of the corpus, which would silently shrink the tests above.
  EXPECT_GE(test::corpus_models().size(), 150u);
}

}  // namespace
}  // namespace qs::format
