#include "support/corpus.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iterator>

namespace qs::test {

std::filesystem::path shared_dir() {
  if (const char* env = std::getenv("QS_SHARED_DIR"); env != nullptr && *env != '\0') return env;
  return QS_SHARED_DIR_DEFAULT;
}

bool has_corpus() { return std::filesystem::is_directory(shared_dir() / "models"); }

std::vector<std::filesystem::path> corpus_models() {
  std::vector<std::filesystem::path> out;
  if (!has_corpus()) return out;
  for (const auto& e : std::filesystem::directory_iterator(shared_dir() / "models")) {
    const auto ext = e.path().extension();
    if (e.is_regular_file() && (ext == ".tflite" || ext == ".bin")) out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::filesystem::path corpus_model(const std::string& file_name) { return shared_dir() / "models" / file_name; }

std::vector<uint8_t> read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace qs::test
