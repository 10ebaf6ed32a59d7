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

 private:
  MappedFile(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace qs::format
