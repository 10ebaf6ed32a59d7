#include <cstdio>

#include "cli/commands.h"
#include "format/model_file.h"
#include "inspect/model_info.h"

namespace qs::cli {

namespace {

constexpr const char* kHelp =
    "usage: quantscope-cli info MODEL [--json]\n"
    "\n"
    "Prints the model's size, schema version, description, metadata, each\n"
    "subgraph's inputs and outputs (name, type, shape, quantization), the\n"
    "operator histogram, parameter count and bytes per type, and signatures.\n"
    "Constant data is never read, so large models answer at once.\n"
    "\n"
    "  --json   print the same as a JSON document (format\n"
    "           \"quantscope.model-info\", see docs/cli.md)\n";

}  // namespace

int run_info(const std::vector<std::string>& args) {
  bool json = false;
  std::string path;
  for (const auto& a : args) {
    if (a == "--json") {
      json = true;
    } else if (a == "--help" || a == "-h") {
      std::fputs(kHelp, stdout);
      return 0;
    } else if (!a.empty() && a[0] == '-') {
      std::fprintf(stderr, "quantscope-cli info: unknown option '%s'\n", a.c_str());
      return 2;
    } else if (path.empty()) {
      path = a;
    } else {
      std::fprintf(stderr, "quantscope-cli info: one model at a time ('%s' is extra)\n", a.c_str());
      return 2;
    }
  }
  if (path.empty()) {
    std::fputs(kHelp, stderr);
    return 2;
  }
  auto file = format::ModelFile::open(path);
  if (!file) {
    std::fprintf(stderr, "error: %s\n", file.error().message.c_str());
    return 1;
  }
  const auto info = inspect::summarize(*file);
  const std::string out = json ? inspect::to_json(info) + "\n" : inspect::to_text(info);
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}

}  // namespace qs::cli
