// bench_info: does `info` on a model with ~100 MB of weights answer without
// reading the weights? A report, not a test: it prints figures and exits 0
// whatever they are, and non-zero only if something does not work (the
// model can't be written or read, the CLI fails, the summary is wrong).
//
//   bench_info [RUNS]      (default 20; the model goes under $TMPDIR or /tmp)
//
// Every timed run starts from a cold page cache for the model (fsync, then
// POSIX_FADV_DONTNEED), so the figures include the disk reads a user sees the
// first time they inspect a file. Reading the whole file cold with read() is
// measured in the same run as the yardstick: info should cost a small
// fraction of it. On a VM the "disk" may itself be cached by the host, which
// makes every cold figure smaller but keeps their ratio meaningful.

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "format/model_file.h"
#include "format/write_model.h"
#include "inspect/model_info.h"
#include "support/model_builder.h"
#include "support/subprocess.h"
#include "support/temp_dir.h"

namespace {

constexpr int32_t kLayers = 25;
constexpr int32_t kWidth = 1000;
constexpr double kGoalMs = 200.0;
// Parameters of the synthesized model: weights and bias of every layer.
constexpr uint64_t kExpectedParameters = uint64_t{kLayers} * (uint64_t{kWidth} * kWidth + kWidth);

int g_failures = 0;

void failure(const std::string& what) {
  std::fprintf(stderr, "bench_info: FAILED: %s\n", what.c_str());
  ++g_failures;
}

// Drops the file's pages from the page cache. fsync first: dirty pages
// can't be dropped.
bool evict(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  const bool ok = ::fsync(fd) == 0 && ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED) == 0;
  ::close(fd);
  return ok;
}

struct Residency {
  size_t resident = 0;
  size_t total = 0;
};

// Pages of the file now in the page cache, whoever brought them in.
Residency residency(const std::filesystem::path& path) {
  Residency r;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return r;
  struct stat st {};
  ::fstat(fd, &st);
  const auto size = static_cast<size_t>(st.st_size);
  const auto page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  r.total = (size + page - 1) / page;
  void* addr = ::mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0);
  ::close(fd);
  if (addr == MAP_FAILED) return r;
  std::vector<unsigned char> vec(r.total);
  if (::mincore(addr, size, vec.data()) == 0) {
    r.resident =
        static_cast<size_t>(std::count_if(vec.begin(), vec.end(), [](unsigned char c) { return c & 1; }));
  }
  ::munmap(addr, size);
  return r;
}

// The kernel's read-ahead for the file's device, in KiB (-1 if unknown). A
// page fault in an mmap reads up to this much around the faulting page, so it
// decides how much of the weights an access to a nearby table drags in.
long read_ahead_kb(const std::filesystem::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return -1;
  const std::string dev =
      "/sys/dev/block/" + std::to_string(major(st.st_dev)) + ":" + std::to_string(minor(st.st_dev));
  for (const char* queue :
       {"/queue/read_ahead_kb", "/../queue/read_ahead_kb"}) {  // disk, or partition of one
    if (std::FILE* f = std::fopen((dev + queue).c_str(), "r")) {
      long kb = -1;
      if (std::fscanf(f, "%ld", &kb) != 1) kb = -1;
      std::fclose(f);
      return kb;
    }
  }
  return -1;
}

