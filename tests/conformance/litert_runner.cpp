#include "conformance/litert_runner.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>

#include "support/subprocess.h"

namespace qs::conformance {
namespace {

namespace fs = std::filesystem;

std::string env_or(const char* name, const char* fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::string(v) : std::string(fallback);
}

using test::run_process;
using test::slurp;
using test::tail;

io::DType dtype_from_name(const std::string& name, bool* ok) {
  for (auto d : {io::DType::kBool, io::DType::kInt8, io::DType::kUInt8, io::DType::kInt16, io::DType::kUInt16,
                 io::DType::kInt32, io::DType::kUInt32, io::DType::kInt64, io::DType::kUInt64, io::DType::kFloat16,
                 io::DType::kFloat32, io::DType::kFloat64, io::DType::kComplex64, io::DType::kComplex128}) {
    if (io::dtype_name(d) == name) return d;
  }
  *ok = false;
  return io::DType::kFloat32;
}

LiteRtResult read_result(const LiteRtJob& job) {
  LiteRtResult r;
  const fs::path status_file = job.out_dir / "status.json";
  if (!fs::exists(status_file)) {
    r.stage = "crash";
    return r;
  }
  try {
    const auto status = nlohmann::json::parse(slurp(status_file));
    r.ok = status.value("ok", false);
    if (!r.ok) {
      r.stage = status.value("stage", "runner");
      r.error = status.value("error", "");
      return r;
    }
    const auto manifest = nlohmann::json::parse(slurp(job.out_dir / "outputs.json"));
    r.signature = manifest.value("signature", "");
    for (const auto& o : manifest.at("outputs")) {
      LiteRtOutput out;
      out.name = o.at("name").get<std::string>();
      out.shape_known = o.value("shape_known", true);
      auto array = io::read_npy(job.out_dir / o.at("file").get<std::string>());
      if (!array) {
        r = LiteRtResult{false, "runner", array.error().message, {}, {}};
        return r;
      }
      bool known_dtype = true;
      const io::DType declared = dtype_from_name(o.at("dtype").get<std::string>(), &known_dtype);
      if (!known_dtype || declared != array->dtype) {
        r = LiteRtResult{false, "runner", cat("outputs.json dtype disagrees with ", o.at("file")), {}, {}};
        return r;
      }
      out.array = std::move(*array);
      out.array.name = out.name;
      r.outputs.push_back(std::move(out));
    }
  } catch (const std::exception& e) {
    r = LiteRtResult{false, "runner", cat("unreadable result in ", job.out_dir.string(), ": ", e.what()), {}, {}};
  }
  return r;
}

}  // namespace

LiteRtAvailability find_litert() {
  LiteRtAvailability a;
  const fs::path node = env_or("QS_NODE", QS_NODE_PATH);
  if (node.empty() || node.string().find("NOTFOUND") != std::string::npos || access(node.c_str(), X_OK) != 0) {
    a.why_not = "node not found (install Node 18+ or set $QS_NODE)";
    return a;
  }
  const fs::path modules = env_or("QS_LITERT_NODE_MODULES", QS_LITERT_NODE_MODULES_DEFAULT);
  if (!fs::exists(modules / "@litertjs" / "core" / "wasm" / "litert_wasm_compat_internal.js")) {
    a.why_not = cat("@litertjs/core not installed in ", modules.string(),
                    " (scripts/test.sh runs npm ci there; or set $QS_LITERT_NODE_MODULES)");
    return a;
  }
  a.setup = LiteRtSetup{node, modules, QS_LITERT_RUNNER};
  return a;
}

std::vector<LiteRtResult> run_litert(const LiteRtSetup& setup, const std::vector<LiteRtJob>& jobs,
                                     const fs::path& work_dir, std::chrono::seconds timeout) {
  std::vector<LiteRtResult> results(jobs.size());
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  size_t next = 0;  // first job not yet attempted
  int launch = 0;
  while (next < jobs.size()) {
    nlohmann::json list = nlohmann::json::array();
    for (size_t i = next; i < jobs.size(); ++i) {
      fs::remove_all(jobs[i].out_dir);
      nlohmann::json j = {{"model", jobs[i].model.string()}, {"in", jobs[i].in_dir.string()},
                          {"out", jobs[i].out_dir.string()}};
      if (!jobs[i].signature.empty()) j["signature"] = jobs[i].signature;
      list.push_back(j);
    }
    const fs::path jobs_file = work_dir / cat("jobs_", launch, ".json");
    std::ofstream(jobs_file) << list.dump(1);
    const fs::path out = work_dir / cat("runner_", launch, ".out");
    const fs::path err = work_dir / cat("runner_", launch, ".err");
    ++launch;
    const auto p = run_process({setup.node.string(), setup.runner.string(), "--node-modules",
                                setup.node_modules.string(), "--jobs", jobs_file.string()},
                               out, err, deadline - std::chrono::steady_clock::now());
    std::string why;
    if (!p.started) {
      why = p.error;
    } else if (p.timed_out) {
      why = "timed out";
    } else if (p.exit_code != 0) {
      why = cat("runner exited with ", p.exit_code < 0 ? std::string("a signal") : cat("status ", p.exit_code), ": ",
                tail(slurp(err), 3));
    }
    // Jobs run in order: everything with a status is done; the first one
    // without was running when the process died.
    while (next < jobs.size() && fs::exists(jobs[next].out_dir / "status.json")) {
      results[next] = read_result(jobs[next]);
      ++next;
    }
    if (next < jobs.size()) {
      results[next].stage = "crash";
      results[next].error = why.empty() ? cat("the runner stopped without a result: ", tail(slurp(err), 3)) : why;
      ++next;
      // Exit status 2 is the runner's usage/setup error: nothing will work.
      if (!p.started || p.timed_out || p.exit_code == 2) {
        for (; next < jobs.size(); ++next) results[next] = LiteRtResult{false, "crash", why, {}, {}};
      }
    }
  }
  return results;
}

}  // namespace qs::conformance
