#pragma once
// LiteRT.js as a reference runtime: runs tests/conformance/litert_run.mjs
// under Node on a batch of jobs (one process for all of them; loading the
// WebAssembly module costs about a second) and reads the results back.
//
// Where things are, in order of preference:
//   node          $QS_NODE, else the `node` CMake found (QS_NODE_PATH)
//   node_modules  $QS_LITERT_NODE_MODULES, else <build>/conformance/node_modules
//                 (scripts/test.sh fills it with `npm ci` from
//                 tests/conformance/package-lock.json)

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "io/npy.h"

namespace qs::conformance {

struct LiteRtSetup {
  std::filesystem::path node;
  std::filesystem::path node_modules;
  std::filesystem::path runner;  // litert_run.mjs
};

// The setup, or why LiteRT.js can't run here (for a test skip message).
struct LiteRtAvailability {
  std::optional<LiteRtSetup> setup;
  std::string why_not;
};
LiteRtAvailability find_litert();

struct LiteRtJob {
  std::filesystem::path model;
  std::filesystem::path in_dir;   // input_<i>.npy (+ names.json)
  std::filesystem::path out_dir;  // written by the runner
  std::string signature;          // empty: LiteRT's first signature
};

struct LiteRtOutput {
  std::string name;
  io::Array array;
  bool shape_known = true;
};

struct LiteRtResult {
  bool ok = false;
  // On failure: "load", "compile", "run" (LiteRT refused or failed the
  // model), "input" / "runner" (the job or the runner is at fault),
  // "crash" (the runner process died on this job).
  std::string stage;
  std::string error;
  std::string signature;
  std::vector<LiteRtOutput> outputs;

  bool litert_refused() const { return stage == "load" || stage == "compile" || stage == "run" || stage == "crash"; }
};

// Runs every job; results in job order. A runner that dies mid-batch is
// restarted after the job it died on (which is reported as "crash").
std::vector<LiteRtResult> run_litert(const LiteRtSetup& setup, const std::vector<LiteRtJob>& jobs,
                                     const std::filesystem::path& work_dir,
                                     std::chrono::seconds timeout = std::chrono::seconds(900));

}  // namespace qs::conformance
