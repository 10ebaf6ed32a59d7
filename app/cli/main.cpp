// quantscope-cli: everything the GUI does, headless.

#include <cstdio>
#include <string>
#include <vector>

#include "cli/commands.h"

namespace {

constexpr const char* kUsage =
    "usage: quantscope-cli <command> [options]\n"
    "\n"
    "commands:\n"
    "  info MODEL [--json]   summary of a .tflite model: inputs, outputs, ops,\n"
    "                        parameters, signatures, metadata\n"
    "  run MODEL --input A.npy|S.npz --output OUT.npz\n"
    "                        run a model on NumPy arrays, save its outputs\n"
    "  calibrate MODEL --data PATH... --out STATS.json\n"
    "                        collect per-tensor statistics over calibration data\n"
    "  stats STATS.json... [--tensor NAME] [--method M]\n"
    "                        ranges each method gives; merge stats files\n"
    "  quantize MODEL --mode float16|dynamic --out OUT.tflite [--plan PLAN.json]\n"
    "                        write a quantized copy (other modes: not yet)\n"
    "\n"
    "  quantscope-cli <command> --help   help for one command\n"
    "  quantscope-cli --version\n"
    "\n"
    "Exit status: 0 on success, 1 when the input is bad (the reason is printed\n"
    "on one line), 2 for a usage error.\n";

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::fputs(kUsage, args.empty() ? stderr : stdout);
    return args.empty() ? 2 : 0;
  }
  if (args[0] == "--version") {
    std::printf("quantscope-cli %s\n", QS_VERSION);
    return 0;
  }
  const std::string command = args[0];
  args.erase(args.begin());
  if (command == "info") return qs::cli::run_info(args);
  if (command == "run") return qs::cli::run_run(args);
  if (command == "calibrate") return qs::cli::run_calibrate(args);
  if (command == "stats") return qs::cli::run_stats(args);
  if (command == "quantize") return qs::cli::run_quantize(args);
  std::fprintf(stderr, "quantscope-cli: unknown command '%s' (try --help)\n", command.c_str());
  return 2;
}
