#pragma once
// The CLI under test (QS_CLI_PATH, set by CMake) run in a child process
// with its output captured; a failure to start is a test failure.

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "support/subprocess.h"

namespace qs::cli {

inline test::ProcessResult run_cli(const std::vector<std::string>& args) {
  std::vector<std::string> argv{QS_CLI_PATH};
  argv.insert(argv.end(), args.begin(), args.end());
  test::ProcessResult run = test::capture(argv, std::chrono::minutes(5));
  if (!run.started) ADD_FAILURE() << run.error;
  return run;
}

}  // namespace qs::cli
