// libFuzzer target for the model reader: the same contract as one iteration
// of tests/core/test_mutation.cpp, with coverage guidance instead of a fixed
// budget. Any input is either rejected with a one-line message that begins
// with the name, or accepted and then usable by everything downstream
// (editable model, info summary, text and JSON, the writer in both layouts)
// and re-readable after being written. A broken rule aborts, so libFuzzer
// keeps the input as a crash reproducer.
//
//   fuzz_model_reader -max_total_time=60 CORPUS_DIR [SEED_DIR...]
//   fuzz_model_reader crash-<sha1>        # replay one reproducer

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "format/model_file.h"
#include "format/write_model.h"
#include "inspect/model_info.h"

namespace {

constexpr const char* kName = "fuzz-input.tflite";

[[noreturn]] void violation(const char* rule, const std::string& detail) {
  std::fprintf(stderr, "fuzz_model_reader: %s: %s\n", rule, detail.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace qs;
  auto file = format::ModelFile::from_bytes(std::vector<uint8_t>(data, data + size), kName);
  if (!file) {
    const std::string& m = file.error().message;
    if (m.empty()) violation("empty error message", "");
    if (m.find('\n') != std::string::npos) violation("multi-line error message", m);
    if (m.rfind(std::string(kName) + ": ", 0) != 0) violation("message does not begin with the name", m);
    return 0;
  }
  const format::Model model = file->to_model();
  const auto info = inspect::summarize(*file);
  if (inspect::to_text(info).empty()) violation("empty info text", "");
  const std::string json = inspect::to_json(info);
  if (json.find("\"quantscope.model-info\"") == std::string::npos)
    violation("info JSON lacks its format tag", json);

  // Alternate the layouts by input so both writer paths get coverage.
  const format::WriteOptions options =
      size % 2 == 0 ? format::WriteOptions{} : format::WriteOptions{.inline_data_limit = 0};
  auto written = format::serialize(model, options);
  if (!written) violation("accepted, but serialize failed", written.error().message);
  auto reread = format::ModelFile::from_bytes(std::move(*written), "rewritten");
  if (!reread) violation("accepted, but its rewrite is rejected", reread.error().message);
  auto again = inspect::summarize(*reread);
  again.path = info.path;
  again.file_bytes = info.file_bytes;
  if (inspect::to_json(again) != json) violation("info changed after a rewrite", json);
  return 0;
}