double now_ms() {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n == 0 ? 0.0 : n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

// Runs `quantscope-cli info PATH`, stdout to `out_path`; returns the exit
// status (-1 if it did not exit normally).
int run_cli_info(const std::filesystem::path& model, const std::filesystem::path& out_path) {
  const auto p = qs::test::run_process({QS_CLI_PATH, "info", model.string()}, out_path, out_path.string() + ".err");
  return p.exit_code;
}

// The in-process equivalent of `info`; checks the answer is right.
bool info_in_process(const std::filesystem::path& model) {
  auto file = qs::format::ModelFile::open(model);
  if (!file) {
    failure("open: " + file.error().message);
    return false;
  }
  const auto summary = qs::inspect::summarize(*file);
  const std::string text = qs::inspect::to_text(summary);
  if (summary.parameter_count != kExpectedParameters || summary.operator_count != kLayers || text.empty()) {
    failure("wrong summary: " + std::to_string(summary.parameter_count) + " parameters, " +
            std::to_string(summary.operator_count) + " ops");
    return false;
  }
  return true;
}

uint64_t read_whole_file(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  std::vector<char> chunk(1 << 20);
  uint64_t total = 0;
  for (;;) {
    const ssize_t n = ::read(fd, chunk.data(), chunk.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    total += static_cast<uint64_t>(n);
  }
  ::close(fd);
  return total;
}

// Median wall time of `fn` over `runs` runs, each after evicting `model`.
double timed_cold(const std::filesystem::path& model, int runs, const std::function<bool()>& fn) {
  std::vector<double> times;
  for (int i = 0; i < runs; ++i) {
    if (!evict(model)) failure("cannot evict " + model.string());
    const double t0 = now_ms();
    const bool ok = fn();
    times.push_back(now_ms() - t0);
    if (!ok) break;  // the failure is already reported; no point repeating it
  }
  return median(times);
}

void bench_layout(const char* layout, const qs::format::WriteOptions& options, const qs::format::Model& model,
                  const qs::test::TempDir& dir, int runs) {
  const auto path = dir / (std::string("bench-") + layout + ".tflite");
  if (auto s = qs::format::write_file(model, path, options); !s) {
    failure("write: " + s.error().message);
    return;
  }
  const uint64_t size = std::filesystem::file_size(path);
  const auto out_path = dir / "cli-stdout.txt";

  // Functional checks first, warm: the CLI works and reports the right count.
  if (const int rc = run_cli_info(path, out_path); rc != 0) {
    failure(std::string("quantscope-cli info exited with ") + std::to_string(rc));
    return;
  }
  {
    std::FILE* f = std::fopen(out_path.c_str(), "r");
    std::string out;
    if (f != nullptr) {
      char buf[4096];
      size_t n = 0;
      while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
      std::fclose(f);
    }
    if (out.find("parameters: " + std::to_string(kExpectedParameters)) == std::string::npos) {
      failure("quantscope-cli info does not report " + std::to_string(kExpectedParameters) + " parameters");
    }
  }
  if (!info_in_process(path)) return;

  if (!evict(path)) failure("cannot evict " + path.string());
  const Residency after_evict = residency(path);

  const double read_ms = timed_cold(path, runs, [&] {
    const uint64_t n = read_whole_file(path);
    if (n != size) failure("read() returned " + std::to_string(n) + " of " + std::to_string(size) + " bytes");
    return n == size;
  });
  const double cli_ms = timed_cold(path, runs, [&] { return run_cli_info(path, out_path) == 0; });
  const double lib_ms = timed_cold(path, runs, [&] { return info_in_process(path); });

  // Which pages one cold in-process info brings into the page cache.
  evict(path);
  info_in_process(path);
  const Residency touched = residency(path);

  std::printf("\n%s layout: %s (%.1f MB, %zu pages)\n", layout, path.filename().c_str(), double(size) / 1e6,
              touched.total);
  std::printf("  %-46s %10s\n", "figure (cold cache, median)", "ms");
  std::printf("  %-46s %10.2f\n", "read() of the whole file (reference)", read_ms);
  std::printf("  %-46s %10.2f\n", "quantscope-cli info MODEL (subprocess)", cli_ms);
  std::printf("  %-46s %10.2f\n", "ModelFile::open + summarize + to_text", lib_ms);
  std::printf("  %-46s %10zu\n", "pages resident right after eviction", after_evict.resident);
  if (after_evict.resident * 10 > after_evict.total) {
    std::printf("  note: eviction left most pages cached (tmpfs?); cold figures are really warm\n");
  }
  const double share = touched.total == 0 ? 0.0 : 100.0 * double(touched.resident) / double(touched.total);
  std::printf("  info answers in %.1f ms (< %.0f ms goal: %s) touching %zu of %zu pages (%.2f%%)\n", cli_ms,
              kGoalMs, cli_ms < kGoalMs ? "PASS" : "FAIL", touched.resident, touched.total, share);
  // "Touching" counts what one cold info leaves in the page cache, including
  // the kernel's read-ahead around every page it faults in.
  if (share > 10.0) {
    std::printf("  note: one info brought %.0f%% of the file into memory: the weights are being read\n",
                share);
  }
}

}  // namespace

int main(int argc, char** argv) {
  const int runs = argc > 1 ? std::max(1, std::atoi(argv[1])) : 20;
  qs::test::TempDir dir("qs-bench");
  std::printf("bench_info: %d x FULLY_CONNECTED [%d,%d] float32 (%.1f MB of parameters), %d cold runs each\n",
              kLayers, kWidth, kWidth, double(kExpectedParameters) * 4 / 1e6, runs);
  std::printf("model folder: %s (read-ahead %ld KiB)\ncli: %s\n", dir.path().c_str(),
              read_ahead_kb(dir.path()), QS_CLI_PATH);
  std::fflush(stdout);
  const auto model = qs::test::fc_chain_model(kLayers, kWidth);
  // The default layout keeps data inside the FlatBuffer; the tail layout is
  // the one used past 2 GB, with data after it located by offset.
  bench_layout("inline", qs::format::WriteOptions{}, model, dir, runs);
  bench_layout("tail", qs::format::WriteOptions{.inline_data_limit = 0}, model, dir, runs);
  if (g_failures != 0) {
    std::printf("\n%d functional failure(s); see stderr\n", g_failures);
    return 1;
  }
  return 0;
}
