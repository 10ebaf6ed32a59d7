#pragma once
// A read-only memory mapping of a whole file. Models are inspected in place:
// opening a 2 GB model touches only the pages the graph lives in.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>

#include "common/status.h"

namespace qs::format {

class MappedFile {
 public:
  static Result<std::shared_ptr<const MappedFile>> open(const std::filesystem::path& path);

  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  ~MappedFile();

  std::span<const uint8_t> bytes() const { return {data_, size_}; }

  // Random: no read-ahead. Verifying a model hops between tables and length
  // prefixes that sit next to the weights; with read-ahead (8 MB on some
  // disks) every hop would pull in megabytes of weights nobody asked for.
  // Normal: back to the kernel's default, for streaming weights later.
  enum class Access { kRandom, kNormal };
  void advise(Access access) const;

 private:
  MappedFile(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace qs::format
