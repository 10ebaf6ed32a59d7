#pragma once
// Subcommands of quantscope-cli. Each takes the arguments after its name and
// returns the process exit code; errors go to stderr as one line.

#include <string>
#include <vector>

namespace qs::cli {

int run_info(const std::vector<std::string>& args);
int run_run(const std::vector<std::string>& args);
int run_calibrate(const std::vector<std::string>& args);
int run_stats(const std::vector<std::string>& args);
int run_quantize(const std::vector<std::string>& args);

}  // namespace qs::cli
