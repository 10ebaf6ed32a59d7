#pragma once
// A fresh folder under the system temp dir, removed with its contents when
// the object dies. Tests never write anywhere else.

#include <filesystem>
#include <string>

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

}  // namespace qs::test
