// Bounded mutation testing of the reader: thousands of corrupted copies of
// real corpus models, each either rejected with a proper message or, if
// accepted, usable by everything downstream (editable model, info summary,
// JSON, writer) without crashing, and re-readable after being written.
//
// This is the deterministic, always-on sibling of tests/fuzz: a fixed seed
// so a failure reproduces, a fixed budget so it runs in ctest. Set
// QS_MUTATION_SEED / QS_MUTATION_ITERATIONS to explore further locally.

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "format/model_file.h"
#include "format/write_model.h"
#include "inspect/model_info.h"
#include "qs/tfl/tflite_generated.h"
#include "support/corpus.h"
#include "support/model_builder.h"

namespace qs::format {
namespace {

// Small models mutate fast and still cover every structural feature of the
// corpus (subgraphs, signatures, metadata, sparsity, custom ops).
constexpr uintmax_t kMaxSeedBytes = 300 * 1024;
constexpr uint64_t kDefaultSeed = 0x5eed'0f'9a'7c'31ull;
constexpr size_t kDefaultIterations = 50'000;
// Most of a model's bytes are weights, where corruption changes numbers but
// nothing structural; aim most mutations at the rest.
constexpr double kStructuralShare = 0.9;
constexpr size_t kMaxReportedFailures = 20;

uint64_t env_or(const char* name, uint64_t fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::strtoull(v, nullptr, 0) : fallback;
}

struct Seed {
  std::string name;
  std::vector<uint8_t> bytes;
  // [begin, end) byte ranges outside constant buffer data, with the running
  // total of their lengths for picking a position uniformly among them.
  std::vector<std::pair<size_t, size_t>> structure;
  std::vector<size_t> structure_end_total;
};

Seed make_seed(const std::filesystem::path& path) {
  Seed s;
  s.name = path.filename().string();
  s.bytes = test::read_file(path);
  auto file = ModelFile::from_bytes(s.bytes, s.name);
  std::vector<std::pair<size_t, size_t>> data;
  if (file) {
    const auto* base = file->bytes().data();
    const auto* buffers = file->root().buffers();
    for (uint32_t i = 0; buffers != nullptr && i < buffers->size(); ++i) {
      const auto d = file->buffer_data(i);
      if (!d.empty())
        data.emplace_back(static_cast<size_t>(d.data() - base),
                          static_cast<size_t>(d.data() - base) + d.size());
    }
  }
  std::sort(data.begin(), data.end());
  size_t cursor = 0;
  size_t total = 0;
  auto add = [&](size_t b, size_t e) {
    if (e <= b) return;
    s.structure.emplace_back(b, e);
    total += e - b;
    s.structure_end_total.push_back(total);
  };
  for (const auto& [b, e] : data) {
    add(cursor, b);
    cursor = std::max(cursor, e);
  }
  add(cursor, s.bytes.size());
  return s;
}

class Mutator {
 public:
  explicit Mutator(uint64_t seed) : rng_(seed) {}

  // Applies 1-3 mutations to `bytes`; returns a description for reproducing.
  std::string mutate(const Seed& seed, std::vector<uint8_t>& bytes) {
    std::ostringstream what;
    const int n = 1 + static_cast<int>(uniform(3));
    for (int k = 0; k < n && !bytes.empty(); ++k) {
      if (k != 0) what << ' ';
      mutate_once(seed, bytes, what);
    }
    return what.str();
  }

 private:
  uint64_t uniform(uint64_t n) {
    return n == 0 ? 0 : std::uniform_int_distribution<uint64_t>(0, n - 1)(rng_);
  }
  bool chance(double p) { return std::bernoulli_distribution(p)(rng_); }

  // A position, usually in the seed's structure (graph tables, vtables,
  // strings, offsets) rather than its weights. The mutant may have shifted
  // by earlier edits; the position is clamped to its size.
  size_t position(const Seed& seed, size_t size) {
    size_t p = 0;
    if (!seed.structure.empty() && chance(kStructuralShare)) {
      const size_t k = uniform(seed.structure_end_total.back());
      const auto it = std::upper_bound(seed.structure_end_total.begin(), seed.structure_end_total.end(), k);
      const size_t r = static_cast<size_t>(it - seed.structure_end_total.begin());
      // k falls in range r, which ends where the running total reaches *it.
      p = seed.structure[r].second - (*it - k);
    } else {
      p = uniform(size);
    }
    return std::min(p, size - 1);
  }

  uint32_t interesting32(size_t file_size) {
    const auto size = static_cast<uint32_t>(file_size);
    const std::array<uint32_t, 16> values = {
        0u,          1u,          2u,      4u,       8u,   16u,      0x7FFFFFFFu, 0x80000000u,
        0xFFFFFFFFu, 0xFFFFFFFEu, 0xFFFFu, 0x10000u, size, size - 4, size + 4,    size / 2};
    return values[uniform(values.size())];
  }

