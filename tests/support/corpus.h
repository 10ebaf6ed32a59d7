#pragma once
// Where the shared test corpus (../shared: models/, data/, goldens/) is.
// Tests that need it call QS_REQUIRE_CORPUS() and are skipped, with a
// message, when it is absent.

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

namespace qs::test {

// $QS_SHARED_DIR if set, else the CMake cache path QS_SHARED_DIR.
std::filesystem::path shared_dir();
bool has_corpus();
// Every model file (*.tflite, *.bin) under shared/models, sorted by name.
std::vector<std::filesystem::path> corpus_models();
std::filesystem::path corpus_model(const std::string& file_name);
std::vector<uint8_t> read_file(const std::filesystem::path& path);

}  // namespace qs::test

#define QS_REQUIRE_CORPUS()                                                                   \
  do {                                                                                        \
    if (!::qs::test::has_corpus()) {                                                          \
      GTEST_SKIP() << "shared corpus not found at " << ::qs::test::shared_dir()               \
                   << " (configure with -DQS_SHARED_DIR=... or set $QS_SHARED_DIR)";          \
    }                                                                                         \
  } while (false)
