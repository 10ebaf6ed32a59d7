#include "support/subprocess.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <thread>

#include "support/temp_dir.h"

extern char** environ;

namespace qs::test {

namespace fs = std::filesystem;

Child::Child(const std::vector<std::string>& args, const fs::path& out, const fs::path& err) {
  if (args.empty()) {
    error_ = "no program given";
    return;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  std::vector<std::string> storage = args;
  std::vector<char*> argv;
  for (auto& a : storage) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, storage[0].c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    error_ = "cannot start " + storage[0] + ": " + std::strerror(rc);
    return;
  }
  pid_ = pid;
}

Child::~Child() {
  if (started() && !reaped_) {
    kill(pid_, SIGKILL);
    while (waitpid(pid_, &status_, 0) < 0 && errno == EINTR) {
    }
  }
}

bool Child::running() {
  if (!started() || reaped_) return false;
  const pid_t done = waitpid(pid_, &status_, WNOHANG);
  if (done == pid_) reaped_ = true;
  return !reaped_;
}

void Child::signal(int signo) {
  if (started() && !reaped_) kill(pid_, signo);
}

ProcessResult Child::wait(std::chrono::steady_clock::duration timeout) {
  ProcessResult r;
  r.started = started();
  if (!r.started) {
    r.error = error_;
    return r;
  }
  const bool limited = timeout != std::chrono::steady_clock::duration::zero();
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!reaped_) {
    const pid_t done = waitpid(pid_, &status_, limited ? WNOHANG : 0);
    if (done == pid_) {
      reaped_ = true;
      break;
    }
    if (done < 0 && errno != EINTR) {
      r.error = std::string("waitpid: ") + std::strerror(errno);
      return r;
    }
    if (limited && std::chrono::steady_clock::now() > deadline) {
      kill(pid_, SIGKILL);
      while (waitpid(pid_, &status_, 0) < 0 && errno == EINTR) {
      }
      reaped_ = true;
      r.timed_out = true;
      return r;
    }
    if (limited) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (WIFEXITED(status_)) r.exit_code = WEXITSTATUS(status_);
  return r;
}

ProcessResult run_process(const std::vector<std::string>& args, const fs::path& out, const fs::path& err,
                          std::chrono::steady_clock::duration timeout) {
  Child child(args, out, err);
  return child.wait(timeout);
}

ProcessResult capture(const std::vector<std::string>& args, std::chrono::steady_clock::duration timeout) {
  TempDir dir("qs-process");
  ProcessResult r = run_process(args, dir / "stdout", dir / "stderr", timeout);
  if (r.started) {
    r.out = slurp(dir / "stdout");
    r.err = slurp(dir / "stderr");
  }
  return r;
}

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

size_t line_count(const std::string& text) {
  return static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
}

std::string tail(const std::string& text, size_t lines) {
  size_t pos = text.size();
  while (lines-- > 0 && pos > 0) {
    const size_t nl = text.rfind('\n', pos - 1);
    if (nl == std::string::npos) return text;
    pos = nl;
  }
  return text.substr(pos == text.size() ? pos : pos + 1);
}

}  // namespace qs::test
