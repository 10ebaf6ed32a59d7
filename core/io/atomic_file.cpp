#include "io/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace qs::io {

Result<AtomicFile> AtomicFile::create(const std::filesystem::path& target) {
  std::string temp = target.string() + ".partial-XXXXXX";
  const int fd = ::mkstemp(temp.data());
  if (fd < 0) return fail(cat(target.string(), ": cannot create a file next to it: ", std::strerror(errno)));
  return AtomicFile(target, std::move(temp), fd);
}

AtomicFile::AtomicFile(AtomicFile&& other) noexcept
    : target_(std::move(other.target_)),
      temp_(std::move(other.temp_)),
      fd_(std::exchange(other.fd_, -1)),
      committed_(std::exchange(other.committed_, true)) {}

AtomicFile::~AtomicFile() {
  if (fd_ >= 0) ::close(fd_);
  if (!committed_) ::unlink(temp_.c_str());
}

Status AtomicFile::write(std::span<const std::byte> data) {
  if (fd_ < 0) return fail(cat(target_.string(), ": internal error: temporary file already closed"));
  while (!data.empty()) {
    const ssize_t n = ::write(fd_, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail(cat(target_.string(), ": write failed: ", std::strerror(errno)));
    }
    data = data.subspan(static_cast<size_t>(n));
  }
  return {};
}

void AtomicFile::release_descriptor() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

Status AtomicFile::commit() {
  if (fd_ < 0) {
    fd_ = ::open(temp_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) return fail(cat(target_.string(), ": cannot reopen the temporary file: ", std::strerror(errno)));
  }
  if (::fsync(fd_) != 0) return fail(cat(target_.string(), ": cannot flush: ", std::strerror(errno)));
  const int rc = ::close(fd_);
  fd_ = -1;
  if (rc != 0) return fail(cat(target_.string(), ": cannot close: ", std::strerror(errno)));
  ::chmod(temp_.c_str(), 0644);
  if (::rename(temp_.c_str(), target_.c_str()) != 0) {
    return fail(cat(target_.string(), ": cannot rename into place: ", std::strerror(errno)));
  }
  committed_ = true;
  return {};
}

Status write_file_atomically(const std::filesystem::path& path, std::span<const std::byte> data) {
  auto file = AtomicFile::create(path);
  if (!file) return tl::unexpected(file.error());
  if (auto s = file->write(data); !s) return s;
  return file->commit();
}

}  // namespace qs::io
