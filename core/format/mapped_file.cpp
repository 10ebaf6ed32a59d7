#include "format/mapped_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace qs::format {

namespace {
struct FdCloser {
  int fd;
  ~FdCloser() {
    if (fd >= 0) ::close(fd);
  }
};
}  // namespace

Result<std::shared_ptr<const MappedFile>> MappedFile::open(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return fail(cat("cannot open: ", std::strerror(errno)));
  FdCloser closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0) return fail(cat("cannot stat: ", std::strerror(errno)));
  if (!S_ISREG(st.st_mode)) return fail("not a regular file");
  const auto size = static_cast<size_t>(st.st_size);
  if (size == 0) return std::shared_ptr<const MappedFile>(new MappedFile(nullptr, 0));
  void* addr = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  if (addr == MAP_FAILED) return fail(cat("cannot map: ", std::strerror(errno)));
  return std::shared_ptr<const MappedFile>(new MappedFile(static_cast<const uint8_t*>(addr), size));
}

void MappedFile::advise(Access access) const {
  if (data_ == nullptr) return;
  // Advice only: a kernel that ignores it costs speed, not correctness.
  ::madvise(const_cast<uint8_t*>(data_), size_, access == Access::kRandom ? MADV_RANDOM : MADV_NORMAL);
}

MappedFile::~MappedFile() {
  if (data_ != nullptr) ::munmap(const_cast<uint8_t*>(data_), size_);
}

}  // namespace qs::format