  uint64_t interesting64(size_t file_size) {
    const std::array<uint64_t, 8> values = {
        0, 1, 2, file_size, file_size - 1, file_size + 64, uint64_t{1} << 63, ~uint64_t{0}};
    return values[uniform(values.size())];
  }

  void mutate_once(const Seed& seed, std::vector<uint8_t>& bytes, std::ostringstream& what) {
    const size_t size = bytes.size();
    switch (uniform(8)) {
      case 0: {  // flip one bit
        const size_t p = position(seed, size);
        const auto bit = static_cast<uint8_t>(1u << uniform(8));
        bytes[p] ^= bit;
        what << "bitflip@" << p << '^' << int{bit};
        break;
      }
      case 1: {  // random byte
        const size_t p = position(seed, size);
        bytes[p] = static_cast<uint8_t>(uniform(256));
        what << "byte@" << p << '=' << int{bytes[p]};
        break;
      }
      case 2:
      case 3: {  // 4-byte word, aligned like FlatBuffers scalars and offsets
        if (size < 4) break;
        const size_t p = std::min(position(seed, size) & ~size_t{3}, size - 4);
        const uint32_t v = interesting32(size);
        std::memcpy(bytes.data() + p, &v, 4);
        what << "word32@" << p << '=' << v;
        break;
      }
      case 4: {  // 8-byte word: Buffer.offset/size and the large custom options fields
        if (size < 8) break;
        const size_t p = std::min(position(seed, size) & ~size_t{7}, size - 8);
        const uint64_t v = interesting64(size);
        std::memcpy(bytes.data() + p, &v, 8);
        what << "word64@" << p << '=' << v;
        break;
      }
      case 5: {  // truncate
        const size_t n = uniform(size);
        bytes.resize(n);
        what << "truncate=" << n;
        break;
      }
      case 6: {  // delete a chunk
        const size_t p = position(seed, size);
        const size_t len = 1 + uniform(std::min<size_t>(size - p, chance(0.8) ? 16 : 4096));
        bytes.erase(bytes.begin() + static_cast<ptrdiff_t>(p),
                    bytes.begin() + static_cast<ptrdiff_t>(p + len));
        what << "delete@" << p << '+' << len;
        break;
      }
      default: {  // duplicate a chunk somewhere else
        const size_t from = position(seed, size);
        const size_t len = 1 + uniform(std::min<size_t>(size - from, chance(0.8) ? 16 : 4096));
        const size_t to = position(seed, size);
        const std::vector<uint8_t> chunk(bytes.begin() + static_cast<ptrdiff_t>(from),
                                         bytes.begin() + static_cast<ptrdiff_t>(from + len));
        bytes.insert(bytes.begin() + static_cast<ptrdiff_t>(to), chunk.begin(), chunk.end());
        what << "dup@" << from << '+' << len << "->" << to;
        break;
      }
    }
  }

