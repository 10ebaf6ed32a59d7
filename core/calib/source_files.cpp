#include "calib/source_files.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <string>
#include <system_error>

namespace qs::calib {
namespace {

namespace fs = std::filesystem;

std::string lower_extension(const fs::path& path) {
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext;
}

bool is_hidden(const fs::path& path) {
  const std::string name = path.filename().string();
  return !name.empty() && name[0] == '.';
}

Result<std::vector<fs::path>> expand_folder(const fs::path& folder) {
  std::vector<fs::path> files;
  std::error_code ec;
  fs::recursive_directory_iterator it(folder, fs::directory_options::skip_permission_denied, ec);
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (is_hidden(it->path())) {
      // Editors' and file managers' droppings (".DS_Store", "._cat.jpg") are not data.
      std::error_code ignored;
      if (it->is_directory(ignored)) it.disable_recursion_pending();
      continue;
    }
    const FileKind kind = file_kind(it->path());
    std::error_code broken;  // a dangling link is not data, and no reason to stop
    if (kind != FileKind::kUnsupported && kind != FileKind::kList && it->is_regular_file(broken)) {
      files.push_back(it->path());
    }
  }
  if (ec) return fail(cat(folder.string(), ": cannot list folder: ", ec.message()));
  if (files.empty()) return fail(cat(folder.string(), ": folder holds no supported data file"));
  std::sort(files.begin(), files.end(),
            [](const fs::path& a, const fs::path& b) { return a.generic_string() < b.generic_string(); });
  return files;
}

std::string trimmed(const std::string& line) {
  const auto first = line.find_first_not_of(" \t\r");
  if (first == std::string::npos) return {};
  const auto last = line.find_last_not_of(" \t\r");
  return line.substr(first, last - first + 1);
}

Result<std::vector<fs::path>> expand_list(const fs::path& list) {
  std::ifstream in(list);
  if (!in) return fail(cat(list.string(), ": cannot open: ", std::strerror(errno)));
  std::vector<fs::path> files;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    const std::string entry = trimmed(line);
    if (entry.empty() || entry[0] == '#') continue;
    const fs::path path = (list.parent_path() / entry).lexically_normal();
    if (file_kind(path) == FileKind::kList) {
      return fail(
          cat(list.string(), ":", number, ": '", entry, "' is a list file; lists cannot include lists"));
    }
    std::error_code ec;
    if (fs::is_directory(path, ec)) {
      auto inner = expand_folder(path);
      if (!inner) return fail(cat(list.string(), ":", number, ": ", inner.error().message));
      files.insert(files.end(), inner->begin(), inner->end());
    } else {
      files.push_back(path);
    }
  }
  if (in.bad()) return fail(cat(list.string(), ": read error"));
  return files;
}

}  // namespace

FileKind file_kind(const fs::path& path) {
  const std::string ext = lower_extension(path);
  if (ext == ".png" || ext == ".jpg" || ext == ".jpeg" || ext == ".bmp") return FileKind::kImage;
  if (ext == ".npy") return FileKind::kNpy;
  if (ext == ".npz") return FileKind::kNpz;
  if (ext == ".bin") return FileKind::kRaw;
  if (ext == ".wav") return FileKind::kWav;
  if (ext == ".txt") return FileKind::kList;
  return FileKind::kUnsupported;
}

Result<std::vector<fs::path>> expand_data_path(const fs::path& path) {
  std::error_code ec;
  const fs::file_status status = fs::status(path, ec);
  if (!fs::exists(status)) return fail(cat(path.string(), ": no such file or folder"));
  if (fs::is_directory(status)) return expand_folder(path);
  if (file_kind(path) == FileKind::kList) return expand_list(path);
  return std::vector<fs::path>{path};
}

Result<std::vector<std::byte>> read_whole_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(cat(path.string(), ": cannot open: ", std::strerror(errno)));
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  if (size < 0) return fail(cat(path.string(), ": cannot read"));
  in.seekg(0, std::ios::beg);
  std::vector<std::byte> bytes(static_cast<size_t>(size));
  if (!in.read(reinterpret_cast<char*>(bytes.data()), size)) return fail(cat(path.string(), ": read failed"));
  return bytes;
}

}  // namespace qs::calib
