#pragma once
// Writing a file so that readers see either the old content or the complete
// new one, never a half-written file: the data goes to a temporary file
// beside the target, which is flushed and renamed into place only when
// everything succeeded (rename within a folder is atomic on POSIX).

#include <cstddef>
#include <filesystem>
#include <span>
#include <string>

#include "common/status.h"

namespace qs::io {

class AtomicFile {
 public:
  // Creates "<target>.partial-XXXXXX" (mode 0600 until commit).
  static Result<AtomicFile> create(const std::filesystem::path& target);
  AtomicFile(AtomicFile&& other) noexcept;
  AtomicFile& operator=(AtomicFile&&) = delete;
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;
  // Removes the temporary file unless committed.
  ~AtomicFile();

  const std::string& temp_path() const { return temp_; }
  Status write(std::span<const std::byte> data);
  // Closes our descriptor so another writer (a zip library) can replace the
  // temporary file by path; commit() then flushes it by reopening.
  void release_descriptor();
  // Flushes, makes the file 0644 (an ordinary document, as format::write_file
  // does) and renames it onto the target.
  Status commit();

 private:
  AtomicFile(std::filesystem::path target, std::string temp, int fd)
      : target_(std::move(target)), temp_(std::move(temp)), fd_(fd) {}

  std::filesystem::path target_;
  std::string temp_;
  int fd_ = -1;
  bool committed_ = false;
};

// Error messages name `path`.
Status write_file_atomically(const std::filesystem::path& path, std::span<const std::byte> data);

}  // namespace qs::io
