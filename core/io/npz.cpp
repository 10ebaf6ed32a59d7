#include "io/npz.h"

#include <zip.h>

#include <algorithm>
#include <array>
#include <memory>
#include <set>
#include <string>

#include "io/atomic_file.h"

namespace qs::io {
namespace {

constexpr std::string_view kSuffix = ".npy";
// Read members in pieces so memory grows with data actually present, not
// with a size a corrupt directory claims.
constexpr size_t kReadChunk = size_t{1} << 20;

std::string zip_error_text(int code) {
  zip_error_t error;
  zip_error_init_with_code(&error, code);
  std::string text = zip_error_strerror(&error);
  zip_error_fini(&error);
  return text;
}

struct ArchiveCloser {
  void operator()(zip_t* archive) const { zip_discard(archive); }
};
using Archive = std::unique_ptr<zip_t, ArchiveCloser>;

struct FileCloser {
  void operator()(zip_file_t* file) const { zip_fclose(file); }
};

Result<std::vector<std::byte>> read_member(zip_t* archive, zip_uint64_t index, const std::string& where) {
  zip_stat_t st;
  zip_stat_init(&st);
  if (zip_stat_index(archive, index, 0, &st) != 0) return fail(cat(where, ": ", zip_strerror(archive)));
  std::unique_ptr<zip_file_t, FileCloser> file(zip_fopen_index(archive, index, 0));
  if (!file) return fail(cat(where, ": cannot open: ", zip_strerror(archive)));
  std::vector<std::byte> data;
  if ((st.valid & ZIP_STAT_SIZE) != 0) data.reserve(static_cast<size_t>(std::min<zip_uint64_t>(st.size, kReadChunk * 64)));
  while (true) {
    const size_t used = data.size();
    data.resize(used + kReadChunk);
    const zip_int64_t n = zip_fread(file.get(), data.data() + used, kReadChunk);
    if (n < 0) {
      // CRC mismatches and inflate errors surface here.
      return fail(cat(where, ": corrupt data: ", zip_error_strerror(zip_file_get_error(file.get()))));
    }
    data.resize(used + static_cast<size_t>(n));
    if (n == 0) break;
  }
  if ((st.valid & ZIP_STAT_SIZE) != 0 && data.size() != st.size) {
    return fail(cat(where, ": corrupt data: the archive says ", st.size, " bytes, read ", data.size()));
  }
  return data;
}

}  // namespace

Result<std::vector<Array>> read_npz(const std::filesystem::path& path) {
  const std::string name = path.string();
  int code = 0;
  Archive archive(zip_open(name.c_str(), ZIP_RDONLY | ZIP_CHECKCONS, &code));
  if (!archive) {
    if (code == ZIP_ER_NOZIP) return fail(cat(name, ": not a .npz file (not a zip archive)"));
    return fail(cat(name, ": cannot read as a .npz (zip) archive: ", zip_error_text(code)));
  }
  const zip_int64_t count = zip_get_num_entries(archive.get(), 0);
  if (count < 0) return fail(cat(name, ": ", zip_strerror(archive.get())));
  std::vector<Array> out;
  for (zip_uint64_t i = 0; i < static_cast<zip_uint64_t>(count); ++i) {
    const char* raw = zip_get_name(archive.get(), i, 0);
    if (raw == nullptr) return fail(cat(name, ": member #", i, ": ", zip_strerror(archive.get())));
    const std::string member = raw;
    const std::string where = cat(name, ": member '", member, "'");
    if (member.size() <= kSuffix.size() || member.compare(member.size() - kSuffix.size(), kSuffix.size(), kSuffix) != 0) {
      return fail(cat(where, ": not a .npy array (a .npz holds only '<key>.npy' members)"));
    }
    auto bytes = read_member(archive.get(), i, where);
    if (!bytes) return tl::unexpected(bytes.error());
    auto array = parse_npy(*bytes, where);
    if (!array) return tl::unexpected(array.error());
    array->name = member.substr(0, member.size() - kSuffix.size());
    out.push_back(std::move(*array));
  }
  return out;
}

Status write_npz(const std::filesystem::path& path, std::span<const Array> arrays, ZipCompression compression) {
  const std::string name = path.string();
  std::set<std::string> seen;
  for (const auto& a : arrays) {
    if (a.name.empty()) return fail(cat(name, ": an array has no name (npz keys must be non-empty)"));
    if (a.name.find('\0') != std::string::npos) return fail(cat(name, ": array name contains a NUL character"));
    if (!seen.insert(a.name).second) return fail(cat(name, ": two arrays are named '", a.name, "'"));
  }
  // Every member's image stays alive until zip_close has written it.
  std::vector<std::vector<std::byte>> images;
  images.reserve(arrays.size());
  for (const auto& a : arrays) {
    auto image = serialize_npy(a);
    if (!image) return tl::unexpected(with_context(name, image.error()));
    images.push_back(std::move(*image));
  }

  auto temp = AtomicFile::create(path);
  if (!temp) return tl::unexpected(temp.error());
  if (arrays.empty()) {
    // libzip writes nothing for an empty archive; numpy.savez() writes the
    // bare end-of-central-directory record, and so do we.
    std::array<std::byte, 22> eocd{};
    for (size_t i = 0; i < 4; ++i) eocd[i] = std::byte{static_cast<uint8_t>("PK\x05\x06"[i])};
    if (auto s = temp->write(eocd); !s) return s;
    return temp->commit();
  }
  // libzip writes its archive by path (through a temporary file of its own,
  // renamed onto ours); we rename ours onto the target afterwards.
  temp->release_descriptor();
  int code = 0;
  Archive archive(zip_open(temp->temp_path().c_str(), ZIP_TRUNCATE, &code));
  if (!archive) return fail(cat(name, ": cannot create the archive: ", zip_error_text(code)));
  for (size_t i = 0; i < arrays.size(); ++i) {
    const std::string member = arrays[i].name + std::string(kSuffix);
    zip_source_t* source = zip_source_buffer(archive.get(), images[i].data(), images[i].size(), 0);
    if (source == nullptr) return fail(cat(name, ": ", zip_strerror(archive.get())));
    const zip_int64_t index = zip_file_add(archive.get(), member.c_str(), source, ZIP_FL_ENC_UTF_8);
    if (index < 0) {
      zip_source_free(source);
      return fail(cat(name, ": cannot add member '", member, "': ", zip_strerror(archive.get())));
    }
    const zip_int32_t method = compression == ZipCompression::kDeflate ? ZIP_CM_DEFLATE : ZIP_CM_STORE;
    if (zip_set_file_compression(archive.get(), static_cast<zip_uint64_t>(index), method, 0) != 0) {
      return fail(cat(name, ": ", zip_strerror(archive.get())));
    }
  }
  if (zip_close(archive.get()) != 0) {
    return fail(cat(name, ": cannot write the archive: ", zip_strerror(archive.get())));
  }
  (void)archive.release();  // zip_close freed it
  return temp->commit();
}

}  // namespace qs::io
