#pragma once
// What the conformance tests share: samples for a model (random or real
// data from the shared folder), running them in our interpreter and
// LiteRT.js, and comparing the two.

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "conformance/compare.h"
#include "conformance/litert_runner.h"
#include "conformance/sample_inputs.h"
#include "format/model.h"
#include "io/npy.h"
#include "runtime/interpreter.h"

#define QS_REQUIRE_LITERT(var)                                               \
  const LiteRtAvailability var##_availability = find_litert();               \
  if (!var##_availability.setup) {                                           \
    GTEST_SKIP() << "LiteRT.js unavailable: " << var##_availability.why_not; \
  }                                                                          \
  const LiteRtSetup& var = *var##_availability.setup

namespace qs::conformance {

// One set of inputs, in our interpreter's input order.
struct Sample {
  std::string label;
  std::vector<io::Array> inputs;
};

struct OutputSet {
  std::vector<std::string> names;
  std::vector<io::Array> arrays;
};

struct Verdict {
  enum class Kind { kAgree, kDiffer, kSkip } kind = Kind::kAgree;
  std::string reason;  // skip class ("unsupported op", ...) or what differed
  std::string detail;
  double worst = 0.0;
};

struct CatalogEntry {
  std::string file;
  std::string kind;
};

// The first line of `s`, cut to `max` characters.
std::string first_line(const std::string& s, size_t max = 220);

// Our interpreter on the model file, on its first signature when it has
// any (named in *signature, as LiteRT.js must run the same one).
Result<std::unique_ptr<runtime::Interpreter>> open_interpreter(const std::filesystem::path& path, std::string* signature);
Result<OutputSet> run_ours(runtime::Interpreter& interp, const Sample& sample);
// input_<i>.npy and names.json for a LiteRT.js job.
Status write_job_inputs(const std::filesystem::path& dir, const runtime::Interpreter& interp, const Sample& sample);
// One deterministic random sample (conformance/sample_inputs.h).
Result<Sample> random_sample(const runtime::Interpreter& interp, const std::string& model_name);

bool has_recurrent_op(const format::Model& model);
// Float activations meeting int8/uint8 constant weights with no DEQUANTIZE
// in between (what "Optimize.DEFAULT" without data makes).
bool has_hybrid_op(const format::Model& model);

std::filesystem::path data_file(const std::string& name);
// An image scaled to the input's [1, H, W, C], value = pixel * scale + offset.
std::optional<io::Array> image_input(const runtime::Tensor& input, const std::string& file, float scale,
                                     float offset);
// Real data for the models where the shared data folder has an obvious
// match (DATA_CATALOG.tsv, column use_with_models); empty otherwise.
std::vector<Sample> real_samples(const std::string& model, const runtime::Interpreter& interp);

// Pairs our outputs with LiteRT's (by name when both sides' names are
// unique and the same set, else by position) and compares each.
Verdict compare_outputs(const OutputSet& ours, const LiteRtResult& theirs, double tolerance,
                        const std::string& sample);

// ../shared/models/CATALOG.tsv: file and kind of every model.
std::vector<CatalogEntry> read_catalog();
bool is_float_model(const std::string& kind);

// What the quantizer's conformance tests quantize: issue 6's four models,
// then the single-op float models of the catalog and the two BATCH_MATMUL
// models.
std::vector<std::string> quantizer_test_models();
// A one-op model of that list (single_*, bmm*).
bool is_single_op_model(const std::string& name);

}  // namespace qs::conformance
