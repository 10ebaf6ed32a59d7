#pragma once
// Private to core/calib: which files a data path stands for, and reading
// them whole.

#include <cstddef>
#include <filesystem>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace qs::calib {

enum class FileKind { kImage, kNpy, kNpz, kRaw, kWav, kList, kUnsupported };

// By extension, ignoring case: .png .jpg .jpeg .bmp, .npy, .npz, .bin, .wav,
// .txt (a list file).
FileKind file_kind(const std::filesystem::path& path);

// The data files `path` stands for, in order: a file itself; for a folder,
// every supported file below it (not list files, not hidden files or
// folders), sorted by path; for a list file, its entries (one path per line,
// relative to the list file, blank lines and '#' lines ignored), folders
// among them expanded. Paths keep the form they were given in, so messages
// show "img/cat.jpg". Fails when `path` does not exist, a folder holds no
// supported file, or a list names another list; entries that do not exist
// are returned and fail when read.
Result<std::vector<std::filesystem::path>> expand_data_path(const std::filesystem::path& path);

Result<std::vector<std::byte>> read_whole_file(const std::filesystem::path& path);

}  // namespace qs::calib
