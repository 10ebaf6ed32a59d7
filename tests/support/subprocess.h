#pragma once
// Child processes for end-to-end tests and benchmarks: the CLI, Node with
// LiteRT.js. Output goes to files, never pipes: a chatty child could fill a
// pipe and stall while we wait for it.

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace qs::test {

struct ProcessResult {
  bool started = false;
  bool timed_out = false;
  int exit_code = -1;  // -1: it did not exit normally (a signal, or never started)
  std::string error;   // why it could not start or be waited for
  std::string out;     // captured stdout and stderr (capture() only)
  std::string err;
};

// A running child, for tests that must act while it works (send it a
// signal once it has printed something). Killed and reaped if still running
// when destroyed.
class Child {
 public:
  // Starts args[0] (a path) with stdin from /dev/null and stdout/stderr
  // written to `out`/`err`. started() says whether that worked.
  Child(const std::vector<std::string>& args, const std::filesystem::path& out,
        const std::filesystem::path& err);
  ~Child();
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  bool started() const { return pid_ > 0; }
  const std::string& error() const { return error_; }
  bool running();
  void signal(int signo);
  // Waits for the exit; kills it after `timeout` (zero: no limit).
  ProcessResult wait(
      std::chrono::steady_clock::duration timeout = std::chrono::steady_clock::duration::zero());

 private:
  int pid_ = -1;
  bool reaped_ = false;
  int status_ = 0;
  std::string error_;
};

// Runs args[0] (a path) with stdin from /dev/null and stdout/stderr written
// to `out`/`err`; kills it after `timeout` (zero: no limit).
ProcessResult run_process(
    const std::vector<std::string>& args, const std::filesystem::path& out, const std::filesystem::path& err,
    std::chrono::steady_clock::duration timeout = std::chrono::steady_clock::duration::zero());

// run_process with stdout and stderr read back into the result.
ProcessResult capture(const std::vector<std::string>& args, std::chrono::steady_clock::duration timeout =
                                                                std::chrono::steady_clock::duration::zero());

std::string slurp(const std::filesystem::path& path);
size_t line_count(const std::string& text);
// The last `lines` lines of `text`.
std::string tail(const std::string& text, size_t lines);

}  // namespace qs::test