  std::mt19937_64 rng_;
};

// What must hold for any input; an empty string when it does.
std::string check_mutant(const std::vector<uint8_t>& bytes, const std::string& name, bool tail_layout,
                         bool& accepted) {
  auto file = ModelFile::from_bytes(bytes, name);
  accepted = file.has_value();
  if (!file) {
    const std::string& m = file.error().message;
    if (m.empty()) return "empty error message";
    if (m.find('\n') != std::string::npos) return "multi-line error message: " + m;
    if (!m.starts_with(name + ": ")) return "message does not begin with the file name: " + m;
    return {};
  }
  const Model model = file->to_model();
  const auto info = inspect::summarize(*file);
  if (inspect::to_text(info).empty()) return "empty info text";
  const auto parsed = nlohmann::json::parse(inspect::to_json(info), nullptr, false);
  if (parsed.is_discarded()) return "info JSON does not parse";
  if (parsed.value("format", "") != "quantscope.model-info") return "info JSON lacks its format tag";

  // Whatever we accept, we must be able to write back and read again (in
  // either layout) and it must still describe the same model.
  const WriteOptions options = tail_layout ? WriteOptions{.inline_data_limit = 0} : WriteOptions{};
  auto written = serialize(model, options);
  if (!written) return "accepted, but serialize failed: " + written.error().message;
  auto reread = ModelFile::from_bytes(std::move(*written), name + " (rewritten)");
  if (!reread) return "accepted, but its rewrite is rejected: " + reread.error().message;
  auto again = inspect::summarize(*reread);
  again.path = info.path;
  again.file_bytes = info.file_bytes;
  if (inspect::to_json(again) != inspect::to_json(info)) return "info changed after a rewrite";
  return {};
}

TEST(Mutation, CorruptedCorpusModelsAreRejectedOrFullyUsable) {
  QS_REQUIRE_CORPUS();
  std::vector<Seed> seeds;
  for (const auto& path : test::corpus_models()) {
    if (std::filesystem::file_size(path) <= kMaxSeedBytes) seeds.push_back(make_seed(path));
  }
  ASSERT_FALSE(seeds.empty()) << "no corpus model under " << kMaxSeedBytes << " bytes";
  // The mutants are only meaningful if their originals are good models.
  for (const auto& s : seeds) {
    auto file = ModelFile::from_bytes(s.bytes, s.name);
    ASSERT_TRUE(file.has_value()) << file.error().message;
  }

  const uint64_t rng_seed = env_or("QS_MUTATION_SEED", kDefaultSeed);
  const size_t iterations = env_or("QS_MUTATION_ITERATIONS", kDefaultIterations);
  const bool verbose = env_or("QS_MUTATION_VERBOSE", 0) != 0;
  Mutator mutator(rng_seed);
  std::mt19937_64 pick(rng_seed ^ 0x9e3779b97f4a7c15ull);

  size_t accepted_count = 0;
  size_t rejected_count = 0;
  size_t failures = 0;
  for (size_t i = 0; i < iterations; ++i) {
    const Seed& seed = seeds[std::uniform_int_distribution<size_t>(0, seeds.size() - 1)(pick)];
    std::vector<uint8_t> bytes = seed.bytes;
    const std::string mutation = mutator.mutate(seed, bytes);
    const std::string name = "mutant-" + std::to_string(i) + ".tflite";
    // A crash loses the test's output; this line tells which mutant it was.
    if (verbose) std::cerr << name << " from " << seed.name << ": " << mutation << std::endl;
    bool accepted = false;
    const std::string problem = check_mutant(bytes, name, i % 2 == 1, accepted);
    ++(accepted ? accepted_count : rejected_count);
    if (!problem.empty()) {
      ++failures;
      if (failures <= kMaxReportedFailures) {
        ADD_FAILURE() << name << " (seed " << rng_seed << ", from " << seed.name << ", " << mutation
                      << "): " << problem;
      }
    }
  }
  EXPECT_EQ(failures, 0u) << "mutants that broke a rule (first " << kMaxReportedFailures
                          << " reported above)";
  // Only rejections would mean the mutations never got past the verifier,
  // and only acceptances that they never touched anything checked; either
  // way this test would be testing nothing.
  EXPECT_GT(accepted_count, iterations / 20);
  EXPECT_GT(rejected_count, iterations / 20);

  std::cout << "[ mutation ] seed " << rng_seed << ", " << seeds.size() << " corpus models: " << iterations
            << " mutants, " << accepted_count << " accepted, " << rejected_count << " rejected, " << failures
            << " failures\n";
  RecordProperty("seed_models", static_cast<int>(seeds.size()));
  RecordProperty("mutants", static_cast<int>(iterations));
  RecordProperty("accepted", static_cast<int>(accepted_count));
  RecordProperty("rejected", static_cast<int>(rejected_count));
}

// Found by this test (seed 12): a quantization table whose vectors are
// present but empty. The writer drops empty vectors, so if info counted a
// present-but-empty vector as "quantized" it would change after a rewrite;
// model_info.h promises quantization only "when it has scales or a range".
TEST(Mutation, EmptyQuantizationVectorsMeanNoQuantization) {
  auto model = test::fc_relu_model();
  model.subgraphs[0].tensors[test::FcRelu::kInput].quantization =
      Quantization{{}, {}, {0.5f}, {0}, 0, nullptr};
  auto bytes = test::to_bytes(model);
  const auto* q =
      tfl::GetModel(bytes.data())->subgraphs()->Get(0)->tensors()->Get(test::FcRelu::kInput)->quantization();
  ASSERT_NE(q->scale(), nullptr);
  ASSERT_NE(q->zero_point(), nullptr);
  // Zero both lengths in place: still a valid FlatBuffer, now with empty vectors.
  for (const auto* v :
       {reinterpret_cast<const uint8_t*>(q->scale()), reinterpret_cast<const uint8_t*>(q->zero_point())}) {
    std::memset(bytes.data() + (v - bytes.data()), 0, sizeof(flatbuffers::uoffset_t));
  }
  auto file = ModelFile::from_bytes(bytes, "empty-quantization.tflite");
  ASSERT_TRUE(file.has_value()) << file.error().message;
  const auto info = inspect::summarize(*file);
  ASSERT_EQ(info.subgraphs[0].inputs.size(), 1u);
  EXPECT_FALSE(info.subgraphs[0].inputs[0].quantization.has_value());
  bool accepted = false;
  EXPECT_EQ(check_mutant(bytes, "empty-quantization.tflite", false, accepted), "");
  EXPECT_TRUE(accepted);
}

}  // namespace
}  // namespace qs::format
