#pragma once
// A fresh folder under the system temp dir, removed with its contents when
// the object dies. Tests never write anywhere else.

#include <filesystem>
#include <string>
#include <vector>

namespace qs::test {

class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "qs-test");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

// The names of the entries of `dir`, sorted: what a test compares to show
// that nothing (not even a temporary) was left behind.
std::vector<std::string> file_names(const std::filesystem::path& dir);

}  // namespace qs::test
