// Every float model of the corpus through every full-integer mode, with a
// default range standing in for statistics: the quantizer either writes a
// model that serialises and re-opens (validation included), or refuses
// with a message naming what stopped it. Never a crash, never a file the
// reader rejects. (Whether the files run correctly is the conformance
// suite's job; these are the models it cannot run.)

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "format/model_file.h"
#include "format/write_model.h"
#include "quant/full_integer.h"
#include "support/corpus.h"

namespace qs::quant {
namespace {

bool has_float_activation(const format::Model& m) {
  for (const auto& sg : m.subgraphs)
    for (const auto& t : sg.tensors)
      if (t.type == format::TensorType::FLOAT32 && !t.is_variable && m.tensor_data(t).empty()) return true;
  return false;
}

TEST(QuantCorpus, EveryFloatModelQuantizesToAFileTheReaderAcceptsOrSaysWhyNot) {
  QS_REQUIRE_CORPUS();
  size_t written = 0;
  size_t refused = 0;
  for (const auto& path : test::corpus_models()) {
    auto file = format::ModelFile::open(path);
    if (!file) continue;  // the broken files of the corpus: the reader's tests cover them
    const format::Model model = file->to_model();
    if (!has_float_activation(model)) continue;
    for (IntegerScheme scheme : {IntegerScheme::kInt8, IntegerScheme::kInt16x8, IntegerScheme::kUint8}) {
      SCOPED_TRACE(path.filename().string() + " " + std::string(scheme_name(scheme)));
      FullIntegerOptions o;
      o.scheme = scheme;
      o.default_range = {{-4, 4}};
      auto q = to_full_integer(model, o);
      if (!q) {
        EXPECT_FALSE(q.error().message.empty());
        ++refused;
        continue;
      }
      auto bytes = format::serialize(q->model);
      ASSERT_TRUE(bytes) << bytes.error().message;
      auto back = format::ModelFile::from_bytes(std::move(*bytes), path.filename().string());
      ASSERT_TRUE(back) << back.error().message;
      EXPECT_EQ(back->to_model().subgraphs.size(), model.subgraphs.size());
      ++written;
    }
  }
  std::printf("%zu quantized files re-read, %zu runs refused with a reason\n", written, refused);
  EXPECT_GT(written, 100u);
}

}  // namespace
}  // namespace qs::quant
